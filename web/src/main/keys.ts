// Main's keys, and the focus kept in the search field so that typing always searches.
import { copy, remove, togglePin } from "./actions";
import type { ClipList } from "./list";
import type { MainState } from "./state";

export function bindKeys(state: MainState, list: ClipList, field: HTMLInputElement) {
  // Delete edits the search text until the caret reaches its end.
  const deleteEditsSearch = () => document.activeElement === field && field.selectionStart !== field.value.length;

  function keyAction(e: KeyboardEvent): (() => void) | undefined {
    const pageRows = list.pageRows();
    if (e.ctrlKey && !e.altKey && !e.metaKey) {
      const digit = /^Digit([1-9])$/.exec(e.code);
      if (digit) return () => copy(state.clipAt(Number(digit[1]) - 1));
      if (e.code === "KeyP") return () => togglePin(state.clipAt(state.selected));
      return undefined;
    }
    if (e.altKey || e.metaKey) return undefined;
    switch (e.key) {
      case "ArrowDown":
        return () => list.select(state.selected + 1);
      case "ArrowUp":
        return () => list.select(state.selected - 1);
      case "PageDown":
        return () => list.select(state.selected + pageRows);
      case "PageUp":
        return () => list.select(state.selected - pageRows);
      case "Enter":
        return (e.target as Element).closest("button, summary") ? undefined : () => copy(state.clipAt(state.selected));
      case "Delete":
        return deleteEditsSearch() ? undefined : () => remove(state.clipAt(state.selected));
    }
    return undefined;
  }

  document.addEventListener("keydown", (e) => {
    if (e.isComposing || e.defaultPrevented) return;
    // Typing searches even when a click left the focus nowhere.
    if (e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey && document.activeElement === document.body) field.focus();
    const action = keyAction(e);
    if (!action) return;
    e.preventDefault();
    action();
  });

  // Clicking a row or a button leaves the focus in the search field, so typing always searches.
  document.addEventListener("mousedown", (e) => {
    const target = e.target as Element;
    if (target.closest(".clip, button") && !target.closest("dialog")) e.preventDefault();
  });
}
