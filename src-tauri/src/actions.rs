//! What a user can do, whichever way they ask: a window, the tray or the command line.

use crate::error::Result;
use crate::events;
use crate::settings::Settings;
use crate::state::{AppState, CaptureState};
use tauri::{AppHandle, Manager, Runtime};

pub fn save_settings<R: Runtime>(app: &AppHandle<R>, new: Settings) -> Result<Settings> {
    let saved = app.state::<AppState>().update_settings(new)?;
    log::info!("settings saved");
    events::settings_changed(app, &saved);
    Ok(saved)
}

pub fn set_capture_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) -> Result<CaptureState> {
    let state = app.state::<AppState>().set_capture_paused(paused)?;
    log::info!("capture {}", if paused { "paused" } else { "resumed" });
    events::capture_state(app, state);
    Ok(state)
}

pub fn toggle_capture<R: Runtime>(app: &AppHandle<R>) -> Result<CaptureState> {
    let paused = app.state::<AppState>().capture_state()?.paused;
    set_capture_paused(app, !paused)
}

/// Leaves through the normal exit path, which flushes the database.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    log::info!("quit requested");
    app.exit(0);
}
