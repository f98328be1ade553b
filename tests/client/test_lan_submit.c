/*
 * test_lan_submit: a kiosk that is a LAN client of the hub (not hosting it)
 * takes a report (issue 8.5), end to end with real processes: a hub
 * (tests/client/hub_proc.h) and a headless hallkiosk --hub kiosk driven by a
 * script (SELFHELP).
 *   - the report reaches the hub: its journal holds issue.submitted with the
 *     kiosk's id and path as origin and the phone number, and the kiosk
 *     shows the hub's reference (submit_done);
 *   - the kiosk keeps nothing of it: no phone number in its own files;
 *   - with the hub down, the customer is never told it was received: the
 *     form stays (what they typed kept), the kiosk says the server cannot be
 *     reached, and nothing reaches the hub later by itself.
 */
#include "hub_proc.h"

static hub_proc_t hub;

void setUp(void)
{
}

void tearDown(void)
{
}

/* The form from the home tile at 1080x1920 (tests/ui_submit's coordinates):
 * broadband, the phone, consent, submit; then expect. */
static const char form_script[] = "wait 300\n" /* the LAN client runs on the wall clock */
                                  "tap 540 1200\nwait 500\nexpect-screen home\n"
                                  "tap 540 1400\nwait 500\nexpect-screen submit_form\n"
                                  "tap 538 452\ntap 540 789\ntext 13812345678\nkey enter\n"
                                  "wait 500\ntap 87 1264\nwait 300\ntap 540 1503\nwait 500\n";

static int run_kiosk(const char *expect, const char *tag)
{
    char script[1024], data[1024], err[1024], shots[1024];
    FILE *f;

    snprintf(script, sizeof(script), "%s/%s.txt", hk_test_tmpdir(), tag);
    snprintf(data, sizeof(data), "%s/kioskdata", hk_test_tmpdir());
    snprintf(err, sizeof(err), "%s/%s.err", hk_test_tmpdir(), tag);
    snprintf(shots, sizeof(shots), "%s/shots", hk_test_tmpdir());
    f = fopen(script, "w");
    HK_ASSERT(f != NULL);
    fprintf(f, "%s%s", form_script, expect);
    fclose(f);
    return hub_proc_run_kiosk(&hub, hub.cfg, script, data, err, shots);
}

/* Rows of the hub's journal that sql (one integer column) counts. */
static int hub_count(const char *sql)
{
    char path[1100];

    snprintf(path, sizeof(path), "%s/hallkiosk.db", hub.data);
    return hk_test_db_int(path, sql);
}

/* Does any file under the kiosk's data dir hold needle's bytes? */
static bool kiosk_files_hold(const char *needle)
{
    static const char *const names[] = { "hallkiosk.db", "hallkiosk.db-wal", "a.err", "b.err" };
    char path[1100];
    size_t i;

    for(i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if(names[i][0] == 'a' || names[i][0] == 'b')
            snprintf(path, sizeof(path), "%s/%s", hk_test_tmpdir(), names[i]);
        else
            snprintf(path, sizeof(path), "%s/kioskdata/%s", hk_test_tmpdir(), names[i]);
        if(hk_test_file_has_bytes(path, needle))
            return true;
    }
    return false;
}

static void test_lan_kiosk_report_reaches_the_hub_and_stays_off_the_kiosk(void)
{
    hub_proc_start(&hub);
    HK_ASSERT_INT(0, run_kiosk("expect-screen submit_done\nquit\n", "a"));
    HK_ASSERT(hk_test_file_has(hk_test_path("a.err"), "committed"));
    hub_proc_stop(&hub);
    HK_ASSERT_INT(1, hub_count("SELECT count(*) FROM journal WHERE type = 'issue.submitted' AND "
                               "json_extract(body, '$.origin') = 'kiosk-2:home' AND "
                               "json_extract(body, '$.category') = 'broadband'"));
    HK_ASSERT_INT(1, hub_count("SELECT count(*) FROM submissions WHERE phone = '13812345678'"));
    HK_ASSERT_MSG(!kiosk_files_hold("13812345678"), "the kiosk kept the phone number");
}

static void test_lan_kiosk_with_the_hub_down_never_confirms_and_keeps_the_form(void)
{
    int before;

    /* a hub that ran once (its store and its address), then is down: the
     * kiosk's address for it refuses */
    memset(&hub, 0, sizeof(hub));
    hub_proc_start(&hub);
    hub_proc_stop(&hub);
    before = hub_count("SELECT count(*) FROM journal WHERE type = 'issue.submitted'");
    HK_ASSERT_INT(0, run_kiosk("expect-screen submit_form\nwait 2000\n"
                               "expect-screen submit_form\nscreenshot lan_offline\nquit\n",
                               "b"));
    HK_ASSERT(hk_test_file_has(hk_test_path("b.err"), "submission failed"));
    HK_ASSERT(!hk_test_file_has(hk_test_path("b.err"), "committed"));
    HK_ASSERT_MSG(!kiosk_files_hold("13812345678"), "the kiosk kept the phone number");
    /* started again, the hub has no report the customer was not told about */
    hub_proc_start(&hub);
    hub_proc_sleep_ms(500);
    hub_proc_stop(&hub);
    HK_ASSERT_INT(before, hub_count("SELECT count(*) FROM journal WHERE type = 'issue.submitted'"));
}

int main(void)
{
    HK_RUN(test_lan_kiosk_report_reaches_the_hub_and_stays_off_the_kiosk);
    HK_RUN(test_lan_kiosk_with_the_hub_down_never_confirms_and_keeps_the_form);
    hub_proc_stop(&hub);
    return hk_test_end();
}
