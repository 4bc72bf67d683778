"""Clipboard history as a user lives it: copies made with xclip (and, where an
app offers several formats at once, clipowner.py) under Xvfb; the history read
through Main's IPC and DOM, the tray over dbusmenu, the keyboard via xdotool."""

import os
import re
import signal
import subprocess
import threading
import time

from conftest import TROVE_BIN
from desktop import wait_until
from desktop import write_png as desktop_png
from test_windows import shot

CAPTURED = re.compile(r"captured clip (\d+) ")


def page(driver, limit=500):
    return driver.invoke("history_page", {"offset": 0, "limit": limit})


def previews(driver):
    return [c["preview"] for c in page(driver)["items"]]


def wait_for_total(driver, n, timeout=20):
    try:
        wait_until(lambda: page(driver)["total"] == n, timeout, f"{n} clips in the history")
    except AssertionError as e:
        raise AssertionError(f"{e}; it holds {previews(driver)}") from None


def captured_ids(log):
    return [int(m) for m in CAPTURED.findall(log)]


def change_settings(driver, tray, **changes):
    """Saves `changes` from the Settings window, as its Save button does, and comes back."""
    back = driver.handle_titled("Trove")
    settings = driver.handle_titled("Trove Settings") or driver.open_from_tray(tray, "Settings…", "Trove Settings")
    driver.switch(settings)
    current = driver.invoke("get_settings")
    current.update(changes)
    saved = driver.invoke("update_settings", {"settings": current})
    driver.switch(back)
    return saved


def rows(driver):
    """Main's rows in list order (a virtual list keeps its DOM in no particular order)."""
    return driver.execute("return [...document.querySelectorAll('#list .clip')]"
                          ".sort((a, b) => a.dataset.index - b.dataset.index).map(r => "
                          "({id: Number(r.dataset.id), kind: r.dataset.kind, pinned: r.dataset.pinned, "
                          "text: r.textContent}))")


def key(desktop, pid, title, *keys):
    """Types `keys` into Trove's window `title` with xdotool, after giving it the keyboard."""
    win, _ = desktop.x11.windows(pid)[title]
    subprocess.run(["xdotool", "windowfocus", "--sync", str(win.id)], check=True, timeout=10)
    subprocess.run(["xdotool", "key", "--clearmodifiers", *keys], check=True, timeout=10)


def write_png(path, width, height):
    rows = b"".join(b"\x00" + b"".join(bytes((x % 256, y % 256, 160)) for x in range(width)) for y in range(height))
    desktop_png(path, width, height, rows)


def test_text_html_image_and_files_appear_in_main_and_survive_a_restart(
        tauri_driver, open_session, desktop, clipboard, data_dir):
    driver = open_session(tauri_driver)
    wait_until(lambda: driver.handle_titled("Trove"), what="main")
    png = os.path.join(desktop.root, "picture.png")
    write_png(png, 320, 200)

    clipboard.copy("plain words from an editor")
    wait_for_total(driver, 1)
    # A browser offers HTML with its plain-text alternative at once.
    # Were any of it run, the history would be cleared before the restart below.
    attack = "window.__TAURI_INTERNALS__.invoke('clear_history'); document.title = 'owned'"
    clipboard.own(**{"text/html": f"<p>Hello <b>HTML</b></p><script>{attack}</script>"
                                  f"<img src=x onerror=\"{attack}\"><p onmouseover=\"{attack}\">hover</p>",
                     "UTF8_STRING": "Hello HTML"})
    wait_for_total(driver, 2)
    clipboard.copy(open(png, "rb").read(), target="image/png")
    wait_for_total(driver, 3)
    clipboard.copy("file:///tmp/trove%20e2e/report.pdf\r\n", target="text/uri-list")
    wait_for_total(driver, 4)

    items = page(driver)["items"]
    assert [c["kind"] for c in items] == ["files", "image", "html", "text"]
    assert items[0]["preview"] == "report.pdf"
    assert items[1]["image"] == {"width": 320, "height": 200}
    html = driver.invoke("get_clip", {"id": items[2]["id"]})
    assert html["text"] == "Hello HTML" and "<b>HTML</b>" in html["html"]

    wait_until(lambda: [r["kind"] for r in rows(driver)] == ["files", "image", "html", "text"],
               what=f"Main to list all four (lists {rows(driver)})")
    wait_until(lambda: driver.execute("return document.querySelector('#list .clip img.thumb')?.naturalWidth"),
               what="the image row's thumbnail")
    driver.execute(f"document.querySelector('#list .clip[data-id=\"{items[2]['id']}\"]').click()")
    wait_until(lambda: "Hello HTML" in driver.text("#preview"), what="the HTML preview")
    driver.execute("document.querySelectorAll('#preview *').forEach(e => "
                   "e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))")
    assert driver.execute("return document.querySelectorAll("
                          "'#preview script, #preview img, #preview [onerror], #preview [onmouseover]').length") == 0
    assert driver.title() == "Trove", "nothing in a clip may run"
    shot(driver, desktop.x11, driver.handle_titled("Trove"), "main-history")
    ids = [c["id"] for c in items]

    desktop.watcher.item_of(driver.pid).click("Quit")
    wait_until(lambda: subprocess.run(["kill", "-0", str(driver.pid)], capture_output=True).returncode != 0,
               what="Trove to exit")
    driver.quit()
    again = open_session(tauri_driver)
    wait_until(lambda: again.handle_titled("Trove"), what="main after the restart")
    assert [c["id"] for c in page(again)["items"]] == ids
    wait_until(lambda: [r["id"] for r in rows(again)] == ids, what="Main to list them after the restart")


def copy_in_a_burst(driver, clipboard, texts):
    """Copies `texts` 20 ms apart, then "after the burst"; returns those of
    `texts` that Trove read, in order."""
    asked = clipboard.burst(texts, gap_ms=20)
    # The last copy stays on the clipboard, so Trove reads it whatever the machine's load.
    wait_until(lambda: previews(driver)[:1] == [texts[-1]], 30, "the burst's last copy at the top")
    clipboard.copy("after the burst")
    return list(dict.fromkeys(asked()))


def test_a_burst_of_200_copies_20ms_apart_keeps_every_one_read_in_order_and_none_twice(webdriver, clipboard):
    driver = webdriver
    texts = [f"burst {i:03d}" for i in range(200)]
    read = copy_in_a_burst(driver, clipboard, texts)
    wait_until(lambda: previews(driver)[:1] == ["after the burst"], what="the next copy at the top")
    # A copy replaced before Trove could ask for it is gone from X11; how often
    # that happens at each spacing is the bench's completeness figure.
    assert previews(driver) == ["after the burst"] + read[::-1], f"Trove read {len(read)} of {len(texts)}"
    assert page(driver)["total"] == len(read) + 1

    again = read[len(read) // 2]
    clipboard.copy(again)
    wait_until(lambda: previews(driver)[0] == again, what="the copy to move to the top")
    assert page(driver)["total"] == len(read) + 1


def test_secrets_ignored_and_oversized_content_is_skipped_and_counted(webdriver, desktop, clipboard, data_dir):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    change_settings(driver, tray, ignore_patterns=[r"^card \d{4}"], max_item_bytes=4096)

    clipboard.own(UTF8_STRING="hunter2-from-keepassxc", **{"x-kde-passwordManagerHint": "secret"})
    clipboard.own(UTF8_STRING="hunter3-concealed", **{"org.nspasteboard.ConcealedType": ""})
    clipboard.copy("card 1234 5678 9012")
    clipboard.copy("x" * 10_000)
    clipboard.copy("a selection nobody copied", selection="primary")
    clipboard.copy("an ordinary copy")
    wait_for_total(driver, 1)
    assert previews(driver) == ["an ordinary copy"]
    state = driver.invoke("get_capture_state")
    assert state["skipped"] == {"secret": 2, "ignored": 1, "too_large": 1}
    assert state["last_skipped"]["reason"] == "too_large" and state["last_skipped"]["bytes"] == 10_000
    wait_until(lambda: "too large" in driver.text("body"), what="Main to show what was skipped")

    for root, _dirs, files in os.walk(data_dir):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                content = f.read()
            for secret in (b"hunter2", b"hunter3", b"card 1234"):
                assert secret not in content, f"{secret} reached {name}"

    change_settings(driver, tray, capture_primary=True)
    clipboard.copy("now the primary selection counts", selection="primary")
    wait_for_total(driver, 2)
    assert page(driver)["items"][0]["source"] == "primary"


def test_pause_stops_capture_and_resume_restarts_it(launch, clipboard, data_dir):
    trove = launch()
    wait_until(lambda: trove.tray.entry("Pause capture"), what="the tray")
    subprocess.run([TROVE_BIN, "--data-dir", data_dir, "pause"], check=True, timeout=30)
    wait_until(lambda: trove.tray.entry("Pause capture")["toggle_state"] == 1, what="the tray to show the pause")
    clipboard.copy("copied while paused")
    subprocess.run([TROVE_BIN, "--data-dir", data_dir, "resume"], check=True, timeout=30)
    wait_until(lambda: trove.tray.entry("Pause capture")["toggle_state"] == 0, what="the tray to show the resume")
    clipboard.copy("copied after resuming")
    wait_until(lambda: trove.tray.menu()[0]["label"] == "copied after resuming", what="the capture after resuming")
    assert len(captured_ids(trove.log())) == 1, trove.log()
    assert all(e["label"] != "copied while paused" for e in trove.tray.menu())


def test_retention_trims_to_the_limit_and_keeps_pinned_clips(webdriver, desktop, clipboard):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    change_settings(driver, tray, history_max_items=10)
    clipboard.copy("pin me")
    wait_until(lambda: [r["text"] for r in rows(driver)][:1] and "pin me" in rows(driver)[0]["text"],
               what="the first clip in Main")
    key(desktop, driver.pid, "Trove", "ctrl+p")
    wait_until(lambda: rows(driver)[0]["pinned"] == "true", what="Ctrl+P to pin the clip")
    for i in range(15):
        clipboard.copy(f"filler {i}")
    wait_until(lambda: previews(driver)[1:2] == ["filler 14"], what="the fillers")
    listed = previews(driver)
    assert listed == ["pin me"] + [f"filler {i}" for i in range(14, 5, -1)]
    assert page(driver)["pinned"] == 1

    driver.click("#clear")
    driver.click("dialog.confirm button[value=yes]")
    wait_until(lambda: page(driver)["total"] == 1, what="Clear history to keep only the pinned clip")
    wait_until(lambda: [r["text"] for r in rows(driver)] and len(rows(driver)) == 1, what="Main to show the cleared list")
    assert previews(driver) == ["pin me"]


def test_search_is_fuzzy_or_exact_and_enter_copies_back(webdriver, desktop, clipboard):
    driver = webdriver
    for text in ["git commit -m fix", "grocery list: milk", "git checkout main", "unrelated"]:
        clipboard.copy(text)
    wait_for_total(driver, 4)
    found = driver.invoke("search_history", {"query": {"text": "gco", "mode": "fuzzy", "offset": 0, "limit": 50}})
    assert {h["clip"]["preview"] for h in found["hits"]} == {"git checkout main", "git commit -m fix"}
    exact = driver.invoke("search_history", {"query": {"text": "'LIST", "mode": "fuzzy", "offset": 0, "limit": 50}})
    assert [h["clip"]["preview"] for h in exact["hits"]] == ["grocery list: milk"]

    key(desktop, driver.pid, "Trove", "g", "c", "o")
    wait_until(lambda: sorted(r["text"] for r in rows(driver)) and len(rows(driver)) == 2,
               what="Main to filter as I type")
    assert driver.execute("return document.querySelectorAll('#list .clip mark').length") >= 2
    shot(driver, desktop.x11, driver.handle_titled("Trove"), "main-search")
    driver.click("#mode")
    wait_until(lambda: len(rows(driver)) == 0, what="exact mode to find no literal 'gco'")

    key(desktop, driver.pid, "Trove", "ctrl+a", "BackSpace")
    wait_until(lambda: len(rows(driver)) == 4, what="the full list again")
    key(desktop, driver.pid, "Trove", "Down", "Return")
    wait_until(lambda: not desktop.x11.viewable(driver.pid, "Trove"), what="Enter to hide Main")
    assert clipboard.paste() == b"git checkout main"
    assert previews(driver)[0] == "git checkout main"
    assert page(driver)["total"] == 4, "copying back must not add a clip"


def test_search_hits_load_page_by_page_as_the_list_scrolls(webdriver, desktop, clipboard):
    driver = webdriver
    read = copy_in_a_burst(driver, clipboard, [f"paged hit {i:03d}" for i in range(130)])
    wait_for_total(driver, len(read) + 1)

    key(desktop, driver.pid, "Trove", "apostrophe", *"paged")
    wait_until(lambda: driver.text("#count") == f"{len(read)} matches", what="the count of every match")
    rows_loaded = "return document.querySelector('#list .spacer').offsetHeight / " \
                  "document.querySelector('#list .clip').offsetHeight"
    assert driver.execute(rows_loaded) < len(read), "the first page is not every hit"
    # Scroll a screen at a time, as a user would, and note each row where it shows.
    seen = {}

    def scrolled_to_the_end():
        seen.update(driver.execute("return Object.fromEntries([...document.querySelectorAll('#list .clip')]"
                                   ".map(row => [row.dataset.index, row.querySelector('.clip-text').textContent]))"))
        driver.execute("const list = document.getElementById('list'); list.scrollTop += list.clientHeight;")
        return len(seen) == len(read)

    wait_until(scrolled_to_the_end, what="every hit to load as the list scrolls")
    shot(driver, desktop.x11, driver.handle_titled("Trove"), "main-search-scrolled-to-the-end")
    # Exact hits are in display order, newest first, each once.
    shown = [seen[str(i)] for i in range(len(read))]
    assert all(text.startswith(expected) for text, expected in zip(shown, read[::-1])), shown


def test_a_main_built_anew_searches_what_was_copied_while_it_was_gone(webdriver, desktop, clipboard):
    """Search keeps every clip's head in memory only while Main exists: a new Main reads them again."""
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    clipboard.copy("apple before main went")
    wait_for_total(driver, 1)
    # Settings stays open, so that WebKit and the WebDriver session outlive Main.
    change_settings(driver, tray, window_retain_secs=1)
    desktop.x11.close(driver.pid, "Trove")
    wait_until(lambda: "Trove" not in desktop.x11.windows(driver.pid), timeout=15, what="main to be released")

    # tauri-driver's log is the whole session's: read only what this test adds to it.
    mark = os.path.getsize(driver.log_path)

    def logged():
        with open(driver.log_path, errors="replace") as log:
            log.seek(mark)
            return log.read()

    clipboard.copy("apple while main was gone")
    wait_until(lambda: captured_ids(logged()), what="the capture while main was gone")
    driver.open_from_tray(tray, "Show history", "Trove")
    key(desktop, driver.pid, "Trove", *"apple")
    texts = "return [...document.querySelectorAll('#list .clip-text')].map(t => t.textContent).sort()"
    wait_until(lambda: driver.execute(texts) == ["apple before main went", "apple while main was gone"],
               what="both apples found")
    assert "read the heads of 2 clips for search" in logged()


def test_the_tray_lists_recent_clips_and_copies_one_back(launch, clipboard):
    trove = launch()
    wait_until(lambda: trove.tray.entry("No clips yet"), what="the tray")
    big = "large " * 400_000
    clipboard.copy("one")
    # Reading 2.4 MB takes longer than 20 ms; a copy that replaced it sooner could be missed.
    clipboard.copy(big)
    wait_until(lambda: trove.tray.menu()[0]["label"].startswith("large"), what="the large clip")
    for text in ["three", "a line that is much longer than forty characters, really", "snake_case & co", "six"]:
        clipboard.copy(text)
    wait_until(lambda: trove.tray.menu()[0]["label"] == "six", what="the tray's recent clips")
    recent = [e["label"] for e in trove.tray.menu()[:5]]
    assert recent == ["six", "snake_case & co", "a line that is much longer than forty c…", "three",
                      "large large large large large large lar…"]
    assert all(len(label) <= 40 for label in recent)
    assert trove.tray.menu()[5]["type"] == "separator"

    trove.tray.click("large large")
    wait_until(lambda: trove.tray.menu()[0]["label"].startswith("large"), what="the clip to move to the top")
    assert clipboard.paste() == big.encode(), "a 2.4 MB clip goes back whole (INCR)"
    assert len(captured_ids(trove.log())) == 6, "copying back adds no clip"

    trove.tray.click("Remove all clips except pinned", within="Clear history…")
    wait_until(lambda: trove.tray.menu()[0]["label"] == "No clips yet", what="the tray to show the cleared history")
    assert not trove.tray.menu()[0]["enabled"]


def test_every_announced_clip_survives_kill_9(launch, tauri_driver, open_session, clipboard):
    trove = launch()
    wait_until(lambda: trove.tray.entry("Pause capture"), what="the tray")
    stop = threading.Event()

    def burst():
        for i in range(300):
            if stop.is_set():
                return
            clipboard.copy(f"durable {i}")

    copier = threading.Thread(target=burst)
    copier.start()
    try:
        wait_until(lambda: len(captured_ids(trove.log())) >= 40, timeout=30, what="captures to be announced")
        trove.proc.send_signal(signal.SIGKILL)
        trove.proc.wait(10)
    finally:
        stop.set()
        copier.join()
    announced = captured_ids(trove.log())
    assert announced

    driver = open_session(tauri_driver)
    kept = {c["id"] for c in page(driver)["items"]}
    assert set(announced) <= kept, f"lost {sorted(set(announced) - kept)}"
    with open(driver.log_path, errors="replace") as f:
        log = f.read()
    assert "history repaired" not in log, "the database must open cleanly"


def test_paste_after_choosing_types_into_the_previous_window(webdriver, desktop, clipboard, data_dir):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    change_settings(driver, tray, paste_after_choosing=True)
    clipboard.copy("pasted by Trove")
    wait_for_total(driver, 1)
    key(desktop, driver.pid, "Trove", "Escape")
    wait_until(lambda: not desktop.x11.viewable(driver.pid, "Trove"), what="Esc to hide Main")

    target = clipboard.paste_target()
    subprocess.run([TROVE_BIN, "--data-dir", data_dir, "show", "main"], check=True, timeout=30)
    wait_until(lambda: desktop.x11.viewable(driver.pid, "Trove"), what="Main to come back")
    key(desktop, driver.pid, "Trove", "Return")
    assert target.stdout.readline().strip() == "pasted: pasted by Trove"
