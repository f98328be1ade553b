/*
 * submit_print: see submit_print.h. Sizes are for 576 dots (80 mm) and
 * scale with the configured width, as on the ticket.
 */
#include "submit_print.h"

#include <stdio.h>
#include <string.h>

#include "hk_mem.h"
#include "hk_time.h"
#include "label.h"
#include "qr.h"

#define CANVAS_MAX_H 1800

hk_err_t submit_print_render(font_set_t *fonts, const config_t *cfg, const char *ref,
                             const char *phone_masked, const char *url, i18n_lang_t lang,
                             int64_t wall_ms, uint8_t **bits_out, int *w_out, int *h_out,
                             const char *png_path)
{
    gfx_canvas_t *cv = NULL;
    gfx_t *g;
    int W = cfg->printer.width_dots > 0 ? cfg->printer.width_dots : 576;
    int u100 = W * 100 / 576, m, w, y, qs, x;
    gfx_color_t black = gfx_rgb(0x000000);
    hk_time_local_t lt;
    char when[48];
    ui_qr_t *qr = NULL;
    hk_err_t rc;

#define S(px) ((px)*u100 / 100)
    *bits_out = NULL;
    m = S(24);
    rc = gfx_canvas_create(fonts, W, CANVAS_MAX_H, &cv);
    if(rc != HK_OK)
        return rc;
    g = gfx_canvas_gfx(cv);
    w = W - 2 * m;
    y = S(16);
    y += ui_label_draw(g, GFX_BOLD, S(32), black, gfx_rect(m, y, w, S(100)), UI_ALIGN_CENTER, 2,
                       lang == I18N_EN ? cfg->branch_name_en : cfg->branch_name_zh);
    y += S(10);
    gfx_fill_rect(g, gfx_rect(m, y, w, 3), black);
    y += S(18);
    y += ui_label_draw(g, GFX_BOLD, S(34), black, gfx_rect(m, y, w, S(100)), UI_ALIGN_CENTER, 2,
                       i18n_get(lang, I18N_SUBMIT_DONE_TITLE));
    y += S(12);
    y += ui_label_draw(g, GFX_REGULAR, S(26), black, gfx_rect(m, y, w, S(60)), UI_ALIGN_CENTER, 1,
                       i18n_get(lang, I18N_SUBMIT_DONE_REF));
    y += ui_label_draw(g, GFX_BOLD, S(64), black, gfx_rect(m, y, w, S(140)), UI_ALIGN_CENTER, 1,
                       ref);
    y += S(10);
    y += ui_label_draw(g, GFX_REGULAR, S(26), black, gfx_rect(m, y, w, S(60)), UI_ALIGN_CENTER, 1,
                       i18n_get(lang, I18N_SUBMIT_DONE_PHONE));
    y += ui_label_draw(g, GFX_BOLD, S(44), black, gfx_rect(m, y, w, S(100)), UI_ALIGN_CENTER, 1,
                       phone_masked);
    hk_time_local(wall_ms, cfg->utc_offset_min, &lt);
    snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d", lt.date.year, lt.date.month,
             lt.date.day, lt.min_of_day / 60, lt.min_of_day % 60);
    y += S(6);
    y += ui_label_draw(g, GFX_REGULAR, S(26), black, gfx_rect(m, y, w, S(60)), UI_ALIGN_CENTER, 1,
                       when);
    y += S(14);
    for(x = m; x < m + w; x += S(16)) /* dashed rule */
        gfx_fill_rect(g, gfx_rect(x, y, S(9), 2), black);
    y += S(18);
    qr = hk_calloc(1, sizeof(*qr));
    if(!qr) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    if(url && url[0] && ui_qr_set(qr, url) == HK_OK) {
        qs = S(240);
        ui_qr_draw(qr, g, (W - qs) / 2, y, qs);
        y += qs;
        y += ui_label_draw(g, GFX_REGULAR, S(24), black, gfx_rect(m, y, w, S(60)), UI_ALIGN_CENTER,
                           1, i18n_get(lang, I18N_SUBMIT_DONE_SCAN));
    }
    y += S(10);
    y += ui_label_draw(g, GFX_REGULAR, S(24), black, gfx_rect(m, y, w, S(200)), UI_ALIGN_CENTER, 3,
                       i18n_get(lang, I18N_SUBMIT_DONE_KEEP));
    y += S(24);
    if(y > CANVAS_MAX_H)
        y = CANVAS_MAX_H;
    rc = gfx_canvas_to_bits(cv, y, bits_out);
    if(rc != HK_OK)
        goto out;
    if(png_path)
        (void)gfx_canvas_save_png(cv, y, png_path); /* evidence only */
    *w_out = W;
    *h_out = y;
out:
#undef S
    hk_free(qr);
    gfx_canvas_destroy(cv);
    return rc;
}
