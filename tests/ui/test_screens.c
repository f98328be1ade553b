/*
 * Screens in process, on a recording gfx_t (tests/support/gfx_record.h):
 * each screen is created through its ops table, given a model built from
 * tests/ui/fixtures/branch.json, drawn once, and the test reads back what
 * a customer relies on: which strings appear, in which colour and size,
 * and that nothing is drawn off the panel. No pixels and no font: the
 * goldens (test_golden.c) judge the look; these judge the content.
 *
 * The model is filled field by field here on purpose (not through the
 * app's loop), so a test shows exactly which state it draws.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "gfx_record.h"
#include "hk_test.h"
#include "i18n.h"
#include "screens.h"
#include "ui.h"

#define WEDNESDAY 3

static config_t cfg;

void setUp(void)
{
    char path[1024], json[16384];
    hk_diag_t diag;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/tests/ui/fixtures/branch.json", HK_SOURCE_DIR);
    f = fopen(path, "rb");
    HK_ASSERT_MSG(f != NULL, "cannot open %s", path);
    n = fread(json, 1, sizeof(json), f);
    fclose(f);
    HK_ASSERT(n < sizeof(json));
    HK_ASSERT_MSG(config_parse(json, n, &cfg, &diag) == HK_OK, "branch.json: %s", diag.msg);
}

void tearDown(void)
{
}

/* The fixture: a Wednesday morning, every service open with someone
 * waiting, a ticket A012 with 4 people ahead, printed. */
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
    snprintf(m.date_text, sizeof(m.date_text), "%s",
             lang == I18N_EN ? "Wed 25 Nov" : "11月25日 星期三");
    m.today = cfg.hours.day[WEDNESDAY];
    m.total_waiting = 0;
    for(i = 0; i < cfg.n_services; i++) {
        m.svc[i].open = true;
        m.svc[i].waiting = i + 1;
        m.svc[i].est_wait_s = (i + 1) * 300;
        m.svc[i].today = cfg.services[i].hours.day[WEDNESDAY];
        m.total_waiting += m.svc[i].waiting;
    }
    m.has_ticket = true;
    snprintf(m.ticket.day, sizeof(m.ticket.day), "2026-11-25");
    snprintf(m.ticket.number, sizeof(m.ticket.number), "A012");
    snprintf(m.ticket.service_id, sizeof(m.ticket.service_id), "general");
    m.ticket.issued_ms = 1795572000000; /* 2026-11-25 10:00 in Shanghai */
    m.ticket.ahead_quoted = 4;
    m.ticket.est_wait_s_quoted = 1440;
    m.print_state = UI_PRINT_DONE;
    m.countdown_s = 20;
    m.unavailable_title = I18N_TILE_FAQ;
    return m;
}

/* Create the screen through its ops, feed it m, draw once; the caller
 * destroys the recording. */
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

static bool same_color(gfx_color_t c, uint32_t rgb)
{
    gfx_color_t want = gfx_rgb(rgb);

    return c.r == want.r && c.g == want.g && c.b == want.b;
}

static void test_home_shows_the_four_tiles_in_chinese_and_english(void)
{
    static const i18n_key_t tiles[] = { I18N_TILE_TAKE, I18N_TILE_FAQ, I18N_TILE_SUBMIT,
                                        I18N_TILE_RATE };
    int l;
    size_t i;

    for(l = 0; l < I18N_LANG_COUNT; l++) {
        ui_model_t m = model((i18n_lang_t)l, false, 1080, 1920);
        gfx_rec_t *rec = render(scr_home_ops(), &m);
        for(i = 0; i < sizeof(tiles) / sizeof(tiles[0]); i++)
            HK_ASSERT_MSG(gfx_rec_shows(rec, i18n_get(m.lang, tiles[i])), "%s: no tile \"%s\"",
                          i18n_lang_code(m.lang), i18n_get(m.lang, tiles[i]));
        gfx_rec_destroy(rec);
    }
    /* and the strings really are the languages' own */
    {
        ui_model_t m = model(I18N_EN, false, 1080, 1920);
        gfx_rec_t *rec = render(scr_home_ops(), &m);
        HK_ASSERT(gfx_rec_shows(rec, "Take a number"));
        HK_ASSERT(!gfx_rec_shows(rec, "取号"));
        gfx_rec_destroy(rec);
        m = model(I18N_ZH, false, 1080, 1920);
        rec = render(scr_home_ops(), &m);
        HK_ASSERT(gfx_rec_shows(rec, "取号"));
        HK_ASSERT(gfx_rec_shows(rec, "当前等候 21 人")); /* 1 + 2 + ... + 6 services */
        gfx_rec_destroy(rec);
    }
}

static void test_services_shows_a_closed_service_as_closed_with_its_hours(void)
{
    int bb = config_service_index(&cfg, "broadband");
    ui_model_t m = model(I18N_EN, false, 1080, 1920);
    const gfx_rec_op_t *op;
    gfx_rec_t *rec;

    HK_ASSERT(bb >= 0);
    /* 17:30 on a Wednesday: broadband (09:00-17:00) has closed */
    m.svc[bb].open = false;
    rec = render(scr_services_ops(), &m);
    op = gfx_rec_find_text(rec, "Closed now");
    HK_ASSERT_MSG(op != NULL, "the closed service does not say so");
    HK_ASSERT(same_color(op->color, UI_COL_WARN));
    HK_ASSERT(gfx_rec_shows(rec, "09:00–17:00"));
    /* its name is still there, greyed */
    op = gfx_rec_find_text(rec, "Broadband");
    HK_ASSERT(op != NULL);
    HK_ASSERT(same_color(op->color, UI_COL_DISABLED_TX));
    /* the open ones say how many wait and for how long: general is 3rd */
    HK_ASSERT(gfx_rec_shows(rec, "3 waiting"));
    HK_ASSERT(gfx_rec_shows(rec, "about 15 min"));
    gfx_rec_destroy(rec);

    /* on a Saturday broadband does not open at all */
    m = model(I18N_ZH, false, 1080, 1920);
    m.svc[bb].open = false;
    m.svc[bb].today = cfg.services[bb].hours.day[6];
    HK_ASSERT(m.svc[bb].today.open_min < 0);
    rec = render(scr_services_ops(), &m);
    HK_ASSERT(gfx_rec_shows(rec, "暂停取号"));
    HK_ASSERT(gfx_rec_shows(rec, "今日不营业"));
    gfx_rec_destroy(rec);
}

static void test_ticket_shows_the_number_and_the_people_ahead(void)
{
    ui_model_t m = model(I18N_ZH, false, 1080, 1920);
    const gfx_rec_op_t *number;
    gfx_rec_t *rec = render(scr_ticket_ops(), &m);

    number = gfx_rec_find_text(rec, "A012");
    HK_ASSERT_MSG(number != NULL, "the ticket number is not drawn");
    /* the one thing to remember is the biggest thing on screen */
    HK_ASSERT_INT(gfx_rec_max_text_px(rec), number->size_px);
    HK_ASSERT(gfx_rec_shows(rec, "前面还有 4 人"));
    HK_ASSERT(gfx_rec_shows(rec, "预计等候约 24 分钟"));
    HK_ASSERT(gfx_rec_shows(rec, "小票已打印，请取走"));
    gfx_rec_destroy(rec);

    m = model(I18N_EN, false, 1080, 1920);
    m.ticket.ahead_quoted = 0;
    m.print_state = UI_PRINT_FAULT;
    rec = render(scr_ticket_ops(), &m);
    HK_ASSERT(gfx_rec_find_text(rec, "A012") != NULL);
    HK_ASSERT(gfx_rec_shows(rec, "Nobody is ahead of you"));
    HK_ASSERT(gfx_rec_shows(rec, i18n_get(I18N_EN, I18N_PRINT_FAULT)));
    gfx_rec_destroy(rec);
}

static void test_large_text_mode_draws_bigger_text_than_normal(void)
{
    static const struct {
        const scr_ops_t *(*ops)(void);
        i18n_key_t text; /* a string every variant of the screen shows */
    } cases[] = {
        { scr_attract_ops, I18N_TOUCH_TO_START },  { scr_home_ops, I18N_HOME_TITLE },
        { scr_services_ops, I18N_CHOOSE_SERVICE }, { scr_ticket_ops, I18N_YOUR_NUMBER },
        { scr_unavailable_ops, I18N_UNAVAILABLE },
    };
    size_t i;

    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ui_model_t normal = model(I18N_ZH, false, 1080, 1920);
        ui_model_t large = model(I18N_ZH, true, 1080, 1920);
        gfx_rec_t *a = render(cases[i].ops(), &normal);
        gfx_rec_t *b = render(cases[i].ops(), &large);
        const char *text = i18n_get(I18N_ZH, cases[i].text);
        const gfx_rec_op_t *na = gfx_rec_find_text(a, text);
        const gfx_rec_op_t *lb = gfx_rec_find_text(b, text);
        HK_ASSERT_MSG(na && lb, "%s: \"%s\" not drawn", cases[i].ops()->name, text);
        HK_ASSERT_MSG(lb->size_px > na->size_px, "%s: \"%s\" is %d px large, %d px normal",
                      cases[i].ops()->name, text, lb->size_px, na->size_px);
        gfx_rec_destroy(a);
        gfx_rec_destroy(b);
    }
}

/* Shapes that leave the panel on purpose: background decoration the panel
 * edge cuts. Everything else (text, cards, buttons) must stay inside. */
static const struct {
    const char *screen;
    uint32_t rgb;
} bleeds[] = {
    { "attract", 0x0F67BE }, /* the two quiet circles behind the welcome */
    { "attract", 0x0D61B5 },
};

static bool may_bleed(const char *screen, const gfx_rec_op_t *op)
{
    size_t i;

    if(op->kind == GFX_REC_TEXT)
        return false;
    for(i = 0; i < sizeof(bleeds) / sizeof(bleeds[0]); i++)
        if(!strcmp(screen, bleeds[i].screen) && same_color(op->color, bleeds[i].rgb))
            return true;
    return false;
}

/* Every op's box lies within the w x h panel. */
static void assert_inside(const gfx_rec_t *rec, const char *screen, const char *what, int w, int h)
{
    size_t i;

    for(i = 0; i < gfx_rec_count(rec); i++) {
        const gfx_rec_op_t *op = gfx_rec_op(rec, i);
        gfx_rect_t r = op->rect;
        if(op->kind == GFX_REC_CLIP || r.w <= 0 || r.h <= 0 || may_bleed(screen, op))
            continue;
        HK_ASSERT_MSG(r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h,
                      "%s at %dx%d: op %zu (%s \"%s\") at %d,%d size %dx%d leaves the panel", what,
                      w, h, i, op->kind == GFX_REC_TEXT ? "text" : "rect", op->text, r.x, r.y, r.w,
                      r.h);
    }
}

static void test_nothing_is_drawn_outside_the_panel(void)
{
    static const struct {
        int w, h;
    } panels[] = { { 800, 1280 }, { 1366, 768 }, { 1080, 1920 } };
    const scr_ops_t *screens[] = { scr_attract_ops(), scr_home_ops(), scr_services_ops(),
                                   scr_ticket_ops(), scr_unavailable_ops() };
    size_t p, s;
    int l, large;

    for(p = 0; p < sizeof(panels) / sizeof(panels[0]); p++)
        for(s = 0; s < sizeof(screens) / sizeof(screens[0]); s++)
            for(l = 0; l < I18N_LANG_COUNT; l++)
                for(large = 0; large < 2; large++) {
                    ui_model_t m = model((i18n_lang_t)l, large, panels[p].w, panels[p].h);
                    gfx_rec_t *rec = render(screens[s], &m);
                    char what[64];
                    snprintf(what, sizeof(what), "%s %s%s", screens[s]->name,
                             i18n_lang_code(m.lang), large ? " large" : "");
                    HK_ASSERT_MSG(gfx_rec_count(rec) > 0, "%s drew nothing", what);
                    assert_inside(rec, screens[s]->name, what, panels[p].w, panels[p].h);
                    gfx_rec_destroy(rec);
                }
}

static void test_the_header_offers_the_other_language_and_text_size(void)
{
    ui_model_t m = model(I18N_ZH, false, 1080, 1920);
    gfx_rec_t *rec = render(scr_home_ops(), &m);

    HK_ASSERT(gfx_rec_shows(rec, "English"));
    HK_ASSERT(gfx_rec_shows(rec, "大字模式"));
    HK_ASSERT(gfx_rec_shows(rec, "10:30"));
    gfx_rec_destroy(rec);
    m = model(I18N_EN, true, 1080, 1920);
    rec = render(scr_home_ops(), &m);
    HK_ASSERT(gfx_rec_shows(rec, "中文"));
    HK_ASSERT(gfx_rec_shows(rec, "Normal text"));
    gfx_rec_destroy(rec);
}

/* Head office unreachable: a small word in the header, in both languages,
 * and nothing when it is reachable (landscape: the recorder's fake CJK
 * metrics are wider than the real font's, which fits portrait too). */
static void test_the_header_shows_head_office_offline_discreetly(void)
{
    int l;

    for(l = 0; l < I18N_LANG_COUNT; l++) {
        ui_model_t m = model((i18n_lang_t)l, false, 1920, 1080);
        const char *word = i18n_get(m.lang, I18N_CENTRAL_OFFLINE);
        const gfx_rec_op_t *op;
        char clock[96];
        gfx_rec_t *rec = render(scr_home_ops(), &m);

        HK_ASSERT(!gfx_rec_shows(rec, word));
        gfx_rec_destroy(rec);
        m.central_offline = true;
        rec = render(scr_home_ops(), &m);
        op = gfx_rec_find_text(rec, word);
        HK_ASSERT_MSG(op, "%s: no \"%s\"", i18n_lang_code(m.lang), word);
        /* in the header bar, no bigger than the clock beside it */
        HK_ASSERT(op->rect.y + op->rect.h <= 160);
        snprintf(clock, sizeof(clock), "%s  %s", m.date_text, m.time_text);
        HK_ASSERT(gfx_rec_find_text(rec, clock));
        HK_ASSERT(op->size_px <= gfx_rec_find_text(rec, clock)->size_px);
        gfx_rec_destroy(rec);
    }
}

int main(void)
{
    HK_RUN(test_home_shows_the_four_tiles_in_chinese_and_english);
    HK_RUN(test_the_header_shows_head_office_offline_discreetly);
    HK_RUN(test_services_shows_a_closed_service_as_closed_with_its_hours);
    HK_RUN(test_ticket_shows_the_number_and_the_people_ahead);
    HK_RUN(test_large_text_mode_draws_bigger_text_than_normal);
    HK_RUN(test_nothing_is_drawn_outside_the_panel);
    HK_RUN(test_the_header_offers_the_other_language_and_text_size);
    return hk_test_end();
}
