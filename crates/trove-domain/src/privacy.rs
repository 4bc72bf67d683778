//! What must never be stored: content its owner marks secret, and content
//! matching the user's ignore patterns. No tauri here.

use crate::clip::Captured;
use regex::Regex;

/// KeePassXC, KDE's Klipper and others offer this target with the value `secret`.
pub const KDE_PASSWORD_HINT: &str = "x-kde-passwordManagerHint";

/// Targets whose mere presence marks the content concealed or transient
/// (the nspasteboard.org markers, which several Linux apps also set).
const CONCEALED_TARGETS: [&str; 3] =
    ["org.nspasteboard.ConcealedType", "org.nspasteboard.TransientType", "application/x-nspasteboard-concealed-type"];

/// True if the offered targets alone mark the content as not for keeping.
pub fn conceals(targets: &[String]) -> bool {
    targets.iter().any(|t| CONCEALED_TARGETS.contains(&t.as_str()))
}

pub fn kde_hint_is_secret(value: &[u8]) -> bool {
    value.trim_ascii().eq_ignore_ascii_case(b"secret")
}

/// True if any text form of `captured` matches one of `patterns`.
pub fn ignored(captured: &Captured, patterns: &[Regex]) -> bool {
    if patterns.is_empty() {
        return false;
    }
    let texts = [captured.text.as_deref(), captured.uri_list.as_deref(), captured.html.as_deref()];
    texts.into_iter().flatten().any(|t| patterns.iter().any(|p| p.is_match(t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_markers_are_recognised() {
        assert!(kde_hint_is_secret(b"secret"));
        assert!(kde_hint_is_secret(b"secret\n"));
        assert!(!kde_hint_is_secret(b"public"));
        assert!(!kde_hint_is_secret(b""));
        let targets = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(conceals(&targets(&["UTF8_STRING", "org.nspasteboard.ConcealedType"])));
        assert!(!conceals(&targets(&["UTF8_STRING", KDE_PASSWORD_HINT])));
    }

    #[test]
    fn ignore_patterns_look_at_every_text_form() {
        let patterns =
            crate::settings::compile_ignore_patterns(&[r"^\d{4}-\d{4}-\d{4}-\d{4}$".into(), "(?i)password".into()])
                .unwrap();
        assert!(ignored(&Captured::text("1234-5678-9012-3456"), &patterns));
        assert!(!ignored(&Captured::text("1234-5678"), &patterns));
        let html = Captured { html: Some("<b>PassWord</b>".into()), ..Captured::default() };
        assert!(ignored(&html, &patterns));
        assert!(!ignored(&Captured::text("anything"), &[]));
    }
}
