//! The history's display order in memory, with each clip's searchable head
//! folded for search, so that paging and search read no page of sled.
//! The heads sit end to end in one buffer, which search reads front to
//! back. No tauri here.

use std::collections::BTreeMap;

/// `[pinned][rank]`: pinned clips after the others, larger ranks later, so
/// the display order is the reverse of the key order.
pub type Key = [u8; 9];

/// In memory a head keeps at most this many bytes; the rest of it stays in
/// sled, read only when a search has not matched the part kept here.
pub const HEAD_BYTES: usize = 512;

/// Dead heads are dropped from the buffer once they are this many bytes and
/// outweigh the live ones.
const COMPACT_AFTER_BYTES: usize = 1 << 20;

#[derive(Clone)]
struct Slot {
    key: Key,
    id: u64,
    start: usize,
    end: usize,
    kinds: u64,
    cut: bool,
    live: bool,
}

/// One clip as the order lists it.
pub struct Listed<'a> {
    pub key: &'a Key,
    pub id: u64,
    /// The head, or its first `HEAD_BYTES` when `cut`, through `search::fold_text`.
    pub head: &'a str,
    /// `search::byte_kinds` of `head`.
    pub kinds: u64,
    pub cut: bool,
}

#[derive(Default)]
pub struct Order {
    by_key: BTreeMap<Key, usize>,
    slots: Vec<Slot>,
    heads: String,
    dead_bytes: usize,
}

impl Order {
    pub fn insert(&mut self, key: Key, id: u64, head: &str) {
        self.remove(&key);
        let kept = &head[..crate::clip::floor_char_boundary(head.as_bytes(), HEAD_BYTES)];
        let start = self.heads.len();
        self.heads.push_str(&crate::search::fold_text(kept));
        self.by_key.insert(key, self.slots.len());
        self.slots.push(Slot {
            key,
            id,
            start,
            end: self.heads.len(),
            kinds: crate::search::byte_kinds(&self.heads.as_bytes()[start..]),
            cut: kept.len() < head.len(),
            live: true,
        });
    }

    pub fn remove(&mut self, key: &Key) {
        if let Some(at) = self.by_key.remove(key) {
            let slot = &mut self.slots[at];
            slot.live = false;
            self.dead_bytes += slot.end - slot.start;
            self.compact_if_worth_it();
        }
    }

    /// Moves a clip to `to`, keeping its head; `id` with an empty head if it was not listed.
    pub fn rekey(&mut self, from: &Key, to: Key, id: u64) {
        match self.by_key.remove(from) {
            Some(at) => {
                self.slots[at].key = to;
                self.by_key.insert(to, at);
            }
            None => self.insert(to, id, ""),
        }
    }

    /// Every clip in display order: pinned first, then larger rank first.
    pub fn iter(&self) -> impl Iterator<Item = Listed<'_>> {
        self.by_key.values().rev().map(|&at| self.listed(&self.slots[at]))
    }

    /// The unpinned clips, newest first.
    pub fn unpinned(&self) -> impl Iterator<Item = Listed<'_>> {
        self.by_key
            .range(..[1, 0, 0, 0, 0, 0, 0, 0, 0])
            .rev()
            .map(|(_, &at)| self.listed(&self.slots[at]))
    }

    /// Every clip in the order its head was stored, split into `parts`
    /// runs of about equal length to be searched side by side.
    pub fn in_parts(&self, parts: usize) -> impl Iterator<Item = impl Iterator<Item = Listed<'_>>> {
        let size = self.slots.len().div_ceil(parts.max(1)).max(1);
        self.slots
            .chunks(size)
            .map(|run| run.iter().filter(|slot| slot.live).map(|slot| self.listed(slot)))
    }

    fn listed<'a>(&'a self, slot: &'a Slot) -> Listed<'a> {
        Listed {
            key: &slot.key,
            id: slot.id,
            head: &self.heads[slot.start..slot.end],
            kinds: slot.kinds,
            cut: slot.cut,
        }
    }

    fn compact_if_worth_it(&mut self) {
        let live_bytes = self.heads.len() - self.dead_bytes;
        let bytes_worth_it = self.dead_bytes >= COMPACT_AFTER_BYTES && self.dead_bytes > live_bytes;
        let dead_slots = self.slots.len() - self.by_key.len();
        let slots_worth_it = dead_slots >= 1024 && dead_slots > self.by_key.len();
        if !(bytes_worth_it || slots_worth_it) {
            return;
        }
        let mut heads = String::with_capacity(live_bytes);
        let mut slots = Vec::with_capacity(self.by_key.len());
        for slot in self.slots.iter().filter(|slot| slot.live) {
            let start = heads.len();
            heads.push_str(&self.heads[slot.start..slot.end]);
            self.by_key.insert(slot.key, slots.len());
            slots.push(Slot {
                start,
                end: heads.len(),
                ..slot.clone()
            });
        }
        self.heads = heads;
        self.slots = slots;
        self.dead_bytes = 0;
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

    fn ids<'a>(listed: impl Iterator<Item = Listed<'a>>) -> Vec<u64> {
        listed.map(|l| l.id).collect()
    }

    #[test]
    fn pinned_come_first_then_the_larger_rank() {
        let mut order = Order::default();
        order.insert(key(false, 1), 10, "Old");
        order.insert(key(true, 0), 30, "pinned");
        order.insert(key(false, 2), 20, "new");
        assert_eq!(ids(order.iter()), [30, 20, 10]);
        assert_eq!(ids(order.unpinned()), [20, 10]);
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

    #[test]
    fn parts_cover_every_live_clip_once_and_survive_compaction() {
        let mut order = Order::default();
        let head = "x".repeat(HEAD_BYTES);
        let count = 2 * COMPACT_AFTER_BYTES / HEAD_BYTES + 100;
        for rank in 0..count as u64 {
            order.insert(key(false, rank), rank, &format!("{rank} {head}"));
        }
        // Remove all but every tenth clip, which compacts on the way.
        for rank in (0..count as u64).filter(|r| r % 10 != 0) {
            order.remove(&key(false, rank));
        }
        assert!(order.slots.len() < count, "compacted");
        let mut seen: Vec<u64> = order.in_parts(3).flatten().map(|l| l.id).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..count as u64).step_by(10).collect::<Vec<_>>());
        for listed in order.iter() {
            assert!(listed.head.starts_with(&format!("{} x", listed.id)), "{}", listed.id);
        }
        order.rekey(&key(false, 0), key(false, 1 << 40), 0);
        assert_eq!(order.iter().next().map(|l| (l.id, l.head.len())), Some((0, HEAD_BYTES)));
    }
}
