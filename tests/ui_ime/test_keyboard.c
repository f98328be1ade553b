/*
 * test_keyboard: the on-screen keyboard in the screen loop's overlay
 * (ui_loop_keyboard_open/close/is_open): taps become INTENT_TEXT_* for the
 * controller, the model's kb_h follows it, touches above it stay the
 * screen's; physical keyboards and scanners give the same intents; pinyin
 * loads its engine only once the pinyin keyboard is on screen, and typing
 * "kuandai" puts 宽带 first on the candidate bar.
 */
#include <unistd.h>

#include <SDL.h>

#include "golden.h"
#include "hk_log.h"
#include "ime.h"
#include "ime_tmp.h"
#include "kb_fixture.h"

static kbf_t fx;

void setUp(void)
{
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

    kbf_open(&fx, 1080, 1920, false, ime_tmp_dir("kb"));
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

/* Without the pinyin data the keyboard falls back to Latin, without 中. */
static void test_keyboard_pinyin_without_its_data_falls_back_to_latin(void)
{
    char dir[600];

    snprintf(dir, sizeof(dir), "%s/nodata", ime_tmp_dir("kb"));
    setenv("HK_RIME_DATA_DIR", "/nonexistent/rime-data", 1);
    kbf_open(&fx, 1080, 1920, false, dir);
    unsetenv("HK_RIME_DATA_DIR");
    ui_loop_keyboard_open(fx.loop, UI_KB_PINYIN, true);
    kbf_settle(&fx); /* shown, then the load fails */
    ui_loop_frame(fx.loop, false);
    HK_ASSERT_INT(UI_KB_LATIN, (int)ui_loop_keyboard(fx.loop)->mode);
    HK_ASSERT(kbf_key(&fx, UI_KB_K_TO_PINYIN) == NULL);
    HK_ASSERT_INT(ui_keyboard_height(&fx.model, UI_KB_LATIN), fx.model.kb_h);
    kbf_type(&fx, "ka");
    HK_ASSERT_STR("ka", fx.field);
}

/* Are the PNGs at a and b the same pixels? */
static int same_png(const char *a, const char *b)
{
    SDL_Surface *x = golden_load_rgb(a), *y = golden_load_rgb(b);
    int same = x && y && x->w == y->w && x->h == y->h, r;

    for(r = 0; same && r < x->h; r++)
        same = !memcmp((uint8_t *)x->pixels + r * x->pitch, (uint8_t *)y->pixels + r * y->pitch,
                       (size_t)x->w * 3);
    SDL_FreeSurface(x);
    SDL_FreeSurface(y);
    return same;
}

/* The frames that redraw only the keyboard's changed keys and bar end up
 * the very pixels a whole redraw gives. */
static void test_keyboard_partial_redraws_equal_a_full_frame(void)
{
    char partial[600], full[600];
    display_event_t ev;
    const ui_kb_key_t *k;

    kbf_open(&fx, 1080, 1920, false, ime_tmp_dir("kb"));
    ui_loop_keyboard_open(fx.loop, UI_KB_PINYIN, true);
    kbf_settle(&fx);
    ui_loop_frame(fx.loop, false);
    kbf_type(&fx, "liuliang");
    kbf_tap(&fx, UI_KB_K_PAGE_NEXT);
    kbf_tap(&fx, UI_KB_K_BACKSPACE);
    /* a key held down, then slid to its neighbour */
    k = kbf_key(&fx, 'h');
    memset(&ev, 0, sizeof(ev));
    ev.display = fx.disp;
    ev.type = DISPLAY_EV_DOWN;
    ev.x = k->r.x + k->r.w / 2;
    ev.y = k->r.y + k->r.h / 2;
    ui_loop_input(fx.loop, &ev);
    ui_loop_frame(fx.loop, false);
    ev.type = DISPLAY_EV_MOVE;
    ev.x += k->r.w;
    ui_loop_input(fx.loop, &ev);
    ui_loop_frame(fx.loop, false);
    snprintf(partial, sizeof(partial), "%s/partial.png", hk_test_tmpdir());
    snprintf(full, sizeof(full), "%s/full.png", hk_test_tmpdir());
    HK_ASSERT_OK(display_save_png(fx.disp, partial));
    ui_loop_frame(fx.loop, true);
    HK_ASSERT_OK(display_save_png(fx.disp, full));
    HK_ASSERT_MSG(same_png(partial, full), "partial redraw differs: %s vs %s", partial, full);
}

int main(void)
{
    if(getenv("HK_LOG_LEVEL") == NULL)
        hk_log_set_stderr(false);
    if(access("/usr/share/rime-data/build/pinyin_simp.table.bin", R_OK) != 0) {
        printf("SKIP: no rime-data-pinyin-simp (toolchain/dev deps installs it)\n");
        return 77;
    }
    HK_RUN(test_keyboard_latin_taps_become_text_intents);
    HK_RUN(test_keyboard_numeric_pad_types_a_phone_number);
    HK_RUN(test_keyboard_physical_keys_and_scanners_type_too);
    HK_RUN(test_keyboard_navigation_closes_it);
    HK_RUN(test_keyboard_pinyin_loads_on_first_use_and_commits_candidates);
    HK_RUN(test_keyboard_partial_redraws_equal_a_full_frame);
    HK_RUN(test_keyboard_pinyin_without_its_data_falls_back_to_latin);
    return ime_tmp_end("kb", hk_test_end());
}
