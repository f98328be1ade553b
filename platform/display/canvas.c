/*
 * canvas: an offscreen white surface drawn through the same gfx_sdl as the
 * screen (same fonts, same code), used to render printed tickets; then
 * thresholded to the 1-bit raster ESC/POS printers take. No window.
 */
#include "display.h"

#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "gfx_sdl_private.h"
#include "hk_mem.h"

struct gfx_canvas {
    SDL_Surface *surf;
    SDL_Renderer *ren;
    gfx_t gfx;
    gfx_sdl_t *gs;
};

hk_err_t gfx_canvas_create(font_set_t *fonts, int w, int h, gfx_canvas_t **out)
{
    gfx_canvas_t *c;
    hk_err_t rc = HK_OK;

    *out = NULL;
    if(w <= 0 || h <= 0 || w > 4096 || h > 16384)
        return HK_ERR_INVALID;
    c = hk_calloc(1, sizeof(*c));
    if(!c)
        return HK_ERR_NOMEM;
    c->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if(!c->surf) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    c->ren = SDL_CreateSoftwareRenderer(c->surf);
    if(!c->ren) {
        rc = HK_ERR_HW;
        goto out;
    }
    SDL_SetRenderDrawColor(c->ren, 255, 255, 255, 255);
    SDL_RenderClear(c->ren);
    c->gfx.width = w;
    c->gfx.height = h;
    rc = gfx_sdl_create(c->ren, fonts, &c->gfx, &c->gs);
out:
    if(rc != HK_OK) {
        gfx_canvas_destroy(c);
        return rc;
    }
    *out = c;
    return HK_OK;
}

void gfx_canvas_destroy(gfx_canvas_t *c)
{
    if(!c)
        return;
    gfx_sdl_destroy(c->gs);
    if(c->ren)
        SDL_DestroyRenderer(c->ren);
    if(c->surf)
        SDL_FreeSurface(c->surf);
    hk_free(c);
}

gfx_t *gfx_canvas_gfx(gfx_canvas_t *c)
{
    return &c->gfx;
}

hk_err_t gfx_canvas_to_bits(gfx_canvas_t *c, int rows, uint8_t **out)
{
    int w = c->surf->w, stride = (w + 7) / 8, x, y;
    uint8_t *bits;

    *out = NULL;
    if(rows <= 0 || rows > c->surf->h)
        return HK_ERR_INVALID;
    bits = hk_calloc((size_t)stride * (size_t)rows, 1);
    if(!bits)
        return HK_ERR_NOMEM;
    SDL_RenderFlush(c->ren);
    for(y = 0; y < rows; y++) {
        const uint32_t *px =
            (const uint32_t *)(const void *)((const uint8_t *)c->surf->pixels + y * c->surf->pitch);
        for(x = 0; x < w; x++) {
            uint32_t p = px[x];
            /* luminance (BT.601 integer weights); dark half prints */
            unsigned lum =
                (((p >> 16) & 0xFF) * 299 + ((p >> 8) & 0xFF) * 587 + (p & 0xFF) * 114) / 1000;
            if(lum < 128)
                bits[y * stride + x / 8] |= (uint8_t)(0x80 >> (x % 8));
        }
    }
    *out = bits;
    return HK_OK;
}

hk_err_t gfx_canvas_save_png(gfx_canvas_t *c, int rows, const char *path)
{
    SDL_Surface *sub;
    SDL_Rect r = { 0, 0, c->surf->w, rows };
    hk_err_t rc = HK_OK;

    if(rows <= 0 || rows > c->surf->h)
        return HK_ERR_INVALID;
    SDL_RenderFlush(c->ren);
    sub = SDL_CreateRGBSurfaceWithFormat(0, c->surf->w, rows, 32, SDL_PIXELFORMAT_ARGB8888);
    if(!sub)
        return HK_ERR_NOMEM;
    SDL_BlitSurface(c->surf, &r, sub, NULL);
    if(IMG_SavePNG(sub, path) != 0)
        rc = HK_ERR_IO;
    SDL_FreeSurface(sub);
    return rc;
}

hk_err_t gfx_bits_save_png(const uint8_t *bits, int w, int h, const char *path)
{
    SDL_Surface *s;
    int stride = (w + 7) / 8, x, y;
    hk_err_t rc = HK_OK;

    if(w <= 0 || h <= 0)
        return HK_ERR_INVALID;
    s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 24, SDL_PIXELFORMAT_RGB24);
    if(!s)
        return HK_ERR_NOMEM;
    for(y = 0; y < h; y++) {
        uint8_t *row = (uint8_t *)s->pixels + y * s->pitch;
        for(x = 0; x < w; x++) {
            uint8_t v = (bits[y * stride + x / 8] & (0x80 >> (x % 8))) ? 0 : 255;
            row[x * 3] = row[x * 3 + 1] = row[x * 3 + 2] = v;
        }
    }
    if(IMG_SavePNG(s, path) != 0)
        rc = HK_ERR_IO;
    SDL_FreeSurface(s);
    return rc;
}
