//! The command line. Parsed before anything touches the display or the database,
//! and parsed again, with the same parser, when a second launch forwards its argv.

use crate::app_window::AppWindow;
use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "trove",
    version,
    about = "Clipboard history that lives in the system tray",
    after_help = "With Trove already running, the commands go to it and this process exits.\n\
                  Bind `trove toggle` to a key in your compositor where global shortcuts do not work (Wayland)."
)]
pub struct Cli {
    /// Keep the database and state in DIR instead of the app data dir
    #[arg(long, value_name = "DIR", env = "TROVE_DATA_DIR", value_parser = parse_dir, global = true)]
    pub data_dir: Option<PathBuf>,

    /// Start without showing anything, even when Trove is already running (used by autostart)
    #[arg(long)]
    pub hidden: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, Subcommand, PartialEq, Eq)]
pub enum Command {
    /// Show one of Trove's windows
    Show { window: AppWindow },
    /// Show the history window, or hide it if it is showing
    Toggle,
    /// Stop recording the clipboard
    Pause,
    /// Record the clipboard again
    Resume,
    /// Quit the running Trove
    Quit,
}

impl Cli {
    /// Parses this process's arguments; on a usage error prints it with the
    /// usage and exits 2, as `--help` and `--version` print and exit 0.
    pub fn parse_or_exit() -> Self {
        Self::try_parse().unwrap_or_else(|e| {
            if e.use_stderr() {
                let usage = Self::command().render_usage().to_string();
                let message = e.render().to_string();
                eprint!("{message}");
                if !message.contains(&usage) {
                    eprintln!("\n{usage}");
                }
                std::process::exit(e.exit_code());
            }
            e.exit()
        })
    }

    /// What a launch asks of a Trove that is already running. A bare `trove`
    /// is a user opening the app again, which means: show the history.
    pub fn forwarded_request(&self) -> Option<Command> {
        match self.command {
            None if !self.hidden => Some(Command::Show { window: AppWindow::Main }),
            command => command,
        }
    }
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
    fn subcommands_parse() {
        let cases = [
            (&["show", "settings"][..], Some(Command::Show { window: AppWindow::Settings })),
            (&["toggle"], Some(Command::Toggle)),
            (&["pause"], Some(Command::Pause)),
            (&["resume"], Some(Command::Resume)),
            (&["quit"], Some(Command::Quit)),
            (&["--hidden"], None),
            (&[], None),
        ];
        for (args, want) in cases {
            assert_eq!(parse(args).unwrap().command, want, "{args:?}");
        }
    }

    #[test]
    fn a_bare_second_launch_shows_the_history_but_hidden_does_not() {
        let show_main = Some(Command::Show { window: AppWindow::Main });
        assert_eq!(parse(&[]).unwrap().forwarded_request(), show_main);
        assert_eq!(parse(&["--hidden"]).unwrap().forwarded_request(), None);
        assert_eq!(parse(&["pause"]).unwrap().forwarded_request(), Some(Command::Pause));
    }

    #[test]
    fn data_dir_is_made_absolute_and_allowed_after_the_subcommand() {
        let cli = parse(&["toggle", "--data-dir", "rel/dir"]).unwrap();
        let dir = cli.data_dir.unwrap();
        assert!(dir.is_absolute() && dir.ends_with("rel/dir"), "{dir:?}");
    }

    #[test]
    fn bad_arguments_are_usage_errors() {
        let bad: [&[&str]; 8] = [
            &["show", "nope"],
            &["show"],
            &["frobnicate"],
            &["--data-dir", ""],
            &["--bogus"],
            &["toggle", "extra"],
            &["pause", "resume"],
            &["show", "main\0"],
        ];
        for args in bad {
            assert_eq!(parse(args).unwrap_err().exit_code(), 2, "{args:?}");
        }
        assert_eq!(parse(&["--version"]).unwrap_err().kind(), ErrorKind::DisplayVersion);
        assert_eq!(parse(&["--help"]).unwrap_err().kind(), ErrorKind::DisplayHelp);
    }
}
