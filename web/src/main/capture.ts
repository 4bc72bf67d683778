// Capture: the pill that pauses and resumes it, and what the status line and the banner say about it.
import { formatBytes } from "../format";
import { ipc, on, type CaptureState } from "../ipc";
import { byId } from "../page";

/** Shows the core's capture state as it changes; the pill pauses and resumes capture. */
export function watchCapture() {
  const capture = byId<HTMLButtonElement>("capture");

  function showCapture({ paused, method, skipped, last_skipped, save_error, desktop_hint }: CaptureState) {
    const hint = byId("desktop-hint");
    hint.hidden = desktop_hint === null;
    hint.textContent = desktop_hint ?? "";
    capture.textContent = paused ? "Paused" : "Capturing";
    capture.setAttribute("aria-pressed", String(paused));
    capture.title = paused ? "Resume capture" : "Pause capture";

    const unavailable = byId("capture-method");
    unavailable.hidden = method.available;
    unavailable.textContent = method.description;

    const unsaved = byId("save-error");
    unsaved.hidden = save_error === null;
    unsaved.textContent = `Clips are not being saved: ${save_error ?? ""}`;

    const { too_large, secret, ignored } = skipped;
    const size = last_skipped?.reason === "too_large" && last_skipped.bytes !== null ? ` (${formatBytes(last_skipped.bytes)})` : "";
    const notice = byId("skipped");
    notice.hidden = too_large + secret + ignored === 0;
    notice.textContent = `Skipped ${too_large} too large${size}, ${secret} secret, ${ignored} ignored`;
  }

  capture.addEventListener("click", () => {
    void ipc.setCapturePaused(capture.getAttribute("aria-pressed") !== "true").then(showCapture);
  });

  void on.captureState(showCapture);
  void ipc.getCaptureState().then(showCapture);
}
