//! The tray icon and its menu: the app's only permanent surface.

mod indicator;

use crate::app_window::AppWindow;
use crate::{actions, desktop, windows};
use indicator::Indicator;
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Manager, Runtime};
use trove_desktop::session;
use trove_desktop::tray::menu::{Action, Contents, Menu, RECENT_ITEMS};
use trove_desktop::tray::StatusNotifier;
use trove_domain::error::{Error, Result};
use trove_domain::integration::DisplaySession;
use trove_domain::state::AppState;

const ICON_PNG: &[u8] = include_bytes!("../../../icons/tray.png");

enum Surface<R: Runtime> {
    StatusNotifier(StatusNotifier),
    Indicator(Indicator<R>),
}

struct Tray<R: Runtime> {
    surface: Surface<R>,
    /// A refresh is queued on the main thread.
    stale: AtomicBool,
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let menu = menu(app);
    let handle = app.clone();
    let on_click = move |action| perform(&handle, action);
    let surface = match StatusNotifier::start(menu.clone(), ICON_PNG, on_click.clone()) {
        Ok(Some(item)) => Surface::StatusNotifier(item),
        found => {
            let indicator =
                Indicator::start(app, menu, ICON_PNG, on_click).map_err(|e| Error::Window(format!("tray: {e}")))?;
            // Said once the indicator exists, so that the line means libayatana-appindicator is loaded.
            match found {
                Ok(_) => log::info!("no StatusNotifierWatcher yet: the tray goes through libayatana-appindicator"),
                Err(e) => log::warn!("{e}: the tray goes through libayatana-appindicator"),
            }
            Surface::Indicator(indicator)
        }
    };
    app.manage(Tray { surface, stale: AtomicBool::new(false) });
    Ok(())
}

/// Brings the menu up to date with the core's state. A burst of changes costs
/// one rebuild: later calls find one already queued on the main thread.
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    match app.try_state::<Tray<R>>() {
        Some(tray) if !tray.stale.swap(true, Ordering::SeqCst) => {}
        _ => return,
    }
    let handle = app.clone();
    let queued = app.run_on_main_thread(move || {
        let tray = handle.state::<Tray<R>>();
        tray.stale.store(false, Ordering::SeqCst);
        let menu = menu(&handle);
        desktop::update_menu(&handle, &menu);
        match &tray.surface {
            Surface::StatusNotifier(item) => item.update(menu),
            Surface::Indicator(indicator) => {
                if let Err(e) = indicator.update(menu) {
                    log::error!("cannot update the tray: {e}");
                }
            }
        }
    });
    if let Err(e) = queued {
        log::error!("cannot update the tray: {e}");
    }
}

/// Whether a panel shows the tray: one with a StatusNotifierWatcher does; an
/// indicator without one is an XEmbed icon, which only X11 can show.
pub fn has_host<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<Tray<R>>().is_some_and(|tray| match tray.surface {
        Surface::StatusNotifier(_) => true,
        Surface::Indicator(_) => session::current() == DisplaySession::X11,
    })
}

/// The menu as it should be now, for the tray and the GNOME Shell extension alike.
pub fn menu<R: Runtime>(app: &AppHandle<R>) -> Menu {
    Menu::new(&contents(app))
}

/// What the menu shows now. What cannot be read becomes a notice in the menu.
fn contents<R: Runtime>(app: &AppHandle<R>) -> Contents {
    let state = app.state::<AppState>();
    let mut notices = Vec::new();
    if let Some(recovery) = state.recovery() {
        notices.push(format!("⚠ Unreadable history moved to {}", recovery.moved_to));
    }
    let paused = match state.capture_state() {
        Ok(capture) => {
            if let Some(error) = &capture.save_error {
                notices.push(format!("⚠ Clips are not being saved: {error}"));
            }
            if !capture.method.available {
                notices.push(format!("⚠ {}", capture.method.description));
            }
            capture.paused
        }
        Err(e) => {
            notices.push(format!("⚠ Cannot read whether capture is paused: {e}"));
            false
        }
    };
    let recent = state.history().recent(RECENT_ITEMS).unwrap_or_else(|e| {
        log::error!("cannot read recent clips for the tray: {e}");
        Vec::new()
    });
    Contents {
        notices,
        recent: recent.into_iter().map(|c| (c.id, c.preview)).collect(),
        shortcut: desktop::active_shortcut(app),
        paused,
    }
}

/// What a click on a menu entry does, in the tray or in the GNOME Shell's top bar.
pub fn perform<R: Runtime>(app: &AppHandle<R>, action: Action) {
    let result = match action {
        Action::Copy(clip) => actions::copy_clip(app, clip).map(drop),
        Action::Show => windows::show(app, AppWindow::Main),
        Action::TogglePause => actions::toggle_capture(app).map(drop),
        Action::Clear => actions::clear_history(app).map(drop),
        Action::Settings => windows::show(app, AppWindow::Settings),
        Action::About => windows::show(app, AppWindow::About),
        Action::Quit => {
            actions::quit(app);
            Ok(())
        }
    };
    if let Err(e) = result {
        log::error!("tray action {action:?} failed: {e}");
    }
}
