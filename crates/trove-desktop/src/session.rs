//! Which kind of desktop session Trove runs in, and so what the OS lets it do.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DisplaySession {
    X11,
    /// Global shortcuts cannot be grabbed here, even through XWayland.
    Wayland,
}

impl DisplaySession {
    pub fn current() -> Self {
        Self::from_env(|name| std::env::var(name).ok())
    }

    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        let wayland = var("XDG_SESSION_TYPE").is_some_and(|t| t.eq_ignore_ascii_case("wayland"))
            || var("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
        if wayland {
            DisplaySession::Wayland
        } else {
            DisplaySession::X11
        }
    }

    pub fn has_global_shortcuts(self) -> bool {
        self == DisplaySession::X11
    }
}

/// Trove's GNOME Shell extension, as the running Shell knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ShellExtension {
    /// No GNOME Shell is on the session bus.
    NotGnome,
    NotInstalled,
    /// Installed for this Shell's version, and turned off.
    Off,
    /// Turned on, and not (or not yet) talking to this Trove.
    On,
    Connected,
}

/// What the desktop lets Trove do beyond the clipboard, for Settings and About.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Integration {
    /// The shortcut that toggles the history now, if any does.
    pub shortcut: Option<String>,
    /// What binds it: "X11 key grab", "desktop portal", "GNOME Shell extension".
    pub shortcut_via: Option<String>,
    pub gnome_extension: ShellExtension,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(vars: &[(&str, &str)]) -> DisplaySession {
        DisplaySession::from_env(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn wayland_is_recognised_by_either_variable() {
        assert_eq!(detect(&[("DISPLAY", ":0")]), DisplaySession::X11);
        assert_eq!(
            detect(&[("XDG_SESSION_TYPE", "x11"), ("DISPLAY", ":0")]),
            DisplaySession::X11
        );
        assert_eq!(detect(&[("WAYLAND_DISPLAY", "")]), DisplaySession::X11);
        assert_eq!(
            detect(&[("WAYLAND_DISPLAY", "wayland-0"), ("DISPLAY", ":0")]),
            DisplaySession::Wayland
        );
        assert_eq!(
            detect(&[("XDG_SESSION_TYPE", "Wayland")]),
            DisplaySession::Wayland
        );
        assert!(!DisplaySession::Wayland.has_global_shortcuts());
    }
}
