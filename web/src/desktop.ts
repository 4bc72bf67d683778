// What Settings and About say about the desktop: how the shortcut works, and
// Trove's GNOME Shell extension, with a button to turn it on where it is off.
import { ipc, type AppInfo, type IpcError } from "./ipc";

/** A sentence about the shortcut and the extension for `info`, or nothing when all works. */
function advice({ session, integration }: AppInfo): string | null {
  switch (integration.gnome_extension) {
    case "off":
      return "GNOME shows no tray icons. Turn on Trove's GNOME Shell extension for its menu in the top bar, the shortcut and paste after choosing.";
    case "not_installed":
      return "GNOME shows no tray icons. Trove's GNOME Shell extension, which its package installs, adds its menu to the top bar, the shortcut and paste after choosing.";
    case "on":
      return "Trove's GNOME Shell extension is on, and GNOME Shell starts it at your next login.";
    default:
      if (integration.shortcut !== null || session !== "wayland") return null;
      return "Global shortcuts do not work on this Wayland desktop. Bind `trove toggle` to a key in its settings instead (see the README).";
  }
}

/** Fills `note` from `info`, with a "Turn on" button where the extension is off; calls `changed` after turning it on. */
export function showDesktop(note: HTMLElement, info: AppInfo, changed: () => void) {
  const text = advice(info);
  note.hidden = text === null;
  note.replaceChildren(text ?? "");
  if (info.integration.gnome_extension !== "off") return;
  const button = document.createElement("button");
  button.type = "button";
  button.id = "enable-extension";
  button.textContent = "Turn on";
  button.addEventListener("click", () => {
    button.disabled = true;
    ipc.enableGnomeExtension().then(changed, (err: IpcError) => {
      button.disabled = false;
      note.append(` ${err.message}`);
    });
  });
  note.append(" ", button);
}
