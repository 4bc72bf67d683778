import logo from "../../icons/trove.svg";
import { ipc, type AppInfo, type IpcError } from "./ipc";
import { byId, initPage } from "./page";

initPage();
byId<HTMLImageElement>("logo").src = logo;

function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function show(info: AppInfo) {
  byId("version").textContent = info.version;
  const facts: [string, string][] = [
    ["Build", info.build],
    ["Data folder", info.data_dir],
    ["Database", info.database_dir],
    ["Schema", String(info.schema_version)],
    ["Database size", formatBytes(info.database_bytes)],
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
}

ipc.appInfo().then(show, (err: IpcError) => (byId("status").textContent = err.message));
