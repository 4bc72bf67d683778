"""A GTK 3 window with one text entry, as a Wayland app on the desktop under
test: prints "ready" once it has the keyboard, then "text: <contents>" each
time the entry changes (a paste typed into it, say)."""

import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402

window = Gtk.Window(title=sys.argv[1] if len(sys.argv) > 1 else "Paste target")
entry = Gtk.Entry()
window.add(entry)
entry.connect("changed", lambda e: print(f"text: {e.get_text()}", flush=True))


def focused(*_):
    if window.is_active():
        print("ready", flush=True)
        window.disconnect(handler)


handler = window.connect("notify::is-active", focused)
window.connect("destroy", Gtk.main_quit)
window.show_all()
GLib.idle_add(window.present)
Gtk.main()
