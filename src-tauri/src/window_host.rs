//! The window host: `trove` started again by the core, on a socket, to build
//! and hold the windows. WebKit lives here, never in the core, and goes
//! whole when the core lets the host go (see `windows.rs`). The host owns no
//! data: each command its windows' capabilities let through goes to the core,
//! and each event the core sends goes to the windows.

use crate::app_window::AppWindow;
use crate::commands;
use crate::events::{self, Event};
use crate::generation::Generation;
use crate::link::{Change, Link, Outcome, ToCore, ToHost, HOST_ARG, HOST_FD};
use crate::{appearance, gl, process};
use serde_json::Value;
use std::collections::HashMap;
use std::os::fd::FromRawFd;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tauri::ipc::{Invoke, InvokeBody, InvokeResolver, InvokeResponseBody, Response};
use tauri::{
    AppHandle, Builder, Emitter, Manager, RunEvent, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder,
    WindowEvent,
};
use trove_domain::error::{Error, Result};
use trove_domain::settings::Theme;

/// The window host's process, `trove --window-host`: the core starts it with
/// the socket as `HOST_FD`. Not part of the command line that users see.
pub fn run() -> ExitCode {
    let Some(socket) = inherited_socket() else {
        eprintln!("trove: {HOST_ARG} is for Trove's own use: it needs the socket that Trove passes it");
        return ExitCode::from(2);
    };
    gl::keep_out_of_window_host();
    let app = build(tauri::Builder::default()).setup(move |app| {
        process::leave_on_error(app, connect(app.handle(), socket));
        if let Err(e) = appearance::follow(app.handle()) {
            log::warn!("windows cannot follow the desktop's light or dark: {e}");
        }
        Ok(())
    });
    process::run_app(app, "the window host", |_, event| {
        // Windows closing is no reason to leave: the core says when, by closing the socket.
        if let RunEvent::ExitRequested { code: None, api, .. } = event {
            api.prevent_exit();
        }
    })
}

/// `HOST_FD`, if it is a socket: a host started by hand has none.
fn inherited_socket() -> Option<UnixStream> {
    // SAFETY: fstat only fills the struct it is given.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    let is_socket = unsafe { libc::fstat(HOST_FD, &mut stat) } == 0 && stat.st_mode & libc::S_IFMT == libc::S_IFSOCK;
    // SAFETY: the descriptor is open, a socket, and owned by nothing else in this process.
    is_socket.then(|| unsafe { UnixStream::from_raw_fd(HOST_FD) })
}

/// The host's end of the socket, and the commands waiting for the core's answer.
struct Core<R: Runtime> {
    link: Link<ToCore>,
    waiting: Mutex<HashMap<u64, InvokeResolver<R>>>,
    next_id: AtomicU64,
}

fn connect<R: Runtime>(app: &AppHandle<R>, socket: UnixStream) -> std::io::Result<()> {
    let handle = app.clone();
    let on_end = app.clone();
    let link = Link::start(
        socket,
        move |message, bytes| from_core(&handle, message, bytes),
        move |error| match error {
            None => on_end.exit(0),
            Some(e) => {
                log::error!("the window host lost the core: {e}");
                on_end.exit(1);
            }
        },
    )?;
    app.manage(Core::<R> { link, waiting: Mutex::default(), next_id: AtomicU64::new(1) });
    Ok(())
}

fn from_core<R: Runtime>(app: &AppHandle<R>, message: ToHost, bytes: Vec<u8>) {
    match message {
        ToHost::Show { window, theme, retain_secs } => {
            retention(app).secs.store(retain_secs, Ordering::SeqCst);
            on_main_thread(app, move |app| {
                let shown = show(app, window, theme);
                tell_core(app, ToCore::ShowHandled);
                shown
            });
        }
        ToHost::Hide { window } => on_main_thread(app, move |app| hide(app, window)),
        ToHost::Retain { secs } => {
            retention(app).secs.store(secs, Ordering::SeqCst);
            on_main_thread(app, |app| {
                retention_changed(app);
                Ok(())
            });
        }
        ToHost::Event { name, payload } => emit(app, &name, payload),
        ToHost::Reply { id, outcome } => {
            let waiting = app
                .try_state::<Core<R>>()
                .and_then(|core| core.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&id));
            match waiting {
                Some(resolver) => answer(resolver, outcome, bytes),
                None => log::warn!("the core answered command {id}, which nothing waits for"),
            }
        }
    }
}

fn on_main_thread<R: Runtime>(app: &AppHandle<R>, task: impl FnOnce(&AppHandle<R>) -> Result<()> + Send + 'static) {
    let handle = app.clone();
    if let Err(e) = app.run_on_main_thread(move || {
        if let Err(e) = task(&handle) {
            log::error!("{e}");
        }
    }) {
        log::error!("cannot queue a window request: {e}");
    }
}

/// What the window host and the IPC tests share: the way commands reach
/// the core, window policy, and events for the pages in this process.
pub fn build<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    let bus = events::Bus::<R>::default();
    bus.subscribe(on_event);
    builder.manage(bus).manage(Retention::default()).invoke_handler(on_invoke).on_window_event(on_window_event)
}

fn emit<R: Runtime>(app: &AppHandle<R>, name: &str, payload: Value) {
    if let Err(e) = app.emit(name, payload) {
        log::error!("cannot broadcast {name}: {e}");
    }
}

/// The bus's subscriber where the core and its pages share a process (the IPC tests).
pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: &Event) {
    if let Some(payload) = event.payload() {
        emit(app, event.name(), payload);
    }
}

fn tell_core<R: Runtime>(app: &AppHandle<R>, message: ToCore) {
    if let Some(core) = app.try_state::<Core<R>>() {
        core.link.send(message, Vec::new());
    }
}

/// Every command that a window's capability lets through arrives here. Tauri
/// has already refused the rest, and the core checks the grant again.
pub fn on_invoke<R: Runtime>(invoke: Invoke<R>) -> bool {
    let Invoke { message, resolver, .. } = invoke;
    let webview = message.webview();
    let window = webview.label().to_string();
    let command = message.command().to_string();
    let args = match message.payload() {
        InvokeBody::Json(args) => args.clone(),
        InvokeBody::Raw(_) => Value::Null,
    };
    match webview.try_state::<Core<R>>() {
        Some(core) => {
            let id = core.next_id.fetch_add(1, Ordering::SeqCst);
            core.waiting.lock().unwrap_or_else(|p| p.into_inner()).insert(id, resolver);
            if !core.link.send(ToCore::Invoke { id, window, command, args }, Vec::new()) {
                if let Some(resolver) = core.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&id) {
                    resolver.reject(Error::Window("Trove's core is gone".into()).to_ipc());
                }
            }
        }
        // The core in this same process: the IPC tests.
        None => {
            let app = webview.app_handle().clone();
            tauri::async_runtime::spawn_blocking(move || {
                let (outcome, bytes) = commands::answer(&app, &window, &command, &args);
                answer(resolver, outcome, bytes);
            });
        }
    }
    true
}

fn answer<R: Runtime>(resolver: InvokeResolver<R>, outcome: Outcome, bytes: Vec<u8>) {
    match outcome {
        Outcome::Json => match String::from_utf8(bytes) {
            Ok(json) => resolver.resolve(InvokeResponseBody::Json(json)),
            Err(_) => resolver.reject(Error::System("the core's answer is not UTF-8".into()).to_ipc()),
        },
        Outcome::Bytes => resolver.resolve(Response::new(bytes)),
        Outcome::Error(error) => resolver.reject(error),
    }
}

struct Spec {
    title: &'static str,
    page: &'static str,
    size: (f64, f64),
    resizable: bool,
}

fn spec(window: AppWindow) -> Spec {
    match window {
        AppWindow::Main => Spec { title: "Trove", page: "main.html", size: (720.0, 480.0), resizable: true },
        AppWindow::Settings => {
            Spec { title: "Trove Settings", page: "settings.html", size: (560.0, 720.0), resizable: true }
        }
        AppWindow::About => Spec { title: "About Trove", page: "about.html", size: (440.0, 500.0), resizable: false },
    }
}

fn window_error(window: AppWindow, e: tauri::Error) -> Error {
    Error::Window(format!("{}: {e}", window.label()))
}

/// Closing `main` only hides it, so that reopening is instant; the others go.
fn hides_on_close(window: AppWindow) -> bool {
    window == AppWindow::Main
}

/// Shows `window`, building it first if it does not exist.
fn show<R: Runtime>(app: &AppHandle<R>, window: AppWindow, theme: Theme) -> Result<()> {
    let err = |e| window_error(window, e);
    if let Some(existing) = app.get_webview_window(window.label()) {
        retention(app).transitions.next();
        existing.show().map_err(err)?;
        existing.unminimize().map_err(err)?;
        existing.set_focus().map_err(err)?;
        return Ok(());
    }
    let built = build_window(app, window, theme);
    // The core counts the windows: one that could not be built is as good as gone.
    let change = if built.is_ok() { Change::Created } else { Change::Destroyed };
    tell_core(app, ToCore::Window { window, change });
    built
}

fn build_window<R: Runtime>(app: &AppHandle<R>, window: AppWindow, theme: Theme) -> Result<()> {
    #[cfg(lazy_webkit)]
    crate::lazy_webkit::load().map_err(Error::Window)?;
    let spec = spec(window);
    // The page starts in the right theme, even windows that may not read settings.
    let theme = serde_json::json!(theme);
    let built = WebviewWindowBuilder::new(app, window.label(), WebviewUrl::App(spec.page.into()))
        .initialization_script(format!("window.__TROVE_THEME__ = {theme};"))
        .title(spec.title)
        .inner_size(spec.size.0, spec.size.1)
        .resizable(spec.resizable)
        .center()
        .build()
        .map_err(|e| window_error(window, e))?;
    recover_from_crashes(&built, window);
    log::info!("window {} created", window.label());
    Ok(())
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

/// Does what closing `window` does, if it exists.
fn hide<R: Runtime>(app: &AppHandle<R>, window: AppWindow) -> Result<()> {
    match app.get_webview_window(window.label()) {
        Some(existing) => close(&existing.as_ref().window(), window),
        None => Ok(()),
    }
}

/// What the window manager's close button does: hide `main`, destroy the rest.
fn close<R: Runtime>(window: &tauri::Window<R>, kind: AppWindow) -> Result<()> {
    let err = |e| window_error(kind, e);
    if hides_on_close(kind) {
        window.hide().map_err(err)?;
        // Gone only once the display server has unmapped it and given the
        // keyboard back: a paste after choosing types right after this message.
        if let Ok(gtk) = window.gtk_window() {
            use gtk::prelude::WidgetExt;
            gtk.display().sync();
        }
        tell_core(window.app_handle(), ToCore::Window { window: kind, change: Change::Hidden });
        schedule_release(window.app_handle());
    } else {
        window.destroy().map_err(err)?;
    }
    Ok(())
}

pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    let Some(kind) = AppWindow::from_label(window.label()) else {
        return;
    };
    match event {
        WindowEvent::CloseRequested { api, .. } if hides_on_close(kind) => {
            api.prevent_close();
            if let Err(e) = close(window, kind) {
                log::error!("{e}");
            }
        }
        WindowEvent::Destroyed => {
            log::info!("window {} destroyed", kind.label());
            tell_core(window.app_handle(), ToCore::Window { window: kind, change: Change::Destroyed });
        }
        _ => {}
    }
}

/// How long a hidden `main` is kept. Its release timer acts only if no show
/// or hide of it happened since it was armed (`transitions`).
#[derive(Default)]
pub struct Retention {
    transitions: Generation,
    secs: AtomicU32,
}

fn retention<R: Runtime>(app: &AppHandle<R>) -> tauri::State<'_, Retention> {
    app.state::<Retention>()
}

/// A new retention time applies at once to a `main` that is already hidden.
fn retention_changed<R: Runtime>(app: &AppHandle<R>) {
    if hidden_main(app).is_some() {
        schedule_release(app);
    }
}

fn hidden_main<R: Runtime>(app: &AppHandle<R>) -> Option<WebviewWindow<R>> {
    app.get_webview_window(AppWindow::Main.label()).filter(|w| matches!(w.is_visible(), Ok(false)))
}

fn schedule_release<R: Runtime>(app: &AppHandle<R>) {
    let generation = retention(app).transitions.next();
    let secs = retention(app).secs.load(Ordering::SeqCst);
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
