//! The IPC surface. Each command is thin: parse, then call an action or the state.
//! Who may call which is in `permissions.rs` and `capabilities/`.

use crate::actions;
use crate::error::{Error, Result};
use crate::settings::Settings;
use crate::state::{AppInfo, AppState, CaptureState};
use serde::de::DeserializeOwned;
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::{AppHandle, Runtime, State};

/// A command argument whose parse failure reaches JavaScript as an
/// `IpcError` naming the offending field, like every other error.
pub struct Arg<T>(T);

impl<'de, T: DeserializeOwned, R: Runtime> CommandArg<'de, R> for Arg<T> {
    fn from_command(item: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let value = match item.message.payload() {
            InvokeBody::Json(body) => body.get(item.key),
            InvokeBody::Raw(_) => None,
        };
        let parsed = match value {
            None => Err(Error::invalid(item.key, "is missing")),
            Some(value) => serde_path_to_error::deserialize(value).map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." {
                    item.key.to_string()
                } else {
                    format!("{}.{path}", item.key)
                };
                Error::invalid(field, e.into_inner().to_string())
            }),
        };
        parsed.map(Arg).map_err(|e| InvokeError::from(e.to_ipc()))
    }
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings()
}

#[tauri::command]
pub fn update_settings<R: Runtime>(app: AppHandle<R>, settings: Arg<Settings>) -> Result<Settings> {
    actions::save_settings(&app, settings.0)
}

#[tauri::command]
pub fn get_capture_state(state: State<'_, AppState>) -> Result<CaptureState> {
    state.capture_state()
}

#[tauri::command]
pub fn set_capture_paused<R: Runtime>(
    app: AppHandle<R>,
    paused: Arg<bool>,
) -> Result<CaptureState> {
    actions::set_capture_paused(&app, paused.0)
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    state.info()
}
