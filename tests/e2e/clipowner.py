"""Small X11 clipboard programs the tests need and xclip cannot be.

  clipowner.py own TARGET=VALUE ...   owns CLIPBOARD offering every TARGET at
                                      once, as a password manager or a browser
                                      does; prints "owned", serves until another
                                      owner takes over.
  clipowner.py silent                 owns CLIPBOARD and never answers a
                                      request for it, as a hung app does;
                                      prints "owned".
  clipowner.py burst GAP_MS TEXT ...  one program copying each TEXT in turn,
                                      GAP_MS apart, each from a window of its
                                      own that answers whoever asks even after
                                      the next took over, as xclip does; prints
                                      "started", and once another program owns
                                      CLIPBOARD, the JSON list of the texts that
                                      were asked for as UTF8_STRING, in order.
  clipowner.py paste-target           maps a focused window, waits for Ctrl+V
                                      typed into it, then reads CLIPBOARD the
                                      way an editor would and prints
                                      "pasted: <text>".
"""

import json
import select
import sys
import time

from Xlib import X, Xatom, display
from Xlib.protocol import event

VALUE_PREFIX_FILE = "@"


def silent():
    d = display.Display()
    win = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
    clipboard = d.intern_atom("CLIPBOARD")
    win.set_selection_owner(clipboard, X.CurrentTime)
    d.sync()
    print("owned", flush=True)
    while d.next_event().type != X.SelectionClear:
        pass


def own(pairs):
    d = display.Display()
    win = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
    clipboard = d.intern_atom("CLIPBOARD")
    targets_atom = d.intern_atom("TARGETS")
    offered = {}
    for pair in pairs:
        name, value = pair.split("=", 1)
        if value.startswith(VALUE_PREFIX_FILE):
            with open(value[1:], "rb") as f:
                data = f.read()
        else:
            data = value.encode()
        offered[d.intern_atom(name)] = data
    win.set_selection_owner(clipboard, X.CurrentTime)
    d.sync()
    if d.get_selection_owner(clipboard) != win:
        sys.exit("could not own CLIPBOARD")
    print("owned", flush=True)
    while True:
        e = d.next_event()
        if e.type == X.SelectionClear:
            return
        if e.type == X.SelectionRequest:
            answer(d, e, targets_atom, offered)


def answer(d, e, targets_atom, offered):
    """Answers SelectionRequest `e` from `offered` (target atom → bytes), TARGETS included."""
    prop = e.property or e.target
    if e.target == targets_atom:
        e.requestor.change_property(prop, Xatom.ATOM, 32, [targets_atom, *offered])
    elif e.target in offered:
        e.requestor.change_property(prop, e.target, 8, offered[e.target])
    else:
        prop = X.NONE
    e.requestor.send_event(event.SelectionNotify(
        time=e.time, requestor=e.requestor, selection=e.selection, target=e.target, property=prop))
    d.flush()


def burst(gap_ms, texts):
    d = display.Display()
    root = d.screen().root
    clipboard, targets_atom, utf8 = (d.intern_atom(n) for n in ("CLIPBOARD", "TARGETS", "UTF8_STRING"))
    text_of, asked, last = {}, [], None
    print("started", flush=True)
    next_copy = time.monotonic()
    while True:
        if len(text_of) < len(texts) and time.monotonic() >= next_copy:
            last = root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
            text_of[last.id] = texts[len(text_of)].encode()
            last.set_selection_owner(clipboard, X.CurrentTime)
            d.flush()
            next_copy += gap_ms / 1000
        while d.pending_events():
            e = d.next_event()
            if e.type == X.SelectionClear and e.window == last and len(text_of) == len(texts):
                print(json.dumps(asked), flush=True)
                return
            if e.type != X.SelectionRequest:
                continue
            if e.target == utf8:
                asked.append(text_of[e.owner.id].decode())
            answer(d, e, targets_atom, {utf8: text_of[e.owner.id]})
        wait = max(0.0, next_copy - time.monotonic()) if len(text_of) < len(texts) else None
        select.select([d], [], [], wait)


def paste_target():
    d = display.Display()
    root = d.screen().root
    win = root.create_window(10, 10, 200, 100, 0, d.screen().root_depth,
                             event_mask=X.KeyPressMask | X.PropertyChangeMask | X.StructureNotifyMask)
    win.set_wm_name("paste target")
    win.map()
    while d.next_event().type != X.MapNotify:
        pass
    win.set_input_focus(X.RevertToParent, X.CurrentTime)
    d.sync()
    print("ready", flush=True)
    v = d.keysym_to_keycode(ord("v"))
    while True:
        e = d.next_event()
        if e.type == X.KeyPress and e.detail == v and e.state & X.ControlMask:
            break
    clipboard, utf8, prop = d.intern_atom("CLIPBOARD"), d.intern_atom("UTF8_STRING"), d.intern_atom("PASTED")
    win.convert_selection(clipboard, utf8, prop, X.CurrentTime)
    d.flush()
    while True:
        e = d.next_event()
        if e.type == X.SelectionNotify:
            break
    value = win.get_full_property(prop, X.AnyPropertyType) if e.property else None
    print("pasted: " + (value.value.decode() if value else "<refused>"), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["own"]:
        own(sys.argv[2:])
    elif sys.argv[1:2] == ["silent"]:
        silent()
    elif sys.argv[1:2] == ["burst"]:
        burst(float(sys.argv[2]), sys.argv[3:])
    elif sys.argv[1:2] == ["paste-target"]:
        paste_target()
    else:
        sys.exit(__doc__)
