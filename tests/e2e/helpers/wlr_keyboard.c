/* wlr_keyboard: gives a headless wlroots seat a keyboard and holds it until
 * killed, through zwp_virtual_keyboard_v1. A real seat has a keyboard before
 * any app starts, and apps bind it as they start: a keyboard that appears only
 * when keys are typed arrives after them. Prints "ready" once the compositor
 * has it. Built by the Sway tests from helpers/virtual-keyboard.xml. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include "virtual-keyboard-client-protocol.h"

static struct zwp_virtual_keyboard_manager_v1 *manager;
static struct wl_seat *seat;

static void global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
    (void)data, (void)version;
    if (strcmp(interface, zwp_virtual_keyboard_manager_v1_interface.name) == 0)
        manager = wl_registry_bind(registry, name, &zwp_virtual_keyboard_manager_v1_interface, 1);
    else if (strcmp(interface, wl_seat_interface.name) == 0 && !seat)
        seat = wl_registry_bind(registry, name, &wl_seat_interface, 1);
}

static void global_remove(void *data, struct wl_registry *registry, uint32_t name) {
    (void)data, (void)registry, (void)name;
}

static const struct wl_registry_listener listener = { global, global_remove };

static const char keymap[] =
    "xkb_keymap { xkb_keycodes \"k\" { minimum = 8; maximum = 255; <ESC> = 9; };"
    " xkb_types \"k\" { include \"complete\" }; xkb_compatibility \"k\" { include \"complete\" };"
    " xkb_symbols \"k\" { key <ESC> { [ Escape ] }; }; };";

int main(void) {
    struct wl_display *display = wl_display_connect(NULL);
    if (!display) {
        fprintf(stderr, "wlr_keyboard: no Wayland display\n");
        return 1;
    }
    wl_registry_add_listener(wl_display_get_registry(display), &listener, NULL);
    wl_display_roundtrip(display);
    if (!manager || !seat) {
        fprintf(stderr, "wlr_keyboard: the compositor offers no virtual keyboard\n");
        return 1;
    }
    struct zwp_virtual_keyboard_v1 *keyboard = zwp_virtual_keyboard_manager_v1_create_virtual_keyboard(manager, seat);
    int fd = memfd_create("keymap", MFD_CLOEXEC);
    if (fd < 0 || write(fd, keymap, sizeof keymap) != (ssize_t)sizeof keymap) {
        perror("wlr_keyboard: keymap");
        return 1;
    }
    zwp_virtual_keyboard_v1_keymap(keyboard, WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1, fd, sizeof keymap);
    wl_display_roundtrip(display);
    printf("ready\n");
    fflush(stdout);
    while (wl_display_dispatch(display) != -1) {
    }
    return 0;
}
