"""Clipboard contents meant to hurt: too big to hold, an image that would take
a gigabyte to decode, an owner that never answers. Trove refuses them without
reading them whole, keeps capturing, and writes no content to its log."""

import os
import struct
import zlib

from desktop import wait_until
from test_faults import labels, ready

SKIPPED_TOO_LARGE = "skipped a clipboard content: TooLarge"


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def huge_png(path, width, height):
    """A valid PNG of black pixels: under a megabyte on disk, 768 MB decoded."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    packer, row, body = zlib.compressobj(9), b"\0" * (1 + 3 * width), []
    for _ in range(height):
        body.append(packer.compress(row))
    body.append(packer.flush())
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", b"".join(body)) + chunk(b"IEND", b""))


def test_content_of_100_mb_and_a_16000_square_image_are_refused_without_being_read_whole(
        launch, clipboard, desktop, data_dir):
    trove = launch()
    ready(trove)
    clipboard.copy("a small clip first")
    wait_until(lambda: labels(trove)[0] == "a small clip first", what="the first clip")
    before = peak_rss_mb(trove.pid)

    clipboard.copy(b"canary-100mb " * (110 * 1024 * 1024 // 13))
    wait_until(lambda: trove.log().count(SKIPPED_TOO_LARGE) == 1, timeout=60, what="110 MB to be refused")
    png = os.path.join(desktop.root, "huge.png")
    huge_png(png, 16000, 16000)
    assert os.path.getsize(png) < 2 * 1024 * 1024
    with open(png, "rb") as f:
        clipboard.copy(f.read(), target="image/png")
    wait_until(lambda: trove.log().count(SKIPPED_TOO_LARGE) == 2, timeout=30, what="the huge image to be refused")

    clipboard.copy("captured after them")
    wait_until(lambda: labels(trove)[0] == "captured after them", what="capture to go on")
    assert labels(trove)[1] == "a small clip first", "neither was stored"
    # Reading stops at the 10 MiB limit, and the image is never decoded.
    grown = peak_rss_mb(trove.pid) - before
    assert grown < 64, f"peak memory grew by {grown:.0f} MB"
    assert "canary" not in trove.log()


def test_an_owner_that_never_answers_times_out_and_capture_goes_on(launch, clipboard):
    trove = launch()
    ready(trove)
    clipboard.own_silently()
    wait_until(lambda: "no answer for target" in trove.log(), timeout=15, what="the request to time out")
    clipboard.copy("after the silent owner")
    wait_until(lambda: labels(trove)[0] == "after the silent owner", what="capture to go on")


def test_the_log_names_clips_but_never_their_contents(launch, clipboard):
    trove = launch()
    ready(trove)
    clipboard.copy("canary-text password=hunter2")
    clipboard.own(**{"text/html": "<p>canary-html</p>", "UTF8_STRING": "canary-html"})
    clipboard.copy("file:///home/canary-file.txt\r\n", target="text/uri-list")
    wait_until(lambda: labels(trove)[0] == "canary-file.txt", what="the three clips")
    log = trove.log()
    assert log.count("captured clip") >= 3
    assert "canary" not in log and "hunter2" not in log, log
