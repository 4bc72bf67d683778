//! Text as search sees it: folded to lower case character by character, and
//! the kinds of byte it holds. The order keeps clip heads folded, and search
//! folds queries and texts, the same way.

pub fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// `text` lower-cased one character for one character, so that character
/// positions in it are positions in `text`.
pub fn fold_text(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.chars().map(fold).collect()
    }
}

/// Which kinds of byte `bytes` holds, a bit for each: a text that lacks a
/// kind its query holds cannot match it, which is cheaper to see than to search.
pub fn byte_kinds(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |kinds, &b| {
        let kind = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + b - b'0',
            _ => 36 + b % 28,
        };
        kinds | 1 << kind
    })
}
