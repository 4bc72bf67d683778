//! The IPC surface. Each command is thin: parse, then call an action or the state.
//! Who may call which is in `permissions.rs` and `capabilities/`.

use crate::actions;
use crate::clip::Format;
use crate::error::{Error, Result};
use crate::history::{ClipDetail, HistoryPage, PAGE_MAX};
use crate::search::{self, SearchQuery, SearchResult};
use crate::settings::Settings;
use crate::state::{AppInfo, AppState, CaptureState};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError, Response};
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

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

// The history commands are async so that a long scan never runs on the UI thread.

#[tauri::command]
pub async fn history_page<R: Runtime>(
    app: AppHandle<R>,
    offset: Arg<u64>,
    limit: Arg<u32>,
) -> Result<HistoryPage> {
    let limit = limit.0 as usize;
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            format!("{limit} is out of range; allowed 1 to {PAGE_MAX}"),
        ));
    }
    app.state::<AppState>().history().page(offset.0, limit)
}

#[tauri::command]
pub async fn search_history<R: Runtime>(
    app: AppHandle<R>,
    query: Arg<SearchQuery>,
) -> Result<SearchResult> {
    search::search(&app.state::<AppState>().history(), &query.0)
}

#[tauri::command]
pub async fn get_clip<R: Runtime>(app: AppHandle<R>, id: Arg<u64>) -> Result<ClipDetail> {
    app.state::<AppState>().history().detail(id.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImageVariant {
    Thumbnail,
    Full,
}

/// An image clip's PNG, as raw bytes (an `ArrayBuffer` in JavaScript).
#[tauri::command]
pub async fn clip_image<R: Runtime>(
    app: AppHandle<R>,
    id: Arg<u64>,
    size: Arg<ImageVariant>,
) -> Result<Response> {
    let state = app.state::<AppState>();
    let history = state.history();
    let summary = history.summary(id.0)?;
    let format = match size.0 {
        ImageVariant::Thumbnail => Format::Thumbnail,
        ImageVariant::Full => Format::Png,
    };
    match history.blob(id.0, format)? {
        Some(png) => Ok(Response::new(png.to_vec())),
        None => Err(Error::invalid(
            "id",
            format!("clip {} has no {:?} image", summary.id, size.0),
        )),
    }
}

/// Enter in Main: copy the clip back, hide Main, paste if the user wants that.
#[tauri::command]
pub async fn copy_clip<R: Runtime>(app: AppHandle<R>, id: Arg<u64>) -> Result<()> {
    actions::choose_clip(&app, id.0).map(drop)
}

#[tauri::command]
pub async fn set_pinned<R: Runtime>(app: AppHandle<R>, id: Arg<u64>, pinned: Arg<bool>) -> Result<()> {
    actions::set_pinned(&app, id.0, pinned.0).map(drop)
}

#[tauri::command]
pub async fn delete_clip<R: Runtime>(app: AppHandle<R>, id: Arg<u64>) -> Result<()> {
    actions::delete_clip(&app, id.0).map(drop)
}

#[tauri::command]
pub async fn clear_history<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    actions::clear_history(&app).map(drop)
}
