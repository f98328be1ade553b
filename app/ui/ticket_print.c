/*
 * ticket_print: lays the paper ticket out on an offscreen canvas drawn with
 * the same fonts and label code as the screen, then thresholds it to 1 bit.
 * Paper is 576 dots wide on 80 mm printers (384 on 58 mm); sizes below are
 * for 576 and scale with the configured width.
 */
#include "ticket_print.h"

#include <stdio.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "hk_time.h"
#include "label.h"
#include "qr.h"
#include "ticket_url.h"

#define CANVAS_MAX_H 1800

void ticket_print_url(const config_t *cfg, const ticket_t *t, char *buf, unsigned size)
{
    hk_err_t rc = ticket_url_build(cfg->ticket_url_template, cfg->ticket_url_key, cfg->branch_id,
                                   t->day, t->number, buf, size, NULL);

    /* buf is "" then: no QR code rather than a wrong one. */
    if(rc != HK_OK)
        hk_log_warn("ticket", "no status URL for %s: %s", t->number, hk_err_str(rc));
}

void ticket_print_issued_text(const config_t *cfg, const ticket_t *t, char *buf, unsigned size)
{
    int min_of_day = 0;

    min_of_day = hk_time_minute_of_day(t->issued_ms, cfg->utc_offset_min);
    snprintf(buf, size, "%s %02d:%02d", t->day, min_of_day / 60, min_of_day % 60);
}

static int row(gfx_t *g, int y, int x0, int w, int px, const char *label, const char *value)
{
    gfx_color_t black = gfx_rgb(0x000000);

    ui_label_draw(g, GFX_REGULAR, px, black, gfx_rect(x0, y, w / 2, px * 2), UI_ALIGN_LEFT, 1,
                  label);
    ui_label_draw(g, GFX_BOLD, px, black, gfx_rect(x0 + w / 3, y, w - w / 3, px * 2),
                  UI_ALIGN_RIGHT, 1, value);
    return ui_label_line_h(px) + px / 3;
}

hk_err_t ticket_print_render(font_set_t *fonts, const config_t *cfg, const ticket_t *t,
                             i18n_lang_t lang, uint8_t **bits_out, int *w_out, int *h_out,
                             const char *png_path)
{
    gfx_canvas_t *cv = NULL;
    gfx_t *g;
    int W = cfg->printer.width_dots > 0 ? cfg->printer.width_dots : 576;
    int u100 = W * 100 / 576; /* scale in percent of an 80 mm ticket */
    int m = 24 * u100 / 100, w, y, qs;
    int si = config_service_index(cfg, t->service_id);
    const config_service_t *svc = si >= 0 ? &cfg->services[si] : NULL;
    gfx_color_t black = gfx_rgb(0x000000);
    char buf[256], val[96];
    ui_qr_t *qr = NULL;
    hk_err_t rc;

#define S(px) ((px)*u100 / 100)
    *bits_out = NULL;
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
    y += ui_label_draw(g, GFX_REGULAR, S(26), black, gfx_rect(m, y, w, S(60)), UI_ALIGN_CENTER, 1,
                       i18n_get(lang, I18N_YOUR_NUMBER));
    y += ui_label_draw(g, GFX_BOLD, S(150), black, gfx_rect(m, y - S(14), w, S(300)),
                       UI_ALIGN_CENTER, 1, t->number) -
         S(28);
    if(svc)
        y += ui_label_draw(g, GFX_BOLD, S(36), black, gfx_rect(m, y, w, S(100)), UI_ALIGN_CENTER, 2,
                           lang == I18N_EN ? svc->name_en : svc->name_zh);
    y += S(14);
    /* dashed rule */
    {
        int x;
        for(x = m; x < m + w; x += S(16))
            gfx_fill_rect(g, gfx_rect(x, y, S(9), 2), black);
    }
    y += S(18);
    if(t->device_id[0])
        snprintf(val, sizeof(val), "-"); /* issued while the hub was away: not known */
    else
        i18n_format_int(val, sizeof(val), lang, I18N_PEOPLE_D, t->ahead_quoted);
    y += row(g, y, m, w, S(28), i18n_get(lang, I18N_TICKET_AHEAD), val);
    if(t->est_wait_s_quoted >= 0 && t->ahead_quoted == 0)
        snprintf(val, sizeof(val), "%s", i18n_get(lang, I18N_SVC_NO_WAIT));
    else if(t->est_wait_s_quoted >= 0)
        i18n_format_int(val, sizeof(val), lang, I18N_MINUTES_D, (t->est_wait_s_quoted + 59) / 60);
    else
        snprintf(val, sizeof(val), "-");
    y += row(g, y, m, w, S(28), i18n_get(lang, I18N_TICKET_WAIT), val);
    ticket_print_issued_text(cfg, t, val, sizeof(val));
    y += row(g, y, m, w, S(28), i18n_get(lang, I18N_TICKET_TIME), val);
    y += ui_label_draw(g, GFX_REGULAR, S(22), black, gfx_rect(m, y, w, S(60)), UI_ALIGN_CENTER, 2,
                       i18n_get(lang, I18N_EST_NOTE));
    y += S(14);

    qr = hk_calloc(1, sizeof(*qr));
    if(!qr) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    ticket_print_url(cfg, t, buf, sizeof(buf));
    if(ui_qr_set(qr, buf) == HK_OK) {
        qs = S(220);
        ui_qr_draw(qr, g, (W - qs) / 2, y, qs);
        y += qs;
        y += ui_label_draw(g, GFX_REGULAR, S(24), black, gfx_rect(m, y, w, S(60)), UI_ALIGN_CENTER,
                           1, i18n_get(lang, I18N_SCAN_QR));
    }
    y += S(10);
    {
        /* the branch's own footer replaces our default reminder */
        const char *footer = lang == I18N_EN ? cfg->ticket_footer_en : cfg->ticket_footer_zh;
        if(!footer[0])
            footer = i18n_get(lang, I18N_WATCH_DISPLAY);
        y += ui_label_draw(g, GFX_REGULAR, S(24), black, gfx_rect(m, y, w, S(200)), UI_ALIGN_CENTER,
                           4, footer);
    }
    y += S(24);
    if(y > CANVAS_MAX_H)
        y = CANVAS_MAX_H;
    rc = gfx_canvas_to_bits(cv, y, bits_out);
    if(rc != HK_OK)
        goto out;
    if(png_path)
        (void)gfx_canvas_save_png(cv, y, png_path); /* evidence only; printing goes on */
    *w_out = W;
    *h_out = y;
out:
#undef S
    hk_free(qr);
    gfx_canvas_destroy(cv);
    return rc;
}
