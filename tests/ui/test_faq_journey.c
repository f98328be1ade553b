/*
 * FAQ/triage journeys (issue 8): the real hallkiosk process, headless,
 * driven by a script, checked afterwards through the SQLite file it wrote:
 *   - home -> triage -> a need -> its article, then home -> FAQ -> a
 *     category -> search -> an article -> "did this help?" (the golden
 *     journey tests/ui/scripts/faq-1080x1920.txt): the triage choice and
 *     the feedback are journaled, the feedback once;
 *   - a triage need that routes to a queue issues a number for that service;
 *   - content that does not load: the FAQ says so, nothing crashes;
 *   - a report made from a triage need and one from the home tile say on
 *     which kiosk and from where (submission.origin, SELFHELP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hk_test.h"

void setUp(void)
{
}

void tearDown(void)
{
}

/* Run hallkiosk headless with script file `script` and FAQ dir `faq`;
 * stderr goes to <tmp>/stderr.txt. */
static int run_kiosk(const char *script, const char *faq)
{
    char data[1024], shots[1024], err[1024], bin[1024], config[1024];

    pid_t pid;
    int status;

    snprintf(data, sizeof(data), "%s/data", hk_test_tmpdir());
    snprintf(shots, sizeof(shots), "%s/shots", hk_test_tmpdir());
    snprintf(err, sizeof(err), "%s/stderr.txt", hk_test_tmpdir());
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(config, sizeof(config), "%s/tests/ui/fixtures/branch.json", HK_SOURCE_DIR);
    fflush(stdout);
    pid = fork();
    if(pid == 0) {
        if(!freopen(err, "w", stderr))
            _exit(126);
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        setenv("HK_FAQ_DIR", faq, 1);
        unsetenv("HK_DATA_DIR");
        execl(bin, bin, "--headless", "--config", config, "--data-dir", data, "--script", script,
              "--screenshot-dir", shots, (char *)NULL);
        _exit(127);
    }
    if(pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *fixture_faq(void)
{
    static char path[1024];

    snprintf(path, sizeof(path), "%s/tests/ui/fixtures/faq", HK_SOURCE_DIR);
    return path;
}

static void write_script(const char *text, char *path, size_t size)
{
    FILE *f;

    snprintf(path, size, "%s/script.txt", hk_test_tmpdir());
    f = fopen(path, "wb");
    HK_ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* How many rows SQL (one integer column) counts in the kiosk's database. */
static int db_count(const char *sql)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/data/hallkiosk.db", hk_test_tmpdir());
    return hk_test_db_int(path, sql);
}

static void test_triage_and_faq_journey_journals_the_choice_and_the_feedback_once(void)
{
    char script[1024];

    snprintf(script, sizeof(script), "%s/tests/ui/scripts/faq-1080x1920.txt", HK_SOURCE_DIR);
    HK_ASSERT_INT(0, run_kiosk(script, fixture_faq()));
    HK_ASSERT_INT(1, db_count("SELECT count(*) FROM journal WHERE type = 'triage.chosen' AND "
                              "json_extract(body, '$.need') = 'pay-bill' AND "
                              "json_extract(body, '$.route') = 'faq'"));
    HK_ASSERT_INT(1, db_count("SELECT count(*) FROM journal WHERE type = 'faq.feedback'"));
    HK_ASSERT_INT(1, db_count("SELECT count(*) FROM journal WHERE type = 'faq.feedback' AND "
                              "json_extract(body, '$.article') = 'broadband-cancel' AND "
                              "json_extract(body, '$.helpful') = 1"));
}

static void test_triage_queue_route_issues_a_number_for_its_service(void)
{
    char path[1024];

    /* "get a new number" (row 6, left) routes to the general service (A) */
    write_script("clock 2026-11-25T10:30\ntap 540 1200\nwait 500\n"
                 "tap 540 420\nwait 500\nexpect-screen triage\n"
                 "tap 290 1443\nwait 500\nexpect-screen ticket\nprint-wait\nquit\n",
                 path, sizeof(path));
    HK_ASSERT_INT(0, run_kiosk(path, fixture_faq()));
    HK_ASSERT_INT(1, db_count("SELECT count(*) FROM tickets WHERE service_id = 'general'"));
    HK_ASSERT_INT(1, db_count("SELECT count(*) FROM journal WHERE type = 'triage.chosen' AND "
                              "json_extract(body, '$.route') = 'queue' AND "
                              "json_extract(body, '$.target') = 'general'"));
}

static void test_faq_without_content_says_so_and_nothing_crashes(void)
{
    char path[1024], err[1024];
    FILE *f;
    char log[65536];
    size_t n;

    write_script("clock 2026-11-25T10:30\ntap 540 1200\nwait 500\n"
                 "tap 200 1450\nwait 500\nexpect-screen faq_list\n"
                 "tap 540 340\nwait 300\ntext xhzw\nwait 100\n"
                 "tap 200 1835\nwait 500\ntap 540 420\nwait 500\nexpect-screen triage\n"
                 "tap 290 440\nwait 300\nexpect-screen triage\nquit\n",
                 path, sizeof(path));
    HK_ASSERT_INT(0, run_kiosk(path, "/nonexistent/faq"));
    snprintf(err, sizeof(err), "%s/stderr.txt", hk_test_tmpdir());
    f = fopen(err, "rb");
    HK_ASSERT(f != NULL);
    n = fread(log, 1, sizeof(log) - 1, f);
    fclose(f);
    log[n] = '\0';
    HK_ASSERT_CONTAINS(log, "the FAQ is not available");
}

static void test_submission_origin_names_the_kiosk_and_the_path(void)
{
    char path[1024];

    /* "make a complaint" (row 7, left) routes to the form, complaint preset */
    write_script("clock 2026-11-25T10:30\ntap 540 1200\nwait 500\n"
                 "tap 540 420\nwait 500\nexpect-screen triage\n"
                 "tap 290 1635\nwait 500\nexpect-screen submit_form\n"
                 "tap 540 789\ntext 13812345678\nkey enter\nwait 500\n"
                 "tap 87 1264\nwait 300\ntap 540 1503\nwait 500\nprint-wait\n"
                 "expect-screen submit_done\n"
                 "tap 540 1820\nwait 500\n"                            /* done: home */
                 "tap 540 1400\nwait 500\nexpect-screen submit_form\n" /* the tile */
                 "tap 538 452\ntap 540 789\ntext 13912345678\nkey enter\nwait 500\n"
                 "tap 87 1264\nwait 300\ntap 540 1503\nwait 500\nprint-wait\n"
                 "expect-screen submit_done\nquit\n",
                 path, sizeof(path));
    HK_ASSERT_INT(0, run_kiosk(path, fixture_faq()));
    HK_ASSERT_INT(1, db_count("SELECT count(*) FROM journal WHERE type = 'issue.submitted' AND "
                              "json_extract(body, '$.origin') = 'kiosk-1:triage:complaint' AND "
                              "json_extract(body, '$.category') = 'complaint'"));
    HK_ASSERT_INT(1, db_count("SELECT count(*) FROM journal WHERE type = 'issue.submitted' AND "
                              "json_extract(body, '$.origin') = 'kiosk-1:home'"));
}

int main(void)
{
    HK_RUN(test_triage_and_faq_journey_journals_the_choice_and_the_feedback_once);
    HK_RUN(test_triage_queue_route_issues_a_number_for_its_service);
    HK_RUN(test_faq_without_content_says_so_and_nothing_crashes);
    HK_RUN(test_submission_origin_names_the_kiosk_and_the_path);
    return hk_test_end();
}
