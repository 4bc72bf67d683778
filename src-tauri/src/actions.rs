//! What a user can do, whichever way they ask: a window, the tray or the command line.

use crate::error::Result;
use crate::settings::Settings;
use crate::state::{AppState, CaptureState};
use crate::{autostart, events, shortcut};
use tauri::{AppHandle, Manager, Runtime};

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
    events::settings_changed(app, &saved);
    Ok(saved)
}

fn apply_to_os<R: Runtime>(app: &AppHandle<R>, from: &Settings, to: &Settings) -> Result<()> {
    if from.autostart != to.autostart {
        autostart::set(app, to.autostart)?;
    }
    shortcut::rebind(app, &from.shortcut, &to.shortcut).inspect_err(|_| {
        if from.autostart != to.autostart {
            if let Err(e) = autostart::set(app, from.autostart) {
                log::error!("cannot restore start at login: {e}");
            }
        }
    })
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
