//! One Trove per data dir. The first launch holds a lock file and listens on a
//! Unix socket in the user's private runtime dir; a later launch sends its
//! command line there and exits. The listener blocks in `accept`: no timer,
//! no bus. No tauri here.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A forwarded command line larger than this is refused unread.
const MESSAGE_MAX: u64 = 64 * 1024;
const ACK: &str = "ok";

/// This process is the running Trove: it holds the lock and the listener.
pub struct Primary {
    /// Held for as long as this process lives.
    lock: File,
    listener: UnixListener,
}

pub enum Claim {
    Primary(Primary),
    /// Another Trove runs and has taken this launch's command line.
    Forwarded,
}

fn runtime_dir() -> std::io::Result<PathBuf> {
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        // SAFETY: getuid has no failure mode.
        None => std::env::temp_dir().join(format!("trove-{}", unsafe { libc::getuid() })),
    };
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
    // A socket in a folder someone else controls could be swapped for theirs.
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&dir)?;
    // SAFETY: getuid has no failure mode.
    if meta.uid() != unsafe { libc::getuid() } || meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::other(format!("{} is not private to this user", dir.display())));
    }
    Ok(dir)
}

/// Becomes the running Trove for `id`, or hands `argv` to the one that is.
pub fn claim(id: &str, argv: &[String]) -> std::io::Result<Claim> {
    claim_in(&runtime_dir()?, id, argv)
}

fn claim_in(dir: &Path, id: &str, argv: &[String]) -> std::io::Result<Claim> {
    let socket = dir.join(format!("{id}.sock"));
    let lock =
        OpenOptions::new().create(true).truncate(false).write(true).mode(0o600).open(dir.join(format!("{id}.lock")))?;
    // SAFETY: flock on a descriptor this function owns.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        // Whatever socket file is there belongs to a Trove that is gone.
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket)?;
        return Ok(Claim::Primary(Primary { lock, listener }));
    }
    forward(&socket, argv)?;
    Ok(Claim::Forwarded)
}

/// Sends `argv` to the running Trove, which may still be opening its socket.
fn forward(socket: &Path, argv: &[String]) -> std::io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut stream = loop {
        match UnixStream::connect(socket) {
            Ok(stream) => break stream,
            Err(e) if Instant::now() < deadline => {
                log::debug!("waiting for the running Trove's socket: {e}");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    };
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let message = serde_json::to_string(argv).map_err(std::io::Error::other)?;
    stream.write_all(message.as_bytes())?;
    stream.write_all(b"\n")?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    if answer.trim_end() == ACK {
        Ok(())
    } else {
        Err(std::io::Error::other("the running Trove did not take the request"))
    }
}

impl Primary {
    /// Hands each forwarded command line to `deliver`, on a thread of its own.
    pub fn serve(self, deliver: impl Fn(Vec<String>) + Send + 'static) -> std::io::Result<()> {
        std::thread::Builder::new()
            .name("instance".into())
            .spawn(move || {
                let _held = self.lock;
                for stream in self.listener.incoming() {
                    match stream.map_err(|e| e.to_string()).and_then(receive) {
                        Ok(argv) => deliver(argv),
                        Err(e) => log::warn!("ignored a second launch: {e}"),
                    }
                }
            })
            .map(drop)
    }
}

/// Reads one command line from a peer that must be this same user.
fn receive(stream: UnixStream) -> Result<Vec<String>, String> {
    let uid = peer_uid(&stream).map_err(|e| e.to_string())?;
    // SAFETY: getuid has no failure mode.
    if uid != unsafe { libc::getuid() } {
        return Err(format!("it came from user {uid}"));
    }
    stream.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new((&stream).take(MESSAGE_MAX)).read_line(&mut line).map_err(|e| e.to_string())?;
    let argv: Vec<String> = serde_json::from_str(&line).map_err(|e| format!("not a command line: {e}"))?;
    (&stream).write_all(format!("{ACK}\n").as_bytes()).map_err(|e| e.to_string())?;
    Ok(argv)
}

fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    let mut cred = libc::ucred { pid: 0, uid: 0, gid: 0 };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for getsockopt to write an ucred into.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(cred.uid)
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_second_claim_forwards_its_command_line_to_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let claim = |argv: &[String]| claim_in(dir.path(), "test.instance", argv).unwrap();
        let Claim::Primary(primary) = claim(&[]) else {
            panic!("the first claim must win");
        };
        let (tx, rx) = mpsc::channel();
        primary.serve(move |argv| tx.send(argv).unwrap()).unwrap();
        let argv = vec!["trove".to_string(), "show".into(), "about".into()];
        assert!(matches!(claim(&argv), Claim::Forwarded));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), argv);

        // Garbage on the socket is refused, and the listener carries on.
        let mut raw = UnixStream::connect(dir.path().join("test.instance.sock")).unwrap();
        raw.write_all(b"{\"not\": \"argv\"}\n").unwrap();
        drop(raw);
        assert!(matches!(claim(&argv), Claim::Forwarded));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), argv);
    }
}
