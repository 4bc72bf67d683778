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

export const CLEAR_QUESTION = "Remove all clips except pinned ones?";

/** Runs `action` once the user confirms `question` in a modal dialog opened by `button`; returns the dialog. */
export function confirmBefore(button: HTMLElement, question: string, confirm: string, action: () => void) {
  const dialog = document.createElement("dialog");
  dialog.className = "confirm";
  const form = document.createElement("form");
  form.method = "dialog";
  const text = document.createElement("p");
  text.textContent = question;
  const actions = document.createElement("footer");
  actions.className = "actions";
  const choice = (label: string, value: string, className = "") => {
    const b = document.createElement("button");
    b.textContent = label;
    b.value = value;
    b.className = className;
    return b;
  };
  const cancel = choice("Cancel", "cancel");
  cancel.autofocus = true;
  actions.append(cancel, choice(confirm, "yes", "danger"));
  form.append(text, actions);
  dialog.append(form);
  document.body.append(dialog);

  let focused: Element | null = null;
  // Keys belong to the dialog while it is open: Esc cancels it rather than closing the window.
  dialog.addEventListener("keydown", (e) => e.stopPropagation());
  dialog.addEventListener("close", () => {
    // WebKit leaves the focus in the closed dialog.
    if (focused instanceof HTMLElement) focused.focus();
    if (dialog.returnValue === "yes") action();
  });
  button.addEventListener("click", () => {
    focused = document.activeElement;
    dialog.returnValue = "";
    dialog.showModal();
  });
  return dialog;
}
