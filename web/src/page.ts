// What every window does: follow the theme and close on Escape.
import { closeWindow, on } from "./ipc";
import type { Theme } from "./bindings";

declare global {
  interface Window {
    // Set by the core before the page loads (see windows.rs).
    __TROVE_THEME__?: Theme;
  }
}

const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

// data-theme is the setting; data-scheme is what it means right now, and all the CSS looks at.
function applyTheme(theme: Theme) {
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.dataset.scheme = theme === "system" ? (systemDark.matches ? "dark" : "light") : theme;
}

export function initPage() {
  applyTheme(window.__TROVE_THEME__ ?? "system");
  systemDark.addEventListener("change", () => applyTheme(document.documentElement.dataset.theme as Theme));
  void on.settingsChanged((s) => applyTheme(s.theme));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.defaultPrevented) void closeWindow();
  });
}

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}
