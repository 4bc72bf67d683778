//! Clipboard capture and copy-back. The platform glue reads the clipboard
//! on its own threads and sends each capture down the channel that the app
//! hands `start`; the app reads it on one recorder thread, which stores each
//! capture (durably) and then announces it. Nothing here polls.

mod wayland;
mod wayland_paste;
mod x11;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use trove_domain::clip::{Captured, Format, Selection};
use trove_domain::error::{Error, Result};
use trove_domain::integration::DisplaySession;
use trove_domain::privacy;
use trove_domain::settings::Settings;
use trove_domain::state::{CaptureMethod, SkipReason};

/// One thing the clipboard glue saw.
pub enum Capture {
    Captured(Captured, Selection),
    Skipped(SkipReason, Option<u64>),
    /// The connection capture reads from is gone (Xwayland stopped, say).
    Lost(String),
    /// Capture reads again, this way.
    Reconnected(CaptureMethod),
}

/// How often a lost capture tries to connect again; only while it is lost.
const RECONNECT_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

pub type Sink = Arc<dyn Fn(Capture) + Send + Sync>;

/// What an owner answered for one format.
pub enum Fetched {
    Refused,
    /// More than the caller's limit; at least this many bytes.
    TooLarge(u64),
    Data(Vec<u8>),
}

/// Text targets, best first: X11 names and MIME types both occur on either system.
const TEXT_TARGETS: [&str; 5] = ["UTF8_STRING", "text/plain;charset=utf-8", "text/plain", "STRING", "TEXT"];

/// Decides what to keep of an offer with these targets and reads it with
/// `fetch(target, max_bytes)`: nothing at all when the owner marks it secret,
/// and never more than `max_item_bytes` in all.
fn read_offer<E>(
    offered: Vec<String>,
    selection: Selection,
    s: &Snapshot,
    mut fetch: impl FnMut(&str, u64) -> Result<Fetched, E>,
) -> Result<Option<Capture>, E> {
    let secret = Ok(Some(Capture::Skipped(SkipReason::Secret, None)));
    if privacy::conceals(&offered) {
        return secret;
    }
    let has = |t: &str| offered.iter().any(|o| o == t);
    if has(privacy::KDE_PASSWORD_HINT) {
        if let Fetched::Data(hint) = fetch(privacy::KDE_PASSWORD_HINT, 1024)? {
            if privacy::kde_hint_is_secret(&hint) {
                return secret;
            }
        }
    }
    let wanted = [
        (Format::Png, Some("image/png").filter(|t| s.images && has(t))),
        (Format::UriList, Some("text/uri-list").filter(|t| has(t))),
        (Format::Html, Some("text/html").filter(|t| has(t))),
        (Format::Text, TEXT_TARGETS.into_iter().find(|t| has(t))),
    ];
    let mut captured = Captured::default();
    let mut budget = u64::from(s.max_item_bytes);
    for (format, target) in wanted {
        let Some(target) = target else {
            continue;
        };
        let bytes = match fetch(target, budget)? {
            Fetched::Refused => continue,
            Fetched::TooLarge(at_least) => {
                let read = u64::from(s.max_item_bytes) - budget;
                let skipped = Capture::Skipped(SkipReason::TooLarge, Some(read + at_least));
                return Ok(Some(skipped));
            }
            Fetched::Data(bytes) => bytes,
        };
        budget -= bytes.len() as u64;
        if format == Format::Png {
            match trove_domain::clip::png_size(&bytes) {
                None => continue,
                Some((w, h)) if u64::from(w) * u64::from(h) > trove_domain::clip::IMAGE_MAX_PIXELS => {
                    return Ok(Some(Capture::Skipped(SkipReason::TooLarge, Some(bytes.len() as u64))));
                }
                Some(_) => {}
            }
        }
        let text = |bytes: Vec<u8>| -> String {
            if target == "STRING" {
                bytes.iter().map(|&b| char::from(b)).collect()
            } else {
                String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
            }
        };
        match format {
            Format::Png => captured.png = Some(bytes),
            Format::UriList => captured.uri_list = Some(text(bytes)),
            Format::Html => captured.html = Some(text(bytes)),
            Format::Text => captured.text = Some(text(bytes)),
            Format::Thumbnail => {}
        }
    }
    captured.mimes = offered;
    Ok(captured.kind().is_some().then_some(Capture::Captured(captured, selection)))
}

/// Puts clips back on the system's clipboard.
pub trait Owner: Send + Sync {
    fn offer(&self, payloads: Vec<(Format, Vec<u8>)>) -> Result<(), BoxError>;
}

/// Types into other apps: Trove's own X11 connection, or a desktop that does it for Trove.
pub trait Paster: Send + Sync {
    /// The window that has the keyboard, where the system lets Trove know.
    fn focused_window(&self) -> Option<u64>;
    /// Gives `window` the keyboard back and types Ctrl+V into it.
    fn paste_into(&self, window: Option<u64>) -> Result<(), BoxError>;
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The settings the reader consults on every change, without locks.
#[derive(Default)]
pub struct Switches {
    paused: AtomicBool,
    primary: AtomicBool,
    images: AtomicBool,
    max_item_bytes: AtomicU32,
}

#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    pub paused: bool,
    pub primary: bool,
    pub images: bool,
    pub max_item_bytes: u32,
}

impl Switches {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            paused: self.paused.load(Ordering::SeqCst),
            primary: self.primary.load(Ordering::SeqCst),
            images: self.images.load(Ordering::SeqCst),
            max_item_bytes: self.max_item_bytes.load(Ordering::SeqCst),
        }
    }
}

/// A way to hold the clipboard and a way to type into other apps; either may be missing.
#[derive(Clone, Default)]
pub struct Means {
    pub owner: Option<Arc<dyn Owner>>,
    pub paster: Option<Arc<dyn Paster>>,
}

/// The core's handle on the clipboard, from `start`.
pub struct Clipboard {
    switches: Arc<Switches>,
    sink: Sink,
    /// Trove's own, through its connection to the display, where the session gives them.
    own: Arc<Mutex<Means>>,
    /// The desktop's, while it offers them (the GNOME Shell extension).
    desktop: Mutex<Means>,
    /// The window that had the keyboard before `main` was shown.
    focus_before_main: Mutex<Option<u64>>,
    /// A thread is trying to connect again.
    reconnecting: Arc<AtomicBool>,
    /// How Trove's own reader reads, or why it cannot.
    own_method: Mutex<CaptureMethod>,
}

impl Clipboard {
    pub fn apply_settings(&self, settings: &Settings) {
        let s = &self.switches;
        s.primary.store(settings.capture_primary, Ordering::SeqCst);
        s.images.store(settings.capture_images, Ordering::SeqCst);
        s.max_item_bytes.store(settings.max_item_bytes, Ordering::SeqCst);
    }

    pub fn set_paused(&self, paused: bool) {
        self.switches.paused.store(paused, Ordering::SeqCst);
    }

    fn own(&self) -> Means {
        self.own.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn desktop(&self) -> Means {
        self.desktop.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Trove's own hold first: it offers every format of a clip.
    fn owner(&self) -> Result<Arc<dyn Owner>> {
        self.own()
            .owner
            .or_else(|| self.desktop().owner)
            .ok_or_else(|| Error::System("no clipboard is available in this session".into()))
    }

    /// Puts a stored clip's formats on the clipboard.
    pub fn offer(&self, payloads: Vec<(Format, Vec<u8>)>) -> Result<()> {
        self.owner()?.offer(payloads).map_err(|e| Error::System(format!("cannot set the clipboard: {e}")))
    }

    /// The desktop's first: where it types for Trove, Trove's own typing reaches too few apps.
    fn paster(&self) -> Option<Arc<dyn Paster>> {
        self.desktop().paster.or_else(|| self.own().paster)
    }

    /// What the desktop offers from now on.
    pub fn use_desktop(&self, means: Means) {
        *self.desktop.lock().unwrap_or_else(|p| p.into_inner()) = means;
    }

    pub fn set_own_method(&self, method: CaptureMethod) {
        *self.own_method.lock().unwrap_or_else(|p| p.into_inner()) = method;
    }

    /// Whether Trove's own reader sees the clipboard now.
    pub fn reads_itself(&self) -> bool {
        self.own_method.lock().unwrap_or_else(|p| p.into_inner()).available
    }

    /// How capture goes, as About, Main and the tray say it: Trove's own
    /// reader, or the desktop's reports standing in for it.
    pub fn method(&self) -> CaptureMethod {
        let mut method = self.own_method.lock().unwrap_or_else(|p| p.into_inner()).clone();
        // A reader that was lost is news, whoever stands in; one that never was, is not.
        let lost = self.reconnecting.load(Ordering::SeqCst);
        if !method.available && !lost && self.desktop().owner.is_some() {
            method = CaptureMethod {
                available: true,
                description: format!(
                    "GNOME Shell extension, which reports each change, because {}",
                    method.description
                ),
                can_paste: false,
            };
        }
        method.can_paste = self.can_paste();
        method
    }

    pub fn can_paste(&self) -> bool {
        self.paster().is_some()
    }

    pub fn remember_focus(&self) {
        let focused = self.paster().and_then(|p| p.focused_window());
        *self.focus_before_main.lock().unwrap_or_else(|p| p.into_inner()) = focused;
    }

    /// Returns the keyboard to the window used before `main` and pastes there.
    pub fn paste(&self) -> Result<()> {
        let target = *self.focus_before_main.lock().unwrap_or_else(|p| p.into_inner());
        let paster =
            self.paster().ok_or_else(|| Error::System("Trove cannot type into other apps in this session".into()))?;
        paster.paste_into(target).map_err(|e| Error::System(format!("cannot paste: {e}")))
    }

    /// Reads and records what another source saw change on `selection`, which
    /// offers `offered`, as Trove's own readers do, through `fetch`.
    pub fn read_elsewhere<E: std::fmt::Display>(
        &self,
        offered: Vec<String>,
        selection: Selection,
        fetch: impl FnMut(&str, u64) -> Result<Fetched, E>,
    ) {
        let s = self.switches.snapshot();
        if s.paused || (selection == Selection::Primary && !s.primary) {
            return;
        }
        match read_offer(offered, selection, &s, fetch) {
            Ok(Some(capture)) => (self.sink)(capture),
            Ok(None) => {}
            Err(e) => log::warn!("cannot read the {selection:?} selection: {e}"),
        }
    }
}

/// Starts watching the clipboard as `settings` say, paused or not, and says
/// how (or why not) in the log and in the clipboard's `method`. Every
/// capture goes to `captures`, in order.
pub fn start(settings: &Settings, paused: bool, captures: mpsc::Sender<Capture>) -> Clipboard {
    let switches = Arc::new(Switches::default());
    let captures = Mutex::new(captures);
    let sink: Sink = Arc::new(move |c| {
        let _ = captures.lock().unwrap_or_else(|p| p.into_inner()).send(c);
    });
    let clipboard = Clipboard {
        switches,
        sink,
        own: Arc::default(),
        desktop: Mutex::default(),
        focus_before_main: Mutex::new(None),
        reconnecting: Arc::default(),
        own_method: Mutex::new(unavailable("capture has not started".into())),
    };
    clipboard.apply_settings(settings);
    clipboard.set_paused(paused);
    let (own, method) = connect(&clipboard.switches, &clipboard.sink);
    if method.available {
        log::info!("capture: {}", method.description);
    } else {
        log::warn!("capture unavailable: {}", method.description);
    }
    *clipboard.own.lock().unwrap_or_else(|p| p.into_inner()) = own;
    clipboard.set_own_method(method);
    clipboard
}

impl Clipboard {
    /// After `Capture::Lost`: tries to connect again every `RECONNECT_EVERY`
    /// until it can, then says so with `Capture::Reconnected`. One at a time.
    pub fn reconnect(&self) {
        if self.reconnecting.swap(true, Ordering::SeqCst) {
            return;
        }
        let (switches, sink, own, reconnecting) =
            (self.switches.clone(), self.sink.clone(), self.own.clone(), self.reconnecting.clone());
        let spawned = std::thread::Builder::new().name("clipboard-reconnect".into()).spawn(move || loop {
            std::thread::sleep(RECONNECT_EVERY);
            let (means, method) = connect(&switches, &sink);
            if method.available {
                *own.lock().unwrap_or_else(|p| p.into_inner()) = means;
                reconnecting.store(false, Ordering::SeqCst);
                return sink(Capture::Reconnected(method));
            }
        });
        if let Err(e) = spawned {
            self.reconnecting.store(false, Ordering::SeqCst);
            log::error!("cannot try to reconnect capture: {e}");
        }
    }
}

/// What `connect` found: how to own the clipboard and paste, and how capture goes.
type Connected = (Means, CaptureMethod);

/// Picks how to watch this session's clipboard: Wayland's data-control where
/// the compositor offers it, else the X11 selections (XWayland's on Wayland).
fn connect(switches: &Arc<Switches>, sink: &Sink) -> Connected {
    let session = crate::session::current();
    let mut wayland_problem = None;
    if session == DisplaySession::Wayland {
        match wayland::start(switches.clone(), sink.clone()) {
            Ok(Some((owner, protocol, paste))) => {
                if let Some(paste) = paste {
                    log::info!("paste after choosing types through {}", paste.name());
                }
                let paster = paste.map(|m| Arc::new(wayland_paste::WaylandPaster(m)) as Arc<dyn Paster>);
                let method = CaptureMethod {
                    available: true,
                    description: format!("Wayland data-control ({protocol})"),
                    can_paste: paster.is_some(),
                };
                return (Means { owner: Some(owner), paster }, method);
            }
            Ok(None) => {
                wayland_problem = Some("this compositor offers no data-control protocol (wlr or ext)".to_string())
            }
            Err(e) => wayland_problem = Some(format!("cannot connect to the Wayland compositor: {e}")),
        }
    }
    if std::env::var_os("DISPLAY").is_none() {
        let why = wayland_problem.unwrap_or_else(|| "there is no display".into());
        return (Means::default(), unavailable(format!("{why}, and there is no X11 display to fall back on")));
    }
    match x11::start(switches.clone(), sink.clone()) {
        Ok(owner) => {
            let description = match wayland_problem {
                None => "X11 selection events (XFixes)".to_string(),
                Some(why) => format!(
                    "XWayland selection events (XFixes), because {why}: Trove sees only what \
                     the compositor shares with X11 apps"
                ),
            };
            let method = CaptureMethod {
                available: true,
                description,
                // XTest reaches X11 windows only; on Wayland most apps are not that.
                can_paste: session == DisplaySession::X11,
            };
            let owner = Arc::new(owner);
            let paster = method.can_paste.then(|| owner.clone() as Arc<dyn Paster>);
            (Means { owner: Some(owner), paster }, method)
        }
        Err(e) => (Means::default(), unavailable(format!("cannot watch the X11 clipboard: {e}"))),
    }
}

fn unavailable(description: String) -> CaptureMethod {
    CaptureMethod { available: false, can_paste: false, description }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: Snapshot = Snapshot { paused: false, primary: false, images: true, max_item_bytes: 1024 * 1024 };

    /// What `read_offer` makes of an owner offering `offered` (target → bytes).
    fn read(offered: &[(&str, Vec<u8>)]) -> Option<Capture> {
        let targets = offered.iter().map(|(t, _)| t.to_string()).collect();
        read_offer(targets, Selection::Clipboard, &SETTINGS, |target, max| {
            let bytes = offered.iter().find(|(t, _)| *t == target).unwrap().1.clone();
            Ok::<_, ()>(if bytes.len() as u64 > max {
                Fetched::TooLarge(bytes.len() as u64)
            } else {
                Fetched::Data(bytes)
            })
        })
        .unwrap()
    }

    /// A PNG header claiming `w`×`h` pixels: all that is read before deciding.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(w.to_be_bytes());
        png.extend(h.to_be_bytes());
        png.extend([8, 6, 0, 0, 0]);
        png
    }

    #[test]
    fn a_huge_image_is_refused_before_anything_decodes_it() {
        let offer = [("image/png", png_header(16_000, 16_000)), ("UTF8_STRING", b"alt".to_vec())];
        assert!(matches!(read(&offer), Some(Capture::Skipped(SkipReason::TooLarge, Some(_)))));
    }

    #[test]
    fn image_png_that_is_not_a_png_is_ignored_and_the_text_kept() {
        let offer = [("image/png", b"<html>not an image".to_vec()), ("UTF8_STRING", b"kept".to_vec())];
        let Some(Capture::Captured(captured, _)) = read(&offer) else {
            panic!("the text must be captured");
        };
        assert_eq!((captured.png, captured.text.as_deref()), (None, Some("kept")));
    }

    #[test]
    fn invalid_utf8_is_kept_with_replacement_characters() {
        let Some(Capture::Captured(captured, _)) = read(&[("UTF8_STRING", b"ok \xff\xfe end \xc3".to_vec())]) else {
            panic!("invalid UTF-8 must still be captured");
        };
        assert_eq!(captured.text.as_deref(), Some("ok \u{fffd}\u{fffd} end \u{fffd}"));
    }

    #[test]
    fn content_over_the_limit_is_skipped_with_its_size() {
        let big = vec![b'x'; 2 * 1024 * 1024];
        assert!(matches!(
            read(&[("UTF8_STRING", big)]),
            Some(Capture::Skipped(SkipReason::TooLarge, Some(n))) if n == 2 * 1024 * 1024
        ));
    }
}
