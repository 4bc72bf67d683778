//! The core's state and the rules for changing it. Callers broadcast the result.

use crate::clip::{Captured, Selection};
use crate::error::{Error, Result};
use crate::history::{History, HistoryDelta, Limits};
use crate::integration::{DisplaySession, Integration};
use crate::settings::{compile_ignore_patterns, Settings};
use crate::store::Store;
use serde::Serialize;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use ts_rs::TS;

/// Why a clipboard content was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Its owner marked it as a password or otherwise concealed.
    Secret,
    /// It matched one of the user's ignore patterns.
    Ignored,
    /// It was larger than `max_item_bytes`.
    TooLarge,
}

/// Clipboard contents skipped since Trove started. Only counted, never kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct SkipCounts {
    pub secret: u64,
    pub ignored: u64,
    pub too_large: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Skipped {
    pub reason: SkipReason,
    /// The size, where it is known (always for `too_large`).
    pub bytes: Option<u64>,
    pub at_ms: u64,
}

/// How this session's clipboard is watched, or why it cannot be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaptureMethod {
    pub available: bool,
    pub description: String,
    /// "Paste after choosing" can type Ctrl+V into the previous window.
    pub can_paste: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaptureState {
    pub paused: bool,
    pub method: CaptureMethod,
    pub skipped: SkipCounts,
    pub last_skipped: Option<Skipped>,
    /// Why the last capture could not be stored (a full disk, say); cleared
    /// by the next one that is.
    pub save_error: Option<String>,
    /// How to reach Trove in a desktop that shows no tray icon for it; `None`
    /// once the tray, a shortcut or the GNOME Shell extension does.
    pub desktop_hint: Option<String>,
}

/// A database that could not be opened, moved aside at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Recovery {
    pub reason: String,
    /// Where the old database is now. Trove never deletes it.
    pub moved_to: String,
}

/// What became of one capture.
#[derive(Debug)]
pub enum Recorded {
    Stored(HistoryDelta),
    Skipped(Skipped),
}

#[derive(Default)]
struct Skips {
    counts: SkipCounts,
    last: Option<Skipped>,
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
    pub capture: CaptureMethod,
    pub integration: Integration,
    pub clips: u64,
    pub pinned: u64,
    pub clip_bytes: u64,
    pub recovery: Option<Recovery>,
}

/// A database as opened: replaced whole when a data dir that was read-only
/// at start becomes writable.
struct Opened {
    store: Store,
    history: History,
    recovery: Option<Recovery>,
}

/// The history of the database open when it was asked for.
pub struct HistoryRef(Arc<Opened>);

impl Deref for HistoryRef {
    type Target = History;

    fn deref(&self) -> &History {
        &self.0.history
    }
}

pub struct AppState {
    opened: RwLock<Arc<Opened>>,
    /// Set while `opened` is an empty stand-in for a data dir that could not
    /// be written at start.
    waiting: Mutex<bool>,
    /// The real database took the stand-in's place and the windows, which
    /// show the stand-in's empty history, have not been told yet.
    reopened: AtomicBool,
    data_dir: PathBuf,
    /// The one in-memory copy; writers hold the lock while persisting.
    settings: RwLock<Settings>,
    /// `settings.ignore_patterns`, compiled.
    ignore: RwLock<Vec<regex::Regex>>,
    method: RwLock<CaptureMethod>,
    skips: Mutex<Skips>,
    save_error: Mutex<Option<String>>,
    desktop_hint: Mutex<Option<String>>,
}

impl AppState {
    /// Opens the database in `data_dir/db`. One that cannot be read (damaged,
    /// truncated, from a newer Trove, not readable by this user) is moved
    /// aside, never deleted, and a fresh one takes its place; `recovery()`
    /// then says so. A database held by another Trove is left alone. On a
    /// read-only file system Trove starts with nothing stored and refuses
    /// every write, until the data dir can be written and the database opens.
    pub fn open(data_dir: PathBuf) -> Result<Self> {
        match Self::open_with_recovery(&data_dir) {
            Ok(state) => Ok(state),
            Err(e) if crate::store::read_only(&data_dir) => {
                log::error!("{e}; clips are not saved until {} can be written", data_dir.display());
                let refused = crate::store::ensure_room(&data_dir, 0, crate::store::EDIT_RESERVE).err().unwrap_or(e);
                let state = Self::new(Store::stand_in(&data_dir)?, data_dir, None)?;
                *state.waiting.lock().unwrap_or_else(|p| p.into_inner()) = true;
                state.set_save_error(Some(refused.to_string()));
                Ok(state)
            }
            Err(e) => Err(e),
        }
    }

    fn open_with_recovery(data_dir: &std::path::Path) -> Result<Self> {
        let db_dir = data_dir.join("db");
        let reason = match Self::open_db(&db_dir, data_dir, None) {
            Ok(state) => return Ok(state),
            Err(e @ Error::Locked { .. }) => return Err(e),
            Err(e) => e,
        };
        // A full or read-only disk is no reason to move anything.
        if crate::store::ensure_room(data_dir, 0, crate::store::EDIT_RESERVE).is_err() {
            return Err(reason);
        }
        let moved_to = crate::store::set_aside(&db_dir, &reason)
            .map_err(|e| Error::Storage(format!("{reason}; moving it aside failed too: {e}")))?;
        log::error!("{reason}; moved it to {} and started a fresh one", moved_to.display());
        let recovery = Recovery { reason: reason.to_string(), moved_to: moved_to.display().to_string() };
        Self::open_db(&db_dir, data_dir, Some(recovery))
    }

    /// Before a write: after a start on a read-only data dir, the stand-in is
    /// replaced by the real database once the dir can be written, and until
    /// then the write is refused.
    fn ready_to_write(&self) -> Result<()> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        if !*waiting {
            return Ok(());
        }
        crate::store::ensure_room(&self.data_dir, 0, crate::store::EDIT_RESERVE)?;
        let real = Self::open_with_recovery(&self.data_dir)?;
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = real.settings();
        *self.ignore.write().unwrap_or_else(|p| p.into_inner()) =
            std::mem::take(&mut *real.ignore.write().unwrap_or_else(|p| p.into_inner()));
        *self.opened.write().unwrap_or_else(|p| p.into_inner()) = real.opened();
        *waiting = false;
        self.reopened.store(true, Ordering::Release);
        log::info!("{} can be written again; its database is open", self.data_dir.display());
        Ok(())
    }

    /// True once after the real database took the stand-in's place.
    pub fn take_reopened(&self) -> bool {
        self.reopened.swap(false, Ordering::AcqRel)
    }

    fn opened(&self) -> Arc<Opened> {
        self.opened.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// sled panics on some damage instead of returning an error.
    fn open_db(db_dir: &std::path::Path, data_dir: &std::path::Path, recovery: Option<Recovery>) -> Result<Self> {
        std::panic::catch_unwind(|| Self::new(Store::open(db_dir)?, data_dir.to_owned(), recovery)).unwrap_or_else(
            |panic| {
                let what = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown");
                Err(Error::Storage(format!("the database in {} could not be read ({what})", db_dir.display())))
            },
        )
    }

    /// Loads settings and history, and applies the retention limits once.
    fn new(store: Store, data_dir: PathBuf, recovery: Option<Recovery>) -> Result<Self> {
        let settings = store.load_settings()?;
        let (history, _) = History::open(&store)?;
        // The next capture retries; a full disk must not keep Trove from starting.
        if let Err(e) = history.enforce(now_ms(), Limits::from_settings(&settings)) {
            log::error!("retention at start: {e}");
        }
        Ok(AppState {
            ignore: RwLock::new(compile_ignore_patterns(&settings.ignore_patterns)?),
            settings: RwLock::new(settings),
            opened: RwLock::new(Arc::new(Opened { store, history, recovery })),
            waiting: Mutex::new(false),
            reopened: AtomicBool::new(false),
            data_dir,
            method: RwLock::new(CaptureMethod {
                available: false,
                description: "not started".into(),
                can_paste: false,
            }),
            skips: Mutex::default(),
            save_error: Mutex::default(),
            desktop_hint: Mutex::default(),
        })
    }

    pub fn recovery(&self) -> Option<Recovery> {
        self.opened().recovery.clone()
    }

    /// Remembers whether the last capture was stored; true when that changed.
    pub fn set_save_error(&self, error: Option<String>) -> bool {
        let mut current = self.save_error.lock().unwrap_or_else(|p| p.into_inner());
        let changed = *current != error;
        *current = error;
        changed
    }

    pub fn history(&self) -> HistoryRef {
        HistoryRef(self.opened())
    }

    pub fn set_capture_method(&self, method: CaptureMethod) {
        *self.method.write().unwrap_or_else(|p| p.into_inner()) = method;
    }

    fn capture_method(&self) -> CaptureMethod {
        self.method.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stores a capture unless the user's ignore patterns refuse it.
    pub fn record(&self, captured: &Captured, source: Selection) -> Result<Recorded> {
        self.ready_to_write()?;
        let ignored = {
            let patterns = self.ignore.read().unwrap_or_else(|p| p.into_inner());
            crate::privacy::ignored(captured, &patterns)
        };
        if ignored {
            return Ok(Recorded::Skipped(self.skipped(SkipReason::Ignored, None)));
        }
        let limits = Limits::from_settings(&self.settings());
        Ok(Recorded::Stored(self.history().record(captured, source, now_ms(), limits)?))
    }

    pub fn skipped(&self, reason: SkipReason, bytes: Option<u64>) -> Skipped {
        let skipped = Skipped { reason, bytes, at_ms: now_ms() };
        let mut skips = self.skips.lock().unwrap_or_else(|p| p.into_inner());
        let counter = match reason {
            SkipReason::Secret => &mut skips.counts.secret,
            SkipReason::Ignored => &mut skips.counts.ignored,
            SkipReason::TooLarge => &mut skips.counts.too_large,
        };
        *counter += 1;
        skips.last = Some(skipped);
        skipped
    }

    /// Applies the current limits now, as after they were lowered.
    pub fn enforce_limits(&self) -> Result<HistoryDelta> {
        self.history().enforce(now_ms(), Limits::from_settings(&self.settings()))
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Validates, persists and adopts `new`. On error nothing changes.
    pub fn update_settings(&self, new: Settings) -> Result<Settings> {
        let new = new.validated()?;
        let patterns = compile_ignore_patterns(&new.ignore_patterns)?;
        self.ready_to_write()?;
        let mut current = self.settings.write().unwrap_or_else(|p| p.into_inner());
        self.opened().store.save_settings(&new)?;
        *current = new.clone();
        *self.ignore.write().unwrap_or_else(|p| p.into_inner()) = patterns;
        Ok(new)
    }

    pub fn capture_state(&self) -> Result<CaptureState> {
        let skips = self.skips.lock().unwrap_or_else(|p| p.into_inner());
        Ok(CaptureState {
            paused: self.opened().store.capture_paused()?,
            method: self.capture_method(),
            skipped: skips.counts,
            last_skipped: skips.last,
            save_error: self.save_error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            desktop_hint: self.desktop_hint.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        })
    }

    pub fn set_capture_paused(&self, paused: bool) -> Result<CaptureState> {
        self.ready_to_write()?;
        self.opened().store.set_capture_paused(paused)?;
        self.capture_state()
    }

    /// Returns whether the hint changed.
    pub fn set_desktop_hint(&self, hint: Option<String>) -> bool {
        let mut current = self.desktop_hint.lock().unwrap_or_else(|p| p.into_inner());
        let changed = *current != hint;
        *current = hint;
        changed
    }

    /// `session` and `integration` are what the desktop adapters found out.
    pub fn info(&self, session: DisplaySession, integration: Integration) -> Result<AppInfo> {
        let Opened { store, history, recovery } = &*self.opened();
        Ok(AppInfo {
            name: "Trove".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            build: format!(
                "{} build, {}-{}",
                if cfg!(debug_assertions) { "debug" } else { "release" },
                std::env::consts::ARCH,
                std::env::consts::OS
            ),
            data_dir: self.data_dir.display().to_string(),
            database_dir: store.dir().display().to_string(),
            schema_version: store.schema_version()?,
            database_bytes: store.size_on_disk()?,
            session,
            capture: self.capture_method(),
            integration,
            clips: history.len(),
            pinned: history.pinned_count(),
            clip_bytes: history.total_bytes(),
            recovery: recovery.clone(),
        })
    }

    /// Takes no more changes to the history and makes what it holds durable.
    pub fn close(&self) -> Result<()> {
        self.history().close()
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(dir: &std::path::Path) -> AppState {
        AppState::new(Store::open(&dir.join("db")).unwrap(), dir.to_owned(), None).unwrap()
    }

    fn no_integration() -> Integration {
        Integration {
            shortcut: None,
            shortcut_via: None,
            gnome_extension: crate::integration::ShellExtension::NotGnome,
        }
    }

    #[test]
    fn rejected_update_changes_nothing_in_memory_or_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(dir.path());
        let bad = Settings { history_max_items: 0, ..Settings::default() };
        assert!(matches!(st.update_settings(bad), Err(Error::InvalidInput { .. })));
        assert_eq!(st.settings(), Settings::default());
        drop(st);
        assert_eq!(state(dir.path()).settings(), Settings::default());
    }

    #[test]
    fn accepted_update_is_canonical_and_durable() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(dir.path());
        let saved = st.update_settings(Settings { shortcut: "alt+super+t".into(), ..Settings::default() }).unwrap();
        assert_eq!(saved.shortcut, "Alt+Super+T");
        assert_eq!(st.settings(), saved);
        drop(st);
        assert_eq!(state(dir.path()).settings(), saved);
    }

    #[test]
    fn info_reports_paths_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let info = state(dir.path()).info(DisplaySession::X11, no_integration()).unwrap();
        assert_eq!(info.data_dir, dir.path().display().to_string());
        assert!(info.database_dir.ends_with("db"));
        assert_eq!(info.schema_version, crate::store::SCHEMA_VERSION);
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    }

    /// Every file under `dir` with its contents, to show a set-aside database is untouched.
    fn contents(dir: &std::path::Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(
                    contents(&path).into_iter().map(|(p, b)| (PathBuf::from(path.file_name().unwrap()).join(p), b)),
                );
            } else {
                out.push((PathBuf::from(path.file_name().unwrap()), std::fs::read(&path).unwrap()));
            }
        }
        out.sort();
        out
    }

    fn set_len(path: &std::path::Path, len: u64) {
        std::fs::OpenOptions::new().write(true).open(path).unwrap().set_len(len).unwrap();
    }

    #[test]
    fn an_unreadable_database_is_moved_aside_untouched_and_a_fresh_one_works() {
        type Damage = (&'static str, fn(&std::path::Path));
        let damages: [Damage; 5] = [
            ("truncated to nothing", |db| set_len(&db.join("db"), 0)),
            ("truncated to its header", |db| set_len(&db.join("db"), 100)),
            ("overwritten with garbage", |db| {
                let len = std::fs::metadata(db.join("db")).unwrap().len();
                std::fs::write(db.join("db"), vec![0xA5; len as usize]).unwrap();
            }),
            ("garbage config", |db| std::fs::write(db.join("conf"), b"\x00\x01garbage").unwrap()),
            ("from a newer Trove", |db| {
                let sled = sled::open(db).unwrap();
                let future = (crate::store::SCHEMA_VERSION + 1).to_be_bytes();
                sled.open_tree("meta").unwrap().insert("schema_version", &future).unwrap();
                sled.flush().unwrap();
            }),
        ];
        for (what, damage) in damages {
            let dir = tempfile::tempdir().unwrap();
            {
                let st = AppState::open(dir.path().to_owned()).unwrap();
                st.record(&Captured::text("kept"), Selection::Clipboard).unwrap();
            }
            let db = dir.path().join("db");
            damage(&db);
            let damaged = contents(&db);

            let st = AppState::open(dir.path().to_owned()).unwrap_or_else(|e| panic!("{what}: {e}"));
            let recovery = st.recovery().unwrap_or_else(|| panic!("{what}: not set aside"));
            let moved = PathBuf::from(&recovery.moved_to);
            assert_eq!(moved.parent(), Some(dir.path()), "{what}");
            // sled may add to a log it could not read, but never overwrites
            // it. Its snapshot is an index rebuilt from the log on each open.
            let now: std::collections::HashMap<_, _> = contents(&moved).into_iter().collect();
            let data = damaged.iter().filter(|(path, _)| !path.to_string_lossy().starts_with("snap."));
            for (path, before) in data {
                let after = now.get(path).unwrap_or_else(|| panic!("{what}: {} is gone", path.display()));
                assert!(after.starts_with(before), "{what}: {} was overwritten", path.display());
            }
            assert_eq!(st.info(DisplaySession::X11, no_integration()).unwrap().recovery, Some(recovery), "{what}");
            assert!(st.history().is_empty(), "{what}");
            assert!(matches!(st.record(&Captured::text("new"), Selection::Clipboard).unwrap(), Recorded::Stored(_)));
            drop(st);
            let reopened = AppState::open(dir.path().to_owned()).unwrap();
            assert!(reopened.recovery().is_none(), "{what}: the fresh database was set aside too");
            assert_eq!(reopened.history().len(), 1, "{what}");
        }
    }

    #[test]
    fn a_locked_database_is_never_moved() {
        let dir = tempfile::tempdir().unwrap();
        let _running = AppState::open(dir.path().to_owned()).unwrap();
        assert!(matches!(AppState::open(dir.path().to_owned()), Err(Error::Locked { .. })));
        let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(entries, ["db"]);
    }
}
