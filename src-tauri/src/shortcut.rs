//! The global shortcut that toggles the history window. X11 only: Wayland
//! does not let applications grab keys, so there the plugin is not loaded
//! and Trove says so instead.

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::windows::{self, AppWindow};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcut, ShortcutState};

pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                log::info!("global shortcut pressed");
                if let Err(e) = windows::toggle(app, AppWindow::Main) {
                    log::error!("{e}");
                }
            }
        })
        .build()
}

fn manager<R: Runtime>(app: &AppHandle<R>) -> Option<tauri::State<'_, GlobalShortcut<R>>> {
    app.try_state::<GlobalShortcut<R>>()
}

/// Registers the saved shortcut. Failing that, Trove runs on without one.
pub fn register_saved<R: Runtime>(app: &AppHandle<R>) {
    let Some(shortcuts) = manager(app) else {
        log::warn!("global shortcuts are not available in a Wayland session; bind `trove toggle` in the compositor");
        return;
    };
    let shortcut = app.state::<AppState>().settings().shortcut;
    match shortcuts.register(shortcut.as_str()) {
        Ok(()) => log::info!("global shortcut {shortcut} registered"),
        Err(e) => log::error!("global shortcut {shortcut} unavailable: {e}"),
    }
}

/// The shortcut that really toggles the history window now, if any.
pub fn active<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    let shortcut = app.state::<AppState>().settings().shortcut;
    manager(app)?
        .is_registered(shortcut.as_str())
        .then_some(shortcut)
}

/// Moves the toggle from `old` to `new`. If `new` cannot be grabbed, `old` stays.
/// Without global shortcuts (Wayland) the setting is only stored.
pub fn rebind<R: Runtime>(app: &AppHandle<R>, old: &str, new: &str) -> Result<()> {
    let Some(shortcuts) = manager(app).filter(|_| old != new) else {
        return Ok(());
    };
    shortcuts.register(new).map_err(|e| {
        Error::invalid(
            "shortcut",
            format!("{new} cannot be used: {e} (another program may hold it)"),
        )
    })?;
    if shortcuts.is_registered(old) {
        if let Err(e) = shortcuts.unregister(old) {
            log::error!("cannot release the old shortcut {old}: {e}");
        }
    }
    log::info!("global shortcut moved from {old} to {new}");
    Ok(())
}
