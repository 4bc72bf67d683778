//! Search over the history's text: exact (case-insensitive substring) or
//! fuzzy (the query's characters in order). No tauri here.

use crate::error::{Error, Result};
use crate::history::{ClipSummary, History};
use serde::{Deserialize, Serialize};
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
    /// How many clips match; `hits` holds the best `limit` of them.
    pub matched: u64,
    pub hits: Vec<SearchHit>,
}

/// Where a query matched, as character ranges of the searched text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub score: i64,
    pub ranges: Vec<(usize, usize)>,
}

/// A query compiled once and run against many texts.
pub enum Matcher {
    Exact(regex::Regex),
    Fuzzy(Vec<char>),
}

impl Matcher {
    pub fn new(text: &str, mode: SearchMode) -> Result<(Self, SearchMode)> {
        if text.chars().count() > QUERY_MAX_CHARS {
            return Err(Error::invalid(
                "query.text",
                format!("longer than {QUERY_MAX_CHARS} characters"),
            ));
        }
        let (text, mode) = match text.strip_prefix(EXACT_PREFIX) {
            Some(rest) => (rest, SearchMode::Exact),
            None => (text, mode),
        };
        if text.trim().is_empty() {
            return Err(Error::invalid("query.text", "is empty"));
        }
        let matcher = match mode {
            SearchMode::Exact => Matcher::Exact(
                regex::RegexBuilder::new(&regex::escape(text))
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| Error::invalid("query.text", e.to_string()))?,
            ),
            SearchMode::Fuzzy => Matcher::Fuzzy(
                text.chars()
                    .filter(|c| !c.is_whitespace())
                    .map(fold)
                    .collect(),
            ),
        };
        Ok((matcher, mode))
    }

    pub fn find(&self, haystack: &str) -> Option<Match> {
        match self {
            Matcher::Exact(re) => {
                let mut ranges = Vec::new();
                let mut chars_before = 0;
                let mut last_byte = 0;
                for m in re.find_iter(haystack).take(32) {
                    chars_before += haystack[last_byte..m.start()].chars().count();
                    let len = m.as_str().chars().count();
                    ranges.push((chars_before, chars_before + len));
                    chars_before += len;
                    last_byte = m.end();
                }
                (!ranges.is_empty()).then_some(Match { score: 0, ranges })
            }
            Matcher::Fuzzy(needle) => fuzzy(needle, haystack),
        }
    }
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Whether `needle` occurs in `haystack` in order at all: the cheap test,
/// without allocating, that most clips fail.
fn in_order(needle: &[char], haystack: &str) -> bool {
    let mut want = needle.iter().peekable();
    for c in haystack.chars() {
        match want.peek() {
            None => break,
            Some(&&w) if fold(c) == w => {
                want.next();
            }
            Some(_) => {}
        }
    }
    want.peek().is_none()
}

/// The best in-order match of `needle` in `haystack`: tried from each place
/// the first character occurs, scored for runs and word starts.
fn fuzzy(needle: &[char], haystack: &str) -> Option<Match> {
    if !in_order(needle, haystack) {
        return None;
    }
    let first = *needle.first()?;
    let hay: Vec<char> = haystack.chars().map(fold).collect();
    let word_start = |i: usize| i == 0 || !hay[i - 1].is_alphanumeric();
    let mut best: Option<(i64, Vec<usize>)> = None;
    let starts = hay.iter().enumerate().filter(|(_, c)| **c == first).map(|(i, _)| i);
    for start in starts.take(64) {
        let mut positions = vec![start];
        let mut at = start + 1;
        for &want in &needle[1..] {
            match hay[at..].iter().position(|&c| c == want) {
                Some(off) => {
                    positions.push(at + off);
                    at += off + 1;
                }
                None => break,
            }
        }
        if positions.len() < needle.len() {
            // Later starts cannot find what this one could not.
            break;
        }
        let mut score = 0i64;
        for (k, &p) in positions.iter().enumerate() {
            score += 1;
            if word_start(p) {
                score += 8;
            }
            if k > 0 && positions[k - 1] + 1 == p {
                score += 6;
            } else if k > 0 {
                score -= (p - positions[k - 1]).min(20) as i64 / 4;
            }
        }
        score -= (start.min(100) / 10) as i64;
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, positions));
        }
    }
    let (score, positions) = best?;
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for p in positions {
        match ranges.last_mut() {
            Some(last) if last.1 == p => last.1 = p + 1,
            _ => ranges.push((p, p + 1)),
        }
    }
    Some(Match { score, ranges })
}

/// A window of `text` around the first match, with the ranges moved into it
/// and counted in UTF-16 units.
pub fn snippet(text: &str, ranges: &[(usize, usize)]) -> (String, Vec<[u32; 2]>) {
    let start = ranges
        .first()
        .map_or(0, |r| r.0.saturating_sub(SNIPPET_LEAD));
    let chars: Vec<char> = text.chars().skip(start).take(SNIPPET_CHARS).collect();
    let mut out = String::new();
    let mut utf16_at = Vec::with_capacity(chars.len() + 1);
    if start > 0 {
        out.push('…');
    }
    for c in &chars {
        utf16_at.push(out.encode_utf16().count() as u32);
        out.push(*c);
    }
    utf16_at.push(out.encode_utf16().count() as u32);
    let highlights = ranges
        .iter()
        .filter_map(|&(a, b)| {
            let a = a.checked_sub(start)?;
            let b = (b - start).min(chars.len());
            (a < b).then(|| [utf16_at[a], utf16_at[b]])
        })
        .collect();
    (out, highlights)
}

type Found = (i64, usize, u64, Match, String);

/// Runs `query` over every clip with text. Exact hits come in display order;
/// fuzzy hits best first, ties in display order.
pub fn search(history: &History, query: &SearchQuery) -> Result<SearchResult> {
    if !(1..=LIMIT_MAX).contains(&query.limit) {
        return Err(Error::invalid(
            "query.limit",
            format!("{} is out of range; allowed 1 to {LIMIT_MAX}", query.limit),
        ));
    }
    let (matcher, mode) = Matcher::new(&query.text, query.mode)?;
    let limit = query.limit as usize;
    let best_first = |a: &Found, b: &Found| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    let mut found: Vec<Found> = Vec::new();
    let mut matched = 0u64;
    let mut position = 0usize;
    let mut failed = None;
    history.scan(|id, kept, whole| {
        position += 1;
        // A head cut in memory is read whole only when the kept part does not match.
        let mut head = std::borrow::Cow::Borrowed(kept);
        let mut found_here = matcher.find(kept);
        if found_here.is_none() {
            if let Some(whole) = whole {
                match whole() {
                    Ok(text) => {
                        found_here = matcher.find(&text);
                        head = text.into();
                    }
                    Err(e) => {
                        failed = Some(e);
                        return false;
                    }
                }
            }
        }
        if let Some(m) = found_here {
            matched += 1;
            // Exact hits arrive in display order, so later ones never displace earlier ones.
            if mode == SearchMode::Fuzzy || found.len() < limit {
                found.push((m.score, position, id, m, head.into_owned()));
            }
            if found.len() >= 2 * limit {
                found.sort_by(best_first);
                found.truncate(limit);
            }
        }
        true
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    found.sort_by(best_first);
    found.truncate(limit);
    let mut hits = Vec::with_capacity(found.len());
    for (_, _, id, m, head) in found {
        let (snippet, highlights) = snippet(&head, &m.ranges);
        hits.push(SearchHit {
            clip: history.summary(id)?,
            snippet,
            highlights,
        });
    }
    Ok(SearchResult {
        mode,
        matched,
        hits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(query: &str, mode: SearchMode, text: &str) -> Option<Match> {
        Matcher::new(query, mode).unwrap().0.find(text)
    }

    #[test]
    fn in_order_needs_every_character_in_sequence() {
        let needle: Vec<char> = "gcm".chars().collect();
        assert!(in_order(&needle, "Git Commit -m"));
        assert!(!in_order(&needle, "mcg"));
        assert!(!in_order(&needle, ""));
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
    use crate::history::{History, Limits};
    use crate::store::Store;

    #[test]
    fn search_finds_the_right_clips_in_the_right_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (history, _) = History::open(&store).unwrap();
        let limits = Limits {
            max_items: 100,
            max_age_ms: 0,
            max_total_bytes: u64::MAX,
        };
        for (i, text) in ["git commit -m fix", "grocery list: milk", "git checkout main", "unrelated"]
            .iter()
            .enumerate()
        {
            history
                .record(&Captured::text(*text), Selection::Clipboard, i as u64, limits)
                .unwrap();
        }
        let run = |text: &str, mode| {
            let q = SearchQuery {
                text: text.into(),
                mode,
                limit: 10,
            };
            let r = search(&history, &q).unwrap();
            (r.matched, r.hits.into_iter().map(|h| h.clip.preview).collect::<Vec<_>>())
        };
        assert_eq!(
            run("GIT", SearchMode::Exact),
            (2, vec!["git checkout main".into(), "git commit -m fix".into()])
        );
        // "grocery list: milk" has g, c and m in order too, but no run or word start for c.
        let (n, fuzzy) = run("gcm", SearchMode::Fuzzy);
        assert_eq!(n, 3, "{fuzzy:?}");
        assert_eq!(fuzzy[2], "grocery list: milk");
        assert_eq!(run("'gcm", SearchMode::Fuzzy).0, 0);
        assert_eq!(run("nothing like it", SearchMode::Fuzzy).0, 0);
        let limited = search(&history, &SearchQuery { text: "t".into(), mode: SearchMode::Exact, limit: 1 }).unwrap();
        assert_eq!((limited.matched, limited.hits.len()), (4, 1));
        let bad = SearchQuery { text: "x".into(), mode: SearchMode::Exact, limit: 0 };
        assert!(search(&history, &bad).unwrap_err().to_string().starts_with("query.limit"));
    }

    #[test]
    fn words_past_what_memory_keeps_of_a_head_are_found_and_highlighted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (history, _) = History::open(&store).unwrap();
        let limits = Limits { max_items: 100, max_age_ms: 0, max_total_bytes: u64::MAX };
        let long = format!("{} needle at the end", "filler ".repeat(200));
        history.record(&Captured::text(long), Selection::Clipboard, 1, limits).unwrap();
        history.record(&Captured::text("short needle"), Selection::Clipboard, 2, limits).unwrap();
        for mode in [SearchMode::Exact, SearchMode::Fuzzy] {
            let found = search(&history, &SearchQuery { text: "needle at".into(), mode, limit: 10 }).unwrap();
            assert_eq!(found.matched, 1, "{mode:?}");
            let hit = &found.hits[0];
            let [a, b] = hit.highlights[0];
            let marked: String = hit.snippet.encode_utf16().skip(a as usize).take((b - a) as usize).map(|u| u as u8 as char).collect();
            assert!("needle at".starts_with(&marked) && !marked.is_empty(), "{mode:?}: {marked:?} in {}", hit.snippet);
        }
    }
}
