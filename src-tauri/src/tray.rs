//! The tray icon and its menu: the app's only permanent surface.

use crate::history::ClipSummary;
use crate::state::{AppState, CaptureState};
use crate::windows::{self, AppWindow};
use crate::{actions, error::Result, shortcut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

mod id {
    pub const SHOW: &str = "show";
    pub const PAUSE: &str = "pause";
    pub const CLEAR: &str = "clear";
    pub const SETTINGS: &str = "settings";
    pub const ABOUT: &str = "about";
    pub const QUIT: &str = "quit";
    pub const NO_CLIPS: &str = "no-clips";
    /// Followed by the notice's position.
    pub const NOTICE_PREFIX: &str = "notice:";
    /// Followed by the clip's id.
    pub const CLIP_PREFIX: &str = "clip:";
}

pub const RECENT_ITEMS: usize = 5;
pub const RECENT_PREVIEW_CHARS: usize = 40;

/// Menu items whose text or state follows the core's state.
struct LiveItems<R: Runtime> {
    menu: Menu<R>,
    show: MenuItem<R>,
    pause: CheckMenuItem<R>,
    /// Lines at the very top about what went wrong; usually none.
    notices: Mutex<Vec<MenuItem<R>>>,
    /// The recent clips at the top of the menu (or the "no clips" line).
    recent: Mutex<Vec<MenuItem<R>>>,
    /// A rebuild of `recent` is queued on the main thread.
    recent_stale: AtomicBool,
}

/// A clip's menu label: one line of at most `RECENT_PREVIEW_CHARS` characters.
pub fn recent_label(clip: &ClipSummary) -> String {
    let preview = crate::clip::one_line(&clip.preview, RECENT_PREVIEW_CHARS + 1);
    let label = if preview.chars().count() > RECENT_PREVIEW_CHARS {
        let cut: String = preview.chars().take(RECENT_PREVIEW_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        preview
    };
    menu_text(&label)
}

/// Menu labels take `&` as the mnemonic marker (and escape `_` for GTK themselves).
fn menu_text(text: &str) -> String {
    text.replace('&', "&&")
}

/// What the user must know about: a database set aside at start, captures
/// that cannot be saved.
fn notice_lines(state: &AppState, save_error: Option<&str>) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(recovery) = state.recovery() {
        lines.push(format!("⚠ Unreadable history moved to {}", recovery.moved_to));
    }
    if let Some(error) = save_error {
        lines.push(format!("⚠ Clips are not being saved: {error}"));
    }
    lines
}

fn notice_items<R: Runtime>(app: &AppHandle<R>, lines: &[String]) -> tauri::Result<Vec<MenuItem<R>>> {
    lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let item_id = format!("{}{n}", id::NOTICE_PREFIX);
            MenuItem::with_id(app, item_id, menu_text(line), false, None::<&str>)
        })
        .collect()
}

fn recent_items<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Vec<MenuItem<R>>> {
    let clips = match app.state::<AppState>().history().recent(RECENT_ITEMS) {
        Ok(clips) => clips,
        Err(e) => {
            log::error!("cannot read recent clips for the tray: {e}");
            Vec::new()
        }
    };
    if clips.is_empty() {
        return Ok(vec![MenuItem::with_id(app, id::NO_CLIPS, "No clips yet", false, None::<&str>)?]);
    }
    clips
        .iter()
        .map(|c| {
            let item_id = format!("{}{}", id::CLIP_PREFIX, c.id);
            MenuItem::with_id(app, item_id, recent_label(c), true, None::<&str>)
        })
        .collect()
}

fn show_label(shortcut: Option<&str>) -> String {
    match shortcut {
        Some(keys) => format!("Show history ({keys})"),
        None => "Show history".into(),
    }
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let capture = app.state::<AppState>().capture_state()?;
    build(app, shortcut::active(app).as_deref(), &capture)
        .map_err(|e| crate::error::Error::Window(format!("tray: {e}")))
}

fn build<R: Runtime>(
    app: &AppHandle<R>,
    shortcut: Option<&str>,
    capture: &CaptureState,
) -> tauri::Result<()> {
    let lines = notice_lines(&app.state::<AppState>(), capture.save_error.as_deref());
    let notices = notice_items(app, &lines)?;
    let recent = recent_items(app)?;
    let show = MenuItem::with_id(app, id::SHOW, show_label(shortcut), true, None::<&str>)?;
    let pause =
        CheckMenuItem::with_id(app, id::PAUSE, "Pause capture", true, capture.paused, None::<&str>)?;
    // The submenu is the confirmation: clearing takes a second, deliberate click.
    let clear = Submenu::with_items(
        app,
        "Clear history…",
        true,
        &[&MenuItem::with_id(app, id::CLEAR, "Remove all clips except pinned", true, None::<&str>)?],
    )?;
    let menu = Menu::new(app)?;
    for item in notices.iter().chain(&recent) {
        menu.append(item)?;
    }
    menu.append_items(
        &[
            &PredefinedMenuItem::separator(app)?,
            &show,
            &pause,
            &clear,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, id::SETTINGS, "Settings…", true, None::<&str>)?,
            &MenuItem::with_id(app, id::ABOUT, "About Trove", true, None::<&str>)?,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, id::QUIT, "Quit", true, None::<&str>)?,
        ],
    )?;
    TrayIconBuilder::with_id("trove")
        .icon(Image::from_bytes(include_bytes!("../../icons/tray.png"))?)
        .tooltip(tooltip(&lines))
        .menu(&menu)
        .on_menu_event(on_menu_event)
        .build(app)?;
    app.manage(LiveItems {
        menu,
        show,
        pause,
        notices: Mutex::new(notices),
        recent: Mutex::new(recent),
        recent_stale: AtomicBool::new(false),
    });
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let result = match event.id().as_ref() {
        id::SHOW => windows::show(app, AppWindow::Main),
        id::PAUSE => actions::toggle_capture(app).map(drop),
        id::CLEAR => actions::clear_history(app).map(drop),
        id::SETTINGS => windows::show(app, AppWindow::Settings),
        id::ABOUT => windows::show(app, AppWindow::About),
        id::QUIT => {
            actions::quit(app);
            Ok(())
        }
        other => match other.strip_prefix(id::CLIP_PREFIX).map(str::parse::<u64>) {
            Some(Ok(clip)) => actions::copy_clip(app, clip).map(drop),
            _ => {
                log::warn!("unknown tray menu id {other:?}");
                Ok(())
            }
        },
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

/// Brings the recent-clip items up to date. A burst of captures costs one
/// rebuild: later calls find one already queued on the main thread.
pub fn show_recent<R: Runtime>(app: &AppHandle<R>) {
    let Some(items) = app.try_state::<LiveItems<R>>() else {
        return;
    };
    if items.recent_stale.swap(true, Ordering::SeqCst) {
        return;
    }
    let handle = app.clone();
    if let Err(e) = app.run_on_main_thread(move || rebuild_recent(&handle)) {
        log::error!("cannot update the tray's recent clips: {e}");
    }
}

fn rebuild_recent<R: Runtime>(app: &AppHandle<R>) {
    let Some(items) = app.try_state::<LiveItems<R>>() else {
        return;
    };
    items.recent_stale.store(false, Ordering::SeqCst);
    // The notices sit above the recent clips. Both rebuilds run on the main thread.
    let notices = items.notices.lock().unwrap_or_else(|p| p.into_inner());
    let mut recent = items.recent.lock().unwrap_or_else(|p| p.into_inner());
    let result = (|| -> tauri::Result<()> {
        for old in recent.drain(..) {
            items.menu.remove(&old)?;
        }
        for (position, item) in recent_items(app)?.into_iter().enumerate() {
            items.menu.insert(&item, notices.len() + position)?;
            recent.push(item);
        }
        Ok(())
    })();
    if let Err(e) = result {
        log::error!("cannot update the tray's recent clips: {e}");
    }
}

fn tooltip(notices: &[String]) -> String {
    match notices {
        [] => "Trove".into(),
        lines => format!("Trove\n{}", lines.join("\n")),
    }
}

pub fn show_capture_state<R: Runtime>(app: &AppHandle<R>, capture: &CaptureState) {
    let Some(items) = app.try_state::<LiveItems<R>>() else {
        return;
    };
    if let Err(e) = items.pause.set_checked(capture.paused) {
        log::error!("cannot update the tray's pause item: {e}");
    }
    let lines = notice_lines(&app.state::<AppState>(), capture.save_error.as_deref());
    // On the main thread, like `rebuild_recent`, so the two never wait on each other.
    let handle = app.clone();
    if let Err(e) = app.run_on_main_thread(move || rebuild_notices(&handle, &lines)) {
        log::error!("cannot update the tray's notices: {e}");
    }
}

fn rebuild_notices<R: Runtime>(app: &AppHandle<R>, lines: &[String]) {
    let Some(items) = app.try_state::<LiveItems<R>>() else {
        return;
    };
    let mut notices = items.notices.lock().unwrap_or_else(|p| p.into_inner());
    let result = (|| -> tauri::Result<()> {
        for old in notices.drain(..) {
            items.menu.remove(&old)?;
        }
        for (position, item) in notice_items(app, lines)?.into_iter().enumerate() {
            items.menu.insert(&item, position)?;
            notices.push(item);
        }
        if let Some(tray) = app.tray_by_id("trove") {
            tray.set_tooltip(Some(tooltip(lines)))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        log::error!("cannot update the tray's notices: {e}");
    }
}
