"""Fixtures: one private desktop (Xvfb + the test's D-Bus session + a panel's
tray watcher) for the run, and a fresh data dir for every Trove launched."""

import os
import shutil
import signal
import subprocess
import tempfile

import pytest

from desktop import X11, Clipboard, StatusNotifierWatcher, WebDriver, find_process, free_port, start_xvfb, wait_until

TROVE_BIN = os.environ.get("TROVE_BIN", "")
ARTIFACTS = os.environ.get("TROVE_ARTIFACTS", os.path.abspath("artifacts/e2e"))


def links_webkit(binary):
    """Whether `binary` is the build that links WebKit the ordinary way (`--features linked-webkit`,
    or a target the lazy loader does not support) rather than loading it at the first window."""
    dynamic = subprocess.run(["readelf", "--dynamic", binary], capture_output=True, text=True, check=True).stdout
    return "libwebkit2gtk-4.1.so" in dynamic


WEBKIT_LINKED = bool(TROVE_BIN) and links_webkit(TROVE_BIN)


class Desktop:
    def __init__(self, display, watcher, x11, root):
        self.display, self.watcher, self.x11, self.root = display, watcher, x11, root


@pytest.fixture(scope="session")
def desktop():
    assert TROVE_BIN and os.access(TROVE_BIN, os.X_OK), "set TROVE_BIN to the built trove binary"
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS"), "run under dbus-run-session"
    os.makedirs(ARTIFACTS, exist_ok=True)
    root = tempfile.mkdtemp(prefix="trove-e2e-")
    # WebKit, GTK and the autostart dir all write under these; keep them private.
    for var, sub in [("HOME", "home"), ("XDG_CONFIG_HOME", "home/.config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_CACHE_HOME", "cache"), ("XDG_RUNTIME_DIR", "runtime")]:
        path = os.path.join(root, sub)
        os.makedirs(path, mode=0o700)
        os.environ[var] = path
    os.environ.pop("WAYLAND_DISPLAY", None)
    os.environ.pop("XDG_SESSION_TYPE", None)
    os.environ["GDK_BACKEND"] = "x11"
    os.environ["NO_AT_BRIDGE"] = "1"
    os.environ.pop("TROVE_DATA_DIR", None)
    xvfb, display = start_xvfb()
    os.environ["DISPLAY"] = display
    try:
        yield Desktop(display, StatusNotifierWatcher(), X11(display), root)
    finally:
        xvfb.terminate()
        xvfb.wait(10)
        shutil.rmtree(root, ignore_errors=True)


class Trove:
    """A Trove process started directly, as a user or autostart would."""

    def __init__(self, desktop, data_dir, args, name, env=None):
        self.desktop, self.data_dir = desktop, data_dir
        self.log_path = os.path.join(ARTIFACTS, f"{name}.log")
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([TROVE_BIN, "--data-dir", data_dir, *args],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=dict(os.environ, **(env or {})))
        self.pid = self.proc.pid
        self._tray = None

    @property
    def tray(self):
        if self._tray is None:
            self._tray = self.desktop.watcher.item_of(self.pid)
        return self._tray

    def windows(self):
        return self.desktop.x11.windows(self.pid)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait(self, timeout=30):
        return self.proc.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def data_dir(desktop, request):
    path = os.path.join(desktop.root, "trove-" + request.node.name.replace("[", "-").rstrip("]"))
    return path


@pytest.fixture
def launch(desktop, data_dir, request):
    started = []

    def start(*args, data=None, env=None):
        proc = Trove(desktop, data or data_dir, args, f"{request.node.name}-{len(started)}", env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()


class TauriDriver:
    """tauri-driver; the apps it starts inherit its environment. Their output goes to `log_path`."""

    def __init__(self, env=None):
        self.port = free_port()
        self.log_path = os.path.join(ARTIFACTS, f"tauri-driver-{self.port}.log")
        self.proc = subprocess.Popen(["tauri-driver", "--port", str(self.port), "--native-port", str(free_port())],
                                     stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT, env=env)
        wait_until(WebDriver(self.url).ready, 30, "tauri-driver to listen")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class DriverTrove:
    """Trove started the way WebDriver starts it (with `args`), in a desktop session of a test's own
    whose environment is `env`. Its log is what tauri-driver printed."""

    def __init__(self, env, args=("show", "main")):
        self.env = env
        self.tauri = TauriDriver(env=env)
        self.driver = WebDriver(self.tauri.url)
        self.driver.start(TROVE_BIN, list(args))

    def log(self):
        with open(self.tauri.log_path, errors="replace") as f:
            return f.read()

    def wait_log(self, text, what=None, count=1):
        wait_until(lambda: self.log().count(text) >= count, 30, what or repr(text))

    def main_visible(self):
        """Whether Main shows, as its page knows it."""
        self.driver.switch(self.driver.handle_titled("Trove"))
        return self.driver.execute("return document.visibilityState") == "visible"

    def close(self):
        self.driver.quit()
        self.tauri.stop()


@pytest.fixture
def private_bus():
    """A session bus of the test's own, for a panel that comes and goes."""
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    address = proc.stdout.readline().decode().strip()
    assert address, "dbus-daemon did not report its address"
    yield address
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def tauri_driver(desktop):
    driver = TauriDriver()
    yield driver
    driver.stop()


@pytest.fixture
def open_session(data_dir):
    """Starts a WebDriver session on a Trove launched with `show main` (a session binds to the first webview)."""
    started = []

    def start(tauri_driver):
        driver = WebDriver(tauri_driver.url)
        driver.start(TROVE_BIN, ["--data-dir", data_dir, "show", "main"])
        started.append(driver)
        driver.pid = wait_until(lambda: find_process(data_dir), 30, "the Trove under WebDriver")
        driver.log_path = tauri_driver.log_path
        return driver

    yield start
    for driver in started:
        driver.quit()
    pid = find_process(data_dir)
    if pid:
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def webdriver(tauri_driver, open_session):
    return open_session(tauri_driver)


@pytest.fixture
def clipboard(desktop):
    board = Clipboard(desktop.display)
    yield board
    board.close()
