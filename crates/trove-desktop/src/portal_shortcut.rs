//! The global shortcut through the XDG desktop portal's GlobalShortcuts
//! interface, where the desktop offers it (KDE Plasma 5.27 and later, GNOME
//! 48 and later, Hyprland): Wayland lets no app grab a key itself.
//!
//! Spoken with GDBus on the core's own connection and main loop, so that it
//! adds no thread and no wakeup (docs/decisions/portal-shortcut.md says why
//! not ashpd). Two Plasma 5.27 quirks shape it: its portal registers shortcuts
//! only from `CreateSession`'s `shortcuts` option, and its `BindShortcuts`
//! ignores its argument. So every shortcut gets a session of its own, and a
//! new shortcut closes that session and opens another.
//!
//! Nothing here knows the app: it reports through `on_event`.

use crate::bus;
use gio::prelude::*;
use gio::{DBusCallFlags, DBusConnection, DBusSignalFlags};
use glib::{Variant, VariantDict};
use std::sync::{Arc, Mutex, MutexGuard};
use trove_domain::settings::respell_shortcut;

const PORTAL: (&str, &str, &str) =
    ("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop", "org.freedesktop.portal.GlobalShortcuts");
const REGISTRY: &str = "org.freedesktop.host.portal.Registry";
const REQUEST: &str = "org.freedesktop.portal.Request";
const SESSION: &str = "org.freedesktop.portal.Session";
const SHORTCUT_ID: &str = "toggle-history";
const TIMEOUT_MS: i32 = 5000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromPortal {
    /// The desktop bound the shortcut: how it describes the keys, or `None` if it bound none.
    Bound(Option<String>),
    Activated,
}

struct Inner {
    /// The session for the current shortcut, once the portal has made it.
    session: Option<String>,
    /// Counts sessions asked for; a late answer to an older one is dropped.
    generation: u32,
    shortcut: String,
    bound: Option<String>,
}

struct Shared {
    conn: DBusConnection,
    inner: Mutex<Inner>,
    on_event: Box<dyn Fn(FromPortal) + Send + Sync>,
}

impl Shared {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Clone)]
pub struct PortalShortcut(Arc<Shared>);

impl PortalShortcut {
    /// Binds `shortcut` (Trove's spelling) through the portal, if the desktop
    /// offers GlobalShortcuts; `None` if it does not.
    pub fn start(
        conn: &DBusConnection,
        app_id: &str,
        shortcut: &str,
        on_event: impl Fn(FromPortal) + Send + Sync + 'static,
    ) -> Option<Self> {
        let (name, path, iface) = PORTAL;
        let version = bus::call(
            conn,
            (name, path, "org.freedesktop.DBus.Properties"),
            "Get",
            Some((iface, "version").to_variant()),
            "(v)",
            TIMEOUT_MS,
        );
        let version = version.ok()?.child_value(0).as_variant()?.get::<u32>()?;
        // xdg-desktop-portal 1.21 and later know a host app by the id it
        // registers first; older ones have no registry, which is no error.
        if let Err(e) = bus::call(
            conn,
            (name, path, REGISTRY),
            "Register",
            Some(Variant::tuple_from_iter([app_id.to_variant(), VariantDict::new(None).end()])),
            "()",
            TIMEOUT_MS,
        ) {
            log::debug!("no portal registry ({e}); the portal knows Trove by its process");
        }
        log::info!("the desktop offers GlobalShortcuts (version {version})");
        let shared = Arc::new(Shared {
            conn: conn.clone(),
            inner: Mutex::new(Inner { session: None, generation: 0, shortcut: shortcut.to_string(), bound: None }),
            on_event: Box::new(on_event),
        });
        let on_signal = shared.clone();
        conn.signal_subscribe(
            Some(name),
            Some(iface),
            Some("Activated"),
            Some(path),
            None,
            DBusSignalFlags::NONE,
            move |_, _, _, _, _, params| {
                let ours = params.get::<(glib::variant::ObjectPath, String, u64, VariantDict)>().is_some_and(
                    |(session, id, _, _)| {
                        id == SHORTCUT_ID && on_signal.inner().session.as_deref() == Some(session.as_str())
                    },
                );
                if ours {
                    (on_signal.on_event)(FromPortal::Activated);
                }
            },
        );
        let portal = Self(shared);
        portal.open_session();
        Some(portal)
    }

    /// The keys as the desktop describes them, once bound.
    pub fn bound(&self) -> Option<String> {
        self.0.inner().bound.clone()
    }

    /// Moves the shortcut to `shortcut`: a new session with it, the old one
    /// closed. From any thread: the calls go out from the main loop, which
    /// GIO's asynchronous calls need.
    pub fn rebind(&self, shortcut: &str) {
        let (portal, shortcut) = (self.clone(), shortcut.to_string());
        glib::MainContext::default().invoke(move || portal.rebind_now(&shortcut));
    }

    fn rebind_now(&self, shortcut: &str) {
        let mut inner = self.0.inner();
        if inner.shortcut == shortcut {
            return;
        }
        inner.shortcut = shortcut.to_string();
        inner.bound = None;
        let old = inner.session.take();
        drop(inner);
        if let Some(old) = old {
            self.0.conn.call(
                Some(PORTAL.0),
                &old,
                SESSION,
                "Close",
                None,
                None,
                DBusCallFlags::NONE,
                TIMEOUT_MS,
                gio::Cancellable::NONE,
                |result| {
                    if let Err(e) = result {
                        log::warn!("cannot close the old shortcut session: {e}");
                    }
                },
            );
        }
        self.open_session();
    }

    fn open_session(&self) {
        let (generation, shortcut) = {
            let mut inner = self.0.inner();
            inner.generation += 1;
            (inner.generation, inner.shortcut.clone())
        };
        let token = format!("trove_{}_{generation}", std::process::id());
        let shortcuts = shortcuts_variant(&shortcut);
        let options = VariantDict::new(None);
        options.insert_value("handle_token", &token.to_variant());
        options.insert_value("session_handle_token", &token.to_variant());
        // Plasma 5.27 registers only what comes here; other portals ignore it.
        options.insert_value("shortcuts", &shortcuts);
        let shared = self.0.clone();
        self.request("CreateSession", Variant::tuple_from_iter([options.end()]), &token, move |results| {
            let session = VariantDict::new(Some(&results)).lookup::<String>("session_handle").ok().flatten();
            let mut inner = shared.inner();
            if inner.generation != generation {
                return;
            }
            let Some(session) = session else {
                drop(inner);
                log::error!("the portal made no shortcut session");
                return (shared.on_event)(FromPortal::Bound(None));
            };
            inner.session = Some(session.clone());
            drop(inner);
            PortalShortcut(shared.clone()).bind(&session, generation, shortcuts.clone());
        });
    }

    fn bind(&self, session: &str, generation: u32, shortcuts: Variant) {
        let token = format!("trove_{}_{generation}_bind", std::process::id());
        let options = VariantDict::new(None);
        options.insert_value("handle_token", &token.to_variant());
        let Ok(session_path) = glib::variant::ObjectPath::try_from(session.to_string()) else {
            return log::error!("the portal's session handle {session:?} is not an object path");
        };
        let args = Variant::tuple_from_iter([session_path.to_variant(), shortcuts, "".to_variant(), options.end()]);
        let shared = self.0.clone();
        self.request("BindShortcuts", args, &token, move |results| {
            let bound = VariantDict::new(Some(&results))
                .lookup_value("shortcuts", None)
                .and_then(|list| list.get::<Vec<(String, VariantDict)>>())
                .and_then(|list| list.into_iter().find(|(id, _)| id == SHORTCUT_ID))
                .map(|(_, props)| props.lookup::<String>("trigger_description").ok().flatten().unwrap_or_default());
            let mut inner = shared.inner();
            if inner.generation != generation {
                return;
            }
            inner.bound = bound.clone();
            drop(inner);
            (shared.on_event)(FromPortal::Bound(bound));
        });
    }

    /// Calls a portal method that answers through a Request object, and runs
    /// `on_success` with the results of a successful response.
    fn request(&self, method: &str, args: Variant, token: &str, on_success: impl FnOnce(Variant) + 'static) {
        let conn = &self.0.conn;
        let Some(sender) = conn.unique_name() else {
            return log::error!("no unique bus name: cannot use the portal");
        };
        let path = format!(
            "/org/freedesktop/portal/desktop/request/{}/{token}",
            sender.trim_start_matches(':').replace('.', "_")
        );
        // Subscribed before the call, so that a quick answer is not missed.
        let once = std::cell::RefCell::new(Some(on_success));
        let subscription = std::rc::Rc::new(std::cell::Cell::new(None));
        let unsubscribe = subscription.clone();
        let method_name = method.to_string();
        let id = conn.signal_subscribe(
            Some(PORTAL.0),
            Some(REQUEST),
            Some("Response"),
            Some(&path),
            None,
            DBusSignalFlags::NONE,
            move |conn, _, _, _, _, params| {
                if let Some(id) = unsubscribe.take() {
                    conn.signal_unsubscribe(id);
                }
                match params.get::<(u32, VariantDict)>() {
                    Some((0, results)) => {
                        if let Some(on_success) = once.borrow_mut().take() {
                            on_success(results.end());
                        }
                    }
                    Some((code, _)) => {
                        log::warn!("the portal answered {method_name} with {code} (1 cancelled, 2 failed)")
                    }
                    None => log::warn!("the portal's answer to {method_name} is malformed"),
                }
            },
        );
        subscription.set(Some(id));
        let what = method.to_string();
        conn.call(
            Some(PORTAL.0),
            PORTAL.1,
            PORTAL.2,
            method,
            Some(&args),
            None,
            DBusCallFlags::NONE,
            TIMEOUT_MS,
            gio::Cancellable::NONE,
            move |result| {
                if let Err(e) = result {
                    log::error!("the portal refused {what}: {e}");
                }
            },
        );
    }
}

/// The one shortcut, as `a(sa{sv})`.
fn shortcuts_variant(shortcut: &str) -> Variant {
    let props = VariantDict::new(None);
    props.insert_value("description", &"Show or hide Trove's clipboard history".to_variant());
    props.insert_value("preferred_trigger", &xdg_trigger(shortcut).to_variant());
    let entry = Variant::tuple_from_iter([SHORTCUT_ID.to_variant(), props.end()]);
    Variant::array_from_iter_with_type(glib::VariantTy::new("(sa{sv})").expect("a valid type"), [entry])
}

/// Trove's `Ctrl+Shift+V` as the XDG shortcuts specification spells a trigger: `CTRL+SHIFT+v`.
pub fn xdg_trigger(shortcut: &str) -> String {
    respell_shortcut(shortcut, ["CTRL", "ALT", "SHIFT", "LOGO"], "+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_are_spelt_as_the_xdg_shortcuts_specification_says() {
        assert_eq!(xdg_trigger("Ctrl+Shift+V"), "CTRL+SHIFT+v");
        assert_eq!(xdg_trigger("Alt+Super+PageDown"), "ALT+LOGO+Page_Down");
        assert_eq!(xdg_trigger("Ctrl+F5"), "CTRL+F5");
        assert_eq!(xdg_trigger("Ctrl+Space"), "CTRL+space");
    }

    #[test]
    fn the_shortcut_goes_as_one_entry_with_its_trigger() {
        let shortcuts = shortcuts_variant("Ctrl+Alt+H");
        assert_eq!(shortcuts.type_().as_str(), "a(sa{sv})");
        let list = shortcuts.get::<Vec<(String, VariantDict)>>().unwrap();
        let [(id, props)] = list.as_slice() else { panic!("one shortcut, not {}", list.len()) };
        assert_eq!(id, SHORTCUT_ID);
        assert_eq!(props.lookup::<String>("preferred_trigger").unwrap().unwrap(), "CTRL+ALT+h");
    }
}
