//! How Trove fits the desktop it runs in, beyond the clipboard: the global
//! shortcut (an X11 key grab, the desktop portal, or the GNOME Shell
//! extension), the extension itself (menu, paste and a second clipboard
//! source on a Shell with no tray), and what Settings and About say of them.
//!
//! The adapters of `trove_desktop` run here as managed state. What the user
//! asks through them comes back to the app as an `Intent`, to the handler
//! that `start` was given; this module decides nothing beyond the desktop.

use gio::prelude::*;
use glib::Variant;
use std::sync::{mpsc, Arc, Mutex};
use tauri::{AppHandle, Manager, Runtime};
use trove_desktop::capture::{Clipboard, Means, Owner, Paster};
use trove_desktop::gnome_shell::{FromShell, GnomeShell};
use trove_desktop::key_grab::KeyGrab;
use trove_desktop::portal_shortcut::{FromPortal, PortalShortcut};
use trove_desktop::tray::menu::{Action, Menu};
use trove_desktop::{bus, session};
use trove_domain::clip::Selection;
use trove_domain::error::{Error, Result};
use trove_domain::integration::{Integration, ShellExtension};
use trove_domain::state::AppState;

/// What the user asked through the desktop, or what changed there, for the app to carry out.
#[derive(Debug, Clone, Copy)]
pub enum Intent {
    /// The global shortcut was pressed.
    Toggle,
    /// An entry of the GNOME Shell extension's menu was clicked.
    Menu(Action),
    /// The extension came or went, and with it a way to hold the clipboard and to paste.
    CaptureMeansChanged,
    /// The desktop bound the shortcut, or let it go: the menus show it.
    ShortcutChanged,
}

/// Where intents go: the app's handler, given to `start`.
pub type OnIntent<R> = fn(&AppHandle<R>, Intent);

const SHELL: (&str, &str, &str) = ("org.gnome.Shell", "/org/gnome/Shell", "org.gnome.Shell.Extensions");
/// The builds of `desktop/gnome-shell/`: for GNOME 45 and later, and for 42 to 44.
const EXTENSION_UUIDS: [&str; 2] = ["trove@trove.dev", "trove-legacy@trove.dev"];
const SHELL_TIMEOUT_MS: i32 = 3000;

/// Clipboard changes the extension reported, for the thread that reads them.
struct ShellChanges(Mutex<mpsc::Sender<(Selection, Vec<String>)>>);

/// Serves the GNOME Shell extension's interface under `bus_name`, where a
/// Shell is on the bus, with `menu` until the app updates it; then binds the
/// global shortcut where the desktop lets Trove.
pub fn start<R: Runtime>(app: &AppHandle<R>, bus_name: &str, menu: Menu, on_intent: OnIntent<R>) {
    serve_gnome_shell(app, bus_name, menu, on_intent);
    bind_shortcut(app, on_intent);
}

/// Failing to find a Shell, or to serve it, Trove runs on as on any other desktop.
fn serve_gnome_shell<R: Runtime>(app: &AppHandle<R>, bus_name: &str, menu: Menu, on_intent: OnIntent<R>) {
    let Ok(conn) = gio::bus_get_sync(gio::BusType::Session, gio::Cancellable::NONE) else {
        return;
    };
    if !bus::has_owner(&conn, SHELL.0).unwrap_or(false) {
        return;
    }
    let handle = app.clone();
    let shortcut = app.state::<AppState>().settings().shortcut;
    // The interface first: the extension calls Register as soon as the name appears.
    let served = GnomeShell::serve(&conn, menu, shortcut, move |event| from_shell(&handle, event, on_intent))
        .and_then(|shell| bus::request_name(&conn, bus_name).map(|()| shell));
    let shell = match served {
        Ok(shell) => shell,
        Err(e) => return log::error!("no GNOME Shell extension support: {e}"),
    };
    let (tx, rx) = mpsc::channel();
    let (handle, reader) = (app.clone(), shell.clone());
    let spawned = std::thread::Builder::new().name("clipboard-shell".into()).spawn(move || {
        for (selection, offered) in rx {
            if let Some(clipboard) = handle.try_state::<Clipboard>() {
                clipboard.read_elsewhere(offered, selection, |mime, max| reader.read(selection, mime, max));
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

fn from_shell<R: Runtime>(app: &AppHandle<R>, event: FromShell, on_intent: OnIntent<R>) {
    match event {
        FromShell::Registered { shell_version } => {
            log::info!("the GNOME Shell {shell_version} extension is connected: Trove's menu is in the top bar");
            let shell = app.try_state::<GnomeShell>().map(|shell| Arc::new(shell.inner().clone()));
            extension_changed(app, shell, on_intent);
        }
        FromShell::Gone => {
            log::warn!("the GNOME Shell extension has gone: no top bar menu or shortcut until it is back");
            extension_changed(app, None, on_intent);
        }
        FromShell::Activate(action) => on_intent(app, Intent::Menu(action)),
        FromShell::Toggle => {
            log::info!("global shortcut pressed (GNOME Shell)");
            on_intent(app, Intent::Toggle);
        }
        FromShell::ShortcutBound(bound) => {
            match bound {
                Some(keys) => log::info!("global shortcut {keys} registered with GNOME Shell"),
                None => log::warn!("GNOME Shell refused the shortcut: another one may hold it"),
            }
            on_intent(app, Intent::ShortcutChanged);
        }
        FromShell::SelectionChanged(selection, offered) => {
            // Trove's own reader sees the same change; the Shell's report stands in
            // only while that reader has nothing to read from.
            if app.try_state::<Clipboard>().is_none_or(|c| c.reads_itself()) {
                return;
            }
            if let Some(changes) = app.try_state::<ShellChanges>() {
                let _ = changes.0.lock().unwrap_or_else(|p| p.into_inner()).send((selection, offered));
            }
        }
    }
}

/// The extension came or went: pasting, the clipboard, the menu's shortcut and the hint follow.
fn extension_changed<R: Runtime>(app: &AppHandle<R>, shell: Option<Arc<GnomeShell>>, on_intent: OnIntent<R>) {
    if shell.is_some() {
        app.state::<AppState>().set_desktop_hint(None);
    }
    if let Some(clipboard) = app.try_state::<Clipboard>() {
        let owner = shell.clone().map(|s| s as Arc<dyn Owner>);
        clipboard.use_desktop(Means { owner, paster: shell.map(|s| s as Arc<dyn Paster>) });
    }
    // Which also brings the tray and the top bar's menu up to date.
    on_intent(app, Intent::CaptureMeansChanged);
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
            let state = glib::VariantDict::new(Some(&info.child_value(0))).lookup::<f64>("state").ok()??;
            Some((uuid, state))
        })
        .collect()
}

const ENABLED: f64 = 1.0;
/// Turned off, and installed but never turned on (GNOME's DISABLED and INITIALIZED).
const OFF: [f64; 2] = [2.0, 6.0];

pub fn extension_state<R: Runtime>(app: &AppHandle<R>) -> ShellExtension {
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
pub fn binds_keys(extension: ShellExtension) -> bool {
    matches!(extension, ShellExtension::On | ShellExtension::Connected)
}

/// What About and Settings show of the desktop.
pub fn integration<R: Runtime>(app: &AppHandle<R>) -> Integration {
    let gnome_extension = extension_state(app);
    let shortcut = active_shortcut(app);
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
    Integration { shortcut, shortcut_via, gnome_extension }
}

/// Turns on the build of the extension that this Shell can run.
pub fn enable_gnome_extension<R: Runtime>(app: &AppHandle<R>) -> Result<Integration> {
    let states = extension_states();
    let Some((uuid, _)) = states.iter().find(|(_, s)| OFF.contains(s)) else {
        return Err(Error::System("no Trove extension that this GNOME Shell can turn on is installed".into()));
    };
    let reply = shell_call("EnableExtension", (*uuid,).to_variant(), "(b)")?;
    if reply.get::<(bool,)>() != Some((true,)) {
        return Err(Error::System(format!("GNOME Shell did not turn on {uuid}")));
    }
    log::info!("turned on the GNOME Shell extension {uuid}");
    Ok(integration(app))
}

/// Binds the toggle where the desktop lets Trove: its own key grab on X11;
/// on Wayland the GNOME Shell extension, else the GlobalShortcuts portal.
/// Failing all, Trove runs on without a shortcut.
fn bind_shortcut<R: Runtime>(app: &AppHandle<R>, on_intent: OnIntent<R>) {
    if !session::current().has_global_shortcuts() {
        if !binds_keys(extension_state(app)) && !through_portal(app, on_intent) {
            log::warn!(
                "global shortcuts are not available in a Wayland session; bind `trove toggle` in the compositor"
            );
        }
        return;
    }
    let handle = app.clone();
    // The grab's thread reports the press; the app acts on the main thread.
    let on_press = move || {
        let app = handle.clone();
        if let Err(e) = handle.run_on_main_thread(move || on_intent(&app, Intent::Toggle)) {
            log::error!("{e}");
        }
    };
    let grab = match KeyGrab::connect(on_press) {
        Ok(grab) => grab,
        Err(e) => return log::error!("no global shortcut: {e}"),
    };
    let shortcut = app.state::<AppState>().settings().shortcut;
    match grab.grab(&shortcut) {
        Ok(()) => log::info!("global shortcut {shortcut} registered"),
        Err(e) => log::error!("global shortcut {shortcut} unavailable: {e}"),
    }
    app.manage(grab);
}

/// Asks the desktop's GlobalShortcuts portal for the shortcut; false where it has none.
fn through_portal<R: Runtime>(app: &AppHandle<R>, on_intent: OnIntent<R>) -> bool {
    let Ok(conn) = gio::bus_get_sync(gio::BusType::Session, gio::Cancellable::NONE) else {
        return false;
    };
    let shortcut = app.state::<AppState>().settings().shortcut;
    let handle = app.clone();
    let portal = PortalShortcut::start(&conn, crate::IDENTIFIER, &shortcut, move |event| match event {
        FromPortal::Activated => {
            log::info!("global shortcut pressed (portal)");
            on_intent(&handle, Intent::Toggle);
        }
        FromPortal::Bound(Some(keys)) => {
            log::info!("global shortcut {keys} registered with the desktop portal");
            on_intent(&handle, Intent::ShortcutChanged);
        }
        FromPortal::Bound(None) => log::warn!("the desktop portal bound no shortcut"),
    });
    match portal {
        Some(portal) => {
            app.manage(portal);
            true
        }
        None => false,
    }
}

/// The shortcut that really toggles the history window now, if any: Trove's
/// own grab, or the one the desktop holds for it.
pub fn active_shortcut<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    if let Some(grab) = app.try_state::<KeyGrab>() {
        return grab.active();
    }
    if let Some(keys) = app.try_state::<PortalShortcut>().and_then(|portal| portal.bound()) {
        return Some(keys);
    }
    app.try_state::<GnomeShell>()?.bound_shortcut()
}

/// Moves the toggle from `old` to `new`. If `new` cannot be grabbed, `old` stays.
/// The desktop (the portal, GNOME Shell) is asked to bind `new` and says later
/// whether it did. Where it offers neither, the setting is only stored.
pub fn rebind_shortcut<R: Runtime>(app: &AppHandle<R>, old: &str, new: &str) -> Result<()> {
    if let Some(shell) = app.try_state::<GnomeShell>() {
        shell.set_shortcut(new);
    }
    if let Some(portal) = app.try_state::<PortalShortcut>() {
        portal.rebind(new);
    }
    let Some(grab) = app.try_state::<KeyGrab>().filter(|_| old != new) else {
        return Ok(());
    };
    grab.grab(new).map_err(|e| Error::invalid("shortcut", format!("{new} cannot be used: {e}")))?;
    log::info!("global shortcut moved from {old} to {new}");
    Ok(())
}

/// Brings the GNOME Shell extension's menu up to date, where it is served.
pub fn update_menu<R: Runtime>(app: &AppHandle<R>, menu: &Menu) {
    if let Some(shell) = app.try_state::<GnomeShell>() {
        shell.update_menu(menu.clone());
    }
}
