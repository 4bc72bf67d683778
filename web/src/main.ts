// Main, the history window: its list, search, keys and capture pill wired to one another and to the core.
import { ipc, on } from "./ipc";
import { attempt, report } from "./main/actions";
import { watchCapture } from "./main/capture";
import { bindKeys } from "./main/keys";
import { clipList } from "./main/list";
import { searchBox } from "./main/search";
import { MainState } from "./main/state";
import { byId, CLEAR_QUESTION, confirmBefore, initPage } from "./page";

initPage();

const field = byId<HTMLInputElement>("search");
const state = new MainState(() => {
  list.followSelection();
  list.schedule();
}, report);
const list = clipList(state, field);
const search = searchBox(state, list, field);
bindKeys(state, list, field);

const clearDialog = confirmBefore(byId("clear"), CLEAR_QUESTION, "Remove", () => attempt(ipc.clearHistory));

// ---- the window is hidden and shown again, not reloaded

function shown() {
  if (!clearDialog.open) field.focus();
  list.refreshTimes();
}

window.addEventListener("focus", shown);
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && shown());

// ---- the core's events

void on.historyChanged((delta) => {
  state.queueDelta(delta);
  list.schedule();
  search.historyChanged();
});

watchCapture();

state.history.reload();
field.focus();
