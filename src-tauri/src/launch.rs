//! What a launch of `trove` asks for, whether it starts Trove or is forwarded
//! to the running one by a second launch.

use crate::actions;
use crate::cli::{Cli, Command};
use crate::error::Result;
use crate::windows;
use clap::Parser;
use tauri::{AppHandle, Runtime};

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
            log::warn!(
                "ignored a forwarded command line that does not parse ({:?})",
                e.kind()
            );
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
