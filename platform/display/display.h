/*
 * display: one window (or full-screen panel, or offscreen surface) and its
 * touch/mouse/keyboard input, plus an offscreen canvas for rendering
 * tickets, behind our own types. Backends (picked at run time): a desktop
 * window, full screen (X11 with or without a window manager, SDL's KMSDRM
 * where there is no window system) and SDL's offscreen driver for tests.
 *
 * Pixels: the UI draws at the panel's native resolution. display_gfx()'s
 * width/height are the output's pixels (nothing scales or letterboxes the
 * frame afterwards), and every event coordinate is in those pixels. When the
 * output changes size (a resized window), the next event for that display is
 * DISPLAY_EV_RESIZE with the new size, already applied to its gfx.
 *
 * Several displays: a process may open several (the counter's second,
 * customer-facing screen). The backend (SDL) is initialised with the first
 * and shut down with the last. There is one input queue per process: every
 * event names the display it belongs to, display_wait() parks events for
 * other displays until they are asked for, and display_wait_any() waits on
 * a set of displays at once. All calls except display_wake() belong to the
 * thread that created the displays.
 */
#ifndef HK_PLATFORM_DISPLAY_DISPLAY_H
#define HK_PLATFORM_DISPLAY_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "gfx.h"
#include "hk_err.h"

typedef enum display_mode {
    DISPLAY_MODE_AUTO = 0, /* window if a window system exists, else offscreen */
    DISPLAY_MODE_WINDOW,
    DISPLAY_MODE_FULLSCREEN, /* the whole monitor at its desktop mode */
    DISPLAY_MODE_OFFSCREEN   /* headless: nobody sees it (tests, the demo journey) */
} display_mode_t;

typedef struct display_cfg {
    display_mode_t mode;
    /* Preferred size in pixels for a window (shrunk, aspect kept, to fit the
     * desktop) and the exact size of an offscreen display. Full screen
     * ignores it and takes the monitor's desktop mode. 0 = 1080x1920. */
    int width;
    int height;
    int monitor; /* full screen / window: which monitor (0 = the primary) */
    /* 0, 90, 180 or 270: the frame is turned this many degrees clockwise on
     * its way to the panel, for a panel mounted on its side where neither X
     * (xrandr) nor KMS rotates it. The UI then draws (and receives touches)
     * in the turned size: a 1920x1080 panel turned 90 is a 1080x1920 gfx. */
    int rotation;
    const char *title;
    /* hallkiosk --kiosk-lockdown (platform/lockdown): closing the window
     * (Alt+F4 under a window manager, the last window's SDL_QUIT) does
     * nothing; SIGTERM still quits */
    bool lockdown;
} display_cfg_t;

typedef enum display_ev_type {
    DISPLAY_EV_NONE = 0,
    DISPLAY_EV_QUIT,   /* the session ends (last window closed, SIGINT); display NULL */
    DISPLAY_EV_DOWN,   /* finger or mouse button down: x, y */
    DISPLAY_EV_MOVE,   /* while down: x, y */
    DISPLAY_EV_UP,     /* x, y */
    DISPLAY_EV_KEY,    /* key: DISPLAY_KEY_* or an ASCII code (lower case letters) */
    DISPLAY_EV_TEXT,   /* text: UTF-8 typed (keyboards, keyboard-wedge scanners) */
    DISPLAY_EV_EXPOSE, /* the window's pixels were lost: redraw everything */
    DISPLAY_EV_RESIZE, /* output is now w x h pixels (gfx already resized): re-lay out */
    DISPLAY_EV_CLOSE,  /* the user asked to close this window */
    DISPLAY_EV_WAKE    /* display_wake() from another thread */
} display_ev_type_t;

enum {
    DISPLAY_KEY_BACKSPACE = 8,
    DISPLAY_KEY_TAB = 9,
    DISPLAY_KEY_ENTER = 13, /* Return and keypad Enter (scanners end a code with it) */
    DISPLAY_KEY_ESCAPE = 27,
    DISPLAY_KEY_DELETE = 127,
    DISPLAY_KEY_F1 = 0x101,
    DISPLAY_KEY_F2,
    DISPLAY_KEY_F11,
    /* after F11, so the codes above keep their values (scripts use them) */
    DISPLAY_KEY_F3,
    DISPLAY_KEY_F4,
    DISPLAY_KEY_F5,
    DISPLAY_KEY_F6,
    DISPLAY_KEY_F7,
    DISPLAY_KEY_F8,
    DISPLAY_KEY_F9,
    DISPLAY_KEY_F10
};

#define DISPLAY_TEXT_MAX 32 /* bytes of one DISPLAY_EV_TEXT, NUL included */

typedef struct display display_t;

typedef struct display_event {
    display_ev_type_t type;
    display_t *display;          /* the display it belongs to; NULL only for QUIT */
    int x, y;                    /* DOWN/MOVE/UP: pixels of that display's gfx */
    int key;                     /* KEY */
    int w, h;                    /* RESIZE (and EXPOSE): that display's gfx size */
    char text[DISPLAY_TEXT_MAX]; /* TEXT: NUL-terminated UTF-8, whole characters */
} display_event_t;

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
 * Open a display. The first display of the process initialises the video
 * backend (its mode decides the driver: offscreen, or the window system /
 * KMSDRM); later ones share it.
 * @param cfg    borrowed for the call.
 * @param fonts  borrowed; must outlive the display.
 * @param out    free with display_destroy().
 * @param diag   receives the reason on failure.
 */
hk_err_t display_create(const display_cfg_t *cfg, font_set_t *fonts, display_t **out,
                        hk_diag_t *diag);
/** Close the display; the last one shuts the backend down. NULL ok. */
void display_destroy(display_t *d);

/**
 * The gfx to draw the next frame with; valid until display_destroy().
 * Its width/height are the output's pixels and change only when a
 * DISPLAY_EV_RESIZE for this display is returned.
 */
gfx_t *display_gfx(display_t *d);

/** True when nobody can see the display (offscreen/headless). */
bool display_is_headless(const display_t *d);

/**
 * Ask for a new output size (a window or an offscreen display; a
 * full-screen display keeps the monitor's size). A DISPLAY_EV_RESIZE
 * follows once the size took effect.
 */
void display_request_size(display_t *d, int w, int h);

/** Show what was drawn. */
void display_present(display_t *d);

/**
 * Wait up to timeout_ms (-1 = forever) for an event of display d. Events of
 * other displays that arrive meanwhile are parked for them; QUIT is
 * returned to whichever display waits.
 * @return true with *ev filled, false on timeout.
 */
bool display_wait(display_t *d, int timeout_ms, display_event_t *ev);

/**
 * Wait up to timeout_ms (-1 = forever) for an event of any of the n
 * displays in ds (a loop that drives several windows). ev->display says
 * which one; parked events are returned first, oldest first.
 * @return true with *ev filled, false on timeout.
 */
bool display_wait_any(display_t *const *ds, int n, int timeout_ms, display_event_t *ev);

/** Thread-safe: wake display_wait()/display_wait_any() with DISPLAY_EV_WAKE for d. */
void display_wake(display_t *d);

/** Read back the last drawn frame (the whole output) and write it as PNG. */
hk_err_t display_save_png(display_t *d, const char *path);

/** Name of the backend in use ("x11", "offscreen", "KMSDRM", ...), for logs. */
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
