/*
 * test_lan_engineer: a kiosk that is a LAN client of the hub (not hosting
 * it) reports each wrong engineer PIN to the hub (issue 9.5, "every failure
 * reported to the server"), end to end with real processes: a hub
 * (tests/client/hub_proc.h) and a headless hallkiosk --hub kiosk with an
 * engineer PIN, driven by a script through the hidden gesture and two
 * wrong PINs.
 *   - the hub's journal (the one its sync uploads to head office) holds one
 *     engineer.pin_failed per wrong PIN, as the kiosk's (kiosk-2), with no
 *     digit of the PIN typed;
 *   - the kiosk keeps its own record too (its journal, for its diagnostics).
 */
#include <cjson/cJSON.h>

#include "hub_proc.h"

/* PIN 135790 (tests/ui_engineer/fixtures/branch.json) */
#define ENGINEER_PIN_HASH                                                                            \
    "$argon2id$v=19$m=19456,t=2,p=1$sg31o3zU+HZzf1/tcI9Lqg$tHAlfRbqRYWa/8q0CBC5RE/77J36Q1gHBulHFndA" \
    "Qa8"

static hub_proc_t hub;

void setUp(void)
{
}

void tearDown(void)
{
}

/* The hidden gesture at 1080x1920, then 1 2 3 4 and Enter twice (wrong:
 * the PIN is 135790); tests/ui_engineer/scripts/1080x1920.txt's
 * coordinates. The LAN client runs on the wall clock. */
static const char script[] = "wait 300\n"
                             "down 45 45\nwait 3200\nup 45 45\n"
                             "tap 1035 1875\nwait 100\ntap 1035 1875\nwait 100\n"
                             "tap 1035 1875\nwait 500\n"
                             "expect-screen engineer_pin\n"
                             "tap 252 842\nwait 80\ntap 540 842\nwait 80\ntap 828 842\nwait 80\n"
                             "tap 252 1036\nwait 80\ntap 756 1618\nwait 400\n"
                             "tap 252 842\nwait 80\ntap 540 842\nwait 80\ntap 828 842\nwait 80\n"
                             "tap 252 1036\nwait 80\ntap 756 1618\nwait 400\n"
                             "expect-screen engineer_pin\nwait 1000\nquit\n";

/* The hub's config with an engineer PIN: the kiosk's. */
static void write_kiosk_config(const char *path)
{
    cJSON *root = cJSON_Parse(hub_proc_config), *eng;
    char *json;
    FILE *f;

    HK_ASSERT(root != NULL);
    cJSON_ReplaceItemInObject(root, "role", cJSON_CreateString("kiosk"));
    eng = cJSON_AddObjectToObject(root, "engineer");
    HK_ASSERT(eng != NULL);
    cJSON_AddStringToObject(eng, "pin_hash", ENGINEER_PIN_HASH);
    cJSON_AddStringToObject(eng, "usb_dir", "/nonexistent/usb");
    json = cJSON_Print(root);
    HK_ASSERT(json != NULL);
    f = fopen(path, "w");
    HK_ASSERT(f != NULL);
    fputs(json, f);
    fclose(f);
    cJSON_free(json);
    cJSON_Delete(root);
}

static int run_kiosk(void)
{
    char path[1024], data[1024], err[1024], cfg[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/engineer.txt", hk_test_tmpdir());
    snprintf(data, sizeof(data), "%s/kioskdata", hk_test_tmpdir());
    snprintf(err, sizeof(err), "%s/kiosk.err", hk_test_tmpdir());
    snprintf(cfg, sizeof(cfg), "%s/kiosk.json", hk_test_tmpdir());
    write_kiosk_config(cfg);
    f = fopen(path, "w");
    HK_ASSERT(f != NULL);
    fputs(script, f);
    fclose(f);
    return hub_proc_run_kiosk(&hub, cfg, path, data, err, NULL);
}

static void test_lan_kiosk_reports_each_wrong_engineer_pin_to_the_hub(void)
{
    char path[1100];

    hub_proc_start(&hub);
    HK_ASSERT_INT(0, run_kiosk());
    hub_proc_stop(&hub);
    HK_ASSERT(hk_test_file_has(hk_test_path("kiosk.err"), "engineer.pin_failed sent to the hub"));
    snprintf(path, sizeof(path), "%s/hallkiosk.db", hub.data);
    HK_ASSERT_INT(2, hk_test_db_int(path, "SELECT count(*) FROM journal WHERE type = "
                                          "'engineer.pin_failed' AND "
                                          "json_extract(body, '$.device') = 'kiosk-2'"));
    HK_ASSERT_INT(2, hk_test_db_int(path, "SELECT max(json_extract(body, '$.fails')) FROM journal "
                                          "WHERE type = 'engineer.pin_failed'"));
    HK_ASSERT_INT(0, hk_test_db_int(path, "SELECT count(*) FROM journal WHERE body LIKE '%1234%'"));
    /* the kiosk's own record, for its diagnostics */
    snprintf(path, sizeof(path), "%s/kioskdata/hallkiosk.db", hk_test_tmpdir());
    HK_ASSERT_INT(2, hk_test_db_int(path, "SELECT count(*) FROM journal WHERE type = "
                                          "'engineer.pin_failed'"));
}

int main(void)
{
    HK_RUN(test_lan_kiosk_reports_each_wrong_engineer_pin_to_the_hub);
    hub_proc_stop(&hub);
    return hk_test_end();
}
