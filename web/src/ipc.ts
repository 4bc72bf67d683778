// The one way the pages talk to the core. Types come from ./bindings (generated).
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";
import {
  EVENTS,
  type AppInfo,
  type CaptureState,
  type Command,
  type IpcError,
  type Settings,
} from "./bindings";

export type { AppInfo, CaptureState, IpcError, Settings };

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
};

export const on = {
  settingsChanged: (apply: (s: Settings) => void): Promise<UnlistenFn> =>
    listen<Settings>(EVENTS.settingsChanged, (e) => apply(e.payload)),
  captureState: (apply: (s: CaptureState) => void): Promise<UnlistenFn> =>
    listen<CaptureState>(EVENTS.captureState, (e) => apply(e.payload)),
};

/** Asks the core to close this window; the core decides whether that hides or destroys it. */
export const closeWindow = () => getCurrentWindow().close();
