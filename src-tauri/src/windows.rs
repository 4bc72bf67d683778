//! The three windows: created on first request, reused after, and released
//! by their retention policy.

use crate::error::{Error, Result};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tauri::{
    AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder, WindowEvent,
};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AppWindow {
    Main,
    Settings,
    About,
}

struct Spec {
    title: &'static str,
    page: &'static str,
    size: (f64, f64),
    resizable: bool,
}

impl AppWindow {
    pub const ALL: [AppWindow; 3] = [AppWindow::Main, AppWindow::Settings, AppWindow::About];

    pub fn label(self) -> &'static str {
        match self {
            AppWindow::Main => "main",
            AppWindow::Settings => "settings",
            AppWindow::About => "about",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.label() == label)
    }

    fn spec(self) -> Spec {
        match self {
            AppWindow::Main => Spec {
                title: "Trove",
                page: "main.html",
                size: (720.0, 480.0),
                resizable: true,
            },
            AppWindow::Settings => Spec {
                title: "Trove Settings",
                page: "settings.html",
                size: (560.0, 720.0),
                resizable: true,
            },
            AppWindow::About => Spec {
                title: "About Trove",
                page: "about.html",
                size: (440.0, 500.0),
                resizable: false,
            },
        }
    }

    fn error(self, e: tauri::Error) -> Error {
        Error::Window(format!("{}: {e}", self.label()))
    }

    /// Closing `main` only hides it, so that reopening is instant; the others go.
    fn hides_on_close(self) -> bool {
        self == AppWindow::Main
    }
}

/// Shows `window`, building it first if it does not exist.
pub fn show<R: Runtime>(app: &AppHandle<R>, window: AppWindow) -> Result<()> {
    let err = |e| window.error(e);
    if window == AppWindow::Main {
        retention(app).set_shown(true);
    }
    let existing = app.get_webview_window(window.label());
    let visible = existing.as_ref().is_some_and(|w| w.is_visible().unwrap_or(false));
    if window == AppWindow::Main && !visible {
        if let Some(clipboard) = app.try_state::<crate::capture::Clipboard>() {
            clipboard.remember_focus();
        }
    }
    if let Some(existing) = existing {
        retention(app).cancel();
        existing.show().map_err(err)?;
        existing.unminimize().map_err(err)?;
        existing.set_focus().map_err(err)?;
        return Ok(());
    }
    if window == AppWindow::Main {
        read_heads_meanwhile(app);
    }
    crate::lazy_webkit::load().map_err(Error::Window)?;
    let spec = window.spec();
    // The page starts in the right theme, even windows that may not read settings.
    let theme = serde_json::json!(app.state::<AppState>().settings().theme);
    let built = WebviewWindowBuilder::new(app, window.label(), WebviewUrl::App(spec.page.into()))
        .initialization_script(format!("window.__TROVE_THEME__ = {theme};"))
        .title(spec.title)
        .inner_size(spec.size.0, spec.size.1)
        .resizable(spec.resizable)
        .center()
        .build()
        .map_err(err)?;
    recover_from_crashes(&built, window);
    retention(app).windows.next();
    log::info!("window {} created", window.label());
    Ok(())
}

/// Search needs every clip's head in memory, and reading them takes a while
/// at 100 000 clips: it happens while `main` is built.
fn read_heads_meanwhile<R: Runtime>(app: &AppHandle<R>) {
    let history = app.state::<AppState>().history();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = history.hold_heads() {
            log::error!("cannot read the heads for search: {e}");
        }
    });
}

/// A web process that dies leaves its window blank: the window goes, and the
/// next request builds it afresh. (Reloading at once, inside WebKit's own
/// handler, sometimes made WebKit abort the whole process while starting
/// the new web process.)
fn recover_from_crashes<R: Runtime>(window: &WebviewWindow<R>, kind: AppWindow) {
    let handle = window.clone();
    let watched = window.with_webview(move |webview| {
        use webkit2gtk::WebViewExt;
        webview.inner().connect_web_process_terminated(move |_, reason| {
            log::warn!("the web process of window {} ended ({reason:?}); closing the window", kind.label());
            let window = handle.clone();
            let queued = handle.run_on_main_thread(move || {
                if let Err(e) = window.destroy() {
                    log::error!("cannot destroy window {}: {e}", kind.label());
                }
            });
            if let Err(e) = queued {
                log::error!("cannot close window {}: {e}", kind.label());
            }
        });
    });
    if let Err(e) = watched {
        log::error!("cannot watch the web process of window {}: {e}", kind.label());
    }
}

/// Hides `main` if the core last showed it, shows it otherwise.
pub fn toggle_main<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    if retention(app).shown.load(Ordering::SeqCst) {
        hide(app, AppWindow::Main)
    } else {
        show(app, AppWindow::Main)
    }
}

/// Does what closing `window` does, if it exists.
pub fn hide<R: Runtime>(app: &AppHandle<R>, window: AppWindow) -> Result<()> {
    match app.get_webview_window(window.label()) {
        Some(existing) => close(&existing.as_ref().window(), window),
        None => Ok(()),
    }
}

/// What the window manager's close button does: hide `main`, destroy the rest.
fn close<R: Runtime>(window: &tauri::Window<R>, kind: AppWindow) -> Result<()> {
    let err = |e| kind.error(e);
    if kind.hides_on_close() {
        retention(window.app_handle()).set_shown(false);
        window.hide().map_err(err)?;
        schedule_release(window.app_handle());
    } else {
        window.destroy().map_err(err)?;
    }
    Ok(())
}

pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    match event {
        WindowEvent::CloseRequested { api, .. } => {
            let Some(kind) = AppWindow::from_label(window.label()) else {
                return;
            };
            if kind.hides_on_close() {
                api.prevent_close();
                if let Err(e) = close(window, kind) {
                    log::error!("{e}");
                }
            }
        }
        WindowEvent::Destroyed => {
            if window.label() == AppWindow::Main.label() {
                retention(window.app_handle()).set_shown(false);
                window.state::<AppState>().history().drop_heads();
            }
            log::info!("window {} destroyed", window.label());
            release_when_all_closed(window.app_handle());
        }
        _ => {}
    }
}

/// Once no window has come or gone for `LEFTOVERS_AFTER` and none is open,
/// what WebKit kept for them goes too. The quiet time also means WebKit has
/// long finished starting the network process: ending one that is still
/// starting makes WebKit abort the whole app.
fn release_when_all_closed<R: Runtime>(app: &AppHandle<R>) {
    let generation = retention(app).windows.next();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(LEFTOVERS_AFTER).await;
        let handle = app.clone();
        // Windows are built on the main thread, so none can appear meanwhile.
        let queued = app.run_on_main_thread(move || {
            if retention(&handle).windows.is_current(generation) && handle.webview_windows().is_empty() {
                crate::idle::release_web_leftovers();
            }
        });
        if let Err(e) = queued {
            log::error!("cannot release WebKit's leftovers: {e}");
        }
    });
}

const LEFTOVERS_AFTER: Duration = Duration::from_secs(5);

/// A new retention time applies at once to a `main` that is already hidden.
pub fn retention_changed<R: Runtime>(app: &AppHandle<R>) {
    if hidden_main(app).is_some() {
        schedule_release(app);
    }
}

fn hidden_main<R: Runtime>(app: &AppHandle<R>) -> Option<WebviewWindow<R>> {
    app.get_webview_window(AppWindow::Main.label())
        .filter(|w| matches!(w.is_visible(), Ok(false)))
}

/// Counts changes, so that a timer can tell whether any happened since it was armed.
#[derive(Default)]
struct Generation(AtomicU64);

impl Generation {
    fn next(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn is_current(&self, generation: u64) -> bool {
        self.0.load(Ordering::SeqCst) == generation
    }
}

/// The windows' lifecycle. `shown` is whether the core last showed or hid
/// `main`: GTK's own visibility lags behind a window still being built.
/// `main`'s release timer acts only if no show or hide of it happened since
/// it was armed (`transitions`); the leftovers' timer only if no window was
/// built or destroyed (`windows`).
#[derive(Default)]
pub struct Retention {
    transitions: Generation,
    windows: Generation,
    shown: AtomicBool,
}

impl Retention {
    fn cancel(&self) -> u64 {
        self.transitions.next()
    }

    fn set_shown(&self, shown: bool) {
        self.shown.store(shown, Ordering::SeqCst);
    }
}

fn retention<R: Runtime>(app: &AppHandle<R>) -> tauri::State<'_, Retention> {
    app.state::<Retention>()
}

fn schedule_release<R: Runtime>(app: &AppHandle<R>) {
    let generation = retention(app).cancel();
    let secs = app.state::<AppState>().settings().window_retain_secs;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(secs.into())).await;
        if !retention(&app).transitions.is_current(generation) {
            return;
        }
        if let Some(main) = hidden_main(&app) {
            log::info!("main hidden for {secs}s; releasing it");
            if let Err(e) = main.destroy() {
                log::error!("cannot destroy main: {e}");
            }
        }
    });
}
