"""`make bench`: Trove's release binary next to CopyQ, headless, as a user meets
them. Prints a markdown table: median (min–max) over several runs."""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from desktop import X11, StatusNotifierWatcher, descendants, start_xvfb, wait_until  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
IDLE_SECS = int(os.environ.get("BENCH_IDLE_SECS", "60"))
SETTLE_SECS = 10
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def pids_of(pid):
    return [pid, *descendants(pid)]


def memory_kb(pids):
    pss = rss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    key, value = line.split(":", 1)
                    if key == "Pss":
                        pss += int(value.split()[0])
                    elif key == "Rss":
                        rss += int(value.split()[0])
        except OSError:
            continue
    return pss, rss


def cpu_ms_and_switches(pids):
    ms = switches = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ms += (int(fields[11]) + int(fields[12])) * TICK_MS
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/status") as f:
                    for line in f:
                        if "ctxt_switches" in line:
                            switches += int(line.split()[1])
        except OSError:
            continue
    return ms, switches


class Trove:
    name = "Trove"

    def __init__(self, binary, desktop):
        self.binary, self.desktop = binary, desktop

    def start(self, home):
        self.proc = subprocess.Popen([self.binary, "--data-dir", os.path.join(home, "trove")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self.proc.pid

    def wait_ready(self):
        self.desktop.watcher.item_of(self.proc.pid, timeout=60)

    def toggle(self):
        subprocess.run(["xdotool", "key", "ctrl+shift+v"], check=True)

    def main_viewable(self):
        return self.desktop.x11.windows(self.proc.pid).get("Trove", (None, False))[1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


class CopyQ:
    name = "CopyQ"

    def __init__(self, desktop):
        self.desktop = desktop

    def start(self, home):
        self.env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                        XDG_DATA_HOME=os.path.join(home, ".local/share"))
        self.proc = subprocess.Popen(["copyq"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self.proc.pid

    def _cli(self, *args):
        return subprocess.run(["copyq", *args], env=self.env, capture_output=True, timeout=30)

    def wait_ready(self):
        wait_until(lambda: self._cli("count").returncode == 0, timeout=60, what="copyq count", interval=0.01)

    def toggle(self):
        self._cli("toggle")

    def main_viewable(self):
        x11 = self.desktop.x11
        for win in x11.root.query_tree().children:
            try:
                pid = win.get_full_property(x11.NET_WM_PID, 0)
                if pid and pid.value[0] == self.proc.pid and win.get_attributes().map_state == 2:
                    name = win.get_full_property(x11.NET_WM_NAME, x11.UTF8)
                    if name and b"CopyQ" in name.value:
                        return True
            except Exception:
                continue
        return False

    def stop(self):
        self._cli("exit")
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def timed(action, done, timeout=30):
    start = time.perf_counter()
    action()
    wait_until(done, timeout, "the window", interval=0.002)
    return (time.perf_counter() - start) * 1000


def measure(app, root):
    """One launch: start-up, idle memory, the window cold and warm."""
    home = tempfile.mkdtemp(dir=root)
    began = time.perf_counter()
    pid = app.start(home)
    app.wait_ready()
    ready_ms = (time.perf_counter() - began) * 1000
    time.sleep(SETTLE_SECS)
    pss, rss = memory_kb(pids_of(pid))
    cold = timed(app.toggle, app.main_viewable)
    app.toggle()
    wait_until(lambda: not app.main_viewable(), 30, "the window to hide")
    warm = timed(app.toggle, app.main_viewable)
    app.stop()
    return {"ready": ready_ms, "pss": pss / 1024, "rss": rss / 1024, "cold": cold, "warm": warm}


def idle(app, root):
    home = tempfile.mkdtemp(dir=root)
    pid = app.start(home)
    app.wait_ready()
    time.sleep(SETTLE_SECS)
    ms0, sw0 = cpu_ms_and_switches(pids_of(pid))
    time.sleep(IDLE_SECS)
    ms1, sw1 = cpu_ms_and_switches(pids_of(pid))
    app.stop()
    return ms1 - ms0, (sw1 - sw0) / IDLE_SECS


def cell(values, fmt="{:.0f}"):
    if not values:
        return "–"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main():
    binary = os.path.abspath(sys.argv[1])
    root = tempfile.mkdtemp(prefix="trove-bench-")
    os.environ.update(HOME=root, XDG_CONFIG_HOME=os.path.join(root, ".config"), GDK_BACKEND="x11", NO_AT_BRIDGE="1")
    for var in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "TROVE_DATA_DIR"):
        os.environ.pop(var, None)
    xvfb, display = start_xvfb()
    os.environ["DISPLAY"] = display

    class Desktop:
        pass

    desktop = Desktop()
    desktop.watcher, desktop.x11 = StatusNotifierWatcher(), X11(display)
    apps = [Trove(binary, desktop), CopyQ(desktop)]
    results = {}
    try:
        for app in apps:
            runs = [measure(app, root) for _ in range(RUNS)]
            cpu, wakeups = idle(app, root)
            results[app.name] = {key: [r[key] for r in runs] for key in runs[0]}
            results[app.name].update(cpu=[cpu], wakeups=[wakeups])
    finally:
        xvfb.terminate()
        shutil.rmtree(root, ignore_errors=True)

    t, c = results["Trove"], results["CopyQ"]

    def ratio(key):
        return f"{statistics.median(t[key]) / statistics.median(c[key]):.2f}×"

    rows = [
        ("start to tray-ready (ms)", "ready", "{:.0f}", "≤ 0.5× CopyQ"),
        ("idle memory, no window, PSS (MB)", "pss", "{:.1f}", "≤ 1.0× CopyQ"),
        ("idle memory, no window, RSS (MB)", "rss", "{:.1f}", "report"),
        (f"idle CPU over {IDLE_SECS} s (ms)", "cpu", "{:.0f}", "0 ms"),
        ("idle wakeups (context switches/s)", "wakeups", "{:.1f}", "≤ 1/s"),
        ("shortcut → main mapped, cold (ms)", "cold", "{:.0f}", "≤ 600 ms"),
        ("shortcut → main mapped, warm (ms)", "warm", "{:.0f}", "≤ 50 ms"),
    ]
    print(f"{RUNS} runs each; median (min–max). \"Mapped\" is the X window becoming viewable, not yet painted. "
          "Trove's window is opened by its global shortcut "
          "(xdotool), CopyQ's by `copyq toggle`.\n")
    print("| figure | Trove | CopyQ | Trove/CopyQ | budget |\n|---|---|---|---|---|")
    for label, key, fmt, budget in rows:
        print(f"| {label} | {cell(t[key], fmt)} | {cell(c[key], fmt)} | {ratio(key) if statistics.median(c[key]) else '–'} | {budget} |")
    size = os.path.getsize(binary) / 1e6
    print(f"| release binary, stripped (MB) | {size:.1f} | – | – | report |")


if __name__ == "__main__":
    main()
