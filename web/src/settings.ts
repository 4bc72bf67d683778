import { closeWindow, ipc, on, type IpcError, type Settings } from "./ipc";
import { byId, initPage } from "./page";

initPage();

const form = byId<HTMLFormElement>("form");
const status = byId<HTMLParagraphElement>("status");
const paused = byId<HTMLInputElement>("paused");
let current: Settings | undefined;

type Field = HTMLInputElement | HTMLSelectElement;
const fields = () => [...form.querySelectorAll<Field>("[name]")];

function fill(settings: Settings) {
  current = settings;
  for (const field of fields()) {
    field.value = String(settings[field.name as keyof Settings]);
    field.removeAttribute("aria-invalid");
  }
}

// Number fields go to the core as numbers when they are numbers and as typed
// otherwise: the core validates and names the field it refuses.
function read(base: Settings): Settings {
  const next: Record<string, unknown> = { ...base };
  for (const field of fields()) {
    const n = Number(field.value);
    next[field.name] = field.type === "number" && field.value !== "" && Number.isFinite(n) ? n : field.value;
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
      const field = err.message.split(":")[0];
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

byId("close").addEventListener("click", () => void closeWindow());

void on.settingsChanged(fill);
void on.captureState((s) => (paused.checked = s.paused));
ipc.getSettings().then(fill, (err: IpcError) => report(err.message, true));
ipc.getCaptureState().then((s) => (paused.checked = s.paused));
