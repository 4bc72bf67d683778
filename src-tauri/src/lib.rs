//! Trove's two processes, wired here: the core (store, capture, tray, the answers to
//! every command) and the window host that it starts for the windows.

mod actions;
mod appearance;
mod autostart;
mod bus;
#[cfg(test)]
mod bindings;
mod capture;
pub mod cli;
pub mod clip;
mod commands;
mod desktop;
pub mod error;
mod events;
mod gl;
mod gnome_shell;
pub mod history;
mod idle;
mod order;
mod instance;
mod launch;
mod lazy_webkit;
mod link;
pub mod permissions;
mod portal_shortcut;
pub mod privacy;
pub mod search;
pub mod session;
pub mod settings;
mod shortcut;
mod signals;
pub mod state;
pub mod store;
mod tray;
mod window_host;
pub mod windows;

use cli::Command;
use state::AppState;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tauri::{AppHandle, Builder, Manager, RunEvent, Runtime};

/// Must equal `identifier` in tauri.conf.json.
pub const IDENTIFIER: &str = "dev.trove.Trove";

/// What the window host and the IPC tests share: the way commands reach
/// the core, and window policy.
pub fn build<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .manage(window_host::Retention::default())
        .invoke_handler(window_host::on_invoke)
        .on_window_event(window_host::on_window_event)
}

/// The app's config, capabilities and pages, for the core and the window host alike.
fn context() -> tauri::Context {
    tauri::generate_context!()
}

fn init_log() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("trove=info")).init();
}

/// One running Trove per data dir: a second launch with the same data dir is
/// forwarded to it, one with another data dir starts its own.
fn instance_id(custom_data_dir: Option<&Path>) -> String {
    match custom_data_dir {
        None => IDENTIFIER.to_string(),
        Some(dir) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            dir.hash(&mut hasher);
            format!("{IDENTIFIER}.d{:016x}", hasher.finish())
        }
    }
}

pub fn run() -> ExitCode {
    // Whatever Trove writes (clips, settings, its socket) is for this user only.
    // SAFETY: umask only swaps the process's file-creation mask.
    unsafe { libc::umask(0o077) };
    if std::env::args_os().nth(1).is_some_and(|arg| arg == window_host::ARG) {
        init_log();
        return window_host::run();
    }
    let cli = cli::Cli::parse_or_exit();
    init_log();

    let Some(data_dir) = cli
        .data_dir
        .clone()
        .or_else(|| dirs::data_dir().map(|d| d.join(IDENTIFIER)))
    else {
        eprintln!("trove: no data dir: set HOME, XDG_DATA_HOME or pass --data-dir");
        return ExitCode::FAILURE;
    };
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // First, so that a second launch hands its request over before loading any GUI.
    let primary = match instance::claim(&instance_id(cli.data_dir.as_deref()), &argv) {
        Ok(instance::Claim::Primary(primary)) => primary,
        Ok(instance::Claim::Forwarded) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trove: cannot reach or become the running Trove: {e}");
            return ExitCode::FAILURE;
        }
    };
    let command = cli.command;
    let quiet = cli.hidden || command.is_some();
    let bus_name = instance_id(cli.data_dir.as_deref());
    if command == Some(Command::Quit) {
        println!("Trove is not running.");
        return ExitCode::SUCCESS;
    }
    let set = |var| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
        eprintln!(
            "trove: no display: Trove needs a graphical session (DISPLAY or WAYLAND_DISPLAY)"
        );
        return ExitCode::FAILURE;
    }
    if session::DisplaySession::current() == session::DisplaySession::X11 {
        gl::keep_out_of_core();
    }
    let app = tauri::Builder::default()
        .setup(move |app| {
            let start = Start { data_dir, command, quiet, bus_name, primary };
            leave_on_error(app, start.run(app.handle()));
            Ok(())
        });
    run_app(app, "Trove", |app, event| {
        if let RunEvent::Exit = event {
            if let Err(e) = app.state::<AppState>().close() {
                log::error!("cannot close the history cleanly: {e}");
            }
            log::info!("exiting");
        }
    })
}

/// For setup: an error returned from there would make Tauri panic; leave plainly instead.
fn leave_on_error<E: std::fmt::Display>(app: &tauri::App, result: Result<(), E>) {
    if let Err(e) = result {
        eprintln!("trove: {e}");
        app.cleanup_before_exit();
        std::process::exit(1);
    }
}

fn run_app(builder: Builder<tauri::Wry>, what: &str, on_event: impl FnMut(&AppHandle, RunEvent) + 'static) -> ExitCode {
    match builder.build(context()) {
        Ok(app) => ExitCode::from(u8::try_from(app.run_return(on_event)).unwrap_or(1)),
        Err(e) => {
            eprintln!("trove: {what} cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the core starts with, once this process is known to be the only Trove for its data dir.
struct Start {
    data_dir: PathBuf,
    command: Option<Command>,
    /// `--hidden` or a command: nothing is shown but what was asked for.
    quiet: bool,
    /// The session-bus name of this Trove: one per data dir, like the instance.
    bus_name: String,
    primary: instance::Primary,
}

impl Start {
    fn run<R: Runtime>(self, app: &AppHandle<R>) -> Result<(), Box<dyn std::error::Error>> {
        app.manage(AppState::open(self.data_dir)?);
        app.manage(windows::Windows::default());
        capture::start(app)?;
        if let Err(e) = autostart::reconcile(app) {
            log::error!("{e}");
        }
        desktop::start(app, &self.bus_name);
        shortcut::start(app);
        tray::create(app)?;
        signals::install(app.clone())?;
        let handle = app.clone();
        self.primary.serve(move |argv| launch::on_second_launch(&handle, argv))?;
        if let Some(request) = self.command {
            launch::perform(app, request, "command line")?;
        }
        if !self.quiet {
            desktop::show_if_unseen(app)?;
        }
        idle::return_free_heap();
        log::info!("ready");
        Ok(())
    }
}
