//! The IPC surface. `table.rs` declares every command once; the `commands!`
//! macro below turns that table into the grant check, the dispatch and the
//! description that `bindings.rs` writes out as TypeScript. Each command's
//! handler, in `handlers.rs`, is thin: it calls an action or the state.
//!
//! Every command reaches the core as its name, the calling window's label and
//! the page's JSON arguments, whether the window lives in the window host
//! (`window_host.rs`) or, in the IPC tests, in the core's own process.

mod handlers;

use crate::app_window::AppWindow;
use crate::link::Outcome;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Runtime};
use trove_domain::error::{Error, Result};
// The argument and reply types that `table.rs` names.
use trove_domain::history::{ClipDetail, HistoryPage};
use trove_domain::integration::Integration;
use trove_domain::search::{SearchQuery, SearchResult};
use trove_domain::settings::Settings;
use trove_domain::state::{AppInfo, CaptureState};
use ts_rs::TS;
#[cfg(test)]
use ts_rs::{Config, TypeVisitor};

/// Writes a Rust type's TypeScript name, for `bindings.rs`.
#[cfg(test)]
pub type TsName = fn(&Config) -> String;

/// One command of `table.rs`, as the rest of the app sees it.
pub struct Command {
    pub name: &'static str,
    /// The windows whose pages may call it; their capabilities grant exactly these.
    pub windows: &'static [AppWindow],
    // What `bindings.rs` writes for the pages; kept out of the app itself.
    #[cfg(test)]
    pub docs: &'static [&'static str],
    /// Each argument's name and TypeScript type.
    #[cfg(test)]
    pub args: &'static [(&'static str, TsName)],
    /// The TypeScript type of the answer.
    #[cfg(test)]
    pub reply: TsName,
}

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident($($arg:ident: $ty:ty),*) -> $reply:ty, [$($window:ident),+];
    )+) => {
        /// Every command, in the order of `table.rs`.
        pub const COMMANDS: &[Command] = &[$(Command {
            name: stringify!($name),
            windows: &[$(AppWindow::$window),+],
            #[cfg(test)]
            docs: &[$($doc),*],
            #[cfg(test)]
            args: &[$((stringify!($arg), <$ty as TS>::name)),*],
            #[cfg(test)]
            reply: <$reply as IntoReply>::typescript,
        }),+];

        /// Visits every type that a command takes or answers, for `bindings.rs`.
        #[cfg(test)]
        pub fn visit_types(v: &mut impl TypeVisitor) {
            $($(v.visit::<$ty>();)* <$reply as IntoReply>::visit(v);)+
        }

        fn run<R: Runtime>(app: &AppHandle<R>, command: &str, args: &Value) -> Result<Reply> {
            match command {
                $(stringify!($name) => {
                    $(let $arg: $ty = arg(args, stringify!($arg))?;)*
                    // Typed as declared: a handler that answers otherwise does not compile.
                    let reply: $reply = handlers::$name(app, $($arg),*)?;
                    reply.into_reply()
                })+
                other => Err(Error::Rejected(format!("command {other} has no handler"))),
            }
        }
    };
}

include!("table.rs");

/// What a command answers: JSON text, or raw bytes (an `ArrayBuffer` in JavaScript).
#[derive(Debug)]
pub enum Reply {
    Json(String),
    Bytes(Vec<u8>),
}

/// A PNG image, answered as raw bytes rather than JSON.
pub struct Png(pub Vec<u8>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImageVariant {
    Thumbnail,
    Full,
}

/// A handler's result as the page receives it, and its TypeScript type.
trait IntoReply {
    fn into_reply(self) -> Result<Reply>;
    #[cfg(test)]
    fn typescript(cfg: &Config) -> String;
    #[cfg(test)]
    fn visit(v: &mut impl TypeVisitor);
}

impl<T: Serialize + TS + 'static> IntoReply for T {
    fn into_reply(self) -> Result<Reply> {
        serde_json::to_string(&self)
            .map(Reply::Json)
            .map_err(|e| Error::System(format!("cannot encode the answer: {e}")))
    }

    #[cfg(test)]
    fn typescript(cfg: &Config) -> String {
        // A command that answers nothing answers JSON's null, which pages await as `void`.
        if std::any::TypeId::of::<T>() == std::any::TypeId::of::<()>() {
            return "void".into();
        }
        T::name(cfg)
    }

    #[cfg(test)]
    fn visit(v: &mut impl TypeVisitor) {
        v.visit::<T>();
    }
}

impl IntoReply for Png {
    fn into_reply(self) -> Result<Reply> {
        Ok(Reply::Bytes(self.0))
    }

    #[cfg(test)]
    fn typescript(_: &Config) -> String {
        "ArrayBuffer".into()
    }

    #[cfg(test)]
    fn visit(_: &mut impl TypeVisitor) {}
}

/// A reply as the link carries it: the message, and the bytes that go with it.
fn outcome(result: Result<Reply>) -> (Outcome, Vec<u8>) {
    match result {
        Ok(Reply::Json(text)) => (Outcome::Json, text.into_bytes()),
        Ok(Reply::Bytes(bytes)) => (Outcome::Bytes, bytes),
        Err(e) => (Outcome::Error(e.to_ipc()), Vec::new()),
    }
}

/// The argument `key` of `args`. A parse failure names the offending field,
/// like every other `IpcError`.
fn arg<T: DeserializeOwned>(args: &Value, key: &str) -> Result<T> {
    let value = args.get(key).ok_or_else(|| Error::invalid(key, "is missing"))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { key.to_string() } else { format!("{key}.{path}") };
        Error::invalid(field, e.into_inner().to_string())
    })
}

/// `dispatch`, as the link to the window host carries its result.
pub fn answer<R: Runtime>(app: &AppHandle<R>, window: &str, command: &str, args: &Value) -> (Outcome, Vec<u8>) {
    outcome(dispatch(app, window, command, args))
}

/// Runs `command` for the window labelled `window`, if it is granted to it.
/// Blocking: the history commands may scan.
pub fn dispatch<R: Runtime>(app: &AppHandle<R>, window: &str, command: &str, args: &Value) -> Result<Reply> {
    let granted = AppWindow::from_label(window)
        .is_some_and(|w| COMMANDS.iter().any(|c| c.name == command && c.windows.contains(&w)));
    if !granted {
        return Err(Error::Rejected(format!("command {command} is not granted to window {window}")));
    }
    run(app, command, args)
}
