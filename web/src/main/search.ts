// The search box and its modes: what is typed is searched for, a moment later, in place of the history.
import { ipc, SEARCH_LIMIT_MAX, type IpcError } from "../ipc";
import { byId } from "../page";
import { report } from "./actions";
import { SEARCH_PAGE, type ClipList } from "./list";
import type { MainState } from "./state";

const TYPING_MS = 50;
const RESEARCH_MS = 150;

export function searchBox(state: MainState, list: ClipList, field: HTMLInputElement) {
  const modeButton = byId<HTMLButtonElement>("mode");

  /** `restartSelection` for a new query; a search run again because the history changed keeps it. */
  function searchSoon(restartSelection: boolean, delay: number) {
    state.restartPending ||= restartSelection;
    window.clearTimeout(state.searchTimer);
    state.searchTimer = window.setTimeout(runSearch, delay);
  }

  function runSearch() {
    const fresh = state.restartPending;
    state.restartPending = false;
    const run = ++state.searchRun;
    const text = field.value;
    if (!text.trim()) {
      state.showHistory();
      if (fresh) list.restart();
      return list.schedule();
    }
    const { mode } = state;
    // Run again for a changed history, a search keeps the hits scrolled through.
    const limit = fresh ? SEARCH_PAGE : Math.min(Math.max(state.results?.hits.length ?? 0, SEARCH_PAGE), SEARCH_LIMIT_MAX);
    ipc.searchHistory({ text, mode, offset: 0, limit }).then(
      (found) => {
        if (run !== state.searchRun) return;
        state.showHits(found, { text, mode });
        if (fresh) list.restart();
        else list.followSelection();
        list.schedule();
      },
      (err: IpcError) => run === state.searchRun && report(err),
    );
  }

  field.addEventListener("input", () => searchSoon(true, TYPING_MS));

  modeButton.addEventListener("click", () => {
    const exact = state.mode !== "exact";
    state.mode = exact ? "exact" : "fuzzy";
    modeButton.setAttribute("aria-pressed", String(exact));
    modeButton.textContent = exact ? "Exact" : "Fuzzy";
    modeButton.title = exact ? "Switch to fuzzy matching" : "Switch to exact matching";
    searchSoon(true, 0);
  });

  return {
    /** A search showing is run again for the changed history. */
    historyChanged() {
      if (state.results) searchSoon(false, RESEARCH_MS);
    },
  };
}
