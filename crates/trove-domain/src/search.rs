//! Search over the history's text: exact (case-insensitive substring) or
//! fuzzy (the query's characters in order). No tauri here.

use crate::error::{Error, Result};
use crate::fold::{byte_kinds, fold, fold_text};
use crate::history::{ClipSummary, History};
use crate::order::{Key, Listed};
use memchr::memmem;
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, PoisonError};
use ts_rs::TS;

pub const QUERY_MAX_CHARS: usize = 256;
pub const LIMIT_MAX: u32 = 500;
/// Typing this first asks for an exact search whatever the mode.
pub const EXACT_PREFIX: char = '\'';
const SNIPPET_CHARS: usize = 160;
const SNIPPET_LEAD: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    Fuzzy,
    Exact,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    pub text: String,
    pub mode: SearchMode,
    /// How many of the best hits to skip: a page of `limit` hits starts after them.
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SearchHit {
    pub clip: ClipSummary,
    /// One line around the first match.
    pub snippet: String,
    /// `[start, end)` in UTF-16 code units of `snippet`, as JavaScript slices strings.
    pub highlights: Vec<[u32; 2]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SearchResult {
    /// The mode actually used (the `'` prefix forces exact).
    pub mode: SearchMode,
    /// How many clips match; `hits` holds the query's page of them, best first.
    pub matched: u64,
    pub hits: Vec<SearchHit>,
}

/// Where a query matched, as character ranges of the searched text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub score: i64,
    pub ranges: Vec<(usize, usize)>,
}

/// A query compiled once and run against many texts, each already passed
/// through `fold_text`.
pub enum Matcher {
    Exact(Box<memmem::Finder<'static>>),
    Fuzzy(Vec<Wanted>),
}

/// A character of a fuzzy query, and whether it ends one of the query's words.
#[derive(Clone, Copy)]
pub struct Wanted {
    c: char,
    ends_word: bool,
}

impl Matcher {
    pub fn new(text: &str, mode: SearchMode) -> Result<(Self, SearchMode)> {
        if text.chars().count() > QUERY_MAX_CHARS {
            return Err(Error::invalid("query.text", format!("longer than {QUERY_MAX_CHARS} characters")));
        }
        let (text, mode) = match text.strip_prefix(EXACT_PREFIX) {
            Some(rest) => (rest, SearchMode::Exact),
            None => (text, mode),
        };
        if text.trim().is_empty() {
            return Err(Error::invalid("query.text", "is empty"));
        }
        let matcher = match mode {
            SearchMode::Exact => Matcher::Exact(Box::new(memmem::Finder::new(fold_text(text).as_bytes()).into_owned())),
            SearchMode::Fuzzy => {
                let chars: Vec<char> = text.chars().map(fold).collect();
                Matcher::Fuzzy(
                    chars
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| !c.is_whitespace())
                        .map(|(i, &c)| Wanted {
                            c,
                            ends_word: chars.get(i + 1).is_some_and(|next| next.is_whitespace()),
                        })
                        .collect(),
                )
            }
        };
        Ok((matcher, mode))
    }

    /// The byte kinds (see `byte_kinds`) of every text this query matches.
    pub fn needs(&self) -> u64 {
        match self {
            Matcher::Exact(finder) => byte_kinds(finder.needle()),
            Matcher::Fuzzy(needle) => {
                needle.iter().fold(0, |kinds, w| kinds | byte_kinds(w.c.encode_utf8(&mut [0; 4]).as_bytes()))
            }
        }
    }

    /// How well the query matches `folded`, without working out where.
    pub fn score(&self, folded: &str) -> Option<i64> {
        match self {
            Matcher::Exact(finder) => finder.find(folded.as_bytes()).map(|_| 0),
            Matcher::Fuzzy(needle) => fuzzy(needle, folded).map(|best| best.score),
        }
    }

    pub fn find(&self, folded: &str) -> Option<Match> {
        let (score, bytes) = match self {
            Matcher::Exact(finder) => {
                let len = finder.needle().len();
                (0, finder.find_iter(folded.as_bytes()).take(32).map(|at| (at, at + len)).collect())
            }
            Matcher::Fuzzy(needle) => {
                let best = fuzzy(needle, folded)?;
                let mut bytes = Vec::new();
                let found = |at, end| bytes.push((at, end));
                if best.tightened {
                    backward(needle, folded, best.end, found);
                } else {
                    forward(needle, folded, found);
                }
                bytes.sort_unstable();
                bytes.dedup_by(|next, run| {
                    let joins = run.1 == next.0;
                    if joins {
                        run.1 = next.1;
                    }
                    joins
                });
                (best.score, bytes)
            }
        };
        (!bytes.is_empty()).then(|| Match { score, ranges: char_ranges(folded, &bytes) })
    }
}

// The fuzzy walks call these for each character of each clip. Inlined,
// a search of 100 000 clips took a fifth less time.
#[inline(always)]
fn find_char(hay: &str, from: usize, c: char) -> Option<usize> {
    if c.is_ascii() {
        return find_byte(hay.as_bytes(), from, c as u8);
    }
    memmem::find(&hay.as_bytes()[from..], c.encode_utf8(&mut [0; 4]).as_bytes()).map(|at| from + at)
}

#[inline(always)]
fn rfind_char(hay: &str, upto: usize, c: char) -> Option<usize> {
    if c.is_ascii() {
        return rfind_byte(hay.as_bytes(), upto, c as u8);
    }
    memmem::rfind(&hay.as_bytes()[..upto], c.encode_utf8(&mut [0; 4]).as_bytes())
}

// A head is a few hundred bytes and a fuzzy match looks for each of the
// query's characters in it twice: inlined 16-byte compares beat memchr's
// set-up there.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn find_byte(hay: &[u8], from: usize, b: u8) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = hay.get(at..at + 16) {
        let equal = equal_bytes(chunk, b);
        if equal != 0 {
            return Some(at + equal.trailing_zeros() as usize);
        }
        at += 16;
    }
    hay[at..].iter().position(|&x| x == b).map(|p| at + p)
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn rfind_byte(hay: &[u8], upto: usize, b: u8) -> Option<usize> {
    let mut end = upto;
    while let Some(chunk) = end.checked_sub(16).map(|start| &hay[start..end]) {
        let equal = equal_bytes(chunk, b);
        if equal != 0 {
            return Some(end + 15 - equal.leading_zeros() as usize);
        }
        end -= 16;
    }
    hay[..end].iter().rposition(|&x| x == b)
}

/// A bit for each of `chunk`'s 16 bytes that is `b`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn equal_bytes(chunk: &[u8], b: u8) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    assert_eq!(chunk.len(), 16);
    // SAFETY: SSE2 is part of x86_64, and the unaligned load reads `chunk`'s 16 bytes.
    unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(chunk.as_ptr().cast()), _mm_set1_epi8(b as i8))) as u32 }
}

#[cfg(not(target_arch = "x86_64"))]
fn find_byte(hay: &[u8], from: usize, b: u8) -> Option<usize> {
    memchr::memchr(b, &hay[from..]).map(|at| from + at)
}

#[cfg(not(target_arch = "x86_64"))]
fn rfind_byte(hay: &[u8], upto: usize, b: u8) -> Option<usize> {
    memchr::memrchr(b, &hay[..upto])
}

#[inline(always)]
fn word_start(hay: &str, at: usize) -> bool {
    match hay.as_bytes()[..at].last() {
        None => true,
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        Some(_) => hay[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric()),
    }
}

#[inline(always)]
fn word_end(hay: &str, end: usize) -> bool {
    match hay.as_bytes().get(end) {
        None => true,
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        Some(_) => hay[end..].chars().next().is_none_or(|c| !c.is_alphanumeric()),
    }
}

// A fuzzy match scores for each character, more where it starts a word or
// ends one where the query's word ends, more for a run and less for a gap,
// and less for a late start.
#[inline(always)]
fn char_score(hay: &str, at: usize, wanted: Wanted) -> i64 {
    let end = at + wanted.c.len_utf8();
    (if word_start(hay, at) { 9 } else { 1 }) + if wanted.ends_word && word_end(hay, end) { 3 } else { 0 }
}

#[inline(always)]
fn link_score(earlier_end: usize, later_start: usize) -> i64 {
    if earlier_end == later_start {
        6
    } else {
        -(((later_start - earlier_end + 1).min(20) / 4) as i64)
    }
}

#[inline(always)]
fn start_score(start: usize) -> i64 {
    -((start.min(100) / 10) as i64)
}

struct Fuzzy {
    score: i64,
    /// Where the match ends.
    end: usize,
    /// The better match is `backward`'s, not `forward`'s.
    tightened: bool,
}

/// The better of the first match and its tightened form, if the needle's
/// characters occur in order at all.
fn fuzzy(needle: &[Wanted], hay: &str) -> Option<Fuzzy> {
    let (ahead, end) = forward(needle, hay, |_, _| {})?;
    let behind = backward(needle, hay, end, |_, _| {});
    Some(Fuzzy { score: ahead.max(behind), end, tightened: behind > ahead })
}

/// Each of the needle's characters at its first occurrence after the one
/// before, or None if they do not all occur in order. The score, and where
/// the match ends. `at` gets each character's byte range.
fn forward(needle: &[Wanted], hay: &str, mut at: impl FnMut(usize, usize)) -> Option<(i64, usize)> {
    let mut score = 0;
    let mut end = None;
    for &wanted in needle {
        let c = wanted.c;
        let i = find_char(hay, end.unwrap_or(0), c)?;
        score += char_score(hay, i, wanted) + end.map_or_else(|| start_score(i), |e| link_score(e, i));
        end = Some(i + c.len_utf8());
        at(i, i + c.len_utf8());
    }
    Some((score, end?))
}

/// The match that `forward` found ending at `end`, tightened: its
/// characters found last to first. `at` gets them in that order.
fn backward(needle: &[Wanted], hay: &str, end: usize, mut at: impl FnMut(usize, usize)) -> i64 {
    let mut score = 0;
    let mut later = None;
    let mut upto = end;
    for &wanted in needle.iter().rev() {
        let Some(i) = rfind_char(hay, upto, wanted.c) else { break };
        let end = i + wanted.c.len_utf8();
        score += char_score(hay, i, wanted) + later.map_or(0, |l| link_score(end, l));
        later = Some(i);
        upto = i;
        at(i, end);
    }
    score + later.map_or(0, start_score)
}

/// Byte ranges of `text` as character ranges.
fn char_ranges(text: &str, bytes: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut chars = 0;
    let mut counted = 0;
    let mut to_chars = |byte: usize| {
        chars += text[counted..byte].chars().count();
        counted = byte;
        chars
    };
    bytes.iter().map(|&(a, b)| (to_chars(a), to_chars(b))).collect()
}

/// A window of `text` around the first match, with the ranges moved into it
/// and counted in UTF-16 units.
pub fn snippet(text: &str, ranges: &[(usize, usize)]) -> (String, Vec<[u32; 2]>) {
    let start = ranges.first().map_or(0, |r| r.0.saturating_sub(SNIPPET_LEAD));
    let mut out = String::new();
    let mut units = 0;
    if start > 0 {
        out.push('…');
        units += 1;
    }
    let mut utf16_at = Vec::with_capacity(SNIPPET_CHARS + 1);
    for c in text.chars().skip(start).take(SNIPPET_CHARS) {
        utf16_at.push(units);
        units += c.len_utf16() as u32;
        out.push(c);
    }
    utf16_at.push(units);
    let shown = utf16_at.len() - 1;
    let highlights = ranges
        .iter()
        .filter_map(|&(a, b)| {
            let a = a.checked_sub(start)?;
            let b = (b - start).min(shown);
            (a < b).then(|| [utf16_at[a], utf16_at[b]])
        })
        .collect();
    (out, highlights)
}

/// A history this long is searched on every core, up to `THREADS_MAX`.
const PARALLEL_FROM: u64 = 20_000;
const THREADS_MAX: usize = 8;
/// The history is cut into this many runs for each thread, and each thread
/// takes the next run left when it is done with one: a thread that starts
/// late takes fewer.
const RUNS_PER_THREAD: usize = 16;

#[derive(Clone, Copy)]
struct Found {
    score: i64,
    key: Key,
    id: u64,
}

/// Higher scores first; equal ones in display order, which is descending key order.
fn best_first(a: &Found, b: &Found) -> std::cmp::Ordering {
    b.score.cmp(&a.score).then(b.key.cmp(&a.key))
}

fn keep_best(found: &mut Vec<Found>, limit: usize) {
    if found.len() > limit {
        found.select_nth_unstable_by(limit - 1, best_first);
        found.truncate(limit);
    }
}

/// The hits one thread has seen: how many, and the best `limit` of them.
struct Tally {
    limit: usize,
    matched: u64,
    found: Vec<Found>,
    /// The worst of the best `limit` once that many are kept: a hit worse than it is counted only.
    worst: Option<Found>,
}

impl Tally {
    fn new(limit: usize) -> Self {
        Tally { limit, matched: 0, found: Vec::new(), worst: None }
    }

    fn add(&mut self, hit: Found) {
        self.matched += 1;
        if self.worst.is_some_and(|worst| best_first(&hit, &worst).is_gt()) {
            return;
        }
        self.found.push(hit);
        if self.found.len() >= 2 * self.limit {
            keep_best(&mut self.found, self.limit);
            self.worst = self.found.last().copied();
        }
    }
}

/// Adds the clips of `run` that match to `tally`. `needs` is `matcher.needs()`.
fn search_run<'a>(
    history: &History,
    matcher: &Matcher,
    needs: u64,
    run: impl Iterator<Item = Listed<'a>>,
    tally: &mut Tally,
) -> Result<()> {
    for listed in run {
        let mut score = if listed.kinds & needs == needs { matcher.score(listed.head) } else { None };
        // A head cut in memory is read whole only when the kept part does not match.
        if score.is_none() && listed.cut {
            score = history.head(listed.key)?.and_then(|whole| matcher.score(&fold_text(&whole)));
        }
        if let Some(score) = score {
            tally.add(Found { score, key: *listed.key, id: listed.id });
        }
    }
    Ok(())
}

/// Runs `query` over every clip with text. Exact hits come in display order;
/// fuzzy hits best first, ties in display order.
pub fn search(history: &History, query: &SearchQuery) -> Result<SearchResult> {
    let threads = if history.len() >= PARALLEL_FROM {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(THREADS_MAX))
    } else {
        1
    };
    search_on_threads(history, query, threads)
}

/// `search`, with the history searched by `threads` threads side by side.
fn search_on_threads(history: &History, query: &SearchQuery, threads: usize) -> Result<SearchResult> {
    if !(1..=LIMIT_MAX).contains(&query.limit) {
        return Err(Error::invalid(
            "query.limit",
            format!("{} is out of range; allowed 1 to {LIMIT_MAX}", query.limit),
        ));
    }
    let (matcher, mode) = Matcher::new(&query.text, query.mode)?;
    let offset = query.offset as usize;
    // The page's hits are known once the best `limit` up to its end are.
    let limit = offset + query.limit as usize;
    let Tally { matched, mut found, .. } = history.with_heads(|order| {
        let runs = Mutex::new(order.in_runs(threads * RUNS_PER_THREAD));
        let needs = matcher.needs();
        let work = || {
            let mut tally = Tally::new(limit);
            loop {
                // Taken apart from the `while let`, whose guard would hold the lock through the run.
                let run = runs.lock().unwrap_or_else(PoisonError::into_inner).next();
                let Some(run) = run else { break };
                search_run(history, &matcher, needs, run, &mut tally)?;
            }
            Ok::<_, Error>(tally)
        };
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut all = work()?;
            for helper in helpers {
                let tally = helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                all.matched += tally.matched;
                all.found.extend(tally.found);
            }
            Ok::<_, Error>(all)
        })
    })??;
    keep_best(&mut found, limit);
    found.sort_unstable_by(best_first);
    let mut hits = Vec::with_capacity(found.len().saturating_sub(offset));
    for Found { key, id, .. } in found.into_iter().skip(offset) {
        // A clip moved or deleted since the scan is left out; its change event follows.
        let (Some(head), Some(clip)) = (history.head(&key)?, history.summary_of(id)?) else {
            continue;
        };
        let Some(m) = matcher.find(&fold_text(&head)) else {
            continue;
        };
        let (snippet, highlights) = snippet(&head, &m.ranges);
        hits.push(SearchHit { clip, snippet, highlights });
    }
    Ok(SearchResult { mode, matched, hits })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(query: &str, mode: SearchMode, text: &str) -> Option<Match> {
        let (matcher, _) = Matcher::new(query, mode).unwrap();
        let folded = fold_text(text);
        let found = matcher.find(&folded);
        assert_eq!(found.as_ref().map(|m| m.score), matcher.score(&folded), "{query:?} in {text:?}");
        found
    }

    #[test]
    fn folding_keeps_character_positions() {
        for text in ["Git Commit", "ÉCOLE İstanbul", "K\u{212A}ß😀"] {
            let folded = fold_text(text);
            assert_eq!(folded.chars().count(), text.chars().count(), "{text}");
        }
        assert_eq!(fold_text("ÉCOLE Git"), "école git");
    }

    #[test]
    fn byte_search_finds_what_a_plain_walk_finds() {
        let hay: Vec<u8> = (0..70).map(|i: usize| b"ab\xc3"[i * 7 % 11 % 3]).collect();
        for len in 0..hay.len() {
            let hay = &hay[..len];
            for at in 0..=len {
                for b in [b'a', b'b', 0xc3, b'z'] {
                    let next = hay[at..].iter().position(|&x| x == b).map(|p| at + p);
                    let last = hay[..at].iter().rposition(|&x| x == b);
                    assert_eq!((find_byte(hay, at, b), rfind_byte(hay, at, b)), (next, last), "{b} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn exact_is_case_insensitive_and_literal() {
        let hit = m("HELLO", SearchMode::Exact, "say hello, hello").unwrap();
        assert_eq!(hit.ranges, [(4, 9), (11, 16)]);
        assert!(m("a.c", SearchMode::Exact, "abc").is_none());
        assert!(m("a.c", SearchMode::Exact, "xa.cx").is_some());
        assert_eq!(m("ß", SearchMode::Exact, "éß").unwrap().ranges, [(1, 2)]);
    }

    #[test]
    fn quote_prefix_forces_exact() {
        let (matcher, mode) = Matcher::new("'hlo", SearchMode::Fuzzy).unwrap();
        assert_eq!(mode, SearchMode::Exact);
        assert!(matcher.find("hello").is_none());
        assert!(m("hlo", SearchMode::Fuzzy, "hello").is_some());
    }

    #[test]
    fn fuzzy_needs_the_characters_in_order() {
        assert!(m("gcm", SearchMode::Fuzzy, "git commit -m").is_some());
        assert!(m("mcg", SearchMode::Fuzzy, "git commit -m").is_none());
        let hit = m("gco", SearchMode::Fuzzy, "git checkout").unwrap();
        assert_eq!(hit.ranges, [(0, 1), (4, 5), (9, 10)]);
        assert_eq!(m("écl", SearchMode::Fuzzy, "L'ÉCOLE").unwrap().ranges, [(2, 4), (5, 6)]);
        // The first complete match is tightened to the word that holds it all.
        assert_eq!(m("tkn", SearchMode::Fuzzy, "ticket token").unwrap().ranges, [(7, 8), (9, 10), (11, 12)]);
    }

    #[test]
    fn a_text_that_matches_holds_every_byte_kind_of_its_query() {
        let texts = ["Straße 12: naïve café", "a,b;c d-e", "😀 K\u{212A} İ", "zzz:zzz", "tab\there"];
        let queries = ["str", "ß12", "naïve", "cafe", "😀", "k", "i̇", "z:z", ":", "b;c", "d-e", "b\th", "tab here"];
        for text in texts {
            let folded = fold_text(text);
            for query in queries {
                for mode in [SearchMode::Fuzzy, SearchMode::Exact] {
                    let (matcher, _) = Matcher::new(query, mode).unwrap();
                    if matcher.score(&folded).is_some() {
                        let needs = matcher.needs();
                        assert_eq!(byte_kinds(folded.as_bytes()) & needs, needs, "{query:?} {mode:?} in {text:?}");
                    }
                }
            }
        }
        let (zzzz, _) = Matcher::new("zzzz", SearchMode::Fuzzy).unwrap();
        assert_ne!(byte_kinds(fold_text("clip 1: a report").as_bytes()) & zzzz.needs(), zzzz.needs());
    }

    #[test]
    fn fuzzy_prefers_runs_and_word_starts() {
        let run = m("port", SearchMode::Fuzzy, "passport").unwrap();
        let word = m("port", SearchMode::Fuzzy, "a port").unwrap();
        let scattered = m("port", SearchMode::Fuzzy, "pxoxrxt").unwrap();
        assert!(word.score > run.score, "{word:?} {run:?}");
        assert!(run.score > scattered.score, "{run:?} {scattered:?}");
        assert_eq!(word.ranges, [(2, 6)]);
    }

    #[test]
    fn fuzzy_prefers_whole_words_where_the_query_has_them() {
        let whole = m("copy 7 of", SearchMode::Fuzzy, "copy 7 of the day").unwrap();
        let longer = m("copy 7 of", SearchMode::Fuzzy, "copy 79 of the day").unwrap();
        assert!(whole.score > longer.score, "{whole:?} {longer:?}");
        // Without a space after it, the 7 may begin a longer number.
        let prefix = m("copy 7", SearchMode::Fuzzy, "copy 79 of the day").unwrap();
        assert_eq!(prefix.score, m("copy 7", SearchMode::Fuzzy, "copy 7 of the day").unwrap().score);
    }

    #[test]
    fn bad_queries_name_the_field() {
        for q in ["", "   ", "'", &"x".repeat(QUERY_MAX_CHARS + 1)] {
            let err = Matcher::new(q, SearchMode::Fuzzy).err().unwrap();
            assert!(err.to_string().starts_with("query.text"), "{q:?}: {err}");
        }
    }

    #[test]
    fn snippets_count_utf16_and_lead_to_the_match() {
        let (s, h) = snippet("😀 abc", &[(2, 5)]);
        assert_eq!(s, "😀 abc");
        assert_eq!(h, [[3, 6]]);
        let long = format!("{}needle", "x".repeat(100));
        let (s, h) = snippet(&long, &[(100, 106)]);
        assert!(s.starts_with('…'));
        let units: Vec<u16> = s.encode_utf16().collect();
        let [a, b] = h[0];
        assert_eq!(String::from_utf16(&units[a as usize..b as usize]).unwrap(), "needle");
    }
}

#[cfg(test)]
mod history_tests {
    use super::*;
    use crate::clip::{Captured, Selection};
    use crate::history::{History, HistoryDelta, Limits};
    use crate::store::Store;

    /// An empty history in a temporary dir, with what it needs kept alive.
    fn fresh() -> (tempfile::TempDir, Store, History) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (history, _) = History::open(&store).unwrap();
        (dir, store, history)
    }

    fn record(history: &History, text: &str, now_ms: u64) -> HistoryDelta {
        let limits = Limits { max_items: 100, max_age_ms: 0, max_total_bytes: u64::MAX };
        history.record(&Captured::text(text), Selection::Clipboard, now_ms, limits).unwrap()
    }

    #[test]
    fn search_finds_the_right_clips_in_the_right_order() {
        let (_dir, _store, history) = fresh();
        for (i, text) in
            ["git commit -m fix", "grocery list: milk", "git checkout main", "unrelated"].iter().enumerate()
        {
            record(&history, text, i as u64);
        }
        let run = |text: &str, mode| {
            let q = SearchQuery { text: text.into(), mode, offset: 0, limit: 10 };
            let r = search(&history, &q).unwrap();
            (r.matched, r.hits.into_iter().map(|h| h.clip.preview).collect::<Vec<_>>())
        };
        assert_eq!(run("GIT", SearchMode::Exact), (2, vec!["git checkout main".into(), "git commit -m fix".into()]));
        // "grocery list: milk" has g, c and m in order too, but no run or word start for c.
        let (n, fuzzy) = run("gcm", SearchMode::Fuzzy);
        assert_eq!(n, 3, "{fuzzy:?}");
        assert_eq!(fuzzy[2], "grocery list: milk");
        assert_eq!(run("'gcm", SearchMode::Fuzzy).0, 0);
        assert_eq!(run("nothing like it", SearchMode::Fuzzy).0, 0);
        let page = |text: &str, mode, offset, limit| {
            search(&history, &SearchQuery { text: text.into(), mode, offset, limit }).unwrap()
        };
        let limited = page("t", SearchMode::Exact, 0, 1);
        assert_eq!((limited.matched, limited.hits.len()), (4, 1));
        // Pages follow on from each other, in the order of one search asked for them all.
        for (text, mode) in [("t", SearchMode::Exact), ("i", SearchMode::Fuzzy)] {
            let all = page(text, mode, 0, 10).hits;
            let paged: Vec<_> = (0..5).flat_map(|offset| page(text, mode, offset, 1).hits).collect();
            assert_eq!(paged, all, "{text:?}");
            assert!(page(text, mode, 5, 10).hits.is_empty());
        }
        for (text, mode, offset, limit) in
            [("t", SearchMode::Exact, 0, 3), ("gcm", SearchMode::Fuzzy, 1, 2), ("i", SearchMode::Fuzzy, 0, 10)]
        {
            let query = SearchQuery { text: text.into(), mode, offset, limit };
            let whole = search_on_threads(&history, &query, 1).unwrap();
            for threads in 2..=5 {
                assert_eq!(
                    search_on_threads(&history, &query, threads).unwrap(),
                    whole,
                    "{text:?} on {threads} threads"
                );
            }
        }
        let bad = SearchQuery { text: "x".into(), mode: SearchMode::Exact, offset: 0, limit: 0 };
        assert!(search(&history, &bad).unwrap_err().to_string().starts_with("query.limit"));
    }

    #[test]
    fn heads_let_go_are_read_again_with_what_changed_meanwhile() {
        let (_dir, _store, history) = fresh();
        let record = |text: &str, now| record(&history, text, now);
        let previews = |text: &str| {
            let query = SearchQuery { text: text.into(), mode: SearchMode::Exact, offset: 0, limit: 10 };
            search(&history, &query).unwrap().hits.into_iter().map(|h| h.clip.preview).collect::<Vec<_>>()
        };
        record("kept apple", 1);
        let gone = record("gone apple", 2).added[0].id;
        let pinned = record("pinned apple", 3).added[0].id;
        assert_eq!(previews("apple"), ["pinned apple", "gone apple", "kept apple"]);
        history.drop_heads();
        history.delete(gone).unwrap();
        history.set_pinned(pinned, true).unwrap();
        record("new apple", 4);
        assert_eq!(previews("apple"), ["pinned apple", "new apple", "kept apple"]);
        history.hold_heads().unwrap();
        assert_eq!(previews("new"), ["new apple"]);
    }

    #[test]
    fn words_past_what_memory_keeps_of_a_head_are_found_and_highlighted() {
        let (_dir, _store, history) = fresh();
        record(&history, &format!("{} needle at the end", "filler ".repeat(200)), 1);
        record(&history, "short needle", 2);
        for mode in [SearchMode::Exact, SearchMode::Fuzzy] {
            let found =
                search(&history, &SearchQuery { text: "needle at".into(), mode, offset: 0, limit: 10 }).unwrap();
            assert_eq!(found.matched, 1, "{mode:?}");
            let hit = &found.hits[0];
            let [a, b] = hit.highlights[0];
            let marked: String =
                hit.snippet.encode_utf16().skip(a as usize).take((b - a) as usize).map(|u| u as u8 as char).collect();
            assert!("needle at".starts_with(&marked) && !marked.is_empty(), "{mode:?}: {marked:?} in {}", hit.snippet);
        }
    }
}
