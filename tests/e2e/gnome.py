"""A headless GNOME Shell (Wayland, with Xwayland) of the test's own: private
dirs, its own session bus, and an empty system bus, without which GNOME Shell
43 exits in its logind code. Extensions are installed and turned on before the
Shell starts. A small harness extension gives the seat a keyboard (Wayland
clients such as wl-copy need one), closes the overview the Shell opens at start
(else no new window gets the keyboard), and types keys for the tests. The Shell
runs with --unsafe-mode, so that org.gnome.Shell.Eval answers."""

import json
import os
import re
import shutil

from gi.repository import GLib

from desktop import BusService, wait_until
from session import PrivateSession

SYSTEMD_XML = """
<node>
  <interface name="org.freedesktop.systemd1.Manager">
    <method name="Subscribe"/>
    <method name="Unsubscribe"/>
    <method name="StartUnit">
      <arg name="name" type="s" direction="in"/><arg name="mode" type="s" direction="in"/>
      <arg name="job" type="o" direction="out"/>
    </method>
    <method name="StopUnit">
      <arg name="name" type="s" direction="in"/><arg name="mode" type="s" direction="in"/>
      <arg name="job" type="o" direction="out"/>
    </method>
    <method name="GetUnit">
      <arg name="name" type="s" direction="in"/><arg name="unit" type="o" direction="out"/>
    </method>
    <signal name="JobRemoved">
      <arg name="id" type="u"/><arg name="job" type="o"/><arg name="unit" type="s"/><arg name="result" type="s"/>
    </signal>
  </interface>
</node>
"""


class UserSystemd(BusService):
    """What a Shell run as a systemd user unit asks of `systemd --user` when it brings
    Xwayland up on demand: to start gnome-session's X11 services target, which here
    has nothing to start, so every job is done at once."""

    def __init__(self, address):
        self.jobs = 0
        super().__init__("org.freedesktop.systemd1", "/org/freedesktop/systemd1", SYSTEMD_XML, address)

    def _on_call(self, conn, _sender, _path, _iface, method, params, invocation):
        if method in ("StartUnit", "StopUnit"):
            self.jobs += 1
            job = f"/org/freedesktop/systemd1/job/{self.jobs}"
            invocation.return_value(GLib.Variant("(o)", (job,)))
            conn.emit_signal(None, self.path, "org.freedesktop.systemd1.Manager", "JobRemoved",
                             GLib.Variant("(uoss)", (self.jobs, job, params.unpack()[0], "done")))
        elif method == "GetUnit":
            invocation.return_dbus_error("org.freedesktop.systemd1.NoSuchUnit", "no such unit")
        else:
            invocation.return_value(None)

HARNESS_UUID = "trove-test-harness@local"
HARNESS_JS = """
const { Clutter, Gio } = imports.gi;
const Main = imports.ui.main;
class Harness {
    enable() {
        const seat = Clutter.get_default_backend().get_default_seat();
        this.keyboard = seat.create_virtual_device(Clutter.InputDeviceType.KEYBOARD_DEVICE);
        const ready = () => {
            Main.overview.hide();
            this._name = Gio.bus_own_name_on_connection(Gio.DBus.session, 'dev.trove.TestHarness',
                Gio.BusNameOwnerFlags.NONE, null, null);
        };
        if (Main.layoutManager._startingUp)
            this._started = Main.layoutManager.connect('startup-complete', ready);
        else
            ready();
    }
    // Presses the keysyms in order, then lets them go in reverse.
    tap(...keyvals) {
        let t = imports.gi.GLib.get_monotonic_time();
        for (const k of keyvals)
            this.keyboard.notify_keyval(t++, k, Clutter.KeyState.PRESSED);
        for (const k of keyvals.reverse())
            this.keyboard.notify_keyval(t++, k, Clutter.KeyState.RELEASED);
    }
    disable() {
        if (this._started)
            Main.layoutManager.disconnect(this._started);
        if (this._name)
            Gio.bus_unown_name(this._name);
        this.keyboard = null;
    }
}
function init() { return new Harness(); }
"""

BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{kind}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  {servicedirs}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def x11_socket_dir_writable():
    """mutter refuses to start Xwayland unless /tmp/.X11-unix is world-writable and
    sticky; Xvfb, started first by the other tests, may have made it 01755."""
    path = "/tmp/.X11-unix"
    os.makedirs(path, exist_ok=True)
    if os.stat(path).st_mode & 0o1777 != 0o1777 and os.geteuid() == 0:
        os.chmod(path, 0o1777)


USER_UNITS = "/sys/fs/cgroup/unified/user.slice/user-0.slice/user@0.service/app.slice"


def as_user_unit(unit, argv):
    """`argv`, run from the cgroup where systemd puts the user unit `unit`: mutter starts
    Xwayland on demand, and survives its end, only when it runs as a user unit, which it
    learns from its cgroup. Elsewhere, as in this container, Xwayland is mandatory, and
    its end ends the Shell (measured)."""
    cgroup = os.path.join(USER_UNITS, unit)
    assert os.access(os.path.dirname(USER_UNITS), os.W_OK) or os.geteuid() == 0, \
        f"a Shell with Xwayland on demand needs a cgroup under {USER_UNITS}, which only root may make here"
    os.makedirs(cgroup, exist_ok=True)
    return cgroup, ["sh", "-c", f'echo $$ > {cgroup}/cgroup.procs && exec "$@"', "sh", *argv]


class GnomeSession(PrivateSession):
    def __init__(self, installed=(), enabled=(), name="gnome", artifacts=None, x11=True, x11_on_demand=False):
        """Installs the extension folders `installed` for the user and turns on those named in `enabled`;
        without `x11`, the Shell runs no Xwayland at all; with `x11_on_demand`, it starts Xwayland when an
        X11 client comes, and again after Xwayland ends, as a Shell run as a systemd user unit does."""
        super().__init__(name, artifacts, {
            "XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "GNOME", "XDG_SESSION_DESKTOP": "gnome",
            "GSETTINGS_BACKEND": "keyfile", "NO_AT_BRIDGE": "1", "GTK_A11Y": "none"})
        self.connect_bus(self._bus("session"))
        self.env["DBUS_SYSTEM_BUS_ADDRESS"] = self._bus("custom")
        extdir = os.path.join(self.env["XDG_DATA_HOME"], "gnome-shell", "extensions")
        os.makedirs(os.path.join(extdir, HARNESS_UUID))
        with open(os.path.join(extdir, HARNESS_UUID, "metadata.json"), "w") as f:
            json.dump({"uuid": HARNESS_UUID, "name": "Trove test harness", "description": "keyboard, no overview",
                       "shell-version": ["43"]}, f)
        with open(os.path.join(extdir, HARNESS_UUID, "extension.js"), "w") as f:
            f.write(HARNESS_JS)
        for path in installed:
            shutil.copytree(path, os.path.join(extdir, os.path.basename(path.rstrip("/"))))
        uuids = [HARNESS_UUID, *enabled]
        for key, value in [("enabled-extensions", json.dumps(uuids).replace('"', "'")),
                           ("disable-user-extensions", "false"), ("welcome-dialog-last-shown-version", "'99'")]:
            self.run(["gsettings", "set", "org.gnome.shell", key, value])
        self.run(["gsettings", "set", "org.gnome.desktop.interface", "enable-animations", "false"])
        x11_socket_dir_writable()
        self.x11 = x11
        shell = ["gnome-shell", "--headless", "--wayland", "--unsafe-mode", "--virtual-monitor", "1280x800",
                 "--wayland-display", f"wayland-{name}", *([] if x11 else ["--no-x11"])]
        self.systemd = self.cgroup = None
        if x11_on_demand:
            self.systemd = UserSystemd(self.env["DBUS_SESSION_BUS_ADDRESS"])
            self.cgroup, shell = as_user_unit(f"trove-{name}.service", shell)
        self.shell = self.start(shell, "shell")
        try:
            wait_until(lambda: self._ready(), 60, "GNOME Shell to start with Xwayland")
            wait_until(lambda: self.has_owner("dev.trove.TestHarness"), 30, "the Shell's start-up to complete")
        except AssertionError:
            raise AssertionError(f"GNOME Shell did not start: {self.shell_log()[-3000:]}") from None
        self.env["WAYLAND_DISPLAY"] = f"wayland-{name}"
        if x11:
            self.env["DISPLAY"] = re.search(r"Using public X11 display (:\d+)", self.shell_log()).group(1)
            run_dir = self.env["XDG_RUNTIME_DIR"]
            self.env["XAUTHORITY"] = os.path.join(run_dir, next(f for f in os.listdir(run_dir)
                                                                if f.startswith(".mutter-Xwaylandauth.")))
        self.run(["dbus-update-activation-environment", "WAYLAND_DISPLAY", *(["DISPLAY", "XAUTHORITY"] if x11 else [])])

    def _bus(self, kind):
        socket = os.path.join(self.root, f"{kind}-bus")
        conf = os.path.join(self.root, f"{kind}-bus.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONF.format(kind=kind, socket=socket,
                                    servicedirs="<standard_session_servicedirs/>" if kind == "session" else ""))
        self.start(["dbus-daemon", "--config-file", conf, "--nofork"], f"{kind}-bus")
        wait_until(lambda: os.path.exists(socket), 10, f"the {kind} bus")
        return f"unix:path={socket}"

    def _ready(self):
        if self.shell.poll() is not None:
            raise AssertionError(f"gnome-shell exited {self.shell.returncode}: {self.shell_log()[-3000:]}")
        try:
            self.call("org.gnome.Shell", "/org/gnome/Shell", "org.freedesktop.DBus.Properties", "Get",
                      GLib.Variant("(ss)", ("org.gnome.Shell", "ShellVersion")))
        except GLib.Error:
            return False
        return not self.x11 or "Using public X11 display" in self.shell_log()

    def shell_log(self):
        return self.log("shell")

    def eval(self, js):
        """Runs `js` inside the Shell and returns its JSON-decoded value."""
        ok, out = self.call("org.gnome.Shell", "/org/gnome/Shell", "org.gnome.Shell", "Eval", GLib.Variant("(s)", (js,)))
        if not ok:
            raise AssertionError(f"Eval failed: {out}\n{js}")
        return json.loads(out) if out else None

    def extension_state(self, uuid):
        """GNOME Shell's ExtensionState: 1 enabled, 2 disabled, 6 installed and never enabled; None if unknown."""
        [info] = self.call("org.gnome.Shell", "/org/gnome/Shell", "org.gnome.Shell.Extensions", "GetExtensionInfo",
                           GLib.Variant("(s)", (uuid,)))
        return info.get("state")

    def tap(self, *keys):
        """Types a chord such as ("Control_L", "Shift_L", "v") through the seat's keyboard."""
        keyvals = ", ".join(f"imports.gi.Clutter.KEY_{k}" for k in keys)
        self.eval(f"Main.extensionManager.lookup('{HARNESS_UUID}').stateObj.tap({keyvals})")

    def window_titles(self):
        return self.eval("global.get_window_actors().map(a => a.meta_window.get_title())")

    def focused_title(self):
        return self.eval("global.display.focus_window ? global.display.focus_window.get_title() : null")

    def screenshot(self, path):
        """What the monitor shows, through the Shell's own screenshot interface."""
        ok, _ = self.call("org.gnome.Shell.Screenshot", "/org/gnome/Shell/Screenshot", "org.gnome.Shell.Screenshot",
                          "Screenshot", GLib.Variant("(bbs)", (False, False, path)))
        assert ok, "the Shell took no screenshot"

    def close(self):
        if self.systemd:
            self.systemd.stop()
        super().close(keep=["shell"])
        if self.cgroup:
            os.rmdir(self.cgroup)
