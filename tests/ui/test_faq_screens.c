/*
 * FAQ/triage (issue 8): the self-help screens in process, on a recording
 * gfx_t (tests/support/gfx_record.h), with the fixture content of the
 * goldens (tests/ui/fixtures/faq), plus the two pure parts the article
 * reader is built on: kinetic scrolling (widgets/kinetic.h) and the
 * laid-out rich text (widgets/richtext.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "faq_content.h"
#include "gfx_record.h"
#include "hk_test.h"
#include "kinetic.h"
#include "richtext.h"
#include "screens.h"
#include "ui.h"

static config_t cfg;
static faq_content_t *faq;

void setUp(void)
{
    char path[1024], json[16384], fp[1024], tp[1024];
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
    snprintf(fp, sizeof(fp), "%s/tests/ui/fixtures/faq/faq.json", HK_SOURCE_DIR);
    snprintf(tp, sizeof(tp), "%s/tests/ui/fixtures/faq/triage.json", HK_SOURCE_DIR);
    hk_diag_clear(&diag);
    HK_ASSERT_MSG(faq_content_load(fp, tp, &faq, &diag) == HK_OK, "fixture: %s", diag.msg);
}

void tearDown(void)
{
    faq_content_free(faq);
    faq = NULL;
}

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
    for(i = 0; i < cfg.n_services; i++) {
        m.svc[i].open = true;
        m.svc[i].waiting = 3;
        m.svc[i].est_wait_s = 360;
    }
    m.faq.content = faq;
    m.faq.article = -1;
    return m;
}

static display_event_t touch(display_ev_type_t type, int x, int y)
{
    display_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.type = type;
    ev.x = x;
    ev.y = y;
    return ev;
}

/* ---- kinetic -------------------------------------------------------------- */

static void test_kinetic_follows_the_finger_then_coasts_and_decays_to_rest(void)
{
    ui_kinetic_t k;
    int64_t t = 1000;
    int i, last;

    ui_kinetic_init(&k);
    for(i = 0; i <= 5; i++) /* 2 px per ms for 80 ms */
        ui_kinetic_touch(&k, 100 + i * 32, t + i * 16);
    HK_ASSERT_INT(260, ui_kinetic_pos(&k));
    HK_ASSERT(ui_kinetic_release(&k, 5000, t + 5 * 16));
    HK_ASSERT(fabs(k.v - 2.0) < 0.01);
    last = ui_kinetic_pos(&k);
    t += 5 * 16;
    for(i = 0; i < 1000 && ui_kinetic_step(&k, t += UI_KINETIC_FRAME_MS); i++) {
        HK_ASSERT(ui_kinetic_pos(&k) >= last); /* onwards, never back */
        last = ui_kinetic_pos(&k);
    }
    HK_ASSERT(i < 1000);
    /* it travels v * tau in all: 2 * 325 = 650 px past the release */
    HK_ASSERT(ui_kinetic_pos(&k) > 260 + 600 && ui_kinetic_pos(&k) < 260 + 660);
}

static void test_kinetic_stops_at_the_ends(void)
{
    ui_kinetic_t k;
    int64_t t = 0;
    int i;

    ui_kinetic_init(&k);
    for(i = 0; i <= 5; i++)
        ui_kinetic_touch(&k, 300 + i * 20, t + i * 10);
    HK_ASSERT(ui_kinetic_release(&k, 500, t + 50));
    while(ui_kinetic_step(&k, t += 16))
        HK_ASSERT(ui_kinetic_pos(&k) <= 500);
    HK_ASSERT_INT(500, ui_kinetic_pos(&k));
    /* and upwards to the top */
    for(i = 0; i <= 5; i++)
        ui_kinetic_touch(&k, 300 - i * 40, t + i * 10);
    HK_ASSERT(ui_kinetic_release(&k, 500, t + 50));
    while(ui_kinetic_step(&k, t += 16))
        HK_ASSERT(ui_kinetic_pos(&k) >= 0);
    HK_ASSERT_INT(0, ui_kinetic_pos(&k));
}

static void test_kinetic_a_finger_that_rested_before_lifting_does_not_throw(void)
{
    ui_kinetic_t k;

    ui_kinetic_init(&k);
    ui_kinetic_touch(&k, 100, 0);
    ui_kinetic_touch(&k, 300, 50);
    HK_ASSERT(!ui_kinetic_release(&k, 5000, 50 + 200)); /* held still 200 ms */
    HK_ASSERT_INT(300, ui_kinetic_pos(&k));
}

static void test_kinetic_path_does_not_depend_on_the_frame_rate(void)
{
    ui_kinetic_t a, b;
    int i;
    int64_t ta = 50, tb = 50;

    ui_kinetic_init(&a);
    for(i = 0; i <= 5; i++)
        ui_kinetic_touch(&a, i * 30, i * 10);
    b = a;
    HK_ASSERT(ui_kinetic_release(&a, 100000, 50));
    HK_ASSERT(ui_kinetic_release(&b, 100000, 50));
    for(i = 0; i < 30; i++) /* 480 ms at 60 Hz and at 30 Hz */
        ui_kinetic_step(&a, ta += 16);
    for(i = 0; i < 15; i++)
        ui_kinetic_step(&b, tb += 32);
    HK_ASSERT(abs(ui_kinetic_pos(&a) - ui_kinetic_pos(&b)) <= 1);
}

/* ---- richtext --------------------------------------------------------------- */

static void test_richtext_wraps_and_styles_emphasis_without_markers(void)
{
    gfx_rec_t *rec = NULL;
    ui_richtext_t rt;
    int h = 0, i, emph = 0, lines = 0, last_y = -1;
    gfx_color_t col[4] = { { 1, 1, 1, 255 }, { 2, 2, 2, 255 }, { 3, 3, 3, 255 }, { 4, 4, 4, 255 } };

    HK_ASSERT_OK(gfx_rec_create(1080, 1920, &rec));
    ui_richtext_init(&rt);
    /* 40 px characters in 400 px: ten to a line */
    HK_ASSERT_OK(ui_richtext_add(&rt, gfx_rec_gfx(rec),
                                 "不再使用宽带时，需要办理**拆机销户**，否则可能继续产生费用。",
                                 true, UI_RT_TEXT, 40, 0, 0, 400, 60, &h));
    for(i = 0; i < rt.n; i++) {
        HK_ASSERT(strstr(rt.buf + rt.runs[i].off, "**") == NULL ||
                  (size_t)(strstr(rt.buf + rt.runs[i].off, "**") - (rt.buf + rt.runs[i].off)) >=
                      rt.runs[i].len);
        if(rt.runs[i].style == UI_RT_EMPH) {
            emph++;
            HK_ASSERT(!strncmp(rt.buf + rt.runs[i].off, "拆机销户", rt.runs[i].len));
        }
        if(rt.runs[i].y != last_y) {
            lines++;
            last_y = rt.runs[i].y;
            /* no line begins with closing punctuation */
            HK_ASSERT(strncmp(rt.buf + rt.runs[i].off, "，", 3) != 0);
            HK_ASSERT(strncmp(rt.buf + rt.runs[i].off, "。", 3) != 0);
        }
    }
    HK_ASSERT_INT(1, emph);
    HK_ASSERT(lines >= 3);
    HK_ASSERT_INT(lines * 60, h);
    /* drawing a window shows only the runs in it, shifted to the screen */
    gfx_rec_clear(rec);
    ui_richtext_draw(&rt, gfx_rec_gfx(rec), 60, 60, 0, 500, col);
    for(i = 0; i < (int)gfx_rec_count(rec); i++) {
        const gfx_rec_op_t *op = gfx_rec_op(rec, (size_t)i);
        HK_ASSERT(op->rect.y >= 500 && op->rect.y < 560);
    }
    HK_ASSERT(gfx_rec_count(rec) >= 1);
    ui_richtext_fini(&rt);
    gfx_rec_destroy(rec);
}

/* ---- screens ---------------------------------------------------------------- */

static void test_triage_shows_each_need_with_where_it_leads_and_the_wait(void)
{
    gfx_rec_t *rec = NULL;
    const scr_ops_t *ops = scr_triage_ops();
    void *s = NULL;
    ui_model_t m = model(I18N_ZH, false, 1080, 1920);
    char wait[64];

    HK_ASSERT_OK(gfx_rec_create(1080, 1920, &rec));
    HK_ASSERT_OK(ops->create(gfx_rec_gfx(rec), &s));
    ops->enter(s);
    HK_ASSERT(ops->update(s, &m));
    ops->draw(s, gfx_rec_gfx(rec));
    HK_ASSERT(gfx_rec_shows(rec, "您需要办理什么？"));
    HK_ASSERT(gfx_rec_shows(rec, "交话费"));
    HK_ASSERT(gfx_rec_shows(rec, "看答案，自助办理"));
    HK_ASSERT(gfx_rec_shows(rec, "老年人帮办"));
    /* a queue route shows that service's wait before the customer chooses */
    i18n_format_int(wait, sizeof(wait), I18N_ZH, I18N_SVC_WAITING_D, 3);
    HK_ASSERT(gfx_rec_shows(rec, wait));
    HK_ASSERT_INT(0, (int)gfx_rec_dropped(rec));
    ops->destroy(s);
    gfx_rec_destroy(rec);
}

static void test_triage_tap_picks_the_need_under_the_finger(void)
{
    gfx_rec_t *rec = NULL;
    const scr_ops_t *ops = scr_triage_ops();
    void *s = NULL;
    ui_model_t m = model(I18N_ZH, false, 1080, 1920);
    display_event_t down = touch(DISPLAY_EV_DOWN, 290, 440), up = touch(DISPLAY_EV_UP, 290, 440);
    ui_intent_t in;

    HK_ASSERT_OK(gfx_rec_create(1080, 1920, &rec));
    HK_ASSERT_OK(ops->create(gfx_rec_gfx(rec), &s));
    ops->enter(s);
    ops->update(s, &m);
    (void)ops->handle(s, &down);
    in = ops->handle(s, &up);
    HK_ASSERT_INT(INTENT_TRIAGE_PICK, in.kind);
    HK_ASSERT_INT(0, in.arg);
    ops->destroy(s);
    gfx_rec_destroy(rec);
}

static void test_faq_list_large_text_pages_fewer_categories(void)
{
    gfx_rec_t *rec = NULL;
    const scr_ops_t *ops = scr_faq_list_ops();
    void *s = NULL;
    ui_model_t m = model(I18N_EN, false, 1080, 1920);
    int normal, large;

    HK_ASSERT_OK(gfx_rec_create(1080, 1920, &rec));
    HK_ASSERT_OK(ops->create(gfx_rec_gfx(rec), &s));
    ops->enter(s);
    ops->update(s, &m);
    ops->draw(s, gfx_rec_gfx(rec));
    HK_ASSERT(gfx_rec_shows(rec, "Bills and payments"));
    normal = gfx_rec_shows(rec, "Home broadband") ? 1 : 0;
    m.large = true;
    gfx_rec_clear(rec);
    ops->update(s, &m);
    ops->draw(s, gfx_rec_gfx(rec));
    large = gfx_rec_shows(rec, "Home broadband") ? 1 : 0;
    HK_ASSERT(gfx_rec_shows(rec, "Next")); /* large text: a pager */
    HK_ASSERT(normal >= large);
    ops->destroy(s);
    gfx_rec_destroy(rec);
}

static void test_faq_list_without_content_says_so(void)
{
    gfx_rec_t *rec = NULL;
    const scr_ops_t *ops = scr_faq_list_ops();
    void *s = NULL;
    ui_model_t m = model(I18N_ZH, false, 1080, 1920);
    display_event_t down = touch(DISPLAY_EV_DOWN, 540, 340), up = touch(DISPLAY_EV_UP, 540, 340);

    m.faq.content = NULL;
    m.faq.load_failed = true;
    HK_ASSERT_OK(gfx_rec_create(1080, 1920, &rec));
    HK_ASSERT_OK(ops->create(gfx_rec_gfx(rec), &s));
    ops->enter(s);
    ops->update(s, &m);
    ops->draw(s, gfx_rec_gfx(rec));
    HK_ASSERT(gfx_rec_shows(rec, i18n_get(I18N_ZH, I18N_FAQ_UNAVAILABLE)));
    (void)ops->handle(s, &down);
    HK_ASSERT_INT(INTENT_NONE, ops->handle(s, &up).kind);
    ops->destroy(s);
    gfx_rec_destroy(rec);
}

static int find_article(const char *id)
{
    int a = faq_content_find(faq, id);

    HK_ASSERT_MSG(a >= 0, "fixture has no article %s", id);
    return a;
}

static void test_article_drag_scrolls_clamped_and_release_flings(void)
{
    gfx_rec_t *rec = NULL;
    const scr_ops_t *ops = scr_faq_article_ops();
    void *s = NULL;
    ui_model_t m = model(I18N_ZH, true, 1080, 1920);
    display_event_t ev;
    ui_intent_t in;
    int max;

    m.faq.article = find_article("bill-dispute");
    HK_ASSERT_OK(gfx_rec_create(1080, 1920, &rec));
    HK_ASSERT_OK(ops->create(gfx_rec_gfx(rec), &s));
    ops->enter(s);
    ops->update(s, &m);
    max = scr_faq_article_max_scroll(s);
    HK_ASSERT(max > 0);
    ev = touch(DISPLAY_EV_DOWN, 540, 1500);
    in = ops->handle(s, &ev);
    HK_ASSERT_INT(INTENT_FAQ_SCROLL, in.kind); /* holds the page: a coast stops */
    HK_ASSERT_INT(0, in.arg);
    ev = touch(DISPLAY_EV_MOVE, 540, 1490); /* within the slop: still a tap */
    HK_ASSERT(ops->handle(s, &ev).kind != INTENT_FAQ_SCROLL);
    ev = touch(DISPLAY_EV_MOVE, 540, 1300);
    in = ops->handle(s, &ev);
    HK_ASSERT_INT(INTENT_FAQ_SCROLL, in.kind);
    HK_ASSERT_INT(max < 200 ? max : 200, in.arg);
    ev = touch(DISPLAY_EV_MOVE, 540, -20000); /* far past the end: clamped */
    HK_ASSERT_INT(max, ops->handle(s, &ev).arg);
    ev = touch(DISPLAY_EV_UP, 540, -20000);
    in = ops->handle(s, &ev);
    HK_ASSERT_INT(INTENT_FAQ_FLING, in.kind);
    HK_ASSERT_INT(max, in.arg);
    /* the offset comes back in the model; drawn, the scrollbar shows */
    m.faq.scroll_px = max;
    HK_ASSERT(ops->update(s, &m));
    gfx_rec_clear(rec);
    ops->draw(s, gfx_rec_gfx(rec));
    HK_ASSERT(gfx_rec_shows(rec, "还需要帮助？"));
    HK_ASSERT(!gfx_rec_shows(rec, faq->articles[m.faq.article].text[I18N_ZH].title));
    HK_ASSERT_INT(max, scr_faq_article_max_scroll(s)); /* the offset alone: same layout */
    ops->destroy(s);
    gfx_rec_destroy(rec);
}

/* The end of the article, found through what it draws. */
static void test_article_feedback_once_then_thanks_and_still_need_help(void)
{
    gfx_rec_t *rec = NULL;
    const scr_ops_t *ops = scr_faq_article_ops();
    void *s = NULL;
    ui_model_t m = model(I18N_EN, false, 1080, 1920);
    const gfx_rec_op_t *yes;
    display_event_t down, up;
    ui_intent_t in;
    char wait[64];

    m.faq.article = find_article("broadband-cancel");
    HK_ASSERT_OK(gfx_rec_create(1080, 1920, &rec));
    HK_ASSERT_OK(ops->create(gfx_rec_gfx(rec), &s));
    ops->enter(s);
    ops->update(s, &m);
    m.faq.scroll_px = scr_faq_article_max_scroll(s);
    ops->update(s, &m);
    ops->draw(s, gfx_rec_gfx(rec));
    HK_ASSERT(gfx_rec_shows(rec, "Did this help?"));
    HK_ASSERT(gfx_rec_shows(rec, "Still need help?"));
    HK_ASSERT(gfx_rec_shows(rec, "Report a problem"));
    /* the related service's number, with its wait */
    i18n_format_int(wait, sizeof(wait), I18N_EN, I18N_SVC_WAITING_D, 3);
    HK_ASSERT(gfx_rec_shows(rec, wait));
    yes = gfx_rec_find_text(rec, "Yes");
    HK_ASSERT(yes != NULL);
    down = touch(DISPLAY_EV_DOWN, yes->rect.x + 5, yes->rect.y + 5);
    up = touch(DISPLAY_EV_UP, yes->rect.x + 5, yes->rect.y + 5);
    (void)ops->handle(s, &down);
    in = ops->handle(s, &up);
    HK_ASSERT_INT(INTENT_FAQ_HELPFUL, in.kind);
    HK_ASSERT_INT(1, in.arg);
    m.faq.feedback = 1;
    ops->update(s, &m);
    gfx_rec_clear(rec);
    ops->draw(s, gfx_rec_gfx(rec));
    HK_ASSERT(gfx_rec_shows(rec, "Thank you for telling us!"));
    HK_ASSERT(gfx_rec_find_text(rec, "Yes") == NULL); /* once per view */
    (void)ops->handle(s, &down);
    HK_ASSERT(ops->handle(s, &up).kind != INTENT_FAQ_HELPFUL);
    ops->destroy(s);
    gfx_rec_destroy(rec);
}

int main(void)
{
    HK_RUN(test_kinetic_follows_the_finger_then_coasts_and_decays_to_rest);
    HK_RUN(test_kinetic_stops_at_the_ends);
    HK_RUN(test_kinetic_a_finger_that_rested_before_lifting_does_not_throw);
    HK_RUN(test_kinetic_path_does_not_depend_on_the_frame_rate);
    HK_RUN(test_richtext_wraps_and_styles_emphasis_without_markers);
    HK_RUN(test_triage_shows_each_need_with_where_it_leads_and_the_wait);
    HK_RUN(test_triage_tap_picks_the_need_under_the_finger);
    HK_RUN(test_faq_list_large_text_pages_fewer_categories);
    HK_RUN(test_faq_list_without_content_says_so);
    HK_RUN(test_article_drag_scrolls_clamped_and_release_flings);
    HK_RUN(test_article_feedback_once_then_thanks_and_still_need_help);
    return hk_test_end();
}
