//! The three windows as the core sees them. The core never loads WebKit: a
//! window host, a child process (`window_host.rs`), builds the windows and
//! holds WebKit while any is open. Here the core starts it on demand, tells it
//! what to show, hide and broadcast, answers its windows' commands, and lets
//! it go once no window has been open for a while.

use crate::app_window::AppWindow;
use crate::events::Event;
use crate::generation::Generation;
use crate::link::{self, Change, Link, Outcome, ToCore, ToHost};
use serde_json::Value;
use std::collections::HashSet;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};
use trove_domain::error::{Error, Result};
use trove_domain::state::AppState;

/// How the core answers a command from one of the host's windows: the
/// window's label, the command and its arguments.
pub type Answer<R> = fn(&AppHandle<R>, &str, &str, &Value) -> (Outcome, Vec<u8>);

/// Managed in the core process only.
pub struct Windows<R: Runtime> {
    answer: Answer<R>,
    host: Mutex<Option<Host>>,
    /// Whether the core last showed or hid `main`.
    shown: AtomicBool,
    /// Counts requests and windows coming and going, so that the host's
    /// release timer can tell whether any happened since it was armed.
    changes: Generation,
    /// How many hosts were started: each host's number.
    started: AtomicU64,
    /// Counts `main` going from the screen, for a paste that must wait until
    /// the keyboard is back with the app the user came from.
    main_gone: (Mutex<u64>, Condvar),
}

/// The running window host.
struct Host {
    link: Link<ToHost>,
    process: Process,
    /// Which host this is: a late message from one that ended is ignored.
    number: u64,
    /// `ToHost::Show` requests sent, and how many of them it has handled.
    shows_sent: u64,
    shows_handled: u64,
    /// Windows it built and has not destroyed.
    open: HashSet<AppWindow>,
    /// `main` was asked for and not destroyed since: its heads are read.
    main: bool,
}

/// A host with no window for this long exits. Long enough for windows that
/// come and go in a row to share one host and its warm WebKit.
const HOST_LINGERS: Duration = Duration::from_secs(5);

/// A host that has not handled a request to show a window by then has hung:
/// it is ended, and a new one shows the window. Building a window takes well
/// under a second.
const SHOW_HANDLED_WITHIN: Duration = Duration::from_secs(10);

/// The host's process until the end of its link reaps it, so that a kill
/// never reaches another process that took over its pid.
#[derive(Clone)]
struct Process(Arc<Mutex<Option<Child>>>);

impl Process {
    fn child(&self) -> MutexGuard<'_, Option<Child>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn kill(&self) {
        if let Some(child) = self.child().as_mut() {
            if let Err(e) = child.kill() {
                log::error!("cannot end window host {}: {e}", child.id());
            }
        }
    }
}

impl Host {
    /// Search needs every clip's head in memory, and reading them takes a while
    /// at 100 000 clips: it happens while `main` is built, once for each `main`.
    fn hold_heads_for_main<R: Runtime>(&mut self, app: &AppHandle<R>) {
        if self.main {
            return;
        }
        self.main = true;
        let history = app.state::<AppState>().history();
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(e) = history.hold_heads() {
                log::error!("cannot read the heads for search: {e}");
            }
        });
    }
}

impl<R: Runtime> Windows<R> {
    pub fn new(answer: Answer<R>) -> Self {
        Windows {
            answer,
            host: Mutex::default(),
            shown: AtomicBool::default(),
            changes: Generation::default(),
            started: AtomicU64::default(),
            main_gone: Default::default(),
        }
    }

    fn host(&self) -> MutexGuard<'_, Option<Host>> {
        self.host.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn windows<R: Runtime>(app: &AppHandle<R>) -> Option<tauri::State<'_, Windows<R>>> {
    app.try_state::<Windows<R>>()
}

/// Shows `window`, starting the host or having it build the window as needed.
pub fn show<R: Runtime>(app: &AppHandle<R>, window: AppWindow) -> Result<()> {
    show_in_host(app, window, true)
}

/// `show`; with `retry`, a host that hangs on the request is replaced and asked again.
fn show_in_host<R: Runtime>(app: &AppHandle<R>, window: AppWindow, retry: bool) -> Result<()> {
    let windows = windows(app).ok_or_else(|| Error::Window("this process shows no windows".into()))?;
    if window == AppWindow::Main && !windows.shown.swap(true, Ordering::SeqCst) {
        if let Some(clipboard) = app.try_state::<trove_desktop::capture::Clipboard>() {
            clipboard.remember_focus();
        }
    }
    let settings = app.state::<AppState>().settings();
    let request = ToHost::Show { window, theme: settings.theme, retain_secs: settings.window_retain_secs };
    let mut slot = windows.host();
    windows.changes.next();
    let host = match slot.take() {
        Some(host) if host.link.send(request.clone(), Vec::new()) => slot.insert(host),
        // None, or one that can no longer be written to: it is ending.
        _ => {
            let started = start_host(app, windows.started.fetch_add(1, Ordering::SeqCst) + 1);
            let host = slot.insert(started.inspect_err(|_| {
                if window == AppWindow::Main {
                    windows.shown.store(false, Ordering::SeqCst);
                }
            })?);
            host.link.send(request, Vec::new());
            host
        }
    };
    host.shows_sent += 1;
    end_if_hung(app, host.number, host.shows_sent, window, retry);
    if window == AppWindow::Main {
        host.hold_heads_for_main(app);
    }
    Ok(())
}

/// Ends host `number` if it has not handled its show request `sent` within
/// `SHOW_HANDLED_WITHIN`, and with `retry` shows `window` in a new host.
fn end_if_hung<R: Runtime>(app: &AppHandle<R>, number: u64, sent: u64, window: AppWindow, retry: bool) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SHOW_HANDLED_WITHIN).await;
        let Some(windows) = windows(&app) else { return };
        let mut slot = windows.host();
        let Some(hung) = slot.take_if(|h| h.number == number && h.shows_handled < sent) else { return };
        // Its windows go with it; `main` stays shown only if it is shown again at once.
        if !(retry && window == AppWindow::Main) {
            windows.shown.store(false, Ordering::SeqCst);
        }
        drop(slot);
        log::error!("the window host has not shown {} in {SHOW_HANDLED_WITHIN:?}: ending it", window.label());
        hung.process.kill();
        if retry {
            if let Err(e) = show_in_host(&app, window, false) {
                log::error!("{e}");
            }
        }
    });
}

/// Hides `main` if the core last showed it, shows it otherwise.
pub fn toggle_main<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    match windows(app) {
        Some(windows) if windows.shown.load(Ordering::SeqCst) => {
            hide(app, AppWindow::Main);
            Ok(())
        }
        _ => show(app, AppWindow::Main),
    }
}

/// Does what closing `window` does, if it exists.
pub fn hide<R: Runtime>(app: &AppHandle<R>, window: AppWindow) {
    if let Some(windows) = windows(app) {
        if window == AppWindow::Main {
            windows.shown.store(false, Ordering::SeqCst);
        }
        send(&windows, ToHost::Hide { window });
    }
}

/// `hide` of `main`, returning once the host says it has gone from the screen,
/// or after `within`. Blocking: not for the main thread, which hears the host.
pub fn hide_main_and_wait<R: Runtime>(app: &AppHandle<R>, within: Duration) {
    let Some(windows) = windows(app) else { return };
    let (count, gone) = &windows.main_gone;
    let before = *count.lock().unwrap_or_else(|p| p.into_inner());
    hide(app, AppWindow::Main);
    let waited = gone.wait_timeout_while(count.lock().unwrap_or_else(|p| p.into_inner()), within, |n| *n == before);
    if waited.is_ok_and(|(_, timeout)| timeout.timed_out()) {
        log::warn!("the history window did not report itself hidden within {within:?}");
    }
}

fn main_gone<R: Runtime>(windows: &Windows<R>) {
    let (count, gone) = &windows.main_gone;
    *count.lock().unwrap_or_else(|p| p.into_inner()) += 1;
    gone.notify_all();
}

/// Sends a core event to every open window.
/// The bus's subscriber for the pages: every event goes to the window host's
/// windows, and a new retention time applies at once to a hidden `main`.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: &Event) {
    let Some(windows) = windows(app) else { return };
    if let Some(payload) = event.payload() {
        send(&windows, ToHost::Event { name: event.name().into(), payload });
    }
    if let Event::SettingsChanged(settings) = event {
        send(&windows, ToHost::Retain { secs: settings.window_retain_secs });
    }
}

/// To the running host, if any: with none, no window is open to care.
fn send<R: Runtime>(windows: &Windows<R>, message: ToHost) {
    if let Some(host) = windows.host().as_ref() {
        host.link.send(message, Vec::new());
    }
}

/// Starts `trove` again as the window host, on one end of a socket pair.
fn start_host<R: Runtime>(app: &AppHandle<R>, number: u64) -> Result<Host> {
    let fail = |e: std::io::Error| Error::Window(format!("cannot start the window host: {e}"));
    let (ours, theirs) = UnixStream::pair().map_err(fail)?;
    let mut command = std::process::Command::new("/proc/self/exe");
    command.arg0(std::env::args_os().next().unwrap_or_else(|| "trove".into())).arg(link::HOST_ARG);
    let fd = std::os::fd::AsRawFd::as_raw_fd(&theirs);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            // dup2 onto itself would leave close-on-exec set.
            let moved =
                if fd == link::HOST_FD { libc::fcntl(fd, libc::F_SETFD, 0) } else { libc::dup2(fd, link::HOST_FD) };
            if moved < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn().map_err(fail)?;
    drop(theirs);
    log::info!("window host {} started", child.id());
    let process = Process(Arc::new(Mutex::new(Some(child))));
    let (on_message, on_end, ended) = (app.clone(), app.clone(), process.clone());
    let link = Link::start(
        ours,
        move |message, _| from_host(&on_message, number, message),
        move |error| {
            if let Some(e) = error {
                log::error!("cannot read from the window host: {e}");
                ended.kill();
            }
            // Taken out first: a kill meanwhile must not wait for the host to end.
            let child = ended.child().take();
            if let Some(mut child) = child {
                match child.wait() {
                    Ok(status) if status.success() => log::info!("window host {} exited", child.id()),
                    Ok(status) => log::warn!("window host {} ended: {status}", child.id()),
                    Err(e) => log::error!("cannot wait for the window host: {e}"),
                }
            }
            host_ended(&on_end, number);
        },
    )
    .map_err(fail)?;
    Ok(Host { link, process, number, shows_sent: 0, shows_handled: 0, open: HashSet::new(), main: false })
}

fn from_host<R: Runtime>(app: &AppHandle<R>, number: u64, message: ToCore) {
    match message {
        ToCore::Invoke { id, window, command, args } => {
            let Some(answer) = windows(app).map(|w| w.answer) else { return };
            let app = app.clone();
            tauri::async_runtime::spawn_blocking(move || {
                let (outcome, bytes) = answer(&app, &window, &command, &args);
                if let Some(windows) = windows(&app) {
                    if let Some(host) = windows.host().as_ref().filter(|h| h.number == number) {
                        host.link.send(ToHost::Reply { id, outcome }, bytes);
                    }
                }
            });
        }
        ToCore::Window { window, change } => window_changed(app, number, window, change),
        ToCore::ShowHandled => {
            let Some(windows) = windows(app) else { return };
            let mut slot = windows.host();
            if let Some(host) = slot.as_mut().filter(|h| h.number == number) {
                host.shows_handled += 1;
            }
        }
    }
}

fn window_changed<R: Runtime>(app: &AppHandle<R>, number: u64, window: AppWindow, change: Change) {
    let Some(windows) = windows(app) else { return };
    let mut slot = windows.host();
    let Some(host) = slot.as_mut().filter(|h| h.number == number) else { return };
    let main = window == AppWindow::Main;
    match change {
        Change::Created => {
            windows.changes.next();
            host.open.insert(window);
            if main {
                // Read again if `main` was destroyed while this one was asked for.
                host.hold_heads_for_main(app);
            }
        }
        Change::Hidden if main => {
            windows.shown.store(false, Ordering::SeqCst);
            main_gone(&windows);
        }
        Change::Hidden => {}
        Change::Destroyed => {
            let generation = windows.changes.next();
            host.open.remove(&window);
            if host.open.is_empty() {
                release_host_when_quiet(app, generation);
            }
            if main {
                host.main = false;
                windows.shown.store(false, Ordering::SeqCst);
                main_gone(&windows);
                drop(slot);
                app.state::<AppState>().history().drop_heads();
            }
        }
    }
}

/// Lets the host go if no window comes or goes for `HOST_LINGERS`.
fn release_host_when_quiet<R: Runtime>(app: &AppHandle<R>, armed: u64) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(HOST_LINGERS).await;
        let Some(windows) = windows(&app) else { return };
        let mut slot = windows.host();
        if windows.changes.is_current(armed) && slot.as_ref().is_some_and(|h| h.open.is_empty()) {
            log::info!("no window is open; letting the window host go");
            // Dropping the link closes the socket, which the host takes as its cue to exit.
            slot.take();
        }
    });
}

/// After the host exited, by request or not: whatever it held is gone.
fn host_ended<R: Runtime>(app: &AppHandle<R>, number: u64) {
    let Some(windows) = windows(app) else { return };
    let mut slot = windows.host();
    if slot.as_ref().is_some_and(|h| h.number == number) {
        log::warn!("the window host ended before Trove let it go");
        slot.take();
        windows.shown.store(false, Ordering::SeqCst);
    }
    let heads_needed = slot.as_ref().is_some_and(|h| h.main);
    drop(slot);
    if !heads_needed {
        app.state::<AppState>().history().drop_heads();
    }
    crate::idle::return_free_heap();
}
