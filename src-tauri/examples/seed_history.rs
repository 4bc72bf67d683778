//! `seed_history DATA_DIR COUNT [RETAIN_SECS]`: fills a Trove data dir with
//! COUNT distinct text clips through Trove's own store, as that many captures
//! would, and allows a history that large. For `make bench`.

use trove_lib::clip::{Captured, Selection};

#[path = "../benches/support/sample.rs"]
mod sample;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: seed_history DATA_DIR COUNT [RETAIN_SECS]";
    let dir = args.next().ok_or(usage)?;
    let count: u64 = args.next().ok_or(usage)?.parse()?;
    let state = trove_lib::state::AppState::open(dir.into())?;
    let mut settings = state.settings();
    settings.history_max_items = trove_lib::settings::HISTORY_MAX_ITEMS.end().to_owned();
    if let Some(secs) = args.next() {
        settings.window_retain_secs = secs.parse()?;
    }
    state.update_settings(settings)?;
    for i in 0..count {
        state.record(&Captured::text(sample::text(i)), Selection::Clipboard)?;
    }
    state.flush()?;
    println!("{} clips", state.history().len());
    Ok(())
}
