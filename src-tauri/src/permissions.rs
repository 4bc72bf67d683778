/// DESIGN.md §3: every app command and the windows that may call it.
/// `build.rs` declares these commands in the app manifest; the tests check
/// `capabilities/*.json` and the live ACL against this table.
pub const COMMAND_GRANTS: &[(&str, &[&str])] = &[
    ("get_settings", &["main", "settings"]),
    ("update_settings", &["settings"]),
    ("get_capture_state", &["main", "settings"]),
    ("set_capture_paused", &["main", "settings"]),
    ("app_info", &["settings", "about"]),
    ("enable_gnome_extension", &["settings", "about"]),
    ("history_page", &["main"]),
    ("search_history", &["main"]),
    ("get_clip", &["main"]),
    ("clip_image", &["main"]),
    ("copy_clip", &["main"]),
    ("set_pinned", &["main"]),
    ("delete_clip", &["main"]),
    ("clear_history", &["main", "settings"]),
];
