//! Clip texts for benchmarks: distinct, deterministic, of realistic length.

const WORDS: [&str; 24] = [
    "alpha", "branch", "commit", "deploy", "email", "invoice", "meeting", "notes", "password", "query", "release",
    "server", "ticket", "update", "address", "budget", "client", "draft", "report", "review", "schedule", "token",
    "upload", "version",
];

/// A deterministic sentence of 3 to 40 words for clip `i`.
pub fn text(i: u64) -> String {
    let mut x = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = || {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51afd7ed558ccd);
        x ^= x >> 29;
        x
    };
    let words = 3 + next() % 38;
    let mut out = format!("clip {i}:");
    for _ in 0..words {
        out.push(' ');
        out.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
    }
    out
}
