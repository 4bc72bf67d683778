//! Typing Ctrl+V on Wayland, where the compositor lets an app: wlroots
//! compositors (Sway, Hyprland) through `zwp_virtual_keyboard_manager_v1`, as
//! wtype does, and KWin through `org_kde_kwin_fake_input`, which a real Plasma
//! grants to apps whose desktop entry lists it in `X-KDE-Wayland-Interfaces`.
//!
//! Each paste opens a connection of its own and closes it when done: nothing
//! stays open, and no thread waits, between pastes. The keys go to whatever
//! has the keyboard, so the caller first waits until the history window has
//! gone and the compositor has given the keyboard back.

use super::{BoxError, Paster};
use std::io::Write;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use wayland_client::globals::{registry_queue_init, GlobalList, GlobalListContents};
use wayland_client::protocol::{wl_keyboard::KeyState, wl_registry, wl_seat::WlSeat};
use wayland_client::{Connection, Dispatch, Proxy, QueueHandle};

use wayland_protocols_misc::zwp_virtual_keyboard_v1::client::{
    zwp_virtual_keyboard_manager_v1::ZwpVirtualKeyboardManagerV1, zwp_virtual_keyboard_v1::ZwpVirtualKeyboardV1,
};
use wayland_protocols_plasma::fake_input::client::org_kde_kwin_fake_input::OrgKdeKwinFakeInput;

/// sway's default `transaction_timeout`.
const WLROOTS_TRANSACTION_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(200);

/// Linux evdev codes of the two keys.
const KEY_LEFTCTRL: u32 = 29;
const KEY_V: u32 = 47;
/// xkb's modifier mask of Control in the keymap below.
const CONTROL_MASK: u32 = 1 << 2;
/// A keymap with just the two keys, at their evdev codes plus 8 as xkb counts.
const KEYMAP: &str = "xkb_keymap {\n\
    xkb_keycodes \"trove\" { minimum = 8; maximum = 255; <LCTL> = 37; <AB04> = 55; };\n\
    xkb_types \"trove\" { include \"complete\" };\n\
    xkb_compatibility \"trove\" { include \"complete\" };\n\
    xkb_symbols \"trove\" { key <LCTL> { [ Control_L ] }; key <AB04> { [ v, V ] }; modifier_map Control { <LCTL> }; };\n\
};\n";

/// Which way this compositor lets Trove type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    VirtualKeyboard,
    KwinFakeInput,
}

impl Method {
    /// What the compositor offers, from its globals.
    pub fn offered(globals: &GlobalList) -> Option<Self> {
        globals.contents().with_list(|list| {
            let has = |name: &str| list.iter().any(|g| g.interface == name);
            if has(ZwpVirtualKeyboardManagerV1::interface().name) {
                Some(Method::VirtualKeyboard)
            } else if list.iter().any(|g| g.interface == OrgKdeKwinFakeInput::interface().name && g.version >= 4) {
                Some(Method::KwinFakeInput)
            } else {
                None
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::VirtualKeyboard => "a virtual keyboard (zwp_virtual_keyboard_v1)",
            Method::KwinFakeInput => "KWin's fake input",
        }
    }
}

pub struct WaylandPaster(pub Method);

impl Paster for WaylandPaster {
    /// The compositor gives the keyboard back by itself when Trove's window goes.
    fn focused_window(&self) -> Option<u64> {
        None
    }

    fn paste_into(&self, _window: Option<u64>) -> Result<(), BoxError> {
        if self.0 == Method::VirtualKeyboard {
            // wlroots compositors move the keyboard in a transaction that waits
            // for the tiled windows left to redraw, up to sway's default
            // transaction timeout: keys typed before then can land nowhere
            // (measured on headless sway: lost in about one paste in three at
            // once, in none of six after 150 ms).
            std::thread::sleep(WLROOTS_TRANSACTION_TIMEOUT);
        }
        let conn = Connection::connect_to_env()?;
        let (globals, mut queue) = registry_queue_init::<Typist>(&conn)?;
        let qh = queue.handle();
        match self.0 {
            Method::KwinFakeInput => {
                let input: OrgKdeKwinFakeInput = globals.bind(&qh, 4..=4, ())?;
                input.authenticate("Trove".into(), "paste the clip you chose".into());
                queue.roundtrip(&mut Typist)?;
                for (key, state) in chord() {
                    input.keyboard_key(key, state.into());
                }
            }
            Method::VirtualKeyboard => {
                let manager: ZwpVirtualKeyboardManagerV1 = globals.bind(&qh, 1..=1, ())?;
                let seat: WlSeat = globals.bind(&qh, 1..=1, ())?;
                let keyboard = manager.create_virtual_keyboard(&seat, &qh, ());
                let keymap = keymap_fd()?;
                const XKB_V1: u32 = 1;
                keyboard.keymap(XKB_V1, keymap.as_fd(), (KEYMAP.len() + 1) as u32);
                // The compositor sets the new keyboard up as it reads the keymap;
                // keys sent along with it may find it not yet ready.
                queue.roundtrip(&mut Typist)?;
                for (time, (key, state)) in (0..).zip(chord()) {
                    keyboard.key(time, key, state.into());
                    let held = key == KEY_LEFTCTRL && state == KeyState::Pressed || key == KEY_V;
                    keyboard.modifiers(if held { CONTROL_MASK } else { 0 }, 0, 0, 0);
                }
                keyboard.destroy();
            }
        }
        // Until the compositor has read every key, the connection must stay.
        queue.roundtrip(&mut Typist)?;
        Ok(())
    }
}

/// Ctrl down, V down, V up, Ctrl up.
fn chord() -> [(u32, KeyState); 4] {
    let (down, up) = (KeyState::Pressed, KeyState::Released);
    [(KEY_LEFTCTRL, down), (KEY_V, down), (KEY_V, up), (KEY_LEFTCTRL, up)]
}

/// The keymap in a sealed memory file, NUL-terminated as the protocol wants.
fn keymap_fd() -> std::io::Result<OwnedFd> {
    // SAFETY: memfd_create with a valid C string; the fd is ours alone.
    let fd = unsafe { libc::memfd_create(c"trove-keymap".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut file = std::fs::File::from(fd);
    file.write_all(KEYMAP.as_bytes())?;
    file.write_all(&[0])?;
    Ok(file.into())
}

/// The state of one paste's queue: there is no event it needs to read.
struct Typist;

impl Dispatch<wl_registry::WlRegistry, GlobalListContents> for Typist {
    fn event(
        _: &mut Self,
        _: &wl_registry::WlRegistry,
        _: wl_registry::Event,
        _: &GlobalListContents,
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
    }
}

macro_rules! no_events {
    ($($proxy:ty),*) => {$(
        impl Dispatch<$proxy, ()> for Typist {
            fn event(_: &mut Self, _: &$proxy, _: <$proxy as Proxy>::Event, _: &(), _: &Connection, _: &QueueHandle<Self>) {}
        }
    )*};
}
no_events!(OrgKdeKwinFakeInput, ZwpVirtualKeyboardManagerV1, ZwpVirtualKeyboardV1, WlSeat);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chord_holds_ctrl_around_v() {
        let keys = chord();
        assert_eq!(keys[0], (KEY_LEFTCTRL, KeyState::Pressed));
        assert_eq!(keys[3], (KEY_LEFTCTRL, KeyState::Released));
        assert_eq!([keys[1].0, keys[2].0], [KEY_V, KEY_V]);
    }

    #[test]
    fn the_keymap_file_holds_the_keymap_and_its_nul() {
        let fd = keymap_fd().unwrap();
        let data = std::fs::read(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd))).unwrap();
        assert_eq!(data.len(), KEYMAP.len() + 1);
        assert_eq!(data.last(), Some(&0));
        assert!(KEYMAP.contains("<LCTL> = 37") && KEYMAP.contains("<AB04> = 55"));
    }
}
