"""Trove on a headless KDE Plasma 5.27 session (KWin, Wayland): capture through
wlr-data-control, and the shortcut bound through the GlobalShortcuts portal,
fired by real key presses through KWin. Trove runs under WebDriver so that the
tests can change its settings and see whether Main is showing."""

import os
import subprocess

import pytest

from conftest import ARTIFACTS, TROVE_BIN, DriverTrove
from desktop import read_line, wait_until
from kde import KdeSession
from test_history import change_settings, rows

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(os.environ.get("TROVE_ARTIFACTS", "/tmp"), "kde-tools")


class KdeTrove(DriverTrove):
    def settings(self, **changes):
        """Saves `changes` in Settings, opened from the command line: this session has no panel."""
        if not self.driver.handle_titled("Trove Settings"):
            subprocess.run([TROVE_BIN, "show", "settings"], env=self.env, check=True, timeout=30)
            wait_until(lambda: self.driver.handle_titled("Trove Settings"), what="Settings to open")
        return change_settings(self.driver, None, **changes)


@pytest.fixture(scope="module")
def kde():
    os.makedirs(ARTIFACTS, exist_ok=True)
    session = KdeSession(TOOLS, artifacts=ARTIFACTS)
    yield session
    session.close()


@pytest.fixture(scope="module")
def trove(kde):
    app = KdeTrove(kde.env)
    app.wait_log("global shortcut Ctrl+Shift+V registered with the desktop portal")
    wait_until(app.main_visible, what="Main, which WebDriver asked for")
    yield app
    app.close()


def test_capture_reads_wayland_copies_through_data_control(kde, trove):
    assert "capture: Wayland data-control (wlr-data-control-unstable-v1)" in trove.log()
    kde.copy(b"copied on Plasma")
    trove.wait_log("captured clip", "the Wayland copy to be captured")
    kde.copy(b"<p>rich</p>", "--type", "text/html")
    trove.wait_log("(Html,", "the HTML copy to be captured")
    kde.copy(b"copied on Plasma")
    trove.wait_log("captured again", "the repeated copy to move to the top")
    assert trove.log().count("captured clip") == 2


def test_the_portal_shortcut_toggles_main_and_follows_settings(kde, trove):
    kde.press("ctrl+shift+v")
    trove.wait_log("global shortcut pressed (portal)")
    wait_until(lambda: not trove.main_visible(), what="Ctrl+Shift+V to hide Main")
    kde.press("ctrl+shift+v")
    trove.wait_log("global shortcut pressed (portal)", count=2)
    wait_until(trove.main_visible, what="Ctrl+Shift+V to show Main again")

    trove.settings(shortcut="Ctrl+Alt+H")
    trove.wait_log("global shortcut Ctrl+Alt+H registered with the desktop portal")
    kde.press("ctrl+shift+v", "ctrl+alt+h")
    trove.wait_log("global shortcut pressed (portal)", count=3)
    wait_until(lambda: not trove.main_visible(), what="Ctrl+Alt+H to hide Main")
    assert trove.log().count("global shortcut pressed (portal)") == 3, "the old key must no longer toggle"
    trove.driver.switch(trove.driver.handle_titled("Trove Settings"))
    info = trove.driver.invoke("app_info")
    assert info["integration"]["shortcut_via"] == "desktop portal", info


def test_paste_after_choosing_types_through_kwin_fake_input(kde, trove):
    assert "paste after choosing types through KWin's fake input" in trove.log()
    trove.settings(paste_after_choosing=True)
    kde.copy(b"pasted on Plasma")
    trove.wait_log("captured clip", "the clip to paste", count=3)
    if trove.main_visible():
        kde.press("ctrl+alt+h")
        wait_until(lambda: not trove.main_visible(), what="Main to hide first")
    target = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "gtk_entry.py"), "Paste target"],
                              env=kde.env, stdout=subprocess.PIPE, text=True)
    try:
        assert read_line(target, what="the target to have the keyboard") == "ready"
        kde.press("ctrl+alt+h")
        wait_until(trove.main_visible, what="the shortcut to show Main")
        wait_until(lambda: "pasted on Plasma" in rows(trove.driver)[0]["text"], what="Main to list the clip first")
        trove.driver.screenshot(os.path.join(ARTIFACTS, "kde-main.png"))
        # KWin's focus stealing prevention may leave the keyboard with the app (a real
        # user would click Main); the choice is made in the page, as its keys do.
        trove.driver.type_into("#search", "\ue013\ue013\ue013")
        wait_until(lambda: "pasted on Plasma" in trove.driver.execute(
            "return document.querySelector('[aria-selected=true]').textContent"), what="the clip to be selected")
        trove.driver.type_into("#search", "\ue007")
        assert read_line(target, what="Ctrl+V to reach the app") == "keys: ctrl+v"
        assert read_line(target, what="the paste") == "text: pasted on Plasma"
    finally:
        target.kill()
        target.wait(10)
        trove.settings(paste_after_choosing=False)
