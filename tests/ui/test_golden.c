/*
 * Golden screenshot tests (STYLE.md section 10): run the real hallkiosk
 * binary headless (SDL offscreen driver, software renderer, stepped clock)
 * at each panel size (--size WxH: the UI draws at that native size)
 * through its scripted journey in tests/ui/scripts, then compare every
 * screenshot and every rendered ticket pixel for pixel (tolerance 0) with
 * tests/ui/golden/<case>/. A missing golden fails. On a mismatch the
 * actual and a diff image are written under <build>/test-tmp/golden-failures
 * and the first differing pixel is logged. Goldens are written only when
 * HK_UPDATE_GOLDENS=1 (toolchain/dev update-goldens).
 *
 * The goldens are only meaningful for one font file and one SDL2/SDL2_ttf
 * pair; golden/ENV records them, and a different environment SKIPS (exit
 * 77) instead of passing or failing.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "display.h"
#include "hk_test.h"
#include "golden.h"
#include "paths.h"

#define MAX_SHOTS 64

/* One panel size: its journey is tests/ui/scripts/<size>.txt, its goldens
 * tests/ui/golden/<size>/. The layout's orientation follows the panel. The
 * printed ticket does not depend on the panel, so only one case keeps it. */
typedef struct golden_case {
    const char *size;
    bool tickets;
    const char *panel; /* NULL = size; else the panel, turned by rotate */
    const char *rotate;
    /* FAQ/triage (issue 8): NULL = the main journey; else scripts/<journey>-<size>.txt
     * with goldens in golden/<journey>-<size>/ */
    const char *journey;
} golden_case_t;

static const golden_case_t cases[] = {
    { "1080x1920", true, NULL, NULL, NULL },  /* the reference portrait kiosk, 9:16 */
    { "1920x1080", false, NULL, NULL, NULL }, /* landscape 16:9 */
    { "800x1280", false, NULL, NULL, NULL },  /* a 10" portrait tablet panel, 10:16 */
    { "1280x1024", false, NULL, NULL, NULL }, /* 5:4 monitor, landscape */
    { "1366x768", false, NULL, NULL, NULL },  /* the commonest cheap 16:9 panel */
    { "3840x2160", false, NULL, NULL, NULL }, /* 4K hall board: fewer states */
    /* a 1920x1080 panel mounted portrait and turned by the app: the UI's
     * frames must be exactly the portrait kiosk's */
    { "1080x1920", false, "1920x1080", "90", NULL },
    /* FAQ/triage (issue 8): triage, the FAQ's lists, search and the article
     * reader (top, scrolled, answered), zh and en, normal and large text,
     * high contrast; content from tests/ui/fixtures/faq */
    { "1080x1920", false, NULL, NULL, "faq" },
    { "1920x1080", false, NULL, NULL, "faq" },
    { "800x1280", false, NULL, NULL, "faq" },
};

static int updating_goldens;

void setUp(void)
{
}

void tearDown(void)
{
}

/* The case's name: its size, or "<journey>-<size>". */
static const char *set_name(const golden_case_t *c)
{
    static char name[64];

    if(!c->journey)
        return c->size;
    snprintf(name, sizeof(name), "%s-%s", c->journey, c->size);
    return name;
}

static int run_kiosk(const golden_case_t *c, const char *dir)
{
    char data[1024], shots[1024], script[1024], config[1024], bin[1024], faq[1024];
    pid_t pid;
    int status;

    snprintf(data, sizeof(data), "%s/data", dir);
    snprintf(shots, sizeof(shots), "%s/shots", dir);
    snprintf(script, sizeof(script), "%s/tests/ui/scripts/%s.txt", HK_SOURCE_DIR, set_name(c));
    snprintf(faq, sizeof(faq), "%s/tests/ui/fixtures/faq", HK_SOURCE_DIR);
    snprintf(config, sizeof(config), "%s/tests/ui/fixtures/branch.json", HK_SOURCE_DIR);
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    pid = fork();
    if(pid == 0) {
        setenv("HK_DATA_DIR", data, 1);
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        setenv("HK_FAQ_DIR", faq, 1); /* FAQ/triage: content fixed for the goldens */
        if(c->rotate)
            execl(bin, bin, "--headless", "--config", config, "--size", c->panel, "--rotate",
                  c->rotate, "--script", script, "--screenshot-dir", shots, (char *)NULL);
        else
            execl(bin, bin, "--headless", "--config", config, "--size", c->size, "--script", script,
                  "--screenshot-dir", shots, (char *)NULL);
        _exit(127);
    }
    if(pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* An image this case leaves out: the rendered ticket, where the case does
 * not keep it (golden_check_dir_skip). */
static int not_compared(const char *n, void *ctx)
{
    const golden_case_t *c = ctx;

    return !c->tickets && strncmp(n, "ticket-", 7) == 0;
}

static void run_case(const golden_case_t *c)
{
    char shots[1024], golden_dir[1024], fail_dir[1024];
    int failures, compared = 0, rc;
    /* a case drawn on a turned panel only compares with its size's set */
    int updating = updating_goldens && !c->rotate;

    rc = run_kiosk(c, hk_test_tmpdir());
    HK_ASSERT_MSG(rc == 0, "hallkiosk exited %d running scripts/%s.txt", rc, set_name(c));
    snprintf(shots, sizeof(shots), "%s/shots", hk_test_tmpdir());
    snprintf(golden_dir, sizeof(golden_dir), "%s/tests/ui/golden/%s", HK_SOURCE_DIR, set_name(c));
    snprintf(fail_dir, sizeof(fail_dir), "%s/test-tmp/golden-failures/%s", HK_BINARY_DIR,
             set_name(c));
    /* updating rewrites the set (goldens the journey no longer makes go);
     * else a missing golden, or a golden no longer produced, fails */
    failures = golden_check_dir_skip(set_name(c), shots, golden_dir, fail_dir, updating, &compared,
                                     not_compared, (void *)c);
    printf("  %s: %d images %s\n", set_name(c), compared, updating ? "written" : "compared");
    HK_ASSERT_MSG(compared > 0, "journey produced no screenshots");
    HK_ASSERT_MSG(failures == 0, "%d golden mismatches in %s", failures, set_name(c));
}

static void test_golden_portrait_1080x1920_screens_match(void)
{
    run_case(&cases[0]);
}

static void test_golden_landscape_1920x1080_screens_match(void)
{
    run_case(&cases[1]);
}

static void test_golden_portrait_800x1280_screens_match(void)
{
    run_case(&cases[2]);
}

static void test_golden_landscape_5_4_1280x1024_screens_match(void)
{
    run_case(&cases[3]);
}

static void test_golden_landscape_1366x768_screens_match(void)
{
    run_case(&cases[4]);
}

static void test_golden_4k_3840x2160_screens_match(void)
{
    run_case(&cases[5]);
}

static void test_golden_turned_panel_draws_the_portrait_screens(void)
{
    run_case(&cases[6]);
}

/* FAQ/triage (issue 8) */
static void test_golden_faq_portrait_1080x1920_screens_match(void)
{
    run_case(&cases[7]);
}

static void test_golden_faq_landscape_1920x1080_screens_match(void)
{
    run_case(&cases[8]);
}

static void test_golden_faq_portrait_800x1280_screens_match(void)
{
    run_case(&cases[9]);
}

int main(void)
{
    char here[512], recorded[512], env_path[1024];
    const char *upd = getenv("HK_UPDATE_GOLDENS");

    updating_goldens = upd && !strcmp(upd, "1");
    golden_env_line(here, sizeof(here));
    snprintf(env_path, sizeof(env_path), "%s/tests/ui/golden/ENV", HK_SOURCE_DIR);
    if(updating_goldens) {
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/tests/ui/golden", HK_SOURCE_DIR);
        (void)paths_mkdir_p(dir);
        if(golden_write_file(env_path, here) != 0) {
            fprintf(stderr, "cannot write %s\n", env_path);
            return 1;
        }
    } else if(golden_read_file(env_path, recorded, sizeof(recorded)) < 0 ||
              strcmp(recorded, here)) {
        printf("SKIP: goldens were made with\n%sthis machine has\n%s", recorded, here);
        return 77;
    }
    HK_RUN(test_golden_portrait_1080x1920_screens_match);
    HK_RUN(test_golden_landscape_1920x1080_screens_match);
    HK_RUN(test_golden_portrait_800x1280_screens_match);
    HK_RUN(test_golden_landscape_5_4_1280x1024_screens_match);
    HK_RUN(test_golden_landscape_1366x768_screens_match);
    HK_RUN(test_golden_4k_3840x2160_screens_match);
    HK_RUN(test_golden_turned_panel_draws_the_portrait_screens);
    HK_RUN(test_golden_faq_portrait_1080x1920_screens_match); /* FAQ/triage */
    HK_RUN(test_golden_faq_landscape_1920x1080_screens_match);
    HK_RUN(test_golden_faq_portrait_800x1280_screens_match);
    return hk_test_end();
}
