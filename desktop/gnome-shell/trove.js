// Trove inside GNOME Shell: the tray menu, the shortcut, paste and a second
// source of clipboard changes, on a Shell that has no tray. The extension
// keeps no history and decides nothing: it shows what Trove's core
// publishes on the session bus (dev.trove.Shell1) and tells the core what the
// user did. It is built twice from this file, for GNOME 42-44 (legacy imports)
// and 45+ (ES modules): see build.sh. The names used here come from the
// build's head.

const CORE_NAME = 'dev.trove.Trove';
const CORE_PATH = '/dev/trove/Trove';
const CORE_IFACE = 'dev.trove.Shell1';
const OWN_PATH = '/dev/trove/ShellExtension';
const EXTENSION_VERSION = 1;
const KEYBINDING = 'toggle-history';
const SELECTIONS = {
    [Meta.SelectionType.SELECTION_PRIMARY]: 'primary',
    [Meta.SelectionType.SELECTION_CLIPBOARD]: 'clipboard',
};
// The core validates these too; the extension never sends more.
const MAX_MIME_TYPES = 64;
const MAX_MIME_LENGTH = 255;
const CALL_TIMEOUT_MS = 5000;

const OWN_XML = `<node>
  <interface name="dev.trove.ShellExtension1">
    <method name="FocusedWindow"><arg name="window" type="t" direction="out"/></method>
    <method name="Paste"><arg name="window" type="t" direction="in"/></method>
    <method name="SetClipboard">
      <arg name="mime" type="s" direction="in"/>
      <arg name="data" type="ay" direction="in"/>
    </method>
    <method name="Read">
      <arg name="selection" type="s" direction="in"/>
      <arg name="mime" type="s" direction="in"/>
      <arg name="max_bytes" type="u" direction="in"/>
      <arg name="too_large" type="b" direction="out"/>
      <arg name="data" type="ay" direction="out"/>
    </method>
  </interface>
</node>`;

class TroveInShell {
    constructor(dir, settings) {
        this._dir = dir;
        this._settings = settings;
    }

    enable() {
        this._signals = [];
        this._shortcut = null;
        this._registered = false;
        this._exported = Gio.DBusExportedObject.wrapJSObject(OWN_XML, this);
        this._exported.export(Gio.DBus.session, OWN_PATH);
        this._selection = global.display.get_selection();
        this._ownerChanged = this._selection.connect('owner-changed',
            (_sel, type, source) => this._onOwnerChanged(type, source));
        this._watch = Gio.bus_watch_name_on_connection(Gio.DBus.session, CORE_NAME,
            Gio.BusNameWatcherFlags.NONE, () => this._coreAppeared(), () => this._coreVanished());
    }

    disable() {
        Gio.bus_unwatch_name(this._watch);
        this._coreVanished();
        this._selection.disconnect(this._ownerChanged);
        this._exported.unexport();
        this._exported = null;
        this._keyboard = null;
    }

    _call(method, args, replyType, onReply) {
        Gio.DBus.session.call(CORE_NAME, CORE_PATH, CORE_IFACE, method, args,
            replyType ? new GLib.VariantType(replyType) : null, Gio.DBusCallFlags.NONE,
            CALL_TIMEOUT_MS, null, (conn, result) => {
                try {
                    const reply = conn.call_finish(result);
                    if (onReply)
                        onReply(reply.deepUnpack());
                } catch (e) {
                    console.warn(`Trove: ${method} failed: ${e.message}`);
                }
            });
    }

    _subscribe(signal, handler) {
        this._signals.push(Gio.DBus.session.signal_subscribe(CORE_NAME, CORE_IFACE, signal, CORE_PATH,
            null, Gio.DBusSignalFlags.NONE, (_c, _s, _p, _i, _n, params) => handler(params.deepUnpack())));
    }

    _coreAppeared() {
        this._subscribe('MenuChanged', () => this._loadMenu());
        this._subscribe('ShortcutChanged', ([accelerator]) => this._bind(accelerator));
        this._call('Register', new GLib.Variant('(us)', [EXTENSION_VERSION, Config.PACKAGE_VERSION]), '(us)',
            ([, accelerator]) => {
                this._registered = true;
                this._bind(accelerator);
                this._loadMenu();
            });
    }

    _coreVanished() {
        for (const id of this._signals)
            Gio.DBus.session.signal_unsubscribe(id);
        this._signals = [];
        this._registered = false;
        this._bind('');
        if (this._button) {
            this._button.destroy();
            this._button = null;
        }
    }

    _loadMenu() {
        this._call('GetMenu', null, '(sa(iissb))', ([tooltip, items]) => this._showMenu(tooltip, items));
    }

    _showMenu(tooltip, items) {
        if (!this._button) {
            this._button = new PanelMenu.Button(0.0, 'Trove', false);
            const icon = new St.Icon({
                gicon: Gio.icon_new_for_string(`${this._dir}/trove-symbolic.svg`),
                style_class: 'system-status-icon',
            });
            this._button.add_child(icon);
            Main.panel.addToStatusArea('trove', this._button);
        }
        this._button.accessible_name = tooltip;
        const menu = this._button.menu;
        menu.removeAll();
        const parents = new Map([[0, menu]]);
        for (const [id, parent, kind, label, checked] of items) {
            const into = parents.get(parent);
            if (!into)
                continue;
            let item;
            if (kind === 'separator') {
                item = new PopupMenu.PopupSeparatorMenuItem();
            } else if (kind === 'submenu') {
                item = new PopupMenu.PopupSubMenuMenuItem(label);
                parents.set(id, item.menu);
            } else if (kind === 'check') {
                item = new PopupMenu.PopupSwitchMenuItem(label, checked);
            } else {
                item = new PopupMenu.PopupMenuItem(label);
                if (kind === 'label')
                    item.setSensitive(false);
            }
            if (kind === 'button' || kind === 'check')
                item.connect('activate', () => this._call('Activate', new GLib.Variant('(i)', [id]), null, null));
            into.addMenuItem(item);
        }
    }

    // The key from Trove's Settings, in GTK's form ('<Control><Shift>v'); '' unbinds.
    _bind(accelerator) {
        if (accelerator === this._shortcut)
            return;
        if (this._shortcut)
            Main.wm.removeKeybinding(KEYBINDING);
        this._shortcut = null;
        if (!accelerator)
            return;
        this._settings.set_strv(KEYBINDING, [accelerator]);
        const action = Main.wm.addKeybinding(KEYBINDING, this._settings, Meta.KeyBindingFlags.NONE,
            Shell.ActionMode.NORMAL | Shell.ActionMode.OVERVIEW | Shell.ActionMode.POPUP,
            () => this._call('Toggle', null, null, null));
        const bound = action !== Meta.KeyBindingAction.NONE;
        if (bound)
            this._shortcut = accelerator;
        this._call('ShortcutBound', new GLib.Variant('(sb)', [accelerator, bound]), null, null);
    }

    _onOwnerChanged(type, source) {
        const selection = SELECTIONS[type];
        // No source: the owner went away; mutter's own keeper takes over at once.
        if (!selection || !source || !this._registered || this._settingOwn)
            return;
        const mimes = source.get_mimetypes().filter(m => m.length <= MAX_MIME_LENGTH).slice(0, MAX_MIME_TYPES);
        this._call('SelectionChanged', new GLib.Variant('(sas)', [selection, mimes]), null, null);
    }

    // dev.trove.ShellExtension1, called by the core.

    FocusedWindow() {
        const window = global.display.focus_window;
        return window ? window.get_id() : 0;
    }

    PasteAsync([id], invocation) {
        const window = id ? global.display.list_all_windows().find(w => w.get_id() === id) : null;
        if (window)
            window.activate(global.get_current_time());
        // After the focus change has reached the app, the keys go where it went.
        GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
            if (!this._keyboard) {
                const seat = Clutter.get_default_backend().get_default_seat();
                this._keyboard = seat.create_virtual_device(Clutter.InputDeviceType.KEYBOARD_DEVICE);
            }
            const now = GLib.get_monotonic_time();
            this._keyboard.notify_keyval(now, Clutter.KEY_Control_L, Clutter.KeyState.PRESSED);
            this._keyboard.notify_keyval(now + 1, Clutter.KEY_v, Clutter.KeyState.PRESSED);
            this._keyboard.notify_keyval(now + 2, Clutter.KEY_v, Clutter.KeyState.RELEASED);
            this._keyboard.notify_keyval(now + 3, Clutter.KEY_Control_L, Clutter.KeyState.RELEASED);
            invocation.return_value(null);
            return GLib.SOURCE_REMOVE;
        });
    }

    // For a Shell with no Xwayland, where Trove has no clipboard of its own.
    SetClipboard(mime, data) {
        // The Shell announces the new owner at once, inside set_content: that
        // change is Trove's own and goes unreported.
        this._settingOwn = true;
        try {
            St.Clipboard.get_default().set_content(St.ClipboardType.CLIPBOARD, mime, new GLib.Bytes(data));
        } finally {
            this._settingOwn = false;
        }
    }

    ReadAsync([selection, mime, maxBytes], invocation) {
        const type = Object.keys(SELECTIONS).find(t => SELECTIONS[t] === selection);
        if (type === undefined) {
            invocation.return_dbus_error('org.freedesktop.DBus.Error.InvalidArgs', `no selection ${selection}`);
            return;
        }
        const out = Gio.MemoryOutputStream.new_resizable();
        // One byte past the limit tells "too large" from "exactly the limit".
        this._selection.transfer_async(Number(type), mime, maxBytes + 1, out, null, (sel, result) => {
            try {
                sel.transfer_finish(result);
                out.close(null);
                const bytes = out.steal_as_bytes();
                const tooLarge = bytes.get_size() > maxBytes;
                const data = tooLarge ? new Uint8Array(0) : bytes.get_data() ?? new Uint8Array(0);
                invocation.return_value(new GLib.Variant('(bay)', [tooLarge, data]));
            } catch (e) {
                invocation.return_dbus_error('org.freedesktop.DBus.Error.Failed', e.message);
            }
        });
    }
}
