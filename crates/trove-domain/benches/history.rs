//! Micro-benchmarks of the hot paths, without a GUI: storing a capture
//! (flushed), searching 100 000 clips, and paging through them.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use trove_domain::clip::{Captured, Selection};
use trove_domain::history::{History, Limits};
use trove_domain::search::{search, SearchMode, SearchQuery};
use trove_domain::store::Store;

#[path = "support/sample.rs"]
mod sample;

const LARGE: u64 = 100_000;
const LIMITS: Limits = Limits { max_items: LARGE, max_age_ms: 0, max_total_bytes: u64::MAX };

/// A history of `n` clips in a temporary dir, on tmpfs where there is one,
/// so that seeding does not wait for the disk.
fn history(n: u64) -> (tempfile::TempDir, Store, History) {
    let dir = tempfile::tempdir_in("/dev/shm").or_else(|_| tempfile::tempdir()).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (history, _) = History::open(&store).unwrap();
    for i in 0..n {
        history.record(&Captured::text(sample::text(i)), Selection::Clipboard, i, LIMITS).unwrap();
    }
    (dir, store, history)
}

fn capture_to_store(c: &mut Criterion) {
    let (_dir, _store, history) = history(1_000);
    let mut i = 1_000_000;
    c.bench_function("record a new text clip (durable)", |b| {
        b.iter(|| {
            i += 1;
            history.record(&Captured::text(sample::text(i)), Selection::Clipboard, i, LIMITS).unwrap()
        })
    });
}

fn search_large(c: &mut Criterion) {
    let (_dir, _store, history) = history(LARGE);
    for (text, mode) in
        [("srvr tkn", SearchMode::Fuzzy), ("invoice budget", SearchMode::Exact), ("zzzz", SearchMode::Fuzzy)]
    {
        let query = SearchQuery { text: text.into(), mode, offset: 0, limit: 50 };
        c.bench_function(&format!("search {LARGE} clips: {mode:?} {text:?}"), |b| {
            b.iter(|| search(&history, black_box(&query)).unwrap())
        });
    }
    for offset in [0, LARGE / 2] {
        c.bench_function(&format!("page of 100 at offset {offset} of {LARGE}"), |b| {
            b.iter(|| history.page(black_box(offset), 100).unwrap())
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = capture_to_store, search_large
}
criterion_main!(benches);
