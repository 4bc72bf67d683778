//! The global shortcut on X11: a passive key grab on the root window, on a
//! connection of its own whose thread sleeps in the socket until the key is
//! pressed. Wayland lets no app grab keys; there the desktop binds it
//! (`portal_shortcut`, `gnome_shell`).

use std::sync::{Arc, Mutex};
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

/// A passive key grab on the root window, for one accelerator at a time.
pub struct KeyGrab {
    conn: Arc<RustConnection>,
    root: u32,
    current: Arc<Mutex<Option<Grab>>>,
}

/// Caps Lock and Num Lock must not stop the shortcut from working.
const LOCKS: [u16; 4] = [0, 0x02, 0x10, 0x12];

impl KeyGrab {
    /// Connects to the X server, with a thread that calls `on_press` each
    /// time the grabbed accelerator is pressed.
    pub fn connect(on_press: impl Fn() + Send + 'static) -> Result<Self, Box<dyn std::error::Error>> {
        let (conn, screen) = RustConnection::connect(None)?;
        let root = conn.setup().roots[screen].root;
        let conn = Arc::new(conn);
        let current: Arc<Mutex<Option<Grab>>> = Arc::new(Mutex::new(None));
        let (listener, grabbed) = (conn.clone(), current.clone());
        std::thread::Builder::new().name("shortcut".into()).spawn(move || loop {
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
                on_press();
            }
        })?;
        Ok(KeyGrab { conn, root, current })
    }

    /// Grabs `accelerator` in place of the current one; if it cannot be had,
    /// the current one stays.
    pub fn grab(&self, accelerator: &str) -> Result<(), String> {
        let (keycode, modifiers) = self.resolve(accelerator)?;
        let new = Grab { accelerator: accelerator.to_string(), keycode, modifiers };
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

    /// The accelerator grabbed now.
    pub fn active(&self) -> Option<String> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.as_ref().map(|g| g.accelerator.clone())
    }

    /// The key code and modifiers for a canonical accelerator such as `Ctrl+Shift+V`.
    fn resolve(&self, accelerator: &str) -> Result<(u8, ModMask), String> {
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
            let canonical = trove_domain::settings::canonical_shortcut(&format!("Ctrl+{key}")).unwrap();
            assert!(keysym_of(canonical.trim_start_matches("Ctrl+")).is_some(), "{key}");
        }
    }
}
