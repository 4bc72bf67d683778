//! How Trove fits the desktop it runs in, beyond the clipboard: its GNOME
//! Shell extension (menu, shortcut, paste and a second clipboard source on a
//! Shell with no tray), what Settings and About say about it, and a first
//! start that would otherwise leave Trove invisible.

use crate::capture::{Clipboard, Means, Owner, Paster};
use crate::clip::Selection;
use crate::error::{Error, Result};
use crate::gnome_shell::{FromShell, GnomeShell};
use crate::portal_shortcut::PortalShortcut;
use crate::session::{DisplaySession, Integration, ShellExtension};
use crate::state::AppState;
use crate::windows::{self, AppWindow};
use crate::{actions, bus, shortcut, tray};
use gio::prelude::*;
use glib::Variant;
use std::sync::{mpsc, Arc, Mutex};
use tauri::{AppHandle, Manager, Runtime};

const SHELL: (&str, &str, &str) = (
    "org.gnome.Shell",
    "/org/gnome/Shell",
    "org.gnome.Shell.Extensions",
);
/// The builds of `desktop/gnome-shell/`: for GNOME 45 and later, and for 42 to 44.
const EXTENSION_UUIDS: [&str; 2] = ["trove@trove.dev", "trove-legacy@trove.dev"];
const SHELL_TIMEOUT_MS: i32 = 3000;

/// Clipboard changes the extension reported, for the thread that reads them.
struct ShellChanges(Mutex<mpsc::Sender<(Selection, Vec<String>)>>);

/// Serves the extension's interface under `bus_name` when a GNOME Shell is on
/// the bus. Failing that, Trove runs on as on any other desktop.
pub fn start<R: Runtime>(app: &AppHandle<R>, bus_name: &str) {
    let Ok(conn) = gio::bus_get_sync(gio::BusType::Session, gio::Cancellable::NONE) else {
        return;
    };
    if !bus::has_owner(&conn, SHELL.0).unwrap_or(false) {
        return;
    }
    let handle = app.clone();
    let shortcut = app.state::<AppState>().settings().shortcut;
    // The interface first: the extension calls Register as soon as the name appears.
    let served = GnomeShell::serve(&conn, tray::menu(app), shortcut, move |event| {
        on_event(&handle, event)
    })
    .and_then(|shell| bus::request_name(&conn, bus_name).map(|()| shell));
    let shell = match served {
        Ok(shell) => shell,
        Err(e) => return log::error!("no GNOME Shell extension support: {e}"),
    };
    let (tx, rx) = mpsc::channel();
    let (handle, reader) = (app.clone(), shell.clone());
    let spawned = std::thread::Builder::new()
        .name("clipboard-shell".into())
        .spawn(move || {
            for (selection, offered) in rx {
                if let Some(clipboard) = handle.try_state::<Clipboard>() {
                    clipboard.read_elsewhere(offered, selection, |mime, max| {
                        reader.read(selection, mime, max)
                    });
                }
            }
        });
    if let Err(e) = spawned {
        return log::error!("no GNOME Shell extension support: {e}");
    }
    app.manage(ShellChanges(Mutex::new(tx)));
    app.manage(shell);
    log::info!("serving the GNOME Shell extension's interface as {bus_name}");
}

fn on_event<R: Runtime>(app: &AppHandle<R>, event: FromShell) {
    match event {
        FromShell::Registered { shell_version } => {
            log::info!("the GNOME Shell {shell_version} extension is connected: Trove's menu is in the top bar");
            let shell = app
                .try_state::<GnomeShell>()
                .map(|shell| Arc::new(shell.inner().clone()));
            extension_changed(app, shell);
        }
        FromShell::Gone => {
            log::warn!(
                "the GNOME Shell extension has gone: no top bar menu or shortcut until it is back"
            );
            extension_changed(app, None);
        }
        FromShell::Activate(action) => tray::perform(app, action),
        FromShell::Toggle => {
            log::info!("global shortcut pressed (GNOME Shell)");
            if let Err(e) = windows::toggle_main(app) {
                log::error!("{e}");
            }
        }
        FromShell::ShortcutBound(bound) => {
            match bound {
                Some(keys) => log::info!("global shortcut {keys} registered with GNOME Shell"),
                None => log::warn!("GNOME Shell refused the shortcut: another one may hold it"),
            }
            tray::refresh(app);
        }
        FromShell::SelectionChanged(selection, offered) => {
            // Trove's own reader sees the same change; the Shell's report stands in
            // only while that reader has nothing to read from.
            if app
                .try_state::<Clipboard>()
                .is_none_or(|c| c.reads_itself())
            {
                return;
            }
            if let Some(changes) = app.try_state::<ShellChanges>() {
                let _ = changes
                    .0
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .send((selection, offered));
            }
        }
    }
}

/// The extension came or went: pasting, the clipboard, the menu's shortcut and the hint follow.
fn extension_changed<R: Runtime>(app: &AppHandle<R>, shell: Option<Arc<GnomeShell>>) {
    if shell.is_some() {
        app.state::<AppState>().set_desktop_hint(None);
    }
    if let Some(clipboard) = app.try_state::<Clipboard>() {
        let owner = shell.clone().map(|s| s as Arc<dyn Owner>);
        clipboard.use_desktop(Means {
            owner,
            paster: shell.map(|s| s as Arc<dyn Paster>),
        });
    }
    // Which also brings the tray and the top bar's menu up to date.
    actions::capture_method_changed(app, None);
}

fn shell_call(method: &str, args: Variant, reply: &str) -> Result<Variant> {
    let conn = gio::bus_get_sync(gio::BusType::Session, gio::Cancellable::NONE)
        .map_err(|e| Error::System(format!("no session bus: {e}")))?;
    bus::call(&conn, SHELL, method, Some(args), reply, SHELL_TIMEOUT_MS).map_err(Error::System)
}

/// GNOME Shell's `ExtensionState` of each build that it knows of.
fn extension_states() -> Vec<(&'static str, f64)> {
    EXTENSION_UUIDS
        .into_iter()
        .filter_map(|uuid| {
            let info = shell_call("GetExtensionInfo", (uuid,).to_variant(), "(a{sv})").ok()?;
            let state = glib::VariantDict::new(Some(&info.child_value(0)))
                .lookup::<f64>("state")
                .ok()??;
            Some((uuid, state))
        })
        .collect()
}

const ENABLED: f64 = 1.0;
/// Turned off, and installed but never turned on (GNOME's DISABLED and INITIALIZED).
const OFF: [f64; 2] = [2.0, 6.0];

fn extension_state<R: Runtime>(app: &AppHandle<R>) -> ShellExtension {
    let Some(shell) = app.try_state::<GnomeShell>() else {
        return ShellExtension::NotGnome;
    };
    if shell.registered() {
        return ShellExtension::Connected;
    }
    let states = extension_states();
    if states.iter().any(|(_, s)| *s == ENABLED) {
        ShellExtension::On
    } else if states.iter().any(|(_, s)| OFF.contains(s)) {
        ShellExtension::Off
    } else {
        ShellExtension::NotInstalled
    }
}

/// Whether Trove's GNOME Shell extension is there to bind the shortcut, now or once it registers.
pub fn gnome_extension_binds_keys<R: Runtime>(app: &AppHandle<R>) -> bool {
    binds_keys(extension_state(app))
}

fn binds_keys(extension: ShellExtension) -> bool {
    matches!(extension, ShellExtension::On | ShellExtension::Connected)
}

/// What About and Settings show of the desktop.
pub fn integration<R: Runtime>(app: &AppHandle<R>) -> Integration {
    let gnome_extension = extension_state(app);
    let shortcut = shortcut::active(app);
    let shortcut_via = shortcut.as_ref().map(|_| {
        let via = if app.try_state::<PortalShortcut>().is_some() {
            "desktop portal"
        } else if gnome_extension == ShellExtension::Connected {
            "GNOME Shell extension"
        } else {
            "X11 key grab"
        };
        via.to_string()
    });
    Integration {
        shortcut,
        shortcut_via,
        gnome_extension,
    }
}

/// Turns on the build of the extension that this Shell can run.
pub fn enable_gnome_extension<R: Runtime>(app: &AppHandle<R>) -> Result<Integration> {
    let states = extension_states();
    let Some((uuid, _)) = states.iter().find(|(_, s)| OFF.contains(s)) else {
        return Err(Error::System(
            "no Trove extension that this GNOME Shell can turn on is installed".into(),
        ));
    };
    let reply = shell_call("EnableExtension", (*uuid,).to_variant(), "(b)")?;
    if reply.get::<(bool,)>() != Some((true,)) {
        return Err(Error::System(format!("GNOME Shell did not turn on {uuid}")));
    }
    log::info!("turned on the GNOME Shell extension {uuid}");
    Ok(integration(app))
}

/// Started from a launcher where nothing would show Trove (a Wayland desktop
/// with no tray and no Trove extension), it shows the history with a hint
/// instead of running unseen.
pub fn show_if_unseen<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    if DisplaySession::current() != DisplaySession::Wayland || tray::has_host(app) {
        return Ok(());
    }
    let extension = extension_state(app);
    if binds_keys(extension) {
        return Ok(());
    }
    let hint = match extension {
        ShellExtension::NotGnome => {
            "This desktop shows no tray icon for Trove: bind `trove toggle` to a key in its settings to open the history."
        }
        ShellExtension::Off => {
            "GNOME shows no tray icon: turn on the Trove extension in Settings for a top bar menu and the shortcut."
        }
        _ => "GNOME shows no tray icon: install the Trove GNOME Shell extension, or bind `trove toggle` to a key.",
    };
    log::warn!("no tray and no shortcut here: showing the history with a hint");
    app.state::<AppState>().set_desktop_hint(Some(hint.into()));
    windows::show(app, AppWindow::Main)
}
