/*
 * test_keyboard: the on-screen keyboard in the screen loop's overlay
 * (ui_loop_keyboard_open/close/is_open): taps become INTENT_TEXT_* for the
 * controller, the model's kb_h follows it, touches above it stay the
 * screen's; physical keyboards and scanners give the same intents; pinyin
 * loads its engine only once the pinyin keyboard is on screen, and typing
 * "kuandai" puts 宽带 first on the candidate bar.
 */
#include <unistd.h>

#include "hk_log.h"
#include "ime.h"
#include "kb_fixture.h"

static kbf_t fx;
static char data_dir[400];

void setUp(void)
{
    if(!data_dir[0]) {
        const char *base = getenv("HK_TEST_TMP");
        snprintf(data_dir, sizeof(data_dir), "%s/kb.%ld", base && base[0] ? base : "/tmp",
                 (long)getpid());
    }
}

void tearDown(void)
{
    if(fx.loop)
        kbf_close(&fx);
}

static void test_keyboard_latin_taps_become_text_intents(void)
{
    const ui_keyboard_t *kb;

    kbf_open(&fx, 1080, 1920, false, NULL);
    HK_ASSERT(!ui_loop_keyboard_is_open(fx.loop));
    HK_ASSERT_INT(0, fx.model.kb_h);
    ui_loop_keyboard_open(fx.loop, UI_KB_LATIN, true);
    HK_ASSERT(ui_loop_keyboard_is_open(fx.loop));
    kbf_settle(&fx);
    HK_ASSERT_INT(ui_keyboard_height(&fx.model, UI_KB_LATIN), fx.model.kb_h);
    HK_ASSERT(fx.model.kb_h > 1920 / 4 && fx.model.kb_h < 1920 / 2);
    kb = ui_loop_keyboard(fx.loop);
    HK_ASSERT_INT(1920, kb->area.y + kb->area.h);
    /* no data dir: no pinyin, so the switch offers 123 only */
    HK_ASSERT(kbf_key(&fx, UI_KB_K_TO_NUMERIC) != NULL);
    HK_ASSERT(kbf_key(&fx, UI_KB_K_TO_PINYIN) == NULL);
    kbf_type(&fx, "kuandai");
    HK_ASSERT_STR("kuandai", fx.field);
    kbf_tap(&fx, UI_KB_K_BACKSPACE);
    HK_ASSERT_STR("kuanda", fx.field);
    kbf_tap(&fx, ' ');
    kbf_type(&fx, "g");
    HK_ASSERT_STR("kuanda g", fx.field);
    kbf_tap(&fx, UI_KB_K_CLEAR);
    HK_ASSERT_STR("", fx.field);
    kbf_tap(&fx, UI_KB_K_ENTER);
    HK_ASSERT_INT(1, fx.enters);
    /* a tap above the keyboard is the screen's: no text */
    fx.intents = 0;
    kbf_tap_at(&fx, 540, kb->area.y - 200);
    HK_ASSERT_INT(0, fx.intents);
    /* the switch: the numeric pad, smaller or taller, kb_h follows */
    kbf_tap(&fx, UI_KB_K_TO_NUMERIC);
    HK_ASSERT_INT(UI_KB_NUMERIC, (int)ui_loop_keyboard(fx.loop)->mode);
    HK_ASSERT_INT(ui_keyboard_height(&fx.model, UI_KB_NUMERIC), fx.model.kb_h);
    HK_ASSERT(kbf_key(&fx, 'q') == NULL);
    kbf_tap(&fx, UI_KB_K_TO_LATIN);
    HK_ASSERT(kbf_key(&fx, 'q') != NULL);
    ui_loop_keyboard_close(fx.loop);
    ui_loop_frame(fx.loop, false);
    HK_ASSERT(!ui_loop_keyboard_is_open(fx.loop));
    HK_ASSERT_INT(0, fx.model.kb_h);
}

static void test_keyboard_numeric_pad_types_a_phone_number(void)
{
    const ui_kb_key_t *kq;
    int digit_h;

    kbf_open(&fx, 800, 1280, true, NULL);
    ui_loop_keyboard_open(fx.loop, UI_KB_NUMERIC, false);
    kbf_settle(&fx);
    HK_ASSERT(kbf_key(&fx, UI_KB_K_TO_LATIN) == NULL); /* no switch asked for */
    HK_ASSERT(kbf_key(&fx, UI_KB_K_TO_PINYIN) == NULL);
    kbf_type(&fx, "13800138000");
    HK_ASSERT_STR("13800138000", fx.field);
    kbf_tap(&fx, UI_KB_K_BACKSPACE);
    HK_ASSERT_STR("1380013800", fx.field);
    /* big keys: a digit key is taller than a letter key would be */
    digit_h = kbf_key(&fx, '1')->r.h;
    ui_loop_keyboard_open(fx.loop, UI_KB_LATIN, false);
    ui_loop_frame(fx.loop, false);
    kq = kbf_key(&fx, 'q');
    HK_ASSERT(kq != NULL);
    HK_ASSERT(digit_h > kq->r.h);
}

static void test_keyboard_physical_keys_and_scanners_type_too(void)
{
    display_event_t ev;

    kbf_open(&fx, 1920, 1080, false, NULL);
    memset(&ev, 0, sizeof(ev));
    ev.display = fx.disp;
    /* keyboard closed: a scanner types the ticket's code and Enter */
    ev.type = DISPLAY_EV_TEXT;
    snprintf(ev.text, sizeof(ev.text), "%s", "A023");
    ui_loop_input(fx.loop, &ev);
    ev.type = DISPLAY_EV_KEY;
    ev.key = 'a'; /* a letter's key event: its text follows, nothing typed twice */
    ui_loop_input(fx.loop, &ev);
    ev.key = DISPLAY_KEY_BACKSPACE;
    ui_loop_input(fx.loop, &ev);
    ev.key = DISPLAY_KEY_ENTER;
    ui_loop_input(fx.loop, &ev);
    HK_ASSERT_STR("A02", fx.field);
    HK_ASSERT_INT(1, fx.enters);
    /* keyboard open: the same */
    ui_loop_keyboard_open(fx.loop, UI_KB_NUMERIC, true);
    ev.type = DISPLAY_EV_TEXT;
    snprintf(ev.text, sizeof(ev.text), "%s", "宽带");
    ui_loop_input(fx.loop, &ev);
    HK_ASSERT_STR("A02宽带", fx.field);
    /* a dialog is modal: nothing reaches the field */
    ui_loop_dialog(fx.loop, "t", "m");
    ui_loop_input(fx.loop, &ev);
    HK_ASSERT_STR("A02宽带", fx.field);
}

static void test_keyboard_navigation_closes_it(void)
{
    int root = 0;

    kbf_open(&fx, 1080, 1920, true, NULL);
    ui_loop_keyboard_open(fx.loop, UI_KB_LATIN, true);
    kbf_settle(&fx);
    HK_ASSERT(fx.model.kb_h > 0);
    ui_loop_set_stack(fx.loop, &root, 1);
    ui_loop_frame(fx.loop, false);
    HK_ASSERT(!ui_loop_keyboard_is_open(fx.loop));
    HK_ASSERT_INT(0, fx.model.kb_h);
}

static void test_keyboard_pinyin_loads_on_first_use_and_commits_candidates(void)
{
    const ui_keyboard_t *kb;
    ime_t *ime;

    kbf_open(&fx, 1080, 1920, false, data_dir);
    ime = ui_loop_ime(fx.loop);
    HK_ASSERT(ime != NULL);
    HK_ASSERT(!ime_loaded(ime)); /* not at start */
    ui_loop_keyboard_open(fx.loop, UI_KB_LATIN, true);
    kbf_settle(&fx);
    HK_ASSERT(!ime_loaded(ime)); /* nor for Latin */
    HK_ASSERT(kbf_key(&fx, UI_KB_K_TO_PINYIN) != NULL);
    kbf_tap(&fx, UI_KB_K_TO_PINYIN); /* its frame shows the keyboard, then it loads */
    HK_ASSERT(ime_loaded(ime));
    kb = ui_loop_keyboard(fx.loop);
    HK_ASSERT_INT(UI_KB_PINYIN, (int)kb->mode);
    HK_ASSERT_INT(ui_keyboard_height(&fx.model, UI_KB_PINYIN), fx.model.kb_h);
    kbf_type(&fx, "kuandai");
    HK_ASSERT_STR("", fx.field); /* composing: nothing typed yet */
    HK_ASSERT_STR("kuan dai", kb->preedit);
    HK_ASSERT(kb->ncand >= 3);
    HK_ASSERT_STR("宽带", kb->cand[0]);
    /* the next page, and back */
    HK_ASSERT(kbf_key(&fx, UI_KB_K_PAGE_NEXT) != NULL);
    kbf_tap(&fx, UI_KB_K_PAGE_NEXT);
    HK_ASSERT(kb->first > 0);
    HK_ASSERT(strcmp(kb->cand[0], "宽带") != 0);
    kbf_tap(&fx, UI_KB_K_PAGE_PREV);
    HK_ASSERT_INT(0, kb->first);
    kbf_tap(&fx, UI_KB_K_CAND);
    HK_ASSERT_STR("宽带", fx.field);
    HK_ASSERT_STR("", kb->preedit);
    /* backspace edits the composition first, then the field */
    kbf_type(&fx, "banlii");
    kbf_tap(&fx, UI_KB_K_BACKSPACE);
    HK_ASSERT_STR("ban li", kb->preedit);
    kbf_tap(&fx, ' ');
    HK_ASSERT_STR("宽带办理", fx.field);
    kbf_tap(&fx, UI_KB_K_BACKSPACE);
    HK_ASSERT_STR("宽带办", fx.field);
    /* enter while composing commits the letters; then it is done */
    kbf_type(&fx, "g");
    kbf_tap(&fx, UI_KB_K_ENTER);
    HK_ASSERT_STR("宽带办g", fx.field);
    HK_ASSERT_INT(0, fx.enters);
    kbf_tap(&fx, UI_KB_K_ENTER);
    HK_ASSERT_INT(1, fx.enters);
    /* closing drops a composition: the next customer sees none */
    kbf_type(&fx, "xie");
    ui_loop_keyboard_close(fx.loop);
    HK_ASSERT(!ime_composing(ime));
}

int main(void)
{
    if(getenv("HK_LOG_LEVEL") == NULL)
        hk_log_set_stderr(false);
    HK_RUN(test_keyboard_latin_taps_become_text_intents);
    HK_RUN(test_keyboard_numeric_pad_types_a_phone_number);
    HK_RUN(test_keyboard_physical_keys_and_scanners_type_too);
    HK_RUN(test_keyboard_navigation_closes_it);
    HK_RUN(test_keyboard_pinyin_loads_on_first_use_and_commits_candidates);
    return hk_test_end();
}
