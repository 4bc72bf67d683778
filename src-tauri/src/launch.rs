//! What a launch of `trove` asks for, whether it starts Trove or is forwarded
//! to the running one by a second launch.

use crate::app_window::AppWindow;
use crate::cli::{Cli, Command};
use crate::{actions, desktop, tray, windows};
use clap::Parser;
use tauri::{AppHandle, Manager, Runtime};
use trove_desktop::session;
use trove_domain::error::Result;
use trove_domain::integration::{DisplaySession, ShellExtension};
use trove_domain::state::AppState;

pub fn perform<R: Runtime>(app: &AppHandle<R>, request: Command, origin: &str) -> Result<()> {
    log::info!("{origin} request: {request:?}");
    match request {
        Command::Show { window } => windows::show(app, window),
        Command::Toggle => windows::toggle_main(app),
        Command::Pause => actions::set_capture_paused(app, true).map(drop),
        Command::Resume => actions::set_capture_paused(app, false).map(drop),
        Command::Quit => {
            actions::quit(app);
            Ok(())
        }
    }
}

/// Called with a second launch's argv. That process has already parsed it; it
/// is parsed again here because the socket is not trusted to carry only what
/// `trove` sends.
pub fn on_second_launch<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>) {
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => {
            log::warn!("ignored a forwarded command line that does not parse ({:?})", e.kind());
            return;
        }
    };
    let Some(request) = cli.forwarded_request() else {
        return;
    };
    // Queued on the event loop, which runs only once setup has finished.
    let handle = app.clone();
    let queued = app.run_on_main_thread(move || {
        if let Err(e) = perform(&handle, request, "forwarded") {
            log::error!("{e}");
        }
    });
    if let Err(e) = queued {
        log::error!("cannot queue a forwarded request: {e}");
    }
}

/// Started from a launcher where nothing would show Trove (a Wayland desktop
/// with no tray and no Trove extension), it shows the history with a hint
/// instead of running unseen.
pub fn show_if_unseen<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    if session::current() != DisplaySession::Wayland || tray::has_host(app) {
        return Ok(());
    }
    let extension = desktop::extension_state(app);
    if desktop::binds_keys(extension) {
        return Ok(());
    }
    let hint = match extension {
        ShellExtension::NotGnome => {
            "This desktop shows no tray icon for Trove: bind `trove toggle` to a key in its settings to open the history."
        }
        ShellExtension::Off => {
            "GNOME shows no tray icon: turn on the Trove extension in Settings for a top bar menu and the shortcut."
        }
        _ => "GNOME shows no tray icon: install the Trove GNOME Shell extension, or bind `trove toggle` to a key.",
    };
    log::warn!("no tray and no shortcut here: showing the history with a hint");
    app.state::<AppState>().set_desktop_hint(Some(hint.into()));
    windows::show(app, AppWindow::Main)
}
