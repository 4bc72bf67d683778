//! Clipboard capture and copy-back. The platform glue reads the clipboard
//! on its own threads and hands each capture to one recorder thread, which
//! stores it (durably) and then announces it. Nothing here polls.

mod x11;

use crate::clip::{Captured, Format, Selection};
use crate::error::{Error, Result};
use crate::session::DisplaySession;
use crate::settings::Settings;
use crate::state::{AppState, CaptureMethod, SkipReason};
use crate::actions;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use tauri::{AppHandle, Manager, Runtime};

/// One thing the clipboard glue saw.
pub enum Capture {
    Captured(Captured, Selection),
    Skipped(SkipReason, Option<u64>),
}

pub type Sink = Box<dyn Fn(Capture) + Send>;

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

/// The core's handle on the clipboard: managed state once capture started.
pub struct Clipboard {
    switches: Arc<Switches>,
    owner: Option<x11::Owner>,
    /// The window that had the keyboard before `main` was shown.
    focus_before_main: Mutex<Option<u32>>,
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

    fn owner(&self) -> Result<&x11::Owner> {
        self.owner
            .as_ref()
            .ok_or_else(|| Error::System("no clipboard is available in this session".into()))
    }

    /// Puts a stored clip's formats on the clipboard.
    pub fn offer(&self, payloads: Vec<(Format, Vec<u8>)>) -> Result<()> {
        self.owner()?
            .offer(payloads)
            .map_err(|e| Error::System(format!("cannot set the clipboard: {e}")))
    }

    pub fn remember_focus(&self) {
        if let Some(owner) = &self.owner {
            *self.focus_before_main.lock().unwrap_or_else(|p| p.into_inner()) =
                owner.focused_window();
        }
    }

    /// Returns the keyboard to the window used before `main` and pastes there.
    pub fn paste(&self) -> Result<()> {
        let target = *self.focus_before_main.lock().unwrap_or_else(|p| p.into_inner());
        self.owner()?
            .paste_into(target)
            .map_err(|e| Error::System(format!("cannot paste: {e}")))
    }
}

/// Starts watching the clipboard, and says how (or why not) in the log and
/// in the capture state that About and Main show.
pub fn start<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let state = app.state::<AppState>();
    let switches = Arc::new(Switches::default());
    let (tx, rx) = mpsc::channel::<Capture>();
    let tx = Mutex::new(tx);
    let sink: Sink = Box::new(move |c| {
        let _ = tx.lock().unwrap_or_else(|p| p.into_inner()).send(c);
    });
    let session = DisplaySession::current();
    let (owner, method) = if std::env::var_os("DISPLAY").is_some() {
        match x11::start(switches.clone(), sink) {
            Ok(owner) => (Some(owner), x11_method(session)),
            Err(e) => (None, unavailable(format!("cannot watch the X11 clipboard: {e}"))),
        }
    } else {
        (
            None,
            unavailable(
                "this Wayland session has no X11 display, and Trove cannot watch the \
                 Wayland clipboard without one yet"
                    .into(),
            ),
        )
    };
    if method.available {
        log::info!("capture: {}", method.description);
    } else {
        log::warn!("capture unavailable: {}", method.description);
    }
    state.set_capture_method(method);
    let clipboard = Clipboard {
        switches,
        owner,
        focus_before_main: Mutex::new(None),
    };
    clipboard.apply_settings(&state.settings());
    clipboard.set_paused(state.capture_state()?.paused);
    app.manage(clipboard);
    let app = app.clone();
    std::thread::Builder::new()
        .name("clipboard-record".into())
        .spawn(move || {
            for capture in rx {
                actions::record(&app, capture);
            }
        })
        .map_err(|e| Error::System(format!("cannot start the recorder: {e}")))?;
    Ok(())
}

fn x11_method(session: DisplaySession) -> CaptureMethod {
    CaptureMethod {
        available: true,
        // XTest reaches X11 windows only; on Wayland most apps are not that.
        can_paste: session == DisplaySession::X11,
        description: match session {
            DisplaySession::X11 => "X11 selection events (XFixes)".into(),
            DisplaySession::Wayland => "XWayland selection events (XFixes): Trove sees what \
                the compositor shares with X11 apps; the Wayland data-control protocol is not \
                used yet"
                .into(),
        },
    }
}

fn unavailable(description: String) -> CaptureMethod {
    CaptureMethod {
        available: false,
        can_paste: false,
        description,
    }
}
