/*
 * Report a problem (issue 8.5) end to end on the real hallkiosk binary
 * (headless, SDL offscreen, stepped clock), per panel size with its
 * journey in tests/ui_submit/scripts/<size>.txt:
 *   - golden screenshots (tolerance 0, the pattern of tests/ui/
 *     test_golden.c): the form empty, with an error under each field,
 *     while typing, the description typed on the on-screen pinyin
 *     keyboard ("kuandai" tapped key by key, its candidates shown, the
 *     first, 宽带, tapped into the text), filled with the phone masked,
 *     the inactivity warning, the confirmation; zh, en and large text; portrait
 *     1080x1920, landscape 1920x1080 and a smaller 800x1280 panel.
 *     A missing golden fails; HK_UPDATE_GOLDENS=1 writes them. Skipped (77)
 *     when the font or SDL differ from tests/ui/golden/ENV;
 *   - behaviour the goldens pin: leaving the form and coming back shows it
 *     empty (byte-identical to the empty form), and an idle form warns,
 *     then the kiosk returns to the attract screen (expect-screen);
 *   - privacy: no phone number typed in the journey appears unmasked in
 *     any screenshot, rendered receipt or the process's log (their bytes
 *     are searched), while the masked form is logged;
 *   - the receipt's QR code decodes (zbarimg, when installed) to the
 *     submission's status page at head office.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>

#include "golden.h"
#include "hk_test.h"
#include "paths.h"

static const char *const cases[] = { "1080x1920", "1920x1080", "800x1280" };
static const char *const phones[] = { "13812345678", "13912345678" };

static int updating_goldens;

void setUp(void)
{
}

void tearDown(void)
{
}

/* Run the journey; stderr (the log) into log_path. */
static int run_kiosk(const char *size, const char *dir, const char *log_path)
{
    char data[1100], shots[1024], script[1024], config[1024], bin[1024];
    const char *const env[] = { data, "SDL_VIDEODRIVER=offscreen", "HK_LOG_LEVEL=debug", NULL };
    const char *const argv[] = { bin,        "--headless", "--config",
                                 config,     "--size",     size,
                                 "--script", script,       "--screenshot-dir",
                                 shots,      NULL };

    snprintf(data, sizeof(data), "HK_DATA_DIR=%s/data", dir);
    snprintf(shots, sizeof(shots), "%s/shots", dir);
    snprintf(script, sizeof(script), "%s/tests/ui_submit/scripts/%s.txt", HK_SOURCE_DIR, size);
    snprintf(config, sizeof(config), "%s/tests/ui_submit/fixtures/branch.json", HK_SOURCE_DIR);
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    return golden_run(argv, env, log_path, 0);
}

/* The receipt does not depend on the panel: the portrait case keeps it. */
static int skip_receipt(const char *name, void *ctx)
{
    return !strncmp(name, "receipt-", 8) && strcmp(ctx, "1080x1920") != 0;
}

/* zbarimg's text for a PNG into out ("" when it is not installed). */
static void qr_of(const char *png, char *out, size_t cap)
{
    char cmd[1500];
    FILE *p;
    size_t n;

    out[0] = '\0';
    if(access("/usr/bin/zbarimg", X_OK) != 0)
        return;
    snprintf(cmd, sizeof(cmd), "/usr/bin/zbarimg -q --raw '%s' 2>/dev/null", png);
    p = popen(cmd, "r");
    if(!p)
        return;
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    pclose(p);
}

static void run_case(const char *size)
{
    char shots[1024], golden_dir[1024], fail_dir[1024], log_path[1024], a[1400];
    DIR *d;
    struct dirent *e;
    int failures = 0, compared = 0, receipts = 0, rc;
    size_t i;

    snprintf(log_path, sizeof(log_path), "%s/kiosk.log", hk_test_tmpdir());
    rc = run_kiosk(size, hk_test_tmpdir(), log_path);
    HK_ASSERT_MSG(rc == 0, "hallkiosk exited %d running ui_submit/scripts/%s.txt (log %s)", rc,
                  size, log_path);
    snprintf(shots, sizeof(shots), "%s/shots", hk_test_tmpdir());
    snprintf(golden_dir, sizeof(golden_dir), "%s/tests/ui_submit/golden/%s", HK_SOURCE_DIR, size);
    snprintf(fail_dir, sizeof(fail_dir), "%s/test-tmp/golden-failures/ui_submit/%s", HK_BINARY_DIR,
             size);
    /* privacy: the log has the masked number and never the number */
    HK_ASSERT_MSG(hk_test_file_has_bytes(log_path, "138****5678"), "the masked number is not in %s",
                  log_path);
    for(i = 0; i < sizeof(phones) / sizeof(phones[0]); i++)
        HK_ASSERT_MSG(!hk_test_file_has_bytes(log_path, phones[i]), "%s unmasked in the log",
                      phones[i]);
    d = opendir(shots);
    HK_ASSERT_MSG(d != NULL, "no screenshots in %s", shots);
    while((e = readdir(d)) != NULL) {
        if(!golden_is_png(e->d_name))
            continue;
        snprintf(a, sizeof(a), "%s/%s", shots, e->d_name);
        for(i = 0; i < sizeof(phones) / sizeof(phones[0]); i++)
            HK_ASSERT_MSG(!hk_test_file_has_bytes(a, phones[i]), "%s unmasked in %s", phones[i], a);
        if(!strncmp(e->d_name, "receipt-", 8)) {
            char text[512], want[128];
            receipts++;
            qr_of(a, text, sizeof(text));
            snprintf(want, sizeof(want),
                     "https://q.10086.example/s/sh-xuhui-01/%.11s?s=", e->d_name + 8);
            HK_ASSERT_MSG(!text[0] || strstr(text, want), "%s: QR says \"%s\", want %s...", a, text,
                          want);
        }
    }
    closedir(d);
    /* the shared loop (tests/support/golden.c) */
    failures = golden_check_dir_skip(size, shots, golden_dir, fail_dir, updating_goldens, &compared,
                                     skip_receipt, (void *)size);
    printf("  %s: %d images %s, %d receipt(s)\n", size, compared,
           updating_goldens ? "written" : "compared", receipts);
    HK_ASSERT_MSG(receipts > 0, "no receipt was printed");
    HK_ASSERT_MSG(failures == 0, "%d golden mismatches in %s", failures, size);
}

static void test_submit_portrait_1080x1920_zh_en_large(void)
{
    run_case(cases[0]);
}

static void test_submit_landscape_1920x1080(void)
{
    run_case(cases[1]);
}

static void test_submit_small_portrait_800x1280(void)
{
    run_case(cases[2]);
}

int main(void)
{
    const char *upd = getenv("HK_UPDATE_GOLDENS");

    updating_goldens = upd && !strcmp(upd, "1");
    if(!golden_env_ok()) /* the same font and SDL as the kiosk's own goldens */
        return 77;
    HK_RUN(test_submit_portrait_1080x1920_zh_en_large);
    HK_RUN(test_submit_landscape_1920x1080);
    HK_RUN(test_submit_small_portrait_800x1280);
    return hk_test_end();
}
