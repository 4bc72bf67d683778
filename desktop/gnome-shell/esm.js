// GNOME Shell 45 and later: an ES module whose default export is the extension.
import Clutter from 'gi://Clutter';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Meta from 'gi://Meta';
import Shell from 'gi://Shell';
import St from 'gi://St';
import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as PanelMenu from 'resource:///org/gnome/shell/ui/panelMenu.js';
import * as PopupMenu from 'resource:///org/gnome/shell/ui/popupMenu.js';
import * as Config from 'resource:///org/gnome/shell/misc/config.js';
import {Extension} from 'resource:///org/gnome/shell/extensions/extension.js';

//@BODY@

export default class TroveExtension extends Extension {
    enable() {
        this._trove = new TroveInShell(this.path, this.getSettings());
        this._trove.enable();
    }

    disable() {
        this._trove.disable();
        this._trove = null;
    }
}
