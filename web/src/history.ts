// The history as the list sees it: pages fetched as they come into view, and
// patched from `history://changed` rather than fetched again.
import { forgetThumbnail } from "./images";
import { ipc, type ClipSummary, type HistoryDelta, type IpcError } from "./ipc";

export const PAGE = 100;

/** The core's order: pinned first, then larger rank first. */
const listedBefore = (a: ClipSummary, b: ClipSummary) => (a.pinned !== b.pinned ? a.pinned : a.rank > b.rank);

export class History {
  total = 0;
  pinned = 0;
  /** Whether any page has arrived, so that 0 means empty rather than unknown. */
  loaded = false;
  private pages = new Map<number, ClipSummary[]>();
  private inflight = new Set<number>();
  // Bumped whenever the history changes under pages being fetched: their answers are dropped.
  private generation = 0;

  constructor(
    private readonly changed: () => void,
    private readonly failed: (err: IpcError) => void,
  ) {}

  at(index: number): ClipSummary | undefined {
    return this.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  /** Where the clip is among the loaded pages, or -1. */
  indexOf(id: number): number {
    for (const [page, items] of this.pages) {
      const at = items.findIndex((clip) => clip.id === id);
      if (at >= 0) return page * PAGE + at;
    }
    return -1;
  }

  /** Fetches the pages holding rows `first` to `last` that are neither here nor on their way. */
  want(first: number, last: number) {
    for (let page = Math.floor(first / PAGE); page <= Math.floor(last / PAGE); page++) this.fetch(page);
  }

  reload() {
    this.invalidate();
    this.pages.clear();
    this.fetch(0);
  }

  /** A change reported while pages were on their way makes their answers suspect. */
  invalidate() {
    this.generation++;
    this.inflight.clear();
  }

  private fetch(page: number) {
    if (this.pages.has(page) || this.inflight.has(page)) return;
    const generation = this.generation;
    this.inflight.add(page);
    ipc.historyPage(page * PAGE, PAGE).then(
      (answer) => {
        if (generation !== this.generation) return;
        this.inflight.delete(page);
        this.pages.set(page, answer.items);
        this.total = answer.total;
        this.pinned = answer.pinned;
        this.loaded = true;
        this.changed();
      },
      (err: IpcError) => {
        if (generation !== this.generation) return;
        this.inflight.delete(page);
        this.failed(err);
      },
    );
  }

  /**
   * Patches the pages loaded from the top without a gap; any other page is
   * dropped and fetched again when it comes into view.
   */
  apply(delta: HistoryDelta) {
    delta.removed.forEach(forgetThumbnail);
    if (delta.cleared) {
      this.total = delta.total;
      this.pinned = delta.pinned;
      return this.reload();
    }
    const prefix: ClipSummary[] = [];
    for (let page = 0; this.pages.has(page); page++) prefix.push(...this.pages.get(page)!);
    const complete = this.loaded && prefix.length >= this.total;

    // Removing whatever is placed again makes a delta safe to apply to pages that already show it.
    const placed = [...delta.added, ...delta.updated];
    const gone = new Set([...delta.removed, ...placed.map((clip) => clip.id)]);
    const seen = new Set<number>();
    const kept = prefix.filter((clip) => {
      const keep = !gone.has(clip.id) && !seen.has(clip.id);
      seen.add(clip.id);
      return keep;
    });
    for (const clip of placed) {
      const at = insertionPoint(kept, clip);
      // Past the end of an incomplete prefix, the clip's place is among pages not loaded.
      if (at < kept.length || complete) kept.splice(at, 0, clip);
    }

    this.total = delta.total;
    this.pinned = delta.pinned;
    this.loaded = true;
    this.pages.clear();
    for (let start = 0; start < kept.length; start += PAGE) {
      const items = kept.slice(start, start + PAGE);
      if (items.length === PAGE || start + items.length >= this.total) this.pages.set(start / PAGE, items);
    }
  }
}

function insertionPoint(list: ClipSummary[], clip: ClipSummary): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (listedBefore(list[mid], clip)) low = mid + 1;
    else high = mid;
  }
  return low;
}
