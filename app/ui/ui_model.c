/*
 * ui_model: see ui_model.h. Pure functions of their inputs: no I/O, no
 * clock reads (the caller passes wall_ms).
 */
#include "ui_model.h"

#include <stdio.h>
#include <string.h>

#include "hk_time.h"

void ui_model_init(ui_model_t *m, const config_t *cfg, uint64_t cfg_gen)
{
    memset(m, 0, sizeof(*m));
    m->cfg = cfg;
    m->cfg_gen = cfg_gen;
    m->total_waiting = -1; /* not known before the first snapshot */
    m->unavailable_title = I18N_TILE_FAQ;
    ui_model_reset_customer(m);
}

void ui_model_reset_customer(ui_model_t *m)
{
    m->lang = i18n_lang_from_code(m->cfg->language);
    m->large = m->cfg->display.large_text;
    m->has_ticket = false;
    /* FAQ/triage (issue 8): the next customer starts in the normal theme
     * with an empty search (what someone typed is theirs) */
    m->contrast = false;
    m->voice = false; /* voice guidance (issue 8.6): off until a customer asks */
    memset(m->faq.query, 0, sizeof(m->faq.query));
    m->faq.n_hits = 0;
    m->faq.mode = UI_FAQ_CATEGORIES;
    m->faq.kb_open = false;
    m->faq.article = -1;
    m->faq.via_need = -1;
}

int64_t ui_model_set_time(ui_model_t *m, int64_t wall_ms)
{
    const config_t *cfg = m->cfg;
    hk_time_local_t lt;
    int wday, min, mo, d, i;

    hk_time_local(wall_ms, cfg->utc_offset_min, &lt);
    wday = lt.wday;
    min = lt.min_of_day;
    mo = lt.date.month;
    d = lt.date.day;
    snprintf(m->time_text, sizeof(m->time_text), "%02d:%02d", min / 60, min % 60);
    if(m->lang == I18N_EN)
        snprintf(m->date_text, sizeof(m->date_text), "%s %d %s", i18n_weekday(m->lang, wday), d,
                 i18n_month_en(mo));
    else
        snprintf(m->date_text, sizeof(m->date_text), "%d月%d日 %s", mo, d,
                 i18n_weekday(m->lang, wday));
    m->today = cfg->hours.day[wday];
    for(i = 0; i < cfg->n_services; i++)
        m->svc[i].open = config_service_open_at(cfg, i, wall_ms, &m->svc[i].today);
    return (wall_ms / 60000 + 1) * 60000;
}

void ui_model_apply_snapshot(ui_model_t *m, const branch_snapshot_t *s)
{
    const config_t *cfg = m->cfg;
    int i, j;

    m->total_waiting = 0;
    for(i = 0; i < cfg->n_services; i++) {
        ui_service_view_t *v = &m->svc[i];
        v->waiting = 0;
        v->est_wait_s = -1;
        for(j = 0; j < s->n_services; j++)
            if(!strcmp(s->services[j].service_id, cfg->services[i].id)) {
                v->waiting = s->services[j].waiting;
                v->est_wait_s = s->services[j].est_wait_s;
                break;
            }
        m->total_waiting += v->waiting;
    }
}
