import { ipc, on, type CaptureState } from "./ipc";
import { byId, initPage } from "./page";

initPage();

const capture = byId<HTMLButtonElement>("capture");

function showCapture({ paused }: CaptureState) {
  capture.textContent = paused ? "Paused" : "Capturing";
  capture.setAttribute("aria-pressed", String(paused));
  capture.title = paused ? "Resume capture" : "Pause capture";
}

capture.addEventListener("click", () => {
  void ipc.setCapturePaused(capture.getAttribute("aria-pressed") !== "true").then(showCapture);
});

void on.captureState(showCapture);
void ipc.getCaptureState().then(showCapture);
