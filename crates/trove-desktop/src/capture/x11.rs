//! X11 clipboard glue over x11rb: a reader that wakes only on XFixes
//! selection-owner changes, and an owner that serves clips copied back.
//! Each has its own connection and thread; both block in the X socket while
//! nothing happens.

use super::{read_offer, Capture, Fetched, Sink, Switches};
use std::collections::{HashMap, VecDeque};
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use trove_domain::clip::{Format, Selection};
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::xfixes::{ConnectionExt as _, SelectionEventMask};
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ChangeWindowAttributesAux, ConnectionExt as _, CreateWindowAux, EventMask, PropMode, Property,
    SelectionNotifyEvent, SelectionRequestEvent, Window, WindowClass, SELECTION_NOTIFY_EVENT,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{CURRENT_TIME, NONE};

x11rb::atom_manager! {
    Atoms: AtomsCookie {
        CLIPBOARD,
        TARGETS,
        INCR,
        UTF8_STRING,
        TEXT,
        TEXT_PLAIN_UTF8: b"text/plain;charset=utf-8",
        TEXT_PLAIN: b"text/plain",
        TEXT_HTML: b"text/html",
        IMAGE_PNG: b"image/png",
        URI_LIST: b"text/uri-list",
        KDE_HINT: b"x-kde-passwordManagerHint",
        TROVE_PROPERTY: b"TROVE_SELECTION",
        TROVE_TEXT: b"TROVE_TEXT",
    }
}

const NAMES_CACHED: usize = 4096;

/// How long an owner may take to answer one request before it is given up on.
const REPLY_TIMEOUT: Duration = Duration::from_secs(2);

type Error = Box<dyn std::error::Error + Send + Sync>;

fn connect() -> Result<(RustConnection, Window, Atoms), Error> {
    let (conn, screen) = RustConnection::connect(None)?;
    let root = conn.setup().roots[screen].root;
    let atoms = Atoms::new(&conn)?.reply()?;
    let win = conn.generate_id()?;
    conn.create_window(
        x11rb::COPY_DEPTH_FROM_PARENT,
        win,
        root,
        0,
        0,
        1,
        1,
        0,
        WindowClass::INPUT_ONLY,
        x11rb::COPY_FROM_PARENT,
        &CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE),
    )?;
    Ok((conn, win, atoms))
}

fn selection_atom(atoms: &Atoms, selection: Selection) -> Atom {
    match selection {
        Selection::Clipboard => atoms.CLIPBOARD,
        Selection::Primary => AtomEnum::PRIMARY.into(),
    }
}

/// Starts the reader and the owner. Fails when there is no X display or no XFixes.
pub fn start(switches: Arc<Switches>, sink: Sink) -> Result<Owner, Error> {
    let (conn, win, atoms) = connect()?;
    conn.xfixes_query_version(5, 0)?.reply()?;
    let owner = Owner::start()?;
    let mask = SelectionEventMask::SET_SELECTION_OWNER;
    for selection in [Selection::Clipboard, Selection::Primary] {
        conn.xfixes_select_selection_input(win, selection_atom(&atoms, selection), mask)?;
    }
    conn.flush()?;
    let reader = Reader {
        conn,
        win,
        props: [atoms.TROVE_PROPERTY, atoms.TROVE_TEXT],
        retired: 0,
        atoms,
        own_window: owner.win,
        pending: VecDeque::new(),
        names: HashMap::new(),
    };
    std::thread::Builder::new().name("clipboard-read".into()).spawn(move || {
        if let Err(e) = reader.run(&switches, &sink) {
            log::error!("clipboard reader stopped: {e}");
            sink(super::Capture::Lost(format!("the X11 connection ended ({e})")));
        }
    })?;
    Ok(owner)
}

struct Reader {
    conn: RustConnection,
    win: Window,
    atoms: Atoms,
    /// Where owners write their answers: one for targets and most formats,
    /// one for the text asked for alongside.
    props: [Atom; 2],
    /// How many properties were given up (see `retire`).
    retired: u32,
    /// Trove's own owner window: its changes are copies back, not captures.
    own_window: Window,
    /// Events that arrived while waiting for a reply.
    pending: VecDeque<Event>,
    names: HashMap<Atom, String>,
}

impl Reader {
    fn run(mut self, switches: &Switches, sink: &Sink) -> Result<(), Error> {
        // What is on the clipboard when Trove starts counts as copied now.
        let clipboard = self.atoms.CLIPBOARD;
        let owner = self.conn.get_selection_owner(clipboard)?.reply()?.owner;
        self.changed(clipboard, owner, CURRENT_TIME, switches, sink)?;
        loop {
            let event = match self.pending.pop_front() {
                Some(e) => e,
                None => self.conn.wait_for_event()?,
            };
            if let Event::XfixesSelectionNotify(change) = event {
                self.changed(change.selection, change.owner, change.selection_timestamp, switches, sink)?;
            }
        }
    }

    /// Reads a selection that `owner` just took, unless settings or a newer owner make that moot.
    fn changed(&mut self, sel: Atom, owner: Window, time: u32, switches: &Switches, sink: &Sink) -> Result<(), Error> {
        if owner == NONE || owner == self.own_window {
            return Ok(());
        }
        let selection = if sel == self.atoms.CLIPBOARD { Selection::Clipboard } else { Selection::Primary };
        let settings = switches.snapshot();
        if settings.paused || (selection == Selection::Primary && !settings.primary) {
            return Ok(());
        }
        // A newer owner is already queued: this content is gone, read that one instead.
        self.drain_queue()?;
        if self.pending.iter().any(|e| matches!(e, Event::XfixesSelectionNotify(n) if n.selection == sel)) {
            return Ok(());
        }
        match self.read(sel, selection, time, &settings) {
            Ok(Some(capture)) => sink(capture),
            Ok(None) => {}
            Err(e) => log::warn!("cannot read the {selection:?} selection: {e}"),
        }
        Ok(())
    }

    fn drain_queue(&mut self) -> Result<(), Error> {
        while let Some(e) = self.conn.poll_for_event()? {
            self.pending.push_back(e);
        }
        Ok(())
    }

    fn name(&mut self, atom: Atom) -> Result<String, Error> {
        if let Some(n) = self.names.get(&atom) {
            return Ok(n.clone());
        }
        let name = String::from_utf8_lossy(&self.conn.get_atom_name(atom)?.reply()?.name).into_owned();
        // Owners can make up any number of targets; keep the cache bounded.
        if self.names.len() >= NAMES_CACHED {
            self.names.clear();
        }
        self.names.insert(atom, name.clone());
        Ok(name)
    }

    fn read(
        &mut self,
        sel: Atom,
        selection: Selection,
        time: u32,
        s: &super::Snapshot,
    ) -> Result<Option<Capture>, Error> {
        // Most owners offer UTF-8 text: ask for it together with the list of
        // targets, so a short-lived owner is read in one round trip. The text
        // is collected first: some owners (xclip) take the deletion of any
        // property of ours for the go-ahead of an INCR transfer in progress.
        let [targets_prop, text_prop] = self.props;
        let (targets_atom, utf8) = (self.atoms.TARGETS, self.atoms.UTF8_STRING);
        self.ask(sel, targets_atom, targets_prop, time)?;
        self.ask(sel, utf8, text_prop, time)?;
        let mut text = Some(self.answer(sel, utf8, text_prop, u64::from(s.max_item_bytes))?);
        let raw = match self.answer(sel, targets_atom, targets_prop, 64 * 1024)? {
            Fetched::Data(raw) => raw,
            _ => Vec::new(),
        };
        let targets: Vec<Atom> = raw.chunks_exact(4).map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]])).collect();
        let mut names = Vec::with_capacity(targets.len());
        for &t in &targets {
            names.push(self.name(t)?);
        }
        let atom_of: HashMap<String, Atom> = names.iter().cloned().zip(targets).collect();
        read_offer(names, selection, s, |name, max| match (atom_of[name], text.take()) {
            (atom, Some(Fetched::Data(d))) if atom == utf8 && d.len() as u64 > max => {
                Ok(Fetched::TooLarge(d.len() as u64))
            }
            (atom, Some(fetched)) if atom == utf8 => Ok(fetched),
            (atom, unused) => {
                text = unused;
                self.convert_bounded(sel, atom, time, max)
            }
        })
    }

    /// Asks the owner for `target` and reads the answer.
    fn convert_bounded(&mut self, sel: Atom, target: Atom, time: u32, max: u64) -> Result<Fetched, Error> {
        let prop = self.props[0];
        self.ask(sel, target, prop, time)?;
        self.answer(sel, target, prop, max)
    }

    fn ask(&mut self, sel: Atom, target: Atom, prop: Atom, time: u32) -> Result<(), Error> {
        self.conn.delete_property(self.win, prop)?;
        self.conn.convert_selection(self.win, sel, target, prop, time)?;
        self.conn.flush()?;
        Ok(())
    }

    /// Reads the owner's answer to `ask`, plain or INCR, stopping as soon as
    /// it exceeds `max` bytes.
    fn answer(&mut self, sel: Atom, target: Atom, prop: Atom, max: u64) -> Result<Fetched, Error> {
        let win = self.win;
        let Some(Event::SelectionNotify(n)) = self.wait_for(|e| {
            matches!(e, Event::SelectionNotify(n)
                if n.requestor == win && n.selection == sel && n.target == target
                    && (n.property == prop || n.property == NONE))
        })?
        else {
            self.retire(prop)?;
            return Err(format!("no answer for target {target} within {REPLY_TIMEOUT:?}").into());
        };
        if n.property == NONE {
            return Ok(Fetched::Refused);
        }
        let words = u32::try_from(max / 4 + 1).unwrap_or(u32::MAX);
        let reply = self.conn.get_property(false, win, prop, AtomEnum::ANY, 0, words)?.reply()?;
        self.conn.delete_property(win, prop)?;
        self.conn.flush()?;
        if reply.type_ != self.atoms.INCR {
            let total = reply.value.len() as u64 + u64::from(reply.bytes_after);
            return Ok(if total > max { Fetched::TooLarge(total) } else { Fetched::Data(reply.value) });
        }
        // INCR: each chunk is announced by a new value of the property; deleting it asks for the next.
        // The owner's writing of the INCR header announced itself the same way: that is no chunk.
        self.pending.retain(|e| !matches!(e, Event::PropertyNotify(p) if p.window == win && p.atom == prop));
        let mut data = Vec::new();
        loop {
            let Some(_) = self.wait_for(|e| {
                matches!(e, Event::PropertyNotify(p) if p.window == win && p.atom == prop && p.state == Property::NEW_VALUE)
            })?
            else {
                self.retire(prop)?;
                return Err("an incremental transfer stalled".into());
            };
            let chunk = self.conn.get_property(true, win, prop, AtomEnum::ANY, 0, words)?.reply()?;
            self.conn.flush()?;
            if chunk.value.is_empty() {
                return Ok(Fetched::Data(data));
            }
            data.extend_from_slice(&chunk.value);
            if data.len() as u64 > max {
                self.retire(prop)?;
                return Ok(Fetched::TooLarge(data.len() as u64));
            }
        }
    }

    /// Gives up `prop` for good. An owner whose answer was abandoned (too
    /// large, too slow) may still write into it, and would then answer the
    /// next request in another owner's name.
    fn retire(&mut self, prop: Atom) -> Result<(), Error> {
        self.retired += 1;
        let name = format!("TROVE_SELECTION_{}", self.retired);
        let fresh = self.conn.intern_atom(false, name.as_bytes())?.reply()?.atom;
        for p in self.props.iter_mut().filter(|p| **p == prop) {
            *p = fresh;
        }
        Ok(())
    }

    /// Waits up to `REPLY_TIMEOUT` for an event `want` accepts; keeps the others for later.
    fn wait_for(&mut self, want: impl Fn(&Event) -> bool) -> Result<Option<Event>, Error> {
        if let Some(i) = self.pending.iter().position(&want) {
            return Ok(self.pending.remove(i));
        }
        let deadline = Instant::now() + REPLY_TIMEOUT;
        loop {
            while let Some(e) = self.conn.poll_for_event()? {
                if want(&e) {
                    return Ok(Some(e));
                }
                self.pending.push_back(e);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let mut fd = libc::pollfd { fd: self.conn.stream().as_raw_fd(), events: libc::POLLIN, revents: 0 };
            let ms = libc::c_int::try_from(left.as_millis() + 1).unwrap_or(libc::c_int::MAX);
            // SAFETY: `fd` is one valid pollfd that outlives the call.
            if unsafe { libc::poll(&mut fd, 1, ms) } < 0 {
                let err = std::io::Error::last_os_error();
                if err.kind() != std::io::ErrorKind::Interrupted {
                    return Err(err.into());
                }
            }
        }
    }
}

/// What Trove offers while it owns the clipboard.
struct Offer {
    targets: Vec<(Atom, Arc<[u8]>)>,
}

struct Transfer {
    target: Atom,
    data: Arc<[u8]>,
    sent: usize,
}

/// Owns CLIPBOARD for clips copied back, and answers every request for them.
pub struct Owner {
    conn: Arc<RustConnection>,
    win: Window,
    root: Window,
    atoms: Atoms,
    offer: Arc<Mutex<Option<Offer>>>,
}

impl Owner {
    fn start() -> Result<Self, Error> {
        let (conn, win, atoms) = connect()?;
        let root = conn.setup().roots[0].root;
        let owner = Owner { conn: Arc::new(conn), win, root, atoms, offer: Arc::new(Mutex::new(None)) };
        let server =
            Server { conn: owner.conn.clone(), win, atoms, offer: owner.offer.clone(), transfers: HashMap::new() };
        std::thread::Builder::new().name("clipboard-own".into()).spawn(move || {
            if let Err(e) = server.run() {
                log::error!("clipboard owner stopped: {e}");
            }
        })?;
        Ok(owner)
    }
}

impl super::Owner for Owner {
    fn offer(&self, payloads: Vec<(Format, Vec<u8>)>) -> Result<(), Error> {
        let a = &self.atoms;
        let mut targets = Vec::new();
        for (format, bytes) in payloads {
            let bytes: Arc<[u8]> = bytes.into();
            let atoms: &[Atom] = match format {
                Format::Text => &[a.UTF8_STRING, a.TEXT_PLAIN_UTF8, a.TEXT_PLAIN, a.TEXT],
                Format::Html => &[a.TEXT_HTML],
                Format::Png => &[a.IMAGE_PNG],
                Format::UriList => &[a.URI_LIST],
                Format::Thumbnail => &[],
            };
            targets.extend(atoms.iter().map(|&t| (t, bytes.clone())));
        }
        *self.offer.lock().unwrap_or_else(|p| p.into_inner()) = Some(Offer { targets });
        self.conn.set_selection_owner(self.win, self.atoms.CLIPBOARD, CURRENT_TIME)?;
        let owner = self.conn.get_selection_owner(self.atoms.CLIPBOARD)?.reply()?.owner;
        if owner != self.win {
            return Err("the X server did not give Trove the clipboard".into());
        }
        Ok(())
    }
}

impl super::Paster for Owner {
    fn focused_window(&self) -> Option<u64> {
        let focus = self.conn.get_input_focus().ok()?.reply().ok()?.focus;
        (focus != NONE && focus != self.root).then_some(u64::from(focus))
    }

    /// Types Ctrl+V with XTest.
    fn paste_into(&self, window: Option<u64>) -> Result<(), Error> {
        use x11rb::protocol::xtest::ConnectionExt as _;
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = self.conn.get_keyboard_mapping(min, max - min + 1)?.reply()?;
        let per = usize::from(map.keysyms_per_keycode).max(1);
        let keycode = |keysym: u32| {
            map.keysyms
                .chunks(per)
                .position(|syms| syms.contains(&keysym))
                .map(|i| min + i as u8)
                .ok_or_else(|| format!("no key for keysym {keysym:#x}"))
        };
        const CONTROL_L: u32 = 0xffe3;
        const LOWER_V: u32 = 0x0076;
        let (ctrl, v) = (keycode(CONTROL_L)?, keycode(LOWER_V)?);
        if let Some(w) = window.and_then(|w| u32::try_from(w).ok()) {
            self.conn.set_input_focus(x11rb::protocol::xproto::InputFocus::PARENT, w, CURRENT_TIME)?;
        }
        for (kind, code) in [(2u8, ctrl), (2, v), (3, v), (3, ctrl)] {
            self.conn.xtest_fake_input(kind, code, CURRENT_TIME, self.root, 0, 0, 0)?;
        }
        self.conn.sync()?;
        Ok(())
    }
}

/// The owner's event loop: answers SelectionRequests, INCR for large data.
struct Server {
    conn: Arc<RustConnection>,
    win: Window,
    atoms: Atoms,
    offer: Arc<Mutex<Option<Offer>>>,
    transfers: HashMap<(Window, Atom), Transfer>,
}

impl Server {
    fn run(mut self) -> Result<(), Error> {
        loop {
            match self.conn.wait_for_event()? {
                Event::SelectionRequest(req) => self.answer(&req)?,
                Event::SelectionClear(clear) if clear.owner == self.win => {
                    *self.offer.lock().unwrap_or_else(|p| p.into_inner()) = None;
                }
                Event::PropertyNotify(p) if p.state == Property::DELETE => {
                    self.continue_transfer(p.window, p.atom)?;
                }
                _ => {}
            }
        }
    }

    fn chunk_max(&self) -> usize {
        (self.conn.maximum_request_bytes() / 2).min(1 << 20)
    }

    fn answer(&mut self, req: &SelectionRequestEvent) -> Result<(), Error> {
        // Obsolete clients pass no property: use the target, as ICCCM says.
        let property = if req.property == NONE { req.target } else { req.property };
        let served = self.serve(req, property)?;
        let notify = SelectionNotifyEvent {
            response_type: SELECTION_NOTIFY_EVENT,
            sequence: 0,
            time: req.time,
            requestor: req.requestor,
            selection: req.selection,
            target: req.target,
            property: if served { property } else { NONE },
        };
        self.conn.send_event(false, req.requestor, EventMask::NO_EVENT, notify)?;
        self.conn.flush()?;
        Ok(())
    }

    fn serve(&mut self, req: &SelectionRequestEvent, property: Atom) -> Result<bool, Error> {
        let guard = self.offer.lock().unwrap_or_else(|p| p.into_inner());
        let Some(offer) = guard.as_ref().filter(|_| req.selection == self.atoms.CLIPBOARD) else {
            return Ok(false);
        };
        let conn = &self.conn;
        if req.target == self.atoms.TARGETS {
            let mut list = vec![self.atoms.TARGETS];
            list.extend(offer.targets.iter().map(|(t, _)| *t));
            conn.change_property32(PropMode::REPLACE, req.requestor, property, AtomEnum::ATOM, &list)?;
            return Ok(true);
        }
        let Some((target, data)) = offer.targets.iter().find(|(t, _)| *t == req.target) else {
            return Ok(false);
        };
        let (target, data) = (*target, data.clone());
        drop(guard);
        if data.len() <= self.chunk_max() {
            self.conn.change_property8(PropMode::REPLACE, req.requestor, property, target, &data)?;
            return Ok(true);
        }
        self.conn.change_window_attributes(
            req.requestor,
            &ChangeWindowAttributesAux::new().event_mask(EventMask::PROPERTY_CHANGE),
        )?;
        let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
        self.conn.change_property32(PropMode::REPLACE, req.requestor, property, self.atoms.INCR, &[size])?;
        self.transfers.insert((req.requestor, property), Transfer { target, data, sent: 0 });
        Ok(true)
    }

    /// The requestor deleted the property: send the next chunk, or the empty end marker.
    fn continue_transfer(&mut self, window: Window, property: Atom) -> Result<(), Error> {
        let chunk_max = self.chunk_max();
        let Some(t) = self.transfers.get_mut(&(window, property)) else {
            return Ok(());
        };
        let end = (t.sent + chunk_max).min(t.data.len());
        self.conn.change_property8(PropMode::REPLACE, window, property, t.target, &t.data[t.sent..end])?;
        let finished = t.sent == end;
        t.sent = end;
        if finished {
            self.transfers.remove(&(window, property));
            self.conn
                .change_window_attributes(window, &ChangeWindowAttributesAux::new().event_mask(EventMask::NO_EVENT))?;
        }
        self.conn.flush()?;
        Ok(())
    }
}
