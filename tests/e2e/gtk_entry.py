"""A GTK 3 window with one text entry, as a Wayland app on the desktop under
test: prints "ready" once it has the keyboard, then "keys: ctrl+v" when Ctrl+V
reaches it and "text: <contents>" each time the entry changes (a paste typed
into it, say).

  gtk_entry.py TITLE"""

import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

window = Gtk.Window(title=sys.argv[1])
entry = Gtk.Entry()
window.add(entry)
entry.connect("changed", lambda e: print(f"text: {e.get_text()}", flush=True))


def key(_, event):
    if event.keyval in (Gdk.KEY_v, Gdk.KEY_V) and event.state & Gdk.ModifierType.CONTROL_MASK:
        print("keys: ctrl+v", flush=True)
    return False


entry.connect("key-press-event", key)


def ready(*_):
    if window.is_active():
        print("ready", flush=True)
        window.disconnect(handler)


handler = window.connect("notify::is-active", ready)
window.connect("destroy", Gtk.main_quit)
window.show_all()
GLib.idle_add(window.present)
Gtk.main()
