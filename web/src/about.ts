import logo from "../../icons/trove.svg";
import { count, formatBytes, number } from "./format";
import { ipc, type AppInfo, type IpcError } from "./ipc";
import { showDesktop } from "./desktop";
import { byId, initPage } from "./page";

initPage();
byId<HTMLImageElement>("logo").src = logo;

function show(info: AppInfo) {
  byId("version").textContent = info.version;
  const facts: [string, string][] = [
    ["Build", info.build],
    ["Data folder", info.data_dir],
    ["Database", info.database_dir],
    ["Schema", String(info.schema_version)],
    ["Database size", formatBytes(info.database_bytes)],
    ["Clips stored", `${count(info.clips, "clip")} · ${number(info.pinned)} pinned · ${formatBytes(info.clip_bytes)}`],
  ];
  byId("facts").replaceChildren(
    ...facts.flatMap(([term, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      return [dt, dd];
    }),
  );
  const capture = byId("capture-method");
  capture.textContent = `Clipboard capture: ${info.capture.description}`;
  capture.classList.toggle("warning", !info.capture.available);
  const { shortcut, shortcut_via } = info.integration;
  byId("shortcut").textContent =
    shortcut === null ? "Global shortcut: none works here" : `Global shortcut: ${shortcut} (${shortcut_via ?? ""})`;
  showDesktop(byId("desktop-note"), info, load);
  const recovery = byId("recovery");
  recovery.hidden = info.recovery === null;
  if (info.recovery !== null) {
    const { reason, moved_to } = info.recovery;
    recovery.textContent = `Trove could not read its history database and started a fresh one. The old one is kept, untouched, in ${moved_to}. Reason: ${reason}.`;
  }
}

function load() {
  ipc.appInfo().then(show, (err: IpcError) => (byId("status").textContent = err.message));
}

load();
