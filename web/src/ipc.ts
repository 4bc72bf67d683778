// The one way the pages talk to the core. The commands, the events and their
// types are generated in ./bindings from the Rust declarations.
import { getCurrentWindow } from "@tauri-apps/api/window";

export { commands as ipc, events as on, SEARCH_LIMIT_MAX } from "./bindings";
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
} from "./bindings";

/** Asks the core to close this window; the core decides whether that hides or destroys it. */
export const closeWindow = () => getCurrentWindow().close();
