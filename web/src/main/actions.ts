// What the user does to clips, through the core; a failure shows in the status line.
import { ipc, type ClipSummary, type IpcError } from "../ipc";
import { byId } from "../page";

const errorLine = byId("error");

export function report(err: IpcError) {
  errorLine.textContent = err.message;
}

/** Runs a core action; a failure shows in the status line. */
export function attempt(action: () => Promise<void>) {
  errorLine.textContent = "";
  action().catch(report);
}

export const copy = (clip?: ClipSummary) => clip && attempt(() => ipc.copyClip(clip.id));
export const togglePin = (clip?: ClipSummary) => clip && attempt(() => ipc.setPinned(clip.id, !clip.pinned));
export const remove = (clip?: ClipSummary) => clip && attempt(() => ipc.deleteClip(clip.id));
