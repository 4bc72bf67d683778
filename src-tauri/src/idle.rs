//! What an idle Trove need not hold, given back: what WebKit keeps after its
//! last window is gone, and free heap. No tauri here.

use std::path::Path;

/// WebKit starts a network process with the first web view and keeps it for
/// the life of the app. Ended, it is started again with the next web view.
const NETWORK_PROCESS: &str = "WebKitNetworkProcess";

/// Ends WebKit's network process and returns freed heap to the system.
/// Only for when no web view exists.
pub fn release_web_leftovers() {
    for pid in children_named(NETWORK_PROCESS) {
        log::info!("no window is open; ending WebKit's network process {pid}");
        // SAFETY: kill has no memory effects; pid is our own child, which GLib reaps.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    return_free_heap();
}

/// Gives the heap's free pages back to the system. The allocator does so
/// by itself only for the top of the heap, not for free pages between
/// chunks still in use, such as those opening the history leaves.
pub fn return_free_heap() {
    // SAFETY: malloc_trim only releases free heap pages.
    unsafe { libc::malloc_trim(0) };
}

/// This process's children whose executable is called `name`.
fn children_named(name: &str) -> Vec<libc::pid_t> {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<libc::pid_t>().ok())
        .filter(|pid| parent_of(*pid).as_deref() == Some(me.as_str()))
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .is_ok_and(|exe| exe.file_name() == Some(Path::new(name).as_os_str()))
        })
        .collect()
}

fn parent_of(pid: libc::pid_t) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name in parentheses may hold spaces; the fields after it do not.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_its_own_children_by_executable_name() {
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let found = children_named("sleep");
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(found, [child.id() as libc::pid_t]);
        assert!(children_named("no-such-program").is_empty());
    }
}
