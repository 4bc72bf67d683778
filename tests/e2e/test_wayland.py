"""Trove in a Wayland session: sway's headless backend offers wlr-data-control,
and wl-copy/wl-paste stand in for Wayland apps. wlroots compositors refuse to
run as root, so as root the whole session runs as `nobody`; it always has its
own D-Bus."""

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import TROVE_BIN
from desktop import wait_until

AS_ROOT = os.geteuid() == 0
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if AS_ROOT else []


class WaylandSession:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="trove-wayland-")
        os.chmod(self.root, 0o755)
        for sub in ("run", "home", "data"):
            os.makedirs(os.path.join(self.root, sub), mode=0o700)
        conf = os.path.join(self.root, "sway.conf")
        self.log_path = os.path.join(self.root, "trove.log")
        with open(conf, "w") as f:
            f.write(f"xwayland disable\nexec {TROVE_BIN} --data-dir {self.root}/data > {self.log_path} 2>&1\n")
        if AS_ROOT:
            subprocess.run(["chown", "-R", "nobody:nogroup", self.root], check=True)
        self.env = {"HOME": f"{self.root}/home", "XDG_RUNTIME_DIR": f"{self.root}/run", "PATH": "/usr/bin:/bin"}
        compositor_env = dict(self.env, WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1",
                              WLR_RENDERER="pixman", XDG_SESSION_TYPE="wayland")
        self.sway = subprocess.Popen(NOBODY + ["dbus-run-session", "--", "sway", "-c", conf], env=compositor_env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        socket = wait_until(lambda: next((s for s in os.listdir(f"{self.root}/run") if re.fullmatch(r"wayland-\d+", s)),
                                         None), what="sway's Wayland socket")
        self.env["WAYLAND_DISPLAY"] = socket
        wait_until(lambda: "ready" in self.log(), 30, "Trove to start under sway")

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def copy(self, data, *args):
        # wl-copy serves from the background, so nothing may wait on its output.
        subprocess.run(NOBODY + ["wl-copy", *args], env=self.env, input=data, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=10, check=True)

    def paste(self):
        return subprocess.run(NOBODY + ["wl-paste", "--no-newline"], env=self.env, capture_output=True,
                              timeout=10, check=True).stdout

    def close(self):
        os.killpg(self.sway.pid, 9)
        self.sway.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def wayland():
    session = WaylandSession()
    yield session
    session.close()


def test_wayland_capture_uses_data_control(wayland):
    assert "capture: Wayland data-control (wlr-data-control-unstable-v1)" in wayland.log()
    wayland.copy(b"copied in a Wayland app")
    wait_until(lambda: "captured clip" in wayland.log(), what="the Wayland copy to be captured")
    wayland.copy(b"<p>rich <b>text</b></p>", "--type", "text/html")
    wait_until(lambda: "(Html," in wayland.log(), what="the HTML copy to be captured")
    wayland.copy(b"copied in a Wayland app")
    wait_until(lambda: "captured again" in wayland.log(), what="the repeated copy to move to the top")
    assert wayland.log().count("captured clip") == 2, wayland.log()
    assert wayland.paste() == b"copied in a Wayland app"
