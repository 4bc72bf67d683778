//! Trove's two processes, wired here: the core (store, capture, tray, the answers to
//! every command) and the window host that it starts for the windows.

mod actions;
pub mod app_window;
mod appearance;
mod autostart;
#[cfg(test)]
mod bindings;
pub mod cli;
pub mod commands;
mod desktop;
mod events;
mod generation;
mod gl;
mod idle;
mod launch;
#[cfg(lazy_webkit)]
mod lazy_webkit;
mod link;
mod process;
mod signals;
mod tray;
mod window_host;
mod windows;

use cli::Command;
use desktop::Intent;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tauri::{AppHandle, Manager, RunEvent, Runtime};
use trove_desktop::{instance, session};
use trove_domain::integration::DisplaySession;
use trove_domain::state::AppState;

/// Must equal `identifier` in tauri.conf.json.
pub const IDENTIFIER: &str = "dev.trove.Trove";

pub use window_host::build;

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
    if std::env::args_os().nth(1).is_some_and(|arg| arg == link::HOST_ARG) {
        init_log();
        return window_host::run();
    }
    let cli = cli::Cli::parse_or_exit();
    init_log();

    let Some(data_dir) = cli.data_dir.clone().or_else(|| dirs::data_dir().map(|d| d.join(IDENTIFIER))) else {
        eprintln!("trove: no data dir: set HOME, XDG_DATA_HOME or pass --data-dir");
        return ExitCode::FAILURE;
    };
    let argv: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
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
        eprintln!("trove: no display: Trove needs a graphical session (DISPLAY or WAYLAND_DISPLAY)");
        return ExitCode::FAILURE;
    }
    if session::current() == DisplaySession::X11 {
        gl::keep_out_of_core();
    }
    let app = tauri::Builder::default().setup(move |app| {
        let start = Start { data_dir, command, quiet, bus_name, primary };
        process::leave_on_error(app, start.run(app.handle()));
        Ok(())
    });
    process::run_app(app, "Trove", |app, event| {
        if let RunEvent::Exit = event {
            if let Err(e) = app.state::<AppState>().close() {
                log::error!("cannot close the history cleanly: {e}");
            }
            log::info!("exiting");
        }
    })
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
        app.manage(windows::Windows::<R>::new(commands::answer));
        // The core's consumers of every change; the tray first, so that
        // whoever hears of a change from a window finds the menu caught up.
        let bus = events::Bus::<R>::default();
        bus.subscribe(|app, _| tray::refresh(app));
        bus.subscribe(windows::on_event);
        app.manage(bus);
        actions::start_capture(app)?;
        if let Err(e) = autostart::reconcile(app) {
            log::error!("{e}");
        }
        desktop::start(app, &self.bus_name, tray::menu(app), on_desktop);
        tray::create(app)?;
        signals::install(app.clone())?;
        let handle = app.clone();
        self.primary.serve(move |argv| launch::on_second_launch(&handle, argv))?;
        if let Some(request) = self.command {
            launch::perform(app, request, "command line")?;
        }
        if !self.quiet {
            launch::show_if_unseen(app)?;
        }
        idle::return_free_heap();
        log::info!("ready");
        Ok(())
    }
}

/// What the desktop's adapters ask for, carried out by the app.
fn on_desktop<R: Runtime>(app: &AppHandle<R>, intent: Intent) {
    match intent {
        Intent::Toggle => {
            if let Err(e) = windows::toggle_main(app) {
                log::error!("{e}");
            }
        }
        Intent::Menu(action) => tray::perform(app, action),
        Intent::CaptureMeansChanged => actions::capture_method_changed(app, None),
        Intent::ShortcutChanged => tray::refresh(app),
    }
}
