/*
 * bench_model: builds the ui_model_t a screen draws from with the same
 * ui_model functions the kiosk uses, but from a snapshot the bench makes up
 * instead of one from a store: the bench decides the waiting counts. Also converts a local business time to Unix
 * ms for the config's utc_offset_min.
 */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#include "hk_time.h"
#include "ui_model.h"

void bench_model_fill(ui_model_t *m, const config_t *cfg, int64_t wall_ms, i18n_lang_t lang, int w,
                      int h, const int *waiting)
{
    static branch_snapshot_t snap; /* large: not on the stack */
    int i;

    ui_model_init(m, cfg, 0);
    m->lang = lang;
    m->large = false;
    m->w = w;
    m->h = h;
    (void)ui_model_set_time(m, wall_ms);
    memset(&snap, 0, sizeof(snap));
    snap.n_services = cfg->n_services;
    for(i = 0; i < cfg->n_services; i++) {
        snprintf(snap.services[i].service_id, sizeof(snap.services[i].service_id), "%s",
                 cfg->services[i].id);
        snap.services[i].waiting = waiting ? waiting[i] : 0;
        /* one open counter per service is enough for a plausible estimate */
        snap.services[i].est_wait_s = snap.services[i].waiting * cfg->services[i].avg_service_s;
    }
    ui_model_apply_snapshot(m, &snap);
}

int64_t bench_local_ms(const config_t *cfg, int year, int mon, int day, int hour, int min)
{
    hk_time_date_t date = { year, mon, day };

    return hk_time_wall_at(&date, hour * 60 + min, cfg->utc_offset_min);
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
