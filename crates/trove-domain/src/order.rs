//! The history's display order in memory, so that paging reads no page of
//! sled; and while a search may come, each clip's searchable head folded for
//! it, so that search reads none either. The heads sit end to end in one
//! buffer, which search reads front to back. No tauri here.

use std::collections::BTreeMap;

/// `[pinned][rank]`: pinned clips after the others, larger ranks later, so
/// the display order is the reverse of the key order.
pub type Key = [u8; 9];

/// The first key of a pinned clip.
const PINNED: Key = [1, 0, 0, 0, 0, 0, 0, 0, 0];

/// In memory a head keeps at most this many bytes; the rest of it stays in
/// sled, read only when a search has not matched the part kept here.
pub const HEAD_BYTES: usize = 512;

/// Dead heads are dropped from the buffer once they are this many bytes and
/// outweigh the live ones.
const COMPACT_AFTER_BYTES: usize = 1 << 20;

#[derive(Clone, Copy)]
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
    /// The head, or its first `HEAD_BYTES` when `cut`, through `fold::fold_text`.
    pub head: &'a str,
    /// `fold::byte_kinds` of `head`.
    pub kinds: u64,
    pub cut: bool,
}

#[derive(Default)]
pub struct Order {
    by_key: BTreeMap<Key, usize>,
    slots: Vec<Slot>,
    heads: String,
    dead_bytes: usize,
    /// Whether `heads` holds each listed clip's head. Without them the
    /// order still pages; every listed head reads as empty.
    holds_heads: bool,
}

impl Order {
    /// An empty order that keeps the head of each clip inserted.
    pub fn holding_heads() -> Self {
        Order { holds_heads: true, ..Order::default() }
    }

    pub fn holds_heads(&self) -> bool {
        self.holds_heads
    }

    pub fn insert(&mut self, key: Key, id: u64, head: &str) {
        self.remove(&key);
        let start = self.heads.len();
        let mut cut = false;
        if self.holds_heads {
            let kept = &head[..crate::clip::floor_char_boundary(head.as_bytes(), HEAD_BYTES)];
            self.heads.push_str(&crate::fold::fold_text(kept));
            cut = kept.len() < head.len();
        }
        self.by_key.insert(key, self.slots.len());
        self.slots.push(Slot {
            key,
            id,
            start,
            end: self.heads.len(),
            kinds: crate::fold::byte_kinds(&self.heads.as_bytes()[start..]),
            cut,
            live: true,
        });
    }

    /// Keeps the order and lets go of the heads.
    pub fn drop_heads(&mut self) {
        self.holds_heads = false;
        self.compact();
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

    pub fn len(&self) -> u64 {
        self.by_key.len() as u64
    }

    pub fn pinned(&self) -> u64 {
        self.by_key.range(PINNED..).count() as u64
    }

    /// Every clip in display order: pinned first, then larger rank first.
    pub fn iter(&self) -> impl Iterator<Item = Listed<'_>> {
        self.by_key.values().rev().map(|&at| self.listed(&self.slots[at]))
    }

    /// The unpinned clips, newest first.
    pub fn unpinned(&self) -> impl Iterator<Item = Listed<'_>> {
        self.by_key.range(..PINNED).rev().map(|(_, &at)| self.listed(&self.slots[at]))
    }

    /// Every clip in the order its head was stored, cut into `runs`
    /// runs of about equal length for threads to share.
    pub fn in_runs(&self, runs: usize) -> impl Iterator<Item = impl Iterator<Item = Listed<'_>>> {
        let size = self.slots.len().div_ceil(runs.max(1)).max(1);
        self.slots.chunks(size).map(|run| run.iter().filter(|slot| slot.live).map(|slot| self.listed(slot)))
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
        if bytes_worth_it || slots_worth_it {
            self.compact();
        }
    }

    /// Drops the dead slots and heads, and every head unless they are held.
    fn compact(&mut self) {
        let kept_bytes = if self.holds_heads { self.heads.len() - self.dead_bytes } else { 0 };
        let mut heads = String::with_capacity(kept_bytes);
        let mut slots = Vec::with_capacity(self.by_key.len());
        for slot in self.slots.iter().filter(|slot| slot.live) {
            self.by_key.insert(slot.key, slots.len());
            let start = heads.len();
            slots.push(if self.holds_heads {
                heads.push_str(&self.heads[slot.start..slot.end]);
                Slot { start, end: heads.len(), ..*slot }
            } else {
                Slot { start, end: start, kinds: 0, cut: false, ..*slot }
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
        let mut order = Order::holding_heads();
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
    fn an_order_without_heads_pages_alike_and_lists_every_head_empty() {
        let mut order = Order::holding_heads();
        for rank in 0..5 {
            order.insert(key(rank % 2 == 0, rank), rank, &format!("Clip {rank}"));
        }
        order.remove(&key(false, 3));
        let listed = ids(order.iter());
        order.drop_heads();
        assert!(!order.holds_heads() && order.heads.is_empty());
        assert_eq!(ids(order.iter()), listed);
        order.insert(key(false, 9), 9, "new");
        order.rekey(&key(false, 1), key(false, 10), 1);
        assert_eq!(ids(order.iter()), [4, 2, 0, 1, 9]);
        assert!(order.iter().all(|l| l.head.is_empty() && l.kinds == 0 && !l.cut));
        assert_eq!(order.in_runs(2).flatten().count(), 5);
    }

    #[test]
    fn long_heads_are_cut_at_a_character_boundary_and_marked() {
        let mut order = Order::holding_heads();
        let long = "é".repeat(HEAD_BYTES);
        order.insert(key(false, 1), 1, &long);
        let listed = order.iter().next().unwrap();
        assert!(listed.cut && listed.head.len() == HEAD_BYTES && listed.head.chars().all(|c| c == 'é'));
    }

    #[test]
    fn runs_cover_every_live_clip_once_and_survive_compaction() {
        let mut order = Order::holding_heads();
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
        let mut seen: Vec<u64> = order.in_runs(3).flatten().map(|l| l.id).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..count as u64).step_by(10).collect::<Vec<_>>());
        for listed in order.iter() {
            assert!(listed.head.starts_with(&format!("{} x", listed.id)), "{}", listed.id);
        }
        order.rekey(&key(false, 0), key(false, 1 << 40), 0);
        assert_eq!(order.iter().next().map(|l| (l.id, l.head.len())), Some((0, HEAD_BYTES)));
    }
}
