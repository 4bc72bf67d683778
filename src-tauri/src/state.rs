//! The core's state and the rules for changing it. Callers broadcast the result.

use crate::error::Result;
use crate::session::DisplaySession;
use crate::settings::Settings;
use crate::store::Store;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::RwLock;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct CaptureState {
    pub paused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub build: String,
    pub data_dir: String,
    pub database_dir: String,
    pub schema_version: u32,
    pub database_bytes: u64,
    pub session: DisplaySession,
}

pub struct AppState {
    store: Store,
    data_dir: PathBuf,
    /// The one in-memory copy; writers hold the lock while persisting.
    settings: RwLock<Settings>,
}

impl AppState {
    pub fn new(store: Store, data_dir: PathBuf) -> Result<Self> {
        let settings = RwLock::new(store.load_settings()?);
        Ok(AppState {
            store,
            data_dir,
            settings,
        })
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Validates, persists and adopts `new`. On error nothing changes.
    pub fn update_settings(&self, new: Settings) -> Result<Settings> {
        let new = new.validated()?;
        let mut current = self.settings.write().unwrap_or_else(|p| p.into_inner());
        self.store.save_settings(&new)?;
        *current = new.clone();
        Ok(new)
    }

    pub fn capture_state(&self) -> Result<CaptureState> {
        Ok(CaptureState {
            paused: self.store.capture_paused()?,
        })
    }

    pub fn set_capture_paused(&self, paused: bool) -> Result<CaptureState> {
        self.store.set_capture_paused(paused)?;
        Ok(CaptureState { paused })
    }

    pub fn info(&self) -> Result<AppInfo> {
        Ok(AppInfo {
            name: "Trove".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            build: format!(
                "{} build, {}-{}",
                if cfg!(debug_assertions) {
                    "debug"
                } else {
                    "release"
                },
                std::env::consts::ARCH,
                std::env::consts::OS
            ),
            data_dir: self.data_dir.display().to_string(),
            database_dir: self.store.dir().display().to_string(),
            schema_version: self.store.schema_version()?,
            database_bytes: self.store.size_on_disk()?,
            session: DisplaySession::current(),
        })
    }

    pub fn flush(&self) -> Result<()> {
        self.store.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn state(dir: &std::path::Path) -> AppState {
        AppState::new(Store::open(&dir.join("db")).unwrap(), dir.to_owned()).unwrap()
    }

    #[test]
    fn rejected_update_changes_nothing_in_memory_or_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(dir.path());
        let bad = Settings {
            history_max_items: 0,
            ..Settings::default()
        };
        assert!(matches!(
            st.update_settings(bad),
            Err(Error::InvalidInput { .. })
        ));
        assert_eq!(st.settings(), Settings::default());
        drop(st);
        assert_eq!(state(dir.path()).settings(), Settings::default());
    }

    #[test]
    fn accepted_update_is_canonical_and_durable() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(dir.path());
        let saved = st
            .update_settings(Settings {
                shortcut: "alt+super+t".into(),
                ..Settings::default()
            })
            .unwrap();
        assert_eq!(saved.shortcut, "Alt+Super+T");
        assert_eq!(st.settings(), saved);
        drop(st);
        assert_eq!(state(dir.path()).settings(), saved);
    }

    #[test]
    fn info_reports_paths_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let info = state(dir.path()).info().unwrap();
        assert_eq!(info.data_dir, dir.path().display().to_string());
        assert!(info.database_dir.ends_with("db"));
        assert_eq!(info.schema_version, crate::store::SCHEMA_VERSION);
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    }
}
