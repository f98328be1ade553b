/*
 * gfx_sdl_private: the SDL renderer-backed gfx implementation, shared by
 * display_sdl.c (the screen) and canvas.c (the ticket canvas).
 */
#ifndef HK_PLATFORM_DISPLAY_GFX_SDL_PRIVATE_H
#define HK_PLATFORM_DISPLAY_GFX_SDL_PRIVATE_H

#include <SDL.h>

#include "display.h"
#include "gfx.h"

typedef struct gfx_sdl gfx_sdl_t;

/** Wrap a renderer; fonts borrowed. Fills *g (ops + impl). */
hk_err_t gfx_sdl_create(SDL_Renderer *r, font_set_t *fonts, gfx_t *g, gfx_sdl_t **out);
void gfx_sdl_destroy(gfx_sdl_t *s);

/**
 * Draw into target (a render-target texture) instead of the renderer's
 * output; NULL = the output. The target is bound lazily by the next drawing
 * op, so the caller may unbind it (SDL_SetRenderTarget(r, NULL)) between
 * frames.
 */
void gfx_sdl_set_target(gfx_sdl_t *s, SDL_Texture *target);

#endif
