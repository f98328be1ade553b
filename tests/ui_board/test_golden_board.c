/*
 * test_golden_board: golden screenshots of the hall board (issue 6 Tests:
 * "the display with one and with six simultaneous calls, zh and en,
 * portrait and landscape"), at the commonest cheap panel (1366x768) and a
 * 4K TV (3840x2160), each also mounted portrait. Drawn in-process by the
 * real board on SDL's offscreen driver (software renderer, stepped clock),
 * compared pixel for pixel (tolerance 0) with tests/ui_board/golden/<size>/.
 * Each shot is taken the moment the newest call is shown (its flash lit).
 * A missing golden fails; goldens are written only when HK_UPDATE_GOLDENS=1
 * (toolchain/dev update-goldens runs ctest -R test_golden). Like
 * tests/ui/test_golden.c, a machine whose font or SDL2/SDL2_ttf differ from
 * tests/ui/golden/ENV skips (77) instead of passing or failing.
 */
#include <stdlib.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "board_fixture.h"
#include "golden.h"
#include "hk_log.h"
#include "paths.h"

typedef struct gcase {
    int w, h;
} gcase_t;

static const gcase_t cases[] = {
    { 1366, 768 },  /* landscape, the commonest cheap panel */
    { 768, 1366 },  /* the same panel mounted portrait */
    { 3840, 2160 }, /* a 4K TV */
    { 2160, 3840 }, /* ... on its side */
};

static fx_t fx;
static int updating;
static int failures;

void setUp(void)
{
    failures = 0;
}

void tearDown(void)
{
    if(fx.board || fx.disp)
        fx_close(&fx);
}

/* Compare the shot at actual with golden/<size>/<name>; count a failure. */
static void check(const gcase_t *c, const char *name)
{
    char dir[FX_PATH_LEN], golden[FX_PATH_LEN + 64], actual[FX_PATH_LEN + 64],
        evidence[FX_PATH_LEN + 64];
    SDL_Surface *a, *g;
    int y = 0, diff = 0;

    snprintf(actual, sizeof(actual), "%s/%s", hk_test_tmpdir(), name);
    HK_ASSERT_OK(board_screenshot(fx.board, actual));
    snprintf(dir, sizeof(dir), "%s/tests/ui_board/golden/%dx%d", HK_SOURCE_DIR, c->w, c->h);
    snprintf(golden, sizeof(golden), "%s/%s", dir, name);
    if(updating) {
        HK_ASSERT_OK(paths_mkdir_p(dir));
        HK_ASSERT_OK(board_screenshot(fx.board, golden));
        return;
    }
    if(access(golden, R_OK) != 0) {
        fprintf(stderr, "  %dx%d/%s: no golden (toolchain/dev update-goldens)\n", c->w, c->h, name);
        failures++;
        return;
    }
    a = golden_load_rgb(actual);
    g = golden_load_rgb(golden);
    HK_ASSERT(a && g);
    if(a->w != g->w || a->h != g->h) {
        diff = 1;
    } else {
        for(y = 0; y < a->h && !diff; y++)
            diff = memcmp((uint8_t *)a->pixels + y * a->pitch, (uint8_t *)g->pixels + y * g->pitch,
                          (size_t)a->w * 3) != 0;
    }
    if(diff) {
        snprintf(dir, sizeof(dir), "%s/test-tmp/golden-failures/board/%dx%d", HK_BINARY_DIR, c->w,
                 c->h);
        (void)paths_mkdir_p(dir);
        snprintf(evidence, sizeof(evidence), "%s/%s", dir, name);
        (void)board_screenshot(fx.board, evidence);
        fprintf(stderr, "  %dx%d/%s differs from its golden (first row %d); actual: %s\n", c->w,
                c->h, name, y - 1, evidence);
        failures++;
    }
    SDL_FreeSurface(a);
    SDL_FreeSurface(g);
}

/* Step until number is the board's newest call (the frame that shows it). */
static void until_shown(const char *number)
{
    int i;

    for(i = 0; i < 400; i++) {
        const board_view_t *v = board_view(fx.board);

        if(v->has_current && !strcmp(v->current.number, number))
            return;
        fx_step(&fx, 100);
    }
    HK_ASSERT_MSG(0, "%s never shown", number);
}

static void run_case(const gcase_t *c, bool en)
{
    static const char *const services[] = { "general", "general", "payment", "broadband",
                                            "devices", "vip",     "elderly", "general",
                                            "general", "payment", "general", "general" };
    static const char *const order[] = { "c2", "c5", "c1", "c6", "c4" };
    fx_opts_t o = { c->w, c->h, en, false, false, true, false };
    char name[64], last[16];
    size_t i;

    fx_open(&fx, &o);
    for(i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        fx_take(&fx, services[i]);
    /* one call */
    snprintf(last, sizeof(last), "%s", fx_call(&fx, "c3"));
    fx_notify(&fx);
    until_shown(last);
    snprintf(name, sizeof(name), "%s-1call.png", en ? "en" : "zh");
    check(c, name);
    /* five more counters call at once: six on the board */
    for(i = 0; i < 5; i++)
        snprintf(last, sizeof(last), "%s", fx_call(&fx, order[i]));
    fx_notify(&fx);
    until_shown(last);
    snprintf(name, sizeof(name), "%s-6calls.png", en ? "en" : "zh");
    check(c, name);
    /* the hub goes away (as a LAN client's branch says): the header says so */
    HK_ASSERT_OK(mailbox_post_simple(board_mailbox(fx.board), MAILBOX_LINK_CHANGED, 0, HK_OK, 0));
    fx_step(&fx, 100);
    fx_step(&fx, 100);
    snprintf(name, sizeof(name), "%s-offline.png", en ? "en" : "zh");
    check(c, name);
    fx_close(&fx);
}

static void test_golden_board_landscape_1366x768(void)
{
    run_case(&cases[0], false);
    run_case(&cases[0], true);
    HK_ASSERT_INT(0, failures);
}

static void test_golden_board_portrait_768x1366(void)
{
    run_case(&cases[1], false);
    run_case(&cases[1], true);
    HK_ASSERT_INT(0, failures);
}

static void test_golden_board_4k_3840x2160(void)
{
    run_case(&cases[2], false);
    run_case(&cases[2], true);
    HK_ASSERT_INT(0, failures);
}

static void test_golden_board_4k_portrait_2160x3840(void)
{
    run_case(&cases[3], false);
    run_case(&cases[3], true);
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
    HK_RUN(test_golden_board_landscape_1366x768);
    HK_RUN(test_golden_board_portrait_768x1366);
    HK_RUN(test_golden_board_4k_3840x2160);
    HK_RUN(test_golden_board_4k_portrait_2160x3840);
    return hk_test_end();
}
