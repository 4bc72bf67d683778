//! The history's display order in memory, with each clip's searchable head,
//! so that paging and search read no page of sled. No tauri here.

use std::collections::BTreeMap;

/// `[pinned][rank]`: pinned clips after the others, larger ranks later, so
/// the display order is the reverse of the key order.
pub type Key = [u8; 9];

/// In memory a head keeps at most this many bytes; the rest of it stays in
/// sled, read only when a search has not matched the part kept here.
pub const HEAD_BYTES: usize = 512;

struct Entry {
    id: u64,
    head: Box<str>,
    cut: bool,
}

/// One clip as `Order::iter` visits it.
pub struct Listed<'a> {
    pub key: &'a Key,
    pub id: u64,
    /// The head, or its first `HEAD_BYTES` when `cut`.
    pub head: &'a str,
    pub cut: bool,
}

#[derive(Default)]
pub struct Order(BTreeMap<Key, Entry>);

impl Order {
    pub fn insert(&mut self, key: Key, id: u64, head: &str) {
        let kept = &head[..crate::clip::floor_char_boundary(head.as_bytes(), HEAD_BYTES)];
        let entry = Entry {
            id,
            head: kept.into(),
            cut: kept.len() < head.len(),
        };
        self.0.insert(key, entry);
    }

    pub fn remove(&mut self, key: &Key) {
        self.0.remove(key);
    }

    /// Moves a clip to `to`, keeping its head; `id` with an empty head if it was not listed.
    pub fn rekey(&mut self, from: &Key, to: Key, id: u64) {
        let entry = self.0.remove(from).unwrap_or(Entry {
            id,
            head: "".into(),
            cut: false,
        });
        self.0.insert(to, entry);
    }

    /// Every clip in display order: pinned first, then larger rank first.
    pub fn iter(&self) -> impl Iterator<Item = Listed<'_>> {
        self.0.iter().rev().map(listed)
    }

    /// The unpinned clips, newest first.
    pub fn unpinned(&self) -> impl Iterator<Item = Listed<'_>> {
        self.0.range(..[1, 0, 0, 0, 0, 0, 0, 0, 0]).rev().map(listed)
    }
}

fn listed<'a>((key, entry): (&'a Key, &'a Entry)) -> Listed<'a> {
    Listed {
        key,
        id: entry.id,
        head: &entry.head,
        cut: entry.cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(pinned: bool, rank: u64) -> Key {
        let mut key = [u8::from(pinned); 9];
        key[1..].copy_from_slice(&rank.to_be_bytes());
        key
    }

    #[test]
    fn pinned_come_first_then_the_larger_rank() {
        let mut order = Order::default();
        order.insert(key(false, 1), 10, "old");
        order.insert(key(true, 0), 30, "pinned");
        order.insert(key(false, 2), 20, "new");
        assert_eq!(order.iter().map(|l| l.id).collect::<Vec<_>>(), [30, 20, 10]);
        assert_eq!(order.unpinned().map(|l| l.id).collect::<Vec<_>>(), [20, 10]);
        order.rekey(&key(false, 1), key(false, 3), 10);
        order.remove(&key(true, 0));
        assert_eq!(order.iter().map(|l| (l.id, l.head)).collect::<Vec<_>>(), [(10, "old"), (20, "new")]);
    }

    #[test]
    fn long_heads_are_cut_at_a_character_boundary_and_marked() {
        let mut order = Order::default();
        let long = "é".repeat(HEAD_BYTES);
        order.insert(key(false, 1), 1, &long);
        let listed = order.iter().next().unwrap();
        assert!(listed.cut && listed.head.len() == HEAD_BYTES && listed.head.chars().all(|c| c == 'é'));
    }
}
