import { KIND_NAMES, count, formatBytes, number, relativeTime } from "./format";
import { History } from "./history";
import { thumbnail } from "./images";
import {
  ipc,
  on,
  SEARCH_LIMIT_MAX,
  type CaptureState,
  type ClipSummary,
  type HistoryDelta,
  type IpcError,
  type SearchHit,
  type SearchMode,
  type SearchResult,
} from "./ipc";
import { byId, CLEAR_QUESTION, confirmBefore, initPage } from "./page";
import { preview } from "./preview";

initPage();

const search = byId<HTMLInputElement>("search");
const modeButton = byId<HTMLButtonElement>("mode");
const capture = byId<HTMLButtonElement>("capture");
const list = byId<HTMLDivElement>("list");
const spacer = list.querySelector<HTMLDivElement>(".spacer")!;
const previewPane = byId("preview");
const empty = byId("empty");
const emptyTitle = byId("empty-title");
const countLine = byId("count");
const errorLine = byId("error");

const ROW_HEIGHT = 44;
const OVERSCAN = 6;
/** Hits asked for at a time; more as the list scrolls near the end of those loaded. */
const SEARCH_PAGE = 50;
const TYPING_MS = 50;
const RESEARCH_MS = 150;

// A row shows a clip from the history, or a search hit.
type Entry = ClipSummary | SearchHit;
const clipOf = (entry: Entry) => ("clip" in entry ? entry.clip : entry);

function report(err: IpcError) {
  errorLine.textContent = err.message;
}

const history = new History(() => {
  followSelection();
  schedule();
}, report);
/** Set while a search is showing instead of the history, with what was searched for. */
let results: SearchResult | undefined;
let searched = { text: "", mode: "fuzzy" as SearchMode };
let fetchingMore = false;
let selected = 0;
let selectedId: number | undefined;

const rowCount = () => (results ? results.hits.length : history.total);
const entryAt = (index: number): Entry | undefined => (results ? results.hits[index] : history.at(index));
const clipAt = (index: number) => {
  const entry = entryAt(index);
  return entry && clipOf(entry);
};

// ---- rendering: only the rows in view, each placed absolutely over a spacer as tall as the list.

let rows = new Map<Entry, HTMLDivElement>();
let frame = 0;
const pendingDeltas: HistoryDelta[] = [];

function schedule() {
  frame ||= requestAnimationFrame(render);
}

function render() {
  frame = 0;
  if (pendingDeltas.length) {
    for (const delta of pendingDeltas.splice(0)) history.apply(delta);
    if (!results) followSelection();
  }
  const total = rowCount();
  spacer.style.height = `${total * ROW_HEIGHT}px`;
  const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total, Math.ceil((list.scrollTop + list.clientHeight) / ROW_HEIGHT) + OVERSCAN) - 1;
  if (!results && first <= last) history.want(first, last);
  if (results && last >= results.hits.length - OVERSCAN) moreHits();

  const next = new Map<Entry, HTMLDivElement>();
  for (let index = first; index <= last; index++) {
    const entry = entryAt(index);
    if (!entry) continue;
    const row = rows.get(entry) ?? buildRow(entry);
    place(row, index, total);
    next.set(entry, row);
  }
  for (const [entry, row] of rows) if (!next.has(entry)) row.remove();
  for (const row of next.values()) if (!row.isConnected) list.append(row);
  rows = next;
  showStatus();
}

function place(row: HTMLDivElement, index: number, total: number) {
  row.style.top = `${index * ROW_HEIGHT}px`;
  row.dataset.index = String(index);
  row.setAttribute("aria-posinset", String(index + 1));
  row.setAttribute("aria-setsize", String(total));
  row.setAttribute("aria-selected", String(index === selected));
  if (index === selected) search.setAttribute("aria-activedescendant", row.id);
  row.querySelector(".clip-key")!.textContent = index < 9 ? String(index + 1) : "";
}

function buildRow(entry: Entry): HTMLDivElement {
  const clip = clipOf(entry);
  const row = document.createElement("div");
  row.className = "clip";
  row.id = `clip-${clip.id}`;
  row.setAttribute("role", "option");
  row.dataset.id = String(clip.id);
  row.dataset.kind = clip.kind;
  row.dataset.pinned = String(clip.pinned);
  row.style.height = `${ROW_HEIGHT}px`;

  const text = span("clip-text");
  if ("snippet" in entry && entry.snippet) text.append(...highlighted(entry.snippet, entry.highlights));
  else text.textContent = clip.preview;
  const time = document.createElement("time");
  time.dateTime = new Date(clip.used_ms).toISOString();
  time.textContent = relativeTime(clip.used_ms);
  const meta = span("clip-meta");
  meta.append(span("clip-kind", KIND_NAMES[clip.kind]), time, span("clip-size", formatBytes(clip.bytes)));
  const body = span("clip-body");
  body.append(text, meta);

  row.append(span("clip-key"));
  if (clip.kind === "image") {
    const thumb = document.createElement("img");
    thumb.className = "thumb";
    thumb.alt = "";
    thumbnail(clip.id).then((url) => (thumb.src = url), () => thumb.classList.add("missing"));
    row.append(thumb);
  }
  row.append(body);
  if (clip.pinned) row.append(pinIcon());
  return row;
}

const SVG = "http://www.w3.org/2000/svg";

function pinIcon(): SVGSVGElement {
  const icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("class", "clip-pin");
  icon.setAttribute("viewBox", "0 0 12 12");
  icon.setAttribute("role", "img");
  icon.setAttribute("aria-label", "Pinned");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", "M3.5 1h5v1.2h-1l.8 4.3 1.7 1.2v.8h-8v-.8l1.7-1.2.8-4.3h-1zM5.5 8.5h1L6 11.8z");
  path.setAttribute("fill", "currentColor");
  icon.append(path);
  return icon;
}

function span(className: string, text?: string) {
  const el = document.createElement("span");
  el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** The snippet as text, with each highlighted range in a <mark>. */
function highlighted(snippet: string, ranges: [number, number][]): Node[] {
  const parts: Node[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= Math.max(start, at)) continue;
    parts.push(document.createTextNode(snippet.slice(at, Math.max(start, at))));
    const mark = document.createElement("mark");
    mark.textContent = snippet.slice(Math.max(start, at), end);
    parts.push(mark);
    at = end;
  }
  parts.push(document.createTextNode(snippet.slice(at)));
  return parts;
}

/** Relative times go stale while the window waits hidden. */
function refreshTimes() {
  for (const time of list.querySelectorAll("time")) time.textContent = relativeTime(Date.parse(time.dateTime));
}

function showStatus() {
  const total = rowCount();
  const known = results !== undefined || history.loaded;
  empty.hidden = !known || total > 0;
  list.hidden = previewPane.hidden = !empty.hidden;
  emptyTitle.textContent = results ? "No match" : "No clips yet — copy something and it appears here";
  if (results) {
    countLine.textContent = count(results.matched, "match", "matches");
  } else if (known) {
    countLine.textContent = count(history.total, "clip") + (history.pinned ? ` · ${number(history.pinned)} pinned` : "");
  }
}

// ---- selection

/** Keeps the selected clip selected wherever it moved; if it is gone, the row now in its place. */
function followSelection() {
  if (selectedId !== undefined) {
    const at = results ? results.hits.findIndex((hit) => hit.clip.id === selectedId) : history.indexOf(selectedId);
    if (at >= 0) selected = at;
  }
  selected = Math.max(0, Math.min(selected, rowCount() - 1));
  const clip = clipAt(selected);
  if (clip) selectedId = clip.id;
  if (clip || !rowCount()) preview(clip);
}

function select(index: number) {
  selected = Math.max(0, Math.min(index, rowCount() - 1));
  selectedId = clipAt(selected)?.id;
  followSelection();
  const top = selected * ROW_HEIGHT;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
  schedule();
}

function restart() {
  selectedId = undefined;
  list.scrollTop = 0;
  select(0);
}

// ---- search

let searchTimer: number | undefined;
let searchRun = 0;
let restartPending = false;

/** `restartSelection` for a new query; a search run again because the history changed keeps it. */
function searchSoon(restartSelection: boolean, delay: number) {
  restartPending ||= restartSelection;
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(runSearch, delay);
}

function runSearch() {
  const fresh = restartPending;
  restartPending = false;
  const run = ++searchRun;
  const text = search.value;
  if (!text.trim()) {
    results = undefined;
    if (fresh) restart();
    return schedule();
  }
  const mode = modeButton.getAttribute("aria-pressed") === "true" ? "exact" : "fuzzy";
  // Run again for a changed history, a search keeps the hits scrolled through.
  const limit = fresh ? SEARCH_PAGE : Math.min(Math.max(results?.hits.length ?? 0, SEARCH_PAGE), SEARCH_LIMIT_MAX);
  ipc.searchHistory({ text, mode, offset: 0, limit }).then(
    (found) => {
      if (run !== searchRun) return;
      results = found;
      searched = { text, mode };
      if (fresh) restart();
      else followSelection();
      schedule();
    },
    (err: IpcError) => run === searchRun && report(err),
  );
}

/** Loads the next page of hits, unless all are loaded or a page is on its way. */
function moreHits() {
  const shown = results;
  if (!shown || fetchingMore || shown.hits.length >= shown.matched) return;
  fetchingMore = true;
  ipc
    .searchHistory({ ...searched, offset: shown.hits.length, limit: SEARCH_PAGE })
    .then((found) => {
      // A newer search has replaced these results.
      if (results !== shown) return;
      // The history may have changed under the pages; its change event reruns the search.
      const loaded = new Set(shown.hits.map((hit) => hit.clip.id));
      const fresh = found.hits.filter((hit) => !loaded.has(hit.clip.id));
      results = { ...found, hits: shown.hits.concat(fresh) };
      if (fresh.length) schedule();
    }, report)
    .finally(() => (fetchingMore = false));
}

search.addEventListener("input", () => searchSoon(true, TYPING_MS));

modeButton.addEventListener("click", () => {
  const exact = modeButton.getAttribute("aria-pressed") !== "true";
  modeButton.setAttribute("aria-pressed", String(exact));
  modeButton.textContent = exact ? "Exact" : "Fuzzy";
  modeButton.title = exact ? "Switch to fuzzy matching" : "Switch to exact matching";
  searchSoon(true, 0);
});

// ---- actions

/** Runs a core action; a failure shows in the status line. */
function attempt(action: () => Promise<void>) {
  errorLine.textContent = "";
  action().catch(report);
}

const copy = (clip?: ClipSummary) => clip && attempt(() => ipc.copyClip(clip.id));
const togglePin = (clip?: ClipSummary) => clip && attempt(() => ipc.setPinned(clip.id, !clip.pinned));
const remove = (clip?: ClipSummary) => clip && attempt(() => ipc.deleteClip(clip.id));

// Delete edits the search text until the caret reaches its end.
const deleteEditsSearch = () => document.activeElement === search && search.selectionStart !== search.value.length;

function keyAction(e: KeyboardEvent): (() => void) | undefined {
  const pageRows = Math.max(1, Math.floor(list.clientHeight / ROW_HEIGHT) - 1);
  if (e.ctrlKey && !e.altKey && !e.metaKey) {
    const digit = /^Digit([1-9])$/.exec(e.code);
    if (digit) return () => copy(clipAt(Number(digit[1]) - 1));
    if (e.code === "KeyP") return () => togglePin(clipAt(selected));
    return undefined;
  }
  if (e.altKey || e.metaKey) return undefined;
  switch (e.key) {
    case "ArrowDown":
      return () => select(selected + 1);
    case "ArrowUp":
      return () => select(selected - 1);
    case "PageDown":
      return () => select(selected + pageRows);
    case "PageUp":
      return () => select(selected - pageRows);
    case "Enter":
      return (e.target as Element).closest("button, summary") ? undefined : () => copy(clipAt(selected));
    case "Delete":
      return deleteEditsSearch() ? undefined : () => remove(clipAt(selected));
  }
  return undefined;
}

document.addEventListener("keydown", (e) => {
  if (e.isComposing || e.defaultPrevented) return;
  // Typing searches even when a click left the focus nowhere.
  if (e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey && document.activeElement === document.body) search.focus();
  const action = keyAction(e);
  if (!action) return;
  e.preventDefault();
  action();
});

const rowIndex = (e: MouseEvent) => (e.target as Element).closest<HTMLElement>(".clip")?.dataset.index;

list.addEventListener("click", (e) => {
  const index = rowIndex(e);
  if (index !== undefined) select(Number(index));
});

list.addEventListener("dblclick", (e) => {
  const index = rowIndex(e);
  if (index !== undefined) copy(clipAt(Number(index)));
});

// Clicking a row or a button leaves the focus in the search field, so typing always searches.
document.addEventListener("mousedown", (e) => {
  const target = e.target as Element;
  if (target.closest(".clip, button") && !target.closest("dialog")) e.preventDefault();
});

list.addEventListener("scroll", schedule, { passive: true });
new ResizeObserver(schedule).observe(list);

const clearDialog = confirmBefore(byId("clear"), CLEAR_QUESTION, "Remove", () => attempt(ipc.clearHistory));

// ---- the window is hidden and shown again, not reloaded

function shown() {
  if (!clearDialog.open) search.focus();
  refreshTimes();
}

window.addEventListener("focus", shown);
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && shown());

// ---- the core's events

void on.historyChanged((delta) => {
  history.invalidate();
  pendingDeltas.push(delta);
  schedule();
  if (results) searchSoon(false, RESEARCH_MS);
});

function showCapture({ paused, method, skipped, last_skipped, save_error, desktop_hint }: CaptureState) {
  const hint = byId("desktop-hint");
  hint.hidden = desktop_hint === null;
  hint.textContent = desktop_hint ?? "";
  capture.textContent = paused ? "Paused" : "Capturing";
  capture.setAttribute("aria-pressed", String(paused));
  capture.title = paused ? "Resume capture" : "Pause capture";

  const unavailable = byId("capture-method");
  unavailable.hidden = method.available;
  unavailable.textContent = method.description;

  const unsaved = byId("save-error");
  unsaved.hidden = save_error === null;
  unsaved.textContent = `Clips are not being saved: ${save_error ?? ""}`;

  const { too_large, secret, ignored } = skipped;
  const size = last_skipped?.reason === "too_large" && last_skipped.bytes !== null ? ` (${formatBytes(last_skipped.bytes)})` : "";
  const notice = byId("skipped");
  notice.hidden = too_large + secret + ignored === 0;
  notice.textContent = `Skipped ${too_large} too large${size}, ${secret} secret, ${ignored} ignored`;
}

capture.addEventListener("click", () => {
  void ipc.setCapturePaused(capture.getAttribute("aria-pressed") !== "true").then(showCapture);
});

void on.captureState(showCapture);
void ipc.getCaptureState().then(showCapture);

history.reload();
search.focus();
