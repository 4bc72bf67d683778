//! The app's windows, by name: the one type that the core, the window host,
//! the link between them, the command table and the command line share.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AppWindow {
    Main,
    Settings,
    About,
}

impl AppWindow {
    pub const ALL: [AppWindow; 3] = [AppWindow::Main, AppWindow::Settings, AppWindow::About];

    pub fn label(self) -> &'static str {
        match self {
            AppWindow::Main => "main",
            AppWindow::Settings => "settings",
            AppWindow::About => "about",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.label() == label)
    }
}
