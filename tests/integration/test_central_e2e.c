/*
 * Head office, end to end, with real processes over real TLS on loopback:
 * hall-central set up by its own `init-dev` (a development CA, a server
 * certificate for 127.0.0.1, a device certificate for kiosk-1) and a
 * branch hub (`hallkiosk --role hub`, the code a kiosk hosts) whose
 * "central" section points at it with that client certificate.
 *
 *  1. Head office is down: the branch still issues, calls, serves and
 *     rates (a very dissatisfied rating among them); the journal waits and
 *     `hallctl sync-status` says what is pending and what went wrong.
 *  2. Head office comes up: everything arrives, each event exactly once
 *     (the same uuids as the branch journal, none twice), and the branch's
 *     backlog is 0.
 *  3. More work while it is up arrives within seconds.
 *  4. Head office is killed (SIGKILL) in the middle of uploads and starts
 *     again on the same database: still each event exactly once.
 *  5. The branch document is changed at head office (a service renamed)
 *     and the server restarted: the branch fetches it, saves it as its
 *     last good config, and a second fetch is a 304 (ETag), not a
 *     download.
 *
 * The server's database is read with sqlite3's C API (a reader beside the
 * server, WAL); the branch's journal the same way.
 */
#include <sqlite3.h>

#include "integ.h"

#define KIOSK1_TOKEN "demo-token-kiosk-1"

static integ_hub_t hub;
static int central = -1;
static uint16_t central_port;
static char hc_dir[400], cfg_path[512], db_path[512];
static char hc_bin[600];
static int central_starts;

void setUp(void)
{
}

void tearDown(void)
{
    integ_kill_all();
}

/* A port nobody listens on now (the server takes it later). */
static uint16_t free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    uint16_t port;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HK_ASSERT(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    HK_ASSERT(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void central_start(void)
{
    char listen[32], log[600], name[16];
    const char *argv[8];

    snprintf(listen, sizeof(listen), "127.0.0.1:%u", central_port);
    snprintf(log, sizeof(log), "%s/central-%d.log", hk_test_tmpdir(), ++central_starts);
    snprintf(name, sizeof(name), "central#%d", central_starts);
    argv[0] = hc_bin;
    argv[1] = "--config";
    argv[2] = cfg_path;
    argv[3] = "--listen";
    argv[4] = listen;
    argv[5] = NULL;
    central = integ_spawn(name, log, argv);
    integ_wait_log(central, "listening on https://", 20000);
}

/* One integer from a query on an SQLite file (-1 when it cannot be read). */
static long long sql_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;

    if(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
           sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

static long long branch_last_seq(void)
{
    char path[700];

    snprintf(path, sizeof(path), "%s/hallkiosk.db", hub.data);
    return sql_int(path, "SELECT COALESCE(MAX(seq), 0) FROM journal");
}

/* Wait until head office holds every event of the branch journal. */
static void wait_all_arrived(int timeout_ms)
{
    int64_t end = integ_now_ms() + timeout_ms;
    long long want = -2, have = -1;

    while(integ_now_ms() < end) {
        want = branch_last_seq();
        have = sql_int(db_path, "SELECT COUNT(*) FROM events WHERE device = 'kiosk-1'");
        if(want > 0 && have == want)
            return;
        integ_sleep_ms(100);
    }
    HK_ASSERT_MSG(false, "head office holds %lld of the branch's %lld events", have, want);
}

/* Every branch event is at head office once, with its own uuid and type. */
static void assert_exactly_once(void)
{
    char sql[1200], path[700];
    long long n = branch_last_seq(), dup, seqs, missing;

    snprintf(path, sizeof(path), "%s/hallkiosk.db", hub.data);
    dup = sql_int(db_path, "SELECT COUNT(*) FROM (SELECT uuid FROM events GROUP BY uuid "
                           "HAVING COUNT(*) > 1)");
    HK_ASSERT_INT(0, dup);
    seqs = sql_int(db_path, "SELECT COUNT(DISTINCT seq) FROM events WHERE device = 'kiosk-1'");
    HK_ASSERT_INT(n, seqs);
    /* the same uuid and type at every seq: attach the branch journal */
    snprintf(
        sql, sizeof(sql),
        "SELECT COUNT(*) FROM events e JOIN (SELECT seq, uuid, type FROM b.journal) j "
        "ON j.seq = e.seq AND e.device = 'kiosk-1' WHERE j.uuid <> e.uuid OR j.type <> e.type");
    {
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        char attach[800];
        HK_ASSERT(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        snprintf(attach, sizeof(attach), "ATTACH DATABASE 'file:%s?mode=ro' AS b", path);
        HK_ASSERT_MSG(sqlite3_exec(db, attach, NULL, NULL, NULL) == SQLITE_OK, "%s",
                      sqlite3_errmsg(db));
        HK_ASSERT_MSG(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s",
                      sqlite3_errmsg(db));
        HK_ASSERT(sqlite3_step(st) == SQLITE_ROW);
        missing = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    HK_ASSERT_INT(0, missing);
}

static long long issue(const char *service)
{
    char body[64];
    hk_http_resp_t r;
    cJSON *root;
    long long id;

    snprintf(body, sizeof(body), "{\"service\":\"%s\"}", service);
    HK_ASSERT_INT(201, integ_req(hub.port, "POST", "/api/v1/tickets", body, KIOSK1_TOKEN, &r));
    root = integ_json(r.body);
    id = integ_jnum(cJSON_GetObjectItemCaseSensitive(root, "ticket"), "id");
    cJSON_Delete(root);
    hk_http_resp_free(&r);
    return id;
}

/* call next at c1, start, finish; rate it (level name or NULL). */
static void serve(const char *session, const char *level)
{
    char path[96];
    hk_http_resp_t r;
    cJSON *root;
    long long id;

    HK_ASSERT_INT(200,
                  integ_req(hub.port, "POST", "/api/v1/counters/c1/call-next", NULL, session, &r));
    root = integ_json(r.body);
    id = integ_jnum(cJSON_GetObjectItemCaseSensitive(root, "ticket"), "id");
    cJSON_Delete(root);
    hk_http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/start", id);
    HK_ASSERT_INT(200, integ_req(hub.port, "POST", path, NULL, session, &r));
    hk_http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/finish", id);
    HK_ASSERT_INT(200, integ_req(hub.port, "POST", path, NULL, session, &r));
    hk_http_resp_free(&r);
    if(level) {
        char body[128];
        snprintf(path, sizeof(path), "/api/v1/tickets/%lld/rating", id);
        snprintf(body, sizeof(body), "{\"level\":\"%s\",\"reasons\":[],\"praise\":[]}", level);
        HK_ASSERT_INT(200, integ_req(hub.port, "POST", path, body, session, &r));
        hk_http_resp_free(&r);
    }
}

/* hallctl sync-status --data-dir: its output into out. */
static void sync_status(char *out, size_t cap)
{
    char cmd[1200];
    FILE *p;
    size_t n;

    snprintf(cmd, sizeof(cmd), "%s/tools/hallctl/hallctl sync-status --data-dir %s 2>&1",
             HK_BINARY_DIR, hub.data);
    p = popen(cmd, "r");
    HK_ASSERT(p != NULL);
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    pclose(p);
}

/* The "backlog  N events" line of sync-status (-1 when missing). */
static long long status_backlog(const char *status)
{
    const char *p = strstr(status, "backlog");
    long long n = -1;

    if(!p || sscanf(p + strlen("backlog"), " %lld", &n) != 1)
        return -1;
    return n;
}

/* Build the hub's config: the sample branch with a "central" section. */
static void write_hub_config(void)
{
    char path[700];
    cJSON *root, *c;

    snprintf(path, sizeof(path), "https://127.0.0.1:%u", central_port);
    root = integ_sample_with_central(path, &c);
    snprintf(path, sizeof(path), "%s/ca.crt", hc_dir);
    cJSON_AddStringToObject(c, "ca_file", path);
    snprintf(path, sizeof(path), "%s/kiosk-1.crt", hc_dir);
    cJSON_AddStringToObject(c, "client_cert", path);
    snprintf(path, sizeof(path), "%s/kiosk-1.key", hc_dir);
    cJSON_AddStringToObject(c, "client_key", path);
    cJSON_AddNumberToObject(c, "interval_s", 1);
    cJSON_AddNumberToObject(c, "config_poll_s", 5);
    integ_save_json(hub.cfg, root);
}

/* A fresh head office (init-dev) and branch config in this test's dir. */
static void setup(void)
{
    char cmd[1400];

    memset(&hub, 0, sizeof(hub));
    central_starts = 0;
    snprintf(hc_bin, sizeof(hc_bin), "%s/server/hall-central", HK_BINARY_DIR);
    snprintf(hc_dir, sizeof(hc_dir), "%s/hc", hk_test_tmpdir());
    snprintf(cfg_path, sizeof(cfg_path), "%s/hall-central.json", hc_dir);
    snprintf(db_path, sizeof(db_path), "%s/central.db", hc_dir);
    if(system("command -v certtool >/dev/null 2>&1") != 0) {
        printf("# skip: certtool not found (apt-get install gnutls-bin)\n");
        exit(77);
    }
    snprintf(cmd, sizeof(cmd), "%s init-dev %s > %s/init-dev.log 2>&1", hc_bin, hc_dir,
             hk_test_tmpdir());
    HK_ASSERT_INT(0, system(cmd));
    { /* the branch document head office pushes: open all day too */
        char path[700];
        char *doc;
        cJSON *root;
        snprintf(path, sizeof(path), "%s/branch-sh-xuhui-01.json", hc_dir);
        doc = integ_slurp(path, NULL);
        HK_ASSERT(doc != NULL);
        root = integ_json(doc);
        free(doc);
        integ_open_all_day(cJSON_GetObjectItemCaseSensitive(root, "config"));
        integ_save_json(path, root);
    }
    central_port = free_port();
    snprintf(hub.cfg, sizeof(hub.cfg), "%s/hub.json", hk_test_tmpdir());
    snprintf(hub.data, sizeof(hub.data), "%s/hub-data", hk_test_tmpdir());
    write_hub_config();
}

static void test_branch_events_reach_head_office_exactly_once(void)
{
    char status[4096], s1[64], path[700];
    hk_http_resp_t r;
    int i;

    /* 1. head office down */
    setup();
    integ_hub_start(&hub);
    HK_ASSERT_INT(201, integ_login(hub.port, "s1", s1, sizeof(s1), 15000));
    HK_ASSERT_INT(200, integ_req(hub.port, "POST", "/api/v1/counters/c1/open", NULL, s1, &r));
    hk_http_resp_free(&r);
    for(i = 0; i < 6; i++)
        (void)issue(i % 2 ? "payment" : "general");
    serve(s1, "very_satisfied");
    serve(s1, "very_dissatisfied");
    serve(s1, NULL);
    integ_sleep_ms(1500); /* a try or two against the closed port */
    sync_status(status, sizeof(status));
    HK_ASSERT_MSG(status_backlog(status) == branch_last_seq(),
                  "all of the journal is pending while head office is down:\n%s", status);
    HK_ASSERT_MSG(strstr(status, "offline") || strstr(status, "error"), "%s", status);
    HK_ASSERT(branch_last_seq() > 10);

    /* 2. head office up: everything arrives once */
    central_start();
    wait_all_arrived(30000);
    assert_exactly_once();

    /* 3. more work while it is up */
    (void)issue("general");
    serve(s1, "satisfied");
    wait_all_arrived(15000);
    assert_exactly_once();

    /* 4. head office killed in the middle of uploads, started again */
    for(i = 0; i < 3; i++) {
        int k;
        for(k = 0; k < 4; k++)
            (void)issue(k % 2 ? "payment" : "general");
        integ_sleep_ms(150 + 200 * i);
        integ_kill9(central);
        integ_sleep_ms(300);
        central_start();
    }
    wait_all_arrived(45000);
    assert_exactly_once();
    sync_status(status, sizeof(status));
    HK_ASSERT_MSG(status_backlog(status) == 0, "%s", status);

    /* 5. a changed branch document reaches the branch */
    snprintf(path, sizeof(path), "%s/branch-sh-xuhui-01.json", hc_dir);
    {
        char *doc = integ_slurp(path, NULL), *text;
        cJSON *root, *svc;
        HK_ASSERT(doc != NULL);
        root = integ_json(doc);
        free(doc);
        cJSON_ReplaceItemInObjectCaseSensitive(root, "version", cJSON_CreateNumber(2));
        svc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                     cJSON_GetObjectItemCaseSensitive(root, "config"), "services"),
                                 3);
        HK_ASSERT_STR("payment", integ_jstr(svc, "id"));
        cJSON_ReplaceItemInObjectCaseSensitive(svc, "name_zh", cJSON_CreateString("充值缴费"));
        text = cJSON_Print(root);
        integ_write_file(path, text);
        cJSON_free(text);
        cJSON_Delete(root);
    }
    HK_ASSERT_INT(0, integ_stop(central, 10000));
    central_start();
    {
        char saved[800];
        int64_t end = integ_now_ms() + 20000;
        char *text = NULL;
        snprintf(saved, sizeof(saved), "%s/central-config.json", hub.data);
        while(integ_now_ms() < end) {
            free(text);
            text = integ_slurp(saved, NULL);
            if(text && strstr(text, "充值缴费"))
                break;
            integ_sleep_ms(200);
        }
        HK_ASSERT_MSG(text && strstr(text, "充值缴费"), "the branch did not save the new document");
        free(text);
    }
    {
        /* ... and put it in force: the hub's LAN API serves the new name */
        int64_t end = integ_now_ms() + 10000;
        bool shown = false;
        while(!shown && integ_now_ms() < end) {
            hk_http_resp_t br;
            if(integ_req(hub.port, "GET", "/api/v1/branch", NULL, NULL, &br) == 200)
                shown = br.body && strstr(br.body, "充值缴费") != NULL;
            hk_http_resp_free(&br);
            if(!shown)
                integ_sleep_ms(100);
        }
        HK_ASSERT_MSG(shown, "the hub's GET /api/v1/branch does not show the renamed service");
    }
    sync_status(status, sizeof(status));
    HK_ASSERT_MSG(strstr(status, "config version   2") != NULL, "%s", status);
    HK_ASSERT_INT(0, integ_stop(hub.proc, 10000));
    HK_ASSERT_INT(0, integ_stop(central, 10000));
}

/*
 * Kill -9 the branch at random moments during sync, 100 times, and head
 * office every 10th time: in the end head office holds exactly the events
 * the branch journaled, each once.
 */
static void test_kill9_during_sync_loses_and_doubles_nothing(void)
{
    int i, kills = 0;
    unsigned seed = (unsigned)integ_now_ms();

    printf("# seed %u\n", seed);
    srand(seed);
    setup();
    central_start();
    for(i = 0; i < 100; i++) {
        int k;
        integ_hub_start(&hub);
        for(k = 0; k < 3; k++)
            (void)issue(k % 2 ? "payment" : "general");
        integ_sleep_ms(rand() % 250);
        integ_kill9(hub.proc);
        integ_release(hub.proc);
        kills++;
        if(i % 10 == 9) {
            integ_kill9(central);
            integ_release(central);
            central_start();
        }
    }
    integ_hub_start(&hub);
    wait_all_arrived(60000);
    assert_exactly_once();
    HK_ASSERT_INT(100, kills);
    HK_ASSERT_INT(0, integ_stop(hub.proc, 10000));
    HK_ASSERT_INT(0, integ_stop(central, 10000));
}

int main(void)
{
    HK_RUN(test_branch_events_reach_head_office_exactly_once);
    HK_RUN(test_kill9_during_sync_loses_and_doubles_nothing);
    return hk_test_end();
}
