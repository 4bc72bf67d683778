//! Trove's side of its GNOME Shell extension (`desktop/gnome-shell/`), for a
//! Shell that has no tray and lets no app grab a key or type into another.
//!
//! The core serves `dev.trove.Shell1` on its bus name; the extension calls
//! `Register` once it sees that name, then shows the menu published here,
//! binds the shortcut published here, and reports clicks, key presses and
//! clipboard changes. The core calls back `dev.trove.ShellExtension1` on the
//! extension's own connection to paste and to read the clipboard.
//!
//! Everything that arrives is checked as hostile: only the connection that owns
//! `org.gnome.Shell` may register, only the registered one is listened to, and
//! sizes are bounded. Nothing here knows the app: it reports through `on_event`.

use crate::bus;
use crate::capture::{BoxError, Fetched, Owner, Paster};
use crate::tray::menu::{Action, Item, Kind, Menu};
use gio::prelude::*;
use gio::{BusNameWatcherFlags, DBusConnection, DBusMethodInvocation, DBusNodeInfo};
use glib::Variant;
use std::sync::{Arc, Mutex, MutexGuard};
use trove_domain::clip::Format;
use trove_domain::clip::Selection;
use trove_domain::settings::respell_shortcut;

/// Bumped when a method or signal changes meaning; an older extension is refused.
const INTERFACE_VERSION: u32 = 1;
const PATH: &str = "/dev/trove/Trove";
const IFACE: &str = "dev.trove.Shell1";
const EXTENSION_PATH: &str = "/dev/trove/ShellExtension";
const EXTENSION_IFACE: &str = "dev.trove.ShellExtension1";
const SHELL_NAME: &str = "org.gnome.Shell";
const MAX_MIME_TYPES: usize = 64;
const MAX_MIME_LENGTH: usize = 255;
const CALL_TIMEOUT_MS: i32 = 2000;

const INTERFACE: &str = r#"<node>
  <interface name="dev.trove.Shell1">
    <method name="Register">
      <arg name="extension_version" type="u" direction="in"/>
      <arg name="shell_version" type="s" direction="in"/>
      <arg name="interface_version" type="u" direction="out"/>
      <arg name="accelerator" type="s" direction="out"/>
    </method>
    <method name="GetMenu">
      <arg name="tooltip" type="s" direction="out"/>
      <arg name="items" type="a(iissb)" direction="out"/>
    </method>
    <method name="Activate"><arg name="id" type="i" direction="in"/></method>
    <method name="Toggle"/>
    <method name="ShortcutBound">
      <arg name="accelerator" type="s" direction="in"/>
      <arg name="bound" type="b" direction="in"/>
    </method>
    <method name="SelectionChanged">
      <arg name="selection" type="s" direction="in"/>
      <arg name="mime_types" type="as" direction="in"/>
    </method>
    <signal name="MenuChanged"/>
    <signal name="ShortcutChanged"><arg name="accelerator" type="s"/></signal>
  </interface>
</node>"#;

/// What the extension asked for or reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromShell {
    Registered {
        shell_version: String,
    },
    /// The extension's connection closed: the Shell restarted or it was disabled.
    Gone,
    Activate(Action),
    Toggle,
    /// The key the Shell now toggles the history with, in Trove's spelling; `None` if it refused the key.
    ShortcutBound(Option<String>),
    SelectionChanged(Selection, Vec<String>),
}

struct Published {
    menu: Menu,
    /// Trove's spelling, as in the settings.
    shortcut: String,
    /// The extension's unique bus name, once registered.
    extension: Option<String>,
    /// The shortcut the Shell has bound for Trove, in Trove's spelling.
    bound: Option<String>,
    /// Stops watching for the extension's connection to close.
    unwatch: Option<Box<dyn FnOnce() + Send>>,
}

struct Shared {
    published: Mutex<Published>,
    on_event: Box<dyn Fn(FromShell) + Send + Sync>,
}

impl Shared {
    fn published(&self) -> MutexGuard<'_, Published> {
        self.published.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Clone)]
pub struct GnomeShell {
    conn: DBusConnection,
    shared: Arc<Shared>,
}

impl GnomeShell {
    /// Serves `dev.trove.Shell1` on `conn`, which must own Trove's bus name.
    pub fn serve(
        conn: &DBusConnection,
        menu: Menu,
        shortcut: String,
        on_event: impl Fn(FromShell) + Send + Sync + 'static,
    ) -> Result<Self, String> {
        let shared = Arc::new(Shared {
            published: Mutex::new(Published { menu, shortcut, extension: None, bound: None, unwatch: None }),
            on_event: Box::new(on_event),
        });
        let node = DBusNodeInfo::for_xml(INTERFACE).map_err(|e| e.to_string())?;
        let info = node.lookup_interface(IFACE).ok_or(format!("{IFACE} is not described"))?;
        let on_call = shared.clone();
        conn.register_object(
            PATH,
            &info,
            move |conn, sender, _, _, method, params, invocation| {
                on_call.call(&conn, sender, method, &params, invocation)
            },
            |_, _, _, _, _| "".to_variant(),
            |_, _, _, _, _, _| false,
        )
        .map_err(|e| format!("cannot serve {PATH}: {e}"))?;
        Ok(Self { conn: conn.clone(), shared })
    }

    /// Whether an extension is registered now.
    pub fn registered(&self) -> bool {
        self.shared.published().extension.is_some()
    }

    /// The shortcut that the Shell toggles the history with now, if any.
    pub fn bound_shortcut(&self) -> Option<String> {
        self.shared.published().bound.clone()
    }

    /// Shows `menu` in the Shell from now on.
    pub fn update_menu(&self, menu: Menu) {
        let mut published = self.shared.published();
        if published.menu == menu {
            return;
        }
        published.menu = menu;
        drop(published);
        self.emit("MenuChanged", None);
    }

    /// Has the Shell bind `shortcut` (Trove's spelling) in place of the old one.
    pub fn set_shortcut(&self, shortcut: &str) {
        let mut published = self.shared.published();
        if published.shortcut == shortcut {
            return;
        }
        published.shortcut = shortcut.to_string();
        drop(published);
        self.emit("ShortcutChanged", Some((gtk_accelerator(shortcut),).to_variant()));
    }

    fn emit(&self, signal: &str, args: Option<Variant>) {
        if let Err(e) = self.conn.emit_signal(None, PATH, IFACE, signal, args.as_ref()) {
            log::error!("cannot tell the GNOME Shell extension {signal}: {e}");
        }
    }

    fn call_extension(&self, method: &str, args: Option<Variant>, reply: &str) -> Result<Variant, String> {
        let extension = self.shared.published().extension.clone().ok_or("the GNOME Shell extension is not running")?;
        bus::call(&self.conn, (&extension, EXTENSION_PATH, EXTENSION_IFACE), method, args, reply, CALL_TIMEOUT_MS)
            .map_err(|e| format!("the GNOME Shell extension: {e}"))
    }

    /// One format of the Shell's `selection`, at most `max` bytes of it.
    pub fn read(&self, selection: Selection, mime: &str, max: u64) -> Result<Fetched, String> {
        let max = u32::try_from(max).unwrap_or(u32::MAX - 1);
        let args = (selection_name(selection), mime, max).to_variant();
        let reply = self.call_extension("Read", Some(args), "(bay)")?;
        let (too_large, data) = reply.get::<(bool, Vec<u8>)>().ok_or("a malformed Read reply")?;
        // The extension is not trusted to have kept to the limit.
        Ok(if too_large || data.len() as u64 > u64::from(max) {
            Fetched::TooLarge(u64::from(max) + 1)
        } else {
            Fetched::Data(data)
        })
    }
}

/// The Shell holds the clipboard for Trove where Trove has none of its own
/// (no Xwayland): one format, the most useful, as the Shell keeps one.
impl Owner for GnomeShell {
    fn offer(&self, payloads: Vec<(Format, Vec<u8>)>) -> Result<(), BoxError> {
        let best = [Format::Text, Format::Html, Format::UriList, Format::Png]
            .into_iter()
            .find_map(|want| payloads.iter().find(|(format, _)| *format == want))
            .ok_or("nothing to put on the clipboard")?;
        let mime = match best.0 {
            Format::Text => "text/plain;charset=utf-8",
            Format::Html => "text/html",
            Format::UriList => "text/uri-list",
            _ => "image/png",
        };
        let args = Variant::tuple_from_iter([mime.to_variant(), Variant::array_from_fixed_array(&best.1)]);
        Ok(self.call_extension("SetClipboard", Some(args), "()").map(drop)?)
    }
}

/// The Shell types for Trove: it alone may, on GNOME's Wayland.
impl Paster for GnomeShell {
    /// The Shell's focused window, as the extension names it (0 is none).
    fn focused_window(&self) -> Option<u64> {
        let reply = self.call_extension("FocusedWindow", None, "(t)").inspect_err(|e| log::warn!("{e}")).ok()?;
        reply.get::<(u64,)>().map(|(id,)| id).filter(|&id| id != 0)
    }

    /// Focuses `window` again, if it still exists, and types Ctrl+V into what has the keyboard.
    fn paste_into(&self, window: Option<u64>) -> Result<(), BoxError> {
        Ok(self.call_extension("Paste", Some((window.unwrap_or(0),).to_variant()), "()").map(drop)?)
    }
}

impl Shared {
    fn call(
        self: &Arc<Self>,
        conn: &DBusConnection,
        sender: &str,
        method: &str,
        params: &Variant,
        invocation: DBusMethodInvocation,
    ) {
        // GDBus has checked the argument types against INTERFACE before this runs.
        if method == "Register" {
            return self.register(conn, sender, params, invocation);
        }
        if self.published().extension.as_deref() != Some(sender) {
            return invocation.return_dbus_error("org.freedesktop.DBus.Error.AccessDenied", "call Register first");
        }
        let event = match method {
            "GetMenu" => return invocation.return_value(Some(&self.menu_variant())),
            "Toggle" => Ok(FromShell::Toggle),
            "Activate" => params
                .get::<(i32,)>()
                .and_then(|(id,)| self.published().menu.action(id))
                .map(FromShell::Activate)
                .ok_or("no such menu entry".to_string()),
            "ShortcutBound" => {
                params.get::<(String, bool)>().ok_or("bad arguments".into()).map(|(accelerator, bound)| {
                    let mut published = self.published();
                    // A report on a key that is no longer the setting's says nothing of the current one.
                    if accelerator == gtk_accelerator(&published.shortcut) {
                        published.bound = bound.then(|| published.shortcut.clone());
                    }
                    FromShell::ShortcutBound(published.bound.clone())
                })
            }
            "SelectionChanged" => {
                params.get::<(String, Vec<String>)>().ok_or("bad arguments".into()).and_then(selection_changed)
            }
            _ => Err(format!("no method {method}")),
        };
        match event {
            Ok(event) => {
                invocation.return_value(None);
                // Sent before acting: the action may be Quit.
                if let Err(e) = conn.flush_sync(gio::Cancellable::NONE) {
                    log::warn!("cannot answer the GNOME Shell extension: {e}");
                }
                (self.on_event)(event);
            }
            Err(why) => invocation.return_dbus_error("org.freedesktop.DBus.Error.InvalidArgs", &why),
        }
    }

    fn register(
        self: &Arc<Self>,
        conn: &DBusConnection,
        sender: &str,
        params: &Variant,
        invocation: DBusMethodInvocation,
    ) {
        let Some((version, shell_version)) = params.get::<(u32, String)>() else {
            return invocation.return_dbus_error("org.freedesktop.DBus.Error.InvalidArgs", "bad arguments");
        };
        if bus::owner_of(conn, SHELL_NAME).as_deref() != Some(sender) {
            log::warn!("{sender}, which is not GNOME Shell, tried to register as Trove's Shell extension");
            return invocation
                .return_dbus_error("org.freedesktop.DBus.Error.AccessDenied", "only GNOME Shell may register");
        }
        if version != INTERFACE_VERSION {
            log::warn!(
                "a Trove Shell extension of version {version} registered; this Trove speaks {INTERFACE_VERSION}"
            );
            return invocation.return_dbus_error(
                "org.freedesktop.DBus.Error.NotSupported",
                &format!("this Trove speaks version {INTERFACE_VERSION}"),
            );
        }
        let shell_version: String = shell_version.chars().take(32).collect();
        let mut published = self.published();
        let accelerator = gtk_accelerator(&published.shortcut);
        if let Some(unwatch) = published.unwatch.take() {
            unwatch();
        }
        published.extension = Some(sender.to_string());
        let shared = self.clone();
        let watch = gio::bus_watch_name_on_connection(
            conn,
            sender,
            BusNameWatcherFlags::NONE,
            |_, _, _| {},
            move |_, name| shared.gone(name),
        );
        published.unwatch = Some(Box::new(move || gio::bus_unwatch_name(watch)));
        drop(published);
        invocation.return_value(Some(&(INTERFACE_VERSION, accelerator).to_variant()));
        (self.on_event)(FromShell::Registered { shell_version });
    }

    fn gone(&self, name: &str) {
        let mut published = self.published();
        if published.extension.as_deref() != Some(name) {
            return;
        }
        published.extension = None;
        published.bound = None;
        drop(published);
        (self.on_event)(FromShell::Gone);
    }

    fn menu_variant(&self) -> Variant {
        let published = self.published();
        let mut rows = Vec::new();
        flatten(&published.menu.items, 0, &mut rows);
        (published.menu.tooltip.clone(), rows).to_variant()
    }
}

/// The menu as `a(iissb)`: id, parent's id (0 for the top), kind, label, checked;
/// every parent before its children.
fn flatten(items: &[Item], parent: i32, rows: &mut Vec<(i32, i32, String, String, bool)>) {
    for item in items {
        let (kind, checked) = match item.kind {
            Kind::Label => ("label", false),
            Kind::Separator => ("separator", false),
            Kind::Button(_) => ("button", false),
            Kind::Check(_, checked) => ("check", checked),
            Kind::Submenu(_) => ("submenu", false),
        };
        rows.push((item.id, parent, kind.into(), item.label.clone(), checked));
        flatten(item.children(), item.id, rows);
    }
}

fn selection_changed((selection, mimes): (String, Vec<String>)) -> Result<FromShell, String> {
    let selection = match selection.as_str() {
        "clipboard" => Selection::Clipboard,
        "primary" => Selection::Primary,
        _ => return Err(format!("no selection {selection:?}")),
    };
    if mimes.len() > MAX_MIME_TYPES {
        return Err(format!("more than {MAX_MIME_TYPES} MIME types"));
    }
    if mimes.iter().any(|m| m.len() > MAX_MIME_LENGTH || m.is_empty()) {
        return Err(format!("a MIME type that is empty or longer than {MAX_MIME_LENGTH} bytes"));
    }
    Ok(FromShell::SelectionChanged(selection, mimes))
}

fn selection_name(selection: Selection) -> &'static str {
    match selection {
        Selection::Clipboard => "clipboard",
        Selection::Primary => "primary",
    }
}

/// Trove's `Ctrl+Shift+V` in the form GTK and mutter parse: `<Control><Shift>v`.
pub fn gtk_accelerator(shortcut: &str) -> String {
    respell_shortcut(shortcut, ["<Control>", "<Alt>", "<Shift>", "<Super>"], "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tray::menu::Contents;

    #[test]
    fn every_shortcut_a_setting_can_hold_has_a_gtk_spelling() {
        assert_eq!(gtk_accelerator("Ctrl+Shift+V"), "<Control><Shift>v");
        assert_eq!(gtk_accelerator("Alt+Super+7"), "<Alt><Super>7");
        assert_eq!(gtk_accelerator("Ctrl+PageDown"), "<Control>Page_Down");
        assert_eq!(gtk_accelerator("Ctrl+Alt+Space"), "<Control><Alt>space");
        assert_eq!(gtk_accelerator("Shift+F12"), "<Shift>F12");
        assert_eq!(gtk_accelerator("Ctrl+Enter"), "<Control>Return");
        assert_eq!(gtk_accelerator("Ctrl+Backspace"), "<Control>BackSpace");
        assert_eq!(gtk_accelerator("Ctrl+Delete"), "<Control>Delete");
    }

    #[test]
    fn the_menu_goes_flat_with_every_parent_before_its_children() {
        let menu = Menu::new(&Contents { recent: vec![(7, "seven".into())], paused: true, ..Contents::default() });
        let mut rows = Vec::new();
        flatten(&menu.items, 0, &mut rows);
        assert_eq!(rows[0], (menu.items[0].id, 0, "button".into(), "seven".into(), false));
        let pause = rows.iter().find(|r| r.3 == "Pause capture").unwrap();
        assert_eq!((pause.2.as_str(), pause.4), ("check", true));
        let clear = rows.iter().position(|r| r.2 == "submenu").unwrap();
        let child = rows.iter().position(|r| r.1 == rows[clear].0).unwrap();
        assert!(child > clear);
        assert!(rows.iter().any(|r| r.2 == "separator"));
        let seen: std::collections::HashSet<i32> = rows.iter().map(|r| r.0).collect();
        assert!(rows.iter().all(|r| r.1 == 0 || seen.contains(&r.1)));
        assert_eq!(Variant::from((String::new(), rows)).type_().as_str(), "(sa(iissb))");
    }

    #[test]
    fn a_selection_change_is_bounded_before_anything_reads_it() {
        let ok = selection_changed(("clipboard".into(), vec!["text/plain".into()]));
        assert_eq!(ok, Ok(FromShell::SelectionChanged(Selection::Clipboard, vec!["text/plain".into()])));
        assert!(selection_changed(("dnd".into(), vec![])).is_err());
        assert!(selection_changed(("primary".into(), vec!["x".into(); MAX_MIME_TYPES + 1])).is_err());
        assert!(selection_changed(("primary".into(), vec!["x".repeat(MAX_MIME_LENGTH + 1)])).is_err());
        assert!(selection_changed(("primary".into(), vec![String::new()])).is_err());
        assert!(selection_changed(("primary".into(), vec!["x".into(); MAX_MIME_TYPES])).is_ok());
    }
}
