//! The sled database: one tree per kind of data. No tauri here.

use crate::error::{Error, Result};
use crate::settings::Settings;
use std::path::{Path, PathBuf};

/// Bumped whenever the on-disk layout changes; a newer database is refused.
pub const SCHEMA_VERSION: u32 = 1;

const CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// Tree names. The history trees (clips, blobs, hashes) join these with the capture work.
mod tree {
    pub const META: &str = "meta";
    pub const SETTINGS: &str = "settings";
}

mod key {
    pub const SCHEMA_VERSION: &[u8] = b"schema_version";
    pub const CAPTURE_PAUSED: &[u8] = b"capture_paused";
    pub const SETTINGS: &[u8] = b"settings";
    /// Where stored settings that no longer parse or validate are kept for the user.
    pub const SETTINGS_REJECTED: &[u8] = b"settings.rejected";
}

pub struct Store {
    db: sled::Db,
    meta: sled::Tree,
    settings: sled::Tree,
    dir: PathBuf,
}

impl Store {
    /// Opens (or creates) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        create_private_dir(dir)?;
        let db = sled::Config::new()
            .path(dir)
            // Durability comes from explicit flushes after each write; a flush
            // timer would only wake an idle process.
            .flush_every_ms(None)
            // sled would cache up to 1 GiB of pages; a history of 100 000 clips
            // then stays resident after one scan. Clips are read on demand.
            .cache_capacity(CACHE_BYTES)
            .open()
            .map_err(|e| open_error(e, dir))?;
        let meta = db.open_tree(tree::META)?;
        match read_u32(&meta, key::SCHEMA_VERSION)? {
            Some(found) if found > SCHEMA_VERSION => {
                return Err(Error::NewerSchema {
                    path: dir.to_owned(),
                    found,
                    supported: SCHEMA_VERSION,
                })
            }
            Some(_) => {}
            None => {
                meta.insert(key::SCHEMA_VERSION, SCHEMA_VERSION.to_be_bytes().to_vec())?;
            }
        }
        let store = Store {
            settings: db.open_tree(tree::SETTINGS)?,
            meta,
            db,
            dir: dir.to_owned(),
        };
        store.flush()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn schema_version(&self) -> Result<u32> {
        Ok(read_u32(&self.meta, key::SCHEMA_VERSION)?.unwrap_or(SCHEMA_VERSION))
    }

    /// The stored settings, or the defaults when none are stored. Settings that
    /// no longer parse or validate are set aside (never dropped) and replaced
    /// by the defaults, so a bad value cannot keep Trove from starting.
    pub fn load_settings(&self) -> Result<Settings> {
        let Some(raw) = self.settings.get(key::SETTINGS)? else {
            return Ok(Settings::default());
        };
        let parsed = with_defaults(&raw)
            .and_then(|v| serde_json::from_value::<Settings>(v).map_err(|e| e.to_string()))
            .map_err(|e| Error::invalid("settings", e))
            .and_then(Settings::validated);
        match parsed {
            Ok(settings) => Ok(settings),
            Err(e) => {
                log::warn!("stored settings rejected ({e}); using defaults, old value kept as settings.rejected");
                self.settings.insert(key::SETTINGS_REJECTED, raw)?;
                self.settings.remove(key::SETTINGS)?;
                self.flush()?;
                Ok(Settings::default())
            }
        }
    }

    /// Stores settings that the caller has validated.
    pub fn save_settings(&self, settings: &Settings) -> Result<()> {
        let raw = serde_json::to_vec(settings).map_err(|e| Error::Storage(e.to_string()))?;
        self.settings.insert(key::SETTINGS, raw)?;
        self.flush()
    }

    pub fn capture_paused(&self) -> Result<bool> {
        Ok(self
            .meta
            .get(key::CAPTURE_PAUSED)?
            .is_some_and(|v| matches!(v.as_ref(), [1])))
    }

    pub fn set_capture_paused(&self, paused: bool) -> Result<()> {
        self.meta
            .insert(key::CAPTURE_PAUSED, vec![u8::from(paused)])?;
        self.flush()
    }

    pub(crate) fn db(&self) -> &sled::Db {
        &self.db
    }

    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}

/// Settings stored by an older Trove lack the newer fields; those take their defaults.
fn with_defaults(raw: &[u8]) -> std::result::Result<serde_json::Value, String> {
    let stored: serde_json::Value = serde_json::from_slice(raw).map_err(|e| e.to_string())?;
    let serde_json::Value::Object(stored) = stored else {
        return Err("not a JSON object".into());
    };
    let mut merged = serde_json::to_value(Settings::default()).map_err(|e| e.to_string())?;
    if let serde_json::Value::Object(fields) = &mut merged {
        fields.extend(stored);
    }
    Ok(merged)
}

fn read_u32(tree: &sled::Tree, key: &[u8]) -> Result<Option<u32>> {
    match tree.get(key)? {
        None => Ok(None),
        Some(v) => match <[u8; 4]>::try_from(v.as_ref()) {
            Ok(bytes) => Ok(Some(u32::from_be_bytes(bytes))),
            Err(_) => Err(Error::Storage(format!(
                "meta value {:?} is corrupt ({} bytes)",
                String::from_utf8_lossy(key),
                v.len()
            ))),
        },
    }
}

fn open_error(e: sled::Error, dir: &Path) -> Error {
    match e {
        // sled 0.34 reports a held lock only through this message.
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => Error::Locked {
            path: dir.to_owned(),
        },
        other => Error::Storage(format!(
            "cannot open the database in {}: {other}",
            dir.display()
        )),
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::Storage(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Theme;

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn new_database_has_current_schema_and_default_settings() {
        let dir = temp();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.load_settings().unwrap(), Settings::default());
        assert!(!store.capture_paused().unwrap());
    }

    #[test]
    fn data_dir_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp();
        let db = dir.path().join("nested/db");
        Store::open(&db).unwrap();
        let mode = std::fs::metadata(&db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn settings_and_pause_persist_across_reopen() {
        let dir = temp();
        let changed = Settings {
            theme: Theme::Dark,
            window_retain_secs: 5,
            ..Settings::default()
        };
        {
            let store = Store::open(dir.path()).unwrap();
            store.save_settings(&changed).unwrap();
            store.set_capture_paused(true).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.load_settings().unwrap(), changed);
        assert!(store.capture_paused().unwrap());
    }

    #[test]
    fn a_second_open_while_locked_is_a_clear_error() {
        let dir = temp();
        let _first = Store::open(dir.path()).unwrap();
        let err = Store::open(dir.path())
            .err()
            .expect("second open must fail");
        assert!(matches!(err, Error::Locked { .. }), "{err:?}");
        assert!(
            err.to_string().contains("in use by another Trove process"),
            "{err}"
        );
    }

    #[test]
    fn newer_schema_is_refused_and_left_untouched() {
        let dir = temp();
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .meta
                .insert(
                    key::SCHEMA_VERSION,
                    (SCHEMA_VERSION + 1).to_be_bytes().to_vec(),
                )
                .unwrap();
            store
                .save_settings(&Settings {
                    autostart: true,
                    ..Settings::default()
                })
                .unwrap();
        }
        let err = Store::open(dir.path())
            .err()
            .expect("newer schema must be refused");
        match &err {
            Error::NewerSchema {
                found, supported, ..
            } => {
                assert_eq!((*found, *supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION))
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        assert!(err.to_string().contains("left untouched"));
        let db = sled::open(dir.path()).unwrap();
        let meta = db.open_tree(tree::META).unwrap();
        assert_eq!(
            read_u32(&meta, key::SCHEMA_VERSION).unwrap(),
            Some(SCHEMA_VERSION + 1)
        );
        assert!(db
            .open_tree(tree::SETTINGS)
            .unwrap()
            .get(key::SETTINGS)
            .unwrap()
            .is_some());
    }

    #[test]
    fn unreadable_stored_settings_fall_back_to_defaults_and_are_kept() {
        let dir = temp();
        let store = Store::open(dir.path()).unwrap();
        let bad = br#"{"shortcut":"V","theme":"neon"}"#;
        store.settings.insert(key::SETTINGS, &bad[..]).unwrap();
        assert_eq!(store.load_settings().unwrap(), Settings::default());
        assert_eq!(
            store
                .settings
                .get(key::SETTINGS_REJECTED)
                .unwrap()
                .unwrap()
                .as_ref(),
            bad
        );
    }

    #[test]
    fn settings_from_an_older_trove_keep_their_values_and_gain_defaults() {
        let dir = temp();
        let store = Store::open(dir.path()).unwrap();
        let old = br#"{"shortcut":"Ctrl+Alt+H","window_retain_secs":5,"history_max_items":50,
            "history_max_age_days":0,"history_max_total_mib":256,"theme":"dark","autostart":false}"#;
        store.settings.insert(key::SETTINGS, &old[..]).unwrap();
        let loaded = store.load_settings().unwrap();
        assert_eq!(loaded.shortcut, "Ctrl+Alt+H");
        assert_eq!(loaded.history_max_items, 50);
        assert_eq!(loaded.max_item_bytes, Settings::default().max_item_bytes);
    }

    #[test]
    fn out_of_range_stored_settings_fall_back_to_defaults() {
        let dir = temp();
        let store = Store::open(dir.path()).unwrap();
        let mut json = serde_json::to_value(Settings::default()).unwrap();
        json["history_max_items"] = 0.into();
        store
            .settings
            .insert(key::SETTINGS, serde_json::to_vec(&json).unwrap())
            .unwrap();
        assert_eq!(store.load_settings().unwrap(), Settings::default());
    }

    #[test]
    fn corrupt_schema_value_is_an_error_not_a_panic() {
        let dir = temp();
        {
            let store = Store::open(dir.path()).unwrap();
            store.meta.insert(key::SCHEMA_VERSION, &b"xy"[..]).unwrap();
            store.flush().unwrap();
        }
        let err = Store::open(dir.path())
            .err()
            .expect("corrupt meta must fail");
        assert!(matches!(err, Error::Storage(_)), "{err:?}");
    }
}
