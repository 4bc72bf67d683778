//! "Start at login", through the autostart plugin. The OS entry is the truth.

use crate::error::{Error, Result};
use crate::events;
use crate::settings::Settings;
use crate::state::AppState;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;

pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_autostart::Builder::new()
        .arg("--hidden")
        .build()
}

pub fn set<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<()> {
    let launcher = app
        .try_state::<AutoLaunchManager>()
        .ok_or_else(|| Error::System("start at login is not available here".into()))?;
    let result = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    result.map_err(|e| {
        Error::System(format!(
            "cannot {} start at login: {e}",
            if enabled { "turn on" } else { "turn off" }
        ))
    })?;
    log::info!(
        "start at login turned {}",
        if enabled { "on" } else { "off" }
    );
    Ok(())
}

/// Makes the setting say what the OS will really do at the next login.
pub fn reconcile<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let Some(launcher) = app.try_state::<AutoLaunchManager>() else {
        return Ok(());
    };
    let enabled = launcher
        .is_enabled()
        .map_err(|e| Error::System(format!("autostart: {e}")))?;
    let state = app.state::<AppState>();
    let settings = state.settings();
    if settings.autostart != enabled {
        log::warn!(
            "start at login was saved as {} but the login entry says {}; following the login entry",
            settings.autostart,
            enabled
        );
        let saved = state.update_settings(Settings {
            autostart: enabled,
            ..settings
        })?;
        events::settings_changed(app, &saved);
    }
    Ok(())
}
