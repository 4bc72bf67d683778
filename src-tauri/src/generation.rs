//! `Generation`, which the core's and the window host's release timers both keep.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counts changes, so that a timer can tell whether any happened since it was armed.
#[derive(Default)]
pub struct Generation(AtomicU64);

impl Generation {
    pub fn next(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn is_current(&self, generation: u64) -> bool {
        self.0.load(Ordering::SeqCst) == generation
    }
}
