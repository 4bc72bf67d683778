// The preview pane: the selected clip in full, inert whatever it holds.
import { KIND_NAMES, count, dateTime, formatBytes, relativeTime } from "./format";
import { imageUrl } from "./images";
import { ipc, type ClipDetail, type ClipSummary, type IpcError } from "./ipc";
import { byId } from "./page";

// Holding ↓ should not fetch every clip it passes.
const SETTLE_MS = 40;

/** The pane and what it shows; Main's state owns the one instance. */
export class Preview {
  private readonly pane = byId("preview");
  private shown: number | undefined;
  /** Counts the clips asked for: only the latest one's answer shows. */
  private request = 0;
  private timer: number | undefined;
  private imageShown: string | undefined;

  /** Shows `clip`, or nothing; a clip already shown is left alone. */
  show(clip: ClipSummary | undefined) {
    if (clip?.id === this.shown) return;
    this.shown = clip?.id;
    const current = ++this.request;
    window.clearTimeout(this.timer);
    if (!clip) return this.clear();
    this.timer = window.setTimeout(() => {
      ipc.getClip(clip.id).then(
        async (detail) => {
          const image = clip.kind === "image" ? await imageUrl(clip.id, "full").catch(() => undefined) : undefined;
          if (current !== this.request) {
            if (image) URL.revokeObjectURL(image);
            return;
          }
          this.clear();
          this.imageShown = image;
          this.pane.append(render(detail, image), metadata(detail.summary));
        },
        (err: IpcError) => {
          if (current !== this.request) return;
          this.clear();
          this.pane.append(element("p", "preview-note error", err.message));
        },
      );
    }, SETTLE_MS);
  }

  private clear() {
    if (this.imageShown) URL.revokeObjectURL(this.imageShown);
    this.imageShown = undefined;
    this.pane.replaceChildren();
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text?: string) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function render(detail: ClipDetail, image: string | undefined): HTMLElement {
  const body = element("div", "preview-body");
  const { kind } = detail.summary;
  if (kind === "image") {
    const img = element("img", "preview-image");
    img.alt = detail.summary.preview;
    if (image) img.src = image;
    body.append(img);
  } else if (kind === "files") {
    const list = element("ul", "preview-files");
    list.append(...detail.files.map((uri) => element("li", "", filePath(uri))));
    body.append(list);
  } else if (kind === "html" && detail.html !== null) {
    const formatted = element("div", "preview-html");
    formatted.append(inertHtml(detail.html));
    body.append(...(detail.text === null ? [formatted] : views(formatted, plainText(detail.text))));
  } else {
    body.append(plainText(detail.text ?? ""));
  }
  if (detail.truncated) body.append(element("p", "preview-note", "Only the beginning of this clip is shown."));
  return body;
}

const plainText = (text: string) => element("pre", "preview-text", text);

/** "Formatted | Text": the two renderings of an HTML clip, one shown at a time. */
function views(formatted: HTMLElement, text: HTMLElement): HTMLElement[] {
  const tabs = element("div", "preview-tabs");
  const pick = (which: "formatted" | "text") => {
    for (const tab of tabs.children) tab.setAttribute("aria-pressed", String((tab as HTMLElement).dataset.view === which));
    formatted.hidden = which !== "formatted";
    text.hidden = which !== "text";
  };
  for (const [view, label] of [["formatted", "Formatted"], ["text", "Text"]] as const) {
    const tab = element("button", "", label);
    tab.type = "button";
    tab.dataset.view = view;
    tab.addEventListener("click", () => pick(view));
    tabs.append(tab);
  }
  pick("formatted");
  return [tabs, formatted, text];
}

function filePath(uri: string): string {
  try {
    const url = new URL(uri);
    return url.protocol === "file:" ? decodeURIComponent(url.pathname) : uri;
  } catch {
    return uri;
  }
}

// Rebuilt, never adopted: only these elements, with no attributes, and text.
const KEPT = new Set(
  "p br b strong i em u s code pre blockquote ul ol li h1 h2 h3 h4 h5 h6 table thead tbody tr td th span div".split(" "),
);
// Elements whose content is not text a reader would see.
const DROPPED = new Set("head title script style template noscript iframe object embed svg math select textarea".split(" "));

function inertHtml(html: string): DocumentFragment {
  const out = document.createDocumentFragment();
  copyInert(new DOMParser().parseFromString(html, "text/html").body, out);
  return out;
}

function copyInert(from: Node, into: Node) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      into.appendChild(document.createTextNode(node.textContent ?? ""));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.nodeName.toLowerCase();
      if (DROPPED.has(tag)) continue;
      // Anything else not kept (links included) leaves only its text behind.
      const copy = KEPT.has(tag) ? into.appendChild(document.createElement(tag)) : into;
      copyInert(node, copy);
    }
  }
}

function metadata(clip: ClipSummary): HTMLElement {
  const facts: [string, string][] = [
    ["Kind", clip.image ? `${KIND_NAMES[clip.kind]}, ${clip.image.width} × ${clip.image.height}` : KIND_NAMES[clip.kind]],
    ["Size", formatBytes(clip.bytes)],
    ["Captured", `${dateTime(clip.created_ms)} (${relativeTime(clip.created_ms)})`],
    ["Source", clip.source === "primary" ? "Primary selection" : "Clipboard"],
  ];
  if (clip.used_ms !== clip.created_ms) facts.splice(3, 0, ["Used", `${dateTime(clip.used_ms)} (${relativeTime(clip.used_ms)})`]);
  const list = element("dl", "preview-meta");
  for (const [term, value] of facts) list.append(element("dt", "", term), element("dd", "", value));
  if (clip.mimes.length) {
    const formats = element("details", "preview-mimes");
    const mimes = element("ul");
    mimes.append(...clip.mimes.map((m) => element("li", "", m)));
    formats.append(element("summary", "", count(clip.mimes.length, "format")), mimes);
    const value = element("dd");
    value.append(formats);
    list.append(element("dt", "", "Offered as"), value);
  }
  return list;
}
