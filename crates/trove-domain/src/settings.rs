//! The user's settings: typed fields, defaults and validation. No I/O here.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Global shortcut that toggles the history window, e.g. `Ctrl+Shift+V`.
    pub shortcut: String,
    /// How long a closed history window stays warm before it is destroyed.
    pub window_retain_secs: u32,
    pub history_max_items: u32,
    /// 0 keeps clips regardless of age.
    pub history_max_age_days: u32,
    pub history_max_total_mib: u32,
    pub theme: Theme,
    pub autostart: bool,
    /// Larger clipboard contents are skipped, and counted as skipped.
    pub max_item_bytes: u32,
    /// Also record the primary selection (what is merely selected).
    pub capture_primary: bool,
    pub capture_images: bool,
    /// Regular expressions; text matching any of them is never stored.
    pub ignore_patterns: Vec<String>,
    /// After choosing a clip, send Ctrl+V to the window that was active before.
    pub paste_after_choosing: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            shortcut: "Ctrl+Shift+V".into(),
            window_retain_secs: 120,
            history_max_items: 1000,
            history_max_age_days: 0,
            history_max_total_mib: 256,
            theme: Theme::System,
            autostart: false,
            max_item_bytes: 10 * 1024 * 1024,
            capture_primary: false,
            capture_images: true,
            ignore_patterns: Vec::new(),
            paste_after_choosing: false,
        }
    }
}

pub const WINDOW_RETAIN_SECS: RangeInclusive<u32> = 0..=86_400;
pub const HISTORY_MAX_ITEMS: RangeInclusive<u32> = 10..=100_000;
pub const HISTORY_MAX_AGE_DAYS: RangeInclusive<u32> = 0..=3_650;
pub const HISTORY_MAX_TOTAL_MIB: RangeInclusive<u32> = 1..=16_384;
pub const MAX_ITEM_BYTES: RangeInclusive<u32> = 1024..=256 * 1024 * 1024;
const SHORTCUT_MAX_LEN: usize = 64;
pub const IGNORE_PATTERNS_MAX: usize = 100;
const IGNORE_PATTERN_MAX_LEN: usize = 1000;
/// Bounds the compiled size of each pattern, so a hostile one cannot eat memory.
const IGNORE_PATTERN_MAX_COMPILED: usize = 1 << 20;

impl Settings {
    /// Checks every field and returns the settings with the shortcut in canonical form.
    pub fn validated(mut self) -> Result<Self> {
        self.shortcut = canonical_shortcut(&self.shortcut)?;
        in_range("window_retain_secs", self.window_retain_secs, WINDOW_RETAIN_SECS)?;
        in_range("history_max_items", self.history_max_items, HISTORY_MAX_ITEMS)?;
        in_range("history_max_age_days", self.history_max_age_days, HISTORY_MAX_AGE_DAYS)?;
        in_range("history_max_total_mib", self.history_max_total_mib, HISTORY_MAX_TOTAL_MIB)?;
        in_range("max_item_bytes", self.max_item_bytes, MAX_ITEM_BYTES)?;
        compile_ignore_patterns(&self.ignore_patterns)?;
        Ok(self)
    }
}

/// Compiles the user's ignore patterns, naming the first one that is refused.
pub fn compile_ignore_patterns(patterns: &[String]) -> Result<Vec<regex::Regex>> {
    if patterns.len() > IGNORE_PATTERNS_MAX {
        return Err(Error::invalid(
            "ignore_patterns",
            format!("{} patterns; at most {IGNORE_PATTERNS_MAX} are allowed", patterns.len()),
        ));
    }
    patterns
        .iter()
        .enumerate()
        .map(|(i, pattern)| {
            let field = format!("ignore_patterns[{i}]");
            if pattern.trim().is_empty() {
                return Err(Error::invalid(field, "is empty"));
            }
            if pattern.len() > IGNORE_PATTERN_MAX_LEN {
                return Err(Error::invalid(field, format!("longer than {IGNORE_PATTERN_MAX_LEN} bytes")));
            }
            regex::RegexBuilder::new(pattern)
                .size_limit(IGNORE_PATTERN_MAX_COMPILED)
                .build()
                .map_err(|e| Error::invalid(field, format!("not a valid pattern: {e}")))
        })
        .collect()
}

fn in_range(field: &str, value: u32, range: RangeInclusive<u32>) -> Result<()> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("{value} is out of range; allowed {} to {}", range.start(), range.end())))
    }
}

const MODIFIERS: [(&str, &[&str]); 4] = [
    ("Ctrl", &["ctrl", "control"]),
    ("Alt", &["alt", "option"]),
    ("Shift", &["shift"]),
    ("Super", &["super", "meta", "cmd", "command"]),
];

const NAMED_KEYS: [&str; 14] = [
    "Space",
    "Tab",
    "Enter",
    "Backspace",
    "Delete",
    "Insert",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Up",
    "Down",
    "Left",
    "Right",
];

/// Parses `Ctrl+Shift+V`-style accelerators (any case, any modifier order) into
/// the canonical spelling. At least one modifier is required: a bare key would
/// swallow ordinary typing system-wide.
pub fn canonical_shortcut(input: &str) -> Result<String> {
    let fail = |reason: String| Err(Error::invalid("shortcut", reason));
    if input.len() > SHORTCUT_MAX_LEN {
        return fail(format!("longer than {SHORTCUT_MAX_LEN} characters"));
    }
    let mut modifiers = [false; MODIFIERS.len()];
    let mut key: Option<String> = None;
    for part in input.split('+').map(str::trim) {
        if part.is_empty() {
            return fail(format!("{input:?} has an empty part"));
        }
        let lower = part.to_ascii_lowercase();
        if let Some(i) = MODIFIERS.iter().position(|(_, names)| names.contains(&lower.as_str())) {
            if modifiers[i] {
                return fail(format!("{} appears twice", MODIFIERS[i].0));
            }
            modifiers[i] = true;
        } else if key.is_some() {
            return fail(format!("{input:?} names more than one key"));
        } else {
            match canonical_key(part) {
                Some(k) => key = Some(k),
                None => return fail(format!("{part:?} is not a key Trove can bind")),
            }
        }
    }
    let Some(key) = key else {
        return fail(format!("{input:?} has no key besides modifiers"));
    };
    if !modifiers.contains(&true) {
        return fail("needs at least one of Ctrl, Alt, Shift or Super".into());
    }
    let mut parts: Vec<String> =
        MODIFIERS.iter().zip(modifiers).filter(|(_, on)| *on).map(|((name, _), _)| name.to_string()).collect();
    parts.push(key);
    Ok(parts.join("+"))
}

/// A canonical shortcut in another program's spelling: `modifiers` names Ctrl,
/// Alt, Shift and Super, in that order; the key is its X keysym name, which
/// GTK, mutter and the XDG shortcuts specification all read.
pub fn respell_shortcut(shortcut: &str, modifiers: [&str; 4], separator: &str) -> String {
    shortcut
        .split('+')
        .map(|part| match MODIFIERS.iter().position(|(name, _)| *name == part) {
            Some(i) => modifiers[i].to_string(),
            None => xkb_key_name(part),
        })
        .collect::<Vec<_>>()
        .join(separator)
}

/// The X keysym name of a key as `canonical_shortcut` spells it (`PageDown` is `Page_Down`).
fn xkb_key_name(key: &str) -> String {
    match key {
        "Space" => "space".into(),
        "Enter" => "Return".into(),
        "Backspace" => "BackSpace".into(),
        "PageUp" => "Page_Up".into(),
        "PageDown" => "Page_Down".into(),
        key if key.len() == 1 => key.to_ascii_lowercase(),
        key => key.into(),
    }
}

fn canonical_key(part: &str) -> Option<String> {
    let mut chars = part.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_ascii_alphanumeric().then(|| c.to_ascii_uppercase().to_string());
    }
    if let Some(n) = part.strip_prefix(['F', 'f']).and_then(|n| n.parse::<u8>().ok()) {
        return (1..=24).contains(&n).then(|| format!("F{n}"));
    }
    NAMED_KEYS.iter().find(|k| k.eq_ignore_ascii_case(part)).map(|k| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid_and_documented_values() {
        let s = Settings::default();
        assert_eq!(s.clone().validated().unwrap(), s);
        assert_eq!(s.shortcut, "Ctrl+Shift+V");
        assert_eq!(s.window_retain_secs, 120);
        assert_eq!(s.history_max_items, 1000);
        assert_eq!(s.theme, Theme::System);
        assert!(!s.autostart);
        assert_eq!(s.max_item_bytes, 10 * 1024 * 1024);
        assert!(!s.capture_primary);
        assert!(s.capture_images);
        assert!(!s.paste_after_choosing);
        assert!(s.ignore_patterns.is_empty());
    }

    #[test]
    fn ignore_patterns_are_compiled_and_bad_ones_named() {
        let mut s = Settings { ignore_patterns: vec!["^secret-".into(), r"\d{16}".into()], ..Settings::default() };
        assert!(s.clone().validated().is_ok());
        for (bad, index) in [
            (vec!["ok".into(), "(unclosed".into()], 1),
            (vec!["  ".into()], 0),
            (vec!["x".repeat(1001)], 0),
            (vec![r"(\w{1000}){1000}".into()], 0),
        ] {
            s.ignore_patterns = bad;
            let err = s.clone().validated().unwrap_err();
            assert_eq!(field_of(err), format!("ignore_patterns[{index}]"));
        }
        s.ignore_patterns = vec!["a".into(); IGNORE_PATTERNS_MAX + 1];
        assert_eq!(field_of(s.validated().unwrap_err()), "ignore_patterns");
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        type Mutation = (fn(&mut Settings), &'static str);
        let cases: [Mutation; 7] = [
            (|s| s.max_item_bytes = 1023, "max_item_bytes"),
            (|s| s.max_item_bytes = 256 * 1024 * 1024 + 1, "max_item_bytes"),
            (|s| s.window_retain_secs = 86_401, "window_retain_secs"),
            (|s| s.history_max_items = 9, "history_max_items"),
            (|s| s.history_max_items = 100_001, "history_max_items"),
            (|s| s.history_max_age_days = 3_651, "history_max_age_days"),
            (|s| s.history_max_total_mib = 0, "history_max_total_mib"),
        ];
        for (mutate, field) in cases {
            let mut s = Settings::default();
            mutate(&mut s);
            let err = s.validated().unwrap_err();
            assert!(err.to_string().starts_with(field), "{err}");
            assert_eq!(field_of(err), field);
        }
    }

    #[test]
    fn range_bounds_are_inclusive() {
        let s = Settings {
            window_retain_secs: 0,
            history_max_items: 100_000,
            history_max_total_mib: 1,
            ..Settings::default()
        };
        assert!(s.validated().is_ok());
    }

    #[test]
    fn shortcuts_are_canonicalised() {
        for (input, want) in [
            ("ctrl+shift+v", "Ctrl+Shift+V"),
            ("Shift + Control + v", "Ctrl+Shift+V"),
            ("super+alt+f12", "Alt+Super+F12"),
            ("Meta+space", "Super+Space"),
            ("CTRL+1", "Ctrl+1"),
        ] {
            assert_eq!(canonical_shortcut(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn bad_shortcuts_are_refused_with_the_field_name() {
        for input in [
            "",
            "V",
            "Ctrl+",
            "Ctrl+Shift",
            "Ctrl+Ctrl+V",
            "Ctrl+V+B",
            "Ctrl+F25",
            "Ctrl+é",
            "Ctrl+Hyper",
            "Ctrl+".repeat(40).as_str(),
        ] {
            let err = canonical_shortcut(input).unwrap_err();
            assert_eq!(field_of(err), "shortcut", "{input:?}");
        }
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_rejected_by_deserialisation() {
        let mut json = serde_json::to_value(Settings::default()).unwrap();
        json["surprise"] = true.into();
        assert!(serde_json::from_value::<Settings>(json).is_err());
        let mut json = serde_json::to_value(Settings::default()).unwrap();
        json["theme"] = "neon".into();
        assert!(serde_json::from_value::<Settings>(json).is_err());
        let mut json = serde_json::to_value(Settings::default()).unwrap();
        json["history_max_items"] = (-1).into();
        assert!(serde_json::from_value::<Settings>(json).is_err());
    }
}
