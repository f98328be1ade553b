/*
 * font: finds and opens the CJK faces once per process: one TTF_Font per
 * weight, sizes changed with TTF_SetFontSize (opening a Noto CJK face costs
 * ~2.3 MB and ~1.2 ms, docs/performance.md). In a .ttc the Simplified Chinese face
 * is looked up by family name, not trusted to an index.
 * Does not render: gfx_sdl.c does, with a cache in front.
 */
#include "display.h"
#include "font_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "hk_mem.h"

#ifndef HK_FONT_DEFAULT
#define HK_FONT_DEFAULT ""
#endif

static const char *const known_paths[] = {
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
};

static int ttf_users;

static const char *pick_path(const char *path)
{
    const char *env = getenv("HK_FONT");
    size_t i;

    if(path && *path)
        return path;
    if(env && *env)
        return env;
    if(HK_FONT_DEFAULT[0] && access(HK_FONT_DEFAULT, R_OK) == 0)
        return HK_FONT_DEFAULT;
    for(i = 0; i < sizeof(known_paths) / sizeof(known_paths[0]); i++)
        if(access(known_paths[i], R_OK) == 0)
            return known_paths[i];
    return NULL;
}

/* Open the face of a collection whose family is Simplified Chinese, else
 * face 0. Noto's .ttc holds JP, KR, SC, TC, HK faces in that order. */
static TTF_Font *open_sc_face(const char *path)
{
    /* Debian's Noto .ttc has SC at index 2: try it first (each open costs
     * ~1.2 ms), but believe only the family name. */
    static const long order[] = { 2, 0, 1, 3, 4, 5, 6, 7, 8, 9 };
    size_t k;

    for(k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        long idx = order[k];
        TTF_Font *f = TTF_OpenFontIndex(path, 32, idx);
        const char *fam;

        if(!f) {
            if(idx == 2)
                continue; /* a plain .ttf has only face 0 */
            break;
        }
        fam = TTF_FontFaceFamilyName(f);
        if(fam && (strstr(fam, " SC") || strstr(fam, "Micro Hei") || strstr(fam, "Zen Hei")))
            return f;
        TTF_CloseFont(f);
    }
    return TTF_OpenFontIndex(path, 32, 0);
}

hk_err_t font_set_open(const char *path, font_set_t **out, hk_diag_t *diag)
{
    font_set_t *f = NULL;
    const char *p = pick_path(path);
    char bold[600];
    const char *reg;
    hk_err_t rc = HK_OK;

    *out = NULL;
    if(!p) {
        hk_diag_set(diag, "font: no CJK font found (install fonts-noto-cjk or set HK_FONT)");
        return HK_ERR_NOT_FOUND;
    }
    if(ttf_users == 0 && TTF_Init() != 0) {
        hk_diag_set(diag, "font: TTF_Init: %s", TTF_GetError());
        return HK_ERR_IO;
    }
    ttf_users++;
    f = hk_calloc(1, sizeof(*f));
    if(!f) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    snprintf(f->path, sizeof(f->path), "%s", p);
    f->face[0] = open_sc_face(p);
    if(!f->face[0]) {
        hk_diag_set(diag, "font: cannot open %s: %s", p, TTF_GetError());
        rc = HK_ERR_IO;
        goto out;
    }
    /* Debian ships Noto CJK Bold as a sibling file; otherwise embolden. */
    reg = strstr(p, "-Regular.");
    if(reg) {
        snprintf(bold, sizeof(bold), "%.*s-Bold.%s", (int)(reg - p), p, reg + 9);
        if(access(bold, R_OK) == 0)
            f->face[1] = open_sc_face(bold);
    }
    if(!f->face[1]) {
        f->face[1] = open_sc_face(p);
        if(f->face[1])
            TTF_SetFontStyle(f->face[1], TTF_STYLE_BOLD);
    }
    if(!f->face[1]) {
        hk_diag_set(diag, "font: cannot open bold face: %s", TTF_GetError());
        rc = HK_ERR_IO;
        goto out;
    }
    f->size[0] = f->size[1] = 32;
out:
    if(rc != HK_OK) {
        font_set_destroy(f);
        return rc;
    }
    *out = f;
    return HK_OK;
}

void font_set_destroy(font_set_t *f)
{
    if(!f)
        return;
    if(f->face[0])
        TTF_CloseFont(f->face[0]);
    if(f->face[1])
        TTF_CloseFont(f->face[1]);
    hk_free(f);
    if(--ttf_users == 0)
        TTF_Quit();
}

const char *font_set_path(const font_set_t *f)
{
    return f->path;
}

TTF_Font *font_set_face(font_set_t *f, gfx_weight_t wt, int size_px)
{
    int i = wt == GFX_BOLD ? 1 : 0;

    if(f->size[i] != size_px) {
        /* SDL_ttf 2.20: resets the face's glyph cache, which is why gfx_sdl
         * caches whole rendered strings and sizes in front of this. */
        (void)TTF_SetFontSize(f->face[i], size_px); /* only fails for size <= 0 */
        f->size[i] = size_px;
    }
    return f->face[i];
}
