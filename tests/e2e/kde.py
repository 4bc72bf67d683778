"""A headless KDE Plasma 5.27 session of the test's own: KWin's virtual
backend, its own session bus, and the desktop portals (xdg-desktop-portal with
its KDE backend), in private dirs. KWin serves kglobalaccel itself, so the
GlobalShortcuts portal works, and a real key press through KWin's fake input
(helpers/kwin_keys.c) fires a bound shortcut as a keyboard would."""

import os
import shutil
import subprocess

from desktop import wait_until
from session import PrivateSession

HERE = os.path.dirname(os.path.abspath(__file__))
KWIN = "/usr/bin/kwin_wayland"
FAKE_INPUT_XML = "/usr/share/plasma-wayland-protocols/fake-input.xml"


def portal_kde():
    for path in ("/usr/lib/x86_64-linux-gnu/libexec/xdg-desktop-portal-kde", "/usr/libexec/xdg-desktop-portal-kde"):
        if os.path.exists(path):
            return path
    raise AssertionError("xdg-desktop-portal-kde is not installed")


def build_tools(into):
    """kwin_keys, and a copy of kwin_wayland without its file capability, which
    a container's bounding set may refuse to exec ("Operation not permitted")."""
    os.makedirs(into, exist_ok=True)
    keys = os.path.join(into, "kwin_keys")
    if not os.path.exists(keys):
        for kind, out in [("client-header", "fake-input-client-protocol.h"), ("private-code", "fake-input-protocol.c")]:
            subprocess.run(["wayland-scanner", kind, FAKE_INPUT_XML, os.path.join(into, out)], check=True)
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "wayland-client"], check=True,
                               capture_output=True, text=True).stdout.split()
        subprocess.run(["gcc", "-O2", "-I", into, "-o", keys, os.path.join(HERE, "helpers", "kwin_keys.c"),
                        os.path.join(into, "fake-input-protocol.c"), *flags], check=True)
    kwin = os.path.join(into, "kwin_wayland")
    try:
        subprocess.run([KWIN, "--version"], capture_output=True, check=True)
        return keys, KWIN
    except (OSError, subprocess.CalledProcessError):
        pass
    if not os.path.exists(kwin):
        shutil.copyfile(KWIN, kwin)
        os.chmod(kwin, 0o755)
    return keys, kwin


class KdeSession(PrivateSession):
    def __init__(self, tools_dir, name="kde", artifacts=None):
        super().__init__(name, artifacts, {
            "XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "KDE", "XDG_SESSION_DESKTOP": "KDE",
            "KDE_FULL_SESSION": "true", "KDE_SESSION_VERSION": "5", "NO_AT_BRIDGE": "1",
            "WAYLAND_DISPLAY": f"wayland-{name}"})
        self.keys, kwin = build_tools(tools_dir)
        # The screen locker would take the keyboard after five idle minutes.
        with open(os.path.join(self.env["XDG_CONFIG_HOME"], "kscreenlockerrc"), "w") as f:
            f.write("[Daemon]\nAutolock=false\nLockOnResume=false\n")
        self.kwin = None
        socket = os.path.join(self.root, "session-bus")
        self.start(["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address=unix:path={socket}"], "dbus")
        wait_until(lambda: os.path.exists(socket), 10, "the session bus")
        self.connect_bus(f"unix:path={socket}")
        kwin_env = dict(self.env, KWIN_COMPOSE="Q", KWIN_WAYLAND_NO_PERMISSION_CHECKS="1")
        self.kwin = self.start([kwin, "--virtual", "--width", "1280", "--height", "800", "--socket",
                                self.env["WAYLAND_DISPLAY"]], "kwin", kwin_env)
        self._wait_name("org.kde.kglobalaccel", "KWin, which serves kglobalaccel")
        self.run(["dbus-update-activation-environment", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE",
                  *self.XDG_DIRS, "KDE_FULL_SESSION", "KDE_SESSION_VERSION"])
        self.start([portal_kde()], "portal-kde", dict(self.env, QT_QPA_PLATFORM="wayland"))
        self._wait_name("org.freedesktop.impl.portal.desktop.kde", "xdg-desktop-portal-kde")
        self.start(["/usr/libexec/xdg-desktop-portal"], "portal")
        self._wait_name("org.freedesktop.portal.Desktop", "xdg-desktop-portal")

    def _wait_name(self, name, what):
        def owned():
            if self.kwin is not None and self.kwin.poll() is not None:
                raise AssertionError(f"kwin_wayland exited {self.kwin.returncode}: {self.log('kwin')[-2000:]}")
            return self.has_owner(name)
        wait_until(owned, 30, what)

    def press(self, *chords):
        """Types each chord, such as "ctrl+shift+v", through KWin as a keyboard would."""
        self.run([self.keys, *chords])

    def close(self):
        super().close(keep=["kwin", "portal", "portal-kde"])
