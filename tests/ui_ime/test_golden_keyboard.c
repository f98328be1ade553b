/*
 * test_golden_keyboard: golden screenshots of the on-screen keyboard over a
 * text field (issue 8 Tests: "keyboard in each mode with candidates"): the
 * numeric pad, Latin, and pinyin with the candidates after typing
 * "kuandai", in zh and en, at the portrait kiosk (1080x1920), landscape
 * (1920x1080) and a 10" tablet panel (800x1280); pinyin also in large text,
 * the numeric pad also with its switch keys.
 * Drawn in-process by the real ui_loop on SDL's offscreen driver (software
 * renderer, stepped clock), compared pixel for pixel (tolerance 0) with
 * tests/ui_ime/golden/<size>/. Goldens are written only when
 * HK_UPDATE_GOLDENS=1; a machine whose font or SDL2/SDL2_ttf differ from
 * tests/ui/golden/ENV skips (77), like the other golden tests.
 */
#include <unistd.h>

#include <SDL.h>

#include "golden.h"
#include "hk_log.h"
#include "ime_tmp.h"
#include "kb_fixture.h"
#include "paths.h"

static kbf_t fx;
static int updating, failures;

void setUp(void)
{
    failures = 0;
}

void tearDown(void)
{
    if(fx.loop)
        kbf_close(&fx);
}

/* Save the frame as <size>/<name> and compare it with its golden. */
static void check(int w, int h, const char *name)
{
    char dir[1024], golden[1200], actual[1200], fail_dir[1024], size[32];

    snprintf(size, sizeof(size), "%dx%d", w, h);
    snprintf(actual, sizeof(actual), "%s/%s-%s", hk_test_tmpdir(), size, name);
    HK_ASSERT_OK(display_save_png(fx.disp, actual));
    snprintf(dir, sizeof(dir), "%s/tests/ui_ime/golden/%s", HK_SOURCE_DIR, size);
    snprintf(golden, sizeof(golden), "%s/%s", dir, name);
    if(updating) {
        HK_ASSERT_OK(paths_mkdir_p(dir));
        HK_ASSERT_OK(display_save_png(fx.disp, golden));
        return;
    }
    if(access(golden, R_OK) != 0) {
        fprintf(stderr, "  %s/%s: no golden (toolchain/dev update-goldens)\n", size, name);
        failures++;
        return;
    }
    snprintf(fail_dir, sizeof(fail_dir), "%s/test-tmp/golden-failures/ime/%s", HK_BINARY_DIR, size);
    (void)paths_mkdir_p(fail_dir);
    failures += golden_compare(size, name, actual, golden, fail_dir);
}

static void run_size(int w, int h)
{
    static const char *const langs[2] = { "zh", "en" };
    char name[64];
    int l;

    for(l = 0; l < 2; l++) {
        kbf_open(&fx, w, h, l == 1, ime_tmp_dir("kbg"));
        /* the phone number pad, with a number typed and a key held down */
        ui_loop_keyboard_open(fx.loop, UI_KB_NUMERIC, false);
        kbf_settle(&fx);
        kbf_type(&fx, "1380013");
        {
            const ui_kb_key_t *k = kbf_key(&fx, '8');
            display_event_t ev;
            memset(&ev, 0, sizeof(ev));
            ev.display = fx.disp;
            ev.type = DISPLAY_EV_DOWN;
            ev.x = k->r.x + k->r.w / 2;
            ev.y = k->r.y + k->r.h / 2;
            ui_loop_input(fx.loop, &ev); /* pressed look */
            ui_loop_frame(fx.loop, false);
            snprintf(name, sizeof(name), "numeric_%s.png", langs[l]);
            check(w, h, name);
            ev.type = DISPLAY_EV_UP;
            ui_loop_input(fx.loop, &ev);
        }
        /* Latin with the switch keys */
        ui_loop_keyboard_open(fx.loop, UI_KB_LATIN, true);
        ui_loop_frame(fx.loop, false);
        kbf_tap(&fx, UI_KB_K_CLEAR);
        kbf_type(&fx, "sim card");
        snprintf(name, sizeof(name), "latin_%s.png", langs[l]);
        check(w, h, name);
        /* pinyin: candidates after "kuandai" */
        kbf_tap(&fx, UI_KB_K_CLEAR);
        kbf_tap(&fx, UI_KB_K_TO_PINYIN);
        kbf_type(&fx, "banli");
        kbf_tap(&fx, UI_KB_K_CAND);
        kbf_type(&fx, "kuandai");
        snprintf(name, sizeof(name), "pinyin_%s.png", langs[l]);
        check(w, h, name);
        kbf_close(&fx);
    }
}

static void test_golden_keyboard_portrait_1080x1920(void)
{
    run_size(1080, 1920);
    /* large text: the pinyin keyboard's bigger labels and candidates */
    kbf_open(&fx, 1080, 1920, false, ime_tmp_dir("kbg"));
    fx.model.large = true;
    ui_loop_keyboard_open(fx.loop, UI_KB_PINYIN, true);
    kbf_settle(&fx);
    kbf_type(&fx, "kuandai");
    check(1080, 1920, "pinyin_zh_large.png");
    kbf_close(&fx);
    /* the numeric pad with the switch keys (中 and EN beside 0) */
    kbf_open(&fx, 1080, 1920, true, ime_tmp_dir("kbg"));
    ui_loop_keyboard_open(fx.loop, UI_KB_NUMERIC, true);
    kbf_settle(&fx);
    kbf_type(&fx, "5");
    check(1080, 1920, "numeric_switch_en.png");
    HK_ASSERT_INT(0, failures);
}

static void test_golden_keyboard_landscape_1920x1080(void)
{
    run_size(1920, 1080);
    HK_ASSERT_INT(0, failures);
}

static void test_golden_keyboard_tablet_800x1280(void)
{
    run_size(800, 1280);
    HK_ASSERT_INT(0, failures);
}

int main(void)
{
    char here[512], recorded[512] = "";
    const char *upd = getenv("HK_UPDATE_GOLDENS");
    FILE *f;
    size_t n;

    if(getenv("HK_LOG_LEVEL") == NULL)
        hk_log_set_stderr(false);
    updating = upd && !strcmp(upd, "1");
    golden_env_line(here, sizeof(here));
    f = fopen(HK_SOURCE_DIR "/tests/ui/golden/ENV", "rb");
    if(f) {
        n = fread(recorded, 1, sizeof(recorded) - 1, f);
        recorded[n] = '\0';
        fclose(f);
    }
    if(!updating && strcmp(recorded, here)) {
        printf("SKIP: goldens were made with\n%sthis machine has\n%s", recorded, here);
        return 77;
    }
    if(access("/usr/share/rime-data/build/pinyin_simp.table.bin", R_OK) != 0) {
        printf("SKIP: no rime-data-pinyin-simp (toolchain/dev deps installs it)\n");
        return 77;
    }
    HK_RUN(test_golden_keyboard_portrait_1080x1920);
    HK_RUN(test_golden_keyboard_landscape_1920x1080);
    HK_RUN(test_golden_keyboard_tablet_800x1280);
    return ime_tmp_end("kbg", hk_test_end());
}
