#!/usr/bin/env bash
# Builds the two Trove GNOME Shell extensions from trove.js into OUT:
#   trove-legacy@trove.dev  GNOME 42-44 (legacy imports)
#   trove@trove.dev         GNOME 45 and later (ES modules)
# Both are installed side by side; each Shell loads only the one for its version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT}
version=1

build() {  # uuid, wrapper, shell versions as a JSON list
    local dir="$out/$1"
    rm -rf "$dir"
    mkdir -p "$dir/schemas"
    sed -e "/^\/\/@BODY@$/{r $here/trove.js" -e 'd}' "$here/$2" > "$dir/extension.js"
    cat > "$dir/metadata.json" <<JSON
{
  "uuid": "$1",
  "name": "Trove",
  "description": "Trove's clipboard history in the top bar: recent clips, the history shortcut and paste after choosing. Needs Trove running.",
  "shell-version": $3,
  "settings-schema": "org.gnome.shell.extensions.trove",
  "url": "https://trove.dev",
  "version": $version
}
JSON
    cp "$here/trove-symbolic.svg" "$dir/"
    cp "$here/schemas/org.gnome.shell.extensions.trove.gschema.xml" "$dir/schemas/"
    glib-compile-schemas --strict "$dir/schemas"
}

build trove-legacy@trove.dev legacy.js '["42", "43", "44"]'
build trove@trove.dev esm.js '["45", "46", "47", "48", "49"]'
