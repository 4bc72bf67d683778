//! The clip history in sled: summaries, payload blobs, the content-hash index
//! and the display order. Every change is one transaction over those trees,
//! flushed before it returns, so what the caller announces is on disk.
//! No tauri here.

use crate::clip::{self, Captured, ClipKind, Format, Selection};
use crate::error::{Error, Result};
use crate::order::{Key, Order};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use sled::Transactional;
use std::path::PathBuf;
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use ts_rs::TS;

mod tree {
    pub const CLIPS: &str = "clips";
    pub const BLOBS: &str = "blobs";
    pub const HASHES: &str = "hashes";
    /// Display order: `[pinned][rank]` → id and the clip's searchable head.
    pub const RECENT: &str = "recent";
}

/// How much of a clip's text search looks at.
pub const SEARCH_HEAD_CHARS: usize = 4096;
/// The most text one `get_clip` returns; the rest stays in the store.
pub const DETAIL_TEXT_MAX: usize = 2 * 1024 * 1024;
pub const PAGE_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImageSize {
    pub width: u32,
    pub height: u32,
}

/// What lists, events and the tray show of a clip. Never the payload itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClipSummary {
    pub id: u64,
    pub kind: ClipKind,
    pub created_ms: u64,
    /// Last captured or copied back; the list is newest-used first.
    pub used_ms: u64,
    pub bytes: u64,
    pub pinned: bool,
    /// Order within its group (pinned or not): larger is listed first.
    pub rank: u64,
    pub preview: String,
    pub mimes: Vec<String>,
    pub image: Option<ImageSize>,
    pub source: Selection,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ClipRecord {
    summary: ClipSummary,
    hash: [u8; 32],
    formats: Vec<Format>,
}

impl ClipRecord {
    fn recent_key(&self) -> Key {
        recent_key(self.summary.pinned, self.summary.rank)
    }
}

fn recent_key(pinned: bool, rank: u64) -> Key {
    let mut key = [0u8; 9];
    key[0] = u8::from(pinned);
    key[1..].copy_from_slice(&rank.to_be_bytes());
    key
}

fn recent_value(id: u64, head: &str) -> Vec<u8> {
    let mut value = id.to_be_bytes().to_vec();
    value.extend_from_slice(head.as_bytes());
    value
}

fn parse_recent_value(value: &[u8]) -> Option<(u64, &str)> {
    let id = u64::from_be_bytes(value.get(..8)?.try_into().ok()?);
    Some((id, std::str::from_utf8(&value[8..]).ok()?))
}

fn blob_key(id: u64, format: Format) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[..8].copy_from_slice(&id.to_be_bytes());
    key[8] = format.tag();
    key
}

/// One change to the history, as windows and the tray receive it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct HistoryDelta {
    pub added: Vec<ClipSummary>,
    /// Moved, pinned or unpinned: place these by `pinned` and `used_ms`.
    pub updated: Vec<ClipSummary>,
    pub removed: Vec<u64>,
    /// Reload rather than patch: everything unpinned was removed, or the
    /// history was opened anew.
    pub cleared: bool,
    pub total: u64,
    pub pinned: u64,
}

impl HistoryDelta {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.removed.is_empty() && !self.cleared
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HistoryPage {
    pub offset: u64,
    pub total: u64,
    pub pinned: u64,
    pub items: Vec<ClipSummary>,
}

/// A clip with what the preview pane shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ClipDetail {
    pub summary: ClipSummary,
    pub text: Option<String>,
    /// The HTML source, for the page to render as inert text.
    pub html: Option<String>,
    pub files: Vec<String>,
    /// `text` or `html` was cut at `DETAIL_TEXT_MAX` bytes.
    pub truncated: bool,
}

/// The retention settings, in the units the history works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_items: u64,
    /// 0 keeps clips of any age.
    pub max_age_ms: u64,
    pub max_total_bytes: u64,
}

impl Limits {
    pub fn from_settings(s: &crate::settings::Settings) -> Self {
        Limits {
            max_items: s.history_max_items.into(),
            max_age_ms: u64::from(s.history_max_age_days) * 24 * 3600 * 1000,
            max_total_bytes: u64::from(s.history_max_total_mib) * 1024 * 1024,
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Totals {
    count: u64,
    pinned: u64,
    bytes: u64,
    /// No change is taken any more: the totals are noted for the next open.
    closed: bool,
}

impl Totals {
    /// The three counts and their CRC-32, so that a damaged note is not believed.
    fn to_bytes(self) -> [u8; 28] {
        let mut out = [0; 28];
        for (at, n) in [self.count, self.pinned, self.bytes].into_iter().enumerate() {
            out[8 * at..8 * at + 8].copy_from_slice(&n.to_be_bytes());
        }
        let crc = crc32fast::hash(&out[..24]);
        out[24..].copy_from_slice(&crc.to_be_bytes());
        out
    }

    fn from_bytes(raw: &[u8]) -> Option<Self> {
        let n = |at: usize| Some(u64::from_be_bytes(raw.get(8 * at..8 * at + 8)?.try_into().ok()?));
        let sound = raw.len() == 28 && raw[24..] == crc32fast::hash(&raw[..24]).to_be_bytes();
        sound.then_some(Totals { count: n(0)?, pinned: n(1)?, bytes: n(2)?, closed: false })
    }
}

/// Written as the history closes and taken as it opens: the totals, which
/// spare that open the repair pass. Missing, the last run did not end cleanly.
const CLOSED_WITH: &[u8] = b"history.closed_with";

pub struct History {
    db: sled::Db,
    /// Where the database lives, to check for room before each write.
    dir: PathBuf,
    clips: sled::Tree,
    blobs: sled::Tree,
    hashes: sled::Tree,
    recent: sled::Tree,
    /// `recent` in memory. Writers change it after each commit, while they
    /// still hold `totals`.
    order: RwLock<Order>,
    /// Writers hold this for the whole change, so totals and trees agree.
    totals: Mutex<Totals>,
}

type Trees<'a> = (&'a TransactionalTree, &'a TransactionalTree, &'a TransactionalTree, &'a TransactionalTree);

fn encode(record: &ClipRecord) -> Result<Vec<u8>> {
    serde_json::to_vec(record).map_err(|e| Error::Storage(format!("cannot encode a clip: {e}")))
}

fn decode(id: u64, raw: &[u8]) -> Result<ClipRecord> {
    serde_json::from_slice(raw).map_err(|e| Error::Storage(format!("clip {id} is corrupt: {e}")))
}

/// What opening found wrong and put right.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Repairs {
    pub dropped_records: u64,
    pub dropped_blobs: u64,
    pub dropped_hashes: u64,
    pub dropped_order: u64,
    pub rebuilt_order: u64,
}

impl Repairs {
    pub fn any(&self) -> bool {
        *self != Repairs::default()
    }
}

impl History {
    /// Opens the history trees, puts right anything a crash or a bad disk
    /// left inconsistent, and counts what is there.
    pub fn open(store: &Store) -> Result<(Self, Repairs)> {
        let db = store.db().clone();
        let history = History {
            clips: db.open_tree(tree::CLIPS)?,
            blobs: db.open_tree(tree::BLOBS)?,
            hashes: db.open_tree(tree::HASHES)?,
            recent: db.open_tree(tree::RECENT)?,
            db,
            dir: store.dir().to_owned(),
            order: RwLock::default(),
            totals: Mutex::new(Totals::default()),
        };
        // No flush: sled recovers a prefix of its log, so any change that
        // outlives a crash also outlives this removal, and with no such
        // change the note still tells the truth.
        let closed_with = history.db.remove(CLOSED_WITH)?.and_then(|raw| Totals::from_bytes(&raw));
        let trusted = match closed_with {
            Some(totals) => {
                let order = history.read_order(Order::default())?;
                ((order.len(), order.pinned()) == (totals.count, totals.pinned)).then_some((totals, order))
            }
            None => None,
        };
        let (repairs, order) = match trusted {
            Some((totals, order)) => {
                *history.totals() = totals;
                log::info!("history closed cleanly last time: {} clips, no repair pass", totals.count);
                (Repairs::default(), order)
            }
            None => {
                let started = std::time::Instant::now();
                let repairs = history.repair()?;
                log::info!("history checked for damage: {} clips in {:.0?}", history.len(), started.elapsed());
                (repairs, history.read_order(Order::default())?)
            }
        };
        *history.order_mut() = order;
        Ok((history, repairs))
    }

    /// Takes no more changes, and notes the totals for the next open.
    pub fn close(&self) -> Result<()> {
        let mut totals = self.writer()?;
        self.db.insert(CLOSED_WITH, &totals.to_bytes())?;
        self.flush()?;
        totals.closed = true;
        Ok(())
    }

    /// For each change: holds `totals` while it is made, unless closed.
    fn writer(&self) -> Result<std::sync::MutexGuard<'_, Totals>> {
        let totals = self.totals();
        if totals.closed {
            return Err(Error::Storage("the history is closed".into()));
        }
        Ok(totals)
    }

    /// `order` filled from `recent`.
    fn read_order(&self, mut order: Order) -> Result<Order> {
        for entry in self.recent.iter() {
            let (key, value) = entry?;
            if let (Ok(key), Some((id, head))) = (key.as_ref().try_into(), parse_recent_value(&value)) {
                order.insert(key, id, head);
            }
        }
        Ok(order)
    }

    fn order(&self) -> RwLockReadGuard<'_, Order> {
        self.order.read().unwrap_or_else(|p| p.into_inner())
    }

    fn order_mut(&self) -> RwLockWriteGuard<'_, Order> {
        self.order.write().unwrap_or_else(|p| p.into_inner())
    }

    fn totals(&self) -> std::sync::MutexGuard<'_, Totals> {
        self.totals.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn len(&self) -> u64 {
        self.totals().count
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn pinned_count(&self) -> u64 {
        self.totals().pinned
    }

    pub fn total_bytes(&self) -> u64 {
        self.totals().bytes
    }

    /// Stores `captured`, or moves its earlier copy to the top; then applies
    /// the retention limits. Durable when it returns.
    pub fn record(&self, captured: &Captured, source: Selection, now_ms: u64, limits: Limits) -> Result<HistoryDelta> {
        let Some(kind) = captured.kind() else {
            return Ok(self.delta(HistoryDelta::default()));
        };
        store::ensure_room(&self.dir, captured.bytes(), store::CAPTURE_RESERVE)?;
        let hash = captured.hash();
        let mut totals = self.writer()?;
        if let Some(existing) = self.hashes.get(hash)? {
            let id = u64::from_be_bytes(
                existing
                    .as_ref()
                    .try_into()
                    .map_err(|_| Error::Storage("the hash index holds a malformed id".into()))?,
            );
            if let Some(summary) = self.touch_locked(id, now_ms)? {
                return self.finish(
                    &mut totals,
                    now_ms,
                    limits,
                    HistoryDelta { updated: vec![summary], ..HistoryDelta::default() },
                );
            }
        }
        let id = self.db.generate_id()?;
        let rank = self.db.generate_id()?;
        let thumbnail = match &captured.png {
            Some(png) => match clip::thumbnail(png) {
                Ok(t) => Some(t),
                Err(e) => {
                    log::warn!("no thumbnail for clip {id}: {e}");
                    None
                }
            },
            None => None,
        };
        let mut payloads = captured.payloads();
        if let Some(t) = &thumbnail {
            payloads.push((Format::Thumbnail, t));
        }
        let record = ClipRecord {
            summary: ClipSummary {
                id,
                kind,
                created_ms: now_ms,
                used_ms: now_ms,
                bytes: captured.bytes(),
                pinned: false,
                rank,
                preview: captured.preview(),
                mimes: captured.mimes.clone(),
                image: captured
                    .png
                    .as_deref()
                    .and_then(clip::png_size)
                    .map(|(width, height)| ImageSize { width, height }),
                source,
            },
            hash,
            formats: payloads.iter().map(|(f, _)| *f).collect(),
        };
        let head = captured.searchable_text().map(|t| clip::one_line(&t, SEARCH_HEAD_CHARS)).unwrap_or_default();
        let encoded = encode(&record)?;
        self.transact(|(clips, blobs, hashes, recent)| {
            clips.insert(&id.to_be_bytes(), encoded.as_slice())?;
            for (format, bytes) in &payloads {
                blobs.insert(&blob_key(id, *format), *bytes)?;
            }
            hashes.insert(&hash, &id.to_be_bytes())?;
            recent.insert(&record.recent_key(), recent_value(id, &head))?;
            Ok(())
        })?;
        self.order_mut().insert(record.recent_key(), id, &head);
        totals.count += 1;
        totals.bytes += record.summary.bytes;
        self.finish(
            &mut totals,
            now_ms,
            limits,
            HistoryDelta { added: vec![record.summary], ..HistoryDelta::default() },
        )
    }

    /// Moves a clip to the top, as copying it back does.
    pub fn touch(&self, id: u64, now_ms: u64) -> Result<HistoryDelta> {
        self.ensure_edit_room()?;
        let totals = self.writer()?;
        let summary = self.touch_locked(id, now_ms)?.ok_or_else(|| no_such_clip(id))?;
        self.flush()?;
        drop(totals);
        Ok(self.delta(HistoryDelta { updated: vec![summary], ..HistoryDelta::default() }))
    }

    fn touch_locked(&self, id: u64, now_ms: u64) -> Result<Option<ClipSummary>> {
        let Some(mut record) = self.record_of(id)? else {
            return Ok(None);
        };
        let rank = self.db.generate_id()?;
        record.summary.used_ms = now_ms;
        self.move_record(&mut record, |r| r.summary.rank = rank)?;
        Ok(Some(record.summary))
    }

    pub fn set_pinned(&self, id: u64, pinned: bool) -> Result<HistoryDelta> {
        self.ensure_edit_room()?;
        let mut totals = self.writer()?;
        let mut record = self.record_of(id)?.ok_or_else(|| no_such_clip(id))?;
        if record.summary.pinned != pinned {
            self.move_record(&mut record, |r| r.summary.pinned = pinned)?;
            if pinned {
                totals.pinned += 1;
            } else {
                totals.pinned -= 1;
            }
            self.flush()?;
        }
        drop(totals);
        Ok(self.delta(HistoryDelta { updated: vec![record.summary], ..HistoryDelta::default() }))
    }

    /// Rewrites a record after `change`, moving its `recent` entry along.
    fn move_record(&self, record: &mut ClipRecord, change: impl FnOnce(&mut ClipRecord)) -> Result<()> {
        let id = record.summary.id;
        let old_key = record.recent_key();
        change(record);
        let new_key = record.recent_key();
        let encoded = encode(record)?;
        self.transact(|(clips, _, _, recent)| {
            let value = recent.remove(&old_key)?.unwrap_or_else(|| recent_value(id, "").into());
            recent.insert(&new_key, value)?;
            clips.insert(&id.to_be_bytes(), encoded.as_slice())?;
            Ok(())
        })?;
        self.order_mut().rekey(&old_key, new_key, id);
        Ok(())
    }

    pub fn delete(&self, id: u64) -> Result<HistoryDelta> {
        let mut totals = self.writer()?;
        let record = self.record_of(id)?.ok_or_else(|| no_such_clip(id))?;
        self.remove_records(&mut totals, &[record])?;
        self.flush()?;
        drop(totals);
        Ok(self.delta(HistoryDelta { removed: vec![id], ..HistoryDelta::default() }))
    }

    /// Removes every clip that is not pinned.
    pub fn clear(&self) -> Result<HistoryDelta> {
        let mut totals = self.writer()?;
        loop {
            let batch = self.oldest_unpinned(256)?;
            if batch.is_empty() {
                break;
            }
            self.remove_records(&mut totals, &batch)?;
        }
        self.flush()?;
        drop(totals);
        Ok(self.delta(HistoryDelta { cleared: true, ..HistoryDelta::default() }))
    }

    /// Tells windows to load the whole history again.
    pub fn reload(&self) -> HistoryDelta {
        self.delta(HistoryDelta { cleared: true, ..HistoryDelta::default() })
    }

    /// Applies the retention limits now, as at start.
    pub fn enforce(&self, now_ms: u64, limits: Limits) -> Result<HistoryDelta> {
        let mut totals = self.writer()?;
        self.finish(&mut totals, now_ms, limits, HistoryDelta::default())
    }

    fn finish(
        &self,
        totals: &mut Totals,
        now_ms: u64,
        limits: Limits,
        mut delta: HistoryDelta,
    ) -> Result<HistoryDelta> {
        let removed = self.retain(totals, now_ms, limits)?;
        delta.added.retain(|c| !removed.contains(&c.id));
        delta.updated.retain(|c| !removed.contains(&c.id));
        delta.removed.extend(removed);
        self.flush()?;
        delta.total = totals.count;
        delta.pinned = totals.pinned;
        Ok(delta)
    }

    fn delta(&self, mut delta: HistoryDelta) -> HistoryDelta {
        let totals = self.totals();
        delta.total = totals.count;
        delta.pinned = totals.pinned;
        delta
    }

    /// Removes the oldest unpinned clips beyond the count, age and size limits.
    fn retain(&self, totals: &mut Totals, now_ms: u64, limits: Limits) -> Result<Vec<u64>> {
        let mut removed = Vec::new();
        loop {
            let mut over_count = totals.count.saturating_sub(limits.max_items);
            let mut bytes = totals.bytes;
            let mut batch = Vec::new();
            // Oldest first, so once one clip may stay, all newer ones may too.
            for record in self.oldest_unpinned(256)? {
                let too_old =
                    limits.max_age_ms > 0 && now_ms.saturating_sub(record.summary.used_ms) > limits.max_age_ms;
                if over_count == 0 && bytes <= limits.max_total_bytes && !too_old {
                    break;
                }
                over_count = over_count.saturating_sub(1);
                bytes = bytes.saturating_sub(record.summary.bytes);
                batch.push(record);
            }
            if batch.is_empty() {
                break;
            }
            removed.extend(batch.iter().map(|r| r.summary.id));
            self.remove_records(totals, &batch)?;
        }
        if !removed.is_empty() {
            log::info!("retention removed {} clip(s)", removed.len());
        }
        Ok(removed)
    }

    fn oldest_unpinned(&self, n: usize) -> Result<Vec<ClipRecord>> {
        let mut out = Vec::new();
        for entry in self.recent.range(recent_key(false, 0)..recent_key(true, 0)) {
            if out.len() >= n {
                break;
            }
            let (_, value) = entry?;
            let Some((id, _)) = parse_recent_value(&value) else {
                continue;
            };
            if let Some(record) = self.record_of(id)? {
                out.push(record);
            }
        }
        Ok(out)
    }

    fn remove_records(&self, totals: &mut Totals, records: &[ClipRecord]) -> Result<()> {
        self.ensure_edit_room()?;
        self.transact(|(clips, blobs, hashes, recent)| {
            for record in records {
                let id = record.summary.id;
                clips.remove(&id.to_be_bytes())?;
                for format in &record.formats {
                    blobs.remove(&blob_key(id, *format))?;
                }
                hashes.remove(&record.hash)?;
                recent.remove(&record.recent_key())?;
            }
            Ok(())
        })?;
        let mut order = self.order_mut();
        for record in records {
            order.remove(&record.recent_key());
            totals.count -= 1;
            totals.bytes = totals.bytes.saturating_sub(record.summary.bytes);
            if record.summary.pinned {
                totals.pinned -= 1;
            }
        }
        Ok(())
    }

    fn transact(
        &self,
        f: impl Fn(Trees<'_>) -> std::result::Result<(), ConflictableTransactionError<Error>>,
    ) -> Result<()> {
        (&self.clips, &self.blobs, &self.hashes, &self.recent).transaction(|(c, b, h, r)| f((c, b, h, r))).map_err(
            |e| match e {
                sled::transaction::TransactionError::Abort(e) => e,
                sled::transaction::TransactionError::Storage(e) => e.into(),
            },
        )
    }

    fn ensure_edit_room(&self) -> Result<()> {
        store::ensure_room(&self.dir, 0, store::EDIT_RESERVE)
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    fn record_of(&self, id: u64) -> Result<Option<ClipRecord>> {
        match self.clips.get(id.to_be_bytes())? {
            None => Ok(None),
            Some(raw) => decode(id, &raw).map(Some),
        }
    }

    pub fn summary(&self, id: u64) -> Result<ClipSummary> {
        self.summary_of(id)?.ok_or_else(|| no_such_clip(id))
    }

    pub fn summary_of(&self, id: u64) -> Result<Option<ClipSummary>> {
        Ok(self.record_of(id)?.map(|record| record.summary))
    }

    /// Pinned clips first, then newest-used first.
    pub fn page(&self, offset: u64, limit: usize) -> Result<HistoryPage> {
        let skip = usize::try_from(offset).unwrap_or(usize::MAX);
        let ids: Vec<u64> = self.order().iter().skip(skip).take(limit.min(PAGE_MAX)).map(|l| l.id).collect();
        let items = self.summaries(&ids)?;
        let totals = *self.totals();
        Ok(HistoryPage { offset, total: totals.count, pinned: totals.pinned, items })
    }

    /// The summaries of `ids` that still exist, in that order.
    fn summaries(&self, ids: &[u64]) -> Result<Vec<ClipSummary>> {
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(record) = self.record_of(id)? {
                out.push(record.summary);
            }
        }
        Ok(out)
    }

    /// Runs `f` on the order kept in memory, which holds still meanwhile,
    /// with every clip's head: read from sled first if they were let go.
    pub fn with_heads<T>(&self, f: impl FnOnce(&Order) -> T) -> Result<T> {
        loop {
            {
                let order = self.order();
                if order.holds_heads() {
                    return Ok(f(&order));
                }
            }
            self.hold_heads()?;
        }
    }

    /// Reads every clip's head into memory for the searches to come, unless
    /// they are there already: a window that searches is opening.
    pub fn hold_heads(&self) -> Result<()> {
        // As a writer would, so that no change is half made meanwhile.
        let totals = self.totals();
        let mut order = self.order_mut();
        if !order.holds_heads() {
            let started = std::time::Instant::now();
            *order = self.read_order(Order::holding_heads())?;
            log::info!("read the heads of {} clips for search in {:.0?}", totals.count, started.elapsed());
        }
        Ok(())
    }

    /// Lets go of the heads: no window that searches is left.
    pub fn drop_heads(&self) {
        self.order_mut().drop_heads();
    }

    /// The whole searchable head stored at `key`, as captured.
    pub fn head(&self, key: &Key) -> Result<Option<String>> {
        Ok(self.recent.get(key)?.and_then(|value| parse_recent_value(&value).map(|(_, head)| head.to_owned())))
    }

    pub fn detail(&self, id: u64) -> Result<ClipDetail> {
        let summary = self.summary(id)?;
        let mut truncated = false;
        let mut text_of = |format| -> Result<Option<String>> {
            Ok(self.blobs.get(blob_key(id, format))?.map(|raw| {
                let cut = clip::floor_char_boundary(&raw, DETAIL_TEXT_MAX);
                truncated |= cut < raw.len();
                String::from_utf8_lossy(&raw[..cut]).into_owned()
            }))
        };
        let text = text_of(Format::Text)?;
        let html = text_of(Format::Html)?;
        let files = text_of(Format::UriList)?
            .map(|uris| {
                uris.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
            })
            .unwrap_or_default();
        Ok(ClipDetail { summary, text, html, files, truncated })
    }

    pub fn blob(&self, id: u64, format: Format) -> Result<Option<sled::IVec>> {
        Ok(self.blobs.get(blob_key(id, format))?)
    }

    /// The formats to offer when the clip is copied back, richest first.
    pub fn payloads(&self, id: u64) -> Result<Vec<(Format, sled::IVec)>> {
        let record = self.record_of(id)?.ok_or_else(|| no_such_clip(id))?;
        let mut out = Vec::new();
        for format in record.formats.into_iter().filter(|f| *f != Format::Thumbnail) {
            if let Some(bytes) = self.blob(id, format)? {
                out.push((format, bytes));
            }
        }
        Ok(out)
    }

    /// The most recent clips, for the tray.
    pub fn recent(&self, n: usize) -> Result<Vec<ClipSummary>> {
        let ids: Vec<u64> = self.order().unpinned().take(n).map(|l| l.id).collect();
        self.summaries(&ids)
    }

    /// Makes the four trees agree: every record has its order entry, hash
    /// and blobs; nothing points at a record that is gone. Then counts.
    fn repair(&self) -> Result<Repairs> {
        let mut repairs = Repairs::default();
        let mut totals = Totals::default();
        let mut live = std::collections::HashSet::new();
        for entry in self.clips.iter() {
            let (key, raw) = entry?;
            let id = key.as_ref().try_into().map(u64::from_be_bytes).unwrap_or(0);
            let record = match decode(id, &raw) {
                Ok(r) if r.summary.id == id => r,
                _ => {
                    log::warn!("dropping unreadable clip record {id}");
                    self.clips.remove(key)?;
                    repairs.dropped_records += 1;
                    continue;
                }
            };
            if self.recent.get(record.recent_key())?.is_none() {
                let head = self
                    .blob(id, Format::Text)?
                    .map(|t| clip::one_line(&String::from_utf8_lossy(&t), SEARCH_HEAD_CHARS))
                    .unwrap_or_default();
                self.recent.insert(record.recent_key(), recent_value(id, &head))?;
                repairs.rebuilt_order += 1;
            }
            if self.hashes.get(record.hash)?.is_none() {
                self.hashes.insert(record.hash, &id.to_be_bytes())?;
            }
            totals.count += 1;
            totals.bytes += record.summary.bytes;
            totals.pinned += u64::from(record.summary.pinned);
            live.insert(id);
        }
        let id_of = |bytes: &[u8]| bytes.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
        for entry in self.recent.iter() {
            let (key, value) = entry?;
            if !parse_recent_value(&value).is_some_and(|(id, _)| live.contains(&id)) {
                self.recent.remove(key)?;
                repairs.dropped_order += 1;
            }
        }
        for entry in self.hashes.iter() {
            let (key, value) = entry?;
            if !id_of(&value).is_some_and(|id| live.contains(&id)) {
                self.hashes.remove(key)?;
                repairs.dropped_hashes += 1;
            }
        }
        for key in self.blobs.iter().keys() {
            let key = key?;
            if !id_of(&key).is_some_and(|id| live.contains(&id)) {
                self.blobs.remove(key)?;
                repairs.dropped_blobs += 1;
            }
        }
        *self.totals() = totals;
        if repairs.any() {
            log::warn!("history repaired: {repairs:?}");
            self.flush()?;
        }
        Ok(repairs)
    }
}

fn no_such_clip(id: u64) -> Error {
    Error::invalid("id", format!("no clip {id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOSE: Limits = Limits { max_items: 1000, max_age_ms: 0, max_total_bytes: u64::MAX };
    const DAY_MS: u64 = 24 * 3600 * 1000;

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Store,
        history: History,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (history, repairs) = History::open(&store).unwrap();
        assert!(!repairs.any());
        Fixture { _dir: dir, store, history }
    }

    fn add(h: &History, text: &str, now: u64, limits: Limits) -> HistoryDelta {
        h.record(&Captured::text(text), Selection::Clipboard, now, limits).unwrap()
    }

    fn previews(h: &History) -> Vec<String> {
        h.page(0, PAGE_MAX).unwrap().items.into_iter().map(|c| c.preview).collect()
    }

    #[test]
    fn captures_are_listed_newest_first_with_their_summary() {
        let f = fixture();
        let a = add(&f.history, "first", 1, LOOSE);
        assert_eq!(a.added.len(), 1);
        assert_eq!((a.total, a.pinned), (1, 0));
        add(&f.history, "second\nline", 2, LOOSE);
        assert_eq!(previews(&f.history), ["second line", "first"]);
        let clip = &a.added[0];
        assert_eq!((clip.kind, clip.bytes, clip.created_ms), (ClipKind::Text, 5, 1));
        assert_eq!(f.history.summary(clip.id).unwrap(), *clip);
        let page = f.history.page(1, 1).unwrap();
        assert_eq!((page.total, page.items.len()), (2, 1));
        assert_eq!(page.items[0].preview, "first");
    }

    #[test]
    fn the_same_content_again_moves_to_the_top_without_a_second_copy() {
        let f = fixture();
        let first = add(&f.history, "again", 1, LOOSE).added[0].clone();
        add(&f.history, "other", 2, LOOSE);
        let delta = add(&f.history, "again", 3, LOOSE);
        assert!(delta.added.is_empty());
        assert_eq!(delta.updated.len(), 1);
        assert_eq!(delta.updated[0].id, first.id);
        assert_eq!(delta.updated[0].used_ms, 3);
        assert_eq!(f.history.len(), 2);
        assert_eq!(previews(&f.history), ["again", "other"]);
    }

    #[test]
    fn touch_moves_a_clip_up_and_unknown_ids_are_refused() {
        let f = fixture();
        let id = add(&f.history, "old", 1, LOOSE).added[0].id;
        add(&f.history, "new", 2, LOOSE);
        assert_eq!(f.history.touch(id, 3).unwrap().updated[0].used_ms, 3);
        assert_eq!(previews(&f.history), ["old", "new"]);
        assert!(matches!(f.history.touch(999_999, 4), Err(Error::InvalidInput { .. })));
        assert!(matches!(f.history.delete(999_999), Err(Error::InvalidInput { .. })));
    }

    #[test]
    fn pinned_clips_come_first_and_survive_every_limit_and_clear() {
        let f = fixture();
        let pinned = add(&f.history, "keep me", 0, LOOSE).added[0].id;
        f.history.set_pinned(pinned, true).unwrap();
        let tight = Limits { max_items: 10, ..LOOSE };
        for i in 0..15 {
            add(&f.history, &format!("clip {i}"), 1 + i, tight);
        }
        assert_eq!(f.history.len(), 10);
        let listed = previews(&f.history);
        assert_eq!(listed[0], "keep me");
        assert_eq!(listed[1], "clip 14");
        assert_eq!(listed[9], "clip 6");
        let aged = Limits { max_age_ms: DAY_MS, ..LOOSE };
        let removed = f.history.enforce(10 * DAY_MS, aged).unwrap().removed;
        assert_eq!(removed.len(), 9);
        assert_eq!(previews(&f.history), ["keep me"]);
        add(&f.history, "gone soon", 1, LOOSE);
        let cleared = f.history.clear().unwrap();
        assert!(cleared.cleared);
        assert_eq!((cleared.total, cleared.pinned), (1, 1));
        assert_eq!(previews(&f.history), ["keep me"]);
    }

    #[test]
    fn size_limit_removes_the_oldest_until_the_total_fits() {
        let f = fixture();
        let limits = Limits { max_total_bytes: 250, ..LOOSE };
        for i in 0..5u8 {
            add(&f.history, &char::from(b'a' + i).to_string().repeat(100), u64::from(i), limits);
        }
        assert_eq!(f.history.len(), 2);
        assert_eq!(f.history.total_bytes(), 200);
        assert!(previews(&f.history)[0].starts_with('e'));
    }

    #[test]
    fn removed_clips_leave_no_blob_hash_or_order_entry_behind() {
        let f = fixture();
        let image = Captured { png: Some(clip::test_png(300, 200)), ..Captured::default() };
        let id = f.history.record(&image, Selection::Clipboard, 1, LOOSE).unwrap().added[0].id;
        add(&f.history, "text", 2, LOOSE);
        assert!(f.history.blob(id, Format::Thumbnail).unwrap().is_some());
        let summary = f.history.summary(id).unwrap();
        assert_eq!(summary.image, Some(ImageSize { width: 300, height: 200 }));
        f.history.delete(id).unwrap();
        f.history.clear().unwrap();
        for tree in [&f.history.clips, &f.history.blobs, &f.history.hashes, &f.history.recent] {
            assert!(tree.is_empty());
        }
        assert_eq!((f.history.len(), f.history.total_bytes()), (0, 0));
    }

    #[test]
    fn the_order_in_memory_follows_the_stored_one_through_every_change() {
        let f = fixture();
        let h = &f.history;
        let stored = |h: &History| -> Vec<u64> {
            h.recent.iter().rev().map(|e| parse_recent_value(&e.unwrap().1).unwrap().0).collect()
        };
        let listed = |h: &History| -> Vec<u64> { h.page(0, 500).unwrap().items.iter().map(|c| c.id).collect() };
        let five = Limits { max_items: 5, ..LOOSE };
        for i in 0..8 {
            add(h, &format!("clip {i}"), i, five);
        }
        let ids = listed(h);
        h.set_pinned(ids[3], true).unwrap();
        h.touch(ids[4], 100).unwrap();
        h.delete(ids[1]).unwrap();
        add(h, "clip 5", 200, five);
        add(h, "clip 9", 300, five);
        assert_eq!(listed(h).len(), 5);
        assert_eq!(listed(h), stored(h));
        assert_eq!(h.recent(3).unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), stored(h)[1..4]);
        h.clear().unwrap();
        assert_eq!(listed(h), stored(h));
        assert_eq!(listed(h), [ids[3]], "only the pinned clip is left");
    }

    #[test]
    fn history_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let store = Store::open(dir.path()).unwrap();
            let (history, _) = History::open(&store).unwrap();
            add(&history, "one", 1, LOOSE);
            let id = add(&history, "two", 2, LOOSE).added[0].id;
            history.set_pinned(id, true).unwrap();
            id
        };
        let store = Store::open(dir.path()).unwrap();
        let (history, repairs) = History::open(&store).unwrap();
        assert!(!repairs.any());
        assert_eq!((history.len(), history.pinned_count()), (2, 1));
        assert!(history.summary(id).unwrap().pinned);
        let again = add(&history, "one", 3, LOOSE);
        assert!(again.added.is_empty(), "the hash index survived too");
    }

    #[test]
    fn a_clean_close_spares_the_next_open_its_repair_pass_and_keeps_the_totals() {
        let f = fixture();
        add(&f.history, "one", 1, LOOSE);
        let pinned = add(&f.history, "two", 2, LOOSE).added[0].id;
        f.history.set_pinned(pinned, true).unwrap();
        let totals = *f.history.totals();
        // An orphan that only the repair pass would drop shows whether it ran.
        let orphan = || f.history.blobs.get(blob_key(777, Format::Text)).unwrap().is_some();
        f.history.blobs.insert(blob_key(777, Format::Text), &b"orphan"[..]).unwrap();
        f.history.close().unwrap();
        let late = f.history.record(&Captured::text("after"), Selection::Clipboard, 3, LOOSE);
        assert!(late.unwrap_err().to_string().contains("closed"));
        assert!(f.history.delete(pinned).is_err());

        let (reopened, repairs) = History::open(&f.store).unwrap();
        assert!(!repairs.any() && orphan(), "no repair pass");
        assert_eq!(*reopened.totals(), totals);
        assert_eq!(previews(&reopened), ["two", "one"]);
        // The note was taken: an open after this one, as after a crash, repairs.
        let (_, repairs) = History::open(&f.store).unwrap();
        assert_eq!(repairs.dropped_blobs, 1);
        assert!(!orphan());
    }

    #[test]
    fn a_damaged_or_stale_closing_note_is_not_believed() {
        let f = fixture();
        add(&f.history, "one", 1, LOOSE);
        let orphan = |n: u64| f.history.blobs.insert(blob_key(n, Format::Text), &b"orphan"[..]).unwrap();
        let dropped = |store: &Store| History::open(store).unwrap().1.dropped_blobs;
        orphan(777);
        f.history.close().unwrap();
        let mut note = f.history.db.get(CLOSED_WITH).unwrap().unwrap().to_vec();
        note[3] ^= 1;
        f.history.db.insert(CLOSED_WITH, note).unwrap();
        assert_eq!(dropped(&f.store), 1, "a damaged note");

        let (reopened, _) = History::open(&f.store).unwrap();
        reopened.close().unwrap();
        reopened.recent.insert(recent_key(false, 1 << 40), recent_value(778, "listed, with no record")).unwrap();
        orphan(779);
        let (again, repairs) = History::open(&f.store).unwrap();
        assert_eq!((repairs.dropped_order, repairs.dropped_blobs), (1, 1), "a note that the order disagrees with");
        assert_eq!(previews(&again), ["one"]);
    }

    #[test]
    fn opening_repairs_orphans_and_missing_order_entries() {
        let f = fixture();
        let keep = add(&f.history, "keep", 1, LOOSE).added[0].id;
        f.history.blobs.insert(blob_key(777, Format::Text), &b"orphan"[..]).unwrap();
        f.history.hashes.insert([9u8; 32], &777u64.to_be_bytes()).unwrap();
        f.history.recent.insert(recent_key(false, 1 << 40), recent_value(777, "x")).unwrap();
        f.history.clips.insert(778u64.to_be_bytes(), &b"{not json"[..]).unwrap();
        let record = f.history.record_of(keep).unwrap().unwrap();
        f.history.recent.remove(record.recent_key()).unwrap();
        let (reopened, repairs) = History::open(&f.store).unwrap();
        assert_eq!(
            repairs,
            Repairs { dropped_records: 1, dropped_blobs: 1, dropped_hashes: 1, dropped_order: 1, rebuilt_order: 1 }
        );
        assert_eq!(previews(&reopened), ["keep"]);
        assert!(!History::open(&f.store).unwrap().1.any());
    }

    #[test]
    fn detail_returns_the_full_text_and_files() {
        let f = fixture();
        let long = "x".repeat(DETAIL_TEXT_MAX + 10);
        let id = add(&f.history, &long, 1, LOOSE).added[0].id;
        let d = f.history.detail(id).unwrap();
        assert!(d.truncated);
        assert_eq!(d.text.unwrap().len(), DETAIL_TEXT_MAX);
        let files = Captured {
            uri_list: Some("file:///a/b.txt\r\nfile:///c\r\n".into()),
            text: Some("/a/b.txt\n/c".into()),
            ..Captured::default()
        };
        let id = f.history.record(&files, Selection::Clipboard, 2, LOOSE).unwrap().added[0].id;
        let d = f.history.detail(id).unwrap();
        assert_eq!(d.summary.kind, ClipKind::Files);
        assert_eq!(d.files, ["file:///a/b.txt", "file:///c"]);
        assert!(!d.truncated);
        let kinds: Vec<Format> = f.history.payloads(id).unwrap().into_iter().map(|(f, _)| f).collect();
        assert_eq!(kinds, [Format::Text, Format::UriList]);
    }
}
