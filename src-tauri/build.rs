include!("src/permissions.rs");

fn main() {
    let commands: Vec<&'static str> = COMMAND_GRANTS.iter().map(|(command, _)| *command).collect();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("../capabilities/*.json")
            .app_manifest(tauri_build::AppManifest::new().commands(commands.leak())),
    )
    .expect("tauri build step failed");
}
