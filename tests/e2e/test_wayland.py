"""Trove in a Wayland session: capture, and the windows as sway shows them.
Sway's headless backend offers wlr-data-control, and wl-copy/wl-paste stand in
for Wayland apps. wlroots compositors refuse to run as root, so as root the
whole session runs as `nobody`; it always has its own D-Bus."""

import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import TROVE_BIN
from desktop import find_process, wait_until, web_processes, window_hosts

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

    def visible_windows(self):
        """The titles of the windows that sway shows."""
        sock = next(s for s in os.listdir(f"{self.root}/run") if s.startswith("sway-ipc."))
        tree = json.loads(subprocess.run(NOBODY + ["swaymsg", "-s", f"{self.root}/run/{sock}", "-t", "get_tree", "-r"],
                                         env=self.env, capture_output=True, timeout=10, check=True).stdout)

        def walk(node):
            if node.get("visible") and node.get("name"):
                yield node["name"]
            for child in node.get("nodes", []) + node.get("floating_nodes", []):
                yield from walk(child)
        return list(walk(tree))

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


def test_wayland_windows_open_in_the_window_host(wayland):
    launch = subprocess.run(NOBODY + [TROVE_BIN, "--data-dir", f"{wayland.root}/data", "show", "main"], env=wayland.env,
                            capture_output=True, timeout=30)
    assert launch.returncode == 0, launch.stderr
    wait_until(lambda: "window main created" in wayland.log(), 30, "main to be built on Wayland")
    core = find_process(f"{wayland.root}/data")
    [host] = window_hosts(core)
    wait_until(lambda: web_processes(host), what="main's page to load in a web process")
    wait_until(lambda: "Trove" in wayland.visible_windows(), what="sway to show main")
    assert "ended" not in wayland.log(), wayland.log()
