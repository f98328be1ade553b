/*
 * bench_hub: the hub role measured from outside, over loopback, as separate
 * processes: `hallkiosk --role hub` on a fresh data dir with a config the
 * bench writes (the sample branch with 16 counters serving "general" and
 * 16 staff with the sample's PIN hash; only the services general, payment
 * and elderly, with a counter c17 for the last two so every service has a
 * counter and the 16 never call them; no opening hours, so every service
 * takes numbers at any time of day), nginx beside it, and a display.
 * Numbers: at most ~900 a prefix a day (kiosk blocks start at 900), so
 * each part issues on its own service: snapshot payment, call-next and
 * board general (760), fan-out elderly.
 *
 *   snapshot reads: wrk -t2 -c16 -d5s --latency against the hub's
 *     GET /api/v1/snapshot (SNAP_TICKETS tickets waiting) and, in the same
 *     run, against nginx serving the very same bytes as a static file
 *     (generated config in a temp prefix, one worker, keep-alive unlimited
 *     like the hub's); row: the ratio of requests/s. A wrk -c1 row gives
 *     the hub's time per snapshot without queueing.
 *   call-next: CALL_CLIENTS threads, one staff session and one counter
 *     each, one keep-alive connection each (a small HTTP/1.1 client,
 *     TCP_NODELAY); each loops call-next -> finish; only call-next is
 *     timed (send to full answer). One client alone first: the service
 *     time, to tell it from queueing on the hub thread.
 *   a call reaching the board: a display process (--headless) on the hub;
 *     the bench calls at one counter, paced so each call is the board's
 *     only news (the board holds a call >= 3 s and until its announcement
 *     ends), and reads "board: call N presented: mono-ns T" and, in a
 *     second run with the voice rendered to a WAV, "board: announcement K
 *     first sample: mono-ns T" from its log; latency from CLOCK_MONOTONIC
 *     taken before the request is sent.
 *   fan-out: FANOUT_SUBS raw SSE connections (?access_token=), read by one
 *     poll() thread; commits are ticket issues, one at a time; latency
 *     from before the request to the moment the last subscriber has read
 *     the whole event (the blank line that ends it).
 *   the hub alone: PSS after all the load above with its clients gone,
 *     then utime+stime over idle_s seconds.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_COUNTERS       16
#define SNAP_TICKETS     300
#define CALL_CLIENTS     16
#define CALLS_PER_CLIENT 40
#define SOLO_CALLS       100
#define BOARD_CALLS      12
#define BOARD_GAP_MS     3500
#define VOICE_CALLS      8
#define VOICE_GAP_MS     7000
#define FANOUT_SUBS      50
#define FANOUT_EVENTS    200
#define FANOUT_GAP_MS    15
#define START_MS         20000
#define KIOSK_TOKEN      "demo-token-kiosk-1"
#define DISPLAY_TOKEN    "demo-token-display-1"
#define DEMO_PIN         "246810"
#define RESP_MAX         (4 * 1024 * 1024)

typedef struct proc {
    pid_t pid;
    char log[1100];
} proc_t;

typedef struct hconn {
    int fd;
    char *buf; /* RESP_MAX + 1 */
    size_t len;
} hconn_t;

typedef struct hub_ctx {
    const bench_opts_t *o;
    bench_table_t *t;
    char dir[512];
    char cfg[600];
    proc_t hub;
    int port;
    char sessions[N_COUNTERS][96]; /* staff s1..s16 at c1..c16 */
} hub_ctx_t;

/* ---- small HTTP/1.1 client over one keep-alive socket -------------------- */

static int tcp_connect(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    if(fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static int hc_open(hconn_t *c, int port)
{
    c->len = 0;
    c->buf = malloc(RESP_MAX + 1);
    c->fd = c->buf ? tcp_connect(port) : -1;
    if(c->fd < 0) {
        free(c->buf);
        c->buf = NULL;
        return -1;
    }
    return 0;
}

static void hc_close(hconn_t *c)
{
    if(c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
}

static int send_all(int fd, const char *p, size_t n)
{
    while(n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * One request, one answer (Content-Length bodies only: the hub's JSON
 * answers). Returns the status, or -1; *body points into c->buf, valid
 * until the next request.
 */
static int hc_req(hconn_t *c, const char *method, const char *path, const char *auth,
                  const char *body, const char **out)
{
    char req[1024];
    size_t blen = body ? strlen(body) : 0, need = 0;
    char *hdr_end = NULL, *cl;
    int n, status;

    n = snprintf(req, sizeof(req),
                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%sContent-Type: "
                 "application/json\r\nContent-Length: %zu\r\n\r\n%s",
                 method, path, auth ? "Authorization: Bearer " : "", auth ? auth : "",
                 auth ? "\r\n" : "", blen, body ? body : "");
    if(n < 0 || (size_t)n >= sizeof(req) || send_all(c->fd, req, (size_t)n) != 0)
        return -1;
    c->len = 0;
    for(;;) {
        ssize_t r;
        c->buf[c->len] = 0;
        if(!hdr_end && (hdr_end = strstr(c->buf, "\r\n\r\n")) != NULL) {
            cl = strcasestr(c->buf, "\r\nContent-Length:");
            if(!cl || cl > hdr_end)
                return -1;
            need = (size_t)(hdr_end + 4 - c->buf) + (size_t)atol(cl + 17);
            if(need > RESP_MAX)
                return -1;
        }
        if(hdr_end && c->len >= need)
            break;
        r = recv(c->fd, c->buf + c->len, RESP_MAX - c->len, 0);
        if(r < 0 && errno == EINTR)
            continue;
        if(r <= 0)
            return -1;
        c->len += (size_t)r;
    }
    if(sscanf(c->buf, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    if(out)
        *out = hdr_end + 4;
    return status;
}

static long long json_num(const char *s, const char *key)
{
    char k[64];
    const char *p;

    snprintf(k, sizeof(k), "\"%s\":", key);
    p = s ? strstr(s, k) : NULL;
    return p ? atoll(p + strlen(k)) : -1;
}

static void json_str(const char *s, const char *key, char *out, size_t size)
{
    char k[64];
    const char *p, *e;

    out[0] = 0;
    snprintf(k, sizeof(k), "\"%s\":\"", key);
    p = s ? strstr(s, k) : NULL;
    if(!p)
        return;
    p += strlen(k);
    e = strchr(p, '"');
    if(e && (size_t)(e - p) < size)
        snprintf(out, size, "%.*s", (int)(e - p), p);
}

/* ---- processes ----------------------------------------------------------- */

static int spawn(proc_t *p, const char *const argv[])
{
    char *av[24];
    size_t n = 0;

    while(argv[n] && n < 23)
        n++;
    memcpy(av, argv, n * sizeof(av[0])); /* execvp's prototype; it does not write them */
    av[n] = NULL;
    p->pid = fork();
    if(p->pid < 0)
        return -1;
    if(p->pid == 0) {
        int null = open("/dev/null", O_RDWR);
        int log = open(p->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if(null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
        }
        if(log >= 0)
            dup2(log, 2);
        unsetenv("HK_DATA_DIR");
        execvp(av[0], av);
        _exit(127);
    }
    return 0;
}

/* Wait for needle in p's log; 0 found (line copied to line if given). */
static int wait_log(const proc_t *p, const char *needle, int timeout_ms, char *line, size_t size)
{
    static char log[1 << 20];
    int64_t deadline = bench_now_ns() + (int64_t)timeout_ms * 1000000;
    int status;

    while(bench_now_ns() < deadline) {
        const char *q;
        if(bench_read_file(p->log, log, sizeof(log)) == 0 && (q = strstr(log, needle)) != NULL) {
            if(line) {
                const char *e = strchr(q, '\n');
                snprintf(line, size, "%.*s", (int)(e ? e - q : (long)strlen(q)), q);
            }
            return 0;
        }
        if(bench_wait_exit(p->pid, 0, &status) == 0) {
            fprintf(stderr, "hk_bench: %s exited early; log:\n%.2000s\n", p->log, log);
            return -1;
        }
        bench_sleep_ms(5);
    }
    return -1;
}

/* How many times needle occurs in p's log; the mono-ns of the k-th (0-based). */
static int log_count(const proc_t *p, const char *needle, int k, long long *mono)
{
    static char log[1 << 20];
    const char *q;
    int n = 0;

    if(bench_read_file(p->log, log, sizeof(log)) != 0)
        return 0;
    for(q = strstr(log, needle); q; q = strstr(q + 1, needle)) {
        if(n == k && mono) {
            const char *m = strstr(q, "mono-ns ");
            *mono = m ? atoll(m + 8) : -1;
        }
        n++;
    }
    return n;
}

static int free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if(fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
       getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

static int write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if(!f)
        return -1;
    ok = fwrite(data, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* ---- the branch config ---------------------------------------------------- */

static int write_config(hub_ctx_t *h)
{
    static char text[256 * 1024];
    char path[1024], s[64];
    cJSON *root, *counters, *staff, *svc, *services, *st0, *hash;
    char *out;
    int i, rc = -1;

    snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", h->o->source_dir);
    if(bench_read_file(path, text, sizeof(text)) != 0 || !(root = cJSON_Parse(text)))
        return -1;
    st0 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "staff"), 0);
    hash = st0 ? cJSON_GetObjectItem(st0, "pin_hash") : NULL;
    if(!cJSON_IsString(hash))
        goto out;
    /* open all day, every service: the bench runs at any hour */
    cJSON_DeleteItemFromObject(root, "hours");
    /* the services the bench uses; every service needs a counter */
    services = cJSON_GetObjectItem(root, "services");
    for(i = cJSON_GetArraySize(services) - 1; i >= 0; i--) {
        cJSON *id = cJSON_GetObjectItem(cJSON_GetArrayItem(services, i), "id");
        if(!cJSON_IsString(id) ||
           (strcmp(id->valuestring, "general") && strcmp(id->valuestring, "payment") &&
            strcmp(id->valuestring, "elderly")))
            cJSON_DeleteItemFromArray(services, i);
    }
    cJSON_ArrayForEach(svc, services) cJSON_DeleteItemFromObject(svc, "hours");
    cJSON_ReplaceItemInObject(root, "role", cJSON_CreateString("hub"));
    counters = cJSON_CreateArray();
    staff = cJSON_CreateArray();
    for(i = 1; i <= N_COUNTERS; i++) {
        cJSON *c = cJSON_CreateObject(), *p = cJSON_CreateObject(), *sv = cJSON_CreateArray();
        snprintf(s, sizeof(s), "c%d", i);
        cJSON_AddStringToObject(c, "id", s);
        cJSON_AddNumberToObject(c, "number", i);
        snprintf(s, sizeof(s), "%d号窗口", i);
        cJSON_AddStringToObject(c, "name_zh", s);
        snprintf(s, sizeof(s), "Counter %d", i);
        cJSON_AddStringToObject(c, "name_en", s);
        cJSON_AddItemToArray(sv, cJSON_CreateString("general"));
        cJSON_AddItemToObject(c, "services", sv);
        cJSON_AddItemToArray(counters, c);
        snprintf(s, sizeof(s), "s%d", i);
        cJSON_AddStringToObject(p, "id", s);
        snprintf(s, sizeof(s), "员工%d", i);
        cJSON_AddStringToObject(p, "name_zh", s);
        snprintf(s, sizeof(s), "Staff %d", i);
        cJSON_AddStringToObject(p, "name_en", s);
        cJSON_AddStringToObject(p, "pin_hash", hash->valuestring);
        cJSON_AddItemToArray(staff, p);
    }
    /* c17: the payment and elderly tickets (snapshot and fan-out load) are
     * served here, never called by the 16 general counters */
    {
        cJSON *c = cJSON_CreateObject(), *sv = cJSON_CreateArray();
        cJSON_AddStringToObject(c, "id", "c17");
        cJSON_AddNumberToObject(c, "number", 17);
        cJSON_AddStringToObject(c, "name_zh", "17号窗口");
        cJSON_AddStringToObject(c, "name_en", "Counter 17");
        cJSON_AddItemToArray(sv, cJSON_CreateString("payment"));
        cJSON_AddItemToArray(sv, cJSON_CreateString("elderly"));
        cJSON_AddItemToObject(c, "services", sv);
        cJSON_AddItemToArray(counters, c);
    }
    cJSON_ReplaceItemInObject(root, "counters", counters);
    cJSON_ReplaceItemInObject(root, "staff", staff);
    out = cJSON_Print(root);
    snprintf(h->cfg, sizeof(h->cfg), "%s/branch.json", h->dir);
    if(out && write_file(h->cfg, out, strlen(out)) == 0)
        rc = 0;
    cJSON_free(out);
out:
    cJSON_Delete(root);
    return rc;
}

static int hub_start(hub_ctx_t *h)
{
    char data[600], line[256];
    const char *argv[] = { h->o->hallkiosk, "--role", "hub",      "--config",    h->cfg,
                           "--data-dir",    data,     "--listen", "127.0.0.1:0", NULL };
    const char *p;

    snprintf(data, sizeof(data), "%s/hub-data", h->dir);
    snprintf(h->hub.log, sizeof(h->hub.log), "%s/hub.log", h->dir);
    if(spawn(&h->hub, argv) != 0 ||
       wait_log(&h->hub, "LAN API on http://127.0.0.1:", START_MS, line, sizeof(line)) != 0)
        return -1;
    p = strstr(line, "127.0.0.1:");
    h->port = p ? atoi(p + 10) : 0;
    return h->port > 0 ? 0 : -1;
}

static int issue_tickets(hconn_t *c, const char *service, int n)
{
    char body[64];
    int i;

    snprintf(body, sizeof(body), "{\"service\":\"%s\"}", service);
    for(i = 0; i < n; i++)
        if(hc_req(c, "POST", "/api/v1/tickets", KIOSK_TOKEN, body, NULL) != 201)
            return -1;
    return 0;
}

static int login_all(hub_ctx_t *h, hconn_t *c)
{
    char body[96];
    const char *r;
    int i;

    for(i = 0; i < N_COUNTERS; i++) {
        char path[64];
        snprintf(body, sizeof(body), "{\"staff_id\":\"s%d\",\"pin\":\"" DEMO_PIN "\"}", i + 1);
        if(hc_req(c, "POST", "/api/v1/sessions", NULL, body, &r) != 201)
            return -1;
        json_str(r, "session", h->sessions[i], sizeof(h->sessions[i]));
        /* the counter stamps this member of staff on what it calls */
        snprintf(path, sizeof(path), "/api/v1/counters/c%d/open", i + 1);
        if(hc_req(c, "POST", path, h->sessions[i], NULL, NULL) != 200)
            return -1;
    }
    return 0;
}

/* ---- 1. snapshot reads: hub beside nginx ----------------------------------- */

typedef struct wrk_result {
    double rps, p99_ms;
    long long requests, non2xx;
} wrk_result_t;

static double unit_ms(const char *num)
{
    char *end;
    double v = strtod(num, &end);

    if(!strncmp(end, "us", 2))
        return v / 1000.0;
    if(!strncmp(end, "ms", 2))
        return v;
    if(!strncmp(end, "s", 1))
        return v * 1000.0;
    if(!strncmp(end, "m", 1))
        return v * 60000.0;
    return v;
}

static int run_wrk_cmd(const char *cmd, wrk_result_t *w);

static int run_wrk(int port, int seconds, wrk_result_t *w)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd),
             "wrk -t2 -c16 -d%ds --latency -H 'Authorization: Bearer " KIOSK_TOKEN
             "' http://127.0.0.1:%d/api/v1/snapshot 2>&1",
             seconds, port);
    return run_wrk_cmd(cmd, w);
}

/* one connection: the hub's own time per snapshot, without queueing */
static int run_wrk1(int port, wrk_result_t *w)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd),
             "wrk -t1 -c1 -d2s --latency -H 'Authorization: Bearer " KIOSK_TOKEN
             "' http://127.0.0.1:%d/api/v1/snapshot 2>&1",
             port);
    return run_wrk_cmd(cmd, w);
}

static int run_wrk_cmd(const char *cmd, wrk_result_t *w)
{
    char line[512];
    FILE *f;

    memset(w, 0, sizeof(*w));
    w->rps = -1;
    f = popen(cmd, "r");
    if(!f)
        return -1;
    while(fgets(line, sizeof(line), f)) {
        char *p;
        if((p = strstr(line, "Requests/sec:")) != NULL)
            w->rps = atof(p + 13);
        else if((p = strstr(line, " 99%")) != NULL)
            w->p99_ms = unit_ms(p + 4 + strspn(p + 4, " \t"));
        else if((p = strstr(line, "requests in")) != NULL)
            w->requests = atoll(line + strspn(line, " "));
        else if((p = strstr(line, "Non-2xx or 3xx responses:")) != NULL)
            w->non2xx = atoll(p + 26);
    }
    return pclose(f) == 0 && w->rps > 0 ? 0 : -1;
}

static int nginx_start(hub_ctx_t *h, const char *json, size_t n, proc_t *ng, int *port)
{
    char pre[600], path[700], conf[8192];
    const char *argv[] = { "nginx", "-p", pre, "-e", NULL, "-c", NULL, "-g", "daemon off;", NULL };
    char err_path[700], conf_path[700];
    int k;

    snprintf(pre, sizeof(pre), "%s/nginx", h->dir);
    snprintf(path, sizeof(path), "%s/www", pre);
    if(mkdir(pre, 0755) != 0 || mkdir(path, 0755) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/www/snapshot.json", pre);
    if(write_file(path, json, n) != 0)
        return -1;
    for(k = 0; k < 20; k++) {
        *port = free_port();
        snprintf(
            conf, sizeof(conf),
            "%s"
            "worker_processes 1;\n"
            "pid %s/nginx.pid;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "  access_log off;\n"
            "  keepalive_requests 100000000;\n"
            "  client_body_temp_path %s/body; proxy_temp_path %s/proxy;\n"
            "  fastcgi_temp_path %s/fastcgi; uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n"
            "  server {\n"
            "    listen 127.0.0.1:%d;\n"
            "    root %s/www;\n"
            "    location = /api/v1/snapshot {\n"
            "      default_type application/json; try_files /snapshot.json =404;\n"
            "    }\n"
            "  }\n"
            "}\n",
            geteuid() == 0 ? "user root;\n" : "", pre, pre, pre, pre, pre, pre, *port, pre);
        snprintf(conf_path, sizeof(conf_path), "%s/nginx.conf", pre);
        snprintf(err_path, sizeof(err_path), "%s/error.log", pre);
        snprintf(ng->log, sizeof(ng->log), "%s/stderr.log", pre);
        if(write_file(conf_path, conf, strlen(conf)) != 0)
            return -1;
        argv[4] = err_path;
        argv[6] = conf_path;
        if(spawn(ng, argv) != 0)
            return -1;
        /* ready when it answers */
        for(int i = 0; i < 200; i++) {
            int fd = tcp_connect(*port), status;
            if(fd >= 0) {
                close(fd);
                return 0;
            }
            if(bench_wait_exit(ng->pid, 0, &status) == 0)
                break; /* port taken meanwhile, or no nginx: try again */
            bench_sleep_ms(10);
        }
        bench_stop_child(ng->pid);
        ng->pid = 0;
        if(access("/usr/sbin/nginx", X_OK) != 0)
            return -1;
    }
    return -1;
}

static void part_snapshot(hub_ctx_t *h, hconn_t *c)
{
    bench_table_t *t = h->t;
    const char *body;
    proc_t ng = { 0, "" };
    wrk_result_t wh, wn, tmp;
    int ng_port = 0, st;
    size_t n;

    fprintf(stderr, "hk_bench: hub: snapshot reads, %d tickets waiting, hub and nginx\n",
            SNAP_TICKETS);
    if(issue_tickets(c, "payment", SNAP_TICKETS) != 0 ||
       (st = hc_req(c, "GET", "/api/v1/snapshot", KIOSK_TOKEN, NULL, &body)) != 200) {
        bench_row(t, "hub snapshot reads/s (wrk, 16 conn)", BENCH_NOT_MEASURED, "-",
                  "cannot issue tickets or read the snapshot");
        return;
    }
    n = c->len - (size_t)(body - c->buf);
    if(nginx_start(h, body, n, &ng, &ng_port) != 0) {
        bench_row(t, "hub / nginx snapshot reads/s", BENCH_NOT_MEASURED, ">= 0.5",
                  "nginx did not start (apt install nginx-light)");
        ng.pid = 0;
    }
    /* warm both (page cache, first connections), then measure each 5 s */
    (void)run_wrk(h->port, 1, &tmp);
    if(ng.pid > 0)
        (void)run_wrk(ng_port, 1, &tmp);
    if(run_wrk(h->port, 5, &wh) != 0) {
        bench_row(t, "hub snapshot reads/s (wrk, 16 conn)", BENCH_NOT_MEASURED, "-",
                  "wrk failed (apt install wrk)");
        bench_stop_child(ng.pid);
        return;
    }
    if(run_wrk1(h->port, &tmp) == 0)
        bench_row(t, "hub GET /snapshot, wrk -t1 -c1 2 s", BENCH_INFO, "-",
                  "%.0f req/s, p99 %.2f ms", tmp.rps, tmp.p99_ms);
    bench_row(t, "hub GET /snapshot, wrk -t2 -c16 5 s", BENCH_INFO, "-", "%.0f req/s, p99 %.2f ms",
              wh.rps, wh.p99_ms);
    if(ng.pid > 0 && run_wrk(ng_port, 5, &wn) == 0) {
        double ratio = wh.rps / wn.rps;
        bench_row(t, "nginx, same JSON as a static file", BENCH_INFO, "-",
                  "%.0f req/s, p99 %.2f ms", wn.rps, wn.p99_ms);
        bench_row(t, "snapshot reads/s, hub / nginx", ratio >= 0.5 ? BENCH_OK : BENCH_MISSED,
                  ">= 0.5", "%.2f", ratio);
        if(wn.non2xx)
            bench_note(t, "nginx answered %lld non-2xx (the ratio is void)", wn.non2xx);
    }
    if(wh.non2xx)
        bench_note(t, "hub answered %lld of %lld snapshot reads non-2xx (e.g. 503 busy)", wh.non2xx,
                   wh.requests);
    bench_note(t, "snapshot: %zu bytes of JSON, %d tickets waiting; nginx 1 worker, same bytes", n,
               SNAP_TICKETS);
    bench_stop_child(ng.pid);
}

/* ---- 2. call-next, 16 clients ----------------------------------------------- */

typedef struct caller {
    hub_ctx_t *h;
    int calls;
    int idx; /* counter c(idx+1), staff s(idx+1) */
    double ms[SOLO_CALLS > CALLS_PER_CLIENT ? SOLO_CALLS : CALLS_PER_CLIENT];
    int n, errors;
    pthread_barrier_t *go;
} caller_t;

static void *caller_run(void *arg)
{
    caller_t *c = arg;
    hconn_t hc;
    char path[64], fin[96];
    const char *r;
    int i;

    if(hc_open(&hc, c->h->port) != 0) {
        c->errors++;
        pthread_barrier_wait(c->go);
        return NULL;
    }
    snprintf(path, sizeof(path), "/api/v1/counters/c%d/call-next", c->idx + 1);
    pthread_barrier_wait(c->go);
    for(i = 0; i < c->calls; i++) {
        int64_t t0 = bench_now_ns(), t1;
        int st = hc_req(&hc, "POST", path, c->h->sessions[c->idx], NULL, &r);
        t1 = bench_now_ns();
        if(st != 200) {
            c->errors++;
            if(st < 0)
                break;
            continue;
        }
        c->ms[c->n++] = (double)(t1 - t0) / 1e6;
        snprintf(fin, sizeof(fin), "/api/v1/tickets/%lld/finish",
                 json_num(strstr(r, "\"ticket\""), "id"));
        if(hc_req(&hc, "POST", fin, c->h->sessions[c->idx], NULL, NULL) != 200)
            c->errors++;
    }
    hc_close(&hc);
    return NULL;
}

/* n_clients callers at c1.., calls each; latencies (ms) into all[]. */
static int run_callers(hub_ctx_t *h, int n_clients, int calls, double *all, int *errors,
                       double *secs)
{
    static caller_t callers[CALL_CLIENTS];
    pthread_t th[CALL_CLIENTS];
    pthread_barrier_t go;
    int i, j, n = 0;
    int64_t t0;

    *errors = 0;
    pthread_barrier_init(&go, NULL, (unsigned)n_clients + 1);
    for(i = 0; i < n_clients; i++) {
        memset(&callers[i], 0, sizeof(callers[i]));
        callers[i].h = h;
        callers[i].idx = i;
        callers[i].calls = calls;
        callers[i].go = &go;
        pthread_create(&th[i], NULL, caller_run, &callers[i]);
    }
    pthread_barrier_wait(&go);
    t0 = bench_now_ns();
    for(i = 0; i < n_clients; i++) {
        pthread_join(th[i], NULL);
        for(j = 0; j < callers[i].n; j++)
            all[n++] = callers[i].ms[j];
        *errors += callers[i].errors;
    }
    *secs = (double)(bench_now_ns() - t0) / 1e9;
    pthread_barrier_destroy(&go);
    bench_sort(all, (size_t)n);
    return n;
}

/* The floor under a durable answer on this disk, in the same run: one
 * 4 KiB overwrite of a pre-sized file in the hub's data directory and its
 * fdatasync, as the hub's WAL flush does. No answer that waits for its
 * flush can be faster; its p99 bounds the call's. */
#define FLOOR_WRITES 400

static int disk_floor(const hub_ctx_t *h, double *ms, int *n_out)
{
    static char block[4096];
    char path[600];
    int fd, i, n = 0;

    snprintf(path, sizeof(path), "%s/fsync-floor.bin", h->dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if(fd < 0)
        return -1;
    for(i = 0; i < 256; i++) /* 1 MiB, written and flushed once */
        if(pwrite(fd, block, sizeof(block), (off_t)i * (off_t)sizeof(block)) !=
           (ssize_t)sizeof(block))
            break;
    if(i < 256 || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return -1;
    }
    for(i = 0; i < FLOOR_WRITES; i++) {
        int64_t t0 = bench_now_ns();
        block[0] = (char)i;
        if(pwrite(fd, block, sizeof(block), (off_t)(i % 256) * (off_t)sizeof(block)) !=
               (ssize_t)sizeof(block) ||
           fdatasync(fd) != 0)
            break;
        ms[n++] = (double)(bench_now_ns() - t0) / 1e6;
    }
    close(fd);
    unlink(path);
    bench_sort(ms, (size_t)n);
    *n_out = n;
    return n > 0 ? 0 : -1;
}

static void part_call_next(hub_ctx_t *h, hconn_t *c)
{
    static double all[CALL_CLIENTS * CALLS_PER_CLIENT + SOLO_CALLS];
    int n, errors;
    double secs;

    fprintf(stderr, "hk_bench: hub: call-next, 1 client x %d, then %d clients x %d calls\n",
            SOLO_CALLS, CALL_CLIENTS, CALLS_PER_CLIENT);
    if(issue_tickets(c, "general", CALL_CLIENTS * CALLS_PER_CLIENT + SOLO_CALLS) != 0) {
        bench_row(h->t, "call-next p99, 16 clients", BENCH_NOT_MEASURED, "<= 2 ms",
                  "cannot issue tickets");
        return;
    }
    n = run_callers(h, 1, SOLO_CALLS, all, &errors, &secs);
    if(n > 0)
        bench_row(h->t, "call-next, 1 client, median / p99", BENCH_INFO, "-",
                  "%.2f / %.2f ms (max %.2f, n=%d)", bench_pct(all, (size_t)n, 50),
                  bench_pct(all, (size_t)n, 99), all[n - 1], n);
    {
        static double fl[FLOOR_WRITES];
        int nf = 0;
        if(disk_floor(h, fl, &nf) == 0)
            bench_row(h->t, "floor: 4 KiB write + fdatasync, median / p99", BENCH_INFO, "-",
                      "%.2f / %.2f ms (max %.2f, n=%d)", bench_pct(fl, (size_t)nf, 50),
                      bench_pct(fl, (size_t)nf, 99), fl[nf - 1], nf);
        else
            bench_row(h->t, "floor: 4 KiB write + fdatasync, median / p99", BENCH_NOT_MEASURED, "-",
                      "could not write in %s", h->dir);
    }
    n = run_callers(h, CALL_CLIENTS, CALLS_PER_CLIENT, all, &errors, &secs);
    if(n == 0) {
        bench_row(h->t, "call-next p99, 16 clients", BENCH_NOT_MEASURED, "<= 2 ms",
                  "no call succeeded");
        return;
    }
    bench_row(h->t, "call-next, 16 clients, median / p99",
              bench_pct(all, (size_t)n, 99) <= 2.0 ? BENCH_OK : BENCH_MISSED, "p99 <= 2 ms",
              "%.2f / %.2f ms (max %.2f, n=%d)", bench_pct(all, (size_t)n, 50),
              bench_pct(all, (size_t)n, 99), all[n - 1], n);
    bench_note(h->t,
               "call-next x16: %d calls + as many finishes in %.2f s (%.0f commits/s), %d errors",
               n, secs, 2.0 * n / secs, errors);
}

/* ---- 3. a call reaching the board -------------------------------------------- */

static int display_start(hub_ctx_t *h, proc_t *d, int voice, char *data, size_t size)
{
    char url[64];
    const char *argv[] = { h->o->hallkiosk,
                           "--role",
                           "display",
                           "--config",
                           h->cfg,
                           "--hub",
                           url,
                           "--device",
                           "display-1",
                           "--headless",
                           "--data-dir",
                           data,
                           voice ? NULL : "--no-voice",
                           NULL };

    snprintf(url, sizeof(url), "http://127.0.0.1:%d", h->port);
    snprintf(data, size, "%s/display-%s", h->dir, voice ? "voice" : "quiet");
    snprintf(d->log, sizeof(d->log), "%s.log", data);
    if(spawn(d, argv) != 0)
        return -1;
    if(wait_log(d, "first frame presented", START_MS, NULL, 0) != 0) {
        bench_stop_child(d->pid);
        d->pid = 0;
        return -1;
    }
    bench_sleep_ms(1000); /* its snapshot and event stream are up */
    return 0;
}

/*
 * n calls at c1 by s1, gap_ms apart; presented[] and sample[] (voice) in
 * ms from before the request. Each call is finished just before the next.
 * Returns the number of calls made; *late counts calls that never showed.
 */
static int board_calls(hub_ctx_t *h, hconn_t *c, const proc_t *d, int n, int gap_ms, int voice,
                       double *presented, int *n_pres, double *sample, int *n_sample)
{
    long long prev_id = -1;
    int k, made = 0;

    *n_pres = 0;
    *n_sample = 0;
    for(k = 0; k < n; k++) {
        char number[32], needle[96];
        const char *r;
        int64_t t0, deadline;
        int samples0 = voice ? log_count(d, "first sample: mono-ns", 0, NULL) : 0;
        int got_p = 0, got_s = !voice;
        long long mono = 0;

        if(prev_id > 0) {
            char fin[96];
            snprintf(fin, sizeof(fin), "/api/v1/tickets/%lld/finish", prev_id);
            (void)hc_req(c, "POST", fin, h->sessions[0], NULL, NULL);
        }
        t0 = bench_now_ns();
        if(hc_req(c, "POST", "/api/v1/counters/c1/call-next", h->sessions[0], NULL, &r) != 200)
            break;
        made++;
        prev_id = json_num(strstr(r, "\"ticket\""), "id");
        json_str(r, "number", number, sizeof(number));
        snprintf(needle, sizeof(needle), "] info: call %s presented: mono-ns", number);
        deadline = t0 + (int64_t)gap_ms * 1000000;
        while(bench_now_ns() < deadline && !(got_p && got_s)) {
            bench_sleep_ms(5);
            if(!got_p && log_count(d, needle, 0, &mono) > 0) {
                presented[(*n_pres)++] = (double)(mono - t0) / 1e6;
                got_p = 1;
            }
            if(!got_s && log_count(d, "first sample: mono-ns", samples0, &mono) > samples0) {
                sample[(*n_sample)++] = (double)(mono - t0) / 1e6;
                got_s = 1;
            }
        }
        while(bench_now_ns() < deadline)
            bench_sleep_ms(20);
    }
    if(prev_id > 0) {
        char fin[96];
        snprintf(fin, sizeof(fin), "/api/v1/tickets/%lld/finish", prev_id);
        (void)hc_req(c, "POST", fin, h->sessions[0], NULL, NULL);
    }
    return made;
}

static void row_p99(bench_table_t *t, const char *measure, const char *target, double limit,
                    double *v, int n, int made)
{
    if(n == 0) {
        bench_row(t, measure, BENCH_NOT_MEASURED, target, "no sample in %d calls", made);
        return;
    }
    bench_sort(v, (size_t)n);
    bench_row(t, measure, bench_pct(v, (size_t)n, 99) <= limit ? BENCH_OK : BENCH_MISSED, target,
              "%.1f / %.1f ms (max %.1f, n=%d of %d)", bench_pct(v, (size_t)n, 50),
              bench_pct(v, (size_t)n, 99), v[n - 1], n, made);
}

static void part_board(hub_ctx_t *h, hconn_t *c)
{
    double pres[VOICE_CALLS + BOARD_CALLS], samp[VOICE_CALLS + BOARD_CALLS];
    char data[700];
    proc_t d = { 0, "" };
    int made, np, ns;

    fprintf(stderr, "hk_bench: hub: %d calls to a display without voice, %.1f s apart\n",
            BOARD_CALLS, BOARD_GAP_MS / 1000.0);
    if(issue_tickets(c, "general", BOARD_CALLS + VOICE_CALLS) != 0 ||
       display_start(h, &d, 0, data, sizeof(data)) != 0) {
        bench_row(h->t, "call -> board frame presented p99", BENCH_NOT_MEASURED, "<= 50 ms",
                  "the display did not start (log %s)", d.log);
    } else {
        made = board_calls(h, c, &d, BOARD_CALLS, BOARD_GAP_MS, 0, pres, &np, samp, &ns);
        row_p99(h->t, "call -> board frame presented, med / p99", "p99 <= 50 ms", 50, pres, np,
                made);
        bench_stop_child(d.pid);
    }
    fprintf(stderr, "hk_bench: hub: %d calls to a display speaking to a WAV, %.1f s apart\n",
            VOICE_CALLS, VOICE_GAP_MS / 1000.0);
    if(display_start(h, &d, 1, data, sizeof(data)) != 0) {
        bench_row(h->t, "call -> first voice sample p99", BENCH_NOT_MEASURED, "<= 300 ms",
                  "the display with voice did not start (log %s)", d.log);
        return;
    }
    made = board_calls(h, c, &d, VOICE_CALLS, VOICE_GAP_MS, 1, pres, &np, samp, &ns);
    row_p99(h->t, "call -> first voice sample (WAV), med / p99", "p99 <= 300 ms", 300, samp, ns,
            made);
    if(np > 0) {
        bench_sort(pres, (size_t)np);
        bench_note(h->t, "with the voice on, call -> frame presented: median %.1f, max %.1f ms",
                   bench_pct(pres, (size_t)np, 50), pres[np - 1]);
    }
    bench_note(h->t,
               "board: calls at one counter %.1f s apart (%.1f s with voice: a call is held "
               ">= 3 s and until announced); headless, voice to a WAV",
               BOARD_GAP_MS / 1000.0, VOICE_GAP_MS / 1000.0);
    bench_stop_child(d.pid);
}

/* ---- 4. event fan-out ---------------------------------------------------------- */

typedef struct sub {
    int fd;
    char line[8192];
    size_t len;
    long long cur_id;
    long long bytes;
} sub_t;

#define FANOUT_SLOTS 4096 /* events kept by seq, seq % FANOUT_SLOTS */

typedef struct fanout {
    sub_t subs[FANOUT_SUBS];
    long long seq[FANOUT_SLOTS];
    int got[FANOUT_SLOTS];
    int64_t last_ns[FANOUT_SLOTS];
    int stop;
    pthread_mutex_t mu;
} fanout_t;

static void sub_line(fanout_t *f, sub_t *s, int64_t now)
{
    if(s->len && s->line[s->len - 1] == '\r')
        s->len--;
    s->line[s->len] = 0;
    if(!strncmp(s->line, "id:", 3)) {
        s->cur_id = atoll(s->line + 3);
    } else if(s->len == 0 && s->cur_id > 0) {
        int k = (int)(s->cur_id % FANOUT_SLOTS);
        pthread_mutex_lock(&f->mu);
        if(f->seq[k] != s->cur_id) {
            f->seq[k] = s->cur_id;
            f->got[k] = 0;
            f->last_ns[k] = 0;
        }
        f->got[k]++;
        if(now > f->last_ns[k])
            f->last_ns[k] = now;
        pthread_mutex_unlock(&f->mu);
        s->cur_id = 0;
    }
    s->len = 0;
}

static void *fanout_reader(void *arg)
{
    fanout_t *f = arg;
    struct pollfd pfd[FANOUT_SUBS];
    char buf[16384];
    int i;

    for(i = 0; i < FANOUT_SUBS; i++) {
        pfd[i].fd = f->subs[i].fd;
        pfd[i].events = POLLIN;
    }
    while(!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
        int pr = poll(pfd, FANOUT_SUBS, 50);
        if(pr <= 0)
            continue;
        for(i = 0; i < FANOUT_SUBS; i++) {
            sub_t *s = &f->subs[i];
            ssize_t r, j;
            int64_t now;
            if(!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            r = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
            now = bench_now_ns();
            if(r <= 0) {
                if(r == 0 || (errno != EAGAIN && errno != EINTR))
                    pfd[i].fd = -1;
                continue;
            }
            s->bytes += r;
            for(j = 0; j < r; j++) {
                if(buf[j] == '\n')
                    sub_line(f, s, now);
                else if(s->len < sizeof(s->line) - 1)
                    s->line[s->len++] = buf[j];
            }
        }
    }
    return NULL;
}

static void part_fanout(hub_ctx_t *h, hconn_t *c)
{
    static fanout_t f;
    static double ms[FANOUT_EVENTS];
    pthread_t th;
    const char *r;
    int i, k, n = 0, lost = 0, open_subs = 0;
    int64_t t0s[FANOUT_EVENTS];
    char req[256];

    fprintf(stderr, "hk_bench: hub: fan-out to %d subscribers, %d events\n", FANOUT_SUBS,
            FANOUT_EVENTS);
    memset(&f, 0, sizeof(f));
    pthread_mutex_init(&f.mu, NULL);
    snprintf(req, sizeof(req),
             "GET /api/v1/events?access_token=" DISPLAY_TOKEN " HTTP/1.1\r\nHost: "
             "127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    for(i = 0; i < FANOUT_SUBS; i++) {
        f.subs[i].fd = tcp_connect(h->port);
        if(f.subs[i].fd >= 0 && send_all(f.subs[i].fd, req, strlen(req)) == 0)
            open_subs++;
    }
    if(open_subs < FANOUT_SUBS) {
        bench_row(h->t, "fan-out to 50 subscribers p99", BENCH_NOT_MEASURED, "<= 20 ms",
                  "%d of %d streams opened", open_subs, FANOUT_SUBS);
        goto out;
    }
    pthread_create(&th, NULL, fanout_reader, &f);
    /* every stream has its first (snapshot) event */
    for(i = 0; i < 400; i++) {
        int ready = 0;
        for(k = 0; k < FANOUT_SUBS; k++)
            ready += __atomic_load_n(&f.subs[k].bytes, __ATOMIC_RELAXED) > 0;
        if(ready == FANOUT_SUBS)
            break;
        bench_sleep_ms(10);
    }
    bench_sleep_ms(300);
    for(k = 0; k < FANOUT_EVENTS; k++) {
        int64_t deadline;
        long long seq;
        t0s[k] = bench_now_ns();
        if(hc_req(c, "POST", "/api/v1/tickets", KIOSK_TOKEN, "{\"service\":\"elderly\"}", &r) !=
           201)
            break;
        seq = json_num(r, "journal_seq");
        deadline = t0s[k] + 2000000000LL;
        for(;;) {
            int got, slot = (int)(seq % FANOUT_SLOTS);
            int64_t last;
            pthread_mutex_lock(&f.mu);
            got = f.seq[slot] == seq ? f.got[slot] : 0;
            last = f.last_ns[slot];
            pthread_mutex_unlock(&f.mu);
            if(got >= FANOUT_SUBS) {
                ms[n++] = (double)(last - t0s[k]) / 1e6;
                break;
            }
            if(bench_now_ns() > deadline) {
                lost++;
                break;
            }
            bench_sleep_ms(1);
        }
        bench_sleep_ms(FANOUT_GAP_MS);
    }
    __atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    row_p99(h->t, "commit -> 50th subscriber has it, med / p99", "p99 <= 20 ms", 20, ms, n, k);
    if(lost)
        bench_note(h->t, "fan-out: %d event(s) did not reach all %d subscribers within 2 s", lost,
                   FANOUT_SUBS);
    bench_note(h->t,
               "fan-out: %d SSE connections read by one poll() thread in the bench; commits are "
               "ticket issues %d ms apart; time taken when the last one has the whole event",
               FANOUT_SUBS, FANOUT_GAP_MS);
out:
    for(i = 0; i < FANOUT_SUBS; i++)
        if(f.subs[i].fd >= 0)
            close(f.subs[i].fd);
    pthread_mutex_destroy(&f.mu);
}

/* ---- 5. the hub alone ------------------------------------------------------------ */

static void part_alone(hub_ctx_t *h)
{
    long pss = 0, rss = 0;
    long long t0 = 0, t1 = 0, ns0, ns1;
    double hz = (double)sysconf(_SC_CLK_TCK), cpu_s;
    int64_t w0, w1;
    char m[64];

    fprintf(stderr, "hk_bench: hub: memory, then %d s idle CPU\n", h->o->idle_s);
    bench_sleep_ms(2000); /* its connection threads end */
    if(bench_read_pss_kb(h->hub.pid, &pss, &rss) == 0)
        bench_row(h->t, "hub PSS after the load, clients gone",
                  pss <= 16 * 1024 ? BENCH_OK : BENCH_MISSED, "<= 16 MB", "%.1f MB (RSS %.1f MB)",
                  (double)pss / 1024.0, (double)rss / 1024.0);
    else
        bench_row(h->t, "hub PSS after the load", BENCH_NOT_MEASURED, "<= 16 MB",
                  "cannot read /proc/%d/smaps_rollup", (int)h->hub.pid);
    w0 = bench_now_ns();
    ns0 = bench_read_cpu_ns(h->hub.pid);
    if(bench_read_cpu_ticks(h->hub.pid, &t0) != 0) {
        bench_row(h->t, "hub idle CPU", BENCH_NOT_MEASURED, "<= 0.01 s/10s", "hub went away");
        return;
    }
    bench_sleep_ms(h->o->idle_s * 1000);
    if(bench_read_cpu_ticks(h->hub.pid, &t1) != 0) {
        bench_row(h->t, "hub idle CPU", BENCH_NOT_MEASURED, "<= 0.01 s/10s", "hub went away");
        return;
    }
    ns1 = bench_read_cpu_ns(h->hub.pid);
    w1 = bench_now_ns();
    cpu_s = (double)(t1 - t0) / hz;
    snprintf(m, sizeof(m), "hub idle CPU over %d s, utime+stime", h->o->idle_s);
    bench_row(h->t, m, cpu_s * 10.0 / h->o->idle_s <= 0.01 ? BENCH_OK : BENCH_MISSED,
              "<= 0.01 s/10s", "%.2f s (%lld ticks); schedstat %.2f ms", cpu_s, t1 - t0,
              ns0 >= 0 && ns1 >= 0 ? (double)(ns1 - ns0) / 1e6 : -1.0);
    (void)w0;
    (void)w1;
}

void bench_hub(const bench_opts_t *o, bench_table_t *t)
{
    static hub_ctx_t h;
    hconn_t c;

    memset(&h, 0, sizeof(h));
    h.o = o;
    h.t = t;
    c.fd = -1;
    c.buf = NULL;
    if(access(o->hallkiosk, X_OK) != 0) {
        bench_row(t, "hub", BENCH_NOT_MEASURED, "-", "no hallkiosk at %s", o->hallkiosk);
        return;
    }
    if(bench_mkdtemp(o, "hub", h.dir, sizeof(h.dir)) != 0)
        return;
    if(write_config(&h) != 0) {
        bench_row(t, "hub", BENCH_NOT_MEASURED, "-", "cannot write the bench's branch config");
        goto out;
    }
    fprintf(stderr, "hk_bench: hub: starting hallkiosk --role hub\n");
    if(hub_start(&h) != 0 || hc_open(&c, h.port) != 0 || login_all(&h, &c) != 0) {
        bench_row(t, "hub", BENCH_NOT_MEASURED, "-", "the hub did not start or refused logins");
        goto out;
    }
    part_snapshot(&h, &c);
    part_call_next(&h, &c);
    part_board(&h, &c);
    part_fanout(&h, &c);
    hc_close(&c);
    part_alone(&h);
out:
    hc_close(&c);
    if(h.hub.pid > 0)
        bench_stop_child(h.hub.pid);
    bench_rm_rf(h.dir);
}
