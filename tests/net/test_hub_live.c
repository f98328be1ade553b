/*
 * A hub puts a new configuration in force without a restart: a new
 * config_live generation (what the sync does with a document from head
 * office) reaches the branch and the LAN API on the hub's own loop. A
 * renamed service shows in GET /branch; a staff session
 * follows its member of staff when the staff list changes, and ends when
 * that member is removed; a device's changed token is the one accepted.
 * Both a standalone hub (its own config_live) and a hosted one (the
 * kiosk's).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config_live.h"
#include "hk_http.h"
#include "hk_test.h"
#include "hub.h"

#define WAIT_MS 5000

static config_t cfg;
static hk_clock_t *clock_;
static hub_t *hub;
static config_live_t *kiosk_live;

void setUp(void)
{
    hk_diag_t diag;
    char path[1024];

    snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    HK_ASSERT_OK(config_load_file(path, &cfg, &diag));
    HK_ASSERT_OK(hk_clock_system_create(&clock_));
}

void tearDown(void)
{
    hub_destroy(hub);
    hub = NULL;
    config_live_destroy(kiosk_live);
    kiosk_live = NULL;
    hk_clock_destroy(clock_);
}

static void start_hub(config_live_t *live)
{
    hub_opts_t ho;
    hk_diag_t diag;

    memset(&ho, 0, sizeof(ho));
    ho.cfg = &cfg;
    ho.clock = clock_;
    ho.data_dir = hk_test_tmpdir();
    ho.listen = "127.0.0.1:0";
    ho.live = live;
    HK_ASSERT_OK(hub_create(&ho, &hub, &diag));
    HK_ASSERT_OK(hub_start_thread(hub));
    HK_ASSERT(hub_port(hub) > 0);
    HK_ASSERT(hub_live(hub) != NULL);
    if(live)
        HK_ASSERT(hub_live(hub) == live);
}

/* GET path with a bearer token (NULL: none); the status, body into out. */
static int get(const char *path, const char *token, char *out, size_t cap)
{
    hk_http_resp_t r;
    char hdr[160];
    int status;

    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", token ? token : "");
    HK_ASSERT_INT(0, hk_http_request(hub_port(hub), "GET", path, NULL, token ? hdr : NULL, &r));
    status = r.status;
    snprintf(out, cap, "%s", r.body ? r.body : "");
    hk_http_resp_free(&r);
    return status;
}

/* Wait until GET path shows want (the hub looks every HUB_CONFIG_POLL_MS). */
static void wait_for(const char *path, const char *token, const char *want)
{
    static char body[256 * 1024];
    int64_t end = hk_clock_mono_ms(clock_) + WAIT_MS;

    while(hk_clock_mono_ms(clock_) < end) {
        if(get(path, token, body, sizeof(body)) == 200 && strstr(body, want))
            return;
        struct timespec ts = { 0, 50000000L };
        nanosleep(&ts, NULL);
    }
    HK_ASSERT_MSG(0, "%s never showed %s: %s", path, want, body);
}

static void rename_payment(config_t *c, const char *zh, const char *en)
{
    int i = config_service_index(c, "payment");

    HK_ASSERT(i >= 0);
    snprintf(c->services[i].name_zh, sizeof(c->services[i].name_zh), "%s", zh);
    snprintf(c->services[i].name_en, sizeof(c->services[i].name_en), "%s", en);
}

static void test_standalone_hub_applies_a_new_generation(void)
{
    static char body[256 * 1024];
    config_t next;

    start_hub(NULL); /* a standalone hub: its own config_live */
    HK_ASSERT_INT(200, get("/api/v1/branch", NULL, body, sizeof(body)));
    HK_ASSERT_CONTAINS(body, "缴费充值");
    HK_ASSERT_INT(200, get("/api/v1/snapshot", "demo-token-display-1", body, sizeof(body)));

    next = cfg;
    rename_payment(&next, "充值缴费", "Top-up and bills");
    HK_ASSERT_OK(config_live_replace(hub_live(hub), &next));
    wait_for("/api/v1/branch", NULL, "充值缴费");
    HK_ASSERT_INT(200, get("/api/v1/branch", NULL, body, sizeof(body)));
    HK_ASSERT_CONTAINS(body, "Top-up and bills");
    HK_ASSERT(strstr(body, "缴费充值") == NULL);
}

static void test_hosted_hub_follows_the_kiosks_config(void)
{
    static char body[64 * 1024];
    hk_http_resp_t r;
    char session[128] = "";
    config_t next;
    cJSON *root;
    int i;

    HK_ASSERT_OK(config_live_create(&cfg, &kiosk_live));
    start_hub(kiosk_live);

    /* staff s6 logs in (the demo PIN) */
    HK_ASSERT_INT(0, hk_http_request(hub_port(hub), "POST", "/api/v1/sessions",
                                     "{\"staff_id\":\"s6\",\"pin\":\"246810\"}", NULL, &r));
    HK_ASSERT_INT(201, r.status);
    root = cJSON_Parse(r.body);
    HK_ASSERT(root != NULL);
    snprintf(session, sizeof(session), "%s",
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "session")));
    cJSON_Delete(root);
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, get("/api/v1/sessions/current", session, body, sizeof(body)));
    HK_ASSERT_CONTAINS(body, "\"id\":\"s6\"");

    /* the next document: s1 gone (every index moves), kiosk-1's token changed */
    next = cfg;
    memmove(&next.staff[0], &next.staff[1], (size_t)(next.n_staff - 1) * sizeof(next.staff[0]));
    next.n_staff--;
    i = config_device_index(&next, "kiosk-1");
    HK_ASSERT(i >= 0);
    snprintf(next.devices[i].token, sizeof(next.devices[i].token), "%s", "kiosk-1-new-token-xyz");
    rename_payment(&next, "充值缴费", "Top-up and bills");
    HK_ASSERT_OK(config_live_replace(kiosk_live, &next));
    wait_for("/api/v1/branch", NULL, "Top-up and bills");

    /* the session still names s6, at its new index */
    HK_ASSERT_INT(200, get("/api/v1/sessions/current", session, body, sizeof(body)));
    HK_ASSERT_CONTAINS(body, "\"id\":\"s6\"");
    HK_ASSERT_CONTAINS(body, "赵磊");
    /* the new token is accepted, the old one no longer */
    HK_ASSERT_INT(200, get("/api/v1/snapshot", "kiosk-1-new-token-xyz", body, sizeof(body)));
    HK_ASSERT_CONTAINS(body, "\"payment\"");
    HK_ASSERT_INT(401, get("/api/v1/snapshot", "demo-token-kiosk-1", body, sizeof(body)));

    /* s6 removed: the session ends */
    next.n_staff--; /* s6 was last */
    HK_ASSERT_OK(config_live_replace(kiosk_live, &next));
    {
        int64_t end = hk_clock_mono_ms(clock_) + WAIT_MS;
        int status = 200;
        while(status == 200 && hk_clock_mono_ms(clock_) < end) {
            status = get("/api/v1/sessions/current", session, body, sizeof(body));
            struct timespec ts = { 0, 50000000L };
            nanosleep(&ts, NULL);
        }
        HK_ASSERT_INT(401, status);
    }
}

int main(void)
{
    HK_RUN(test_standalone_hub_applies_a_new_generation);
    HK_RUN(test_hosted_hub_follows_the_kiosks_config);
    return hk_test_end();
}
