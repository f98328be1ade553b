/*
 * gfx_sdl: gfx_t on an SDL_Renderer. Text is rendered white with SDL_ttf
 * (blended, anti-aliased) into a texture once per (weight, size, string)
 * and tinted per draw with the texture colour mod, so a redraw never
 * re-rasterises text; sizes are cached the same way because switching a
 * face's size flushes SDL_ttf's glyph cache. Rounded corners come from one
 * anti-aliased circle texture per radius.
 *
 * Cache design notes:
 *   - entries live in a chained hash (HASH_BUCKETS); each has an LRU stamp.
 *   - the texture bytes are capped (TEXT_CACHE_BYTES); over the cap, the
 *     least recently used textures are dropped (size entries stay: tiny).
 *   - invariant: an entry's tex is NULL or sized w x h.
 */
#include "gfx_sdl_private.h"

#include <string.h>

#include <SDL_ttf.h>

#include "font_private.h"
#include "hk_mem.h"

#define HASH_BUCKETS     1024
#define TEXT_CACHE_BYTES (12 * 1024 * 1024)
#define MAX_ENTRIES      4096
#define MAX_RADII        8

typedef struct text_entry {
    struct text_entry *next;
    uint32_t hash;
    int weight;
    int size;
    uint32_t rgba; /* colour drawn with; 0 = size-only entry */
    size_t len;
    char *str;
    int w, h;
    SDL_Texture *tex; /* NULL until drawn (or evicted) */
    uint64_t used;
} text_entry_t;

struct gfx_sdl {
    SDL_Renderer *r;
    font_set_t *fonts;
    text_entry_t *buckets[HASH_BUCKETS];
    size_t tex_bytes;
    int n_entries;
    uint64_t tick;
    struct {
        int radius;
        SDL_Texture *tex;
    } circles[MAX_RADII];
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
        s->tex_bytes -= (size_t)e->w * (size_t)e->h * 4;
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

/* Drop the least recently used textures until under the byte cap. */
static void evict_textures(gfx_sdl_t *s, size_t need)
{
    while(s->tex_bytes + need > TEXT_CACHE_BYTES) {
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

static void op_fill_rect(void *impl, gfx_rect_t r, gfx_color_t c)
{
    gfx_sdl_t *s = impl;
    SDL_Rect rr = { r.x, r.y, r.w, r.h };

    SDL_SetRenderDrawBlendMode(s->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(s->r, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(s->r, &rr);
}

/* White disc of diameter 2*radius with anti-aliased edge in alpha. */
static SDL_Texture *circle_texture(gfx_sdl_t *s, int radius)
{
    SDL_Surface *surf;
    SDL_Texture *tex;
    int i, x, y, d = radius * 2;

    for(i = 0; i < MAX_RADII; i++)
        if(s->circles[i].radius == radius && s->circles[i].tex)
            return s->circles[i].tex;
    surf = SDL_CreateRGBSurfaceWithFormat(0, d, d, 32, SDL_PIXELFORMAT_ARGB8888);
    if(!surf)
        return NULL;
    for(y = 0; y < d; y++) {
        uint32_t *row = (uint32_t *)(void *)((uint8_t *)surf->pixels + y * surf->pitch);
        for(x = 0; x < d; x++) {
            /* 4x4 supersampling of the pixel against the circle */
            int sx, sy, inside = 0;
            for(sy = 0; sy < 4; sy++)
                for(sx = 0; sx < 4; sx++) {
                    float fx = (float)x + ((float)sx + 0.5f) / 4.0f - (float)radius;
                    float fy = (float)y + ((float)sy + 0.5f) / 4.0f - (float)radius;
                    if(fx * fx + fy * fy <= (float)(radius * radius))
                        inside++;
                }
            row[x] = ((uint32_t)(inside * 255 / 16) << 24) | 0xFFFFFFu;
        }
    }
    tex = SDL_CreateTextureFromSurface(s->r, surf);
    SDL_FreeSurface(surf);
    if(!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    for(i = 0; i < MAX_RADII; i++)
        if(!s->circles[i].tex) {
            s->circles[i].radius = radius;
            s->circles[i].tex = tex;
            return tex;
        }
    /* table full: replace the first slot */
    SDL_DestroyTexture(s->circles[0].tex);
    s->circles[0].radius = radius;
    s->circles[0].tex = tex;
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
    tex = circle_texture(s, radius);
    if(!tex) {
        op_fill_rect(impl, r, c);
        return;
    }
    op_fill_rect(impl, gfx_rect(r.x + radius, r.y, r.w - 2 * radius, r.h), c);
    op_fill_rect(impl, gfx_rect(r.x, r.y + radius, radius, r.h - 2 * radius), c);
    op_fill_rect(impl, gfx_rect(r.x + r.w - radius, r.y + radius, radius, r.h - 2 * radius), c);
    SDL_SetTextureColorMod(tex, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(tex, c.a);
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
    if(!e->tex) {
        SDL_Color fg = { c.r, c.g, c.b, c.a }; /* SDL_ttf 2.20 blends fg.a in */
        SDL_Surface *surf;

        evict_textures(s, (size_t)e->w * (size_t)e->h * 4);
        surf = TTF_RenderUTF8_Blended(font_set_face(s->fonts, wt, size_px), e->str, fg);
        if(!surf)
            return;
        e->tex = SDL_CreateTextureFromSurface(s->r, surf);
        if(e->tex) {
            e->w = surf->w;
            e->h = surf->h;
            s->tex_bytes += (size_t)e->w * (size_t)e->h * 4;
            SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
        }
        SDL_FreeSurface(surf);
        if(!e->tex)
            return;
    }
    dst.x = x;
    dst.y = y;
    dst.w = e->w;
    dst.h = e->h;
    SDL_RenderCopy(s->r, e->tex, NULL, &dst);
}

static void op_set_clip(void *impl, const gfx_rect_t *r)
{
    gfx_sdl_t *s = impl;

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

void gfx_sdl_destroy(gfx_sdl_t *s)
{
    int i;

    if(!s)
        return;
    clear_all(s);
    for(i = 0; i < MAX_RADII; i++)
        if(s->circles[i].tex)
            SDL_DestroyTexture(s->circles[i].tex);
    hk_free(s);
}
