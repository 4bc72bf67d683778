//! The tray through libayatana-appindicator, for a session that has no
//! StatusNotifierWatcher when Trove starts: the library shows an XEmbed icon
//! instead, and moves to a watcher that appears later.

use std::sync::{Arc, Mutex};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, IsMenuItem, MenuItem, MenuItemKind, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Runtime};
use trove_desktop::tray::menu::{Action, Item, Kind, Menu};

pub struct Indicator<R: Runtime> {
    tray: TrayIcon<R>,
    shown: Arc<Mutex<Menu>>,
}

impl<R: Runtime> Indicator<R> {
    pub fn start(
        app: &AppHandle<R>,
        menu: Menu,
        icon_png: &[u8],
        on_click: impl Fn(Action) + Send + Sync + 'static,
    ) -> tauri::Result<Self> {
        let shown = Arc::new(Mutex::new(menu.clone()));
        let lookup = shown.clone();
        let tray = TrayIconBuilder::with_id("trove")
            .icon(Image::from_bytes(icon_png)?)
            .tooltip(&menu.tooltip)
            .menu(&native_menu(app, &menu.items)?)
            .on_menu_event(move |_, event| {
                let id = event.id().as_ref().parse::<i32>();
                let action = id.ok().and_then(|id| lookup.lock().unwrap_or_else(|p| p.into_inner()).action(id));
                if let Some(action) = action {
                    on_click(action);
                }
            })
            .build(app)?;
        Ok(Self { tray, shown })
    }

    /// Must run on the main thread, where GTK's menus live.
    pub fn update(&self, menu: Menu) -> tauri::Result<()> {
        let mut shown = self.shown.lock().unwrap_or_else(|p| p.into_inner());
        if *shown == menu {
            return Ok(());
        }
        self.tray.set_menu(Some(native_menu(self.tray.app_handle(), &menu.items)?))?;
        self.tray.set_tooltip(Some(&menu.tooltip))?;
        *shown = menu;
        Ok(())
    }
}

fn native_menu<R: Runtime>(app: &AppHandle<R>, items: &[Item]) -> tauri::Result<tauri::menu::Menu<R>> {
    let menu = tauri::menu::Menu::new(app)?;
    for item in items {
        menu.append(&native_item(app, item)?)?;
    }
    Ok(menu)
}

fn native_item<R: Runtime>(app: &AppHandle<R>, item: &Item) -> tauri::Result<MenuItemKind<R>> {
    // These labels take `&` as the mnemonic marker.
    let (id, label, enabled) = (item.id.to_string(), item.label.replace('&', "&&"), item.enabled());
    Ok(match &item.kind {
        Kind::Separator => PredefinedMenuItem::separator(app)?.kind(),
        Kind::Label | Kind::Button(_) => MenuItem::with_id(app, id, label, enabled, None::<&str>)?.kind(),
        Kind::Check(_, checked) => CheckMenuItem::with_id(app, id, label, enabled, *checked, None::<&str>)?.kind(),
        Kind::Submenu(children) => {
            let children = children.iter().map(|c| native_item(app, c)).collect::<tauri::Result<Vec<_>>>()?;
            let refs: Vec<&dyn IsMenuItem<R>> = children.iter().map(|c| c as &dyn IsMenuItem<R>).collect();
            Submenu::with_id_and_items(app, id, label, enabled, &refs)?.kind()
        }
    })
}
