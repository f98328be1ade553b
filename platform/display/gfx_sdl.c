/*
 * gfx_sdl: gfx_t on an SDL_Renderer, drawing at the output's own pixels.
 * Text is rendered with SDL_ttf (blended, anti-aliased) in its final colour
 * into a texture once per (weight, size, colour, string), so a redraw never
 * re-rasterises text and blits it on SDL's plain per-pixel-alpha path; text
 * sizes are cached the same way because switching a face's size flushes
 * SDL_ttf's glyph cache. Rounded corners come from one anti-aliased disc
 * texture per (radius, colour), made at the device radius (crisp at any
 * panel size) and also pre-coloured: a colour-modulated texture would take
 * SDL's generic blitter, several times slower, which at 4K was a fifth of
 * the frame.
 *
 * Cache design notes:
 *   - text entries live in a chained hash (HASH_BUCKETS); each has an LRU
 *     stamp. The texture bytes are capped (cache_cap(): TEXT_CACHE_SCREENS
 *     times the output's bytes, at least TEXT_CACHE_MIN); over the cap, the
 *     least recently used textures are dropped (size entries stay: tiny).
 *   - discs: up to MAX_DISCS entries keyed by (radius, rgba), LRU, bytes
 *     capped at DISC_CACHE_SCREENS output bytes (at least DISC_CACHE_MIN).
 *   - invariant: a text entry's tex is NULL or sized w x h; a disc's tex is
 *     2r x 2r.
 */
#include "gfx_sdl_private.h"

#include <stdbool.h>
#include <string.h>

#include <SDL_ttf.h>

#include "font_private.h"
#include "hk_mem.h"

#define HASH_BUCKETS 1024
/* Text textures scale with the panel: a full screen of text at 4K is ~4x
 * the bytes of 1080x1920. The cap is a multiple of the output's own bytes
 * (TEXT_CACHE_SCREENS), never below TEXT_CACHE_MIN: the screens a kiosk
 * cycles through must all fit, or every frame re-rasterises its text. */
#define TEXT_CACHE_MIN     (12 * 1024 * 1024)
#define TEXT_CACHE_SCREENS 2
#define MAX_ENTRIES        4096
#define MAX_DISCS          48
#define DISC_CACHE_MIN     (8 * 1024 * 1024)
#define DISC_CACHE_SCREENS 1

typedef struct text_entry {
    struct text_entry *next;
    uint32_t hash;
    int weight;
    int size;
    uint32_t rgba; /* colour drawn with; 0 = size-only entry */
    size_t len;
    char *str;
    int w, h;         /* the line box (what text_size reports) */
    SDL_Rect ink;     /* the part of the line box with any ink: the texture */
    bool blank;       /* drawn and found without ink (spaces) */
    SDL_Texture *tex; /* NULL until drawn (or evicted) */
    uint64_t used;
} text_entry_t;

struct gfx_sdl {
    SDL_Renderer *r;
    SDL_Texture *target; /* NULL = the output */
    font_set_t *fonts;
    text_entry_t *buckets[HASH_BUCKETS];
    size_t tex_bytes;
    int n_entries;
    uint64_t tick;
    struct {
        int radius;
        uint32_t rgba;
        SDL_Texture *tex; /* NULL = free slot */
        uint64_t used;
    } discs[MAX_DISCS];
    size_t disc_bytes;
};

static uint32_t hash_key(int weight, int size, uint32_t rgba, const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    size_t i;

    h = (h ^ (uint32_t)weight) * 16777619u;
    h = (h ^ (uint32_t)size) * 16777619u;
    h = (h ^ rgba) * 16777619u;
    for(i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static void drop_entry_texture(gfx_sdl_t *s, text_entry_t *e)
{
    if(e->tex) {
        SDL_DestroyTexture(e->tex);
        e->tex = NULL;
        s->tex_bytes -= (size_t)e->ink.w * (size_t)e->ink.h * 4;
    }
}

static void clear_all(gfx_sdl_t *s)
{
    int i;

    for(i = 0; i < HASH_BUCKETS; i++) {
        text_entry_t *e = s->buckets[i];
        while(e) {
            text_entry_t *n = e->next;
            drop_entry_texture(s, e);
            hk_free(e->str);
            hk_free(e);
            e = n;
        }
        s->buckets[i] = NULL;
    }
    s->n_entries = 0;
}

static size_t cache_cap(const gfx_sdl_t *s)
{
    int w = 0, h = 0;
    size_t cap;

    if(SDL_GetRendererOutputSize(s->r, &w, &h) != 0 || w <= 0 || h <= 0)
        return TEXT_CACHE_MIN;
    cap = (size_t)w * (size_t)h * 4 * TEXT_CACHE_SCREENS;
    return cap > TEXT_CACHE_MIN ? cap : TEXT_CACHE_MIN;
}

/* Drop the least recently used textures until under the byte cap. */
static void evict_textures(gfx_sdl_t *s, size_t need)
{
    size_t cap = cache_cap(s);

    while(s->tex_bytes + need > cap) {
        text_entry_t *oldest = NULL;
        int i;

        for(i = 0; i < HASH_BUCKETS; i++) {
            text_entry_t *e;
            for(e = s->buckets[i]; e; e = e->next)
                if(e->tex && (!oldest || e->used < oldest->used))
                    oldest = e;
        }
        if(!oldest)
            return;
        drop_entry_texture(s, oldest);
    }
}

static text_entry_t *lookup(gfx_sdl_t *s, gfx_weight_t wt, int size, uint32_t rgba, const char *str,
                            size_t len)
{
    uint32_t h = hash_key((int)wt, size, rgba, str, len);
    text_entry_t **head = &s->buckets[h % HASH_BUCKETS];
    text_entry_t *e;
    char *copy;

    for(e = *head; e; e = e->next)
        if(e->hash == h && e->weight == (int)wt && e->size == size && e->rgba == rgba &&
           e->len == len && memcmp(e->str, str, len) == 0) {
            e->used = ++s->tick;
            return e;
        }
    if(s->n_entries >= MAX_ENTRIES)
        clear_all(s); /* a runaway set of strings: start over, rare */
    e = hk_calloc(1, sizeof(*e));
    copy = hk_malloc(len + 1);
    if(!e || !copy) {
        hk_free(e);
        hk_free(copy);
        return NULL;
    }
    memcpy(copy, str, len);
    copy[len] = '\0';
    e->hash = h;
    e->weight = (int)wt;
    e->size = size;
    e->rgba = rgba;
    e->len = len;
    e->str = copy;
    e->used = ++s->tick;
    if(TTF_SizeUTF8(font_set_face(s->fonts, wt, size), copy, &e->w, &e->h) != 0) {
        e->w = 0;
        e->h = size;
    }
    e->next = *head;
    *head = e;
    s->n_entries++;
    return e;
}

/* Make sure drawing goes to the target (display_present() unbinds it). */
static void bind(gfx_sdl_t *s)
{
    if(s->target && SDL_GetRenderTarget(s->r) != s->target)
        SDL_SetRenderTarget(s->r, s->target);
}

static void op_fill_rect(void *impl, gfx_rect_t r, gfx_color_t c)
{
    gfx_sdl_t *s = impl;
    SDL_Rect rr = { r.x, r.y, r.w, r.h };

    bind(s);
    SDL_SetRenderDrawBlendMode(s->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(s->r, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(s->r, &rr);
}

static size_t disc_cap(const gfx_sdl_t *s)
{
    size_t cap = cache_cap(s) / TEXT_CACHE_SCREENS * DISC_CACHE_SCREENS;

    return cap > DISC_CACHE_MIN ? cap : DISC_CACHE_MIN;
}

static void drop_disc(gfx_sdl_t *s, int i)
{
    if(!s->discs[i].tex)
        return;
    SDL_DestroyTexture(s->discs[i].tex);
    s->discs[i].tex = NULL;
    s->disc_bytes -= (size_t)s->discs[i].radius * (size_t)s->discs[i].radius * 16;
}

/* Coverage (0..255) of pixel (x, y) by a disc of radius r centred at (r, r):
 * exact inside and outside, 4x4 supersampled only near the edge. */
static uint32_t coverage(int x, int y, int r)
{
    float dx = (float)x + 0.5f - (float)r, dy = (float)y + 0.5f - (float)r;
    float d2 = dx * dx + dy * dy, rf = (float)r;
    int sx, sy, inside = 0;

    if(d2 <= (rf - 1.0f) * (rf - 1.0f))
        return 255;
    if(d2 >= (rf + 1.0f) * (rf + 1.0f))
        return 0;
    for(sy = 0; sy < 4; sy++)
        for(sx = 0; sx < 4; sx++) {
            float fx = (float)x + ((float)sx + 0.5f) / 4.0f - rf;
            float fy = (float)y + ((float)sy + 0.5f) / 4.0f - rf;
            if(fx * fx + fy * fy <= rf * rf)
                inside++;
        }
    return (uint32_t)(inside * 255 / 16);
}

/* A disc of diameter 2*radius in colour c, anti-aliased edge in alpha. */
static SDL_Texture *disc_texture(gfx_sdl_t *s, int radius, gfx_color_t c)
{
    uint32_t rgba = ((uint32_t)c.r << 24) | ((uint32_t)c.g << 16) | ((uint32_t)c.b << 8) | c.a;
    uint32_t rgb = ((uint32_t)c.r << 16) | ((uint32_t)c.g << 8) | c.b;
    size_t bytes = (size_t)radius * (size_t)radius * 16;
    SDL_Surface *surf;
    SDL_Texture *tex;
    int i, x, y, d = radius * 2, slot = -1;

    for(i = 0; i < MAX_DISCS; i++)
        if(s->discs[i].tex && s->discs[i].radius == radius && s->discs[i].rgba == rgba) {
            s->discs[i].used = ++s->tick;
            return s->discs[i].tex;
        }
    /* room: drop the least recently used discs while full or over the cap
     * (a disc bigger than the whole cap is still made: it is on screen) */
    for(;;) {
        int oldest = -1;
        slot = -1;
        for(i = 0; i < MAX_DISCS; i++) {
            if(!s->discs[i].tex) {
                if(slot < 0)
                    slot = i;
            } else if(oldest < 0 || s->discs[i].used < s->discs[oldest].used) {
                oldest = i;
            }
        }
        if(oldest < 0 || (slot >= 0 && s->disc_bytes + bytes <= disc_cap(s)))
            break;
        drop_disc(s, oldest);
    }
    surf = SDL_CreateRGBSurfaceWithFormat(0, d, d, 32, SDL_PIXELFORMAT_ARGB8888);
    if(!surf)
        return NULL;
    for(y = 0; y < radius; y++) {
        uint32_t *row = (uint32_t *)(void *)((uint8_t *)surf->pixels + y * surf->pitch);
        uint32_t *mirror =
            (uint32_t *)(void *)((uint8_t *)surf->pixels + (d - 1 - y) * surf->pitch);
        for(x = 0; x < radius; x++) {
            uint32_t a = coverage(x, y, radius) * c.a / 255;
            uint32_t px = (a << 24) | rgb;
            /* the disc is symmetric: compute a quarter, write four */
            row[x] = row[d - 1 - x] = mirror[x] = mirror[d - 1 - x] = px;
        }
    }
    tex = SDL_CreateTextureFromSurface(s->r, surf);
    SDL_FreeSurface(surf);
    if(!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    s->discs[slot].radius = radius;
    s->discs[slot].rgba = rgba;
    s->discs[slot].tex = tex;
    s->discs[slot].used = ++s->tick;
    s->disc_bytes += bytes;
    return tex;
}

static void op_fill_round_rect(void *impl, gfx_rect_t r, int radius, gfx_color_t c)
{
    gfx_sdl_t *s = impl;
    SDL_Texture *tex;
    int k;

    if(radius * 2 > r.w)
        radius = r.w / 2;
    if(radius * 2 > r.h)
        radius = r.h / 2;
    if(radius < 2) {
        op_fill_rect(impl, r, c);
        return;
    }
    tex = disc_texture(s, radius, c);
    if(!tex) {
        op_fill_rect(impl, r, c);
        return;
    }
    op_fill_rect(impl, gfx_rect(r.x + radius, r.y, r.w - 2 * radius, r.h), c);
    op_fill_rect(impl, gfx_rect(r.x, r.y + radius, radius, r.h - 2 * radius), c);
    op_fill_rect(impl, gfx_rect(r.x + r.w - radius, r.y + radius, radius, r.h - 2 * radius), c);
    for(k = 0; k < 4; k++) {
        int qx = (k & 1) ? radius : 0, qy = (k & 2) ? radius : 0;
        SDL_Rect src = { qx, qy, radius, radius };
        SDL_Rect dst = { (k & 1) ? r.x + r.w - radius : r.x, (k & 2) ? r.y + r.h - radius : r.y,
                         radius, radius };
        SDL_RenderCopy(s->r, tex, &src, &dst);
    }
}

static void op_text_size(void *impl, gfx_weight_t wt, int size_px, const char *str, size_t len,
                         int *w_out, int *h_out)
{
    gfx_sdl_t *s = impl;
    text_entry_t *e = len ? lookup(s, wt, size_px, 0, str, len) : NULL;

    if(w_out)
        *w_out = e ? e->w : 0;
    if(h_out)
        *h_out = e ? e->h : TTF_FontLineSkip(font_set_face(s->fonts, wt, size_px));
}

/* The smallest rectangle of surf holding every pixel with alpha. A line
 * box is ~1.45 em tall and mostly transparent above and below the glyphs:
 * blitting only the ink is a good part of a 4K frame. */
static SDL_Rect ink_box(const SDL_Surface *surf)
{
    SDL_Rect r = { 0, 0, 0, 0 };
    int x, y, x0 = surf->w, x1 = -1, y0 = surf->h, y1 = -1;

    for(y = 0; y < surf->h; y++) {
        const uint32_t *row =
            (const uint32_t *)(const void *)((const uint8_t *)surf->pixels + y * surf->pitch);
        for(x = 0; x < surf->w; x++)
            if(row[x] & 0xFF000000u) {
                if(x < x0)
                    x0 = x;
                if(x > x1)
                    x1 = x;
                if(y < y0)
                    y0 = y;
                y1 = y;
            }
    }
    if(x1 >= x0 && y1 >= y0) {
        r.x = x0;
        r.y = y0;
        r.w = x1 - x0 + 1;
        r.h = y1 - y0 + 1;
    }
    return r;
}

/* Render e's string in colour c into e->tex (its ink only). */
static bool rasterise(gfx_sdl_t *s, text_entry_t *e, gfx_weight_t wt, int size_px, gfx_color_t c)
{
    SDL_Color fg = { c.r, c.g, c.b, c.a }; /* SDL_ttf 2.20 blends fg.a in */
    SDL_Surface *surf, *ink;

    surf = TTF_RenderUTF8_Blended(font_set_face(s->fonts, wt, size_px), e->str, fg);
    if(!surf)
        return false;
    /* blended output is ARGB8888; anything else is drawn untrimmed */
    e->ink = surf->format->format == SDL_PIXELFORMAT_ARGB8888
                 ? ink_box(surf)
                 : (SDL_Rect){ 0, 0, surf->w, surf->h };
    e->w = surf->w;
    e->h = surf->h;
    if(e->ink.w == 0) {
        e->blank = true;
        SDL_FreeSurface(surf);
        return true;
    }
    evict_textures(s, (size_t)e->ink.w * (size_t)e->ink.h * 4);
    ink = SDL_CreateRGBSurfaceWithFormatFrom(
        (uint8_t *)surf->pixels + e->ink.y * surf->pitch + e->ink.x * 4, e->ink.w, e->ink.h, 32,
        surf->pitch, surf->format->format);
    if(ink) {
        e->tex = SDL_CreateTextureFromSurface(s->r, ink);
        SDL_FreeSurface(ink);
    }
    SDL_FreeSurface(surf);
    if(!e->tex)
        return false;
    s->tex_bytes += (size_t)e->ink.w * (size_t)e->ink.h * 4;
    SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
    return true;
}

static void op_draw_text(void *impl, gfx_weight_t wt, int size_px, gfx_color_t c, int x, int y,
                         const char *str, size_t len)
{
    gfx_sdl_t *s = impl;
    text_entry_t *e;
    SDL_Rect dst;

    if(!len)
        return;
    /* alpha 0 would collide with the size-only key; it draws nothing anyway */
    if(c.a == 0)
        return;
    e = lookup(s, wt, size_px,
               ((uint32_t)c.r << 24) | ((uint32_t)c.g << 16) | ((uint32_t)c.b << 8) | c.a, str,
               len);
    if(!e || e->w <= 0)
        return;
    if(!e->tex && !e->blank && !rasterise(s, e, wt, size_px, c))
        return;
    if(e->blank)
        return;
    bind(s);
    dst.x = x + e->ink.x;
    dst.y = y + e->ink.y;
    dst.w = e->ink.w;
    dst.h = e->ink.h;
    SDL_RenderCopy(s->r, e->tex, NULL, &dst);
}

static void op_set_clip(void *impl, const gfx_rect_t *r)
{
    gfx_sdl_t *s = impl;

    bind(s);
    if(r) {
        SDL_Rect rr = { r->x, r->y, r->w, r->h };
        SDL_RenderSetClipRect(s->r, &rr);
    } else {
        SDL_RenderSetClipRect(s->r, NULL);
    }
}

static const gfx_ops_t sdl_ops = {
    op_fill_rect, op_fill_round_rect, op_text_size, op_draw_text, op_set_clip,
};

hk_err_t gfx_sdl_create(SDL_Renderer *r, font_set_t *fonts, gfx_t *g, gfx_sdl_t **out)
{
    gfx_sdl_t *s = hk_calloc(1, sizeof(*s));

    *out = s;
    if(!s)
        return HK_ERR_NOMEM;
    s->r = r;
    s->fonts = fonts;
    g->ops = &sdl_ops;
    g->impl = s;
    return HK_OK;
}

void gfx_sdl_set_target(gfx_sdl_t *s, SDL_Texture *target)
{
    s->target = target;
}

void gfx_sdl_destroy(gfx_sdl_t *s)
{
    int i;

    if(!s)
        return;
    clear_all(s);
    for(i = 0; i < MAX_DISCS; i++)
        drop_disc(s, i);
    hk_free(s);
}
