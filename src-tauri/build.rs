// The commands' names, from the one table that declares them; the app
// expands the same table into its dispatch (src/commands/mod.rs).
macro_rules! commands {
    ($($(#[doc = $doc:literal])* $name:ident($($arg:ident: $ty:ty),*) -> $reply:ty, [$($window:ident),+];)+) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),+];
    };
}
include!("src/commands/table.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands/table.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("../capabilities/*.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
    link_webkit();
}

/// WebKitGTK, JavaScriptCore and libsoup: loaded at the first window through
/// the stubs of `src/lazy_webkit.rs` where that assembly runs (x86-64 Linux),
/// else, or with the feature `linked-webkit`, linked the ordinary way.
/// `.cargo/config.toml` keeps their -sys crates from linking them either way.
fn link_webkit() {
    println!("cargo::rustc-check-cfg=cfg(lazy_webkit)");
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    let linked = std::env::var_os("CARGO_FEATURE_LINKED_WEBKIT").is_some();
    if !linked && target("CARGO_CFG_TARGET_ARCH") == "x86_64" && target("CARGO_CFG_TARGET_OS") == "linux" {
        println!("cargo:rustc-cfg=lazy_webkit");
        write_lazy_webkit_stubs();
    } else {
        for library in ["webkit2gtk-4.1", "javascriptcoregtk-4.1", "soup-3.0"] {
            println!("cargo:rustc-link-lib=dylib={library}");
        }
    }
}

/// Turns `src/lazy_webkit.symbols` into the tables and the assembly stubs that
/// `src/lazy_webkit.rs` includes.
fn write_lazy_webkit_stubs() {
    const LIST: &str = "src/lazy_webkit.symbols";
    println!("cargo:rerun-if-changed={LIST}");
    let list = std::fs::read_to_string(LIST).expect("reading src/lazy_webkit.symbols");
    let mut libraries = Vec::new();
    let mut functions = Vec::new();
    for line in list.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        match line.strip_prefix("    ") {
            Some(function) => functions.push((libraries.len() - 1, function.trim())),
            None => libraries.push(line.trim()),
        }
    }
    let mut out = String::from("const LIBRARIES: [&std::ffi::CStr; ");
    out += &format!("{}] = [\n", libraries.len());
    for library in &libraries {
        out += &format!("    c\"{library}\",\n");
    }
    out += &format!("];\n\nconst FUNCTIONS: [(usize, &std::ffi::CStr); {}] = [\n", functions.len());
    for (library, function) in &functions {
        out += &format!("    ({library}, c\"{function}\"),\n");
    }
    out += "];\n\nstd::arch::global_asm!(\n    \".pushsection .text.trove_lazy_webkit,\\\"ax\\\",@progbits\",\n";
    for (index, (_, function)) in functions.iter().enumerate() {
        let offset = index * 8;
        for line in [
            format!(".globl {function}"),
            format!(".hidden {function}"),
            format!(".type {function},@function"),
            ".p2align 4".to_string(),
            format!("{function}:"),
            format!("mov r11, qword ptr [rip + {{slots}} + {offset}]"),
            "test r11, r11".to_string(),
            "jz 2f".to_string(),
            "jmp r11".to_string(),
            format!("2: mov r11d, {index}"),
            "jmp trove_lazy_webkit_miss".to_string(),
            format!(".size {function}, . - {function}"),
        ] {
            out += &format!("    \"{line}\",\n");
        }
    }
    out += "    \".popsection\",\n    slots = sym SLOTS,\n);\n";
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("lazy_webkit.rs");
    std::fs::write(path, out).expect("writing lazy_webkit.rs");
}
