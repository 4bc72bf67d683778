"""The windows as a user meets them, driven through WebDriver and the tray."""

import os
import subprocess

from conftest import ARTIFACTS, TROVE_BIN
from desktop import DesktopPortal, running, wait_until, web_processes, window_hosts

THEME = "return document.documentElement.dataset.theme"
SCHEME = "return document.documentElement.dataset.scheme"


def shot(driver, x11, handle, name):
    driver.switch(handle)
    x11.raise_(driver.pid, driver.title())
    # Two animation frames: the raised window has painted its current state.
    driver.execute_async("const done = arguments[0];"
                         "requestAnimationFrame(() => requestAnimationFrame(() => done(true)))")
    x11.screenshot(driver.pid, driver.title(), os.path.join(ARTIFACTS, f"{name}.png"))


def test_a_saved_setting_reaches_every_open_window(webdriver, desktop):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    main = wait_until(lambda: driver.handle_titled("Trove"), what="main")
    assert driver.execute(THEME) == "system"

    settings = driver.open_from_tray(tray, "Settings…", "Trove Settings")
    about = driver.open_from_tray(tray, "About Trove", "About Trove")
    version = subprocess.run([TROVE_BIN, "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]
    wait_until(lambda: driver.text("#version") == version, what="About to show the version")
    assert desktop.root in driver.text("#facts"), "About must show the data dir"
    assert len(driver.handles()) == 3

    driver.switch(settings)
    wait_until(lambda: driver.execute("return document.querySelector('[name=history_max_items]').value") == "1000",
               what="settings to load")
    driver.click("select[name=theme] option[value=dark]")
    driver.click("#save")
    wait_until(lambda: driver.text("#status") == "Saved.", what="the save to be confirmed")

    for handle in (main, about, settings):
        driver.switch(handle)
        wait_until(lambda: driver.execute(THEME) == "dark", what=f"dark theme in {driver.title()}")
    for handle, name in ((main, "main-dark"), (settings, "settings-dark"), (about, "about-dark")):
        shot(driver, desktop.x11, handle, name)

    # A refused value names its field, marks it, and changes nothing anywhere.
    driver.switch(settings)
    driver.type_into("[name=history_max_items]", "5")
    driver.click("#save")
    wait_until(lambda: driver.text("#status").startswith("history_max_items:"), what="the field error")
    assert driver.execute("return document.querySelector('[name=history_max_items]').getAttribute('aria-invalid')") == "true"
    shot(driver, desktop.x11, settings, "settings-refused")
    driver.switch(settings)
    saved = driver.execute_async("const done = arguments[arguments.length - 1];"
                                 "window.__TAURI_INTERNALS__.invoke('get_settings').then(done, e => done(String(e)))")
    assert saved["history_max_items"] == 1000
    driver.switch(main)
    assert driver.execute(THEME) == "dark"


def test_the_system_theme_follows_the_desktop_light_or_dark(tauri_driver, open_session, desktop):
    portal = DesktopPortal(color_scheme=1)
    try:
        driver = open_session(tauri_driver)
        main = wait_until(lambda: driver.handle_titled("Trove"), what="main")
        assert driver.execute(THEME) == "system"
        wait_until(lambda: driver.execute(SCHEME) == "dark", what="main in dark, as the desktop prefers")
        shot(driver, desktop.x11, main, "main-system-dark")
        portal.set_color_scheme(2)
        wait_until(lambda: driver.execute(SCHEME) == "light", what="main in light, once the desktop prefers it")
        tray = desktop.watcher.item_of(driver.pid)
        driver.open_from_tray(tray, "About Trove", "About Trove")
        wait_until(lambda: driver.execute(SCHEME) == "light", what="About, built later, in light")
        portal.set_color_scheme(1)
        wait_until(lambda: driver.execute(SCHEME) == "dark", what="About in dark again")
        with open(driver.log_path, errors="replace") as log:
            assert "the desktop prefers dark" in log.read()
    finally:
        portal.stop()


def test_pause_follows_between_tray_and_windows(webdriver, desktop):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    main = wait_until(lambda: driver.handle_titled("Trove"), what="main")
    wait_until(lambda: driver.text("#capture") == "Capturing", what="main to show capture state")

    tray.click("Pause capture")
    wait_until(lambda: driver.text("#capture") == "Paused", what="main to show the pause")
    assert tray.entry("Pause capture")["toggle_state"] == 1
    shot(driver, desktop.x11, main, "main-paused")

    driver.click("#capture")
    wait_until(lambda: tray.entry("Pause capture")["toggle_state"] == 0, what="the tray to follow main")
    assert driver.text("#capture") == "Capturing"


def test_main_hides_on_close_and_is_released_after_the_retention_time(webdriver, desktop):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    x11 = desktop.x11
    main = wait_until(lambda: driver.handle_titled("Trove"), what="main")
    wait_until(lambda: x11.viewable(driver.pid, "Trove"), what="main to map")

    x11.close(driver.pid, "Trove")
    wait_until(lambda: not x11.windows(driver.pid)["Trove"][1], what="main to hide")
    assert main in driver.handles(), "closing main must only hide it"
    assert len(web_processes(driver.pid)) == 1

    tray.click("Show history")
    wait_until(lambda: x11.windows(driver.pid)["Trove"][1], what="main to show again")
    assert driver.handles() == [main], "showing main again must reuse it"

    # Shorten the retention time through Settings, then close both windows.
    settings = driver.open_from_tray(tray, "Settings…", "Trove Settings")
    wait_until(lambda: driver.execute("return document.querySelector('[name=window_retain_secs]').value") == "120",
               what="settings to load")
    driver.type_into("[name=window_retain_secs]", "1")
    driver.click("#save")
    wait_until(lambda: driver.text("#status") == "Saved.", what="the save")
    x11.close(driver.pid, "Trove Settings")
    wait_until(lambda: "Trove Settings" not in x11.windows(driver.pid), what="Settings to be destroyed")
    assert settings not in driver.handles()

    network = web_processes(driver.pid, b"WebKitNetworkProcess")
    assert len(network) == 1, network
    x11.close(driver.pid, "Trove")
    wait_until(lambda: "Trove" not in x11.windows(driver.pid), timeout=15, what="main to be released")
    wait_until(lambda: web_processes(driver.pid) == [], what="every web process to exit")
    # With no window left for a while, the window host goes, and with it the network
    # process that WebKit would keep for good.
    wait_until(lambda: window_hosts(driver.pid) == [] and not any(map(running, network)),
               what="the window host and its network process to exit")

    # Windows that come and go faster than that quiet time share a host, which goes once all is quiet.
    hosts, network = set(), set()
    for _ in range(6):
        tray.click("Show history")
        wait_until(lambda: x11.viewable(driver.pid, "Trove"), what="main")
        hosts.update(window_hosts(driver.pid))
        network.update(web_processes(driver.pid, b"WebKitNetworkProcess"))
        x11.close(driver.pid, "Trove")
        wait_until(lambda: "Trove" not in x11.windows(driver.pid), timeout=15, what="main to be released")
    assert len(hosts) == 1 and len(network) == 1, (hosts, network)
    wait_until(lambda: window_hosts(driver.pid) == [] and not any(map(running, network)), timeout=15,
               what="the window host and its network process to exit")

    # Trove lives on in the tray, and a new main can be built and paints. (WebDriver's
    # session ended with the first window host, so the window is checked as X shows it.)
    tray.click("Show history")
    wait_until(lambda: x11.painted(driver.pid, "Trove"), what="a new main to paint")
    x11.screenshot(driver.pid, "Trove", os.path.join(ARTIFACTS, "main-rebuilt-after-release.png"))
    tray.click("Quit")
    wait_until(lambda: desktop.watcher.pid_of(tray.sender) is None, what="Trove to exit")
