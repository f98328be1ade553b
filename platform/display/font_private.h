/*
 * font_private: the font set's body, shared by font.c and gfx_sdl.c only.
 */
#ifndef HK_PLATFORM_DISPLAY_FONT_PRIVATE_H
#define HK_PLATFORM_DISPLAY_FONT_PRIVATE_H

#include <SDL_ttf.h>

#include "display.h"

struct font_set {
    char path[512];
    TTF_Font *face[2]; /* GFX_REGULAR, GFX_BOLD */
    int size[2];       /* size each face is set to now */
};

/** The face for a weight, switched to size_px. Borrowed. */
TTF_Font *font_set_face(font_set_t *f, gfx_weight_t wt, int size_px);

#endif
