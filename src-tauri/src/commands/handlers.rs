//! One function per command in `table.rs`, named after it: each takes the
//! command's arguments, already parsed, and calls an action or the state.

use super::{ImageVariant, Png};
use crate::{actions, desktop};
use tauri::{AppHandle, Manager, Runtime};
use trove_desktop::session;
use trove_domain::clip::Format;
use trove_domain::error::{Error, Result};
use trove_domain::history::{ClipDetail, HistoryPage, PAGE_MAX};
use trove_domain::integration::Integration;
use trove_domain::search::{self, SearchQuery, SearchResult};
use trove_domain::settings::Settings;
use trove_domain::state::{AppInfo, AppState, CaptureState};

pub fn get_settings<R: Runtime>(app: &AppHandle<R>) -> Result<Settings> {
    Ok(app.state::<AppState>().settings())
}

pub fn update_settings<R: Runtime>(app: &AppHandle<R>, settings: Settings) -> Result<Settings> {
    actions::save_settings(app, settings)
}

pub fn get_capture_state<R: Runtime>(app: &AppHandle<R>) -> Result<CaptureState> {
    app.state::<AppState>().capture_state()
}

pub fn set_capture_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) -> Result<CaptureState> {
    actions::set_capture_paused(app, paused)
}

pub fn app_info<R: Runtime>(app: &AppHandle<R>) -> Result<AppInfo> {
    app.state::<AppState>().info(session::current(), desktop::integration(app))
}

pub fn enable_gnome_extension<R: Runtime>(app: &AppHandle<R>) -> Result<Integration> {
    desktop::enable_gnome_extension(app)
}

pub fn history_page<R: Runtime>(app: &AppHandle<R>, offset: u64, limit: u32) -> Result<HistoryPage> {
    let limit = limit as usize;
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(Error::invalid("limit", format!("{limit} is out of range; allowed 1 to {PAGE_MAX}")));
    }
    app.state::<AppState>().history().page(offset, limit)
}

pub fn search_history<R: Runtime>(app: &AppHandle<R>, query: SearchQuery) -> Result<SearchResult> {
    search::search(&app.state::<AppState>().history(), &query)
}

pub fn get_clip<R: Runtime>(app: &AppHandle<R>, id: u64) -> Result<ClipDetail> {
    app.state::<AppState>().history().detail(id)
}

/// An image clip's PNG.
pub fn clip_image<R: Runtime>(app: &AppHandle<R>, id: u64, size: ImageVariant) -> Result<Png> {
    let history = app.state::<AppState>().history();
    let summary = history.summary(id)?;
    let format = match size {
        ImageVariant::Thumbnail => Format::Thumbnail,
        ImageVariant::Full => Format::Png,
    };
    match history.blob(id, format)? {
        Some(png) => Ok(Png(png.to_vec())),
        None => Err(Error::invalid("id", format!("clip {} has no {size:?} image", summary.id))),
    }
}

/// Enter in Main: copy the clip back, hide Main, paste if the user wants that.
pub fn copy_clip<R: Runtime>(app: &AppHandle<R>, id: u64) -> Result<()> {
    actions::choose_clip(app, id).map(drop)
}

pub fn set_pinned<R: Runtime>(app: &AppHandle<R>, id: u64, pinned: bool) -> Result<()> {
    actions::set_pinned(app, id, pinned).map(drop)
}

pub fn delete_clip<R: Runtime>(app: &AppHandle<R>, id: u64) -> Result<()> {
    actions::delete_clip(app, id).map(drop)
}

pub fn clear_history<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    actions::clear_history(app).map(drop)
}
