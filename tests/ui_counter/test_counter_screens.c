/*
 * The counter and rating screens in process, on the recording gfx_t
 * (tests/support/gfx_record.h), like tests/ui/test_screens.c: each screen
 * in each of its states, on portrait and landscape panels, in zh-CN and
 * English, in normal and large text, drawn once; nothing may leave the
 * panel, and what a clerk or customer relies on must be there (the called
 * number as the largest text, the five levels, the chips, the key of each
 * action). Plus the reading of typed or scanned ticket numbers
 * (rating_flow_parse).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "gfx_record.h"
#include "hk_test.h"
#include "i18n.h"
#include "rating_flow.h"
#include "screens.h"
#include "ui.h"

static config_t cfg;

void setUp(void)
{
    char path[1024];
    hk_diag_t diag;

    snprintf(path, sizeof(path), "%s/tests/ui_counter/fixtures/branch.json", HK_SOURCE_DIR);
    HK_ASSERT_MSG(config_load_file(path, &cfg, &diag) == HK_OK, "%s: %s", path, diag.msg);
}

void tearDown(void)
{
}

/* A clerk at c6 (s1 logged in) serving A012; a customer rating it. */
static ui_model_t model(i18n_lang_t lang, bool large, int w, int h)
{
    ui_model_t m;
    int i;

    memset(&m, 0, sizeof(m));
    m.cfg = &cfg;
    m.lang = lang;
    m.large = large;
    m.w = w;
    m.h = h;
    snprintf(m.time_text, sizeof(m.time_text), "10:30");
    snprintf(m.date_text, sizeof(m.date_text), "%s", lang == I18N_EN ? "Wed 25 Nov" : "11月25日");
    for(i = 0; i < cfg.n_services; i++)
        m.svc[i].waiting = i;
    m.counter.counter_idx = config_counter_index(&cfg, "c6");
    m.counter.staff_idx = 0;
    m.counter.logged_in = true;
    m.counter.pin_len = 4;
    snprintf(m.counter.login_msg, sizeof(m.counter.login_msg), "%s",
             i18n_get(lang, I18N_COUNTER_PIN_WRONG));
    m.counter.state = 1;
    m.counter.has_ticket = true;
    snprintf(m.counter.ticket.number, sizeof(m.counter.ticket.number), "A012");
    snprintf(m.counter.ticket.service_id, sizeof(m.counter.ticket.service_id), "general");
    m.counter.ticket.state = TICKET_CALLED;
    m.counter.ticket.recalls = 2;
    snprintf(m.counter.waited_text, sizeof(m.counter.waited_text), "12:05");
    snprintf(m.counter.here_text, sizeof(m.counter.here_text), "1:30");
    i18n_format(m.counter.toast, sizeof(m.counter.toast), lang, I18N_TOAST_CALLED_S, "A012");
    rating_flow_begin(&m.rate, false, "A012", 42);
    snprintf(m.rate.staff_id, sizeof(m.rate.staff_id), "s1");
    snprintf(m.rate.staff_name, sizeof(m.rate.staff_name), "%s",
             lang == I18N_EN ? "Wang Li" : "王丽");
    snprintf(m.rate.initials, sizeof(m.rate.initials), "%s", lang == I18N_EN ? "WL" : "王");
    snprintf(m.rate.entry, sizeof(m.rate.entry), "A012");
    snprintf(m.rate.entry_msg, sizeof(m.rate.entry_msg), "%s",
             i18n_get(lang, I18N_RATE_NOT_FINISHED));
    return m;
}

static gfx_rec_t *render(const scr_ops_t *ops, const ui_model_t *m)
{
    gfx_rec_t *rec = NULL;
    void *s = NULL;

    HK_ASSERT_OK(gfx_rec_create(m->w, m->h, &rec));
    HK_ASSERT_OK(ops->create(gfx_rec_gfx(rec), &s));
    ops->enter(s);
    HK_ASSERT_MSG(ops->update(s, m), "%s: a new model must need a redraw", ops->name);
    HK_ASSERT_MSG(!ops->update(s, m), "%s: the same model again must not", ops->name);
    ops->draw(s, gfx_rec_gfx(rec));
    ops->destroy(s);
    HK_ASSERT_INT(0, gfx_rec_dropped(rec));
    return rec;
}

static void assert_inside(const gfx_rec_t *rec, const char *what, int w, int h)
{
    size_t i;

    for(i = 0; i < gfx_rec_count(rec); i++) {
        const gfx_rec_op_t *op = gfx_rec_op(rec, i);
        gfx_rect_t r = op->rect;
        if(op->kind == GFX_REC_CLIP || r.w <= 0 || r.h <= 0)
            continue;
        HK_ASSERT_MSG(r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h,
                      "%s at %dx%d: op %zu (%s \"%s\") at %d,%d size %dx%d leaves the panel", what,
                      w, h, i, op->kind == GFX_REC_TEXT ? "text" : "rect", op->text, r.x, r.y, r.w,
                      r.h);
    }
}

typedef struct state {
    const char *name;
    const scr_ops_t *(*ops)(void);
    void (*set)(ui_model_t *m);
} state_t;

static void st_none(ui_model_t *m)
{
    (void)m;
}

static void st_pick_no_show(ui_model_t *m)
{
    m->counter.pick = UI_PICK_NO_SHOW;
}

static void st_pick_transfer(ui_model_t *m)
{
    m->counter.pick = UI_PICK_TRANSFER;
}

static void st_no_ticket(ui_model_t *m)
{
    m->counter.has_ticket = false;
}

static void st_reasons(ui_model_t *m)
{
    m->rate.phase = UI_RATE_REASONS;
    m->rate.level = 1;
    m->rate.chips = 5;
}

static void st_praise(ui_model_t *m)
{
    m->rate.phase = UI_RATE_PRAISE;
    m->rate.level = 5;
}

static void st_thanks(ui_model_t *m)
{
    m->rate.phase = UI_RATE_THANKS;
    m->rate.level = 2;
}

static void st_failed(ui_model_t *m)
{
    m->rate.phase = UI_RATE_FAILED;
    snprintf(m->rate.msg, sizeof(m->rate.msg), "%s", i18n_get(m->lang, I18N_RATE_CLOSED));
}

static void st_kiosk(ui_model_t *m)
{
    m->rate.kiosk = true;
    m->rate.countdown_s = -1;
}

static void st_idle(ui_model_t *m)
{
    m->rate.idle = true;
    m->rate.countdown_s = -1;
}

static void st_welcome(ui_model_t *m)
{
    st_idle(m);
    m->rate.staff_id[0] = '\0';
}

static const state_t states[] = {
    { "login", scr_counter_login_ops, st_none },
    { "panel", scr_counter_panel_ops, st_none },
    { "panel_no_ticket", scr_counter_panel_ops, st_no_ticket },
    { "panel_no_show", scr_counter_panel_ops, st_pick_no_show },
    { "panel_transfer", scr_counter_panel_ops, st_pick_transfer },
    { "staff", scr_rate_staff_ops, st_none },
    { "staff_idle", scr_rate_staff_ops, st_idle },
    { "staff_welcome", scr_rate_staff_ops, st_welcome },
    { "faces", scr_rate_faces_ops, st_none },
    { "faces_kiosk", scr_rate_faces_ops, st_kiosk },
    { "reasons", scr_rate_faces_ops, st_reasons },
    { "praise", scr_rate_faces_ops, st_praise },
    { "thanks", scr_rate_faces_ops, st_thanks },
    { "failed", scr_rate_faces_ops, st_failed },
    { "number", scr_rate_number_ops, st_kiosk },
};

static void test_nothing_is_drawn_outside_the_panel(void)
{
    static const struct {
        int w, h;
    } panels[] = { { 1080, 1920 }, { 1920, 1080 }, { 800, 1280 }, { 1366, 768 }, { 1280, 1024 } };
    size_t p, i;
    int l, large;

    for(p = 0; p < sizeof(panels) / sizeof(panels[0]); p++)
        for(i = 0; i < sizeof(states) / sizeof(states[0]); i++)
            for(l = 0; l < I18N_LANG_COUNT; l++)
                for(large = 0; large < 2; large++) {
                    ui_model_t m = model((i18n_lang_t)l, large, panels[p].w, panels[p].h);
                    gfx_rec_t *rec;
                    char what[96];
                    states[i].set(&m);
                    rec = render(states[i].ops(), &m);
                    snprintf(what, sizeof(what), "%s %s%s", states[i].name, i18n_lang_code(m.lang),
                             large ? " large" : "");
                    HK_ASSERT_MSG(gfx_rec_count(rec) > 0, "%s drew nothing", what);
                    assert_inside(rec, what, panels[p].w, panels[p].h);
                    gfx_rec_destroy(rec);
                }
}

static void test_the_panel_shows_the_number_largest_and_every_action_with_its_key(void)
{
    static const i18n_key_t acts[] = { I18N_ACT_CALL_NEXT, I18N_ACT_RECALL,  I18N_ACT_START,
                                       I18N_ACT_FINISH,    I18N_ACT_NO_SHOW, I18N_ACT_PAUSE,
                                       I18N_ACT_CLOSE,     I18N_ACT_TRANSFER };
    ui_model_t m = model(I18N_ZH, false, 1080, 1920);
    gfx_rec_t *rec = render(scr_counter_panel_ops(), &m);
    const gfx_rec_op_t *num = gfx_rec_find_text(rec, "A012");
    size_t i;
    char key[16];

    HK_ASSERT(num != NULL);
    HK_ASSERT_INT(gfx_rec_max_text_px(rec), num->size_px);
    for(i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
        HK_ASSERT_MSG(gfx_rec_shows(rec, i18n_get(I18N_ZH, acts[i])), "no \"%s\"",
                      i18n_get(I18N_ZH, acts[i]));
        snprintf(key, sizeof(key), "F%zu · %zu", i + 1, i + 1);
        HK_ASSERT_MSG(gfx_rec_shows(rec, key), "no key hint \"%s\"", key);
    }
    HK_ASSERT(gfx_rec_shows(rec, "已呼叫 A012"));
    HK_ASSERT(gfx_rec_shows(rec, "叫号后 1:30"));
    HK_ASSERT(gfx_rec_shows(rec, "王丽 · 工号 s1"));
    gfx_rec_destroy(rec);
}

static void test_the_faces_offer_five_levels_and_low_ones_the_reasons(void)
{
    static const i18n_key_t levels[] = { I18N_RATE_LEVEL_5, I18N_RATE_LEVEL_4, I18N_RATE_LEVEL_3,
                                         I18N_RATE_LEVEL_2, I18N_RATE_LEVEL_1 };
    static const char *const reasons[] = { "服务效率", "服务水平", "服务态度", "其他" };
    ui_model_t m = model(I18N_ZH, false, 1080, 1920);
    gfx_rec_t *rec = render(scr_rate_faces_ops(), &m);
    size_t i;

    for(i = 0; i < 5; i++)
        HK_ASSERT(gfx_rec_shows(rec, i18n_get(I18N_ZH, levels[i])));
    HK_ASSERT(gfx_rec_shows(rec, "42 秒后自动结束"));
    HK_ASSERT(gfx_rec_shows(rec, "为您服务的是  王丽"));
    gfx_rec_destroy(rec);
    st_reasons(&m);
    rec = render(scr_rate_faces_ops(), &m);
    for(i = 0; i < 4; i++)
        HK_ASSERT_MSG(gfx_rec_shows(rec, reasons[i]), "no chip %s", reasons[i]);
    HK_ASSERT(gfx_rec_shows(rec, "✓ 服务效率")); /* chosen chips say so */
    HK_ASSERT(gfx_rec_shows(rec, "✓ 服务态度"));
    gfx_rec_destroy(rec);
}

static bool overlap(gfx_rect_t a, gfx_rect_t b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* On every panel, in both languages and text sizes, the four chips are
 * four separate buttons (a layout without room once stacked them). */
static void test_the_chips_never_overlap(void)
{
    static const struct {
        int w, h;
    } panels[] = { { 1080, 1920 }, { 1920, 1080 }, { 800, 1280 }, { 1366, 768 }, { 1280, 1024 } };
    static const i18n_key_t chips[] = { I18N_REASON_EFFICIENCY, I18N_REASON_COMPETENCE,
                                        I18N_REASON_ATTITUDE, I18N_REASON_OTHER };
    size_t p, i, j;
    int l, large;

    for(p = 0; p < sizeof(panels) / sizeof(panels[0]); p++)
        for(l = 0; l < I18N_LANG_COUNT; l++)
            for(large = 0; large < 2; large++) {
                ui_model_t m = model((i18n_lang_t)l, large, panels[p].w, panels[p].h);
                const gfx_rec_op_t *op[4];
                gfx_rec_t *rec;
                m.rate.phase = UI_RATE_REASONS;
                m.rate.level = 2;
                rec = render(scr_rate_faces_ops(), &m);
                for(i = 0; i < 4; i++) {
                    op[i] = gfx_rec_find_text(rec, i18n_get(m.lang, chips[i]));
                    HK_ASSERT_MSG(op[i] != NULL, "%dx%d: chip %zu not drawn", panels[p].w,
                                  panels[p].h, i);
                    HK_ASSERT(op[i]->rect.h > 0);
                }
                for(i = 0; i < 4; i++)
                    for(j = i + 1; j < 4; j++)
                        HK_ASSERT_MSG(!overlap(op[i]->rect, op[j]->rect),
                                      "%dx%d %s%s: chips %zu and %zu overlap", panels[p].w,
                                      panels[p].h, i18n_lang_code(m.lang), large ? " large" : "", i,
                                      j);
                gfx_rec_destroy(rec);
            }
}

static void test_typed_and_scanned_numbers_are_read(void)
{
    char day[11], number[8];

    HK_ASSERT(rating_flow_parse(&cfg, "A012", day, number));
    HK_ASSERT_STR("A012", number);
    HK_ASSERT_STR("", day);
    HK_ASSERT(rating_flow_parse(&cfg, "a12", day, number));
    HK_ASSERT_STR("A012", number);
    HK_ASSERT(rating_flow_parse(&cfg, "https://q.10086.example/t/sh-xuhui-01/2026-11-25/B007\r\n",
                                day, number));
    HK_ASSERT_STR("B007", number);
    HK_ASSERT_STR("2026-11-25", day);
    /* another URL: the last number-like token in it, no day */
    HK_ASSERT(rating_flow_parse(&cfg, "http://other.example/x?n=C101", day, number));
    HK_ASSERT_STR("C101", number);
    HK_ASSERT_STR("", day);
    HK_ASSERT(!rating_flow_parse(&cfg, "", day, number));
    HK_ASSERT(!rating_flow_parse(&cfg, "12345", day, number));
    HK_ASSERT(!rating_flow_parse(&cfg, "A", day, number));
    HK_ASSERT(!rating_flow_parse(&cfg, "AB1234", day, number));
}

static void test_scanned_signed_urls_are_read(void)
{
    static config_t signed_cfg;
    char day[11], number[8];

    signed_cfg = cfg;
    (void)snprintf(signed_cfg.ticket_url_template, sizeof(signed_cfg.ticket_url_template), "%s",
                   "https://q.10086.example/t/{branch}/{day}/{number}?s={sig}");
    HK_ASSERT(rating_flow_parse(
        &signed_cfg, "https://q.10086.example/t/sh-xuhui-01/2026-11-25/B007?s=k3j4h5g6f7", day,
        number));
    HK_ASSERT_STR("B007", number);
    HK_ASSERT_STR("2026-11-25", day);
}

static void test_one_vote_a_face_then_chips_then_one_submit(void)
{
    ui_rate_view_t r;
    ui_intent_t in;
    rating_vote_t v;

    memset(&r, 0, sizeof(r));
    memset(&in, 0, sizeof(in));
    rating_flow_begin(&r, false, "A001", 60);
    in.kind = INTENT_RATE_SUBMIT; /* nothing chosen yet: nothing sent */
    HK_ASSERT(!rating_flow_intent(&r, &in, &v));
    in.kind = INTENT_RATE_LEVEL;
    in.arg = 2;
    HK_ASSERT(!rating_flow_intent(&r, &in, &v));
    HK_ASSERT_INT(UI_RATE_REASONS, r.phase);
    in.arg = 5; /* a second face press changes nothing */
    HK_ASSERT(!rating_flow_intent(&r, &in, &v));
    HK_ASSERT_INT(2, r.level);
    in.kind = INTENT_RATE_CHIP;
    in.arg = RATING_REASON_ATTITUDE;
    HK_ASSERT(!rating_flow_intent(&r, &in, &v));
    in.kind = INTENT_RATE_SUBMIT;
    HK_ASSERT(rating_flow_intent(&r, &in, &v));
    HK_ASSERT_INT(RATING_DISSATISFIED, v.level);
    HK_ASSERT_INT(RATING_REASON_ATTITUDE, v.reasons);
    HK_ASSERT_INT(0, v.praise);
    HK_ASSERT(!rating_flow_intent(&r, &in, &v)); /* sent: a second submit sends nothing */
    rating_flow_result(&r, I18N_EN, HK_ERR_BUSY);
    HK_ASSERT_INT(UI_RATE_FAILED, r.phase);
    HK_ASSERT_STR("This visit has already been rated", r.msg);
}

int main(void)
{
    HK_RUN(test_nothing_is_drawn_outside_the_panel);
    HK_RUN(test_the_panel_shows_the_number_largest_and_every_action_with_its_key);
    HK_RUN(test_the_faces_offer_five_levels_and_low_ones_the_reasons);
    HK_RUN(test_the_chips_never_overlap);
    HK_RUN(test_typed_and_scanned_numbers_are_read);
    HK_RUN(test_scanned_signed_urls_are_read);
    HK_RUN(test_one_vote_a_face_then_chips_then_one_submit);
    return hk_test_end();
}
