//! "Start at login": an XDG autostart entry that runs `trove --hidden`. The
//! entry is the truth, and the setting follows it.
//!
//! It is named `dev.trove.Trove.desktop`, as the installed desktop entry is:
//! desktops and xdg-desktop-portal know an app by that name. Trove wrote
//! `Trove.desktop` before (through tauri-plugin-autostart); such an entry is
//! moved to the new name at start.

use crate::events::{self, Event};
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, Runtime};
use trove_domain::error::{Error, Result};
use trove_domain::settings::Settings;
use trove_domain::state::AppState;

const ENTRY: &str = "dev.trove.Trove.desktop";
const OLD_ENTRY: &str = "Trove.desktop";

fn autostart_dir() -> Result<PathBuf> {
    dirs::config_dir()
        .map(|dir| dir.join("autostart"))
        .ok_or_else(|| Error::System("start at login is not available here: no config dir (set HOME)".into()))
}

/// What the entry says: this very binary, started quietly.
fn entry(exe: &Path) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName=Trove\nComment=Clipboard history in the system tray\n\
         Exec={} --hidden\nIcon=trove\nTerminal=false\nStartupNotify=false\nX-GNOME-Autostart-enabled=true\n",
        exec_quoted(&exe.to_string_lossy())
    )
}

/// A path as the desktop entry specification wants it in `Exec`: bare when
/// plain, else in double quotes with `"`, `` ` ``, `$` and `\` escaped.
fn exec_quoted(path: &str) -> String {
    if path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+".contains(&b)) {
        return path.to_string();
    }
    let mut quoted = String::from('"');
    for c in path.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

fn write_entry(dir: &Path) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    std::fs::create_dir_all(dir)?;
    // Whole or not at all: the session reads it at the next login, whatever happens now.
    let partial = dir.join(format!(".{ENTRY}.partial"));
    std::fs::write(&partial, entry(&exe))?;
    std::fs::rename(&partial, dir.join(ENTRY))
}

pub fn set(enabled: bool) -> Result<()> {
    let dir = autostart_dir()?;
    let result = if enabled {
        write_entry(&dir)
    } else {
        [ENTRY, OLD_ENTRY].iter().try_for_each(|name| match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
    };
    result.map_err(|e| {
        Error::System(format!("cannot {} start at login: {e}", if enabled { "turn on" } else { "turn off" }))
    })?;
    log::info!("start at login turned {}", if enabled { "on" } else { "off" });
    Ok(())
}

/// Whether a login entry starts Trove, moving one of the old name to the new.
fn enabled_at_login(dir: &Path) -> std::io::Result<bool> {
    let old = dir.join(OLD_ENTRY);
    if old.exists() {
        write_entry(dir)?;
        std::fs::remove_file(&old)?;
        log::info!("moved the login entry {OLD_ENTRY} to {ENTRY}");
    }
    Ok(dir.join(ENTRY).exists())
}

/// Makes the setting say what the OS will really do at the next login.
pub fn reconcile<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let enabled = enabled_at_login(&autostart_dir()?).map_err(|e| Error::System(format!("autostart: {e}")))?;
    let state = app.state::<AppState>();
    let settings = state.settings();
    if settings.autostart != enabled {
        log::warn!(
            "start at login was saved as {} but the login entry says {}; following the login entry",
            settings.autostart,
            enabled
        );
        let saved = state.update_settings(Settings { autostart: enabled, ..settings })?;
        events::publish(app, Event::SettingsChanged(saved));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_runs_this_binary_hidden_with_its_path_quoted_where_needed() {
        let plain = entry(Path::new("/usr/bin/trove"));
        assert!(plain.lines().any(|l| l == "Exec=/usr/bin/trove --hidden"), "{plain}");
        assert!(plain.lines().any(|l| l == "Name=Trove"));
        assert_eq!(exec_quoted("/opt/my apps/trove"), "\"/opt/my apps/trove\"");
        assert_eq!(exec_quoted("/home/a\"b$c`d\\e/trove"), "\"/home/a\\\"b\\$c\\`d\\\\e/trove\"");
    }

    #[test]
    fn an_entry_of_the_old_name_moves_to_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!enabled_at_login(dir.path()).unwrap());
        std::fs::write(dir.path().join(OLD_ENTRY), "[Desktop Entry]\nExec=/old/trove --hidden\n").unwrap();
        assert!(enabled_at_login(dir.path()).unwrap());
        assert!(!dir.path().join(OLD_ENTRY).exists());
        let moved = std::fs::read_to_string(dir.path().join(ENTRY)).unwrap();
        assert!(moved.contains(" --hidden\n") && moved.contains("Name=Trove"), "{moved}");
    }
}
