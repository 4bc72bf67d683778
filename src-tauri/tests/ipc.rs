//! IPC and ACL through the real `generate_context!()`: the capabilities in
//! `capabilities/` are compiled in and enforced exactly as in the shipped app.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use trove_domain::clip::{Captured, Selection};
use trove_domain::settings::Settings;
use trove_domain::state::{AppState, Recorded};
use trove_lib::app_window::AppWindow;
use trove_lib::commands::COMMANDS;

/// The command table as each command's name and the labels of the windows it is granted to.
fn grants() -> Vec<(&'static str, Vec<&'static str>)> {
    COMMANDS.iter().map(|c| (c.name, c.windows.iter().map(|w| w.label()).collect())).collect()
}

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

struct Harness {
    app: App<MockRuntime>,
    _dir: tempfile::TempDir,
}

/// Clips stored before a test runs, as a capture would store them.
struct Seeded {
    text: u64,
    image: u64,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open(dir.path().to_owned()).unwrap();
        let app = trove_lib::build(mock_builder()).manage(state).build(tauri::generate_context!(test = true)).unwrap();
        Harness { app, _dir: dir }
    }

    fn capture(&self, captured: Captured) -> u64 {
        let state = self.app.state::<AppState>();
        match state.record(&captured, Selection::Clipboard).unwrap() {
            // Added, or moved to the top when it was stored before.
            Recorded::Stored(delta) => delta.added.iter().chain(&delta.updated).next().unwrap().id,
            other => panic!("not stored: {other:?}"),
        }
    }

    fn seed(&self) -> Seeded {
        let image = self.capture(Captured {
            png: Some(PNG_1X1.to_vec()),
            mimes: vec!["image/png".into()],
            ..Captured::default()
        });
        let text = self.capture(Captured::text("hello from the clipboard"));
        Seeded { text, image }
    }

    fn window(&self, window: AppWindow) -> WebviewWindow<MockRuntime> {
        let page = format!("{}.html", window.label());
        WebviewWindowBuilder::new(&self.app, window.label(), WebviewUrl::App(page.into())).build().unwrap()
    }

    /// Counts the payloads of `event` emitted from now on.
    fn record(&self, event: &str) -> Arc<Mutex<Vec<Value>>> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        self.app.listen_any(event, move |e| {
            sink.lock().unwrap().push(serde_json::from_str(e.payload()).unwrap());
        });
        seen
    }
}

fn invoke(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| match body {
        InvokeResponseBody::Json(_) => body.deserialize::<Value>().unwrap(),
        InvokeResponseBody::Raw(bytes) => json!({ "raw_bytes": bytes.len(), "png": bytes.starts_with(b"\x89PNG") }),
    })
}

/// A valid call for every command in the matrix; a command without one fails here.
fn good_args(cmd: &str, clips: &Seeded) -> Value {
    match cmd {
        "get_settings" | "get_capture_state" | "app_info" | "clear_history" | "enable_gnome_extension" => json!({}),
        "update_settings" => json!({ "settings": Settings::default() }),
        "set_capture_paused" => json!({ "paused": true }),
        "history_page" => json!({ "offset": 0, "limit": 50 }),
        "search_history" => json!({ "query": { "text": "hello", "mode": "fuzzy", "offset": 0, "limit": 10 } }),
        "get_clip" | "copy_clip" | "delete_clip" => json!({ "id": clips.text }),
        "clip_image" => json!({ "id": clips.image, "size": "thumbnail" }),
        "set_pinned" => json!({ "id": clips.text, "pinned": true }),
        other => panic!("no good input for {other}: add one here"),
    }
}

/// The mock runtime has no display and no GNOME Shell, so putting a clip on the
/// clipboard and turning on the Shell extension are OS failures there.
fn succeeded_or_os_refused(cmd: &str, result: &Result<Value, Value>) -> bool {
    match result {
        Ok(_) => true,
        Err(e) => ["copy_clip", "enable_gnome_extension"].contains(&cmd) && e["kind"] == "system",
    }
}

fn assert_invalid(result: Result<Value, Value>, field: &str) {
    let err = result.expect_err("bad input must be refused");
    assert_eq!(err["kind"], "invalid_input", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.starts_with(field), "message {message:?} should name {field}");
}

#[test]
fn every_window_command_pair_follows_the_matrix() {
    let h = Harness::new();
    let clips = h.seed();
    for window in AppWindow::ALL {
        let webview = h.window(window);
        for (cmd, granted) in grants() {
            let result = invoke(&webview, cmd, good_args(cmd, &clips));
            if granted.contains(&window.label()) {
                assert!(succeeded_or_os_refused(cmd, &result), "{cmd} from {}: {result:?}", window.label());
            } else {
                let err = result.expect_err(&format!("{cmd} from {} must be rejected", window.label()));
                assert!(err.as_str().is_some_and(|m| m.contains("not allowed")), "{err}");
            }
        }
        let err = invoke(&webview, "no_such_command", json!({})).unwrap_err();
        assert!(err.is_string(), "{err}");
    }
}

#[test]
fn a_window_without_a_capability_can_call_nothing() {
    let h = Harness::new();
    let stranger = WebviewWindowBuilder::new(&h.app, "stranger", WebviewUrl::App("main.html".into())).build().unwrap();
    let clips = h.seed();
    for (cmd, _) in grants() {
        let err = invoke(&stranger, cmd, good_args(cmd, &clips)).unwrap_err();
        assert!(err.as_str().is_some_and(|m| m.contains("not allowed")), "{cmd}: {err}");
    }
}

#[test]
fn capability_files_grant_exactly_the_matrix() {
    // Only these non-app permissions may appear: listening to events and closing oneself.
    let harmless = BTreeSet::from(["core:event:default".to_string(), "core:window:allow-close".to_string()]);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../capabilities");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let cap: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let label = cap["identifier"].as_str().unwrap();
        assert_eq!(cap["windows"], json!([label]), "{path:?} must target only its own window");
        assert!(cap.get("remote").is_none(), "{path:?} must not grant remote origins");
        let permissions: BTreeSet<String> =
            cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
        let expected_app: BTreeSet<String> = grants()
            .iter()
            .filter(|(_, windows)| windows.contains(&label))
            .map(|(cmd, _)| format!("allow-{}", cmd.replace('_', "-")))
            .collect();
        let app: BTreeSet<String> = permissions.iter().filter(|p| !p.contains(':')).cloned().collect();
        assert_eq!(app, expected_app, "{label}");
        let others: BTreeSet<String> = permissions.difference(&app).cloned().collect();
        assert!(others.is_subset(&harmless), "{label} grants more than it needs: {others:?}");
        files += 1;
    }
    assert_eq!(files, AppWindow::ALL.len());
}

#[test]
fn get_settings_returns_defaults_and_ignores_stray_arguments() {
    let h = Harness::new();
    let main = h.window(AppWindow::Main);
    let want = serde_json::to_value(Settings::default()).unwrap();
    assert_eq!(invoke(&main, "get_settings", json!({})).unwrap(), want);
    let junk = json!({ "settings": "x".repeat(1 << 20), "id": -1, "nested": [[[[[[]]]]]] });
    assert_eq!(invoke(&main, "get_settings", junk).unwrap(), want);
}

#[test]
fn update_settings_saves_broadcasts_once_and_returns_canonical_values() {
    let h = Harness::new();
    let settings = h.window(AppWindow::Settings);
    let events = h.record("settings://changed");
    let mut new = serde_json::to_value(Settings::default()).unwrap();
    new["theme"] = "dark".into();
    new["shortcut"] = "shift+ctrl+k".into();
    let saved = invoke(&settings, "update_settings", json!({ "settings": new })).unwrap();
    assert_eq!(saved["theme"], "dark");
    assert_eq!(saved["shortcut"], "Ctrl+Shift+K");
    assert_eq!(invoke(&settings, "get_settings", json!({})).unwrap(), saved);
    assert_eq!(*events.lock().unwrap(), vec![saved]);
    let open: Vec<String> = h.app.webview_windows().into_keys().collect();
    assert_eq!(open, vec!["settings".to_string()], "a broadcast must not create windows");
}

#[test]
fn update_settings_refuses_bad_input_and_changes_nothing() {
    let h = Harness::new();
    let settings = h.window(AppWindow::Settings);
    let events = h.record("settings://changed");
    let before = invoke(&settings, "get_settings", json!({})).unwrap();
    let with = |field: &str, value: Value| {
        let mut s = before.clone();
        s[field] = value;
        json!({ "settings": s })
    };
    let mut unknown = before.clone();
    unknown["surprise"] = true.into();
    let mut missing = before.clone();
    missing.as_object_mut().unwrap().remove("theme");

    let cases = [
        (json!({}), "settings"),
        (json!({ "settings": null }), "settings"),
        (json!({ "settings": "dark" }), "settings"),
        (json!({ "settings": [] }), "settings"),
        (json!({ "settings": unknown }), "settings"),
        (json!({ "settings": missing }), "settings"),
        (with("history_max_items", json!(0)), "history_max_items"),
        (with("history_max_items", json!(-5)), "settings.history_max_items"),
        (with("history_max_items", json!(1e12)), "settings.history_max_items"),
        (with("history_max_items", json!("100")), "settings.history_max_items"),
        (with("window_retain_secs", json!(86_401)), "window_retain_secs"),
        (with("history_max_total_mib", json!(u64::MAX)), "settings.history_max_total_mib"),
        (with("history_max_age_days", json!(4000)), "history_max_age_days"),
        (with("theme", json!("neon")), "settings.theme"),
        (with("autostart", json!("yes")), "settings.autostart"),
        (with("shortcut", json!("V")), "shortcut"),
        (with("shortcut", json!("Ctrl+".repeat(10_000))), "shortcut"),
        (with("shortcut", json!("Ctrl+\u{0}")), "shortcut"),
        (with("max_item_bytes", json!(0)), "max_item_bytes"),
        (with("max_item_bytes", json!(-1)), "settings.max_item_bytes"),
        (with("capture_primary", json!("yes")), "settings.capture_primary"),
        (with("ignore_patterns", json!("(")), "settings.ignore_patterns"),
        (with("ignore_patterns", json!(["ok", "("])), "ignore_patterns[1]"),
        (with("ignore_patterns", json!([7])), "settings.ignore_patterns[0]"),
        (with("ignore_patterns", json!(vec!["a"; 101])), "ignore_patterns"),
    ];
    for (args, field) in cases {
        assert_invalid(invoke(&settings, "update_settings", args.clone()), field);
        assert_eq!(invoke(&settings, "get_settings", json!({})).unwrap(), before, "after {args}");
    }
    assert!(events.lock().unwrap().is_empty(), "a refused update must not be broadcast");
}

#[test]
fn capture_pause_round_trips_and_broadcasts() {
    let h = Harness::new();
    let main = h.window(AppWindow::Main);
    let events = h.record("capture://state");
    let paused = |v: Value| v["paused"].clone();
    assert_eq!(paused(invoke(&main, "get_capture_state", json!({})).unwrap()), false);
    let state = invoke(&main, "set_capture_paused", json!({ "paused": true })).unwrap();
    assert_eq!(paused(state.clone()), true);
    assert_eq!(state["skipped"], json!({ "secret": 0, "ignored": 0, "too_large": 0 }));
    assert_eq!(invoke(&main, "get_capture_state", json!({})).unwrap(), state);
    assert_eq!(*events.lock().unwrap(), vec![state.clone()]);

    for bad in [
        json!({}),
        json!({ "paused": null }),
        json!({ "paused": "false" }),
        json!({ "paused": 0 }),
        json!({ "paused": [true] }),
    ] {
        assert_invalid(invoke(&main, "set_capture_paused", bad.clone()), "paused");
        assert_eq!(invoke(&main, "get_capture_state", json!({})).unwrap(), state, "after {bad}");
    }
    assert_eq!(events.lock().unwrap().len(), 1);
}

#[test]
fn app_info_describes_this_build_and_its_data() {
    let h = Harness::new();
    let about = h.window(AppWindow::About);
    let info = invoke(&about, "app_info", json!({ "stray": [1, 2, 3] })).unwrap();
    assert_eq!(info["name"], "Trove");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["schema_version"], trove_domain::store::SCHEMA_VERSION);
    assert!(info["database_dir"].as_str().unwrap().ends_with("/db"));
    assert!(info["database_bytes"].as_u64().unwrap() > 0);
    assert!(["x11", "wayland"].contains(&info["session"].as_str().unwrap()), "{info}");
    assert_eq!(info["integration"]["gnome_extension"], "not_gnome", "{info}");
    assert!(info["integration"]["shortcut"].is_null(), "no shortcut works without a display: {info}");
}

#[test]
fn turning_on_the_gnome_extension_where_there_is_no_gnome_says_so_and_changes_nothing() {
    let h = Harness::new();
    let settings = h.window(AppWindow::Settings);
    let before = observable_state(&h);
    let err = invoke(&settings, "enable_gnome_extension", json!({ "uuid": "evil@example.org" })).unwrap_err();
    assert_eq!(err["kind"], "system", "{err}");
    assert!(
        err["message"].as_str().unwrap().starts_with("no Trove extension that this GNOME Shell can turn on"),
        "{err}"
    );
    assert_eq!(observable_state(&h), before);
}

/// Every `history://changed` payload seen so far, and the clips they mention.
fn deltas(seen: &Arc<Mutex<Vec<Value>>>) -> Vec<Value> {
    seen.lock().unwrap().clone()
}

#[test]
fn history_queries_page_search_and_describe_clips() {
    let h = Harness::new();
    let main = h.window(AppWindow::Main);
    let clips = h.seed();
    let page = invoke(&main, "history_page", json!({ "offset": 0, "limit": 10 })).unwrap();
    assert_eq!((page["total"].clone(), page["pinned"].clone()), (json!(2), json!(0)));
    let ids: Vec<u64> = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [clips.text, clips.image], "newest first");
    assert_eq!(page["items"][1]["image"], json!({ "width": 1, "height": 1 }));
    let far = invoke(&main, "history_page", json!({ "offset": u64::MAX, "limit": 500 })).unwrap();
    assert_eq!(far["items"], json!([]));

    let found = invoke(
        &main,
        "search_history",
        json!({ "query": { "text": "'CLIPBOARD", "mode": "fuzzy", "offset": 0, "limit": 5 } }),
    )
    .unwrap();
    assert_eq!(found["mode"], "exact");
    assert_eq!(found["matched"], 1);
    assert_eq!(found["hits"][0]["clip"]["id"], clips.text);
    assert_eq!(found["hits"][0]["highlights"], json!([[15, 24]]));

    let detail = invoke(&main, "get_clip", json!({ "id": clips.text })).unwrap();
    assert_eq!(detail["text"], "hello from the clipboard");
    let thumb = invoke(&main, "clip_image", json!({ "id": clips.image, "size": "full" })).unwrap();
    assert_eq!(thumb, json!({ "raw_bytes": PNG_1X1.len(), "png": true }));
}

#[test]
fn history_commands_refuse_bad_input_and_name_the_field() {
    let h = Harness::new();
    let main = h.window(AppWindow::Main);
    let clips = h.seed();
    let cases = [
        ("history_page", json!({ "offset": 0, "limit": 0 }), "limit"),
        ("history_page", json!({ "offset": 0, "limit": 501 }), "limit"),
        ("history_page", json!({ "offset": -1, "limit": 5 }), "offset"),
        ("history_page", json!({ "offset": "0", "limit": 5 }), "offset"),
        ("history_page", json!({ "limit": 5 }), "offset"),
        ("search_history", json!({ "query": { "text": "", "mode": "fuzzy", "offset": 0, "limit": 5 } }), "query.text"),
        (
            "search_history",
            json!({ "query": { "text": "x".repeat(257), "mode": "exact", "offset": 0, "limit": 5 } }),
            "query.text",
        ),
        ("search_history", json!({ "query": { "text": "x", "mode": "regex", "offset": 0, "limit": 5 } }), "query.mode"),
        (
            "search_history",
            json!({ "query": { "text": "x", "mode": "exact", "offset": 0, "limit": 0 } }),
            "query.limit",
        ),
        (
            "search_history",
            json!({ "query": { "text": "x", "mode": "exact", "offset": -1, "limit": 5 } }),
            "query.offset",
        ),
        ("search_history", json!({ "query": { "text": "x", "mode": "exact", "limit": 5 } }), "query"),
        (
            "search_history",
            json!({ "query": { "text": "x", "mode": "exact", "offset": 0, "limit": 5, "sql": "drop" } }),
            "query",
        ),
        ("get_clip", json!({ "id": 999_999_999 }), "id"),
        ("get_clip", json!({ "id": 1.5 }), "id"),
        ("get_clip", json!({ "id": null }), "id"),
        ("clip_image", json!({ "id": clips.text, "size": "full" }), "id"),
        ("clip_image", json!({ "id": clips.image, "size": "huge" }), "size"),
        ("set_pinned", json!({ "id": clips.text, "pinned": "yes" }), "pinned"),
        ("set_pinned", json!({ "id": 999_999_999, "pinned": true }), "id"),
        ("delete_clip", json!({ "id": -3 }), "id"),
        ("delete_clip", json!({ "id": 999_999_999 }), "id"),
        ("copy_clip", json!({ "id": 999_999_999 }), "id"),
    ];
    let events = h.record("history://changed");
    for (cmd, args, field) in cases {
        assert_invalid(invoke(&main, cmd, args.clone()), field);
    }
    assert!(deltas(&events).is_empty(), "refused calls must not be broadcast");
    let page = invoke(&main, "history_page", json!({ "offset": 0, "limit": 10 })).unwrap();
    assert_eq!(page["total"], 2, "nothing was removed");
}

#[test]
fn clip_actions_are_broadcast_as_deltas_of_summaries() {
    let h = Harness::new();
    let main = h.window(AppWindow::Main);
    let clips = h.seed();
    let big = h.capture(Captured::text("y".repeat(100_000)));
    let events = h.record("history://changed");

    invoke(&main, "set_pinned", json!({ "id": clips.image, "pinned": true })).unwrap();
    invoke(&main, "delete_clip", json!({ "id": big })).unwrap();
    invoke(&main, "clear_history", json!({})).unwrap();
    let seen = deltas(&events);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0]["updated"][0]["id"], clips.image);
    assert_eq!(seen[0]["updated"][0]["pinned"], true);
    assert_eq!(seen[0]["pinned"], 1);
    assert_eq!(seen[1]["removed"], json!([big]));
    assert_eq!(seen[2]["cleared"], true);
    assert_eq!((seen[2]["total"].clone(), seen[2]["pinned"].clone()), (json!(1), json!(1)));
    for delta in &seen {
        assert!(delta.to_string().len() < 4096, "events carry summaries, not payloads");
    }
    let page = invoke(&main, "history_page", json!({ "offset": 0, "limit": 10 })).unwrap();
    assert_eq!(page["items"][0]["id"], clips.image, "the pinned clip stays");
}

/// Any JSON at all, from scalars at their limits to huge strings and nesting.
fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![Just(json!(-1)), Just(json!(u64::MAX)), Just(json!(1e300)), Just(json!(-0.0))],
        any::<String>().prop_map(Value::from),
        prop_oneof![Just(1_000usize), Just(300_000), Just(3_000_000)]
            .prop_map(|n| Value::from("\u{10ffff}".repeat(n / 4))),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// Everything a call could change, to show that a refused one changed nothing.
fn observable_state(h: &Harness) -> Value {
    let state = h.app.state::<AppState>();
    json!({
        "history": state.history().page(0, 500).unwrap(),
        "settings": state.settings(),
        "capture": state.capture_state().unwrap(),
    })
}

#[test]
fn arbitrary_arguments_to_every_command_give_a_typed_error_and_change_nothing() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let h = Harness::new();
    let windows: Vec<_> = [AppWindow::Main, AppWindow::Settings].map(|w| (w.label(), h.window(w))).into();
    let clips = std::cell::RefCell::new(h.seed());
    let grants = grants();
    let commands: Vec<&str> = grants.iter().map(|(cmd, _)| *cmd).collect();
    let args = (0..commands.len(), arbitrary_json(), "[a-z_]{1,10}", 0..3usize);
    const CASES: u32 = 1000;
    // A fixed seed, so that a failure in CI is the same failure here.
    let mut runner = TestRunner::new_with_rng(
        Config { cases: CASES, failure_persistence: None, ..Config::default() },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    // As deep as the IPC's JSON parser lets through (it stops at 128 levels).
    let deep = (0..127).fold(json!(1), |inner, _| json!([inner]));
    let refused = std::cell::Cell::new(0);
    let result = runner.run(&args, |(n, junk, key, shape)| {
        let cmd = commands[n];
        if h.app.state::<AppState>().history().len() < 2 {
            *clips.borrow_mut() = h.seed();
        }
        // Junk in place of all the arguments, of one of them, or beside valid ones.
        let args = match (shape, good_args(cmd, &clips.borrow())) {
            (0, _) => junk,
            (1, Value::Object(mut good)) if !good.is_empty() => {
                let field = good.keys().nth(key.len() % good.len()).unwrap().clone();
                good.insert(field, if key.len() == 1 { deep.clone() } else { junk });
                Value::Object(good)
            }
            (_, Value::Object(mut good)) => {
                good.insert(format!("unknown_{key}"), junk);
                Value::Object(good)
            }
            (_, other) => other,
        };
        let granted = &grants[n].1;
        let (_, webview) = windows.iter().find(|(label, _)| granted.contains(label)).unwrap();
        let before = observable_state(&h);
        if let Err(err) = invoke(webview, cmd, args.clone()) {
            refused.set(refused.get() + 1);
            let kind = err["kind"].as_str().unwrap_or_default();
            prop_assert!(
                ["invalid_input", "storage", "system", "window"].contains(&kind) && err["message"].is_string(),
                "{cmd}: untyped error {err}"
            );
            prop_assert_eq!(observable_state(&h), before, "{} changed state while refusing {}", cmd, args);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Junk beside valid arguments, or for a command that takes none, is rightly accepted.
    assert!(refused.get() > CASES / 4, "only {} of {CASES} calls were refused: the junk is too tame", refused.get());
}
