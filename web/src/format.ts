// How numbers, sizes, times and kinds of clip read on every page.
import type { ClipKind } from "./bindings";

export const KIND_NAMES: Record<ClipKind, string> = { text: "Text", html: "HTML", image: "Image", files: "Files" };

const UNITS = ["B", "KiB", "MiB", "GiB"];

export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${UNITS[i]}`;
}

const numbers = new Intl.NumberFormat("en");

/** "1,234". */
export const number = (n: number) => numbers.format(n);

/** "1 clip", "1,234 clips". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${number(n)} ${n === 1 ? singular : plural}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "2 min ago", "3 h ago", "yesterday", "4 days ago", then the date. */
export function relativeTime(ms: number, now = Date.now()): string {
  const ago = now - ms;
  if (ago < 45_000) return "just now";
  if (ago < HOUR) return `${Math.max(1, Math.floor(ago / MINUTE))} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < 2 * DAY) return "yesterday";
  if (ago < 7 * DAY) return `${Math.floor(ago / DAY)} days ago`;
  const date = new Date(ms);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: sameYear ? undefined : "numeric" });
}

export const dateTime = (ms: number) => new Date(ms).toLocaleString();
