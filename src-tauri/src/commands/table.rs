// Every IPC command, declared once: its name and arguments, its reply, and
// the windows that may call it. `commands!` makes the rest from this: the
// dispatch and its grant check (`commands/mod.rs`), the app manifest
// (`build.rs`, which includes this file), and, through `make bindings`,
// `capabilities/*.json` and the TypeScript function for each command
// (`web/src/bindings.ts`). To add a command, declare it here, write its
// handler in `handlers.rs` and run `make bindings`.
commands! {
    /// The saved settings.
    get_settings() -> Settings, [Main, Settings];
    /// Checks and saves the settings and carries out their OS side; answers what was stored.
    update_settings(settings: Settings) -> Settings, [Settings];
    get_capture_state() -> CaptureState, [Main, Settings];
    set_capture_paused(paused: bool) -> CaptureState, [Main, Settings];
    app_info() -> AppInfo, [Settings, About];
    /// Turns on Trove's GNOME Shell extension where it is installed and off.
    enable_gnome_extension() -> Integration, [Settings, About];
    history_page(offset: u64, limit: u32) -> HistoryPage, [Main];
    search_history(query: SearchQuery) -> SearchResult, [Main];
    get_clip(id: u64) -> ClipDetail, [Main];
    /// The PNG bytes.
    clip_image(id: u64, size: ImageVariant) -> Png, [Main];
    /// The core hides the history window itself (and pastes, if the user wants that).
    copy_clip(id: u64) -> (), [Main];
    set_pinned(id: u64, pinned: bool) -> (), [Main];
    delete_clip(id: u64) -> (), [Main];
    /// Removes every clip that is not pinned.
    clear_history() -> (), [Main, Settings];
}
