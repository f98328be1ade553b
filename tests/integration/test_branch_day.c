/*
 * A branch day of separate processes on 127.0.0.1: a hub (its own data
 * dir, any free port), two kiosks (kiosk-2 with block 900..949, kiosk-3
 * with 950..999; headless, each driven by a tap script, each with its own
 * data dir and printer file), a hall display (headless, no voice, a
 * script that takes screenshots), tickets over the API too, and two staff
 * (s1 at c1, s2 at c2) working their counters over the API: call-next,
 * recall, no-show with and without put-back, transfer, call by id, start,
 * finish; a rating at the counter and one at the kiosk by number.
 *
 * Then the hub stops answering (SIGSTOP: a hung hub, so kiosk-2's requests
 * time out rather than being refused) while kiosk-2 takes two numbers: they
 * come from its block (A900, A901). The hub continues (SIGCONT), a ticket
 * is issued at once, and kiosk-2, still running, hands its block tickets
 * over: /visits lists them in issue-time order and the counter calls them
 * in that order among the hub's own.
 *
 * At the end, /visits: every ticket accounted for (none waiting), states
 * as driven, the staff who called each, the two ratings, no number twice;
 * the kiosks printed what they issued; hallctl exports the same day; every
 * process stops cleanly (exit 0: a leak would be exit 3).
 */
#include <dirent.h>

#include "escpos_decode.h"
#include "hk_mem.h"
#include "integ.h"

#define KIOSK1_TOKEN "demo-token-kiosk-1" /* the API's own issuing device */
/* The kiosk scripts wait a fixed time per step (the script language has no
 * "wait for a screen"): twice as long when everything runs under ASan. */
#if defined(__SANITIZE_ADDRESS__)
#define STEP_SCALE 2
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STEP_SCALE 2
#endif
#endif
#ifndef STEP_SCALE
#define STEP_SCALE 1
#endif
#define STEP_ONLINE_MS  (1500 * STEP_SCALE)
#define STEP_OFFLINE_MS (4000 * STEP_SCALE) /* > BRANCH_LAN_OFFLINE_AFTER_MS (1500) + a frame */
#define MAX_T           32

static integ_hub_t hub;
static char s1[64], s2[64]; /* staff sessions */

static const char config_json[] =
    "{\"role\":\"kiosk\",\"branch\":{\"id\":\"sh-xuhui-01\",\"name_zh\":\"中国移动 "
    "上海徐汇营业厅\",\"name_en\":\"China Mobile Shanghai Xuhui Branch\"},"
    "\"language\":\"zh-CN\",\"utc_offset_min\":480,"
    "\"services\":["
    "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务办理\",\"name_en\":\"General "
    "business\",\"desc_zh\":\"开户、过户、套餐变更、补换卡等\",\"desc_en\":\"New lines, transfers\","
    "\"priority\":2,\"avg_service_s\":360},"
    "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费充值\",\"name_en\":\"Payments & "
    "top-up\",\"desc_zh\":\"话费缴纳、充值、发票打印\",\"desc_en\":\"Pay bills, top up\","
    "\"priority\":1,\"avg_service_s\":120}],"
    "\"counters\":["
    "{\"id\":\"c1\",\"number\":1,\"name_zh\":\"1号窗口\",\"name_en\":\"Counter 1\","
    "\"services\":[\"general\",\"payment\"]},"
    "{\"id\":\"c2\",\"number\":2,\"name_zh\":\"2号窗口\",\"name_en\":\"Counter 2\","
    "\"services\":[\"general\",\"payment\"]}],"
    "\"printer\":{\"kind\":\"file\",\"target\":\"ticket.escpos\",\"width_dots\":576},"
    "\"display\":{\"orientation\":\"portrait\",\"width\":600,\"height\":960,\"large_text\":false},"
    "\"hub\":{\"url\":\"http://127.0.0.1:9\",\"hosted\":false},"
    "\"staff\":["
    "{\"id\":\"s1\",\"name_zh\":\"王丽\",\"name_en\":\"Wang Li\",\"pin_hash\":\"" INTEG_PIN_HASH
    "\"},"
    "{\"id\":\"s2\",\"name_zh\":\"李强\",\"name_en\":\"Li Qiang\",\"pin_hash\":\"" INTEG_PIN_HASH
    "\"}],"
    "\"devices\":["
    "{\"id\":\"kiosk-1\",\"token\":\"demo-token-kiosk-1\"},"
    "{\"id\":\"kiosk-2\",\"token\":\"demo-token-kiosk-2\",\"block_from\":900,\"block_to\":949},"
    "{\"id\":\"kiosk-3\",\"token\":\"demo-token-kiosk-3\",\"block_from\":950,\"block_to\":999},"
    "{\"id\":\"counter-1\",\"token\":\"demo-token-counter-1\"},"
    "{\"id\":\"counter-2\",\"token\":\"demo-token-counter-2\"},"
    "{\"id\":\"display-1\",\"token\":\"demo-token-display-1\"},"
    "{\"id\":\"engineer\",\"token\":\"" INTEG_ENGINEER "\"}]}";

/* What the test drove each ticket to: checked against /visits at the end. */
typedef struct expect {
    long long id;
    char number[8];
    const char *state;
    const char *counter; /* "" = none */
    const char *staff;
    int recalls;
    const char *rating_level; /* NULL = no rating */
    const char *rating_source;
    const char *device; /* "" = numbered by the hub */
} expect_t;

static expect_t ex[MAX_T];
static int n_ex;

/* Every call and recall the staff made, in order: what the board presents. */
static char calls[MAX_T * 2][8];
static int n_calls;

static void called(const char *number)
{
    HK_ASSERT(n_calls < MAX_T * 2);
    snprintf(calls[n_calls++], sizeof(calls[0]), "%s", number);
}

void setUp(void)
{
    memset(&hub, 0, sizeof(hub));
    hub.proc = -1;
    memset(ex, 0, sizeof(ex));
    n_ex = 0;
    n_calls = 0;
}

void tearDown(void)
{
    integ_kill_all();
}

static expect_t *expect_for(long long id)
{
    int i;

    for(i = 0; i < n_ex; i++)
        if(ex[i].id == id)
            return &ex[i];
    HK_ASSERT(n_ex < MAX_T);
    ex[n_ex].id = id;
    ex[n_ex].counter = "";
    ex[n_ex].staff = "";
    ex[n_ex].device = "";
    return &ex[n_ex++];
}

/* ---- processes ------------------------------------------------------------------ */

static const char *bin(void)
{
    static char b[600];

    snprintf(b, sizeof(b), "%s/hallkiosk", HK_BINARY_DIR);
    return b;
}

/* A headless screen role (kiosk, display) using the hub at url as device,
 * driven by script; its log, script, screenshots and data dir are named
 * after name / device in the test's temp dir. */
static int role_start(const char *role, const char *name, const char *device, const char *url,
                      const char *size, const char *script)
{
    char log[600], spath[600], shots[600], data[600];
    const char *argv[24];
    int n = 0;

    snprintf(log, sizeof(log), "%s/%s.log", hk_test_tmpdir(), name);
    snprintf(spath, sizeof(spath), "%s/%s.txt", hk_test_tmpdir(), name);
    snprintf(shots, sizeof(shots), "%s/shots-%s", hk_test_tmpdir(), name);
    snprintf(data, sizeof(data), "%s/%s", hk_test_tmpdir(), device);
    integ_write_file(spath, script);
    argv[n++] = bin();
    argv[n++] = "--role";
    argv[n++] = role;
    argv[n++] = "--config";
    argv[n++] = hub.cfg;
    argv[n++] = "--hub";
    argv[n++] = url;
    argv[n++] = "--device";
    argv[n++] = device;
    argv[n++] = "--headless";
    argv[n++] = "--size";
    argv[n++] = size;
    argv[n++] = "--data-dir";
    argv[n++] = data;
    argv[n++] = "--script";
    argv[n++] = spath;
    argv[n++] = "--screenshot-dir";
    argv[n++] = shots;
    if(!strcmp(role, "display"))
        argv[n++] = "--no-voice";
    argv[n] = NULL;
    return integ_spawn(name, log, argv);
}

static int kiosk_start(const char *name, const char *device, const char *url, const char *script)
{
    return role_start("kiosk", name, device, url, "600x960", script);
}

/*
 * One take-a-number journey at 600x960 from the home screen (or the
 * attract screen: the first tap wakes it), service row 0 (general, A) or
 * 1 (payments, B); step_ms between taps: the kiosk has no "wait for screen"
 * command, so the waits are generous and every step checks its screen.
 */
static void journey(char *dst, size_t cap, int first, int service_row, int step_ms,
                    const char *shot)
{
    size_t n = strlen(dst);

    if(first)
        n += (size_t)snprintf(dst + n, cap - n,
                              "wait %d\ntap 300 480\nwait %d\nexpect-screen home\n", step_ms,
                              step_ms);
    n += (size_t)snprintf(dst + n, cap - n,
                          "tap 300 340\nwait %d\nexpect-screen services\n"
                          "tap 300 %d\nwait %d\nprint-wait\nexpect-screen ticket\n"
                          "screenshot %s\ntap 300 880\nwait %d\nexpect-screen home\n",
                          step_ms, service_row ? 417 : 255, step_ms, shot, step_ms);
    HK_ASSERT(n < cap);
}

/* Printed tickets in a kiosk's printer file (ESC @ per ticket). */
static int printed(const char *device)
{
    char path[600];
    size_t len = 0;
    char *buf;
    escpos_image_t img;
    hk_diag_t diag;
    int n;

    snprintf(path, sizeof(path), "%s/%s/ticket.escpos", hk_test_tmpdir(), device);
    buf = integ_slurp(path, &len);
    HK_ASSERT_MSG(buf, "%s: no printer output", path);
    memset(&img, 0, sizeof(img));
    hk_diag_clear(&diag);
    HK_ASSERT_MSG(escpos_decode((const uint8_t *)buf, len, &img, &diag) == HK_OK, "%s: %s", path,
                  diag.msg);
    n = img.tickets;
    escpos_image_fini(&img);
    free(buf);
    return n;
}

/* The numbers a kiosk run showed on its ticket screen (the ticket images it
 * wrote, ticket-A003.png): each is a visit of the day; how many. */
static int shown_tickets(const char *name, const char *device)
{
    char dir[600];
    DIR *d;
    struct dirent *e;
    int n = 0, i;

    snprintf(dir, sizeof(dir), "%s/shots-%s", hk_test_tmpdir(), name);
    d = opendir(dir);
    HK_ASSERT_MSG(d, "no %s", dir);
    while((e = readdir(d)) != NULL) {
        char number[8] = "";
        const expect_t *x = NULL;
        if(strncmp(e->d_name, "ticket-", 7) != 0)
            continue;
        snprintf(number, sizeof(number), "%.4s", e->d_name + 7);
        for(i = 0; i < n_ex; i++)
            if(!strcmp(ex[i].number, number))
                x = &ex[i];
        HK_ASSERT_MSG(x, "%s showed %s, which /visits does not have", name, number);
        HK_ASSERT_STR(device, x->device);
        n++;
    }
    closedir(d);
    return n;
}

/* ---- API ---------------------------------------------------------------------------- */

/* Issue over the API as kiosk-1: the ticket's id, its number into num. */
static long long api_issue(const char *service, char *num)
{
    char body[64];
    hk_http_resp_t r;
    cJSON *root, *t;
    long long id;

    snprintf(body, sizeof(body), "{\"service\":\"%s\"}", service);
    HK_ASSERT_INT(201, integ_req(hub.port, "POST", "/api/v1/tickets", body, KIOSK1_TOKEN, &r));
    root = integ_json(r.body);
    t = cJSON_GetObjectItemCaseSensitive(root, "ticket");
    id = integ_jnum(t, "id");
    snprintf(num, 8, "%s", integ_jstr(t, "number"));
    cJSON_Delete(root);
    hk_http_resp_free(&r);
    return id;
}

/* A staff action that must succeed: the ticket in the answer (id, number, state). */
static long long act(const char *session, const char *path, const char *body, char *num,
                     char *state)
{
    hk_http_resp_t r;
    cJSON *root, *t;
    long long id;

    HK_ASSERT_MSG(integ_req(hub.port, "POST", path, body, session, &r) == 200, "POST %s: %d %s",
                  path, r.status, r.body);
    root = integ_json(r.body);
    t = cJSON_GetObjectItemCaseSensitive(root, "ticket");
    id = integ_jnum(t, "id");
    if(num)
        snprintf(num, 8, "%s", integ_jstr(t, "number"));
    if(state)
        snprintf(state, 16, "%s", integ_jstr(t, "state"));
    cJSON_Delete(root);
    hk_http_resp_free(&r);
    return id;
}

static long long call_next(const char *session, const char *counter, char *num)
{
    char path[64], state[16];
    long long id;

    snprintf(path, sizeof(path), "/api/v1/counters/%s/call-next", counter);
    id = act(session, path, NULL, num, state);
    HK_ASSERT_STR("called", state);
    called(num);
    return id;
}

static void ticket_op(const char *session, long long id, const char *op, const char *body,
                      const char *want_state)
{
    char path[96], state[16];

    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s", id, op);
    (void)act(session, path, body, NULL, state);
    HK_ASSERT_STR(want_state, state);
}

static expect_t *find_ex(long long id)
{
    int i;

    for(i = 0; i < n_ex; i++)
        if(ex[i].id == id)
            return &ex[i];
    return NULL;
}

/* Serve what waits at counter (staff) until nobody waits: the ids in order.
 * A ticket the test did not issue (*phantoms counts them; NULL: none
 * allowed) is one nobody holds: nobody comes, a no-show. */
static int drain(const char *session, const char *counter, const char *staff, long long *ids,
                 int cap, int *phantoms)
{
    char path[64], num[8];
    hk_http_resp_t r;
    cJSON *root;
    const cJSON *t;
    int n = 0;

    snprintf(path, sizeof(path), "/api/v1/counters/%s/call-next", counter);
    for(;;) {
        long long id;
        expect_t *e;
        int st = integ_req(hub.port, "POST", path, NULL, session, &r);
        if(st == 409 && strstr(r.body, "nobody_waiting")) {
            hk_http_resp_free(&r);
            return n;
        }
        HK_ASSERT_MSG(st == 200, "%s: %d %s", path, st, r.body);
        root = integ_json(r.body);
        t = cJSON_GetObjectItemCaseSensitive(root, "ticket");
        id = integ_jnum(t, "id");
        snprintf(num, sizeof(num), "%s", integ_jstr(t, "number"));
        cJSON_Delete(root);
        hk_http_resp_free(&r);
        called(num);
        HK_ASSERT(n < cap);
        HK_ASSERT(id > 0);
        ids[n++] = id;
        if(!find_ex(id)) {
            HK_ASSERT_MSG(phantoms, "%s called at %s: not a ticket of this test", num, counter);
            HK_ASSERT_MSG(atoi(num + 1) < 900, "%s: a block number the test did not see", num);
            (*phantoms)++;
            ticket_op(session, id, "no-show", "{\"put_back\":false}", "no_show");
            e = expect_for(id);
            e->state = "no_show";
            printf("# %s: issued by the hung hub for a request kiosk-2 gave up on\n", num);
        } else {
            ticket_op(session, id, "finish", NULL, "done");
            e = expect_for(id);
            e->state = "done";
        }
        snprintf(e->number, sizeof(e->number), "%s", num);
        e->counter = counter;
        e->staff = staff;
    }
}

static cJSON *visits_now(void)
{
    hk_http_resp_t r;
    cJSON *root;

    HK_ASSERT_INT(200, integ_req(hub.port, "GET", "/api/v1/visits", NULL, INTEG_ENGINEER, &r));
    root = integ_json(r.body);
    hk_http_resp_free(&r);
    return root;
}

/* The visit with this number ("" fields when absent). */
static const cJSON *visit_by_number(const cJSON *root, const char *number)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "visits"))
    {
        if(!strcmp(integ_jstr(cJSON_GetObjectItemCaseSensitive(v, "ticket"), "number"), number))
            return v;
    }
    return NULL;
}

/* ---- the day ------------------------------------------------------------------------------ */

static void test_a_branch_day_of_real_processes(void)
{
    static char script_k2a[4096], script_k3[4096], script_k2b[4096];
    char num[8], path[128], body[160], t1n[8], t2n[8], xn[8], yn[8], want[64];
    long long t1, t2, t3, t4, t4b, x, y, ids[MAX_T];
    int display, k2, k3, ctl, n, i, j, phantoms = 0, morning_calls = 0;
    int64_t t0 = integ_now_ms();
    hk_http_resp_t r;
    cJSON *root, *v;
    char shot[600];

    snprintf(hub.cfg, sizeof(hub.cfg), "%s/branch.json", hk_test_tmpdir());
    snprintf(hub.data, sizeof(hub.data), "%s/hubdata", hk_test_tmpdir());
    integ_write_file(hub.cfg, config_json);
    integ_hub_start(&hub);

    /* the hall display, from the start of the day: the calls come within
     * ~10-30 s; it keeps running until stopped */
    display = role_start("display", "display", "display-1", hub.url, "960x540",
                         "wait 12000\nscreenshot board-1\nwait 12000\nscreenshot board-2\n"
                         "wait 600000\nquit\n");
    integ_wait_log(display, "first frame presented", 30000);

    /* staff log in and open their counters */
    HK_ASSERT_INT(201, integ_login(hub.port, "s1", s1, sizeof(s1), 15000));
    HK_ASSERT_INT(201, integ_login(hub.port, "s2", s2, sizeof(s2), 15000));
    HK_ASSERT_INT(43, (long long)strlen(s1));
    HK_ASSERT_INT(200, integ_req(hub.port, "POST", "/api/v1/counters/c1/open", NULL, s1, &r));
    HK_ASSERT_CONTAINS(r.body, "\"staff\":\"s1\"");
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, integ_req(hub.port, "POST", "/api/v1/counters/c2/open", NULL, s2, &r));
    HK_ASSERT_CONTAINS(r.body, "\"staff\":\"s2\"");
    hk_http_resp_free(&r);

    /* morning: both kiosks take numbers while the API issues too */
    script_k2a[0] = script_k3[0] = script_k2b[0] = '\0';
    journey(script_k2a, sizeof(script_k2a), 1, 0, STEP_ONLINE_MS, "k2-online-A");
    strcat(script_k2a, "quit\n");
    journey(script_k3, sizeof(script_k3), 1, 0, STEP_ONLINE_MS, "k3-A");
    journey(script_k3, sizeof(script_k3), 0, 1, STEP_ONLINE_MS, "k3-B");
    strcat(script_k3, "quit\n");
    k2 = kiosk_start("kiosk-2-morning", "kiosk-2", hub.url, script_k2a);
    k3 = kiosk_start("kiosk-3", "kiosk-3", hub.url, script_k3);
    for(i = 0; i < 3; i++) {
        long long id = api_issue(i == 2 ? "payment" : "general", num);
        snprintf(expect_for(id)->number, 8, "%s", num);
    }
    HK_ASSERT_MSG(integ_wait_exit(k2, 60000), "kiosk-2's script did not end");
    HK_ASSERT_MSG(integ_exit_code(k2) == 0, "kiosk-2 exit %d; see %s", integ_procs[k2].status,
                  integ_procs[k2].log);
    HK_ASSERT_MSG(integ_wait_exit(k3, 60000), "kiosk-3's script did not end");
    HK_ASSERT_MSG(integ_exit_code(k3) == 0, "kiosk-3 exit %d; see %s", integ_procs[k3].status,
                  integ_procs[k3].log);
    root = visits_now();
    n = 0;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "visits"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "ticket");
        expect_t *e = expect_for(integ_jnum(t, "id"));
        snprintf(e->number, 8, "%s", integ_jstr(t, "number"));
        HK_ASSERT_STR("waiting", integ_jstr(t, "state"));
        HK_ASSERT_STR("", integ_jstr(t, "device")); /* the hub numbered them all */
        n++;
    }
    cJSON_Delete(root);
    HK_ASSERT_INT(6, n); /* 3 over the API, 1 at kiosk-2, 2 at kiosk-3 */
    HK_ASSERT_INT(6, n_ex);

    /* c1 (s1): call, recall, start, finish, rated at the counter */
    t1 = call_next(s1, "c1", t1n);
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/recall", t1);
    HK_ASSERT_INT(200, integ_req(hub.port, "POST", path, NULL, s1, &r));
    HK_ASSERT_INT(1,
                  integ_jnum(cJSON_GetObjectItemCaseSensitive(root = integ_json(r.body), "ticket"),
                             "recalls"));
    cJSON_Delete(root);
    hk_http_resp_free(&r);
    called(t1n);
    ticket_op(s1, t1, "start", NULL, "serving");
    ticket_op(s1, t1, "finish", NULL, "done");
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/rating", t1);
    HK_ASSERT_INT(200,
                  integ_req(hub.port, "POST", path,
                            "{\"level\":\"satisfied\",\"reasons\":[],\"praise\":[\"attitude\"]}",
                            s1, &r));
    HK_ASSERT_CONTAINS(r.body, "\"source\":\"counter\"");
    hk_http_resp_free(&r);
    {
        expect_t *e = expect_for(t1);
        snprintf(e->number, 8, "%s", t1n);
        e->state = "done", e->counter = "c1", e->staff = "s1", e->recalls = 1;
        e->rating_level = "satisfied", e->rating_source = "counter";
    }
    /* one visit at a time: c1 is free again, c2 calls */
    /* c2 (s2): a no-show put back keeps its place: called again first */
    t2 = call_next(s2, "c2", t2n);
    ticket_op(s2, t2, "no-show", "{\"put_back\":true}", "waiting");
    HK_ASSERT_INT(t2, call_next(s2, "c2", num));
    ticket_op(s2, t2, "start", NULL, "serving");
    ticket_op(s2, t2, "finish", NULL, "done");
    /* rated at a kiosk by the number on the paper */
    snprintf(path, sizeof(path), "/api/v1/ratings/lookup?number=%s", t2n);
    HK_ASSERT_INT(200, integ_req(hub.port, "GET", path, NULL, "demo-token-kiosk-3", &r));
    HK_ASSERT_CONTAINS(r.body, "\"status\":\"may_rate\"");
    hk_http_resp_free(&r);
    snprintf(body, sizeof(body), "{\"number\":\"%s\",\"level\":\"very_satisfied\"}", t2n);
    HK_ASSERT_INT(200,
                  integ_req(hub.port, "POST", "/api/v1/ratings", body, "demo-token-kiosk-3", &r));
    HK_ASSERT_CONTAINS(r.body, "\"source\":\"kiosk\"");
    hk_http_resp_free(&r);
    {
        expect_t *e = expect_for(t2);
        snprintf(e->number, 8, "%s", t2n);
        e->state = "done", e->counter = "c2", e->staff = "s2";
        e->rating_level = "very_satisfied", e->rating_source = "kiosk";
    }
    /* c1: a no-show for good */
    t3 = call_next(s1, "c1", num);
    ticket_op(s1, t3, "no-show", "{\"put_back\":false}", "no_show");
    {
        expect_t *e = expect_for(t3);
        snprintf(e->number, 8, "%s", num);
        e->state = "no_show", e->counter = "c1", e->staff = "s1";
    }
    /* c2 calls one and sends it to payments; c1 calls that one by id */
    t4 = call_next(s2, "c2", num);
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/transfer", t4);
    t4b = act(s2, path, "{\"service\":\"payment\"}", NULL, NULL);
    HK_ASSERT(t4b > 0 && t4b != t4);
    snprintf(body, sizeof(body), "{\"ticket_id\":%lld}", t4b);
    HK_ASSERT_INT(t4b, act(s1, "/api/v1/counters/c1/call", body, NULL, NULL));
    called(num);
    ticket_op(s1, t4b, "start", NULL, "serving");
    ticket_op(s1, t4b, "finish", NULL, "done");
    {
        expect_t *e = expect_for(t4b); /* the number's latest leg */
        snprintf(e->number, 8, "%s", num);
        e->state = "done", e->counter = "c1", e->staff = "s1";
        for(i = 0; i < n_ex; i++)
            if(ex[i].id == t4)
                ex[i] = ex[--n_ex]; /* the first leg is not a visit of its own */
    }
    /* the rest of the morning at c2 */
    n = drain(s2, "c2", "s2", ids, MAX_T, NULL);
    HK_ASSERT_INT(2, n);
    morning_calls = n_calls;
    printf("# morning: %lld ms\n", (long long)(integ_now_ms() - t0));

    /* afternoon: the hub hangs while kiosk-2 takes two numbers */
    x = api_issue("general", xn);
    snprintf(expect_for(x)->number, 8, "%s", xn);
    journey(script_k2b, sizeof(script_k2b), 1, 0, STEP_OFFLINE_MS, "k2-offline-1");
    journey(script_k2b, sizeof(script_k2b), 0, 0, STEP_OFFLINE_MS, "k2-offline-2");
    strcat(script_k2b, "wait 600000\nquit\n"); /* stays up: the merge happens while it runs */
    HK_ASSERT_OK(kill(integ_procs[hub.proc].pid, SIGSTOP));
    k2 = kiosk_start("kiosk-2-afternoon", "kiosk-2", hub.url, script_k2b);
    integ_wait_log_n(k2, "from the block while the hub is unreachable", 2, 60000);
    HK_ASSERT_INT(1, integ_file_count(integ_procs[k2].log, "issued A900 ("));
    HK_ASSERT_INT(1, integ_file_count(integ_procs[k2].log, "issued A901 ("));
    HK_ASSERT_OK(kill(integ_procs[hub.proc].pid, SIGCONT));
    y = api_issue("general", yn); /* at once: likely before kiosk-2's import */
    snprintf(expect_for(y)->number, 8, "%s", yn);
    integ_wait_log_n(k2, "handed to the hub", 2, 30000);
    snprintf(shot, sizeof(shot), "%s/shots-kiosk-2-afternoon/k2-offline-2.png", hk_test_tmpdir());
    for(i = 0; i < 3000 && !integ_file_exists(shot) && !integ_exited(k2); i++)
        integ_sleep_ms(10); /* its script checked the ticket screen for A901 */
    HK_ASSERT_MSG(integ_file_exists(shot), "no %s", shot);
    HK_ASSERT_INT(0, integ_file_count(integ_procs[k2].log, "refused block ticket"));
    HK_ASSERT_INT(0, integ_stop(k2, 15000));

    /* /visits: the block tickets, from kiosk-2, between x and y by issue time */
    root = visits_now();
    {
        const cJSON *a900 = visit_by_number(root, "A900"), *a901 = visit_by_number(root, "A901");
        const cJSON *vx = visit_by_number(root, xn), *vy = visit_by_number(root, yn);
        long long prev = 0;
        HK_ASSERT(a900 && a901 && vx && vy);
#define TK(v) cJSON_GetObjectItemCaseSensitive(v, "ticket")
        HK_ASSERT_STR("kiosk-2", integ_jstr(TK(a900), "device"));
        HK_ASSERT_STR("kiosk-2", integ_jstr(TK(a901), "device"));
        HK_ASSERT_STR("waiting", integ_jstr(TK(a900), "state"));
        HK_ASSERT(integ_jnum(TK(vx), "issued_ms") <= integ_jnum(TK(a900), "issued_ms"));
        HK_ASSERT(integ_jnum(TK(a900), "issued_ms") <= integ_jnum(TK(a901), "issued_ms"));
        HK_ASSERT(integ_jnum(TK(a901), "issued_ms") <= integ_jnum(TK(vy), "issued_ms"));
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "visits"))
        {
            long long ms = integ_jnum(TK(v), "issued_ms");
            HK_ASSERT_MSG(ms >= prev, "/visits out of issue-time order at %s",
                          integ_jstr(TK(v), "number"));
            prev = ms;
        }
        for(i = 0; i < 2; i++) {
            const cJSON *t = TK(i ? a901 : a900);
            expect_t *e = expect_for(integ_jnum(t, "id"));
            snprintf(e->number, 8, "%s", integ_jstr(t, "number"));
            e->device = "kiosk-2";
        }
#undef TK
    }
    cJSON_Delete(root);
    /* c1 calls them in issue-time order: x, A900, A901, y. kiosk-2's first
     * take-number reached the hung hub and timed out; the hub issues it
     * when it continues (branch_lan.h: "an unclaimed hub ticket"), at
     * most one per take-number kiosk-2 sent: a no-show nobody comes for. */
    n = drain(s1, "c1", "s1", ids, MAX_T, &phantoms);
    HK_ASSERT_MSG(phantoms <= 2, "%d unclaimed tickets for kiosk-2's 2 requests", phantoms);
    HK_ASSERT_INT(4 + phantoms, n);
    for(i = 0, j = 0; i < n; i++) {
        const expect_t *e = find_ex(ids[i]);
        if(!strcmp(e->state, "no_show"))
            continue; /* an unclaimed one */
        if(j == 0)
            HK_ASSERT_INT(x, ids[i]);
        else if(j == 1)
            HK_ASSERT_STR("A900", e->number);
        else if(j == 2)
            HK_ASSERT_STR("A901", e->number);
        else
            HK_ASSERT_INT(y, ids[i]);
        j++;
    }
    HK_ASSERT_INT(4, j);
    printf("# afternoon (hub hung, kiosk-2 on its block, merged): %lld ms\n",
           (long long)(integ_now_ms() - t0));

    /* the display presented the morning's calls and recalls one by one, in
     * the order the staff made them (each stays >= 3 s: the afternoon's come
     * later), and took its screenshots */
    snprintf(want, sizeof(want), "call %s presented", t1n);
    integ_wait_log(display, want, 30000);
    integ_wait_log_n(display, "[board] info: call ", morning_calls, 60000);
    {
        char *text = integ_slurp(integ_procs[display].log, NULL);
        const char *p = text;
        for(i = 0; i < morning_calls; i++) {
            char shown[8] = "";
            p = p ? strstr(p, "[board] info: call ") : NULL;
            HK_ASSERT(p);
            p += strlen("[board] info: call ");
            sscanf(p, "%7s", shown);
            HK_ASSERT_MSG(!strcmp(shown, calls[i]), "board: call %d presented %s, staff called %s",
                          i + 1, shown, calls[i]);
        }
        free(text);
    }
    snprintf(shot, sizeof(shot), "%s/shots-display/board-2.png", hk_test_tmpdir());
    for(i = 0; i < 3000 && !integ_file_exists(shot); i++)
        integ_sleep_ms(10);
    HK_ASSERT_MSG(integ_file_exists(shot), "no %s", shot);
    HK_ASSERT_INT(0, integ_stop(display, 15000));

    /* the day in /visits: everything accounted for, as driven */
    root = visits_now();
    n = 0;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "visits"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "ticket");
        const cJSON *rt = cJSON_GetObjectItemCaseSensitive(v, "rating");
        const char *number = integ_jstr(t, "number");
        long long id = integ_jnum(t, "id");
        expect_t *e = NULL;
        for(i = 0; i < n_ex; i++)
            if(ex[i].id == id)
                e = &ex[i];
        n++;
        HK_ASSERT_MSG(e, "ticket %lld %s was never driven (state %s)", id, number,
                      integ_jstr(t, "state"));
        HK_ASSERT_STR(e->number, number);
        HK_ASSERT_MSG(e->state && !strcmp(e->state, integ_jstr(t, "state")),
                      "%s: state %s, expected %s", number, integ_jstr(t, "state"),
                      e->state ? e->state : "(not driven)");
        HK_ASSERT_STR(e->counter, integ_jstr(t, "counter"));
        HK_ASSERT_STR(e->staff, integ_jstr(t, "staff"));
        HK_ASSERT_STR(e->device, integ_jstr(t, "device"));
        HK_ASSERT_INT(e->recalls, integ_jnum(t, "recalls"));
        if(e->rating_level) {
            HK_ASSERT_MSG(cJSON_IsObject(rt), "%s: no rating", number);
            HK_ASSERT_STR(e->rating_level, integ_jstr(rt, "level"));
            HK_ASSERT_STR(e->rating_source, integ_jstr(rt, "source"));
            HK_ASSERT_STR("rated", integ_jstr(rt, "status"));
        } else {
            HK_ASSERT_MSG(!cJSON_IsObject(rt) || strcmp(integ_jstr(rt, "status"), "rated"),
                          "%s: rated, but nobody rated it", number);
        }
        /* numbers: the hub's below the blocks, kiosk-2's in its own */
        HK_ASSERT_MSG(atoi(number + 1) < 900 || !strcmp(e->device, "kiosk-2"),
                      "%s: a block number not from kiosk-2", number);
    }
    HK_ASSERT_INT(n_ex, n);
    HK_ASSERT_INT(10 + phantoms, n); /* 6 in the morning, x, A900, A901, y */
    for(i = 0; i < n_ex; i++)
        for(j = i + 1; j < n_ex; j++)
            HK_ASSERT_MSG(strcmp(ex[i].number, ex[j].number), "number %s twice", ex[i].number);
    cJSON_Delete(root);

    /* the paper: kiosk-2 printed 3 (1 online, 2 from its block), kiosk-3 2 */
    HK_ASSERT_INT(3, printed("kiosk-2"));
    HK_ASSERT_INT(2, printed("kiosk-3"));
    HK_ASSERT_INT(1, shown_tickets("kiosk-2-morning", ""));
    HK_ASSERT_INT(2, shown_tickets("kiosk-3", ""));
    HK_ASSERT_INT(2, shown_tickets("kiosk-2-afternoon", "kiosk-2"));

    /* hallctl exports the same day: a header and one row per visit */
    {
        char clog[600], ctlbin[600];
        const char *argv[] = { ctlbin,         "--hub",  hub.url, "--token",
                               INTEG_ENGINEER, "export", "--csv", NULL };
        snprintf(ctlbin, sizeof(ctlbin), "%s/tools/hallctl/hallctl", HK_BINARY_DIR);
        snprintf(clog, sizeof(clog), "%s/export.csv", hk_test_tmpdir());
        ctl = integ_spawn("hallctl", clog, argv);
        HK_ASSERT(integ_wait_exit(ctl, 20000));
        HK_ASSERT_INT(0, integ_exit_code(ctl));
        HK_ASSERT_INT(11 + phantoms, integ_file_count(clog, "\n"));
        HK_ASSERT_INT(1, integ_file_count(clog, "\nA900,general,done,"));
        snprintf(want, sizeof(want), "\n%s,general,done,", t1n);
        HK_ASSERT_INT(1, integ_file_count(clog, want));
    }

    HK_ASSERT_INT(0, integ_stop(hub.proc, 15000));
    printf("# whole day: %lld ms\n", (long long)(integ_now_ms() - t0));
    if(getenv("HK_INTEG_KEEP")) {
        /* a passed test's temp dir goes: keep a copy to look at the screenshots */
        char cmd[1400];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r '%s' '%s'", getenv("HK_INTEG_KEEP"),
                 hk_test_tmpdir(), getenv("HK_INTEG_KEEP"));
        if(system(cmd) == 0)
            printf("# copy of the day's files in %s\n", getenv("HK_INTEG_KEEP"));
    }
}

int main(void)
{
    HK_RUN(test_a_branch_day_of_real_processes);
    return hk_test_end();
}
