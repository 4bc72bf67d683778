"""What the headless GNOME and KDE sessions share: a private root with its own
HOME and XDG dirs, processes started into it and stopped together, calls on
its session bus, and its Wayland clipboard through wl-copy and wl-paste."""

import os
import shutil
import subprocess
import tempfile

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402


class PrivateSession:
    XDG_DIRS = {"HOME": "home", "XDG_RUNTIME_DIR": "run", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data",
                "XDG_CACHE_HOME": "cache", "XDG_STATE_HOME": "state"}

    def __init__(self, name, artifacts, env):
        """`env` is the session's own environment, to which its dirs are added."""
        self.root = tempfile.mkdtemp(prefix=f"trove-{name}-")
        self.name, self.artifacts = name, artifacts
        self.env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **env}
        for var, sub in self.XDG_DIRS.items():
            self.env[var] = os.path.join(self.root, sub)
            os.makedirs(self.env[var], mode=0o700)
        self.procs = []

    def start(self, argv, log, env=None):
        """Starts `argv` in the session, its output in the log `log` (kept in the artifacts at the end)."""
        out = open(self.log_path(log), "ab")
        proc = subprocess.Popen(argv, env=env or self.env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def log_path(self, log):
        return os.path.join(self.root, f"{log}.log")

    def log(self, log):
        with open(self.log_path(log), errors="replace") as f:
            return f.read()

    def connect_bus(self, address):
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.bus = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)

    def run(self, argv, **kwargs):
        return subprocess.run(argv, env=self.env, check=True, timeout=30, **kwargs)

    def call(self, name, path, iface, method, args=None, timeout_ms=10000):
        reply = self.bus.call_sync(name, path, iface, method, args, None, Gio.DBusCallFlags.NONE, timeout_ms, None)
        return reply.unpack() if reply is not None else None

    def has_owner(self, name):
        return self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                         GLib.Variant("(s)", (name,)))[0]

    def copy(self, data, *args):
        # wl-copy serves from the background, so nothing may wait on its output.
        subprocess.run(["wl-copy", *args], env=self.env, input=data, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=10, check=True)

    def paste(self):
        return subprocess.run(["wl-paste", "--no-newline"], env=self.env, capture_output=True, timeout=10,
                              check=True).stdout

    def close(self, keep=()):
        """Stops everything the session started, last first, and keeps the logs named in `keep`."""
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
        for proc in reversed(self.procs):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(5)
        if self.artifacts:
            for log in keep:
                shutil.copy(self.log_path(log), os.path.join(self.artifacts, f"{self.name}-{log}.log"))
        shutil.rmtree(self.root, ignore_errors=True)
