/*
 * bench_model: builds the ui_model_t a screen draws from, as ui_app.c's
 * refresh_time()/refresh_stats() would, but without a store: the bench
 * decides the waiting counts. Also converts a local business time to Unix
 * ms for the config's utc_offset_min.
 */
#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void bench_model_fill(ui_model_t *m, const config_t *cfg, int64_t wall_ms, i18n_lang_t lang, int w,
                      int h, const int *waiting)
{
    char day[11];
    int wday = 0, min = 0, mo = 0, d = 0, i;

    memset(m, 0, sizeof(*m));
    m->cfg = cfg;
    m->lang = lang;
    m->large = false;
    m->w = w;
    m->h = h;
    m->unavailable_title = I18N_TILE_FAQ;
    config_local_time(cfg, wall_ms, day, &wday, &min);
    snprintf(m->time_text, sizeof(m->time_text), "%02d:%02d", min / 60, min % 60);
    if(sscanf(day, "%*d-%d-%d", &mo, &d) != 2)
        mo = d = 0;
    if(lang == I18N_EN)
        snprintf(m->date_text, sizeof(m->date_text), "%s %d %s", i18n_weekday(lang, wday), d,
                 i18n_month_en(mo));
    else
        snprintf(m->date_text, sizeof(m->date_text), "%d月%d日 %s", mo, d,
                 i18n_weekday(lang, wday));
    m->today = cfg->hours.day[wday];
    for(i = 0; i < cfg->n_services; i++) {
        ui_service_view_t *v = &m->svc[i];
        v->open = config_service_open_at(cfg, i, wall_ms, &v->today);
        v->waiting = waiting ? waiting[i] : 0;
        /* one open counter per service is enough for a plausible estimate */
        v->est_wait_s = v->waiting * cfg->services[i].avg_service_s;
        m->total_waiting += v->waiting;
    }
}

int64_t bench_local_ms(const config_t *cfg, int year, int mon, int day, int hour, int min)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    /* timegm: the fields as UTC; then shift by the business zone */
    return ((int64_t)timegm(&tm) - (int64_t)cfg->utc_offset_min * 60) * 1000;
}

hk_err_t bench_open_panel(font_set_t **fonts, display_t **d, hk_diag_t *diag)
{
    display_cfg_t dc;
    hk_err_t rc;

    *fonts = NULL;
    *d = NULL;
    memset(&dc, 0, sizeof(dc));
    dc.mode = DISPLAY_MODE_OFFSCREEN;
    dc.width = PANEL_W;
    dc.height = PANEL_H;
    dc.title = "hk_bench";
    hk_diag_clear(diag);
    rc = font_set_open(NULL, fonts, diag);
    if(rc == HK_OK)
        rc = display_create(&dc, *fonts, d, diag);
    return rc;
}

void bench_close_panel(font_set_t *fonts, display_t *d)
{
    display_destroy(d);
    font_set_destroy(fonts);
}
