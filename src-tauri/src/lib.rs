//! Trove's core process: wires the store, tray, windows and IPC together.

mod actions;
#[cfg(test)]
mod bindings;
pub mod cli;
mod commands;
pub mod error;
mod events;
pub mod permissions;
pub mod settings;
mod signals;
pub mod state;
pub mod store;
mod tray;
pub mod windows;

use clap::Parser;
use state::AppState;
use std::path::PathBuf;
use std::process::ExitCode;
use tauri::{Builder, RunEvent, Runtime};

/// Must equal `identifier` in tauri.conf.json.
pub const IDENTIFIER: &str = "dev.trove.Trove";

/// What the real app and the IPC tests share: state, commands, window policy.
pub fn build<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .manage(state)
        .manage(windows::Retention::default())
        .invoke_handler(tauri::generate_handler![
            commands::get_settings,
            commands::update_settings,
            commands::get_capture_state,
            commands::set_capture_paused,
            commands::app_info,
        ])
        .on_window_event(windows::on_window_event)
}

/// Opens the database in `data_dir`, or says why it cannot.
pub fn open_state(data_dir: PathBuf) -> error::Result<AppState> {
    let store = store::Store::open(&data_dir.join("db"))?;
    AppState::new(store, data_dir)
}

pub fn run() -> ExitCode {
    let cli = cli::Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("trove=info"))
        .init();

    let Some(data_dir) = cli
        .data_dir
        .or_else(|| dirs::data_dir().map(|d| d.join(IDENTIFIER)))
    else {
        eprintln!("trove: no data dir: set HOME, XDG_DATA_HOME or pass --data-dir");
        return ExitCode::FAILURE;
    };
    let state = match open_state(data_dir) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("trove: {e}");
            return ExitCode::FAILURE;
        }
    };

    let app = build(tauri::Builder::default(), state)
        .setup(move |app| {
            tray::create(app.handle())?;
            signals::install(app.handle().clone())?;
            if let Some(cli::Command::Show { window }) = cli.command {
                windows::show(app.handle(), window)?;
            }
            log::info!("ready");
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("trove: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = app.run_return(|app, event| match event {
        // The last window closing is normal: Trove lives on in the tray.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        RunEvent::Exit => {
            use tauri::Manager;
            if let Err(e) = app.state::<AppState>().flush() {
                log::error!("final flush failed: {e}");
            }
            log::info!("exiting");
        }
        _ => {}
    });
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
