//! What a user can do, whichever way they ask: a window, the tray or the command line.

use crate::app_window::AppWindow;
use crate::events::{self, Event};
use crate::{autostart, desktop, windows};
use tauri::{AppHandle, Manager, Runtime};
use trove_desktop::capture::{self, Capture, Clipboard};
use trove_domain::error::{Error, Result};
use trove_domain::history::HistoryDelta;
use trove_domain::settings::Settings;
use trove_domain::state::{now_ms, AppState, CaptureMethod, CaptureState, Recorded};

/// Validates `new`, carries its OS side out (start at login, the global
/// shortcut), then stores it. Whatever fails, the old settings stay in force.
pub fn save_settings<R: Runtime>(app: &AppHandle<R>, new: Settings) -> Result<Settings> {
    let state = app.state::<AppState>();
    let new = new.validated()?;
    let old = state.settings();
    apply_to_os(app, &old, &new)?;
    let saved = state.update_settings(new.clone()).inspect_err(|_| {
        if let Err(e) = apply_to_os(app, &new, &old) {
            log::error!("cannot restore the previous OS settings: {e}");
        }
    })?;
    log::info!("settings saved");
    announce_reopened(app);
    if let Some(clipboard) = app.try_state::<Clipboard>() {
        clipboard.apply_settings(&saved);
    }
    events::publish(app, Event::SettingsChanged(saved.clone()));
    // Lowered limits apply at once, not at the next capture.
    announce(app, state.enforce_limits())?;
    Ok(saved)
}

fn apply_to_os<R: Runtime>(app: &AppHandle<R>, from: &Settings, to: &Settings) -> Result<()> {
    if from.autostart != to.autostart {
        autostart::set(to.autostart)?;
    }
    desktop::rebind_shortcut(app, &from.shortcut, &to.shortcut).inspect_err(|_| {
        if from.autostart != to.autostart {
            if let Err(e) = autostart::set(from.autostart) {
                log::error!("cannot restore start at login: {e}");
            }
        }
    })
}

pub fn set_capture_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) -> Result<CaptureState> {
    let state = app.state::<AppState>().set_capture_paused(paused)?;
    announce_reopened(app);
    if let Some(clipboard) = app.try_state::<Clipboard>() {
        clipboard.set_paused(paused);
    }
    log::info!("capture {}", if paused { "paused" } else { "resumed" });
    events::publish(app, Event::CaptureState(state.clone()));
    Ok(state)
}

pub fn toggle_capture<R: Runtime>(app: &AppHandle<R>) -> Result<CaptureState> {
    let paused = app.state::<AppState>().capture_state()?.paused;
    set_capture_paused(app, !paused)
}

/// Starts watching the clipboard, with one thread that records each capture in turn.
pub fn start_capture<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let state = app.state::<AppState>();
    let (to_recorder, captures) = std::sync::mpsc::channel();
    let clipboard = capture::start(&state.settings(), state.capture_state()?.paused, to_recorder);
    state.set_capture_method(clipboard.method());
    app.manage(clipboard);
    let app = app.clone();
    std::thread::Builder::new()
        .name("clipboard-record".into())
        .spawn(move || {
            for capture in captures {
                record(&app, capture);
            }
        })
        .map_err(|e| Error::System(format!("cannot start the recorder: {e}")))?;
    Ok(())
}

/// Stores what the clipboard glue read, then tells the windows and the tray.
pub fn record<R: Runtime>(app: &AppHandle<R>, capture: Capture) {
    let state = app.state::<AppState>();
    let recorded = match capture {
        Capture::Captured(captured, source) => state.record(&captured, source),
        Capture::Skipped(reason, bytes) => Ok(Recorded::Skipped(state.skipped(reason, bytes))),
        Capture::Lost(why) => return capture_lost(app, why),
        Capture::Reconnected(method) => {
            log::info!("capture: {} again", method.description);
            return capture_method_changed(app, Some(method));
        }
    };
    let capture_state_changed = match recorded {
        Ok(Recorded::Stored(mut delta)) => {
            delta.cleared |= state.take_reopened();
            for clip in &delta.added {
                log::info!("captured clip {} ({:?}, {} bytes)", clip.id, clip.kind, clip.bytes);
            }
            for clip in &delta.updated {
                log::info!("clip {} captured again; moved to the top", clip.id);
            }
            events::publish(app, Event::HistoryChanged(delta));
            state.set_save_error(None)
        }
        Ok(Recorded::Skipped(skipped)) => {
            log::info!("skipped a clipboard content: {:?}", skipped.reason);
            true
        }
        Err(e) => {
            log::error!("cannot store a capture: {e}");
            state.set_save_error(Some(e.to_string()))
        }
    };
    announce_reopened(app);
    if capture_state_changed {
        match state.capture_state() {
            Ok(s) => events::publish(app, Event::CaptureState(s)),
            Err(e) => log::error!("{e}"),
        }
    }
}

/// Never silently deaf: the tray, About and Main say capture stopped, and it
/// comes back by itself once the display does.
fn capture_lost<R: Runtime>(app: &AppHandle<R>, why: String) {
    log::error!("capture lost: {why}; trying to reconnect");
    let method = CaptureMethod {
        available: false,
        description: format!("capture stopped: {why}; Trove reconnects as soon as it can"),
        can_paste: false,
    };
    // First: while it tries, the loss is news even where the desktop stands in.
    if let Some(clipboard) = app.try_state::<Clipboard>() {
        clipboard.reconnect();
    }
    capture_method_changed(app, Some(method));
}

/// Tells everyone how capture goes now: Trove's own reader reads as `own`
/// says, if given, and the desktop may be standing in for it.
pub fn capture_method_changed<R: Runtime>(app: &AppHandle<R>, own: Option<CaptureMethod>) {
    let Some(clipboard) = app.try_state::<Clipboard>() else { return };
    if let Some(own) = own {
        clipboard.set_own_method(own);
    }
    let state = app.state::<AppState>();
    state.set_capture_method(clipboard.method());
    match state.capture_state() {
        Ok(s) => events::publish(app, Event::CaptureState(s)),
        Err(e) => log::error!("{e}"),
    }
}

/// The first write after a start on a read-only data dir opens the real
/// database: windows that show the stand-in's empty history load it.
fn announce_reopened<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    if state.take_reopened() {
        events::publish(app, Event::HistoryChanged(state.history().reload()));
    }
}

fn announce<R: Runtime>(app: &AppHandle<R>, delta: Result<HistoryDelta>) -> Result<HistoryDelta> {
    let delta = delta?;
    if !delta.is_empty() {
        events::publish(app, Event::HistoryChanged(delta.clone()));
    }
    Ok(delta)
}

fn clipboard<R: Runtime>(app: &AppHandle<R>) -> Result<tauri::State<'_, Clipboard>> {
    app.try_state::<Clipboard>().ok_or_else(|| Error::System("no clipboard is available in this session".into()))
}

/// Puts a clip back on the clipboard and moves it to the top. No new clip is made.
pub fn copy_clip<R: Runtime>(app: &AppHandle<R>, id: u64) -> Result<HistoryDelta> {
    let state = app.state::<AppState>();
    let payloads = state.history().payloads(id)?;
    let payloads = payloads.into_iter().map(|(f, b)| (f, b.to_vec())).collect();
    clipboard(app)?.offer(payloads)?;
    log::info!("clip {id} copied back");
    announce(app, state.history().touch(id, now_ms()))
}

/// How long a paste waits for the history window to go before it types anyway.
const PASTE_WAITS_FOR_HIDE: std::time::Duration = std::time::Duration::from_secs(1);

/// What Enter in Main does: copy back, hide Main, and paste if the user asked for that.
pub fn choose_clip<R: Runtime>(app: &AppHandle<R>, id: u64) -> Result<HistoryDelta> {
    let delta = copy_clip(app, id)?;
    if !app.state::<AppState>().settings().paste_after_choosing {
        windows::hide(app, AppWindow::Main);
        return Ok(delta);
    }
    // The keys go to whatever has the keyboard: not Main, once it has gone.
    windows::hide_main_and_wait(app, PASTE_WAITS_FOR_HIDE);
    clipboard(app)?.paste().inspect_err(|e| log::warn!("{e}"))?;
    log::info!("clip {id} pasted");
    Ok(delta)
}

pub fn set_pinned<R: Runtime>(app: &AppHandle<R>, id: u64, pinned: bool) -> Result<HistoryDelta> {
    announce(app, app.state::<AppState>().history().set_pinned(id, pinned))
}

pub fn delete_clip<R: Runtime>(app: &AppHandle<R>, id: u64) -> Result<HistoryDelta> {
    announce(app, app.state::<AppState>().history().delete(id))
}

pub fn clear_history<R: Runtime>(app: &AppHandle<R>) -> Result<HistoryDelta> {
    log::info!("clearing history (pinned clips stay)");
    announce(app, app.state::<AppState>().history().clear())
}

/// Leaves through the normal exit path, which flushes the database.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    log::info!("quit requested");
    app.exit(0);
}
