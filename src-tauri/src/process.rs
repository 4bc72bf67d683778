//! What the core and the window host both do to run Tauri: one context (the
//! config, the capabilities and the pages) and one way to start and to fail.

use std::process::ExitCode;
use tauri::{AppHandle, Builder, RunEvent};

/// The app's config, capabilities and pages, for the core and the window host alike.
fn context() -> tauri::Context {
    tauri::generate_context!()
}

/// For setup: an error returned from there would make Tauri panic; leave plainly instead.
pub fn leave_on_error<E: std::fmt::Display>(app: &tauri::App, result: Result<(), E>) {
    if let Err(e) = result {
        eprintln!("trove: {e}");
        app.cleanup_before_exit();
        std::process::exit(1);
    }
}

pub fn run_app(
    builder: Builder<tauri::Wry>,
    what: &str,
    on_event: impl FnMut(&AppHandle, RunEvent) + 'static,
) -> ExitCode {
    match builder.build(context()) {
        Ok(app) => ExitCode::from(u8::try_from(app.run_return(on_event)).unwrap_or(1)),
        Err(e) => {
            eprintln!("trove: {what} cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}
