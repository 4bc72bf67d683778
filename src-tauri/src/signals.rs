//! SIGTERM and SIGINT end Trove the same way the tray's Quit does.

use crate::actions;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use tauri::{AppHandle, Runtime};

pub fn install<R: Runtime>(app: AppHandle<R>) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for signal in signals.forever() {
            if signal == SIGHUP {
                // A tray app outlives the terminal that started it.
                log::info!("SIGHUP received and ignored; quit from the tray or with SIGTERM");
            } else {
                log::info!("signal {signal} received");
                actions::quit(&app);
            }
        }
    })?;
    Ok(())
}
