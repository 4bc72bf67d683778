// The one way the pages talk to the core. Types come from ./bindings (generated).
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";
import {
  EVENTS,
  SEARCH_LIMIT_MAX,
  type AppInfo,
  type CaptureState,
  type ClipDetail,
  type ClipSummary,
  type Command,
  type HistoryDelta,
  type HistoryPage,
  type ImageVariant,
  type Integration,
  type IpcError,
  type SearchHit,
  type SearchMode,
  type SearchQuery,
  type SearchResult,
  type Settings,
} from "./bindings";

export { SEARCH_LIMIT_MAX };
export type {
  AppInfo,
  CaptureState,
  ClipDetail,
  ClipSummary,
  HistoryDelta,
  Integration,
  IpcError,
  SearchHit,
  SearchMode,
  SearchResult,
  Settings,
};

function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

// Commands the core ran reject with an IpcError; Tauri itself rejects
// ungranted or unknown commands with a bare string.
async function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw isIpcError(e) ? e : ({ kind: "rejected", message: String(e) } satisfies IpcError);
  }
}

export const ipc = {
  getSettings: () => call<Settings>("get_settings"),
  updateSettings: (settings: Settings) => call<Settings>("update_settings", { settings }),
  getCaptureState: () => call<CaptureState>("get_capture_state"),
  setCapturePaused: (paused: boolean) => call<CaptureState>("set_capture_paused", { paused }),
  appInfo: () => call<AppInfo>("app_info"),
  /** Turns on Trove's GNOME Shell extension where it is installed and off. */
  enableGnomeExtension: () => call<Integration>("enable_gnome_extension"),
  historyPage: (offset: number, limit: number) => call<HistoryPage>("history_page", { offset, limit }),
  searchHistory: (query: SearchQuery) => call<SearchResult>("search_history", { query }),
  getClip: (id: number) => call<ClipDetail>("get_clip", { id }),
  /** The PNG bytes. */
  clipImage: (id: number, size: ImageVariant) => call<ArrayBuffer>("clip_image", { id, size }),
  /** The core hides the history window itself (and pastes, if the user wants that). */
  copyClip: (id: number) => call<void>("copy_clip", { id }),
  setPinned: (id: number, pinned: boolean) => call<void>("set_pinned", { id, pinned }),
  deleteClip: (id: number) => call<void>("delete_clip", { id }),
  /** Removes every clip that is not pinned. */
  clearHistory: () => call<void>("clear_history"),
};

export const on = {
  settingsChanged: (apply: (s: Settings) => void): Promise<UnlistenFn> =>
    listen<Settings>(EVENTS.settingsChanged, (e) => apply(e.payload)),
  captureState: (apply: (s: CaptureState) => void): Promise<UnlistenFn> =>
    listen<CaptureState>(EVENTS.captureState, (e) => apply(e.payload)),
  historyChanged: (apply: (d: HistoryDelta) => void): Promise<UnlistenFn> =>
    listen<HistoryDelta>(EVENTS.historyChanged, (e) => apply(e.payload)),
};

/** Asks the core to close this window; the core decides whether that hides or destroys it. */
export const closeWindow = () => getCurrentWindow().close();
