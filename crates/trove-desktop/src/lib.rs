//! Trove's adapters to the Linux desktop: the clipboard (X11, Wayland and
//! the desktop's own stand-ins), the global shortcut (an X11 key grab, the
//! GlobalShortcuts portal), the tray's menu and StatusNotifierItem, the GNOME
//! Shell extension's interface, one instance per data dir, and which session
//! this is. None of it knows the app: each adapter reports through the
//! callback or channel that the app hands it, and the app decides what
//! follows. No Tauri here.

pub mod bus;
pub mod capture;
pub mod gnome_shell;
pub mod instance;
pub mod key_grab;
pub mod portal_shortcut;
pub mod session;
pub mod tray;
