//! The desktop's light or dark preference, for windows whose theme follows
//! the system: read from the XDG desktop portal once, then followed through
//! its change signal on the core's D-Bus connection, with no thread or timer.

use gio::prelude::*;
use gio::{BusType, DBusCallFlags, DBusSignalFlags};
use glib::{Variant, VariantTy};
use tauri::{AppHandle, Runtime, Theme};

const PORTAL: &str = "org.freedesktop.portal.Desktop";
const PORTAL_PATH: &str = "/org/freedesktop/portal/desktop";
const SETTINGS: &str = "org.freedesktop.portal.Settings";
const NAMESPACE: &str = "org.freedesktop.appearance";
const COLOR_SCHEME: &str = "color-scheme";
const TIMEOUT_MS: i32 = 5000;

/// Applies the portal's colour scheme now and whenever it changes. With no
/// portal on the bus, GTK's own setting stands.
pub fn follow<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    let conn =
        gio::bus_get_sync(BusType::Session, gio::Cancellable::NONE).map_err(|e| format!("no session bus: {e}"))?;
    let handle = app.clone();
    conn.signal_subscribe(
        Some(PORTAL),
        Some(SETTINGS),
        Some("SettingChanged"),
        Some(PORTAL_PATH),
        Some(NAMESPACE),
        DBusSignalFlags::NONE,
        move |_, _, _, _, _, params| {
            if params.child_value(1).str() == Some(COLOR_SCHEME) {
                apply(&handle, &params.child_value(2));
            }
        },
    );
    let handle = app.clone();
    conn.call(
        Some(PORTAL),
        PORTAL_PATH,
        SETTINGS,
        "Read",
        Some(&(NAMESPACE, COLOR_SCHEME).to_variant()),
        VariantTy::new("(v)").ok(),
        DBusCallFlags::NONE,
        TIMEOUT_MS,
        gio::Cancellable::NONE,
        move |reply| match reply {
            Ok(reply) => apply(&handle, &reply.child_value(0)),
            Err(e) => log::info!("no desktop portal to say light or dark: {e}"),
        },
    );
    // The subscription is for the life of the app, and so is its connection.
    std::mem::forget(conn);
    Ok(())
}

/// `value` holds the portal's `u`: 1 prefers dark, 2 light, 0 has no
/// preference. `Read` wraps it in one variant more than the signal does.
fn apply<R: Runtime>(app: &AppHandle<R>, value: &Variant) {
    let mut value = value.clone();
    while let Some(inner) = value.as_variant() {
        value = inner;
    }
    let Some(scheme) = value.get::<u32>() else {
        log::warn!("the portal's color-scheme is not a number: {value}");
        return;
    };
    let dark = scheme == 1;
    log::info!("the desktop prefers {}", if dark { "dark" } else { "light" });
    app.set_theme(dark.then_some(Theme::Dark));
}
