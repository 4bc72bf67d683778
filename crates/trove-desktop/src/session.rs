//! Which kind of desktop session Trove runs in, and so what the OS lets it do.

use trove_domain::integration::DisplaySession;

pub fn current() -> DisplaySession {
    from_env(|name| std::env::var(name).ok())
}

pub fn from_env(var: impl Fn(&str) -> Option<String>) -> DisplaySession {
    let wayland = var("XDG_SESSION_TYPE").is_some_and(|t| t.eq_ignore_ascii_case("wayland"))
        || var("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
    if wayland {
        DisplaySession::Wayland
    } else {
        DisplaySession::X11
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(vars: &[(&str, &str)]) -> DisplaySession {
        from_env(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn wayland_is_recognised_by_either_variable() {
        assert_eq!(detect(&[("DISPLAY", ":0")]), DisplaySession::X11);
        assert_eq!(detect(&[("XDG_SESSION_TYPE", "x11"), ("DISPLAY", ":0")]), DisplaySession::X11);
        assert_eq!(detect(&[("WAYLAND_DISPLAY", "")]), DisplaySession::X11);
        assert_eq!(detect(&[("WAYLAND_DISPLAY", "wayland-0"), ("DISPLAY", ":0")]), DisplaySession::Wayland);
        assert_eq!(detect(&[("XDG_SESSION_TYPE", "Wayland")]), DisplaySession::Wayland);
        assert!(!DisplaySession::Wayland.has_global_shortcuts());
    }
}
