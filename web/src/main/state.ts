// Main's state, all of it: the clips listed, the search shown in their place, the selection,
// the preview of the selected clip, and the bookkeeping of the list's rendering and of the searches on their way.
import { History } from "../history";
import { Preview } from "../preview";
import type { ClipSummary, HistoryDelta, IpcError, SearchHit, SearchMode, SearchResult } from "../ipc";

// A row shows a clip from the history, or a search hit.
export type Entry = ClipSummary | SearchHit;
export const clipOf = (entry: Entry) => ("clip" in entry ? entry.clip : entry);

export type Query = { text: string; mode: SearchMode };

export class MainState {
  readonly history: History;
  /** The pane that shows the selected clip in full, and the request on its way. */
  readonly preview = new Preview();
  /** Set while a search is showing instead of the history, with what was searched for. */
  results: SearchResult | undefined;
  searched: Query = { text: "", mode: "fuzzy" };
  /** What the mode button shows, and the next search runs in. */
  mode: SearchMode = "fuzzy";
  /** The selected row, and the clip in it, which the selection follows as rows move. */
  selected = 0;
  selectedId: number | undefined;

  // ---- bookkeeping: what is rendered, and what is on its way
  /** Set while a further page of hits is on its way. */
  fetchingMore = false;
  searchTimer: number | undefined;
  /** Counts the searches run: only the latest one's answer shows. */
  searchRun = 0;
  /** Whether the search waiting to run is for a new query, which starts the selection again. */
  restartPending = false;
  /** The frame asked for to render the list, or 0. */
  frame = 0;
  /** The rows in the list, by what each shows. */
  rows = new Map<Entry, HTMLDivElement>();
  private readonly pendingDeltas: HistoryDelta[] = [];

  /** `historyArrived` runs when pages of the history arrive, `failed` when they do not. */
  constructor(historyArrived: () => void, failed: (err: IpcError) => void) {
    this.history = new History(historyArrived, failed);
  }

  rowCount(): number {
    return this.results ? this.results.hits.length : this.history.total;
  }

  entryAt(index: number): Entry | undefined {
    return this.results ? this.results.hits[index] : this.history.at(index);
  }

  clipAt(index: number): ClipSummary | undefined {
    const entry = this.entryAt(index);
    return entry && clipOf(entry);
  }

  /** Keeps the selected clip selected wherever it moved; if it is gone, the row now in its place. Returns the clip selected. */
  follow(): ClipSummary | undefined {
    if (this.selectedId !== undefined) {
      const at = this.results
        ? this.results.hits.findIndex((hit) => hit.clip.id === this.selectedId)
        : this.history.indexOf(this.selectedId);
      if (at >= 0) this.selected = at;
    }
    this.selected = this.nearestRow(this.selected);
    const clip = this.clipAt(this.selected);
    if (clip) this.selectedId = clip.id;
    return clip;
  }

  /** Selects row `index`, or the nearest row there is. */
  select(index: number) {
    this.selected = this.nearestRow(index);
    this.selectedId = this.clipAt(this.selected)?.id;
  }

  private nearestRow(index: number): number {
    return Math.max(0, Math.min(index, this.rowCount() - 1));
  }

  showHistory() {
    this.results = undefined;
  }

  showHits(found: SearchResult, searched: Query) {
    this.results = found;
    this.searched = searched;
  }

  /** Adds a further page of `shown`'s hits, unless a newer search replaced them; returns whether any hit was new. */
  addHits(shown: SearchResult, page: SearchResult): boolean {
    if (this.results !== shown) return false;
    // The history may have changed under the pages; its change event reruns the search.
    const loaded = new Set(shown.hits.map((hit) => hit.clip.id));
    const fresh = page.hits.filter((hit) => !loaded.has(hit.clip.id));
    this.results = { ...page, hits: shown.hits.concat(fresh) };
    return fresh.length > 0;
  }

  /** Keeps a change the core reported for the next frame; pages on their way no longer fit the history. */
  queueDelta(delta: HistoryDelta) {
    this.history.invalidate();
    this.pendingDeltas.push(delta);
  }

  /** Applies the changes kept since the last frame; returns whether there were any. */
  applyDeltas(): boolean {
    const deltas = this.pendingDeltas.splice(0);
    for (const delta of deltas) this.history.apply(delta);
    return deltas.length > 0;
  }
}
