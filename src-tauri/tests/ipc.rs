//! IPC and ACL through the real `generate_context!()`: the capabilities in
//! `capabilities/` are compiled in and enforced exactly as in the shipped app.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use trove_lib::permissions::COMMAND_GRANTS;
use trove_lib::settings::Settings;
use trove_lib::windows::AppWindow;

struct Harness {
    app: App<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = trove_lib::open_state(dir.path().to_owned()).unwrap();
        let app = trove_lib::build(mock_builder())
            .manage(state)
            .build(tauri::generate_context!(test = true))
            .unwrap();
        Harness { app, _dir: dir }
    }

    fn window(&self, window: AppWindow) -> WebviewWindow<MockRuntime> {
        let page = format!("{}.html", window.label());
        WebviewWindowBuilder::new(&self.app, window.label(), WebviewUrl::App(page.into()))
            .build()
            .unwrap()
    }

    /// Counts the payloads of `event` emitted from now on.
    fn record(&self, event: &str) -> Arc<Mutex<Vec<Value>>> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        self.app.listen_any(event, move |e| {
            sink.lock()
                .unwrap()
                .push(serde_json::from_str(e.payload()).unwrap());
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
    .map(|body| body.deserialize::<Value>().unwrap())
}

/// A valid call for every command in the matrix; a command without one fails here.
fn good_args(cmd: &str) -> Value {
    match cmd {
        "get_settings" | "get_capture_state" | "app_info" => json!({}),
        "update_settings" => json!({ "settings": Settings::default() }),
        "set_capture_paused" => json!({ "paused": true }),
        other => panic!("no good input for {other}: add one here"),
    }
}

fn assert_invalid(result: Result<Value, Value>, field: &str) {
    let err = result.expect_err("bad input must be refused");
    assert_eq!(err["kind"], "invalid_input", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with(field),
        "message {message:?} should name {field}"
    );
}

#[test]
fn every_window_command_pair_follows_the_matrix() {
    let h = Harness::new();
    for window in AppWindow::ALL {
        let webview = h.window(window);
        for (cmd, granted) in COMMAND_GRANTS {
            let result = invoke(&webview, cmd, good_args(cmd));
            if granted.contains(&window.label()) {
                assert!(result.is_ok(), "{cmd} from {}: {result:?}", window.label());
            } else {
                let err =
                    result.expect_err(&format!("{cmd} from {} must be rejected", window.label()));
                assert!(
                    err.as_str().is_some_and(|m| m.contains("not allowed")),
                    "{err}"
                );
            }
        }
        let err = invoke(&webview, "no_such_command", json!({})).unwrap_err();
        assert!(err.is_string(), "{err}");
    }
}

#[test]
fn a_window_without_a_capability_can_call_nothing() {
    let h = Harness::new();
    let stranger =
        WebviewWindowBuilder::new(&h.app, "stranger", WebviewUrl::App("main.html".into()))
            .build()
            .unwrap();
    for (cmd, _) in COMMAND_GRANTS {
        assert!(invoke(&stranger, cmd, good_args(cmd)).is_err(), "{cmd}");
    }
}

#[test]
fn capability_files_grant_exactly_the_matrix() {
    // Only these non-app permissions may appear: listening to events and closing oneself.
    let harmless = BTreeSet::from([
        "core:event:default".to_string(),
        "core:window:allow-close".to_string(),
    ]);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../capabilities");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let cap: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let label = cap["identifier"].as_str().unwrap();
        assert_eq!(
            cap["windows"],
            json!([label]),
            "{path:?} must target only its own window"
        );
        assert!(
            cap.get("remote").is_none(),
            "{path:?} must not grant remote origins"
        );
        let permissions: BTreeSet<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        let expected_app: BTreeSet<String> = COMMAND_GRANTS
            .iter()
            .filter(|(_, windows)| windows.contains(&label))
            .map(|(cmd, _)| format!("allow-{}", cmd.replace('_', "-")))
            .collect();
        let app: BTreeSet<String> = permissions
            .iter()
            .filter(|p| !p.contains(':'))
            .cloned()
            .collect();
        assert_eq!(app, expected_app, "{label}");
        let others: BTreeSet<String> = permissions.difference(&app).cloned().collect();
        assert!(
            others.is_subset(&harmless),
            "{label} grants more than it needs: {others:?}"
        );
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
    assert_eq!(
        open,
        vec!["settings".to_string()],
        "a broadcast must not create windows"
    );
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
        (
            with("history_max_items", json!(-5)),
            "settings.history_max_items",
        ),
        (
            with("history_max_items", json!(1e12)),
            "settings.history_max_items",
        ),
        (
            with("history_max_items", json!("100")),
            "settings.history_max_items",
        ),
        (
            with("window_retain_secs", json!(86_401)),
            "window_retain_secs",
        ),
        (
            with("history_max_total_mib", json!(u64::MAX)),
            "settings.history_max_total_mib",
        ),
        (
            with("history_max_age_days", json!(4000)),
            "history_max_age_days",
        ),
        (with("theme", json!("neon")), "settings.theme"),
        (with("autostart", json!("yes")), "settings.autostart"),
        (with("shortcut", json!("V")), "shortcut"),
        (with("shortcut", json!("Ctrl+".repeat(10_000))), "shortcut"),
        (with("shortcut", json!("Ctrl+\u{0}")), "shortcut"),
    ];
    for (args, field) in cases {
        assert_invalid(invoke(&settings, "update_settings", args.clone()), field);
        assert_eq!(
            invoke(&settings, "get_settings", json!({})).unwrap(),
            before,
            "after {args}"
        );
    }
    assert!(
        events.lock().unwrap().is_empty(),
        "a refused update must not be broadcast"
    );
}

#[test]
fn capture_pause_round_trips_and_broadcasts() {
    let h = Harness::new();
    let main = h.window(AppWindow::Main);
    let events = h.record("capture://state");
    assert_eq!(
        invoke(&main, "get_capture_state", json!({})).unwrap(),
        json!({ "paused": false })
    );
    assert_eq!(
        invoke(&main, "set_capture_paused", json!({ "paused": true })).unwrap(),
        json!({ "paused": true })
    );
    assert_eq!(
        invoke(&main, "get_capture_state", json!({})).unwrap(),
        json!({ "paused": true })
    );
    assert_eq!(*events.lock().unwrap(), vec![json!({ "paused": true })]);

    for bad in [
        json!({}),
        json!({ "paused": null }),
        json!({ "paused": "false" }),
        json!({ "paused": 0 }),
        json!({ "paused": [true] }),
    ] {
        assert_invalid(invoke(&main, "set_capture_paused", bad.clone()), "paused");
        assert_eq!(
            invoke(&main, "get_capture_state", json!({})).unwrap(),
            json!({ "paused": true }),
            "after {bad}"
        );
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
    assert_eq!(info["schema_version"], trove_lib::store::SCHEMA_VERSION);
    assert!(info["database_dir"].as_str().unwrap().ends_with("/db"));
    assert!(info["database_bytes"].as_u64().unwrap() > 0);
    assert!(
        ["x11", "wayland"].contains(&info["session"].as_str().unwrap()),
        "{info}"
    );
}
