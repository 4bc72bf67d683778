//! The command line. Parsed before anything touches the display or the database.

use crate::windows::AppWindow;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "trove",
    version,
    about = "Clipboard history that lives in the system tray"
)]
pub struct Cli {
    /// Keep the database and state in DIR instead of the app data dir
    #[arg(long, value_name = "DIR", env = "TROVE_DATA_DIR", value_parser = parse_dir, global = true)]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum Command {
    /// Start Trove if needed and show one of its windows
    Show { window: AppWindow },
}

fn parse_dir(raw: &str) -> Result<PathBuf, String> {
    if raw.trim().is_empty() {
        return Err("the data dir must not be empty".into());
    }
    std::path::absolute(raw).map_err(|e| format!("cannot resolve {raw:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("trove").chain(args.iter().copied()))
    }

    #[test]
    fn show_names_a_window() {
        let cli = parse(&["show", "settings"]).unwrap();
        assert_eq!(
            cli.command,
            Some(Command::Show {
                window: AppWindow::Settings
            })
        );
    }

    #[test]
    fn data_dir_is_made_absolute() {
        let cli = parse(&["--data-dir", "rel/dir"]).unwrap();
        let dir = cli.data_dir.unwrap();
        assert!(dir.is_absolute() && dir.ends_with("rel/dir"), "{dir:?}");
    }

    #[test]
    fn bad_arguments_are_usage_errors() {
        for args in [
            &["show", "nope"][..],
            &["show"],
            &["frobnicate"],
            &["--data-dir", ""],
            &["--bogus"],
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
        assert_eq!(
            parse(&["--version"]).unwrap_err().kind(),
            ErrorKind::DisplayVersion
        );
    }
}
