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

HERE = os.path.dirname(os.path.abspath(__file__))

import pytest

from conftest import ARTIFACTS, TROVE_BIN
from desktop import WebDriver, find_process, free_port, read_line, wait_until, web_processes, window_hosts
from test_history import change_settings, rows

AS_ROOT = os.geteuid() == 0
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if AS_ROOT else []


class WaylandSession:
    def __init__(self, webdriver_port=None):
        """Sway starts Trove, or with `webdriver_port` tauri-driver on that port, for a test to start Trove."""
        self.root = tempfile.mkdtemp(prefix="trove-wayland-")
        os.chmod(self.root, 0o755)
        for sub in ("run", "home", "data", "bin"):
            os.makedirs(os.path.join(self.root, sub), mode=0o700)
        conf = os.path.join(self.root, "sway.conf")
        self.log_path = os.path.join(self.root, "trove.log")
        if webdriver_port:
            # A copy the session's user can run: root's home is closed to it.
            shutil.copy(shutil.which("tauri-driver"), f"{self.root}/bin/tauri-driver")
            started = (f"{self.root}/bin/tauri-driver --port {webdriver_port} --native-port {free_port()}"
                       f" > {self.log_path} 2>&1")
        else:
            started = f"{TROVE_BIN} --data-dir {self.root}/data > {self.log_path} 2>&1"
        with open(conf, "w") as f:
            f.write(f"xwayland disable\nexec {started}\n")
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
        if webdriver_port:
            wait_until(WebDriver(f"http://127.0.0.1:{webdriver_port}").ready, 30, "tauri-driver to listen under sway")
        else:
            wait_until(lambda: "ready" in self.log(), 30, "Trove to start under sway")

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def _windows(self):
        sock = next(s for s in os.listdir(f"{self.root}/run") if s.startswith("sway-ipc."))
        tree = json.loads(subprocess.run(NOBODY + ["swaymsg", "-s", f"{self.root}/run/{sock}", "-t", "get_tree", "-r"],
                                         env=self.env, capture_output=True, timeout=10, check=True).stdout)

        def walk(node):
            if node.get("name") and node.get("type") in ("con", "floating_con"):
                yield node
            for child in node.get("nodes", []) + node.get("floating_nodes", []):
                yield from walk(child)
        return list(walk(tree))

    def visible_windows(self):
        """The titles of the windows that sway shows."""
        return [w["name"] for w in self._windows() if w.get("visible")]

    def focused_window(self):
        """The title of the window that has sway's focus, if any."""
        return next((w["name"] for w in self._windows() if w.get("focused")), None)

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


def build_wlr_keyboard(into):
    os.makedirs(into, exist_ok=True)
    binary = os.path.join(into, "wlr_keyboard")
    xml = os.path.join(HERE, "helpers", "virtual-keyboard.xml")
    for kind, out in [("client-header", "virtual-keyboard-client-protocol.h"), ("private-code", "virtual-keyboard.c")]:
        subprocess.run(["wayland-scanner", kind, xml, os.path.join(into, out)], check=True)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "wayland-client"], check=True, capture_output=True,
                           text=True).stdout.split()
    subprocess.run(["gcc", "-O2", "-I", into, "-o", binary, os.path.join(HERE, "helpers", "wlr_keyboard.c"),
                    os.path.join(into, "virtual-keyboard.c"), *flags], check=True)
    os.chmod(into, 0o755)
    return binary


def test_paste_after_choosing_types_through_a_virtual_keyboard():
    port = free_port()
    wayland = WaylandSession(webdriver_port=port)
    driver = WebDriver(f"http://127.0.0.1:{port}")
    target = keyboard = None
    try:
        # As on a real seat, a keyboard is there before any app starts.
        keyboard = subprocess.Popen(NOBODY + [build_wlr_keyboard(f"{wayland.root}/bin")], env=wayland.env,
                                    stdout=subprocess.PIPE, text=True)
        assert read_line(keyboard, what="the seat's keyboard") == "ready"
        data = f"{wayland.root}/data"
        driver.start(TROVE_BIN, ["--data-dir", data, "show", "main"])
        wait_until(lambda: "ready" in wayland.log(), 30, "Trove to start under WebDriver")
        assert "paste after choosing types through a virtual keyboard (zwp_virtual_keyboard_v1)" in wayland.log()

        def trove(*args):
            subprocess.run(NOBODY + [TROVE_BIN, "--data-dir", data, *args], env=wayland.env, check=True, timeout=30)

        trove("show", "settings")
        wait_until(lambda: driver.handle_titled("Trove Settings"), what="Settings")
        change_settings(driver, None, paste_after_choosing=True)
        wayland.copy(b"pasted on sway")
        wait_until(lambda: "captured clip" in wayland.log(), what="the clip to paste")
        trove("toggle")
        wait_until(lambda: "Trove" not in wayland.visible_windows(), what="Main to hide")
        target = subprocess.Popen(NOBODY + ["/usr/bin/python3", os.path.join(HERE, "gtk_entry.py"), "Paste target"],
                                  env=dict(wayland.env, NO_AT_BRIDGE="1"), stdout=subprocess.PIPE, text=True)
        assert read_line(target, what="the target to have the keyboard") == "ready"
        trove("show", "main")
        wait_until(lambda: wayland.focused_window() == "Trove", what="Main to come back with the focus")
        driver.switch(driver.handle_titled("Trove"))
        wait_until(lambda: rows(driver) and "pasted on sway" in rows(driver)[0]["text"], what="Main to list the clip")
        driver.screenshot(os.path.join(ARTIFACTS, "sway-main.png"))
        # Enter, as the page hears it; the paste itself goes through sway's seat.
        driver.type_into("#search", "\ue007")
        try:
            typed = read_line(target, what="Ctrl+V to reach the app")
        except AssertionError as e:
            raise AssertionError(f"{e}; sway focuses {wayland.focused_window()!r} of {wayland.visible_windows()}; "
                                 f"Trove's log ends: {wayland.log()[-600:]}") from None
        assert typed == "keys: ctrl+v"
        # GTK on this headless sway reads no clipboard on Ctrl+V, even when wtype types it
        # (measured), so what it would paste is read here as a Wayland app reads it.
        assert wayland.paste() == b"pasted on sway"
    finally:
        for helper in (target, keyboard):
            if helper:
                helper.kill()
                helper.wait(10)
        driver.quit()
        wayland.close()
