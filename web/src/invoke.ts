// What the generated ./bindings calls: the one place that talks to Tauri's IPC.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Command, IpcError } from "./bindings";

function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

// Commands the core ran reject with an IpcError; Tauri itself rejects
// ungranted or unknown commands with a bare string.
export async function call<T>(command: Command, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw isIpcError(e) ? e : ({ kind: "rejected", message: String(e) } satisfies IpcError);
  }
}

export function listenTo<T>(event: string, apply: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(event, (e) => apply(e.payload));
}
