//! The tray: its menu as Trove draws it anywhere (the tray, GNOME Shell's top
//! bar), and the StatusNotifierItem that shows it to a panel.

pub mod menu;
mod status_notifier;

pub use status_notifier::StatusNotifier;
