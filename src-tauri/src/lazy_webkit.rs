//! Loads WebKitGTK, JavaScriptCore and libsoup when the first window needs them.
//!
//! Linked the usual way, the dynamic loader maps and binds WebKit before `main`:
//! about 110 ms of symbol lookups at every start, and 30 MB more memory (PSS)
//! for the life of a process that mostly sits in the tray. So the
//! build links none of the three (see `.cargo/config.toml`); in their place,
//! every function of theirs that the code calls (`lazy_webkit.symbols`) is a
//! stub here. A stub jumps through its slot; an empty slot sends it to `load`
//! first, which opens the libraries and fills every slot.
//!
//! The stubs are x86-64 assembly: `build.rs` compiles this module (cfg
//! `lazy_webkit`) only there, and links WebKit the usual way elsewhere or
//! with the feature `linked-webkit` (docs/decisions/lazy-webkit.md).

use std::ffi::{c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/lazy_webkit.rs"));

static SLOTS: [AtomicUsize; FUNCTIONS.len()] = [const { AtomicUsize::new(0) }; FUNCTIONS.len()];

/// Opens the libraries once; later calls return the first outcome.
pub fn load() -> Result<(), String> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED.get_or_init(open_and_bind).clone()
}

fn open_and_bind() -> Result<(), String> {
    let mut handles = [std::ptr::null_mut::<c_void>(); LIBRARIES.len()];
    for (handle, library) in handles.iter_mut().zip(LIBRARIES) {
        // SAFETY: plain dlopen of a system library by name; its constructors
        // expect nothing of the caller.
        *handle = unsafe { libc::dlopen(library.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        if handle.is_null() {
            return Err(format!("cannot load {}: {}", library.to_string_lossy(), dl_error()));
        }
    }
    for ((library, function), slot) in FUNCTIONS.iter().zip(&SLOTS) {
        // SAFETY: the handle is open and never closed; the name is a C string.
        let address = unsafe { libc::dlsym(handles[*library], function.as_ptr()) };
        if address.is_null() {
            return Err(format!("{} lacks {}", LIBRARIES[*library].to_string_lossy(), function.to_string_lossy()));
        }
        slot.store(address as usize, Ordering::Release);
    }
    log::info!("loaded WebKit");
    Ok(())
}

fn dl_error() -> String {
    // SAFETY: dlerror returns null or a C string valid until the next dl* call.
    let message = unsafe { libc::dlerror() };
    if message.is_null() {
        return "unknown error".into();
    }
    unsafe { CStr::from_ptr(message) }.to_string_lossy().into_owned()
}

/// Where a stub with an empty slot goes, with its index in r11. A function
/// cannot be called without its library, so failing to load ends the process.
extern "C" fn resolve(index: usize) -> usize {
    if let Err(e) = load() {
        eprintln!("trove: {e}");
        std::process::abort();
    }
    SLOTS[index].load(Ordering::Acquire)
}

// Keeps the caller's argument registers (and al, the vector count of a variadic
// call) across `resolve`, then jumps on to the function as if called directly.
std::arch::global_asm!(
    ".pushsection .text.trove_lazy_webkit,\"ax\",@progbits",
    ".globl trove_lazy_webkit_miss",
    ".hidden trove_lazy_webkit_miss",
    ".type trove_lazy_webkit_miss,@function",
    ".p2align 4",
    "trove_lazy_webkit_miss:",
    "push rdi",
    "push rsi",
    "push rdx",
    "push rcx",
    "push r8",
    "push r9",
    "push rax",
    "sub rsp, 128",
    "movdqu [rsp], xmm0",
    "movdqu [rsp + 16], xmm1",
    "movdqu [rsp + 32], xmm2",
    "movdqu [rsp + 48], xmm3",
    "movdqu [rsp + 64], xmm4",
    "movdqu [rsp + 80], xmm5",
    "movdqu [rsp + 96], xmm6",
    "movdqu [rsp + 112], xmm7",
    "mov rdi, r11",
    "call {resolve}",
    "mov r11, rax",
    "movdqu xmm0, [rsp]",
    "movdqu xmm1, [rsp + 16]",
    "movdqu xmm2, [rsp + 32]",
    "movdqu xmm3, [rsp + 48]",
    "movdqu xmm4, [rsp + 64]",
    "movdqu xmm5, [rsp + 80]",
    "movdqu xmm6, [rsp + 96]",
    "movdqu xmm7, [rsp + 112]",
    "add rsp, 128",
    "pop rax",
    "pop r9",
    "pop r8",
    "pop rcx",
    "pop rdx",
    "pop rsi",
    "pop rdi",
    "jmp r11",
    ".size trove_lazy_webkit_miss, . - trove_lazy_webkit_miss",
    ".popsection",
    resolve = sym resolve,
);

#[cfg(test)]
mod tests {
    use std::ffi::{c_char, c_int, c_void, CStr};

    extern "C" {
        fn soup_cookie_new(
            name: *const c_char,
            value: *const c_char,
            domain: *const c_char,
            path: *const c_char,
            max_age: c_int,
        ) -> *mut c_void;
        fn soup_cookie_get_domain(cookie: *mut c_void) -> *const c_char;
        fn soup_cookie_get_path(cookie: *mut c_void) -> *const c_char;
        fn soup_cookie_free(cookie: *mut c_void);
    }

    fn mapped(library: &str) -> bool {
        std::fs::read_to_string("/proc/self/maps").unwrap().contains(library)
    }

    // The only test in this binary that calls into the three libraries, so its
    // first call finds the slots empty.
    #[test]
    fn a_first_call_loads_the_libraries_and_reaches_the_function_with_its_arguments() {
        assert!(!mapped("libwebkit2gtk-4.1.so"), "WebKit must not be linked");
        // SAFETY: soup_cookie_new copies its strings; the cookie is freed below.
        unsafe {
            let cookie = soup_cookie_new(c"n".as_ptr(), c"v".as_ptr(), c"example.org".as_ptr(), c"/p".as_ptr(), 60);
            assert!(!cookie.is_null());
            assert_eq!(CStr::from_ptr(soup_cookie_get_domain(cookie)), c"example.org");
            assert_eq!(CStr::from_ptr(soup_cookie_get_path(cookie)), c"/p");
            soup_cookie_free(cookie);
        }
        assert!(mapped("libwebkit2gtk-4.1.so") && mapped("libsoup-3.0.so"));
        assert_eq!(super::load(), Ok(()), "every listed function must be found");
    }
}
