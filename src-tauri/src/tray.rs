//! The tray icon and its menu: the app's only permanent surface.

use crate::state::{AppState, CaptureState};
use crate::windows::{self, AppWindow};
use crate::{actions, error::Result, shortcut};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

mod id {
    pub const SHOW: &str = "show";
    pub const PAUSE: &str = "pause";
    pub const SETTINGS: &str = "settings";
    pub const ABOUT: &str = "about";
    pub const QUIT: &str = "quit";
}

/// Menu items whose text or state follows the core's state.
struct LiveItems<R: Runtime> {
    show: MenuItem<R>,
    pause: CheckMenuItem<R>,
}

fn show_label(shortcut: Option<&str>) -> String {
    match shortcut {
        Some(keys) => format!("Show history ({keys})"),
        None => "Show history".into(),
    }
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let state = app.state::<AppState>();
    let paused = state.capture_state()?.paused;
    build(app, shortcut::active(app).as_deref(), paused)
        .map_err(|e| crate::error::Error::Window(format!("tray: {e}")))
}

fn build<R: Runtime>(
    app: &AppHandle<R>,
    shortcut: Option<&str>,
    paused: bool,
) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, id::SHOW, show_label(shortcut), true, None::<&str>)?;
    let pause =
        CheckMenuItem::with_id(app, id::PAUSE, "Pause capture", true, paused, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &show,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, id::SETTINGS, "Settings…", true, None::<&str>)?,
            &MenuItem::with_id(app, id::ABOUT, "About Trove", true, None::<&str>)?,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, id::QUIT, "Quit", true, None::<&str>)?,
        ],
    )?;
    TrayIconBuilder::with_id("trove")
        .icon(Image::from_bytes(include_bytes!("../../icons/tray.png"))?)
        .tooltip("Trove")
        .menu(&menu)
        .on_menu_event(on_menu_event)
        .build(app)?;
    app.manage(LiveItems { show, pause });
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let result = match event.id().as_ref() {
        id::SHOW => windows::show(app, AppWindow::Main),
        id::PAUSE => actions::toggle_capture(app).map(drop),
        id::SETTINGS => windows::show(app, AppWindow::Settings),
        id::ABOUT => windows::show(app, AppWindow::About),
        id::QUIT => {
            actions::quit(app);
            Ok(())
        }
        other => {
            log::warn!("unknown tray menu id {other:?}");
            Ok(())
        }
    };
    if let Err(e) = result {
        log::error!("tray action {:?} failed: {e}", event.id().as_ref());
    }
}

pub fn show_shortcut<R: Runtime>(app: &AppHandle<R>, shortcut: Option<&str>) {
    if let Some(items) = app.try_state::<LiveItems<R>>() {
        if let Err(e) = items.show.set_text(show_label(shortcut)) {
            log::error!("cannot update the tray's show item: {e}");
        }
    }
}

pub fn show_capture_state<R: Runtime>(app: &AppHandle<R>, state: CaptureState) {
    if let Some(items) = app.try_state::<LiveItems<R>>() {
        if let Err(e) = items.pause.set_checked(state.paused) {
            log::error!("cannot update the tray's pause item: {e}");
        }
    }
}
