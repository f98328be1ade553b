/*
 * Golden screenshots of the counter role and the rating screens (STYLE.md
 * section 10, the pattern of tests/ui/test_golden.c), in process through
 * counter_harness.h: the counter's login, the panel with a called ticket
 * and its no-show choice, the customer side (who served, the number),
 * the faces, the low rating's reasons, thanks, the high rating's praise;
 * and the kiosk's rate-by-number screen and its faces. Each case is one
 * panel size and language; taps are that layout's (table below), the
 * rest is keyboard. Compared pixel for pixel (tolerance 0) with
 * tests/ui_counter/golden/<case>/; a missing golden fails; on a mismatch
 * the actual and a diff are written under
 * <build>/test-tmp/golden-failures/ui_counter/. Goldens are written only
 * with HK_UPDATE_GOLDENS=1 (toolchain/dev update-goldens runs every
 * test_golden*). A different font or SDL2/SDL2_ttf than golden/ENV
 * records SKIPS (77).
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "counter_harness.h"
#include "golden.h"

/* One panel size and language, and where that layout's buttons are. */
typedef struct golden_case {
    const char *name; /* golden/<name>/ */
    int w, h;
    const char *lang;
    int face2[2];  /* the 不满意 face */
    int face5[2];  /* the 非常满意 face */
    int chip1[2];  /* the first chip */
    int submit[2]; /* submit the chips */
    int tile[2];   /* the kiosk home's rate tile */
    int start[2];  /* the kiosk attract screen: anywhere */
} golden_case_t;

/* clang-format off */
static const golden_case_t cases[] = {
    /* name            w     h     lang     face2         face5        chip1         submit        tile          start */
    { "1080x1920_zh", 1080, 1920, "zh-CN", { 540, 1415 }, { 540, 617 }, { 288, 1070 }, { 540, 1462 }, { 870, 1400 }, { 540, 1200 } },
    { "1080x1920_en", 1080, 1920, "en",    { 540, 1415 }, { 540, 617 }, { 288, 1070 }, { 540, 1462 }, { 870, 1400 }, { 540, 1200 } },
    { "1920x1080_zh", 1920, 1080, "zh-CN", { 1200, 700 }, { 300, 700 }, { 999, 563 },  { 1290, 901 },  { 1300, 830 }, { 960, 700 } },
    { "1920x1080_en", 1920, 1080, "en",    { 1200, 700 }, { 300, 700 }, { 999, 563 },  { 1290, 901 },  { 1300, 830 }, { 960, 700 } },
    { "800x1280_zh",  800,  1280, "zh-CN", { 400, 940 },  { 400, 411 }, { 212, 713 },  { 400, 975 },  { 640, 930 },  { 400, 800 } },
    { "1366x768_en",  1366, 768,  "en",    { 853, 500 },  { 213, 500 }, { 711, 400 },  { 918, 641 },  { 924, 590 },  { 683, 498 } },
    /* w 0: the counter with a customer screen (second_screen_journey) */
    { "second_screen", 0,   0,    "zh-CN", { 0, 0 },      { 0, 0 },     { 0, 0 },      { 0, 0 },      { 0, 0 },      { 0, 0 } },
};
/* clang-format on */

static int updating_goldens;

void setUp(void)
{
}

void tearDown(void)
{
}

/* The counter's journey: login, panel, customer side, the rating. */
static void counter_journey(const golden_case_t *c, const char *shots)
{
    harness_t h;
    char s[4096];

    harness_open(&h, c->w, c->h, c->lang, shots);
    harness_issue(&h, "general", 9, 40);
    harness_issue(&h, "elderly", 9, 45);
    harness_issue(&h, "payment", 9, 50);
    harness_counter(&h, NULL);
    snprintf(s, sizeof(s),
             "clock 2026-11-25T10:30\n"
             "expect-screen counter_login\n"
             "key tab\nkey 2\nkey 4\nkey 6\nwait 300\nscreenshot login\n"
             "key 1\nkey 2\nkey 3\nkey enter\nwait 300\nscreenshot login_wrong_pin\n"
             "key 2\nkey 4\nkey 6\nkey 8\nkey 1\nkey 0\nkey enter\nwait 300\n"
             "expect-screen counter_panel\nscreenshot panel_open\n"
             "link-down\n"
             "key f1\nwait 300\nscreenshot panel_called\n"
             "wait 95000\nkey f2\nwait 300\nscreenshot panel_recalled\n"
             "key f5\nwait 300\nscreenshot panel_no_show\nkey escape\nwait 300\n"
             "key f8\nwait 300\nscreenshot panel_transfer\nkey escape\nwait 300\n"
             "key f3\nwait 300\nkey f4\nwait 300\nexpect-screen rate_staff\n"
             "screenshot customer_staff\n"
             "wait 5500\nexpect-screen rate_faces\nscreenshot rate_faces\n"
             "tap %d %d\nwait 400\ntap %d %d\nwait 400\nscreenshot rate_reasons\n"
             "tap %d %d\nwait 400\nscreenshot rate_thanks_low\n"
             "wait 4500\nexpect-screen counter_panel\n"
             "key f1\nwait 300\nkey f4\nwait 300\nwait 5500\nexpect-screen rate_faces\n"
             "tap %d %d\nwait 400\nscreenshot rate_praise\n",
             c->face2[0], c->face2[1], c->chip1[0], c->chip1[1], c->submit[0], c->submit[1],
             c->face5[0], c->face5[1]);
    /* the script up to "link-down", then the hub goes away (as a LAN
     * client's branch says: the state pill says so), comes back, the rest */
    {
        char *rest = strstr(s, "link-down\n");
        HK_ASSERT(rest != NULL);
        *rest = '\0';
        rest += strlen("link-down\n");
        HK_ASSERT_INT(0, harness_run(&h, s));
        HK_ASSERT_OK(
            mailbox_post_simple(counter_mailbox(h.counter), MAILBOX_LINK_CHANGED, 0, HK_OK, 0));
        HK_ASSERT_INT(0, harness_run(&h, "wait 1\nscreenshot panel_offline\n"));
        HK_ASSERT_OK(
            mailbox_post_simple(counter_mailbox(h.counter), MAILBOX_LINK_CHANGED, 0, HK_OK, 1));
        HK_ASSERT_INT(0, harness_run(&h, rest));
    }
    if(c->w == 1080) {
        /* large text (the header's toggle at the same place in both
         * sizes): the praise chips, then the clerk's panel and login */
        HK_ASSERT_INT(0, harness_run(&h, "tap 659 75\nwait 500\nscreenshot rate_praise_large\n"
                                         "key escape\nwait 500\nexpect-screen counter_panel\n"
                                         "tap 659 75\nwait 500\nscreenshot panel_large\n"
                                         "key f10\nwait 500\nexpect-screen counter_login\n"
                                         "screenshot login_large\n"));
    }
    harness_close(&h);
}

/* The kiosk's "rate our service": an unknown number, then a good one. */
static void kiosk_journey(const golden_case_t *c, const char *shots)
{
    harness_t h;
    ticket_t t;
    char s[2048];

    harness_open(&h, c->w, c->h, c->lang, shots);
    harness_issue(&h, "general", 9, 0);
    HK_ASSERT_OK(queue_call_next(h.queue, "c2", HARNESS_WALL0 - 60000, &t));
    HK_ASSERT_OK(queue_finish(h.queue, t.id, HARNESS_WALL0 - 30000));
    harness_kiosk(&h);
    snprintf(s, sizeof(s),
             "clock 2026-11-25T10:30\n"
             "tap %d %d\nwait 500\nexpect-screen home\ntap %d %d\nwait 500\n"
             "expect-screen rate_number\nscreenshot kiosk_rate_number\n"
             "key b\nkey 9\nkey enter\nwait 300\nscreenshot kiosk_rate_unknown\n"
             "key a\nkey 1\nkey enter\nwait 300\nexpect-screen rate_faces\n"
             "screenshot kiosk_rate_faces\n",
             c->start[0], c->start[1], c->tile[0], c->tile[1]);
    HK_ASSERT_INT(0, harness_run(&h, s));
    harness_close(&h);
}

/* The counter with a customer screen: the clerk on a 1920x1080 panel,
 * the customer on a 1080x1920 one; their screen's frames are the
 * goldens (second_*). */
static void second_screen_journey(const char *shots)
{
    harness_t h;
    char path[1200];
    rating_t *r = NULL;
    rating_record_t rec;
    ticket_t t;

    harness_open(&h, 1920, 1080, "zh-CN", shots);
    t = harness_issue(&h, "general", 9, 40);
    harness_customer_screen(&h, 1080, 1920);
    harness_counter(&h, NULL);
    HK_ASSERT_INT(0, harness_run(&h, "clock 2026-11-25T10:30\nwait 300\n"));
    snprintf(path, sizeof(path), "%s/second_welcome.png", shots);
    HK_ASSERT_OK(display_save_png(h.customer, path));
    HK_ASSERT_INT(0, harness_run(&h, "key tab\nkey 2\nkey 4\nkey 6\nkey 8\nkey 1\nkey 0\n"
                                     "key enter\nwait 300\nkey f1\nwait 300\n"));
    snprintf(path, sizeof(path), "%s/second_serving.png", shots);
    HK_ASSERT_OK(display_save_png(h.customer, path));
    /* finish: the customer's screen invites, the clerk keeps the panel */
    HK_ASSERT_INT(0, harness_run(&h, "key f4\nwait 300\nexpect-screen counter_panel\n"));
    snprintf(path, sizeof(path), "%s/second_staff.png", shots);
    HK_ASSERT_OK(display_save_png(h.customer, path));
    HK_ASSERT_INT(0, harness_run(&h, "wait 5500\nexpect-screen counter_panel\n"));
    snprintf(path, sizeof(path), "%s/second_faces.png", shots);
    HK_ASSERT_OK(display_save_png(h.customer, path));
    /* large text for an elderly customer, and back */
    harness_customer_tap(&h, 659, 75);
    snprintf(path, sizeof(path), "%s/second_faces_large.png", shots);
    HK_ASSERT_OK(display_save_png(h.customer, path));
    harness_customer_tap(&h, 659, 75);
    /* the customer votes on their screen: 不满意, 服务效率, submit (twice) */
    harness_customer_tap(&h, 540, 1415);
    harness_customer_tap(&h, 288, 1070);
    harness_customer_tap(&h, 540, 1462);
    harness_customer_tap(&h, 540, 1462);
    HK_ASSERT_INT(0, harness_run(&h, "wait 400\n"));
    snprintf(path, sizeof(path), "%s/second_thanks.png", shots);
    HK_ASSERT_OK(display_save_png(h.customer, path));
    HK_ASSERT_OK(rating_open(h.store, &h.cfg, &r));
    HK_ASSERT_OK(rating_get(r, t.id, &rec));
    HK_ASSERT_INT(RATING_DISSATISFIED, rec.level);
    HK_ASSERT_INT(RATING_REASON_EFFICIENCY, rec.reasons);
    HK_ASSERT_INT(RATING_SOURCE_COUNTER, rec.source);
    rating_destroy(r);
    /* then back to who serves here, and nothing is being rated */
    HK_ASSERT_INT(0, harness_run(&h, "wait 4500\nexpect-screen counter_panel\n"));
    snprintf(path, sizeof(path), "%s/second_after.png", shots);
    HK_ASSERT_OK(display_save_png(h.customer, path));
    harness_close(&h);
}

static void run_case(const golden_case_t *c)
{
    char shots[1024], golden_dir[1024], fail_dir[1024];
    int failures, compared = 0;

    snprintf(shots, sizeof(shots), "%s/shots", hk_test_tmpdir());
    if(c->w == 0) {
        second_screen_journey(shots);
    } else {
        counter_journey(c, shots);
        kiosk_journey(c, shots);
    }
    snprintf(golden_dir, sizeof(golden_dir), "%s/tests/ui_counter/golden/%s", HK_SOURCE_DIR,
             c->name);
    snprintf(fail_dir, sizeof(fail_dir), "%s/test-tmp/golden-failures/ui_counter/%s", HK_BINARY_DIR,
             c->name);
    failures = golden_check_dir(c->name, shots, golden_dir, fail_dir, updating_goldens, &compared);
    printf("  %s: %d images %s\n", c->name, compared, updating_goldens ? "written" : "compared");
    HK_ASSERT_MSG(compared > 0, "journey produced no screenshots");
    HK_ASSERT_MSG(failures == 0, "%d golden mismatches in %s", failures, c->name);
}

static void test_golden_counter_portrait_1080x1920_zh(void)
{
    run_case(&cases[0]);
}

static void test_golden_counter_portrait_1080x1920_en(void)
{
    run_case(&cases[1]);
}

static void test_golden_counter_landscape_1920x1080_zh(void)
{
    run_case(&cases[2]);
}

static void test_golden_counter_landscape_1920x1080_en(void)
{
    run_case(&cases[3]);
}

static void test_golden_counter_portrait_800x1280_zh(void)
{
    run_case(&cases[4]);
}

static void test_golden_counter_landscape_1366x768_en(void)
{
    run_case(&cases[5]);
}

static void test_golden_counter_second_screen(void)
{
    run_case(&cases[6]);
}

int main(void)
{
    char here[512], recorded[512], env_path[1024];
    const char *upd = getenv("HK_UPDATE_GOLDENS");

    updating_goldens = upd && !strcmp(upd, "1");
    golden_env_line(here, sizeof(here));
    snprintf(env_path, sizeof(env_path), "%s/tests/ui_counter/golden/ENV", HK_SOURCE_DIR);
    if(updating_goldens) {
        FILE *f;
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/tests/ui_counter/golden", HK_SOURCE_DIR);
        (void)paths_mkdir_p(dir);
        f = fopen(env_path, "wb");
        if(!f || fputs(here, f) < 0) {
            fprintf(stderr, "cannot write %s\n", env_path);
            if(f)
                fclose(f);
            return 1;
        }
        fclose(f);
    } else if(golden_read_file(env_path, recorded, sizeof(recorded)) < 0 ||
              strcmp(recorded, here)) {
        printf("SKIP: goldens were made with\n%sthis machine has\n%s", recorded, here);
        return 77;
    }
    HK_RUN(test_golden_counter_portrait_1080x1920_zh);
    HK_RUN(test_golden_counter_portrait_1080x1920_en);
    HK_RUN(test_golden_counter_landscape_1920x1080_zh);
    HK_RUN(test_golden_counter_landscape_1920x1080_en);
    HK_RUN(test_golden_counter_portrait_800x1280_zh);
    HK_RUN(test_golden_counter_landscape_1366x768_en);
    HK_RUN(test_golden_counter_second_screen);
    return hk_test_end();
}
