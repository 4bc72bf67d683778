"""A headless desktop for end-to-end tests: Xvfb, a StatusNotifierWatcher that
reads the tray the way a panel does (dbusmenu), X11 window inspection, and a
small WebDriver client for tauri-driver."""

import json
import os
import socket
import struct
import subprocess
import threading
import time
import http.client
import urllib.parse
import zlib

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402
from Xlib import X, Xatom, display, protocol  # noqa: E402


def wait_until(condition, timeout=20.0, what="condition", interval=0.05):
    """Polls `condition` until it returns something truthy; fails with `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def read_line(proc, timeout=20.0, what="a line"):
    """The next line `proc` prints, stripped; fails after `timeout` seconds instead of waiting for ever."""
    import select
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")
    return proc.stdout.readline().strip()


def start_xvfb():
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read_fd, 16)
        if not chunk:
            raise RuntimeError("Xvfb exited before reporting its display")
        number += chunk
    os.close(read_fd)
    return proc, f":{number.decode().strip()}"


# --- the tray, as a panel sees it -------------------------------------------

WATCHER_XML = """
<node>
  <interface name="org.kde.StatusNotifierWatcher">
    <method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
    <method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg name="service" type="s"/></signal>
    <signal name="StatusNotifierItemUnregistered"><arg name="service" type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
  </interface>
</node>
"""


class TrayItem:
    """One registered StatusNotifierItem and its dbusmenu."""

    def __init__(self, conn, sender, path):
        self.conn, self.sender, self.path = conn, sender, path

    def _call(self, path, iface, method, args, reply):
        return self.conn.call_sync(
            self.sender, path, iface, method, args,
            GLib.VariantType(reply) if reply else None, Gio.DBusCallFlags.NONE, 5000, None,
        )

    def menu_path(self):
        res = self._call(self.path, "org.freedesktop.DBus.Properties", "Get",
                         GLib.Variant("(ss)", ("org.kde.StatusNotifierItem", "Menu")), "(v)")
        return res.unpack()[0]

    def menu(self, within=None):
        """The entries of the top-level menu, or of the submenu labelled `within`:
        dicts with id, label, type, toggle_state, enabled."""
        res = self._call(self.menu_path(), "com.canonical.dbusmenu", "GetLayout",
                         GLib.Variant("(iias)", (0, -1, [])), "(u(ia{sv}av))")
        _revision, (_root, _props, children) = res.unpack()
        if within is not None:
            parent = [sub for _id, props, sub in children if props.get("label", "").replace("_", "") == within]
            assert len(parent) == 1, f"expected one submenu {within!r}"
            children = parent[0]
        entries = []
        for child_id, props, _sub in children:
            entries.append({
                "id": child_id,
                "label": props.get("label", "").replace("__", "\0").replace("_", "").replace("\0", "_"),
                "type": props.get("type", "standard"),
                "toggle_type": props.get("toggle-type", ""),
                "toggle_state": props.get("toggle-state", -1),
                "enabled": props.get("enabled", True),
                "visible": props.get("visible", True),
            })
        return [e for e in entries if e["visible"]]

    def entry(self, label_prefix, within=None):
        matches = [e for e in self.menu(within) if e["label"].startswith(label_prefix)]
        assert len(matches) == 1, f"expected one tray entry {label_prefix!r}, got {self.menu(within)}"
        return matches[0]

    def click(self, label_prefix, within=None):
        entry = self.entry(label_prefix, within)
        self._call(self.menu_path(), "com.canonical.dbusmenu", "Event",
                   GLib.Variant("(isvu)", (entry["id"], "clicked", GLib.Variant("s", ""), 0)), None)


class BusService:
    """One object under a well-known name on the session bus, served from a thread
    of its own, as a desktop service does."""

    def __init__(self, name, path, xml, address=None):
        """On the test's session bus, or on the bus at `address`; either way on a connection of its own."""
        flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
        address = address or Gio.dbus_address_get_for_bus_sync(Gio.BusType.SESSION, None)
        self.conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
        self.path = path
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(name, xml, ready), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{name} did not start")

    def _serve(self, name, xml, ready):
        ctx = GLib.MainContext()
        ctx.push_thread_default()
        info = Gio.DBusNodeInfo.new_for_xml(xml).interfaces[0]
        self.conn.register_object(self.path, info, self._on_call, getattr(self, "_on_get", None), None)
        reply = self.conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                    "RequestName", GLib.Variant("(su)", (name, 4)),
                                    GLib.VariantType("(u)"), Gio.DBusCallFlags.NONE, 5000, None)
        if reply.unpack()[0] != 1:
            raise RuntimeError(f"another process owns {name}")
        self._loop = GLib.MainLoop(ctx)
        ready.set()
        self._loop.run()

    def stop(self):
        """Leaves the bus, as a service that quits or crashes does."""
        self._loop.quit()
        self.conn.close_sync(None)


class StatusNotifierWatcher(BusService):
    """Owns org.kde.StatusNotifierWatcher, as a desktop panel does."""

    def __init__(self, address=None):
        self.items = []  # (bus, path, pid of the process that registered it, time.perf_counter() then)
        self._registered = threading.Condition()
        super().__init__("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher", WATCHER_XML, address)

    def _on_call(self, conn, sender, _path, _iface, method, params, invocation):
        if method == "RegisterStatusNotifierItem":
            at = time.perf_counter()
            service = params.unpack()[0]
            bus, path = (sender, service) if service.startswith("/") else (service, "/StatusNotifierItem")
            pid = self.pid_of(sender)
            with self._registered:
                self.items.append((bus, path, pid, at))
                self._registered.notify_all()
            conn.emit_signal(None, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                             "StatusNotifierItemRegistered", GLib.Variant("(s)", (bus + path,)))
        invocation.return_value(None)

    def _on_get(self, _conn, _sender, _path, _iface, prop):
        with self._registered:
            values = {
                "RegisteredStatusNotifierItems": GLib.Variant("as", [b + p for b, p, _, _ in self.items]),
                "IsStatusNotifierHostRegistered": GLib.Variant("b", True),
                "ProtocolVersion": GLib.Variant("i", 0),
            }
        return values[prop]

    def pid_of(self, bus_name):
        try:
            res = self.conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                      "GetConnectionUnixProcessID", GLib.Variant("(s)", (bus_name,)),
                                      GLib.VariantType("(u)"), Gio.DBusCallFlags.NONE, 5000, None)
        except GLib.Error:
            return None  # that connection has gone
        return res.unpack()[0]

    def item_of(self, pid, timeout=30):
        """The tray item that the process `pid` registered, once it has; woken by each registration.
        Its `registered` is the time.perf_counter() at which the watcher took the registration."""
        with self._registered:
            found = self._registered.wait_for(lambda: next((i for i in self.items if i[2] == pid), None), timeout)
        if not found:
            raise AssertionError(f"timed out after {timeout}s waiting for a tray item from pid {pid}")
        bus, path, _, at = found
        item = TrayItem(self.conn, bus, path)
        item.registered = at
        return item


PORTAL_XML = """
<node>
  <interface name="org.freedesktop.portal.Settings">
    <method name="Read">
      <arg name="namespace" type="s" direction="in"/><arg name="key" type="s" direction="in"/>
      <arg name="value" type="v" direction="out"/>
    </method>
    <signal name="SettingChanged"><arg name="namespace" type="s"/><arg name="key" type="s"/><arg name="value" type="v"/></signal>
  </interface>
</node>
"""
APPEARANCE = "org.freedesktop.appearance"


class DesktopPortal(BusService):
    """The XDG desktop portal's Settings, as GNOME's or KDE's portal serves them:
    only the light or dark preference (color-scheme: 0 none, 1 dark, 2 light)."""

    def __init__(self, color_scheme):
        self.color_scheme = color_scheme
        super().__init__("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop", PORTAL_XML)

    def _on_call(self, _conn, _sender, _path, _iface, _method, params, invocation):
        if tuple(params.unpack()) != (APPEARANCE, "color-scheme"):
            invocation.return_dbus_error("org.freedesktop.portal.Error.NotFound", "Requested setting not found")
            return
        # Read wraps the value in a second variant, as xdg-desktop-portal does.
        invocation.return_value(GLib.Variant("(v)", (GLib.Variant("v", GLib.Variant("u", self.color_scheme)),)))

    def set_color_scheme(self, color_scheme):
        self.color_scheme = color_scheme
        self.conn.emit_signal(None, self.path, "org.freedesktop.portal.Settings", "SettingChanged",
                              GLib.Variant("(ssv)", (APPEARANCE, "color-scheme", GLib.Variant("u", color_scheme))))


# --- X11 windows and processes ----------------------------------------------

# GTK also keeps an unmapped leader window titled with the program name; these are Trove's.
TITLES = {"Trove", "Trove Settings", "About Trove"}


class X11:
    def __init__(self, display_name):
        self.d = display.Display(display_name)
        self.root = self.d.screen().root
        self.NET_WM_PID = self.d.intern_atom("_NET_WM_PID")
        self.NET_WM_NAME = self.d.intern_atom("_NET_WM_NAME")
        self.UTF8 = self.d.intern_atom("UTF8_STRING")
        self.WM_PROTOCOLS = self.d.intern_atom("WM_PROTOCOLS")
        self.WM_DELETE = self.d.intern_atom("WM_DELETE_WINDOW")

    def windows(self, pid):
        """Trove's top-level windows, which the window host that `pid` started builds:
        {title: (window, viewable)}."""
        found, pids = {}, set(pids_of(pid))
        for win in self.root.query_tree().children:
            try:
                prop = win.get_full_property(self.NET_WM_PID, Xatom.CARDINAL)
                if not prop or prop.value[0] not in pids:
                    continue
                name = win.get_full_property(self.NET_WM_NAME, self.UTF8)
                title = name.value.decode() if name else ""
                if title in TITLES:
                    found[title] = (win, win.get_attributes().map_state == X.IsViewable)
            except Exception:  # the window went away while we looked
                continue
        return found

    def viewable(self, pid, title):
        return self.windows(pid).get(title, (None, False))[1]

    def raise_(self, pid, title):
        """Puts the window on top, as clicking it would; WebKit paints only what is exposed."""
        win, _ = self.windows(pid)[title]
        win.configure(stack_mode=X.Above)
        self.d.sync()

    def pixels(self, pid, title):
        """What the X server shows of the window: width, height and BGRX bytes (24-bit visuals
        come as four bytes a pixel)."""
        win, _ = self.windows(pid)[title]
        geometry = win.get_geometry()
        width, height = geometry.width, geometry.height
        return width, height, win.get_image(0, 0, width, height, X.ZPixmap, 0xFFFFFFFF).data

    def screenshot(self, pid, title, path):
        """Saves what the X server shows of the window, as a user would see it, as a PNG."""
        width, height, data = self.pixels(pid, title)
        stride, rows = 4 * width, []
        for y in range(height):
            line, rgb = data[y * stride:(y + 1) * stride], bytearray(3 * width)
            rgb[0::3], rgb[1::3], rgb[2::3] = line[2::4], line[1::4], line[0::4]
            rows.append(b"\x00" + bytes(rgb))
        rows = b"".join(rows)
        write_png(path, width, height, rows)
        return path

    def colours(self, pid, title):
        """How many distinct colours a sample of the window's pixels has: a page
        that painted has many, a blank or crashed view one or two."""
        _, _, data = self.pixels(pid, title)
        return len({data[i:i + 3] for i in range(0, len(data) - 3, 4 * 37)})

    def painted(self, pid, title):
        """Whether the window is viewable and its page has painted."""
        return self.viewable(pid, title) and self.colours(pid, title) > 8

    def close(self, pid, title):
        """Asks the window to close, exactly as a window manager's close button does."""
        win, _ = self.windows(pid)[title]
        event = protocol.event.ClientMessage(
            window=win, client_type=self.WM_PROTOCOLS, data=(32, [self.WM_DELETE, X.CurrentTime, 0, 0, 0]))
        win.send_event(event)
        self.d.flush()


def write_png(path, width, height, rows):
    """A PNG from `rows`: for each line a filter byte (0) then RGB bytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def children_by_parent():
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(pid):
    children = children_by_parent()
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def pids_of(pid):
    """`pid` and every process it started (WebKit's among them)."""
    return [pid, *descendants(pid)]


def memory_kb(pids):
    """PSS and RSS summed over `pids`, in kB."""
    pss = rss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    key, value = line.split(":", 1)
                    if key == "Pss":
                        pss += int(value.split()[0])
                    elif key == "Rss":
                        rss += int(value.split()[0])
        except OSError:
            continue
    return pss, rss


def holding(pids, kind):
    """Those of `pids` whose command line holds `kind`."""
    found = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if kind in f.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def web_processes(pid, kind=b"WebKitWebProcess"):
    """The processes started on behalf of `pid` whose command line holds `kind`: by default
    WebKit's that hold web content."""
    return holding(descendants(pid), kind)


def running(pid):
    """Whether `pid` is alive: neither gone nor a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def window_hosts(pid):
    """The window hosts that the Trove core `pid` started: the processes that build its windows.
    Only the core's own children count: a host's child that has forked but not yet run
    WebKit's program still shows the host's command line."""
    return holding(children_by_parent().get(pid, []), b"--window-host")


def find_process(needle):
    """The pid whose command line contains `needle` (a unique data dir)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"trove") and needle.encode() in argv:
                return int(entry)
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- WebDriver ----------------------------------------------------------------

class WebDriverError(Exception):
    pass


class WebDriver:
    """Just enough of the W3C WebDriver protocol for tauri-driver."""

    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.sid = None

    def _req(self, method, path, body=None, timeout=60):
        # http.client rather than urllib: urllib sends "Connection: close", which
        # tauri-driver forwards, and WebKitWebDriver then drops connections that
        # tauri-driver's pool still reuses.
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            payload = resp.read()
        finally:
            conn.close()
        if resp.status >= 400:
            raise WebDriverError(f"{method} {path}: {resp.status} {payload.decode(errors='replace')}")
        return json.loads(payload or b"{}").get("value")

    def _s(self, method, path, body=None):
        return self._req(method, f"/session/{self.sid}{path}", body)

    def ready(self):
        try:
            self._req("GET", "/status", timeout=2)
            return True
        except (OSError, WebDriverError):
            return False

    def start(self, application, args):
        caps = {"capabilities": {"alwaysMatch": {"tauri:options": {"application": application, "args": args}}}}
        self.sid = self._req("POST", "/session", caps, timeout=120)["sessionId"]

    def quit(self):
        if self.sid:
            try:
                self._req("DELETE", f"/session/{self.sid}", timeout=20)
            except (OSError, WebDriverError):
                pass
            self.sid = None

    def handles(self):
        return self._s("GET", "/window/handles")

    def switch(self, handle):
        self._s("POST", "/window", {"handle": handle})

    def title(self):
        return self._s("GET", "/title")

    def handle_titled(self, title):
        """Switches to the window whose document title is `title` and returns its handle."""
        for handle in self.handles():
            self.switch(handle)
            if self.title() == title:
                return handle
        return None

    def execute(self, script, *args):
        return self._s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def execute_async(self, script, *args):
        return self._s("POST", "/execute/async", {"script": script, "args": list(args)})

    def invoke(self, command, args=None):
        """Calls a core command from the current window, exactly as its page would."""
        result = self.execute_async(
            "const done = arguments[arguments.length - 1];"
            "window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])"
            ".then(v => done({ ok: v }), e => done({ err: e }))", command, args or {})
        if "err" in result:
            raise WebDriverError(f"{command}: {result['err']}")
        return result["ok"]

    def find(self, css):
        el = self._s("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(el.values()))

    def screenshot(self, path):
        """Saves what the current window's page shows, as WebKit draws it, as a PNG."""
        import base64
        with open(path, "wb") as f:
            f.write(base64.b64decode(self._s("GET", "/screenshot")))
        return path

    def find_all(self, css):
        return self._s("POST", "/elements", {"using": "css selector", "value": css})

    def click(self, css):
        self._s("POST", f"/element/{self.find(css)}/click", {})

    def type_into(self, css, text):
        el = self.find(css)
        self._s("POST", f"/element/{el}/clear", {})
        self._s("POST", f"/element/{el}/value", {"text": text})

    def text(self, css):
        return self._s("GET", f"/element/{self.find(css)}/text")

    def open_from_tray(self, tray, entry, title):
        """Clicks `entry` in the tray and switches to the new window titled `title`."""
        before = set(self.handles())
        tray.click(entry)
        wait_until(lambda: set(self.handles()) - before, what=f"{title} to open")
        return wait_until(lambda: self.handle_titled(title), what=f"a handle titled {title}")



# --- The clipboard --------------------------------------------------------------

HERE = os.path.dirname(os.path.abspath(__file__))


class Clipboard:
    """The X11 clipboard, through xclip and, where xclip cannot, clipowner.py.
    Consecutive copies are at least MIN_GAP apart, time enough for Trove to
    read each even on a busy machine. How short-lived a copy Trove still
    catches is a figure the bench measures, not something a test can assert."""

    MIN_GAP = 0.100

    def __init__(self, display_name):
        self.env = dict(os.environ, DISPLAY=display_name)
        self.owners = []
        self.last = 0.0

    def _pace(self):
        time.sleep(max(0.0, self.last + self.MIN_GAP - time.monotonic()))
        self.last = time.monotonic()

    def copy(self, data, target=None, selection="clipboard"):
        """What copying in an app does: xclip takes the selection and serves it in the background."""
        self._pace()
        if isinstance(data, str):
            data = data.encode()
        args = ["xclip", "-selection", selection, "-i"] + (["-t", target] if target else [])
        subprocess.run(args, input=data, env=self.env, check=True, timeout=10,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def paste(self, target="UTF8_STRING", selection="clipboard"):
        return subprocess.run(["xclip", "-selection", selection, "-o", "-t", target], env=self.env,
                              capture_output=True, check=True, timeout=10).stdout

    def own(self, **targets):
        """Owns CLIPBOARD offering all `targets` (name=value) at once, until someone copies."""
        pairs = [f"{name}={value}" for name, value in targets.items()]
        self._pace()
        return self._helper("own", *pairs, ready="owned")

    def own_silently(self):
        """Owns CLIPBOARD and never answers anyone who asks for it."""
        self._pace()
        return self._helper("silent", ready="owned")

    def burst(self, texts, gap_ms):
        """Copies `texts` `gap_ms` apart. Returns how to learn, once something
        else was copied, which of them Trove read before the next took over."""
        self._pace()
        proc = self._helper("burst", str(gap_ms), *texts, ready="started")
        return lambda: json.loads(proc.stdout.readline())

    def paste_target(self):
        """A focused window that reads the clipboard when Ctrl+V is typed into it."""
        return self._helper("paste-target", ready="ready")

    def _helper(self, *args, ready):
        proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "clipowner.py"), *args], env=self.env,
                                stdout=subprocess.PIPE, text=True)
        self.owners.append(proc)
        assert proc.stdout.readline().strip() == ready, f"clipowner {args[0]} did not start"
        return proc

    def close(self):
        for proc in self.owners:
            proc.kill()
            proc.wait(10)
        # The last xclip keeps serving until someone else owns the selection.
        subprocess.run(["pkill", "-x", "xclip"], check=False)
