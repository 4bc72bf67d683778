//! The global shortcut that toggles the history window: on X11 a passive key
//! grab on the root window, on a connection of its own whose thread sleeps in
//! the socket until the key is pressed. Wayland lets no app grab keys: there
//! the desktop binds it for Trove, through the GlobalShortcuts portal or
//! Trove's GNOME Shell extension, and where it offers neither, Trove says so.

use crate::error::{Error, Result};
use crate::gnome_shell::GnomeShell;
use crate::portal_shortcut::{FromPortal, PortalShortcut};
use crate::session::DisplaySession;
use crate::state::AppState;
use crate::windows;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager, Runtime};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt as _, GrabMode, ModMask};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// A grabbed accelerator.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grab {
    accelerator: String,
    keycode: u8,
    modifiers: ModMask,
}

/// The core's key grabber: managed state on X11 only.
pub struct Shortcuts {
    conn: Arc<RustConnection>,
    root: u32,
    current: Arc<Mutex<Option<Grab>>>,
}

/// Caps Lock and Num Lock must not stop the shortcut from working.
const LOCKS: [u16; 4] = [0, 0x02, 0x10, 0x12];

/// Starts listening for the shortcut, on X11; then grabs the saved one.
/// Failing either, Trove runs on without a shortcut.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    if !DisplaySession::current().has_global_shortcuts() {
        if !crate::desktop::gnome_extension_binds_keys(app) && !through_portal(app) {
            log::warn!("global shortcuts are not available in a Wayland session; bind `trove toggle` in the compositor");
        }
        return;
    }
    match Shortcuts::connect(app.clone()) {
        Ok(shortcuts) => {
            app.manage(shortcuts);
        }
        Err(e) => {
            log::error!("no global shortcut: {e}");
            return;
        }
    }
    let shortcut = app.state::<AppState>().settings().shortcut;
    match manager(app).map(|m| m.grab(&shortcut)) {
        Some(Ok(())) => log::info!("global shortcut {shortcut} registered"),
        Some(Err(e)) => log::error!("global shortcut {shortcut} unavailable: {e}"),
        None => {}
    }
}

/// Asks the desktop's GlobalShortcuts portal for the shortcut; false where it has none.
fn through_portal<R: Runtime>(app: &AppHandle<R>) -> bool {
    let Ok(conn) = gio::bus_get_sync(gio::BusType::Session, gio::Cancellable::NONE) else {
        return false;
    };
    let shortcut = app.state::<AppState>().settings().shortcut;
    let handle = app.clone();
    let portal = PortalShortcut::start(&conn, crate::IDENTIFIER, &shortcut, move |event| match event {
        FromPortal::Activated => {
            log::info!("global shortcut pressed (portal)");
            if let Err(e) = windows::toggle_main(&handle) {
                log::error!("{e}");
            }
        }
        FromPortal::Bound(Some(keys)) => {
            log::info!("global shortcut {keys} registered with the desktop portal");
            crate::tray::refresh(&handle);
        }
        FromPortal::Bound(None) => log::warn!("the desktop portal bound no shortcut"),
    });
    match portal {
        Some(portal) => {
            app.manage(portal);
            true
        }
        None => false,
    }
}

impl Shortcuts {
    fn connect<R: Runtime>(app: AppHandle<R>) -> std::result::Result<Self, Box<dyn std::error::Error>> {
        let (conn, screen) = RustConnection::connect(None)?;
        let root = conn.setup().roots[screen].root;
        let conn = Arc::new(conn);
        let current: Arc<Mutex<Option<Grab>>> = Arc::new(Mutex::new(None));
        let (listener, grabbed) = (conn.clone(), current.clone());
        std::thread::Builder::new()
            .name("shortcut".into())
            .spawn(move || loop {
                let event = match listener.wait_for_event() {
                    Ok(e) => e,
                    Err(e) => {
                        log::error!("global shortcut stopped: {e}");
                        return;
                    }
                };
                let Event::KeyPress(press) = event else {
                    continue;
                };
                let hit = grabbed.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|g| {
                    let held = u16::from(press.state) & !LOCKS[3] & 0xff;
                    press.detail == g.keycode && held == u16::from(g.modifiers)
                });
                if hit {
                    log::info!("global shortcut pressed");
                    let handle = app.clone();
                    let queued = app.run_on_main_thread(move || {
                        if let Err(e) = windows::toggle_main(&handle) {
                            log::error!("{e}");
                        }
                    });
                    if let Err(e) = queued {
                        log::error!("{e}");
                    }
                }
            })?;
        Ok(Shortcuts {
            conn,
            root,
            current,
        })
    }

    /// Grabs `accelerator` in place of the current one; if it cannot be had,
    /// the current one stays.
    fn grab(&self, accelerator: &str) -> std::result::Result<(), String> {
        let (keycode, modifiers) = self.resolve(accelerator)?;
        let new = Grab {
            accelerator: accelerator.to_string(),
            keycode,
            modifiers,
        };
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if current.as_ref() == Some(&new) {
            return Ok(());
        }
        for (i, lock) in LOCKS.iter().enumerate() {
            let grabbed = self
                .conn
                .grab_key(false, self.root, modifiers | ModMask::from(*lock), keycode, GrabMode::ASYNC, GrabMode::ASYNC)
                .map_err(|e| e.to_string())?
                .check();
            if let Err(e) = grabbed {
                for undo in &LOCKS[..i] {
                    let _ = self.conn.ungrab_key(keycode, self.root, modifiers | ModMask::from(*undo));
                }
                let _ = self.conn.flush();
                return Err(format!("another program holds it ({e:?})"));
            }
        }
        if let Some(old) = current.replace(new) {
            self.release(&old);
        }
        Ok(())
    }

    fn release(&self, grab: &Grab) {
        for lock in LOCKS {
            let _ = self.conn.ungrab_key(grab.keycode, self.root, grab.modifiers | ModMask::from(lock));
        }
        let _ = self.conn.flush();
    }

    fn active(&self) -> Option<String> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.as_ref().map(|g| g.accelerator.clone())
    }

    /// The key code and modifiers for a canonical accelerator such as `Ctrl+Shift+V`.
    fn resolve(&self, accelerator: &str) -> std::result::Result<(u8, ModMask), String> {
        let mut modifiers = ModMask::from(0u16);
        let mut keysym = None;
        for part in accelerator.split('+') {
            match part {
                "Ctrl" => modifiers |= ModMask::CONTROL,
                "Alt" => modifiers |= ModMask::M1,
                "Shift" => modifiers |= ModMask::SHIFT,
                "Super" => modifiers |= ModMask::M4,
                key => keysym = keysym_of(key),
            }
        }
        let keysym = keysym.ok_or_else(|| format!("{accelerator} names no key X11 knows"))?;
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = self
            .conn
            .get_keyboard_mapping(min, max - min + 1)
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?;
        let per = usize::from(map.keysyms_per_keycode).max(1);
        map.keysyms
            .chunks(per)
            .position(|syms| syms.contains(&keysym))
            .and_then(|i| u8::try_from(usize::from(min) + i).ok())
            .map(|code| (code, modifiers))
            .ok_or_else(|| format!("no key on this keyboard types {accelerator}"))
    }
}

/// The X keysym of a key as `settings::canonical_shortcut` spells it.
fn keysym_of(key: &str) -> Option<u32> {
    const NAMED: [(&str, u32); 14] = [
        ("Space", 0x20),
        ("Tab", 0xff09),
        ("Enter", 0xff0d),
        ("Backspace", 0xff08),
        ("Delete", 0xffff),
        ("Insert", 0xff63),
        ("Home", 0xff50),
        ("End", 0xff57),
        ("PageUp", 0xff55),
        ("PageDown", 0xff56),
        ("Up", 0xff52),
        ("Down", 0xff54),
        ("Left", 0xff51),
        ("Right", 0xff53),
    ];
    if let [c] = key.as_bytes() {
        return c.is_ascii_alphanumeric().then(|| u32::from(c.to_ascii_lowercase()));
    }
    if let Some(n) = key.strip_prefix('F').and_then(|n| n.parse::<u32>().ok()) {
        return (1..=24).contains(&n).then(|| 0xffbe + n - 1);
    }
    NAMED.iter().find(|(name, _)| *name == key).map(|(_, sym)| *sym)
}

fn manager<R: Runtime>(app: &AppHandle<R>) -> Option<tauri::State<'_, Shortcuts>> {
    app.try_state::<Shortcuts>()
}

/// The shortcut that really toggles the history window now, if any: Trove's
/// own grab, or the one the desktop holds for it.
pub fn active<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    if let Some(shortcuts) = manager(app) {
        return shortcuts.active();
    }
    if let Some(keys) = app.try_state::<PortalShortcut>().and_then(|portal| portal.bound()) {
        return Some(keys);
    }
    app.try_state::<GnomeShell>()?.bound_shortcut()
}

/// Moves the toggle from `old` to `new`. If `new` cannot be grabbed, `old` stays.
/// The desktop (the portal, GNOME Shell) is asked to bind `new` and says later
/// whether it did. Where it offers neither, the setting is only stored.
pub fn rebind<R: Runtime>(app: &AppHandle<R>, old: &str, new: &str) -> Result<()> {
    if let Some(shell) = app.try_state::<GnomeShell>() {
        shell.set_shortcut(new);
    }
    if let Some(portal) = app.try_state::<PortalShortcut>() {
        portal.rebind(new);
    }
    let Some(shortcuts) = manager(app).filter(|_| old != new) else {
        return Ok(());
    };
    shortcuts
        .grab(new)
        .map_err(|e| Error::invalid("shortcut", format!("{new} cannot be used: {e}")))?;
    log::info!("global shortcut moved from {old} to {new}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_setting_can_name_has_a_keysym() {
        assert_eq!(keysym_of("V"), Some(u32::from(b'v')));
        assert_eq!(keysym_of("7"), Some(u32::from(b'7')));
        assert_eq!(keysym_of("F1"), Some(0xffbe));
        assert_eq!(keysym_of("F24"), Some(0xffbe + 23));
        assert_eq!(keysym_of("PageDown"), Some(0xff56));
        assert_eq!(keysym_of("F25"), None);
        assert_eq!(keysym_of("Hyper"), None);
        for key in ["Space", "Tab", "Enter", "Backspace", "Delete", "Insert", "Home", "End", "Up", "Left"] {
            let canonical = crate::settings::canonical_shortcut(&format!("Ctrl+{key}")).unwrap();
            assert!(keysym_of(canonical.trim_start_matches("Ctrl+")).is_some(), "{key}");
        }
    }
}
