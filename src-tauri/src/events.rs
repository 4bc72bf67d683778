//! Core → window events. Every state change goes out through here, to the
//! open windows and to the core's own consumers (tray, window retention).

use crate::history::HistoryDelta;
use crate::settings::Settings;
use crate::state::CaptureState;
use crate::{tray, windows};
use tauri::{AppHandle, Emitter, Runtime};

pub const SETTINGS_CHANGED: &str = "settings://changed";
pub const CAPTURE_STATE: &str = "capture://state";
pub const HISTORY_CHANGED: &str = "history://changed";

pub fn settings_changed<R: Runtime>(app: &AppHandle<R>, settings: &Settings) {
    emit(app, SETTINGS_CHANGED, settings);
    tray::refresh(app);
    windows::retention_changed(app);
}

pub fn capture_state<R: Runtime>(app: &AppHandle<R>, state: CaptureState) {
    tray::refresh(app);
    emit(app, CAPTURE_STATE, state);
}

/// Sent only after the change is on disk (the history flushes before returning).
pub fn history_changed<R: Runtime>(app: &AppHandle<R>, delta: &HistoryDelta) {
    emit(app, HISTORY_CHANGED, delta);
    tray::refresh(app);
}

/// To the window host's windows, and to this process's own listeners.
fn emit<R: Runtime, T: serde::Serialize>(app: &AppHandle<R>, event: &str, payload: T) {
    let sent = serde_json::to_value(payload).map_err(tauri::Error::from).and_then(|payload| {
        windows::broadcast(app, event, &payload);
        app.emit(event, payload)
    });
    if let Err(e) = sent {
        log::error!("cannot broadcast {event}: {e}");
    }
}
