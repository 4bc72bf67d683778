//! Trove's clipboard history, with no desktop in it: what a clip is, the
//! settings, the privacy rules, the store on sled, the history and its order,
//! search, and the core's state with the rules for changing it. Nothing here
//! knows Tauri, GTK, WebKit, X11 or Wayland; the app and the desktop adapters
//! build on it.

pub mod clip;
pub mod error;
mod fold;
pub mod history;
pub mod integration;
mod order;
pub mod privacy;
pub mod search;
pub mod settings;
pub mod state;
pub mod store;
