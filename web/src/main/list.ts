// The list of clips: only the rows in view, each placed absolutely over a spacer as tall as the list,
// and the selection among them. The history's pages, or further pages of hits, are fetched as they
// come into view.
import { KIND_NAMES, count, formatBytes, number, relativeTime } from "../format";
import { thumbnail } from "../images";
import { ipc } from "../ipc";
import { byId } from "../page";
import { copy, report } from "./actions";
import { clipOf, type Entry, type MainState } from "./state";

const ROW_HEIGHT = 44;
const OVERSCAN = 6;
/** Hits asked for at a time; more as the list scrolls near the end of those loaded. */
export const SEARCH_PAGE = 50;

export type ClipList = ReturnType<typeof clipList>;

/** `field` is the search field, the combobox whose active descendant is the selected row. */
export function clipList(state: MainState, field: HTMLInputElement) {
  const list = byId<HTMLDivElement>("list");
  const spacer = list.querySelector<HTMLDivElement>(".spacer")!;
  const previewPane = byId("preview");
  const empty = byId("empty");
  const emptyTitle = byId("empty-title");
  const countLine = byId("count");

  function schedule() {
    state.frame ||= requestAnimationFrame(render);
  }

  function render() {
    state.frame = 0;
    if (state.applyDeltas() && !state.results) followSelection();
    const total = state.rowCount();
    spacer.style.height = `${total * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total, Math.ceil((list.scrollTop + list.clientHeight) / ROW_HEIGHT) + OVERSCAN) - 1;
    if (!state.results && first <= last) state.history.want(first, last);
    if (state.results && last >= state.results.hits.length - OVERSCAN) moreHits();

    const next = new Map<Entry, HTMLDivElement>();
    for (let index = first; index <= last; index++) {
      const entry = state.entryAt(index);
      if (!entry) continue;
      const row = state.rows.get(entry) ?? buildRow(entry);
      place(row, index, total);
      next.set(entry, row);
    }
    for (const [entry, row] of state.rows) if (!next.has(entry)) row.remove();
    for (const row of next.values()) if (!row.isConnected) list.append(row);
    state.rows = next;
    showStatus();
  }

  function place(row: HTMLDivElement, index: number, total: number) {
    row.style.top = `${index * ROW_HEIGHT}px`;
    row.dataset.index = String(index);
    row.setAttribute("aria-posinset", String(index + 1));
    row.setAttribute("aria-setsize", String(total));
    row.setAttribute("aria-selected", String(index === state.selected));
    if (index === state.selected) field.setAttribute("aria-activedescendant", row.id);
    row.querySelector(".clip-key")!.textContent = index < 9 ? String(index + 1) : "";
  }

  /** Loads the next page of hits, unless all are loaded or a page is on its way. */
  function moreHits() {
    const shown = state.results;
    if (!shown || state.fetchingMore || shown.hits.length >= shown.matched) return;
    state.fetchingMore = true;
    ipc
      .searchHistory({ ...state.searched, offset: shown.hits.length, limit: SEARCH_PAGE })
      .then((page) => {
        if (state.addHits(shown, page)) schedule();
      }, report)
      .finally(() => (state.fetchingMore = false));
  }

  function showStatus() {
    const total = state.rowCount();
    const { results, history } = state;
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

  /** Follows the selected clip (see `MainState.follow`) into the preview. */
  function followSelection() {
    const clip = state.follow();
    if (clip || !state.rowCount()) state.preview.show(clip);
  }

  function select(index: number) {
    state.select(index);
    followSelection();
    const top = state.selected * ROW_HEIGHT;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
    schedule();
  }

  /** Selects the first row, scrolled to the top. */
  function restart() {
    list.scrollTop = 0;
    select(0);
  }

  /** Relative times go stale while the window waits hidden. */
  function refreshTimes() {
    for (const time of list.querySelectorAll("time")) time.textContent = relativeTime(Date.parse(time.dateTime));
  }

  /** How many rows PageDown and PageUp move the selection. */
  const pageRows = () => Math.max(1, Math.floor(list.clientHeight / ROW_HEIGHT) - 1);

  const rowIndex = (e: MouseEvent) => (e.target as Element).closest<HTMLElement>(".clip")?.dataset.index;

  list.addEventListener("click", (e) => {
    const index = rowIndex(e);
    if (index !== undefined) select(Number(index));
  });

  list.addEventListener("dblclick", (e) => {
    const index = rowIndex(e);
    if (index !== undefined) copy(state.clipAt(Number(index)));
  });

  list.addEventListener("scroll", schedule, { passive: true });
  new ResizeObserver(schedule).observe(list);

  return { schedule, followSelection, select, restart, refreshTimes, pageRows };
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
