//! The sled database: one tree per kind of data. No tauri here.

use crate::error::{Error, Result};
use crate::settings::Settings;
use std::path::{Path, PathBuf};

/// Bumped whenever the on-disk layout changes; a newer database is refused.
pub const SCHEMA_VERSION: u32 = 1;

const CACHE_BYTES: u64 = 4 * 1024 * 1024;

const MIB: u64 = 1024 * 1024;
/// How long a held lock may take to be released before it counts as another
/// Trove's.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Free space a capture leaves untouched. sled 0.34 fails every write after
/// its first I/O error until the process restarts, so a full disk must be met
/// here, before sled writes, and never inside it.
pub const CAPTURE_RESERVE: u64 = 8 * MIB;
/// Pins, deletions and settings may dip into the reserve: they are small, and
/// deleting clips is how a user frees room.
pub const EDIT_RESERVE: u64 = MIB;

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
        // sled reads a file it cannot parse as an empty database and starts
        // writing over it; damage must be found before sled opens the file,
        // or failing that, by the missing schema record.
        let existed = ["conf", "db"].iter().any(|f| dir.join(f).exists());
        if existed && !log_header_is_sound(&dir.join("db")) {
            return Err(Error::Storage(format!(
                "the database in {} is damaged: no segment of its log is intact",
                dir.display()
            )));
        }
        let config = sled_config().path(dir);
        // sled's I/O threads hold the file, and its lock, a moment after the
        // last handle is dropped: a Trove that has just quit is not a rival.
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        let db = loop {
            match config.open().map_err(|e| open_error(e, dir)) {
                Err(Error::Locked { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                opened => break opened?,
            }
        };
        let meta = db.open_tree(tree::META)?;
        match read_u32(&meta, key::SCHEMA_VERSION)? {
            Some(found) if found > SCHEMA_VERSION => {
                return Err(Error::NewerSchema { path: dir.to_owned(), found, supported: SCHEMA_VERSION })
            }
            Some(_) => {}
            None if existed => {
                return Err(Error::Storage(format!(
                    "the database in {} has no schema record: it is truncated, damaged or not Trove's",
                    dir.display()
                )))
            }
            None => {
                meta.insert(key::SCHEMA_VERSION, SCHEMA_VERSION.to_be_bytes().to_vec())?;
            }
        }
        let store = Store { settings: db.open_tree(tree::SETTINGS)?, meta, db, dir: dir.to_owned() };
        store.flush()?;
        Ok(store)
    }

    /// An empty database in memory for a data dir that cannot be written.
    /// Its `dir` is that data dir, so each write is refused while the data
    /// dir stays read-only.
    pub fn stand_in(data_dir: &Path) -> Result<Self> {
        let db = sled_config().temporary(true).open()?;
        Ok(Store {
            meta: db.open_tree(tree::META)?,
            settings: db.open_tree(tree::SETTINGS)?,
            db,
            dir: data_dir.to_owned(),
        })
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
        ensure_room(&self.dir, 0, EDIT_RESERVE)?;
        let raw = serde_json::to_vec(settings).map_err(|e| Error::Storage(e.to_string()))?;
        self.settings.insert(key::SETTINGS, raw)?;
        self.flush()
    }

    pub fn capture_paused(&self) -> Result<bool> {
        Ok(self.meta.get(key::CAPTURE_PAUSED)?.is_some_and(|v| matches!(v.as_ref(), [1])))
    }

    pub fn set_capture_paused(&self, paused: bool) -> Result<()> {
        ensure_room(&self.dir, 0, EDIT_RESERVE)?;
        self.meta.insert(key::CAPTURE_PAUSED, vec![u8::from(paused)])?;
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

/// Refuses a write of `incoming` bytes that would leave less than `reserve`
/// free (counting sled's copy-on-write twice), or that a read-only mount
/// would fail.
pub fn ensure_room(dir: &Path, incoming: u64, reserve: u64) -> Result<()> {
    let fs = statvfs(dir).map_err(|e| Error::Storage(format!("cannot check the space in {}: {e}", dir.display())))?;
    if fs.f_flag & libc::ST_RDONLY != 0 {
        return Err(Error::Storage(format!("{} is on a read-only file system", dir.display())));
    }
    let free = fs.f_bavail.saturating_mul(fs.f_frsize);
    let needed = incoming.saturating_mul(2).saturating_add(reserve);
    if free < needed {
        return Err(Error::Storage(format!(
            "the disk holding {} is full: {:.1} MiB free, {:.1} MiB needed",
            dir.display(),
            free as f64 / MIB as f64,
            needed as f64 / MIB as f64
        )));
    }
    Ok(())
}

/// sled's segment size (Trove keeps the default), and the length of the
/// header that starts every segment of its log.
const SEGMENT_BYTES: u64 = 512 * 1024;
const SEGMENT_HEADER_BYTES: usize = 20;

/// Whether sled's log holds at least one intact segment header, as sled
/// 0.34 writes them: the CRC32 of bytes 4..20, inverted, in bytes 0..4.
/// sled reuses segments, so any of them may be the one a crash tore.
fn log_header_is_sound(log: &Path) -> bool {
    use std::os::unix::fs::FileExt;
    let Ok(file) = std::fs::File::open(log) else {
        // Unreadable or missing: sled says why when it opens the database.
        return true;
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let mut header = [0u8; SEGMENT_HEADER_BYTES];
    (0..len.div_ceil(SEGMENT_BYTES)).any(|n| {
        file.read_exact_at(&mut header, n * SEGMENT_BYTES).is_ok()
            && u32::from_le_bytes([header[0], header[1], header[2], header[3]]) ^ u32::MAX
                == crc32fast::hash(&header[4..])
    })
}

/// Moves the database in `dir` to a new sibling named for `why` and the
/// time (UTC), such as `db.unreadable-20261125-193012`, and returns it.
pub fn set_aside(dir: &Path, why: &Error) -> std::io::Result<PathBuf> {
    let tag = match why {
        Error::NewerSchema { .. } => "newer",
        _ => "unreadable",
    };
    let name = dir.file_name().unwrap_or_else(|| "db".as_ref()).to_string_lossy();
    let base = format!("{name}.{tag}-{}", utc_stamp());
    let mut target = dir.with_file_name(&base);
    let mut n = 1;
    while target.exists() {
        target = dir.with_file_name(format!("{base}-{n}"));
        n += 1;
    }
    std::fs::rename(dir, &target)?;
    Ok(target)
}

fn utc_stamp() -> String {
    let now: libc::time_t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs().try_into().unwrap_or(0));
    // SAFETY: an all-zero `tm` is valid, and gmtime_r only writes into it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    unsafe { libc::gmtime_r(&now, &mut tm) };
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
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

fn sled_config() -> sled::Config {
    sled::Config::new()
        // Durability comes from explicit flushes after each write; a flush
        // timer would only wake an idle process.
        .flush_every_ms(None)
        // sled would cache up to 1 GiB of pages; a history of 100 000 clips
        // then stays resident after one scan. Clips are read on demand.
        // Whatever the cap, sled also keeps each page whose last access still
        // waits in its shard's queue (vendor/sled/PATCHED.md).
        .cache_capacity(CACHE_BYTES)
}

fn statvfs(dir: &Path) -> std::io::Result<libc::statvfs> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a usable path"))?;
    let mut fs = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is NUL-terminated and `fs` is written by statvfs before it is read.
    if unsafe { libc::statvfs(path.as_ptr(), fs.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it filled `fs`.
    Ok(unsafe { fs.assume_init() })
}

/// Whether `dir`, or the nearest of its parents that exists, is on a
/// read-only file system.
pub fn read_only(dir: &Path) -> bool {
    dir.ancestors().find_map(|d| statvfs(d).ok()).is_some_and(|fs| fs.f_flag & libc::ST_RDONLY != 0)
}

fn open_error(e: sled::Error, dir: &Path) -> Error {
    match e {
        // sled 0.34 reports a held lock only through this message.
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            Error::Locked { path: dir.to_owned() }
        }
        other => Error::Storage(format!("cannot open the database in {}: {other}", dir.display())),
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
        let changed = Settings { theme: Theme::Dark, window_retain_secs: 5, ..Settings::default() };
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
    fn a_lock_released_within_the_wait_is_taken() {
        let dir = temp();
        let first = Store::open(dir.path()).unwrap();
        let holder = std::thread::spawn(move || {
            std::thread::sleep(LOCK_WAIT / 5);
            drop(first);
        });
        Store::open(dir.path()).expect("the lock was let go within the wait");
        holder.join().unwrap();
    }

    #[test]
    fn a_second_open_while_locked_is_a_clear_error() {
        let dir = temp();
        let _first = Store::open(dir.path()).unwrap();
        let err = Store::open(dir.path()).err().expect("second open must fail");
        assert!(matches!(err, Error::Locked { .. }), "{err:?}");
        assert!(err.to_string().contains("in use by another Trove process"), "{err}");
    }

    #[test]
    fn newer_schema_is_refused_and_left_untouched() {
        let dir = temp();
        {
            let store = Store::open(dir.path()).unwrap();
            store.meta.insert(key::SCHEMA_VERSION, (SCHEMA_VERSION + 1).to_be_bytes().to_vec()).unwrap();
            store.save_settings(&Settings { autostart: true, ..Settings::default() }).unwrap();
        }
        let err = Store::open(dir.path()).err().expect("newer schema must be refused");
        match &err {
            Error::NewerSchema { found, supported, .. } => {
                assert_eq!((*found, *supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION))
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        assert!(err.to_string().contains("newer Trove"));
        let db = sled::open(dir.path()).unwrap();
        let meta = db.open_tree(tree::META).unwrap();
        assert_eq!(read_u32(&meta, key::SCHEMA_VERSION).unwrap(), Some(SCHEMA_VERSION + 1));
        assert!(db.open_tree(tree::SETTINGS).unwrap().get(key::SETTINGS).unwrap().is_some());
    }

    #[test]
    fn unreadable_stored_settings_fall_back_to_defaults_and_are_kept() {
        let dir = temp();
        let store = Store::open(dir.path()).unwrap();
        let bad = br#"{"shortcut":"V","theme":"neon"}"#;
        store.settings.insert(key::SETTINGS, &bad[..]).unwrap();
        assert_eq!(store.load_settings().unwrap(), Settings::default());
        assert_eq!(store.settings.get(key::SETTINGS_REJECTED).unwrap().unwrap().as_ref(), bad);
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
        store.settings.insert(key::SETTINGS, serde_json::to_vec(&json).unwrap()).unwrap();
        assert_eq!(store.load_settings().unwrap(), Settings::default());
    }

    #[test]
    fn a_log_is_sound_while_any_segment_header_is_intact() {
        let dir = temp();
        let log = dir.path().join("db");
        let mut header = [0u8; SEGMENT_HEADER_BYTES];
        header[4..].copy_from_slice(&[7; 16]);
        let crc = crc32fast::hash(&header[4..]) ^ u32::MAX;
        header[..4].copy_from_slice(&crc.to_le_bytes());
        // A torn first segment (as a crash while sled reuses it leaves it) and an intact second.
        let mut bytes = vec![0xA5; SEGMENT_BYTES as usize];
        bytes.extend_from_slice(&header);
        std::fs::write(&log, &bytes).unwrap();
        assert!(log_header_is_sound(&log));
        bytes.truncate(SEGMENT_BYTES as usize + 10);
        std::fs::write(&log, &bytes).unwrap();
        assert!(!log_header_is_sound(&log));
        std::fs::write(&log, b"").unwrap();
        assert!(!log_header_is_sound(&log));
        assert!(log_header_is_sound(&dir.path().join("missing")), "left for sled to explain");
    }

    #[test]
    fn corrupt_schema_value_is_an_error_not_a_panic() {
        let dir = temp();
        {
            let store = Store::open(dir.path()).unwrap();
            store.meta.insert(key::SCHEMA_VERSION, &b"xy"[..]).unwrap();
            store.flush().unwrap();
        }
        let err = Store::open(dir.path()).err().expect("corrupt meta must fail");
        assert!(matches!(err, Error::Storage(_)), "{err:?}");
    }
}
