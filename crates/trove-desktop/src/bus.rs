//! Small calls to the session bus itself, shared by everything Trove serves there.

use gio::prelude::*;
use gio::{DBusCallFlags, DBusConnection};
use glib::{Variant, VariantTy};

const TIMEOUT_MS: i32 = 5000;

/// A call that waits for its reply, with the reply's type checked.
pub fn call(
    conn: &DBusConnection,
    (name, path, iface): (&str, &str, &str),
    method: &str,
    args: Option<Variant>,
    reply: &str,
    timeout_ms: i32,
) -> Result<Variant, String> {
    conn.call_sync(
        Some(name),
        path,
        iface,
        method,
        args.as_ref(),
        Some(VariantTy::new(reply).expect("a valid type")),
        DBusCallFlags::NONE,
        timeout_ms,
        gio::Cancellable::NONE,
    )
    .map_err(|e| format!("{method}: {e}"))
}

const DAEMON: (&str, &str, &str) = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus");

pub fn has_owner(conn: &DBusConnection, name: &str) -> Result<bool, String> {
    let reply = call(conn, DAEMON, "NameHasOwner", Some((name,).to_variant()), "(b)", TIMEOUT_MS)?;
    Ok(reply.get::<(bool,)>().is_some_and(|(owned,)| owned))
}

/// The unique name of the connection that owns `name`, if any does.
pub fn owner_of(conn: &DBusConnection, name: &str) -> Option<String> {
    let reply = call(conn, DAEMON, "GetNameOwner", Some((name,).to_variant()), "(s)", TIMEOUT_MS).ok()?;
    reply.get::<(String,)>().map(|(owner,)| owner)
}

pub fn request_name(conn: &DBusConnection, name: &str) -> Result<(), String> {
    const DO_NOT_QUEUE: u32 = 4;
    const PRIMARY_OWNER: u32 = 1;
    let reply = call(conn, DAEMON, "RequestName", Some((name, DO_NOT_QUEUE).to_variant()), "(u)", TIMEOUT_MS)?;
    match reply.get::<(u32,)>() {
        Some((PRIMARY_OWNER,)) => Ok(()),
        _ => Err(format!("the bus name {name} is taken")),
    }
}
