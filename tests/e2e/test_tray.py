"""Trove as it starts: tray only, windows on demand, and clean exits."""

import os
import re
import signal
import subprocess

import pytest

from conftest import TROVE_BIN, WEBKIT_LINKED
from desktop import StatusNotifierWatcher, wait_until, web_processes, window_hosts

MENU = ["No clips yet", "", "Show history (Ctrl+Shift+V)", "Pause capture", "Clear history…", "", "Settings…",
        "About Trove", "", "Quit"]


def labels(tray):
    return [e["label"] for e in tray.menu()]


def test_starts_with_a_tray_menu_and_no_window(launch):
    trove = launch()
    assert labels(trove.tray) == MENU
    kinds = [e["type"] for e in trove.tray.menu()]
    assert kinds.count("separator") == 3
    pause = trove.tray.entry("Pause capture")
    assert (pause["toggle_type"], pause["toggle_state"]) == ("checkmark", 0)
    assert trove.windows() == {}
    assert web_processes(trove.pid) == []
    # Linked the ordinary way, WebKit is mapped from the start; loaded lazily, only at the first window.
    assert mapped(trove.pid, "libwebkit2gtk") == WEBKIT_LINKED, "WebKit must wait for the first window"
    assert not mapped(trove.pid, "libayatana-appindicator"), "a panel with a watcher needs no GTK indicator"
    assert trove.proc.poll() is None


def mapped(pid, library):
    with open(f"/proc/{pid}/maps") as f:
        return library in f.read()


def shows_a_working_tray(panel, trove):
    """The panel finds Trove's item, reads the whole menu and can click it; then the panel quits."""
    try:
        tray = panel.item_of(trove.pid)
        assert labels(tray) == MENU
        tray.click("Pause capture")
        wait_until(lambda: tray.entry("Pause capture")["toggle_state"] == 1, what="the check mark")
    finally:
        panel.stop()


def test_a_panel_that_starts_after_trove_still_gets_the_tray(launch, private_bus):
    trove = launch(env={"DBUS_SESSION_BUS_ADDRESS": private_bus})
    wait_until(lambda: "no StatusNotifierWatcher yet" in trove.log(), what="Trove to find no panel")
    assert mapped(trove.pid, "libayatana-appindicator")
    shows_a_working_tray(StatusNotifierWatcher(private_bus), trove)


def test_the_tray_comes_back_when_the_panel_restarts(launch, private_bus):
    panel = StatusNotifierWatcher(private_bus)
    trove = launch(env={"DBUS_SESSION_BUS_ADDRESS": private_bus})
    panel.item_of(trove.pid)
    panel.stop()
    shows_a_working_tray(StatusNotifierWatcher(private_bus), trove)


def test_tray_opens_each_window_once_and_closing_destroys_it(launch, desktop):
    trove = launch()
    trove.tray.click("Settings…")
    wait_until(lambda: desktop.x11.viewable(trove.pid, "Trove Settings"), what="Settings to map")
    trove.tray.click("About Trove")
    wait_until(lambda: desktop.x11.viewable(trove.pid, "About Trove"), what="About to map")
    wait_until(lambda: len(web_processes(trove.pid)) >= 2, what="a web process per window")
    [host] = window_hosts(trove.pid)
    assert mapped(host, "libwebkit2gtk") and mapped(trove.pid, "libwebkit2gtk") == WEBKIT_LINKED, \
        "WebKit stays out of the core"

    # A second request reuses the window.
    trove.tray.click("Settings…")
    trove.tray.click("About Trove")
    assert sorted(trove.windows()) == ["About Trove", "Trove Settings"]

    desktop.x11.close(trove.pid, "Trove Settings")
    wait_until(lambda: "Trove Settings" not in trove.windows(), what="Settings to be destroyed")
    desktop.x11.close(trove.pid, "About Trove")
    wait_until(lambda: trove.windows() == {}, what="About to be destroyed")
    wait_until(lambda: web_processes(trove.pid) == [], what="every web process to exit")
    # With no window for a while, the window host and all of WebKit go.
    wait_until(lambda: window_hosts(trove.pid) == [], what="the window host to exit")
    exited = wait_until(lambda: re.search(r"window host \d+ exited", trove.log()), what="the core to see it exit")
    assert "letting the window host go" in trove.log()[:exited.start()], trove.log()
    assert trove.proc.poll() is None, "Trove must live on with no window"
    assert labels(trove.tray) == MENU


def test_quit_from_the_tray_flushes_and_exits_zero(launch, data_dir):
    trove = launch()
    trove.tray.click("Pause capture")
    wait_until(lambda: trove.tray.entry("Pause capture")["toggle_state"] == 1, what="the check mark")
    trove.tray.click("Quit")
    assert trove.wait() == 0
    assert "exiting" in trove.log()

    again = launch()
    assert again.tray.entry("Pause capture")["toggle_state"] == 1, "the paused state must survive a restart"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signals_exit_cleanly(launch, sig):
    trove = launch()
    trove.tray  # ready
    trove.proc.send_signal(sig)
    assert trove.wait() == 0
    assert "exiting" in trove.log()


def test_sighup_does_not_kill(launch):
    trove = launch()
    trove.tray
    trove.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "SIGHUP received" in trove.log(), what="SIGHUP to be logged")
    assert trove.proc.poll() is None
    assert labels(trove.tray) == MENU


def test_a_second_process_on_a_locked_database_says_so(launch, data_dir, desktop):
    first = launch()
    first.tray
    # From another login (its own runtime dir) the launch is not forwarded and
    # meets the database lock instead.
    other_login = os.path.join(desktop.root, "other-runtime")
    os.makedirs(other_login, mode=0o700, exist_ok=True)
    second = subprocess.run([TROVE_BIN, "--data-dir", data_dir], env=dict(os.environ, XDG_RUNTIME_DIR=other_login),
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 1
    assert "in use by another Trove process" in second.stderr
    assert "panicked" not in second.stderr
    assert first.proc.poll() is None


def test_the_data_dir_can_come_from_the_environment(desktop, data_dir):
    env = dict(os.environ, TROVE_DATA_DIR=data_dir)
    proc = subprocess.Popen([TROVE_BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        desktop.watcher.item_of(proc.pid)
        assert os.path.isdir(os.path.join(data_dir, "db"))
        assert oct(os.stat(data_dir).st_mode & 0o777) == "0o700"
        for folder, _dirs, files in os.walk(data_dir):
            for name in files:
                mode = os.stat(os.path.join(folder, name)).st_mode & 0o777
                assert mode & 0o077 == 0, f"{name} is {oct(mode)}"
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
