"""Trove on a headless GNOME Shell 43 (Wayland): vanilla GNOME has no tray, so
Trove's own Shell extension puts its menu in the top bar, binds the shortcut
and types the paste. Both builds of the extension are installed, as the package
installs them; GNOME 43 runs the legacy one. Trove runs under WebDriver so that
the tests can read and drive its pages too."""

import json
import os
import signal
import subprocess

import pytest
from gi.repository import GLib

from conftest import ARTIFACTS, TROVE_BIN, DriverTrove
from desktop import read_line, wait_until
from gnome import GnomeSession
from test_history import change_settings, rows

EXTENSIONS = os.environ.get("TROVE_GNOME_EXTENSIONS", "")
LEGACY, MODERN = "trove-legacy@trove.dev", "trove@trove.dev"
HERE = os.path.dirname(os.path.abspath(__file__))


def installed():
    assert os.path.isdir(os.path.join(EXTENSIONS, LEGACY)), "set TROVE_GNOME_EXTENSIONS to the built extensions"
    return [os.path.join(EXTENSIONS, LEGACY), os.path.join(EXTENSIONS, MODERN)]


def menu(session):
    """The labels of Trove's menu in the top bar, as a user reads them; None if it has none."""
    return session.eval("""(() => { const b = Main.panel.statusArea['trove'];
        return b ? b.menu._getMenuItems().map(i => i._separator ? '—' : i.label.text) : null; })()""")


def click(session, label):
    """Opens Trove's menu in the top bar and activates the entry labelled `label`."""
    session.eval(f"""(() => {{ const b = Main.panel.statusArea['trove']; b.menu.open();
        const item = b.menu._getMenuItems().find(i => i.label && i.label.text === {label!r});
        // As a click does: a switch reads the event's type.
        item.activate(imports.gi.Clutter.Event.new(imports.gi.Clutter.EventType.BUTTON_RELEASE)); return true; }})()""")


def painted(driver):
    """Returns once the current page has drawn two frames since now, so that the Shell has one to show."""
    driver.execute_async("const done = arguments[0];"
                         "requestAnimationFrame(() => requestAnimationFrame(() => done(true)))")


def change_settings_from_the_top_bar(gnome, trove, **changes):
    """Opens Settings from Trove's menu in the top bar unless it is open, and saves `changes` there."""
    if not trove.driver.handle_titled("Trove Settings"):
        click(gnome, "Settings…")
        wait_until(lambda: trove.driver.handle_titled("Trove Settings"), what="Settings to open from the top bar")
    return change_settings(trove.driver, None, **changes)


def switch_state(session, label):
    return session.eval(f"""Main.panel.statusArea['trove'].menu._getMenuItems()
        .find(i => i.label && i.label.text === {label!r}).state""")


@pytest.fixture(scope="module")
def gnome():
    os.makedirs(ARTIFACTS, exist_ok=True)
    session = GnomeSession(installed(), enabled=[LEGACY], artifacts=ARTIFACTS)
    yield session
    session.close()


@pytest.fixture(scope="module")
def trove(gnome):
    app = DriverTrove(gnome.env)
    app.wait_log("the GNOME Shell 43.9 extension is connected")
    # WebDriver starts it with Main shown; the tests start from the tray-only state.
    wait_until(lambda: main_shown(gnome), what="Main, which WebDriver asked for")
    subprocess.run([TROVE_BIN, "toggle"], env=gnome.env, check=True, timeout=30)
    wait_until(lambda: not main_shown(gnome), what="`trove toggle` to hide Main")
    yield app
    app.close()


def main_shown(session):
    return "Trove" in session.window_titles()


def test_the_extension_is_on_and_its_menu_lists_what_is_copied(gnome, trove):
    assert gnome.extension_state(LEGACY) == 1.0
    assert gnome.extension_state(MODERN) != 1.0, "GNOME 43 must not run the ES-module build"
    trove.wait_log("global shortcut Ctrl+Shift+V registered with GNOME Shell")
    wait_until(lambda: menu(gnome) and "Show history (Ctrl+Shift+V)" in menu(gnome), what="the top bar menu")
    subprocess.run(["xclip", "-selection", "clipboard"], input=b"copied in an X11 app", env=gnome.env,
                   check=True, timeout=10)
    trove.wait_log("captured clip", "the X11 copy to be captured")
    # A Wayland-native copy: mutter hands it to Xwayland's CLIPBOARD, where Trove reads it.
    gnome.copy(b"copied in a Wayland app")
    trove.wait_log("captured clip", "the Wayland copy to be captured", count=2)
    wait_until(lambda: menu(gnome)[:2] == ["copied in a Wayland app", "copied in an X11 app"],
               what=f"both clips in the menu, newest first (menu: {menu(gnome)})")
    gnome.eval("Main.panel.statusArea['trove'].menu.open()")
    gnome.screenshot(os.path.join(ARTIFACTS, "gnome-top-bar-menu.png"))
    gnome.eval("Main.panel.statusArea['trove'].menu.close()")
    assert menu(gnome)[2:] == ["—", "Show history (Ctrl+Shift+V)", "Pause capture", "Clear history…", "—",
                               "Settings…", "About Trove", "—", "Quit"]


def test_the_menu_copies_a_clip_pauses_and_shows_the_history(gnome, trove):
    wait_until(lambda: "copied in an X11 app" in (menu(gnome) or []), what="the X11 clip in the menu")
    click(gnome, "copied in an X11 app")
    trove.wait_log("copied back")
    wait_until(lambda: gnome.paste() == b"copied in an X11 app", what="the clip on the Wayland clipboard")
    wait_until(lambda: menu(gnome)[0] == "copied in an X11 app", what="the copied clip to move to the top")

    click(gnome, "Pause capture")
    trove.wait_log("capture paused")
    wait_until(lambda: switch_state(gnome, "Pause capture") is True, what="the switch to show capture paused")
    click(gnome, "Pause capture")
    trove.wait_log("capture resumed")
    wait_until(lambda: switch_state(gnome, "Pause capture") is False, what="the switch to show capture on")

    click(gnome, "Show history (Ctrl+Shift+V)")
    wait_until(lambda: main_shown(gnome), what="Show history to map Main")
    wait_until(lambda: gnome.focused_title() == "Trove", what="Main to take the keyboard")
    gnome.tap("Escape")
    wait_until(lambda: not main_shown(gnome), what="Esc to hide Main")


def test_the_shortcut_toggles_the_history_and_follows_settings(gnome, trove):
    gnome.tap("Control_L", "Shift_L", "v")
    wait_until(lambda: main_shown(gnome), what="Ctrl+Shift+V to show Main")
    trove.driver.switch(trove.driver.handle_titled("Trove"))
    wait_until(lambda: len(rows(trove.driver)) == 2, what="Main to list both clips")
    painted(trove.driver)
    gnome.screenshot(os.path.join(ARTIFACTS, "gnome-main.png"))
    gnome.tap("Control_L", "Shift_L", "v")
    wait_until(lambda: not main_shown(gnome), what="Ctrl+Shift+V again to hide Main")

    change_settings_from_the_top_bar(gnome, trove, shortcut="Ctrl+Alt+H")
    trove.wait_log("global shortcut Ctrl+Alt+H registered with GNOME Shell")
    wait_until(lambda: "Show history (Ctrl+Alt+H)" in menu(gnome), what="the menu to show the new shortcut")
    gnome.tap("Control_L", "Shift_L", "v")
    gnome.tap("Control_L", "Alt_L", "h")
    wait_until(lambda: main_shown(gnome), what="Ctrl+Alt+H to show Main")
    assert trove.log().count("global shortcut pressed (GNOME Shell)") == 3, "the old key must no longer toggle"
    gnome.tap("Control_L", "Alt_L", "h")
    wait_until(lambda: not main_shown(gnome), what="Ctrl+Alt+H to hide Main")
    change_settings_from_the_top_bar(gnome, trove, shortcut="Ctrl+Shift+V")
    trove.wait_log("global shortcut Ctrl+Shift+V registered with GNOME Shell", count=2)
    wait_until(lambda: "Show history (Ctrl+Shift+V)" in menu(gnome), what="the menu to show the shortcut again")


def test_only_gnome_shell_may_register_and_only_the_extension_is_heard(gnome, trove):
    before, toggles = menu(gnome), trove.log().count("global shortcut pressed (GNOME Shell)")
    calls = [("Register", GLib.Variant("(us)", (1, "43.9"))), ("GetMenu", None), ("Toggle", None),
             ("Activate", GLib.Variant("(i)", (1,))), ("ShortcutBound", GLib.Variant("(sb)", ("<Control>q", True))),
             ("SelectionChanged", GLib.Variant("(sas)", ("clipboard", ["text/plain"])))]
    for method, args in calls:
        with pytest.raises(GLib.Error, match="AccessDenied"):
            gnome.call("dev.trove.Trove", "/dev/trove/Trove", "dev.trove.Shell1", method, args)
    with pytest.raises(GLib.Error, match="InvalidArgs"):
        gnome.call("dev.trove.Trove", "/dev/trove/Trove", "dev.trove.Shell1", "Register", GLib.Variant("(s)", ("x",)))
    assert "which is not GNOME Shell, tried to register as Trove's Shell extension" in trove.log()
    assert menu(gnome) == before, "the extension's menu is untouched"
    assert trove.log().count("global shortcut pressed (GNOME Shell)") == toggles, "a stranger's Toggle is not heard"


def test_the_gnome_45_build_is_an_es_module_that_parses(tmp_path):
    # GNOME 45+ is not on this machine: the build is checked for what a Shell would first refuse.
    module = tmp_path / "extension.mjs"
    module.write_text(open(os.path.join(EXTENSIONS, MODERN, "extension.js")).read())
    subprocess.run(["node", "--check", str(module)], check=True, timeout=30)
    with open(os.path.join(EXTENSIONS, MODERN, "metadata.json")) as f:
        assert "43" not in json.load(f)["shell-version"]

def test_paste_after_choosing_types_into_the_app_through_the_shell(gnome, trove):
    change_settings_from_the_top_bar(gnome, trove, paste_after_choosing=True)
    gnome.copy(b"pasted through GNOME Shell")
    trove.wait_log("captured clip", "the clip to paste", count=3)
    target = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "gtk_entry.py"), "Paste target"],
                              env=gnome.env, stdout=subprocess.PIPE, text=True)
    try:
        assert read_line(target, what="the target to have the keyboard") == "ready"
        gnome.tap("Control_L", "Shift_L", "v")
        wait_until(lambda: gnome.focused_title() == "Trove", what="Main to take the keyboard")
        trove.driver.switch(trove.driver.handle_titled("Trove"))
        try:
            wait_until(lambda: "pasted through GNOME Shell" in rows(trove.driver)[0]["text"],
                       what="Main to list the new clip first")
        except AssertionError as e:
            raise AssertionError(f"{e}: Main lists {rows(trove.driver)}") from None
        # The selection stayed on the clip chosen last time, one row down now.
        for _ in range(3):
            gnome.tap("Up")
        wait_until(lambda: trove.driver.execute("return document.querySelector('[aria-selected=true]').textContent")
                   .find("pasted through GNOME Shell") >= 0, what="the new clip to be selected")
        gnome.tap("Return")
        assert read_line(target, what="Ctrl+V to reach the app") == "keys: ctrl+v"
        assert read_line(target, what="the paste") == "text: pasted through GNOME Shell"
        assert gnome.focused_title() == "Paste target"
    finally:
        target.kill()
        target.wait(10)
        change_settings_from_the_top_bar(gnome, trove, paste_after_choosing=False)


def test_without_the_extension_trove_shows_its_history_with_a_hint_and_offers_to_turn_it_on():
    session = GnomeSession(installed(), enabled=[], name="gnome-off", artifacts=ARTIFACTS)
    app = None
    try:
        assert session.extension_state(LEGACY) in (2.0, 6.0), "installed and off"
        # As autostart starts it: hidden it stays. The choice is made before "ready".
        log = os.path.join(session.root, "hidden.log")
        quiet = subprocess.Popen([TROVE_BIN, "--data-dir", f"{session.root}/hidden", "--hidden"], env=session.env,
                                 stdout=open(log, "wb"), stderr=subprocess.STDOUT)
        started = wait_until(lambda: (text := open(log).read()) and " ready\n" in text and text, 30,
                             "the hidden Trove to start")
        assert "showing the history" not in started, started
        subprocess.run([TROVE_BIN, "--data-dir", f"{session.root}/hidden", "quit"], env=session.env, check=True,
                       timeout=30)
        assert quiet.wait(30) == 0
        # Started from the launcher: no tray, no extension, so nothing would show Trove.
        app = DriverTrove(session.env, args=[])
        app.wait_log("no tray and no shortcut here: showing the history with a hint")
        wait_until(lambda: main_shown(session), what="Main to show by itself")
        driver = app.driver
        driver.switch(driver.handle_titled("Trove"))
        hint = wait_until(lambda: driver.text("#desktop-hint"), what="the hint in Main")
        assert "turn on the Trove extension in Settings" in hint, hint
        painted(driver)
        session.screenshot(os.path.join(ARTIFACTS, "gnome-without-extension-main.png"))
        assert menu(session) is None, "no top bar menu without the extension"

        subprocess.run([TROVE_BIN, "show", "settings"], env=session.env, check=True, timeout=30)
        settings = wait_until(lambda: driver.handle_titled("Trove Settings"), what="Settings")
        driver.switch(settings)
        note = wait_until(lambda: driver.text("#shortcut-note"), what="Settings to explain the extension")
        assert "Turn on Trove's GNOME Shell extension" in note, note
        painted(driver)
        session.screenshot(os.path.join(ARTIFACTS, "gnome-without-extension-settings.png"))
        driver.click("#enable-extension")
        app.wait_log("turned on the GNOME Shell extension trove-legacy@trove.dev")
        app.wait_log("the GNOME Shell 43.9 extension is connected")
        assert session.extension_state(LEGACY) == 1.0
        wait_until(lambda: menu(session) and "Show history (Ctrl+Shift+V)" in menu(session),
                   what="the top bar menu once the extension is on")
        wait_until(lambda: not driver.find_all("#shortcut-note button"), what="the Turn on button to go")
        driver.switch(driver.handle_titled("Trove"))
        wait_until(lambda: driver.execute("return document.getElementById('desktop-hint').hidden"),
                   what="Main's hint to go once the extension is connected")
    finally:
        if app:
            app.close()
        session.close()


def test_without_xwayland_the_extension_reads_and_holds_the_clipboard():
    session = GnomeSession(installed(), enabled=[LEGACY], name="gnome-no-x11", artifacts=ARTIFACTS, x11=False)
    app = None
    try:
        app = DriverTrove(session.env)
        app.wait_log("the GNOME Shell 43.9 extension is connected")
        assert "capture unavailable: this compositor offers no data-control protocol" in app.log()
        session.copy(b"first, with no Xwayland")
        app.wait_log("captured clip", "the Shell's report of a Wayland copy to be captured")
        session.copy(b"second, with no Xwayland")
        app.wait_log("captured clip", "the second copy", count=2)
        wait_until(lambda: (menu(session) or [])[:2] == ["second, with no Xwayland", "first, with no Xwayland"],
                   what=f"both clips first in the menu, with no warning above them (menu: {menu(session)})")
        click(session, "first, with no Xwayland")
        app.wait_log("copied back")
        wait_until(lambda: session.paste() == b"first, with no Xwayland", what="the Shell to hold the clip")
        assert app.log().count("captured clip") == 2, "Trove's own copy back is not captured again"
        app.driver.switch(app.driver.handle_titled("Trove"))
        wait_until(lambda: app.driver.execute("return document.getElementById('capture-method').hidden"),
                   what="Main to show no capture warning: the extension reads for Trove")
    finally:
        if app:
            app.close()
        session.close()



def test_killing_xwayland_shows_capture_lost_then_capture_comes_back():
    # Xwayland on demand, as GNOME runs it under systemd: its end does not end the Shell.
    session = GnomeSession(installed(), enabled=[LEGACY], name="gnome-on-demand", artifacts=ARTIFACTS,
                           x11_on_demand=True)
    app = None
    try:
        app = DriverTrove(session.env)
        app.wait_log("the GNOME Shell 43.9 extension is connected")
        subprocess.run(["xclip", "-selection", "clipboard"], input=b"before Xwayland ended", env=session.env,
                       check=True, timeout=10)
        app.wait_log("captured clip", "a copy through Xwayland")
        [xwayland] = subprocess.run(["pgrep", "-f", f"Xwayland {session.env['DISPLAY']} "], capture_output=True,
                                    text=True, check=True).stdout.split()
        os.kill(int(xwayland), signal.SIGKILL)
        wait_until(lambda: (menu(session) or [""])[0].startswith("⚠ capture stopped: the X11 connection ended"),
                   what=f"the top bar menu to say capture stopped (menu: {menu(session)})", interval=0.02)
        app.wait_log("capture lost: the X11 connection ended")
        app.wait_log("again", "capture to reconnect to the Xwayland that mutter starts anew")
        wait_until(lambda: not menu(session)[0].startswith("⚠"), what="the warning to go once capture is back")
        subprocess.run(["xclip", "-selection", "clipboard"], input=b"after Xwayland came back", env=session.env,
                       check=True, timeout=10)
        app.wait_log("captured clip", "a copy through the new Xwayland", count=2)
        wait_until(lambda: menu(session)[0] == "after Xwayland came back", what="the new clip in the menu")
    finally:
        if app:
            app.close()
        session.close()
