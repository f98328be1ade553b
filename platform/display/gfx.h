/*
 * gfx: the thin drawing interface the UI draws through (STYLE.md section 8).
 * Rectangles, rounded rectangles and themed text in our own types; the SDL2
 * + SDL2_ttf implementation lives in gfx_sdl.c and backs both the screen
 * and the offscreen ticket canvas, so the ticket prints with the same font
 * the screen shows. The UI never sees an SDL type.
 */
#ifndef HK_PLATFORM_DISPLAY_GFX_H
#define HK_PLATFORM_DISPLAY_GFX_H

#include <stddef.h>
#include <stdint.h>

typedef struct gfx_color {
    uint8_t r, g, b, a;
} gfx_color_t;

typedef struct gfx_rect {
    int x, y, w, h;
} gfx_rect_t;

typedef enum gfx_weight { GFX_REGULAR = 0, GFX_BOLD } gfx_weight_t;

typedef struct gfx_ops {
    void (*fill_rect)(void *impl, gfx_rect_t r, gfx_color_t c);
    void (*fill_round_rect)(void *impl, gfx_rect_t r, int radius, gfx_color_t c);
    /* Size of a single line of text (no wrapping); len bytes of UTF-8. */
    void (*text_size)(void *impl, gfx_weight_t wt, int size_px, const char *utf8, size_t len,
                      int *w_out, int *h_out);
    /* Draw a single line; (x, y) is the top-left of the line box. */
    void (*draw_text)(void *impl, gfx_weight_t wt, int size_px, gfx_color_t c, int x, int y,
                      const char *utf8, size_t len);
    /* Restrict drawing to r; NULL removes the clip. */
    void (*set_clip)(void *impl, const gfx_rect_t *r);
} gfx_ops_t;

typedef struct gfx {
    const gfx_ops_t *ops;
    void *impl;
    int width; /* size in pixels of the surface drawn on (a display: its output) */
    int height;
} gfx_t;

static inline gfx_color_t gfx_rgb(uint32_t rgb)
{
    gfx_color_t c = { (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb, 255 };
    return c;
}

static inline gfx_rect_t gfx_rect(int x, int y, int w, int h)
{
    gfx_rect_t r = { x, y, w, h };
    return r;
}

static inline void gfx_fill_rect(gfx_t *g, gfx_rect_t r, gfx_color_t c)
{
    g->ops->fill_rect(g->impl, r, c);
}

static inline void gfx_fill_round_rect(gfx_t *g, gfx_rect_t r, int radius, gfx_color_t c)
{
    g->ops->fill_round_rect(g->impl, r, radius, c);
}

static inline void gfx_text_size(gfx_t *g, gfx_weight_t wt, int size_px, const char *s, size_t len,
                                 int *w, int *h)
{
    g->ops->text_size(g->impl, wt, size_px, s, len, w, h);
}

static inline void gfx_draw_text(gfx_t *g, gfx_weight_t wt, int size_px, gfx_color_t c, int x,
                                 int y, const char *s, size_t len)
{
    g->ops->draw_text(g->impl, wt, size_px, c, x, y, s, len);
}

static inline void gfx_set_clip(gfx_t *g, const gfx_rect_t *r)
{
    g->ops->set_clip(g->impl, r);
}

#endif
