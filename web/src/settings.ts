import { closeWindow, ipc, on, type AppInfo, type IpcError, type Settings } from "./ipc";
import { showDesktop } from "./desktop";
import { byId, CLEAR_QUESTION, confirmBefore, initPage } from "./page";

initPage();

const form = byId<HTMLFormElement>("form");
const status = byId<HTMLParagraphElement>("status");
const paused = byId<HTMLInputElement>("paused");
let current: Settings | undefined;

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
const fields = () => [...form.querySelectorAll<Field>("[name]")];

const checkbox = (f: Field) => (f instanceof HTMLInputElement && f.type === "checkbox" ? f : undefined);

const MiB = 1024 * 1024;

// Fields the form shows otherwise than the core stores them. `parse` gets what
// read() would otherwise send: a number for a number field that holds one.
type Shown<T> = { show: (value: T) => string; parse: (typed: number | string) => unknown };
const shownAs: { [K in keyof Settings]?: Shown<Settings[K]> } = {
  max_item_bytes: {
    show: (bytes) => String(Number((bytes / MiB).toFixed(3))),
    parse: (mib) => (typeof mib === "number" ? Math.round(mib * MiB) : mib),
  },
  ignore_patterns: {
    show: (patterns) => patterns.join("\n"),
    parse: (text) => String(text).split("\n").filter((line) => line.trim() !== ""),
  },
};

const valueOf = (field: Field, settings: Settings): unknown => settings[field.name as keyof Settings];
const shownOf = (field: Field) => shownAs[field.name as keyof Settings] as Shown<unknown> | undefined;
const display = (field: Field, settings: Settings) =>
  shownOf(field)?.show(valueOf(field, settings)) ?? String(valueOf(field, settings));

function fill(settings: Settings) {
  current = settings;
  for (const field of fields()) {
    const box = checkbox(field);
    if (box) box.checked = valueOf(field, settings) === true;
    else field.value = display(field, settings);
    field.removeAttribute("aria-invalid");
  }
  showShortcut(settings.shortcut);
}

// Number fields go to the core as numbers when they are numbers and as typed
// otherwise: the core validates and names the field it refuses.
function typed(field: Field): number | string {
  const n = Number(field.value);
  return field.type === "number" && field.value !== "" && Number.isFinite(n) ? n : field.value;
}

function read(base: Settings): Settings {
  const next: Record<string, unknown> = { ...base };
  for (const field of fields()) {
    const box = checkbox(field);
    const shown = shownOf(field);
    if (box) next[field.name] = box.checked;
    else if (!shown) next[field.name] = typed(field);
    // Left as shown, a rounded value keeps the exact value stored.
    else if (field.value !== display(field, base)) next[field.name] = shown.parse(typed(field));
  }
  return next as Settings;
}

function report(message: string, isError: boolean) {
  status.textContent = message;
  status.classList.toggle("error", isError);
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  if (!current) return;
  ipc.updateSettings(read(current)).then(
    (saved) => {
      fill(saved);
      report("Saved.", false);
    },
    (err: IpcError) => {
      // `ignore_patterns[2]: …` is about the one field that holds them all.
      const field = err.message.split(":")[0].replace(/\[\d+\]$/, "");
      for (const f of fields()) {
        if (f.name === field) f.setAttribute("aria-invalid", "true");
        else f.removeAttribute("aria-invalid");
      }
      report(err.message, true);
    },
  );
});

paused.addEventListener("change", () => {
  ipc.setCapturePaused(paused.checked).catch((err: IpcError) => report(err.message, true));
});

// The shortcut recorder: click, then press the new keys (Esc cancels).
const recorder = byId<HTMLButtonElement>("shortcut");
const shortcutField = form.querySelector<HTMLInputElement>("[name=shortcut]")!;
let recording = false;

function showShortcut(keys: string) {
  shortcutField.value = keys;
  recorder.textContent = keys;
  recording = false;
  recorder.classList.remove("recording");
}

recorder.addEventListener("click", () => {
  recording = true;
  recorder.textContent = "Press the new keys…";
  recorder.classList.add("recording");
});

const MODIFIER_KEYS = new Set(["Control", "Shift", "Alt", "Meta", "Super", "Hyper", "OS", "AltGraph"]);

// KeyboardEvent.code names the physical key, whatever the layout and modifiers.
function keyName(e: KeyboardEvent): string | undefined {
  const m = /^(?:Key|Digit)([A-Z0-9])$/.exec(e.code) ?? /^(F[0-9]{1,2})$/.exec(e.code);
  if (m) return m[1];
  const named: Record<string, string> = {
    Space: "Space", Tab: "Tab", Enter: "Enter", Backspace: "Backspace", Delete: "Delete",
    Insert: "Insert", Home: "Home", End: "End", PageUp: "PageUp", PageDown: "PageDown",
    ArrowUp: "Up", ArrowDown: "Down", ArrowLeft: "Left", ArrowRight: "Right",
  };
  return named[e.code];
}

recorder.addEventListener("keydown", (e) => {
  if (!recording) return;
  e.preventDefault();
  if (e.key === "Escape") return showShortcut(current?.shortcut ?? shortcutField.value);
  if (MODIFIER_KEYS.has(e.key)) return;
  const key = keyName(e);
  if (!key) return report(`${e.code} cannot be part of a shortcut`, true);
  const parts = [e.ctrlKey && "Ctrl", e.altKey && "Alt", e.shiftKey && "Shift", e.metaKey && "Super", key];
  showShortcut(parts.filter(Boolean).join("+"));
  report("Save to use the new shortcut.", false);
});

byId("close").addEventListener("click", () => void closeWindow());

confirmBefore(byId("clear-history"), CLEAR_QUESTION, "Remove", () => {
  ipc.clearHistory().then(
    () => report("History cleared.", false),
    (err: IpcError) => report(err.message, true),
  );
});

void on.settingsChanged(fill);
void on.captureState((s) => (paused.checked = s.paused));
ipc.getSettings().then(fill, (err: IpcError) => report(err.message, true));
function showInfo(info: AppInfo) {
  showDesktop(byId("shortcut-note"), info, loadInfo);
  byId("paste-note").hidden = info.capture.can_paste;
}

function loadInfo() {
  ipc.appInfo().then(showInfo, (err: IpcError) => report(err.message, true));
}

loadInfo();
ipc.getCaptureState().then((s) => (paused.checked = s.paused));
