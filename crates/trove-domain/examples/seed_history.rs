//! `seed_history DATA_DIR COUNT [RETAIN_SECS]`: fills a Trove data dir with
//! COUNT distinct text clips through Trove's own store, as that many captures
//! would, and allows a history that large. For `make bench`.
//!
//! `seed_history --texts COUNT`: prints those texts instead, one per line, for
//! filling another clipboard manager with the same clips.

use std::io::Write;
use trove_domain::clip::{Captured, Selection};

#[path = "../benches/support/sample.rs"]
mod sample;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: seed_history DATA_DIR COUNT [RETAIN_SECS] | seed_history --texts COUNT";
    let dir = args.next().ok_or(usage)?;
    if dir == "--texts" {
        let count: u64 = args.next().ok_or(usage)?.parse()?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for i in 0..count {
            writeln!(out, "{}", sample::text(i))?;
        }
        return Ok(out.flush()?);
    }
    let count: u64 = args.next().ok_or(usage)?.parse()?;
    let state = trove_domain::state::AppState::open(dir.into())?;
    let mut settings = state.settings();
    settings.history_max_items = trove_domain::settings::HISTORY_MAX_ITEMS.end().to_owned();
    if let Some(secs) = args.next() {
        settings.window_retain_secs = secs.parse()?;
    }
    state.update_settings(settings)?;
    for i in 0..count {
        state.record(&Captured::text(sample::text(i)), Selection::Clipboard)?;
    }
    state.close()?;
    println!("{} clips", state.history().len());
    Ok(())
}
