//! What the desktop lets Trove do, as Settings and About show it. The desktop
//! adapters find it out; the domain only names it.

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
