use serde::{Deserialize, Serialize, Serializer};
use std::path::PathBuf;
use ts_rs::TS;

/// Every failure the core reports. Webviews receive it as `IpcError`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field}: {reason}")]
    InvalidInput { field: String, reason: String },
    #[error("the database in {} is in use by another Trove process", .path.display())]
    Locked { path: PathBuf },
    #[error(
        "the database in {} was written by a newer Trove (schema {found}, this build reads up to {supported})",
        .path.display()
    )]
    NewerSchema { path: PathBuf, found: u32, supported: u32 },
    #[error("storage: {0}")]
    Storage(String),
    #[error("window: {0}")]
    Window(String),
    /// A command that the calling window is not granted, or that does not exist.
    #[error("{0}")]
    Rejected(String),
    /// The OS refused: autostart entry, key grab and the like.
    #[error("{0}")]
    System(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput { field: field.into(), reason: reason.into() }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Locked { .. } => ErrorKind::Locked,
            Error::NewerSchema { .. } => ErrorKind::NewerSchema,
            Error::Storage(_) => ErrorKind::Storage,
            Error::Window(_) => ErrorKind::Window,
            Error::Rejected(_) => ErrorKind::Rejected,
            Error::System(_) => ErrorKind::System,
        }
    }

    pub fn to_ipc(&self) -> IpcError {
        IpcError { kind: self.kind(), message: self.to_string() }
    }
}

impl From<sled::Error> for Error {
    fn from(e: sled::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Refused before any command ran: not granted to the window, or no such command.
    Rejected,
    InvalidInput,
    Locked,
    NewerSchema,
    Storage,
    Window,
    System,
}

/// The shape every rejected command takes in JavaScript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_ipc().serialize(serializer)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
