//! The IPC surface. Each command is thin: check the grant, parse, then call an
//! action or the state. Who may call which is in `permissions.rs` and `capabilities/`.
//!
//! Every command reaches the core as its name, the calling window's label and
//! the page's JSON arguments, whether the window lives in the window host
//! (`window_host.rs`) or, in the IPC tests, in the core's own process.

use crate::{actions, desktop};
use crate::clip::Format;
use crate::error::{Error, Result};
use crate::history::PAGE_MAX;
use crate::link::Outcome;
use crate::permissions::COMMAND_GRANTS;
use crate::search::{self, SearchQuery};
use crate::state::AppState;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime};
use ts_rs::TS;

/// What a command answers: JSON text, or raw bytes (an `ArrayBuffer` in JavaScript).
#[derive(Debug)]
pub enum Reply {
    Json(String),
    Bytes(Vec<u8>),
}

/// A reply as the link carries it: the message, and the bytes that go with it.
pub fn outcome(result: Result<Reply>) -> (Outcome, Vec<u8>) {
    match result {
        Ok(Reply::Json(text)) => (Outcome::Json, text.into_bytes()),
        Ok(Reply::Bytes(bytes)) => (Outcome::Bytes, bytes),
        Err(e) => (Outcome::Error(e.to_ipc()), Vec::new()),
    }
}

fn json(value: impl Serialize) -> Result<Reply> {
    serde_json::to_string(&value)
        .map(Reply::Json)
        .map_err(|e| Error::System(format!("cannot encode the answer: {e}")))
}

/// The argument `key` of `args`. A parse failure names the offending field,
/// like every other `IpcError`.
fn arg<T: DeserializeOwned>(args: &Value, key: &str) -> Result<T> {
    let value = args.get(key).ok_or_else(|| Error::invalid(key, "is missing"))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { key.to_string() } else { format!("{key}.{path}") };
        Error::invalid(field, e.into_inner().to_string())
    })
}

/// Runs `command` for `window`. Blocking: the history commands may scan.
pub fn dispatch<R: Runtime>(app: &AppHandle<R>, window: &str, command: &str, args: &Value) -> Result<Reply> {
    let granted = COMMAND_GRANTS.iter().any(|(name, windows)| *name == command && windows.contains(&window));
    if !granted {
        return Err(Error::Rejected(format!("command {command} is not granted to window {window}")));
    }
    let state = app.state::<AppState>();
    let id = || arg::<u64>(args, "id");
    match command {
        "get_settings" => json(state.settings()),
        "update_settings" => json(actions::save_settings(app, arg(args, "settings")?)?),
        "get_capture_state" => json(state.capture_state()?),
        "set_capture_paused" => json(actions::set_capture_paused(app, arg(args, "paused")?)?),
        "app_info" => json(state.info(desktop::integration(app))?),
        "enable_gnome_extension" => json(desktop::enable_gnome_extension(app)?),
        "history_page" => {
            let offset = arg(args, "offset")?;
            let limit = arg::<u32>(args, "limit")? as usize;
            if !(1..=PAGE_MAX).contains(&limit) {
                return Err(Error::invalid("limit", format!("{limit} is out of range; allowed 1 to {PAGE_MAX}")));
            }
            json(state.history().page(offset, limit)?)
        }
        "search_history" => json(search::search(&state.history(), &arg::<SearchQuery>(args, "query")?)?),
        "get_clip" => json(state.history().detail(id()?)?),
        "clip_image" => clip_image(&state, id()?, arg(args, "size")?),
        // Enter in Main: copy the clip back, hide Main, paste if the user wants that.
        "copy_clip" => actions::choose_clip(app, id()?).and(json(())),
        "set_pinned" => {
            let id = id()?;
            actions::set_pinned(app, id, arg(args, "pinned")?).and(json(()))
        }
        "delete_clip" => actions::delete_clip(app, id()?).and(json(())),
        "clear_history" => actions::clear_history(app).and(json(())),
        other => Err(Error::Rejected(format!("command {other} has no handler"))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImageVariant {
    Thumbnail,
    Full,
}

/// An image clip's PNG.
fn clip_image(state: &AppState, id: u64, size: ImageVariant) -> Result<Reply> {
    let history = state.history();
    let summary = history.summary(id)?;
    let format = match size {
        ImageVariant::Thumbnail => Format::Thumbnail,
        ImageVariant::Full => Format::Png,
    };
    match history.blob(id, format)? {
        Some(png) => Ok(Reply::Bytes(png.to_vec())),
        None => Err(Error::invalid("id", format!("clip {} has no {size:?} image", summary.id))),
    }
}
