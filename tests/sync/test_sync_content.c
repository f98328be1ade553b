/*
 * Self-help content from head office, end to end over real TLS on
 * loopback: a real hall-central process (server/hall-central) serves the
 * shipped FAQ and triage as its fleet content (GET /v1/content), and the
 * device's sync worker (in this process) pulls it on the config poll:
 *
 *  1. The bundle arrives, is validated whole, saved as the last good copy
 *     in the data dir, the content generation rises once, and
 *     faq_content_load_current() prefers it over the shipped files.
 *  2. Later polls are 304s (ETag): nothing is downloaded or saved again.
 *  3. Head office restarts with a triage that routes to a service this
 *     device does not have: the device refuses it with the reason in its
 *     sync status (and the persisted status file), and the last good copy
 *     stays in use.
 *  4. hall-central refuses to start on content that does not validate,
 *     naming the file's field.
 *
 * Skipped (77) without certtool or the hall-central binary.
 */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faq_content.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "pki.h"
#include "sync.h"

#define DEVICE "kiosk-1"
#define TOKEN  "kiosk-1-central-token-0123456789"

static hk_pki_t pki;
static char dir[900], bin[1100], assets[1100], data_dir[1100];
static unsigned port;
static config_t cfg;
static pid_t running = -1; /* the server a failed case left behind */

void setUp(void)
{
}

void tearDown(void)
{
    if(running > 0) {
        kill(running, SIGKILL);
        waitpid(running, NULL, 0);
        running = -1;
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static const char *in_dir(const char *name)
{
    static char path[4][1300];
    static int k;

    k = (k + 1) % 4;
    snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
    return path[k];
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    HK_ASSERT_MSG(f != NULL, "cannot open %s", path);
    HK_ASSERT(fseek(f, 0, SEEK_END) == 0);
    n = ftell(f);
    HK_ASSERT(n >= 0 && fseek(f, 0, SEEK_SET) == 0);
    buf = hk_malloc((size_t)n + 1);
    HK_ASSERT(buf != NULL);
    HK_ASSERT(fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    HK_ASSERT_MSG(f != NULL, "cannot write %s", path);
    HK_ASSERT(fwrite(text, 1, strlen(text), f) == strlen(text));
    HK_ASSERT(fclose(f) == 0);
}

/* The shipped file name (faq.json, triage.json) into the server's dir as
 * dst, with the first `from` replaced by `to` (NULL: as shipped). */
static void copy_asset(const char *name, const char *dst, const char *from, const char *to)
{
    char src[1300], *text = NULL, *out;
    const char *at;

    snprintf(src, sizeof(src), "%s/%s", assets, name);
    text = read_text(src);
    if(!from) {
        write_text(in_dir(dst), text);
        hk_free(text);
        return;
    }
    at = strstr(text, from);
    HK_ASSERT_MSG(at != NULL, "%s: no \"%s\" to replace", name, from);
    out = hk_malloc(strlen(text) + strlen(to) + 1);
    HK_ASSERT(out != NULL);
    sprintf(out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    write_text(in_dir(dst), out);
    hk_free(out);
    hk_free(text);
}

/* hall-central's config: this device with its token, branch b001 with a
 * config document (services general, payment, elderly, vip), and the
 * fleet's content from faq_file/triage_file. */
static void write_server_config(const char *name, const char *faq_file, const char *triage_file)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    char hash[65], text[4096];

    crypto_hash_sha256(d, (const unsigned char *)TOKEN, strlen(TOKEN));
    sodium_bin2hex(hash, sizeof(hash), d, sizeof(d));
    write_text(in_dir("branch-b001.json"),
               "{\"version\":1,\"config\":{\"branch\":{\"id\":\"b001\",\"name_zh\":\"厅\","
               "\"name_en\":\"Hall\"},\"services\":["
               "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"},"
               "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费\",\"name_en\":\"P\"},"
               "{\"id\":\"elderly\",\"prefix\":\"E\",\"name_zh\":\"爱心\",\"name_en\":\"E\"},"
               "{\"id\":\"vip\",\"prefix\":\"V\",\"name_zh\":\"贵宾\",\"name_en\":\"V\"}],"
               "\"counters\":[{\"id\":\"c1\",\"number\":1,"
               "\"services\":[\"general\",\"payment\",\"elderly\",\"vip\"]}]}}");
    snprintf(text, sizeof(text),
             "{\"listen\":\"127.0.0.1:%u\",\"tls_cert\":\"%s\",\"tls_key\":\"%s\","
             "\"client_ca\":\"%s\",\"store\":\"sqlite:central.db\","
             "\"devices\":[{\"id\":\"" DEVICE "\",\"branch\":\"b001\",\"token_sha256\":\"%s\"}],"
             "\"branches\":[{\"id\":\"b001\",\"config_file\":\"branch-b001.json\"}],"
             "\"content\":{\"faq_file\":\"%s\",\"triage_file\":\"%s\"}}",
             port, pki.server.cert, pki.server.key, pki.ca, hash, faq_file, triage_file);
    write_text(in_dir(name), text);
}

/* Start hall-central on the config; -1 when it exited (*code, its stderr
 * in dir/<name>.err). */
static pid_t start_server(const char *name, int *code)
{
    char err[1300];
    pid_t pid;
    int i, status;

    snprintf(err, sizeof(err), "%s/%s.err", dir, name);
    remove(err);
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        FILE *e = freopen(err, "w", stderr);
        (void)e;
        execl(bin, bin, "--config", in_dir(name), (char *)NULL);
        _exit(127);
    }
    running = pid;
    for(i = 0; i < 1000; i++) {
        if(hk_test_file_has(err, "listening on https://"))
            return pid;
        if(waitpid(pid, &status, WNOHANG) == pid) {
            *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            running = -1;
            return -1;
        }
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    HK_ASSERT_MSG(0, "hall-central did not start (see %s)", err);
    return -1;
}

/* The port a server's stderr says it listens on; 0 if none. */
static unsigned listening_port(const char *err_name)
{
    char line[4096];
    const char *at;
    unsigned p = 0;
    size_t n = 0;
    FILE *f = fopen(in_dir(err_name), "r");

    if(f) {
        n = fread(line, 1, sizeof(line) - 1, f);
        fclose(f);
    }
    line[n] = '\0';
    at = strstr(line, "listening on https://127.0.0.1:");
    if(at && sscanf(at, "listening on https://127.0.0.1:%u", &p) != 1)
        p = 0;
    return p;
}

static void stop_server(pid_t pid)
{
    if(pid <= 0)
        return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    running = -1;
}

/* The device: services general, payment and elderly (no vip). */
static void make_device_cfg(void)
{
    char json[4096];
    hk_diag_t diag;

    snprintf(json, sizeof(json),
             "{\"branch\":{\"id\":\"b001\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
             "\"services\":["
             "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"},"
             "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费\",\"name_en\":\"P\"},"
             "{\"id\":\"elderly\",\"prefix\":\"E\",\"name_zh\":\"爱心\",\"name_en\":\"E\"}],"
             "\"counters\":[{\"id\":\"c1\",\"number\":1,"
             "\"services\":[\"general\",\"payment\",\"elderly\"]}],"
             "\"device\":{\"id\":\"" DEVICE "\"},"
             "\"central\":{\"url\":\"https://127.0.0.1:%u\",\"ca_file\":\"%s\","
             "\"token\":\"" TOKEN "\"}}",
             port, pki.ca);
    HK_ASSERT_MSG(config_parse(json, strlen(json), &cfg, &diag) == HK_OK, "%s", diag.msg);
}

static sync_t *start_sync(void)
{
    sync_opts_t o;
    sync_t *s = NULL;
    hk_diag_t diag;

    memset(&o, 0, sizeof(o));
    o.cfg = &cfg;
    o.data_dir = data_dir;
    o.live = NULL; /* pushed configs saved, not applied: the services stay the device's */
    o.backoff_base_ms = 50;
    o.backoff_cap_ms = 400;
    o.connect_ms = 8000;
    o.total_ms = 10000;
    o.low_speed_s = 3;
    o.config_poll_ms = 200;
    o.heartbeat_ms = 60000;
    hk_diag_clear(&diag);
    HK_ASSERT_MSG(sync_start(&o, &s, &diag) == HK_OK, "%s", diag.msg);
    return s;
}

/* Wait until the status says the content version is set or it was refused. */
static bool wait_status(sync_t *s, bool refused, int ms, sync_status_t *st)
{
    int64_t end = now_ms() + ms;

    do {
        sync_status_get(s, st);
        if(refused ? st->content_refused : st->content_version[0] != '\0')
            return true;
        sleep_ms(20);
    } while(now_ms() < end);
    return false;
}

static void load_current(faq_content_t **c, bool *pushed)
{
    const char *ids[] = { "general", "payment", "elderly" };
    hk_diag_t diag;

    HK_ASSERT_MSG(faq_content_load_current(data_dir, assets, ids, 3, c, pushed, &diag) == HK_OK,
                  "%s", diag.msg);
}

static void test_content_pushed_saved_304_and_a_bad_one_refused(void)
{
    char saved_path[1300], *saved = NULL, *again = NULL;
    faq_content_t *c = NULL;
    sync_status_t st;
    sync_t *s;
    pid_t srv;
    bool pushed = false;
    int code = 0;

    copy_asset("faq.json", "faq.json", NULL, NULL);
    copy_asset("triage.json", "triage.json", NULL, NULL);
    write_server_config("good.json", "faq.json", "triage.json");
    srv = start_server("good.json", &code);
    HK_ASSERT_MSG(srv > 0, "hall-central exited %d (see %s/good.json.err)", code, dir);
    make_device_cfg();
    s = start_sync();

    /* 1. pulled, checked, saved, announced once, preferred */
    HK_ASSERT_MSG(wait_status(s, false, 20000, &st), "no content: %s", st.last_error);
    HK_ASSERT(!st.content_refused);
    HK_ASSERT(strncmp(st.content_etag, "\"c-", 3) == 0);
    HK_ASSERT(strncmp(st.content_version, "c-", 2) == 0);
    HK_ASSERT_INT(1, sync_content_generation(s));
    snprintf(saved_path, sizeof(saved_path), "%s/%s", data_dir, FAQ_PUSHED_FILE);
    saved = read_text(saved_path);
    load_current(&c, &pushed);
    HK_ASSERT(pushed);
    HK_ASSERT(c->n_articles >= 40 && c->n_needs >= 10);
    faq_content_free(c);
    c = NULL;

    /* 2. later polls revalidate with the ETag: 304, nothing saved again */
    sleep_ms(1200);
    HK_ASSERT_INT(1, sync_content_generation(s));

    /* 3. head office restarts with a queue route to "vip", which this device
     * does not have: refused, reported, the last good stays */
    stop_server(srv);
    copy_asset("triage.json", "triage-vip.json", "\"service\": \"elderly\"",
               "\"service\": \"vip\"");
    write_server_config("vip.json", "faq.json", "triage-vip.json");
    srv = start_server("vip.json", &code);
    HK_ASSERT_MSG(srv > 0, "hall-central exited %d (see %s/vip.json.err)", code, dir);
    HK_ASSERT_MSG(wait_status(s, true, 20000, &st), "not refused: %s", st.last_error);
    HK_ASSERT_CONTAINS(st.last_error, "content refused: ");
    HK_ASSERT_CONTAINS(st.last_error, ".service: \"vip\" is not a service of this branch");
    HK_ASSERT_INT(1, sync_content_generation(s));
    again = read_text(saved_path);
    HK_ASSERT_STR(saved, again);
    load_current(&c, &pushed);
    HK_ASSERT(pushed);
    faq_content_free(c);
    sync_stop(s);
    stop_server(srv);

    /* the refusal is in the persisted status (hallctl sync-status reads it) */
    HK_ASSERT_OK(sync_status_read(data_dir, &st, NULL));
    HK_ASSERT(st.content_refused);
    HK_ASSERT_CONTAINS(st.last_error, "content refused");
    hk_free(saved);
    hk_free(again);
}

/* 4. head office never serves content its devices would refuse */
static void test_server_refuses_bad_content_at_start(void)
{
    char err[1300];
    pid_t srv;
    int code = 0;

    copy_asset("faq.json", "faq-bad.json", "**", "*");
    write_server_config("bad.json", "faq-bad.json", "triage.json");
    srv = start_server("bad.json", &code);
    if(srv > 0)
        stop_server(srv);
    HK_ASSERT_MSG(srv < 0 && code != 0, "hall-central started on bad content");
    snprintf(err, sizeof(err), "%s/bad.json.err", dir);
    HK_ASSERT_MSG(hk_test_file_has(err, "content: faq.articles["), "see %s", err);
    HK_ASSERT(hk_test_file_has(err, "emphasis ** not closed"));
}

int main(void)
{
    const char *src = getenv("HK_SOURCE_DIR") ? getenv("HK_SOURCE_DIR") : HK_SOURCE_DIR;
    const char *bdir = getenv("HK_BINARY_DIR") ? getenv("HK_BINARY_DIR") : HK_BINARY_DIR;
    const char *tmp = getenv("HK_TEST_TMP");

    snprintf(bin, sizeof(bin), "%s/server/hall-central", bdir);
    if(access(bin, X_OK) != 0 || !hk_pki_available()) {
        printf("skip: no %s or no certtool\n", bin);
        return 77;
    }
    if(sodium_init() < 0)
        return 1;
    snprintf(assets, sizeof(assets), "%s/assets/faq", src);
    snprintf(dir, sizeof(dir), "%s/sync-content.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if(!mkdtemp(dir) || hk_pki_make_server(&pki, dir) != 0) {
        printf("cannot make the test certificates in %s\n", dir);
        return 1;
    }
    snprintf(data_dir, sizeof(data_dir), "%s/data", dir);
    if(mkdir(data_dir, 0700) != 0)
        return 1;
    {
        /* a port for every server run (the device's central.url names it):
         * the one a first run on port 0 was given */
        pid_t probe;
        int code = 0;

        port = 0;
        copy_asset("faq.json", "faq.json", NULL, NULL);
        copy_asset("triage.json", "triage.json", NULL, NULL);
        write_server_config("probe.json", "faq.json", "triage.json");
        probe = start_server("probe.json", &code);
        port = probe > 0 ? listening_port("probe.json.err") : 0;
        stop_server(probe);
        if(!port) {
            printf("hall-central did not start (see %s)\n", in_dir("probe.json.err"));
            return 1;
        }
    }
    HK_RUN(test_content_pushed_saved_304_and_a_bad_one_refused);
    HK_RUN(test_server_refuses_bad_content_at_start);
    return hk_test_end();
}
