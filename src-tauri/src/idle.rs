//! What an idle Trove need not hold, given back. No tauri here.

/// Gives the heap's free pages back to the system. The allocator does so
/// by itself only for the top of the heap, not for free pages between
/// chunks still in use, such as those opening the history leaves.
pub fn return_free_heap() {
    // SAFETY: malloc_trim only releases free heap pages.
    unsafe { libc::malloc_trim(0) };
}
