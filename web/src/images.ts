// Image clips as blob: URLs (the CSP allows no other source for them).
import type { ImageVariant } from "./bindings";
import { ipc } from "./ipc";

/** The caller owns the URL and revokes it. */
export async function imageUrl(id: number, size: ImageVariant): Promise<string> {
  const png = await ipc.clipImage(id, size);
  return URL.createObjectURL(new Blob([png], { type: "image/png" }));
}

const THUMBNAILS_KEPT = 300;
// Least recently used first: a Map iterates in insertion order.
const thumbnails = new Map<number, Promise<string>>();

export function thumbnail(id: number): Promise<string> {
  let url = thumbnails.get(id);
  if (url) {
    thumbnails.delete(id);
  } else {
    const fetched = imageUrl(id, "thumbnail");
    // A failure is not cached, so the next row that shows the clip asks again.
    fetched.catch(() => thumbnails.get(id) === fetched && thumbnails.delete(id));
    url = fetched;
  }
  thumbnails.set(id, url);
  for (const oldest of thumbnails.keys()) {
    if (thumbnails.size <= THUMBNAILS_KEPT) break;
    forgetThumbnail(oldest);
  }
  return url;
}

export function forgetThumbnail(id: number) {
  thumbnails.get(id)?.then(URL.revokeObjectURL, () => undefined);
  thumbnails.delete(id);
}
