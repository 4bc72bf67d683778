//! The socket between the core and its window host: what each side may say,
//! and the framing that carries it. No tauri here.
//!
//! A frame is two little-endian u32 lengths, a JSON message, then raw bytes
//! (an image's PNG without JSON's cost, or a reply's JSON that the host does
//! not parse); each side reads on a thread of its own and writes from a queue,
//! so that neither ever waits for the other.

use crate::app_window::AppWindow;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use trove_domain::error::IpcError;
use trove_domain::settings::Theme;

/// The argument that starts `trove` as the window host, and the file
/// descriptor on which it finds its end of the socket.
pub const HOST_ARG: &str = "--window-host";
pub const HOST_FD: std::os::fd::RawFd = 3;

/// What the core asks of the window host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToHost {
    /// `theme` is the page's first theme; `retain_secs` how long a hidden `main` is kept.
    Show {
        window: AppWindow,
        theme: Theme,
        retain_secs: u32,
    },
    Hide {
        window: AppWindow,
    },
    Retain {
        secs: u32,
    },
    Event {
        name: String,
        payload: Value,
    },
    /// The answer to `ToCore::Invoke` number `id`.
    Reply {
        id: u64,
        outcome: Outcome,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// The frame's bytes are the answer's JSON, which the host passes on unread.
    Json,
    /// The frame's bytes are the answer.
    Bytes,
    Error(IpcError),
}

/// What the window host tells the core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToCore {
    /// A command that the window's capability let through, as the page sent it.
    Invoke {
        id: u64,
        window: String,
        command: String,
        args: Value,
    },
    Window {
        window: AppWindow,
        change: Change,
    },
    /// A `ToHost::Show` was handled, shown or not: one for each, in order.
    /// A host that is late with one has hung (`windows::SHOW_HANDLED_WITHIN`).
    ShowHandled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Created,
    Hidden,
    Destroyed,
}

const MESSAGE_MAX: u32 = 64 << 20;
const BYTES_MAX: u32 = 1 << 30;

pub fn write_frame<T: Serialize>(out: &mut impl Write, message: &T, bytes: &[u8]) -> io::Result<()> {
    let json = serde_json::to_vec(message)?;
    let length = |len: usize, max: u32| {
        u32::try_from(len).ok().filter(|n| *n <= max).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("a frame part of {len} bytes is over {max}"))
        })
    };
    out.write_all(&length(json.len(), MESSAGE_MAX)?.to_le_bytes())?;
    out.write_all(&length(bytes.len(), BYTES_MAX)?.to_le_bytes())?;
    out.write_all(&json)?;
    out.write_all(bytes)?;
    out.flush()
}

/// The next frame, or `None` at a clean end between frames.
pub fn read_frame<T: DeserializeOwned>(input: &mut impl Read) -> io::Result<Option<(T, Vec<u8>)>> {
    let mut lengths = [0u8; 8];
    match input.read_exact(&mut lengths[..1]) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    input.read_exact(&mut lengths[1..])?;
    let json_len = u32::from_le_bytes(lengths[..4].try_into().expect("4 bytes"));
    let bytes_len = u32::from_le_bytes(lengths[4..].try_into().expect("4 bytes"));
    if json_len > MESSAGE_MAX || bytes_len > BYTES_MAX {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a frame of {json_len} + {bytes_len} bytes is over the limits"),
        ));
    }
    let mut json = vec![0; json_len as usize];
    input.read_exact(&mut json)?;
    let mut bytes = vec![0; bytes_len as usize];
    input.read_exact(&mut bytes)?;
    let message = serde_json::from_slice(&json).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    Ok(Some((message, bytes)))
}

/// One side's end of the socket. Dropping it closes the socket for writing,
/// which the other side reads as the end.
pub struct Link<Out> {
    queue: mpsc::Sender<(Out, Vec<u8>)>,
}

impl<Out: Serialize + Send + 'static> Link<Out> {
    /// Hands each message read to `on_message` and, once reading stops
    /// (the other side ended, or sent what does not parse), calls `on_end`.
    pub fn start<In: DeserializeOwned>(
        stream: UnixStream,
        mut on_message: impl FnMut(In, Vec<u8>) + Send + 'static,
        on_end: impl FnOnce(Option<io::Error>) + Send + 'static,
    ) -> io::Result<Self> {
        let reading = stream.try_clone()?;
        std::thread::Builder::new().name("link-read".into()).spawn(move || {
            let mut input = BufReader::new(reading);
            let error = loop {
                match read_frame(&mut input) {
                    Ok(Some((message, bytes))) => on_message(message, bytes),
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            };
            on_end(error);
        })?;
        let (queue, queued) = mpsc::channel::<(Out, Vec<u8>)>();
        std::thread::Builder::new().name("link-write".into()).spawn(move || {
            let mut output = BufWriter::new(&stream);
            for (message, bytes) in queued {
                if let Err(e) = write_frame(&mut output, &message, &bytes) {
                    log::warn!("the window link stopped writing: {e}");
                    break;
                }
            }
            drop(output);
            let _ = stream.shutdown(std::net::Shutdown::Write);
        })?;
        Ok(Link { queue })
    }

    /// False once the link can no longer write.
    pub fn send(&self, message: Out, bytes: Vec<u8>) -> bool {
        self.queue.send((message, bytes)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Cursor;

    fn frame(message: &impl Serialize, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_frame(&mut out, message, bytes).unwrap();
        out
    }

    #[test]
    fn frames_round_trip_back_to_back_and_end_cleanly() {
        let invoke =
            ToCore::Invoke { id: 7, window: "main".into(), command: "get_clip".into(), args: json!({ "id": 3 }) };
        let created = ToCore::Window { window: AppWindow::Settings, change: Change::Created };
        let mut wire = frame(&invoke, b"");
        wire.extend(frame(&created, b"\x89PNG"));
        wire.extend(frame(&ToCore::ShowHandled, b""));
        let mut input = Cursor::new(wire);
        assert_eq!(read_frame::<ToCore>(&mut input).unwrap(), Some((invoke, vec![])));
        assert_eq!(read_frame::<ToCore>(&mut input).unwrap(), Some((created, b"\x89PNG".to_vec())));
        assert_eq!(read_frame::<ToCore>(&mut input).unwrap(), Some((ToCore::ShowHandled, vec![])));
        assert_eq!(read_frame::<ToCore>(&mut input).unwrap(), None);
    }

    #[test]
    fn cut_oversized_or_unparsable_frames_are_errors() {
        let whole = frame(&ToCore::Window { window: AppWindow::Main, change: Change::Hidden }, b"abc");
        for cut in [1, 8, whole.len() - 1] {
            let e = read_frame::<ToCore>(&mut Cursor::new(&whole[..cut])).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}");
        }
        let mut oversized = (MESSAGE_MAX + 1).to_le_bytes().to_vec();
        oversized.extend(0u32.to_le_bytes());
        let e = read_frame::<ToCore>(&mut Cursor::new(oversized)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let mut garbage = 5u32.to_le_bytes().to_vec();
        garbage.extend(0u32.to_le_bytes());
        garbage.extend(b"{nope");
        let e = read_frame::<ToCore>(&mut Cursor::new(garbage)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let unknown = frame(&json!({ "Launch": { "missiles": true } }), b"");
        assert!(read_frame::<ToCore>(&mut Cursor::new(unknown)).is_err());
    }

    #[test]
    fn a_link_delivers_in_order_and_dropping_it_ends_the_other_side() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let (seen, received) = mpsc::channel();
        let ended = seen.clone();
        let link = Link::<ToCore>::start::<ToHost>(ours, |_, _| {}, |_| {}).unwrap();
        let _peer = Link::<ToHost>::start::<ToCore>(
            theirs,
            move |message, bytes| seen.send(Some((message, bytes))).unwrap(),
            move |error| ended.send(error.map(|e| panic!("{e}"))).unwrap(),
        )
        .unwrap();
        for id in 0..100 {
            assert!(link.send(
                ToCore::Invoke { id, window: "main".into(), command: "c".into(), args: json!(id) },
                vec![id as u8]
            ));
        }
        drop(link);
        for id in 0..100u64 {
            let (message, bytes) = received.recv().unwrap().unwrap();
            assert_eq!(message, ToCore::Invoke { id, window: "main".into(), command: "c".into(), args: json!(id) });
            assert_eq!(bytes, [id as u8]);
        }
        assert_eq!(received.recv().unwrap(), None, "the end follows the last message");
    }
}
