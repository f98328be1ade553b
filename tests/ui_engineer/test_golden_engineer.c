/*
 * The engineer mode (issue 9.5) end to end on the real hallkiosk binary
 * (headless, SDL offscreen, stepped clock, HK_ENGINEER_FIXED=1 so that
 * version, addresses, disk, sync times and log lines are fixed), per panel
 * with its journey in tests/ui_engineer/scripts/<size>.txt:
 *   - golden screenshots (tolerance 0, tests/support/golden.c): the PIN pad
 *     empty, after a wrong PIN, locked with the time left (and a minute
 *     later), each diagnostics tab (status, network, printer, touch grid,
 *     screen pattern, logs with the export's "no USB stick" message), zh
 *     and en, portrait 1080x1920, landscape 1920x1080 and 800x1280; the
 *     attract screen after Exit (nothing of the engineer mode left).
 *     A missing golden fails; HK_UPDATE_GOLDENS=1 writes them. Skipped (77)
 *     when the font or SDL differ from tests/ui/golden/ENV;
 *   - the lockout across a restart: after the landscape journey locked the
 *     pad (5 wrong PINs), a new hallkiosk process on the same data
 *     directory shows the pad still locked, and the right PIN is not even
 *     checked (restart.txt); the journal holds one engineer.pin_failed per
 *     wrong PIN, the fifth with the lock, none with the PIN's digits; the
 *     PIN typed never appears in the log or a screenshot.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "golden.h"
#include "hk_test.h"
#include "journal.h"
#include "store.h"

static int updating_goldens;

void setUp(void)
{
}

void tearDown(void)
{
}

/* Run a script on a data dir; stderr (the log) appended to log_path. */
static int run_kiosk_cfg(const char *size, const char *script_name, const char *dir,
                         const char *shots_name, const char *log_path, const char *config_path)
{
    char data[1100], shots[1100], script[1100], config[1100], bin[1100];
    const char *const env[] = { data, "SDL_VIDEODRIVER=offscreen", "HK_ENGINEER_FIXED=1",
                                "HK_LOG_LEVEL=debug", NULL };
    const char *const argv[] = { bin,        "--headless", "--config",
                                 config,     "--size",     size,
                                 "--script", script,       "--screenshot-dir",
                                 shots,      NULL };

    snprintf(data, sizeof(data), "HK_DATA_DIR=%s/data", dir);
    snprintf(shots, sizeof(shots), "%s/%s", dir, shots_name);
    snprintf(script, sizeof(script), "%s/tests/ui_engineer/scripts/%s.txt", HK_SOURCE_DIR,
             script_name);
    if(config_path)
        snprintf(config, sizeof(config), "%s", config_path);
    else
        snprintf(config, sizeof(config), "%s/tests/ui_engineer/fixtures/branch.json",
                 HK_SOURCE_DIR);
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    return golden_run(argv, env, log_path, 1);
}

static int run_kiosk(const char *size, const char *script_name, const char *dir,
                     const char *shots_name, const char *log_path)
{
    return run_kiosk_cfg(size, script_name, dir, shots_name, log_path, NULL);
}

/* engineer.pin_failed events in DIR/data/hallkiosk.db; checks none holds a PIN. */
static int count_failures(const char *dir, int *locked)
{
    char db[1024];
    store_t *st = NULL;
    journal_event_t *ev = NULL;
    int n = 0, fails = 0;

    *locked = 0;
    snprintf(db, sizeof(db), "%s/data/hallkiosk.db", dir);
    HK_ASSERT_OK(store_open(db, &st, NULL));
    HK_ASSERT_OK(journal_read_after(st, 0, 1000, &ev, &n));
    for(int i = 0; i < n; i++) {
        if(ev[i].type != JOURNAL_ENGINEER_PIN_FAILED)
            continue;
        fails++;
        HK_ASSERT_MSG(!strstr(ev[i].body, "2468") && !strstr(ev[i].body, "1234") &&
                          !strstr(ev[i].body, "135790"),
                      "a PIN in %s", ev[i].body);
        HK_ASSERT_MSG(strstr(ev[i].body, "\"device\":\"kiosk-1\""), "no device in %s", ev[i].body);
        if(strstr(ev[i].body, "\"fails\":5") && strstr(ev[i].body, "\"lock_s\":300"))
            (*locked)++;
    }
    journal_events_free(ev, n);
    store_close(st);
    return fails;
}

/* A new process on the same data (restart.txt): the pad is locked and the
 * right PIN is not even checked. */
static void restart_still_locked(const char *log_name, const char *shots_name)
{
    char log_path[1024];
    int rc;

    snprintf(log_path, sizeof(log_path), "%s/%s", hk_test_tmpdir(), log_name);
    rc = run_kiosk("1920x1080", "restart", hk_test_tmpdir(), shots_name, log_path);
    HK_ASSERT_MSG(rc == 0, "the restarted hallkiosk exited %d (log %s)", rc, log_path);
    HK_ASSERT_MSG(hk_test_file_has_bytes(log_path, "engineer PIN pad locked for"),
                  "the restarted kiosk's pad is not locked (%s)", log_path);
    HK_ASSERT_MSG(!hk_test_file_has_bytes(log_path, "engineer mode entered"),
                  "the right PIN was accepted while locked (%s)", log_path);
}

static void check(const char *size, const char *shots_name)
{
    char shots[1024], golden_dir[1024], fail_dir[1024];
    int n = 0, failures;

    snprintf(shots, sizeof(shots), "%s/%s", hk_test_tmpdir(), shots_name);
    snprintf(golden_dir, sizeof(golden_dir), "%s/tests/ui_engineer/golden/%s", HK_SOURCE_DIR, size);
    snprintf(fail_dir, sizeof(fail_dir), "%s/test-tmp/golden-failures/ui_engineer/%s",
             HK_BINARY_DIR, size);
    failures = golden_check_dir(size, shots, golden_dir, fail_dir, updating_goldens, &n);
    printf("  %s: %d images %s\n", size, n, updating_goldens ? "written" : "compared");
    HK_ASSERT_MSG(n > 0, "no screenshots for %s", size);
    HK_ASSERT_MSG(failures == 0, "%d golden mismatches in %s", failures, size);
}

static void run_case(const char *size)
{
    char log_path[1024];
    int rc;

    snprintf(log_path, sizeof(log_path), "%s/kiosk.log", hk_test_tmpdir());
    rc = run_kiosk(size, size, hk_test_tmpdir(), "shots", log_path);
    HK_ASSERT_MSG(rc == 0, "hallkiosk exited %d running ui_engineer/scripts/%s.txt (log %s)", rc,
                  size, log_path);
    HK_ASSERT_MSG(!hk_test_file_has_bytes(log_path, "135790"), "the PIN is in the log");
    check(size, "shots");
}

static void test_engineer_portrait_1080x1920_zh_en(void)
{
    run_case("1080x1920");
}

static void test_engineer_small_portrait_800x1280(void)
{
    run_case("800x1280");
}

/* The landscape journey locks the pad; a new process still finds it locked. */
static void test_engineer_landscape_1920x1080_and_lock_across_restart(void)
{
    int fails, locked;

    run_case("1920x1080");
    restart_still_locked("kiosk2.log", "shots2");
    check("1920x1080-restart", "shots2");
    /* the journal: one engineer.pin_failed per wrong PIN (1 + 5), the last locked */
    fails = count_failures(hk_test_tmpdir(), &locked);
    HK_ASSERT_INT(1, locked);
    HK_ASSERT_INT(6, fails);
}

/* A kiosk killed (SIGKILL) right after the fifth wrong PIN: the lock holds
 * in the next process, and the five failures are in the journal. Real time
 * (the stepped clock of --headless would end the script at once), so it
 * runs full screen on a private Xvfb (xvfb-run); skipped without it. */
static void test_engineer_lock_survives_sigkill(void)
{
    char bin[1024], script[1024], config[1024], data[1024], lockf[1100], pidf[1100], cmd[4400];
    char log_path[1024], text[256];
    pid_t runner, kiosk = 0;
    int fails, locked, rc, tries;

    if(access("/usr/bin/xvfb-run", X_OK) != 0) {
        printf("  (skipped: no xvfb-run; the headless restart test still ran)\n");
        return;
    }
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(script, sizeof(script), "%s/tests/ui_engineer/scripts/killed.txt", HK_SOURCE_DIR);
    snprintf(config, sizeof(config), "%s/tests/ui_engineer/fixtures/branch.json", HK_SOURCE_DIR);
    snprintf(data, sizeof(data), "%s/data", hk_test_tmpdir());
    snprintf(lockf, sizeof(lockf), "%s/engineer-lock.json", data);
    snprintf(pidf, sizeof(pidf), "%s/kiosk.pid", hk_test_tmpdir());
    snprintf(log_path, sizeof(log_path), "%s/killed.log", hk_test_tmpdir());
    snprintf(cmd, sizeof(cmd), "echo $$ > '%s'; exec '%s' --config '%s' --fullscreen --script '%s'",
             pidf, bin, config, script);
    runner = fork();
    if(runner == 0) {
        FILE *e = freopen(log_path, "w", stderr);
        (void)e;
        setenv("HK_DATA_DIR", data, 1);
        unsetenv("SDL_VIDEODRIVER");
        execl("/usr/bin/xvfb-run", "xvfb-run", "-a", "-s", "-screen 0 1920x1080x24 -nolisten tcp",
              "/bin/sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    HK_ASSERT(runner > 0);
    /* the fifth wrong PIN locks the pad (the file is written before the screen
     * answers) and is journaled before that log line: kill once both are on disk */
    for(tries = 0; tries < 600; tries++) {
        if(golden_read_file(lockf, text, sizeof(text)) > 0 && strstr(text, "\"locks\":1") &&
           hk_test_file_has_bytes(log_path, "5 in a row, pad locked"))
            break;
        usleep(100 * 1000);
    }
    if(golden_read_file(pidf, text, sizeof(text)) > 0)
        kiosk = (pid_t)atoi(text);
    if(kiosk > 0)
        kill(kiosk, SIGKILL);
    waitpid(runner, &rc, 0);
    HK_ASSERT_MSG(tries < 600, "the pad never locked (log %s)", log_path);
    HK_ASSERT_MSG(kiosk > 0, "no kiosk pid in %s", pidf);
    fails = count_failures(hk_test_tmpdir(), &locked);
    HK_ASSERT_INT(5, fails);
    HK_ASSERT_INT(1, locked);
    /* a new process: still locked, the right PIN not checked */
    restart_still_locked("after-kill.log", "shots-after-kill");
}

/* Export to a "stick" (a directory; HK_ENGINEER_FIXED counts it as
 * mounted), then Restart: exit status 75. */
static void test_engineer_export_and_restart(void)
{
    char text[8192], config[1024], usb[1024], out[1400], log_path[1024];
    char *p;
    int n, rc;
    FILE *f;

    snprintf(config, sizeof(config), "%s/tests/ui_engineer/fixtures/branch.json", HK_SOURCE_DIR);
    n = golden_read_file(config, text, sizeof(text));
    HK_ASSERT(n > 0);
    p = strstr(text, "/nonexistent/usb");
    HK_ASSERT(p != NULL);
    snprintf(usb, sizeof(usb), "%s/usb", hk_test_tmpdir());
    HK_ASSERT(mkdir(usb, 0755) == 0);
    snprintf(config, sizeof(config), "%s/branch.json", hk_test_tmpdir());
    f = fopen(config, "w");
    HK_ASSERT(f != NULL);
    fprintf(f, "%.*s%s%s", (int)(p - text), text, usb, p + strlen("/nonexistent/usb"));
    fclose(f);
    snprintf(log_path, sizeof(log_path), "%s/export.log", hk_test_tmpdir());
    rc = run_kiosk_cfg("1080x1920", "export", hk_test_tmpdir(), "shots", log_path, config);
    HK_ASSERT_MSG(rc == 75, "Restart the app: exit %d, want 75 (log %s)", rc, log_path);
    snprintf(out, sizeof(out), "%s/hallkiosk-logs-kiosk-1-20261126-1030/hallkiosk.log", usb);
    HK_ASSERT_MSG(hk_test_file_has_bytes(out, "engineer mode entered"), "no log in %s", out);
    HK_ASSERT_MSG(!hk_test_file_has_bytes(out, "135790"), "the PIN is in %s", out);
    snprintf(out, sizeof(out), "%s/hallkiosk-logs-kiosk-1-20261126-1030/diagnostics.txt", usb);
    HK_ASSERT_MSG(hk_test_file_has_bytes(out, "Device id") &&
                      hk_test_file_has_bytes(out, "kiosk-1"),
                  "no summary in %s", out);
    snprintf(out, sizeof(out), "%s/shots/not_reached.png", hk_test_tmpdir());
    HK_ASSERT_MSG(access(out, F_OK) != 0, "the script went on after Restart");
    check("1080x1920-export", "shots");
}

int main(void)
{
    const char *upd = getenv("HK_UPDATE_GOLDENS");

    updating_goldens = upd && !strcmp(upd, "1");
    if(!golden_env_ok())
        return 77;
    HK_RUN(test_engineer_portrait_1080x1920_zh_en);
    HK_RUN(test_engineer_landscape_1920x1080_and_lock_across_restart);
    HK_RUN(test_engineer_small_portrait_800x1280);
    HK_RUN(test_engineer_export_and_restart);
    HK_RUN(test_engineer_lock_survives_sigkill);
    return hk_test_end();
}
