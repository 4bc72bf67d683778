/* kwin_keys CHORD...: presses each chord (such as ctrl+shift+v) through KWin's
 * org_kde_kwin_fake_input, the way a keyboard would, then lets it go. KWin
 * offers the interface to tests only with KWIN_WAYLAND_NO_PERMISSION_CHECKS=1.
 * Built by the KDE tests from the protocol that plasma-wayland-protocols ships. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>
#include "fake-input-client-protocol.h"

static struct org_kde_kwin_fake_input *input;

static void global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
    (void)data;
    if (strcmp(interface, org_kde_kwin_fake_input_interface.name) == 0 && version >= 4)
        input = wl_registry_bind(registry, name, &org_kde_kwin_fake_input_interface, 4);
}

static void global_remove(void *data, struct wl_registry *registry, uint32_t name) {
    (void)data, (void)registry, (void)name;
}

static const struct wl_registry_listener listener = { global, global_remove };

/* Linux evdev key codes, as KWin takes them. */
static int code_of(const char *key) {
    static const struct { const char *name; int code; } named[] = {
        {"ctrl", 29}, {"shift", 42}, {"alt", 56}, {"super", 125}, {"enter", 28}, {"esc", 1},
        {"up", 103}, {"down", 108}, {"space", 57}, {"tab", 15},
    };
    static const char row1[] = "qwertyuiop", row2[] = "asdfghjkl", row3[] = "zxcvbnm";
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(key, named[i].name) == 0)
            return named[i].code;
    if (strlen(key) == 1) {
        const char *at;
        if ((at = strchr(row1, key[0]))) return 16 + (int)(at - row1);
        if ((at = strchr(row2, key[0]))) return 30 + (int)(at - row2);
        if ((at = strchr(row3, key[0]))) return 44 + (int)(at - row3);
    }
    return -1;
}

int main(int argc, char **argv) {
    struct wl_display *display = wl_display_connect(NULL);
    if (!display) {
        fprintf(stderr, "kwin_keys: no Wayland display\n");
        return 1;
    }
    wl_registry_add_listener(wl_display_get_registry(display), &listener, NULL);
    wl_display_roundtrip(display);
    if (!input) {
        fprintf(stderr, "kwin_keys: KWin offers no org_kde_kwin_fake_input version 4\n");
        return 1;
    }
    org_kde_kwin_fake_input_authenticate(input, "Trove tests", "types keys for the end-to-end tests");
    for (int a = 1; a < argc; a++) {
        int codes[8], n = 0;
        char *chord = strdup(argv[a]);
        for (char *key = strtok(chord, "+"); key; key = strtok(NULL, "+")) {
            if (n == 8 || (codes[n] = code_of(key)) < 0) {
                fprintf(stderr, "kwin_keys: cannot type %s\n", argv[a]);
                return 2;
            }
            n++;
        }
        free(chord);
        for (int i = 0; i < n; i++) {
            org_kde_kwin_fake_input_keyboard_key(input, codes[i], WL_KEYBOARD_KEY_STATE_PRESSED);
            wl_display_roundtrip(display);
        }
        for (int i = n - 1; i >= 0; i--) {
            org_kde_kwin_fake_input_keyboard_key(input, codes[i], WL_KEYBOARD_KEY_STATE_RELEASED);
            wl_display_roundtrip(display);
        }
    }
    wl_display_disconnect(display);
    return 0;
}
