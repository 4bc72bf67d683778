"""Faults a user's machine throws at Trove, and what the user sees: a damaged
or unreadable database, a full disk, a crashed web process, kill -9 at random
moments. `TROVE_SOAK=1` (make soak) runs the long versions."""

import glob
import os
import random
import re
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import ARTIFACTS, TROVE_BIN
from desktop import WebDriver, find_process, wait_until, web_processes, window_hosts
from test_history import captured_ids, page

SOAK = os.environ.get("TROVE_SOAK") == "1"
NOTICE_MOVED = "⚠ Unreadable history moved to "
NOTICE_UNSAVED = "⚠ Clips are not being saved: "


def ready(trove):
    wait_until(lambda: trove.tray.entry("Pause capture"), what="the tray")


def stop(trove):
    trove.proc.send_signal(signal.SIGTERM)
    assert trove.wait() == 0, trove.log()


def labels(trove):
    return [e["label"] for e in trove.tray.menu()]


def files(directory):
    out = {}
    for base, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, directory)] = f.read()
    return out


def truncate(db):
    os.truncate(os.path.join(db, "db"), 0)


def overwrite_with_garbage(db):
    log = os.path.join(db, "db")
    size = os.path.getsize(log)
    with open(log, "r+b") as f:
        f.write(random.Random(7).randbytes(size))


@pytest.mark.parametrize("damage", [truncate, overwrite_with_garbage], ids=["truncated", "garbage"])
def test_a_damaged_database_is_moved_aside_and_the_user_is_told(damage, launch, tauri_driver, clipboard,
                                                                  data_dir, desktop):
    first = launch()
    ready(first)
    clipboard.copy("an older clip")
    clipboard.copy("copied before the damage")
    wait_until(lambda: len(captured_ids(first.log())) == 2, what="the clips")
    stop(first)
    db = os.path.join(data_dir, "db")
    damage(db)
    damaged = files(db)

    driver = WebDriver(tauri_driver.url)
    driver.start(TROVE_BIN, ["--data-dir", data_dir, "show", "about"])
    try:
        pid = wait_until(lambda: find_process(data_dir), 30, "the Trove under WebDriver")
        tray = desktop.watcher.item_of(pid)
        aside = glob.glob(os.path.join(data_dir, "db.unreadable-*"))
        assert len(aside) == 1, os.listdir(data_dir)
        assert os.path.basename(aside[0])[len("db.unreadable-"):].replace("-", "").isdigit()
        moved = files(aside[0])
        for name, before in damaged.items():
            if not name.startswith("snap."):
                assert moved[name].startswith(before), f"{name} was overwritten"

        notice = tray.entry(NOTICE_MOVED)
        assert notice["label"] == NOTICE_MOVED + aside[0] and notice["enabled"] is False
        about = wait_until(lambda: driver.text("#recovery"), what="About's notice")
        assert aside[0] in about and "started a fresh one" in about, about

        clipboard.copy("copied after the recovery")
        wait_until(lambda: tray.menu()[1]["label"] == "copied after the recovery", what="the fresh database to work")
        # The fresh database holds the new copy and at most what was on the clipboard at start.
        recent = [e["label"] for e in tray.menu()[1:]]
        recent = recent[:recent.index("")]
        assert recent in (["copied after the recovery"], ["copied after the recovery", "copied before the damage"])
    finally:
        driver.quit()
        pid = find_process(data_dir)
        if pid:
            os.kill(pid, signal.SIGKILL)


def test_a_database_this_user_cannot_read_is_moved_aside(desktop, clipboard):
    """Run as `nobody`, because root reads everything. Without the test's session
    bus there is no tray, so the log and the files tell."""
    root = tempfile.mkdtemp(prefix="trove-unreadable-")
    try:
        os.chmod(root, 0o755)
        data, runtime, home = (os.path.join(root, d) for d in ("data", "runtime", "home"))
        for d in (data, runtime, home):
            os.makedirs(d, mode=0o700)
            os.chown(d, 65534, 65534)
        db = os.path.join(data, "db")
        os.makedirs(db, mode=0o700)
        with open(os.path.join(db, "db"), "wb") as f:
            f.write(b"a database that belongs to root")
        env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=runtime, XDG_DATA_HOME=home, XDG_CONFIG_HOME=home,
                   XDG_CACHE_HOME=home)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        log_path = os.path.join(ARTIFACTS, "unreadable.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", TROVE_BIN, "--data-dir", data],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            text = lambda: open(log_path, errors="replace").read()
            wait_until(lambda: " ready" in text(), 30, "Trove to start")
            assert "Permission denied" in text() and "started a fresh one" in text(), text()
            aside = glob.glob(os.path.join(data, "db.unreadable-*"))
            assert len(aside) == 1, os.listdir(data)
            with open(os.path.join(aside[0], "db"), "rb") as f:
                assert f.read() == b"a database that belongs to root"
            clipboard.copy("works without the old database")
            wait_until(lambda: captured_ids(text()), what="a capture into the fresh database")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0, text()
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        subprocess.run(["rm", "-rf", root], check=True)


@pytest.fixture
def small_disk():
    mount = tempfile.mkdtemp(prefix="trove-tmpfs-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m,mode=0700", "tmpfs", mount], check=True)
    yield mount
    subprocess.run(["umount", "-l", mount], check=True)
    os.rmdir(mount)


def fill(path, leave):
    """Writes a file that leaves `leave` bytes free on `path`'s file system."""
    st = os.statvfs(os.path.dirname(path))
    size = st.f_bavail * st.f_frsize - leave
    with open(path, "wb") as f:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            size -= f.write(chunk[:min(size, len(chunk))])


def test_a_full_disk_stops_saving_visibly_and_saving_resumes_when_room_returns(launch, clipboard, small_disk):
    data = os.path.join(small_disk, "data")
    trove = launch(data=data)
    ready(trove)
    clipboard.copy("saved before the disk filled")
    wait_until(lambda: labels(trove)[0] == "saved before the disk filled", what="the first clip")

    filler = os.path.join(small_disk, "filler")
    fill(filler, 2 << 20)
    clipboard.copy("copied while the disk is full")
    wait_until(lambda: labels(trove)[0].startswith(NOTICE_UNSAVED), what="the tray to say clips are not saved")
    assert "is full" in labels(trove)[0], labels(trove)
    assert labels(trove)[1] == "saved before the disk filled"
    assert "cannot store a capture" in trove.log()
    assert trove.proc.poll() is None

    os.remove(filler)
    clipboard.copy("saved after room returned")
    wait_until(lambda: labels(trove)[0] == "saved after room returned", what="saving to resume and the notice to go")
    assert not any(label.startswith(NOTICE_UNSAVED) for label in labels(trove))
    stop(trove)

    again = launch(data=data)
    ready(again)
    assert labels(again)[:2] == ["saved after room returned", "saved before the disk filled"]
    stop(again)


def test_a_read_only_data_dir_refuses_captures_visibly_and_saving_starts_once_it_is_writable(
        launch, clipboard, small_disk):
    data = os.path.join(small_disk, "data")
    before = launch(data=data)
    ready(before)
    clipboard.copy("kept from before")
    wait_until(lambda: labels(before)[0] == "kept from before", what="the first clip")
    stop(before)

    subprocess.run(["mount", "-o", "remount,ro", small_disk], check=True)
    trove = launch(data=data)
    ready(trove)
    notice = labels(trove)[0]
    assert notice.startswith(NOTICE_UNSAVED) and f"{data} is on a read-only file system" in notice, labels(trove)
    refused = trove.log().count("cannot store a capture")
    clipboard.copy("copied while read-only")
    wait_until(lambda: trove.log().count("cannot store a capture") > refused, what="the copy to be refused")
    assert trove.proc.poll() is None

    subprocess.run(["mount", "-o", "remount,rw", small_disk], check=True)
    # The first write is no capture: the history still comes back at once.
    trove.tray.click("Pause capture")
    wait_until(lambda: "kept from before" in labels(trove), what="the database to open and the tray to show it")
    trove.tray.click("Pause capture")
    wait_until(lambda: trove.tray.entry("Pause capture")["toggle_state"] == 0, what="capture to resume")
    clipboard.copy("saved once writable")
    wait_until(lambda: labels(trove)[:2] == ["saved once writable", "kept from before"],
               what="saving to start in the database that was there")
    assert not any(label.startswith(NOTICE_UNSAVED) for label in labels(trove))
    stop(trove)

    again = launch(data=data)
    ready(again)
    assert labels(again)[:2] == ["saved once writable", "kept from before"]
    assert "copied while read-only" not in labels(again)
    stop(again)


def test_a_crashed_web_process_leaves_the_core_working_and_the_window_comes_back(launch, desktop, clipboard):
    trove = launch("show", "main")
    ready(trove)
    x11 = desktop.x11
    for round_ in range(2):
        wait_until(lambda: x11.painted(trove.pid, "Trove"), what="main to paint")
        [web] = wait_until(lambda: web_processes(trove.pid), what="main's web process")
        os.kill(web, signal.SIGKILL)
        # The blank window goes; the core, the tray and capture go on.
        wait_until(lambda: "Trove" not in trove.windows(), what="the crashed window to go")
        clipboard.copy(f"captured after crash {round_}")
        wait_until(lambda: labels(trove)[0] == f"captured after crash {round_}", what="capture and the tray to go on")
        trove.tray.click("Show history")
    wait_until(lambda: x11.painted(trove.pid, "Trove"), what="a new main to paint")
    x11.screenshot(trove.pid, "Trove", os.path.join(ARTIFACTS, "main-after-web-crash.png"))
    assert trove.log().count("ended (Crashed)") == 2, trove.log()
    assert trove.proc.poll() is None


def with_main_painted(launch):
    """Trove started with main shown, once main has painted, and main's window host."""
    trove = launch("show", "main")
    ready(trove)
    wait_until(lambda: trove.desktop.x11.painted(trove.pid, "Trove"), what="main to paint")
    [host] = window_hosts(trove.pid)
    return trove, host


def test_a_killed_window_host_leaves_the_core_working_and_the_windows_come_back(launch, clipboard):
    trove, host = with_main_painted(launch)
    os.kill(host, signal.SIGKILL)
    # Its windows go with it; the core, the tray and capture go on.
    wait_until(lambda: trove.windows() == {}, what="the host's windows to go")
    wait_until(lambda: "the window host ended before Trove let it go" in trove.log(), what="the core to notice")
    clipboard.copy("captured after the host was killed")
    wait_until(lambda: labels(trove)[0] == "captured after the host was killed", what="capture and the tray to go on")
    trove.tray.click("Show history")
    wait_until(lambda: trove.desktop.x11.painted(trove.pid, "Trove"), what="a new main to paint")
    assert window_hosts(trove.pid) not in ([], [host])
    trove.desktop.x11.screenshot(trove.pid, "Trove", os.path.join(ARTIFACTS, "main-after-host-killed.png"))
    assert trove.proc.poll() is None


def test_a_window_host_that_hangs_is_ended_and_a_new_one_shows_the_window(launch):
    trove, host = with_main_painted(launch)
    os.kill(host, signal.SIGSTOP)
    try:
        trove.tray.click("Settings")
        wait_until(lambda: "the window host has not shown settings in 10s: ending it" in trove.log(), 30,
                   "the core to give up on the stopped host")
        wait_until(lambda: trove.desktop.x11.painted(trove.pid, "Trove Settings"), what="settings to paint, from a new host")
        assert window_hosts(trove.pid) not in ([], [host])
        wait_until(lambda: not os.path.exists(f"/proc/{host}"), what="the stopped host to be ended and reaped")
        assert "Trove" not in trove.windows(), "main went with the host that held it"
        trove.desktop.x11.screenshot(trove.pid, "Trove Settings", os.path.join(ARTIFACTS, "settings-after-host-hung.png"))
        # The core knows main went with it: a toggle shows main rather than hiding it.
        toggle = subprocess.run([TROVE_BIN, "--data-dir", trove.data_dir, "toggle"], capture_output=True, timeout=30)
        assert toggle.returncode == 0, toggle.stderr
        wait_until(lambda: trove.desktop.x11.painted(trove.pid, "Trove"), what="main to paint in the new host")
        assert trove.proc.poll() is None
    finally:
        try:
            os.kill(host, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_clean_exit_spares_the_next_start_its_check_and_a_kill_9_does_not(launch, clipboard):
    trove = launch()
    ready(trove)
    for text in ["first clip", "second clip"]:
        clipboard.copy(text)
    wait_until(lambda: len(captured_ids(trove.log())) == 2, what="two captures")
    stop(trove)

    trove = launch()
    ready(trove)
    assert "history closed cleanly last time: 2 clips, no repair pass" in trove.log()
    assert labels(trove)[:2] == ["second clip", "first clip"]
    clipboard.copy("third clip")
    wait_until(lambda: captured_ids(trove.log()), what="the third capture")
    trove.proc.send_signal(signal.SIGKILL)
    trove.proc.wait(10)

    trove = launch()
    ready(trove)
    assert re.search(r"history checked for damage: 3 clips in ", trove.log()), trove.log()
    assert labels(trove)[:3] == ["third clip", "second clip", "first clip"]
    stop(trove)


def test_kill_9_at_random_moments_loses_no_announced_clip(launch, tauri_driver, open_session, clipboard, data_dir):
    rounds = 100 if SOAK else 20
    # All rounds together stay under the default retention limit of 1000 clips.
    per_round = 900 // rounds
    seed = int(time.time())
    rng = random.Random(seed)
    report = [f"kill -9 loop, seed {seed}", "",
              "| round | killed | announced | lost |", "|---|---|---|---|"]
    announced = {}
    for n in range(rounds):
        trove = launch()
        during_start = rng.random() < 0.2
        if not during_start:
            ready(trove)
        stop_copying = threading.Event()

        def burst():
            for i in range(per_round):
                if stop_copying.is_set():
                    return
                clipboard.copy(f"round {n} copy {i}")

        copier = threading.Thread(target=burst)
        copier.start()
        delay = rng.uniform(0.0, 1.0)
        try:
            time.sleep(delay)
            trove.proc.send_signal(signal.SIGKILL)
            trove.proc.wait(10)
        finally:
            stop_copying.set()
            copier.join()
        log = trove.log()
        assert "panicked" not in log and "unreadable" not in log and "repaired" not in log, log
        moment = f"{delay:.2f} s after {'launch' if during_start else 'the tray appeared'}"
        announced[n] = (captured_ids(log), moment)

    driver = open_session(tauri_driver)
    kept = set()
    for offset in range(0, page(driver)["total"], 500):
        kept |= {c["id"] for c in driver.invoke("history_page", {"offset": offset, "limit": 500})["items"]}
    lost_total = 0
    for n, (ids, moment) in announced.items():
        lost = len(set(ids) - kept)
        lost_total += lost
        report.append(f"| {n} | {moment} | {len(ids)} | {lost} |")
    report.append(f"| all | | {sum(len(i) for i, _ in announced.values())} | {lost_total} |")
    with open(os.path.join(ARTIFACTS, "kill-9-report.md"), "w") as f:
        f.write("\n".join(report) + "\n")
    assert sum(len(i) for i, _ in announced.values()) > 3 * rounds, "the kills must land during bursts"
    assert lost_total == 0, "\n".join(report)
