"""Trove from outside: the command line of a second launch, the global
shortcut, and start at login."""

import os
import socket
import struct
import subprocess

from Xlib import X, XK

from conftest import TROVE_BIN, TauriDriver
from desktop import wait_until

SUBCOMMAND_TIMEOUT = 30


def trove(data_dir, *args, env=None):
    return subprocess.run([TROVE_BIN, "--data-dir", data_dir, *args], capture_output=True, text=True,
                          timeout=SUBCOMMAND_TIMEOUT, env=env)


def viewable(proc, title):
    return proc.desktop.x11.viewable(proc.pid, title)


def requests_in(log):
    return [line for line in log.splitlines() if " request: " in line]


def autostart_file():
    return os.path.join(os.environ["HOME"], ".config", "autostart", "dev.trove.Trove.desktop")


def test_a_second_launch_forwards_each_subcommand_and_exits_zero(launch, data_dir):
    primary = launch()
    primary.tray
    steps = [
        (["show", "settings"], lambda: viewable(primary, "Trove Settings")),
        (["show", "about"], lambda: viewable(primary, "About Trove")),
        (["toggle"], lambda: viewable(primary, "Trove")),
        (["toggle"], lambda: "Trove" in primary.windows() and not viewable(primary, "Trove")),
        ([], lambda: viewable(primary, "Trove")),
        (["pause"], lambda: primary.tray.entry("Pause capture")["toggle_state"] == 1),
        (["resume"], lambda: primary.tray.entry("Pause capture")["toggle_state"] == 0),
    ]
    for args, applied in steps:
        second = trove(data_dir, *args)
        assert second.returncode == 0, (args, second.stderr)
        wait_until(applied, what=f"`trove {' '.join(args)}` to take effect")
    assert len(requests_in(primary.log())) == len(steps)

    second = trove(data_dir, "--hidden")
    assert second.returncode == 0
    quit_ = trove(data_dir, "quit")
    assert quit_.returncode == 0
    assert primary.wait() == 0
    assert len(requests_in(primary.log())) == len(steps) + 1, "--hidden must ask for nothing"


def test_bad_arguments_exit_2_and_never_reach_the_instance(launch, data_dir):
    primary = launch()
    primary.tray
    for args in (["bogus"], ["show", "nope"], ["--frobnicate"], ["toggle", "extra"], ["show"]):
        result = trove(data_dir, *args)
        assert result.returncode == 2, args
        assert "error:" in result.stderr and "Usage:" in result.stderr, result.stderr
    # A request that does get through afterwards proves the bus was listening.
    assert trove(data_dir, "show", "about").returncode == 0
    wait_until(lambda: viewable(primary, "About Trove"), what="About")
    assert [line.split(" request: ")[1] for line in requests_in(primary.log())] == ["Show { window: About }"]


def listening_socket(pid):
    """The path of the Unix socket `pid` listens on (sockets of killed Troves stay behind)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    with open("/proc/net/unix") as f:
        rows = [line.split() for line in f.readlines()[1:]]
    paths = [row[7] for row in rows if len(row) >= 8 and row[6] in inodes and row[7].endswith(".sock")]
    assert len(paths) == 1, paths
    return paths[0]


def test_garbage_on_the_instance_socket_is_refused_by_the_same_parser(launch, data_dir):
    """What another program of this user could write where second launches do."""
    primary = launch()
    primary.tray
    socket_path = listening_socket(primary.pid)
    garbage = [b"not json at all\n", b'{"argv": ["trove", "quit"]}\n', b'["trove", "--frobnicate"]\n',
               b'["trove", "show", "nope"]\n', b'["trove", "quit", "extra"]\n', b'[1, 2, 3]\n',
               b'["trove", "pause"' + b', "x"' * 20_000 + b"]\n", b"\xff\xfe\x00\x01" * 100 + b"\n"]
    for message in garbage:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(10)
            conn.connect(socket_path)
            try:
                conn.sendall(message)
                conn.shutdown(socket.SHUT_WR)
                reply = conn.recv(16)
            except (BrokenPipeError, ConnectionResetError):
                reply = b""  # refused before it was all read
            # Only a command line that parses as argv is acknowledged; the core then refuses it.
            assert reply in (b"", b"ok\n"), reply
    wait_until(lambda: primary.log().count("ignored a") == len(garbage), what="every message to be refused")
    assert primary.proc.poll() is None
    assert requests_in(primary.log()) == [], "nothing was carried out"
    assert primary.tray.entry("Pause capture")["toggle_state"] == 0
    assert trove(data_dir, "show", "about").returncode == 0
    wait_until(lambda: viewable(primary, "About Trove"), what="a real request afterwards")


def window_host(fd, tmp_path):
    """`trove --window-host` with `fd` where the core passes its socket."""
    script = f'exec 3<&{fd} {fd}<&-; exec "$0" --window-host'
    return subprocess.Popen(["bash", "-c", script, TROVE_BIN], pass_fds=[fd], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=dict(os.environ, HOME=str(tmp_path)))


def test_a_window_host_not_started_by_the_core_leaves_at_once(desktop, tmp_path):
    """`--window-host` is for the core's own use: started by hand, or fed garbage, it leaves."""
    with open(os.devnull) as not_a_socket:
        for alone in (subprocess.Popen([TROVE_BIN, "--window-host"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
                      window_host(not_a_socket.fileno(), tmp_path)):
            output = alone.communicate(timeout=SUBCOMMAND_TIMEOUT)[0].decode()
            assert alone.returncode == 2, output
            assert "for Trove's own use" in output
    ours, theirs = socket.socketpair()
    host = window_host(theirs.fileno(), tmp_path)
    theirs.close()
    # A frame that says it holds 5 bytes of JSON, and holds no JSON.
    ours.sendall(struct.pack("<II", 5, 0) + b"{nope")
    output = host.communicate(timeout=SUBCOMMAND_TIMEOUT)[0].decode()
    ours.close()
    assert host.returncode == 1, output
    assert "the window host lost the core" in output
    assert os.listdir(tmp_path) == [], "no data dir or config may be created"


def test_help_and_version_touch_nothing(desktop, tmp_path):
    bare = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    version = subprocess.run([TROVE_BIN, "--version"], capture_output=True, text=True, env=bare, timeout=10)
    assert version.returncode == 0 and version.stdout.startswith("trove ")
    usage = subprocess.run([TROVE_BIN, "--help"], capture_output=True, text=True, env=bare, timeout=10)
    assert usage.returncode == 0
    for word in ("show", "toggle", "pause", "resume", "quit", "--data-dir", "--hidden"):
        assert word in usage.stdout
    assert os.listdir(tmp_path) == [], "no data dir or config may be created"


def test_quit_with_nothing_running_says_so(data_dir):
    result = trove(data_dir, "quit")
    assert result.returncode == 0
    assert "not running" in result.stdout
    assert not os.path.exists(data_dir), "quitting must not create a database"


def test_fifty_launches_at_once_leave_one_core_in_a_consistent_state(desktop, data_dir):
    # Main's final state follows from the number of toggles alone: 25, so shown.
    commands = [["toggle"]] * 25 + [["show", "settings"]] * 10 + [["show", "about"]] * 10 + [["pause"]] * 5
    logs = [open(os.path.join(desktop.root, f"race-{i}.log"), "w+") for i in range(len(commands))]
    procs = [subprocess.Popen([TROVE_BIN, "--data-dir", data_dir, *args], stdout=log, stderr=subprocess.STDOUT)
             for args, log in zip(commands, logs)]
    try:
        wait_until(lambda: sum(p.poll() is not None for p in procs) >= len(procs) - 1, timeout=180,
                   what="all but one launch to exit")
        survivors = [p for p in procs if p.poll() is None]
        assert len(survivors) == 1
        assert all(p.returncode == 0 for p in procs if p is not survivors[0])
        core = survivors[0]
        core_log = logs[procs.index(core)]
        tray = desktop.watcher.item_of(core.pid)
        wait_until(lambda: len(requests_in(open(core_log.name).read())) == len(commands), timeout=60,
                   what="every request to be applied")
        # The window host builds what the core asked for, in the order asked.
        all_three = ["About Trove", "Trove", "Trove Settings"]
        wait_until(lambda: sorted(desktop.x11.windows(core.pid)) == all_three, what="the three windows")
        wait_until(lambda: all(shown for _, shown in desktop.x11.windows(core.pid).values()), what="all three shown")
        assert tray.entry("Pause capture")["toggle_state"] == 1
        for log in logs:
            text = open(log.name).read()
            assert "in use by another Trove" not in text and "panicked" not in text, text
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def press(keys):
    subprocess.run(["xdotool", "key", keys], check=True)


def test_the_global_shortcut_toggles_main(launch):
    trove_ = launch()
    assert trove_.tray.entry("Show history")["label"] == "Show history (Ctrl+Shift+V)"
    press("ctrl+shift+v")
    wait_until(lambda: viewable(trove_, "Trove"), what="the shortcut to show main")
    press("ctrl+shift+v")
    wait_until(lambda: "Trove" in trove_.windows() and not viewable(trove_, "Trove"),
               what="the shortcut to hide main")


class KeyGrab:
    """Another program holding a global key, as a desktop's own shortcuts do."""

    def __init__(self, x11, keysym, modifiers):
        self.d, self.root = x11.d, x11.root
        self.keycode = self.d.keysym_to_keycode(XK.string_to_keysym(keysym))
        self.modifiers = modifiers
        self.root.grab_key(self.keycode, modifiers, True, X.GrabModeAsync, X.GrabModeAsync)
        self.d.sync()

    def release(self):
        self.root.ungrab_key(self.keycode, self.modifiers)
        self.d.sync()


def record_shortcut(driver, keys):
    driver.click("#shortcut")
    el = driver.find("#shortcut")
    driver._s("POST", f"/element/{el}/value", {"text": keys})


def test_a_new_shortcut_from_settings_replaces_the_old_one(webdriver, desktop):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    x11 = desktop.x11
    wait_until(lambda: x11.viewable(driver.pid, "Trove"), what="main")
    before = tray.entry("Show history")
    open_settings(driver, tray)
    assert driver.text("#shortcut") == "Ctrl+Shift+V"

    # Ctrl (U+E009) + Alt (U+E00A) + K, then release the modifiers (U+E000).
    record_shortcut(driver, "\ue009\ue00ak\ue000")
    assert driver.text("#shortcut") == "Ctrl+Alt+K"
    driver.click("#save")
    wait_until(lambda: driver.text("#status") == "Saved.", what="the save")
    wait_until(lambda: tray.entry("Show history")["label"] == "Show history (Ctrl+Alt+K)", what="the tray label")
    assert tray.entry("Show history")["id"] == before["id"]

    # The old keys first, then the new: only the new ones may toggle, so main ends hidden.
    mark = len(open(driver.log_path).read())
    press("ctrl+shift+v")
    press("ctrl+alt+k")
    wait_until(lambda: not x11.windows(driver.pid)["Trove"][1], what="the new keys to hide main")
    assert open(driver.log_path).read()[mark:].count("global shortcut pressed") == 1


def open_settings(driver, tray):
    driver.open_from_tray(tray, "Settings…", "Trove Settings")
    wait_until(lambda: driver.text("#shortcut") != "", what="settings to load")


def test_a_shortcut_another_program_holds_is_refused(webdriver, desktop):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    grab = KeyGrab(desktop.x11, "j", X.ControlMask | X.Mod1Mask)
    try:
        open_settings(driver, tray)
        record_shortcut(driver, "\ue009\ue00aj\ue000")
        driver.click("#save")
        wait_until(lambda: driver.text("#status").startswith("shortcut: Ctrl+Alt+J cannot be used"),
                   what="the refusal")
    finally:
        grab.release()
    assert tray.entry("Show history")["label"] == "Show history (Ctrl+Shift+V)"
    x11 = desktop.x11
    main_was = x11.windows(driver.pid)["Trove"][1]
    press("ctrl+shift+v")
    wait_until(lambda: x11.windows(driver.pid)["Trove"][1] != main_was, what="the old shortcut to still work")


def test_start_at_login_follows_the_switch(webdriver, desktop):
    driver = webdriver
    tray = desktop.watcher.item_of(driver.pid)
    open_settings(driver, tray)
    assert not os.path.exists(autostart_file())
    driver.click("[name=autostart]")
    driver.click("#save")
    wait_until(lambda: os.path.exists(autostart_file()), what="the autostart entry")
    with open(autostart_file()) as f:
        entry = f.read()
    assert f"Exec={TROVE_BIN} --hidden" in entry.splitlines(), entry
    driver.click("[name=autostart]")
    driver.click("#save")
    wait_until(lambda: not os.path.exists(autostart_file()), what="the autostart entry to go")


def test_the_login_entry_wins_over_a_stale_setting(launch, data_dir):
    path = autostart_file()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(f"[Desktop Entry]\nType=Application\nName=Trove\nExec={TROVE_BIN} --hidden\n")
    try:
        first = launch()
        first.tray
        assert "saved as false but the login entry says true" in first.log()
        first.tray.click("Quit")
        assert first.wait() == 0
    finally:
        os.remove(path)
    second = launch()
    second.tray
    assert "saved as true but the login entry says false" in second.log()


def test_wayland_sessions_are_told_to_bind_trove_toggle(open_session, desktop):
    env = dict(os.environ, WAYLAND_DISPLAY="wayland-test")
    tauri_driver = TauriDriver(env)
    try:
        driver = open_session(tauri_driver)
        tray = desktop.watcher.item_of(driver.pid)
        assert tray.entry("Show history")["label"] == "Show history"
        open_settings(driver, tray)
        wait_until(lambda: driver.execute("return !document.querySelector('#shortcut-note').hidden"),
                   what="the Wayland note")
        assert "trove toggle" in driver.text("#shortcut-note")
        assert "not available in a Wayland session" in open(driver.log_path).read()
    finally:
        tauri_driver.stop()
