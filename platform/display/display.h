/*
 * display: the screen and its touch/mouse/keyboard input, plus an
 * offscreen canvas for rendering tickets, behind our own types. Backends
 * (picked at run time): a desktop window, fullscreen (SDL's KMSDRM where
 * there is no window system) and SDL's offscreen driver for tests.
 * Coordinates in events are already scaled to the logical layout size.
 */
#ifndef HK_PLATFORM_DISPLAY_DISPLAY_H
#define HK_PLATFORM_DISPLAY_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "gfx.h"
#include "hk_err.h"

typedef enum display_mode {
    DISPLAY_MODE_AUTO = 0, /* window if a display exists, else offscreen */
    DISPLAY_MODE_WINDOW,
    DISPLAY_MODE_FULLSCREEN,
    DISPLAY_MODE_OFFSCREEN
} display_mode_t;

typedef struct display_cfg {
    display_mode_t mode;
    int logical_w; /* layout size the UI draws in */
    int logical_h;
    const char *title;
    const char *font_path; /* NULL = HK_FONT env, then the build default */
} display_cfg_t;

typedef enum display_ev_type {
    DISPLAY_EV_NONE = 0,
    DISPLAY_EV_QUIT,
    DISPLAY_EV_DOWN, /* finger or mouse button down */
    DISPLAY_EV_MOVE, /* while down */
    DISPLAY_EV_UP,
    DISPLAY_EV_KEY,    /* key: DISPLAY_KEY_* or an ASCII code */
    DISPLAY_EV_EXPOSE, /* window needs a full redraw */
    DISPLAY_EV_WAKE    /* display_wake() from another thread */
} display_ev_type_t;

enum {
    DISPLAY_KEY_ESCAPE = 27,
    DISPLAY_KEY_ENTER = 13,
    DISPLAY_KEY_F1 = 0x101,
    DISPLAY_KEY_F2,
    DISPLAY_KEY_F11
};

typedef struct display_event {
    display_ev_type_t type;
    int x, y;
    int key;
} display_event_t;

typedef struct display display_t;
typedef struct font_set font_set_t;
typedef struct gfx_canvas gfx_canvas_t;

/**
 * Open the CJK font faces (regular and bold) once for the process.
 * @param path  NULL = $HK_FONT, then the font found at build time, then
 *              the known Debian paths (Noto Sans CJK SC, WenQuanYi).
 * @param out   free with font_set_destroy() after every display/canvas.
 */
hk_err_t font_set_open(const char *path, font_set_t **out, hk_diag_t *diag);
void font_set_destroy(font_set_t *f);
/** Path of the regular face file in use (for hashing in golden tests). */
const char *font_set_path(const font_set_t *f);

/**
 * Create the display. fonts are borrowed and must outlive it.
 */
hk_err_t display_create(const display_cfg_t *cfg, font_set_t *fonts, display_t **out,
                        hk_diag_t *diag);
void display_destroy(display_t *d);

/** The gfx to draw the next frame with; valid until display_destroy(). */
gfx_t *display_gfx(display_t *d);

/** Change the logical size (orientation switch). */
void display_set_logical_size(display_t *d, int w, int h);

/** Show what was drawn. */
void display_present(display_t *d);

/**
 * Wait up to timeout_ms (-1 = forever) for an event.
 * @return true with *ev filled, false on timeout.
 */
bool display_wait(display_t *d, int timeout_ms, display_event_t *ev);

/** Thread-safe: wake display_wait() with DISPLAY_EV_WAKE. */
void display_wake(display_t *d);

/** Read back the last drawn frame and write it as PNG. */
hk_err_t display_save_png(display_t *d, const char *path);

/** Name of the backend in use ("x11", "offscreen", "KMSDRM", ...). */
const char *display_backend_name(const display_t *d);

/**
 * An offscreen white canvas (for tickets) drawn with the same fonts.
 * @param out free with gfx_canvas_destroy().
 */
hk_err_t gfx_canvas_create(font_set_t *fonts, int w, int h, gfx_canvas_t **out);
void gfx_canvas_destroy(gfx_canvas_t *c);
gfx_t *gfx_canvas_gfx(gfx_canvas_t *c);

/**
 * Threshold the canvas to a 1-bit raster (1 = black), rows of (w+7)/8 bytes,
 * MSB leftmost, the format printer_print_raster() takes.
 * @param rows  rows to take from the top (<= canvas height).
 * @param out   hk_malloc'd; the caller frees with hk_free().
 */
hk_err_t gfx_canvas_to_bits(gfx_canvas_t *c, int rows, uint8_t **out);

/** Save the canvas (first rows rows) as PNG. */
hk_err_t gfx_canvas_save_png(gfx_canvas_t *c, int rows, const char *path);

/** Write a 1-bit raster as a PNG (black on white). */
hk_err_t gfx_bits_save_png(const uint8_t *bits, int w, int h, const char *path);

#endif
