//! Keeps GL drivers out of Trove's processes on X11.
//!
//! Neither process draws with GL: GTK paints the windows with cairo, and WebKit
//! renders pages in its web processes. Yet GDK opens a GL display with the X
//! display, and WebKit's UI side one with its first web view, each mapping Mesa
//! and LLVM (30 MB and more) into the process.

use std::ffi::{c_char, c_int, c_void};

const EGL_VENDORS: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";
const EGL_EXTENSIONS: c_int = 0x3055;
const GDK_GL: &str = "GDK_GL";

/// Must run before any thread starts: it changes the environment, which the
/// window host inherits. Whoever sets `GDK_GL` themselves is choosing how GL
/// is used, and is left alone.
pub fn keep_out_of_core() {
    if std::env::var_os(GDK_GL).is_none() {
        std::env::set_var(GDK_GL, "disable");
    }
}

/// With GL disabled for GDK, the web views' UI side goes without it too.
/// Must run before any thread starts, as `keep_out_of_core`.
pub fn keep_out_of_window_host() {
    if std::env::var_os(GDK_GL).is_some_and(|v| v == "disable") {
        hide_egl_drivers_from_this_process();
    }
}

/// libglvnd reads its list of EGL drivers once per process, at its first call.
/// Making that first call with an empty list leaves this process without EGL, and
/// WebKit's UI side then draws what its web process sends without GL. The web
/// processes, started later with the environment restored, still find their driver.
fn hide_egl_drivers_from_this_process() {
    let saved = std::env::var_os(EGL_VENDORS);
    std::env::set_var(EGL_VENDORS, "/dev/null");
    // SAFETY: libEGL.so.1 is libglvnd's dispatch library, which WebKit links and
    // which stays loaded for it; eglQueryString with no display is valid EGL 1.5
    // and returns a static string or null.
    unsafe {
        let lib = libc::dlopen(c"libEGL.so.1".as_ptr(), libc::RTLD_NOW);
        if !lib.is_null() {
            let symbol = libc::dlsym(lib, c"eglQueryString".as_ptr());
            if !symbol.is_null() {
                let query: extern "C" fn(*mut c_void, c_int) -> *const c_char = std::mem::transmute(symbol);
                query(std::ptr::null_mut(), EGL_EXTENSIONS);
            }
        }
    }
    match saved {
        Some(value) => std::env::set_var(EGL_VENDORS, value),
        None => std::env::remove_var(EGL_VENDORS),
    }
}
