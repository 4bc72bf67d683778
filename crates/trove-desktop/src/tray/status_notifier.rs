//! The tray as the panel's StatusNotifierWatcher sees it: a StatusNotifierItem
//! and its dbusmenu, served from the core's own D-Bus connection on the main
//! loop. Unlike libayatana-appindicator it needs no GTK widgets, icon theme or
//! theme CSS, which took a third of Trove's start-up.

use super::menu::{Action, Item, Kind, Menu};
use crate::bus::{has_owner, request_name};
use gio::prelude::*;
use gio::{BusNameWatcherFlags, BusType, DBusCallFlags, DBusConnection, DBusMethodInvocation, DBusNodeInfo};
use glib::variant::ObjectPath;
use glib::{Variant, VariantTy};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const WATCHER: &str = "org.kde.StatusNotifierWatcher";
const ITEM_PATH: &str = "/StatusNotifierItem";
const ITEM_IFACE: &str = "org.kde.StatusNotifierItem";
const MENU_PATH: &str = "/MenuBar";
const MENU_IFACE: &str = "com.canonical.dbusmenu";
const TIMEOUT_MS: i32 = 5000;

const INTERFACES: &str = r#"<node>
  <interface name="org.kde.StatusNotifierItem">
    <method name="ContextMenu"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/></method>
    <method name="Activate"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/></method>
    <method name="SecondaryActivate"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/></method>
    <method name="Scroll"><arg name="delta" type="i" direction="in"/><arg name="orientation" type="s" direction="in"/></method>
    <property name="Category" type="s" access="read"/>
    <property name="Id" type="s" access="read"/>
    <property name="Title" type="s" access="read"/>
    <property name="Status" type="s" access="read"/>
    <property name="WindowId" type="i" access="read"/>
    <property name="IconThemePath" type="s" access="read"/>
    <property name="IconName" type="s" access="read"/>
    <property name="IconPixmap" type="a(iiay)" access="read"/>
    <property name="OverlayIconName" type="s" access="read"/>
    <property name="OverlayIconPixmap" type="a(iiay)" access="read"/>
    <property name="AttentionIconName" type="s" access="read"/>
    <property name="AttentionIconPixmap" type="a(iiay)" access="read"/>
    <property name="AttentionMovieName" type="s" access="read"/>
    <property name="ToolTip" type="(sa(iiay)ss)" access="read"/>
    <property name="ItemIsMenu" type="b" access="read"/>
    <property name="Menu" type="o" access="read"/>
    <signal name="NewTitle"/>
    <signal name="NewIcon"/>
    <signal name="NewToolTip"/>
    <signal name="NewStatus"><arg name="status" type="s"/></signal>
  </interface>
  <interface name="com.canonical.dbusmenu">
    <method name="GetLayout">
      <arg name="parentId" type="i" direction="in"/>
      <arg name="recursionDepth" type="i" direction="in"/>
      <arg name="propertyNames" type="as" direction="in"/>
      <arg name="revision" type="u" direction="out"/>
      <arg name="layout" type="(ia{sv}av)" direction="out"/>
    </method>
    <method name="GetGroupProperties">
      <arg name="ids" type="ai" direction="in"/>
      <arg name="propertyNames" type="as" direction="in"/>
      <arg name="properties" type="a(ia{sv})" direction="out"/>
    </method>
    <method name="GetProperty">
      <arg name="id" type="i" direction="in"/>
      <arg name="name" type="s" direction="in"/>
      <arg name="value" type="v" direction="out"/>
    </method>
    <method name="Event">
      <arg name="id" type="i" direction="in"/>
      <arg name="eventId" type="s" direction="in"/>
      <arg name="data" type="v" direction="in"/>
      <arg name="timestamp" type="u" direction="in"/>
    </method>
    <method name="EventGroup">
      <arg name="events" type="a(isvu)" direction="in"/>
      <arg name="idErrors" type="ai" direction="out"/>
    </method>
    <method name="AboutToShow">
      <arg name="id" type="i" direction="in"/>
      <arg name="needUpdate" type="b" direction="out"/>
    </method>
    <method name="AboutToShowGroup">
      <arg name="ids" type="ai" direction="in"/>
      <arg name="updatesNeeded" type="ai" direction="out"/>
      <arg name="idErrors" type="ai" direction="out"/>
    </method>
    <property name="Version" type="u" access="read"/>
    <property name="TextDirection" type="s" access="read"/>
    <property name="Status" type="s" access="read"/>
    <property name="IconThemePath" type="as" access="read"/>
    <signal name="ItemsPropertiesUpdated">
      <arg name="updatedProps" type="a(ia{sv})"/>
      <arg name="removedProps" type="a(ias)"/>
    </signal>
    <signal name="LayoutUpdated"><arg name="revision" type="u"/><arg name="parent" type="i"/></signal>
    <signal name="ItemActivationRequested"><arg name="id" type="i"/><arg name="timestamp" type="u"/></signal>
  </interface>
</node>"#;

/// One image in the `a(iiay)` form: width, height, ARGB32 in network byte order.
type Pixmap = (i32, i32, Vec<u8>);

struct Published {
    menu: Menu,
    revision: u32,
}

struct Shared {
    published: Mutex<Published>,
    icon: Vec<Pixmap>,
    on_click: Box<dyn Fn(Action) + Send + Sync>,
}

impl Shared {
    fn published(&self) -> std::sync::MutexGuard<'_, Published> {
        self.published.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct StatusNotifier {
    conn: DBusConnection,
    shared: Arc<Shared>,
}

impl StatusNotifier {
    /// Serves `menu` and registers it with the panel's watcher, now and whenever
    /// a watcher (re)appears. `None` when no watcher is on the bus at start.
    pub fn start(
        menu: Menu,
        icon_png: &[u8],
        on_click: impl Fn(Action) + Send + Sync + 'static,
    ) -> Result<Option<Self>, String> {
        let conn =
            gio::bus_get_sync(BusType::Session, gio::Cancellable::NONE).map_err(|e| format!("no session bus: {e}"))?;
        if !has_owner(&conn, WATCHER)? {
            return Ok(None);
        }
        let shared = Arc::new(Shared {
            published: Mutex::new(Published { menu, revision: 1 }),
            icon: vec![pixmap(icon_png)?],
            on_click: Box::new(on_click),
        });
        let node = DBusNodeInfo::for_xml(INTERFACES).map_err(|e| e.to_string())?;
        for (path, iface) in [(ITEM_PATH, ITEM_IFACE), (MENU_PATH, MENU_IFACE)] {
            let info = node.lookup_interface(iface).ok_or(format!("{iface} is not described"))?;
            let (on_call, on_get) = (shared.clone(), shared.clone());
            conn.register_object(
                path,
                &info,
                move |_, _, _, iface, method, params, invocation| on_call.call(iface, method, &params, invocation),
                move |_, _, _, iface, property| on_get.property(iface, property),
                |_, _, _, _, _, _| false,
            )
            .map_err(|e| format!("cannot serve {path}: {e}"))?;
        }
        let name = format!("org.kde.StatusNotifierItem-{}-1", std::process::id());
        request_name(&conn, &name)?;
        gio::bus_watch_name_on_connection(
            &conn,
            WATCHER,
            BusNameWatcherFlags::NONE,
            move |conn, _, _| register(&conn, &name),
            |_, _| log::warn!("the panel's tray watcher has gone; the tray returns with it"),
        );
        Ok(Some(Self { conn, shared }))
    }

    /// Shows `menu` from now on; the panel hears of it only if something changed.
    pub fn update(&self, menu: Menu) {
        let mut published = self.shared.published();
        if published.menu == menu {
            return;
        }
        let tooltip_changed = published.menu.tooltip != menu.tooltip;
        published.revision = published.revision.wrapping_add(1);
        published.menu = menu;
        let revision = published.revision;
        drop(published);
        self.emit(MENU_PATH, MENU_IFACE, "LayoutUpdated", Some((revision, 0i32).to_variant()));
        if tooltip_changed {
            self.emit(ITEM_PATH, ITEM_IFACE, "NewToolTip", None);
        }
    }

    fn emit(&self, path: &str, iface: &str, signal: &str, args: Option<Variant>) {
        if let Err(e) = self.conn.emit_signal(None, path, iface, signal, args.as_ref()) {
            log::error!("cannot tell the panel {signal}: {e}");
        }
    }
}

impl Shared {
    fn call(&self, iface: &str, method: &str, params: &Variant, invocation: DBusMethodInvocation) {
        // GDBus has checked the arguments against INTERFACES before this runs.
        let reply = match (iface, method) {
            (ITEM_IFACE, "Activate") => return self.reply_then_do(invocation, None, vec![Action::Show]),
            (ITEM_IFACE, _) => None,
            (_, "GetLayout") => params.get::<(i32, i32, Vec<String>)>().and_then(|(parent, depth, _)| {
                let published = self.published();
                let layout = match parent {
                    0 => layout(0, root_props(), &published.menu.items, depth),
                    id => published.menu.find(id).map(|item| layout(id, props(item), item.children(), depth))?,
                };
                Some(Variant::tuple_from_iter([published.revision.to_variant(), layout]))
            }),
            (_, "GetGroupProperties") => params.get::<(Vec<i32>, Vec<String>)>().map(|(ids, _)| {
                let published = self.published();
                let found = ids.iter().filter_map(|&id| published.menu.find(id));
                let entries = found.map(|item| Variant::tuple_from_iter([item.id.to_variant(), props(item)]));
                let array = Variant::array_from_iter_with_type(VariantTy::new("(ia{sv})").unwrap(), entries);
                Variant::tuple_from_iter([array])
            }),
            (_, "GetProperty") => params.get::<(i32, String)>().and_then(|(id, name)| {
                let published = self.published();
                let value = published.menu.find(id).map(item_props)?.remove(name.as_str())?;
                Some(Variant::tuple_from_iter([Variant::from_variant(&value)]))
            }),
            (_, "Event") => {
                let event = params.get::<(i32, String, Variant, u32)>();
                let actions = event.and_then(|(id, kind, _, _)| self.clicked(id, &kind)).into_iter().collect();
                return self.reply_then_do(invocation, None, actions);
            }
            (_, "EventGroup") => {
                let events = params.get::<(Vec<(i32, String, Variant, u32)>,)>().map(|(e,)| e).unwrap_or_default();
                let unknown: Vec<i32> = {
                    let published = self.published();
                    events.iter().map(|e| e.0).filter(|&id| published.menu.find(id).is_none()).collect()
                };
                let actions = events.iter().filter_map(|(id, kind, _, _)| self.clicked(*id, kind)).collect();
                return self.reply_then_do(invocation, Some((unknown,).to_variant()), actions);
            }
            (_, "AboutToShow") => Some((false,).to_variant()),
            (_, "AboutToShowGroup") => Some((Vec::<i32>::new(), Vec::<i32>::new()).to_variant()),
            _ => None,
        };
        match reply {
            Some(reply) => invocation.return_value(Some(&reply)),
            None if iface == ITEM_IFACE => invocation.return_value(None),
            None => invocation.return_dbus_error("org.freedesktop.DBus.Error.InvalidArgs", "no such menu entry"),
        }
    }

    /// What a menu event asks for: only a click on an entry that does something.
    fn clicked(&self, id: i32, kind: &str) -> Option<Action> {
        let action = self.published().menu.action(id).filter(|_| kind == "clicked");
        if action.is_none() {
            log::debug!("tray event {kind:?} on entry {id}, which does nothing");
        }
        action
    }

    /// Replies, waits until the reply has left, then acts: the action may be Quit,
    /// and a panel must not be left waiting on a process that has gone.
    fn reply_then_do(&self, invocation: DBusMethodInvocation, reply: Option<Variant>, actions: Vec<Action>) {
        let conn = invocation.connection();
        invocation.return_value(reply.as_ref());
        if let Err(e) = conn.flush_sync(gio::Cancellable::NONE) {
            log::warn!("cannot send the tray's reply: {e}");
        }
        for action in actions {
            (self.on_click)(action);
        }
    }

    fn property(&self, iface: &str, name: &str) -> Variant {
        let none: Vec<Pixmap> = Vec::new();
        match (iface, name) {
            (MENU_IFACE, "Version") => 3u32.to_variant(),
            (MENU_IFACE, "TextDirection") => "ltr".to_variant(),
            (MENU_IFACE, "Status") => "normal".to_variant(),
            (MENU_IFACE, _) => Vec::<String>::new().to_variant(),
            (_, "Category") => "ApplicationStatus".to_variant(),
            (_, "Id") => "trove".to_variant(),
            (_, "Title") => "Trove".to_variant(),
            (_, "Status") => "Active".to_variant(),
            (_, "WindowId") => 0i32.to_variant(),
            (_, "IconPixmap") => self.icon.to_variant(),
            (_, "OverlayIconPixmap" | "AttentionIconPixmap") => none.to_variant(),
            (_, "ToolTip") => {
                let tooltip = self.published().menu.tooltip.clone();
                let (title, body) = tooltip.split_once('\n').unwrap_or((&tooltip, ""));
                ("", none, title, body).to_variant()
            }
            (_, "ItemIsMenu") => true.to_variant(),
            (_, "Menu") => ObjectPath::try_from(MENU_PATH).expect("a valid path").to_variant(),
            // The icon names and the theme path: Trove sends pixels instead.
            _ => "".to_variant(),
        }
    }
}

fn layout(id: i32, props: Variant, children: &[Item], depth: i32) -> Variant {
    let children: Vec<Variant> = if depth == 0 {
        Vec::new()
    } else {
        children.iter().map(|c| layout(c.id, self::props(c), c.children(), depth - 1)).collect()
    };
    Variant::tuple_from_iter([id.to_variant(), props, children.to_variant()])
}

fn root_props() -> Variant {
    HashMap::from([("children-display", "submenu".to_variant())]).to_variant()
}

fn props(item: &Item) -> Variant {
    item_props(item).to_variant()
}

/// The dbusmenu properties that differ from their defaults.
fn item_props(item: &Item) -> HashMap<&'static str, Variant> {
    let mut props = HashMap::new();
    if let Kind::Separator = item.kind {
        props.insert("type", "separator".to_variant());
        return props;
    }
    // dbusmenu labels mark a mnemonic with `_`; a literal one is doubled.
    props.insert("label", item.label.replace('_', "__").to_variant());
    if !item.enabled() {
        props.insert("enabled", false.to_variant());
    }
    match item.kind {
        Kind::Check(_, checked) => {
            props.insert("toggle-type", "checkmark".to_variant());
            props.insert("toggle-state", i32::from(checked).to_variant());
        }
        Kind::Submenu(_) => {
            props.insert("children-display", "submenu".to_variant());
        }
        _ => {}
    }
    props
}

fn pixmap(png: &[u8]) -> Result<Pixmap, String> {
    let rgba = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|e| format!("the tray icon: {e}"))?
        .to_rgba8();
    let (width, height) = (rgba.width() as i32, rgba.height() as i32);
    let argb = rgba.pixels().flat_map(|p| [p[3], p[0], p[1], p[2]]).collect();
    Ok((width, height, argb))
}

fn register(conn: &DBusConnection, name: &str) {
    conn.call(
        Some(WATCHER),
        "/StatusNotifierWatcher",
        WATCHER,
        "RegisterStatusNotifierItem",
        Some(&(name,).to_variant()),
        None,
        DBusCallFlags::NONE,
        TIMEOUT_MS,
        gio::Cancellable::NONE,
        |result| match result {
            Ok(_) => log::debug!("tray registered with the panel"),
            Err(e) => log::error!("the panel refused the tray: {e}"),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tray::menu::Contents;

    fn labels(layout: &Variant) -> Vec<String> {
        let children = layout.child_value(2);
        (0..children.n_children())
            .map(|n| {
                let child = children.child_value(n).as_variant().unwrap();
                let props = glib::VariantDict::new(Some(&child.child_value(1)));
                props.lookup::<String>("label").unwrap().unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn the_layout_carries_every_entry_with_doubled_underscores() {
        let menu = Menu::new(&Contents { recent: vec![(1, "snake_case".into())], ..Contents::default() });
        let layout = layout(0, root_props(), &menu.items, -1);
        assert_eq!(layout.type_().as_str(), "(ia{sv}av)");
        let labels = labels(&layout);
        assert_eq!(labels[0], "snake__case");
        assert_eq!(labels.len(), menu.items.len());
        assert!(labels.contains(&"Pause capture".to_string()));
    }

    #[test]
    fn depth_zero_stops_at_the_parent() {
        let menu = Menu::new(&Contents::default());
        assert_eq!(layout(0, root_props(), &menu.items, 0).child_value(2).n_children(), 0);
        let clear = menu.items.iter().find(|i| !i.children().is_empty()).unwrap();
        assert_eq!(layout(clear.id, props(clear), clear.children(), 1).child_value(2).n_children(), 1);
    }

    #[test]
    fn checks_separators_and_labels_carry_their_kind() {
        let menu = Menu::new(&Contents { paused: true, ..Contents::default() });
        let by_label = |label: &str| item_props(menu.items.iter().find(|i| i.label == label).unwrap());
        let pause = by_label("Pause capture");
        assert_eq!(pause["toggle-type"].get::<String>().unwrap(), "checkmark");
        assert_eq!(pause["toggle-state"].get::<i32>(), Some(1));
        assert_eq!(by_label("No clips yet")["enabled"].get::<bool>(), Some(false));
        assert_eq!(by_label("")["type"].get::<String>().unwrap(), "separator");
        assert_eq!(by_label("Clear history…")["children-display"].get::<String>().unwrap(), "submenu");
    }

    #[test]
    fn the_icon_is_argb_in_network_order() {
        let (width, height, argb) = pixmap(include_bytes!("../../../../icons/tray.png")).unwrap();
        assert_eq!(argb.len(), (width * height * 4) as usize);
        let rgba = image::load_from_memory(include_bytes!("../../../../icons/tray.png")).unwrap().to_rgba8();
        let p = rgba.get_pixel(width as u32 / 2, height as u32 / 2);
        let at = ((height / 2 * width + width / 2) * 4) as usize;
        assert_eq!(argb[at..at + 4], [p[3], p[0], p[1], p[2]]);
        assert!(pixmap(b"not a png").is_err());
    }
}
