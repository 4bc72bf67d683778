// GNOME Shell 42-44: a script with imports.* and init().
'use strict';
const { Clutter, Gio, GLib, Meta, Shell, St } = imports.gi;
const Main = imports.ui.main;
const PanelMenu = imports.ui.panelMenu;
const PopupMenu = imports.ui.popupMenu;
const Config = imports.misc.config;
const ExtensionUtils = imports.misc.extensionUtils;

//@BODY@

class Extension {
    enable() {
        const me = ExtensionUtils.getCurrentExtension();
        this._trove = new TroveInShell(me.path, ExtensionUtils.getSettings());
        this._trove.enable();
    }

    disable() {
        this._trove.disable();
        this._trove = null;
    }
}

function init() {
    return new Extension();
}
