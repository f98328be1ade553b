/*
 * integ: helpers for the integration tests, which run a branch of real
 * processes (build/hallkiosk in its roles) on 127.0.0.1 and drive them over
 * the LAN API. Header-only (static inline) so each test executable takes
 * what it uses.
 *
 * - Child processes: integ_spawn() records every child; integ_kill_all()
 *   (tearDown) SIGKILLs whatever is still running, so a failed assertion
 *   never leaves a hub or a kiosk behind. Children also get
 *   PR_SET_PDEATHSIG, so they die with the test if ctest kills it.
 * - HTTP with timeouts (hk_http's client has none): a hub that hangs fails
 *   the call after timeout_ms instead of hanging the test.
 * - Logs: whole-file searches (hk_test_file_has reads only 4 KB) and waits
 *   on a log line with a deadline, failing early when the process exited.
 * - JSON: the product's parser (hk_json, cJSON) with a large byte cap for
 *   /visits of a thousand tickets.
 */
#ifndef HK_TESTS_INTEGRATION_INTEG_H
#define HK_TESTS_INTEGRATION_INTEG_H

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hk_http.h"
#include "hk_json.h"
#include "hk_test.h"

/* Every staff PIN of the test branches is 246810 (the sample's s1 hash). */
#define INTEG_PIN "246810"
#define INTEG_PIN_HASH                                       \
    "$argon2id$v=19$m=19456,t=2,p=1$9TAmAzTazftkRfPEX45gMw$" \
    "5knWFbDoUeD96CmGfXVTf2D1rjGgB3/f7D2lAUd44mQ"
#define INTEG_ENGINEER "demo-token-engineer"

/* ---- time ------------------------------------------------------------------ */

static inline int64_t integ_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void integ_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while(nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- child processes --------------------------------------------------------- */

#define INTEG_MAX_PROCS 24

typedef struct integ_proc {
    pid_t pid; /* > 0 while running (not yet reaped) */
    int status;
    char name[32];
    char log[512]; /* its stdout and stderr */
    bool released; /* integ_release()d: the slot may be taken again */
} integ_proc_t;

static integ_proc_t integ_procs[INTEG_MAX_PROCS];
static int integ_n_procs;

/** Run argv (argv[0] a path) with stdout+stderr to log; the slot's index. */
static inline int integ_spawn(const char *name, const char *log, const char *const *argv)
{
    integ_proc_t *p;
    pid_t parent = getpid(), pid;
    char *av[64];
    int n, k, slot;

    for(slot = 0; slot < integ_n_procs && !integ_procs[slot].released; slot++) {
    }
    HK_ASSERT_MSG(slot < INTEG_MAX_PROCS, "too many child processes");
    p = &integ_procs[slot];
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->log, sizeof(p->log), "%.*s", (int)sizeof(p->log) - 1, log);
    remove(log);
    /* everything the child needs is made before the fork: the test may
     * have threads (one may hold malloc's lock), the child only execs */
    for(n = 0; n < 63 && argv[n]; n++)
        av[n] = strdup(argv[n]);
    av[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if(pid != 0)
        for(k = 0; k < n; k++)
            free(av[k]);
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if(getppid() != parent)
            _exit(126); /* the test died before we got here */
        if(fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(av[0], av);
        _exit(127);
    }
    p->pid = pid;
    if(slot == integ_n_procs)
        integ_n_procs++;
    return slot;
}

/** Kill (if running) and free slot i for a later spawn: for tests that
 * start hundreds of processes one after another. */
static inline void integ_release(int i)
{
    integ_proc_t *p = &integ_procs[i];

    if(p->pid > 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &p->status, 0);
        p->pid = -1;
    }
    p->released = true;
}

/** Has it exited? (reaps it; status in integ_procs[i].status) */
static inline bool integ_exited(int i)
{
    integ_proc_t *p = &integ_procs[i];

    if(p->pid <= 0)
        return true;
    if(waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
        p->pid = -1;
        return true;
    }
    return false;
}

/** Wait up to timeout_ms for it to exit by itself; true if it did. */
static inline bool integ_wait_exit(int i, int timeout_ms)
{
    int64_t end = integ_now_ms() + timeout_ms;

    while(!integ_exited(i)) {
        if(integ_now_ms() > end)
            return false;
        integ_sleep_ms(10);
    }
    return true;
}

/** SIGKILL (a power cut) and reap. */
static inline void integ_kill9(int i)
{
    integ_proc_t *p = &integ_procs[i];

    if(p->pid <= 0)
        return;
    kill(p->pid, SIGCONT); /* a stopped child dies at once too */
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &p->status, 0);
    p->pid = -1;
}

/** SIGTERM, SIGKILL after timeout_ms; the exit code, or -1 if it had to be killed. */
static inline int integ_stop(int i, int timeout_ms)
{
    integ_proc_t *p = &integ_procs[i];

    if(p->pid > 0) {
        kill(p->pid, SIGCONT);
        kill(p->pid, SIGTERM);
        if(!integ_wait_exit(i, timeout_ms)) {
            /* say where it hangs (in its log) before the SIGKILL */
            char cmd[1400];
            snprintf(cmd, sizeof(cmd),
                     "{ echo '--- ignored SIGTERM for %d ms:'; grep -E 'State|Sig' /proc/%d/status;"
                     " command -v gdb >/dev/null && gdb -p %d -batch -ex 'thread apply all bt'; }"
                     " >>'%s' 2>&1",
                     timeout_ms, (int)p->pid, (int)p->pid, p->log);
            if(system(cmd) != 0) {
                /* diagnostics only */
            }
            fprintf(stderr, "# %s ignored SIGTERM for %d ms; stacks in %s\n", p->name, timeout_ms,
                    p->log);
            integ_kill9(i);
            return -1;
        }
    }
    return WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
}

/** The exit code of an exited process, -1 for a signal. */
static inline int integ_exit_code(int i)
{
    return WIFEXITED(integ_procs[i].status) ? WEXITSTATUS(integ_procs[i].status) : -1;
}

/** tearDown: nothing outlives a test. */
static inline void integ_kill_all(void)
{
    int i;

    for(i = 0; i < integ_n_procs; i++)
        integ_kill9(i);
    integ_n_procs = 0;
}

/* ---- files and logs ----------------------------------------------------------- */

/** The whole file, NUL-terminated (malloc; NULL if unreadable). */
static inline char *integ_slurp(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 65536, len = 0, n;
    char *buf;

    if(!f)
        return NULL;
    buf = malloc(cap);
    while(buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if(len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if(!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if(buf)
        buf[len] = '\0';
    if(len_out)
        *len_out = len;
    return buf;
}

/** How many times needle occurs in the file. */
static inline int integ_file_count(const char *path, const char *needle)
{
    char *buf = integ_slurp(path, NULL);
    const char *p = buf;
    int n = 0;

    while(p && (p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    free(buf);
    return n;
}

static inline bool integ_file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Wait until process i's log holds needle at least `times` times. Fails the
 * test after timeout_ms, or as soon as the process exited without it. */
static inline void integ_wait_log_n(int i, const char *needle, int times, int timeout_ms)
{
    int64_t end = integ_now_ms() + timeout_ms;

    for(;;) {
        bool gone = integ_exited(i); /* read after: its last words are in */
        if(integ_file_count(integ_procs[i].log, needle) >= times)
            return;
        HK_ASSERT_MSG(!gone, "%s exited (status %d) before logging \"%s\" (x%d); see %s",
                      integ_procs[i].name, integ_procs[i].status, needle, times,
                      integ_procs[i].log);
        HK_ASSERT_MSG(integ_now_ms() < end, "%s: no \"%s\" (x%d) within %d ms; see %s",
                      integ_procs[i].name, needle, times, timeout_ms, integ_procs[i].log);
        integ_sleep_ms(20);
    }
}

static inline void integ_wait_log(int i, const char *needle, int timeout_ms)
{
    integ_wait_log_n(i, needle, 1, timeout_ms);
}

static inline void integ_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    HK_ASSERT_MSG(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* ---- the hub -------------------------------------------------------------------- */

typedef struct integ_hub {
    int proc; /* index in integ_procs, -1 none */
    uint16_t port;
    char cfg[512];
    char data[512];
    char url[64];
    int starts;
} integ_hub_t;

/* Start the hub on cfg and data (port 0 the first time: any free one,
 * found in its log; later starts reuse it), and wait until it serves. */
static inline void integ_hub_start(integ_hub_t *h)
{
    char bin[600], listen[32], log[600], name[16];
    const char *tag = "LAN API on http://127.0.0.1:";
    const char *argv[12];
    char *text, *p;

    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(listen, sizeof(listen), "127.0.0.1:%u", h->port);
    snprintf(log, sizeof(log), "%s/hub-%d.log", hk_test_tmpdir(), ++h->starts);
    snprintf(name, sizeof(name), "hub#%d", h->starts);
    argv[0] = bin;
    argv[1] = "--role";
    argv[2] = "hub";
    argv[3] = "--config";
    argv[4] = h->cfg;
    argv[5] = "--data-dir";
    argv[6] = h->data;
    argv[7] = "--listen";
    argv[8] = listen;
    argv[9] = NULL;
    h->proc = integ_spawn(name, log, argv);
    integ_wait_log(h->proc, "hub running", 20000);
    integ_wait_log(h->proc, tag, 20000);
    text = integ_slurp(log, NULL);
    p = text ? strstr(text, tag) : NULL;
    HK_ASSERT(p);
    if(!h->port)
        h->port = (uint16_t)atoi(p + strlen(tag));
    else
        HK_ASSERT_INT(h->port, atoi(p + strlen(tag)));
    free(text);
    HK_ASSERT(h->port > 0);
    snprintf(h->url, sizeof(h->url), "http://127.0.0.1:%u", h->port);
}

/* ---- HTTP with timeouts ---------------------------------------------------------- */

/* needle (lower case) in hay, ignoring the case of hay */
static inline const char *integ_find_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    for(; *hay; hay++) {
        for(i = 0; i < n && hay[i] && tolower((unsigned char)hay[i]) == needle[i]; i++) {
        }
        if(i == n)
            return hay;
    }
    return NULL;
}

/**
 * One request to 127.0.0.1:port with a bearer token (NULL: none).
 * @return 0 an answer (out->status, out->body; free with hk_http_resp_free),
 *         -1 no connection, no answer or a cut answer within timeout_ms.
 */
static inline int integ_http(uint16_t port, const char *method, const char *path, const char *body,
                             const char *token, hk_http_resp_t *out, int timeout_ms)
{
    struct sockaddr_in sa;
    char head[1024];
    size_t blen = body ? strlen(body) : 0, cap = 16384, len = 0, off = 0;
    int64_t end = integ_now_ms() + timeout_ms;
    char *buf, *sep;
    int fd, n, clen = -1;

    memset(out, 0, sizeof(*out));
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if(fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    n = snprintf(head, sizeof(head),
                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s"
                 "Content-Length: %zu\r\n%s\r\n",
                 method, path, token ? "Authorization: Bearer " : "", token ? token : "",
                 token ? "\r\n" : "", blen, body ? "Content-Type: application/json\r\n" : "");
    buf = malloc(cap + blen + (size_t)n);
    if(!buf || n <= 0 || (size_t)n >= sizeof(head)) {
        free(buf);
        close(fd);
        return -1;
    }
    memcpy(buf, head, (size_t)n);
    if(body)
        memcpy(buf + n, body, blen);
    /* send all (the hub may answer early and close: keep what it says) */
    while(off < (size_t)n + blen) {
        ssize_t w = send(fd, buf + off, (size_t)n + blen - off, MSG_NOSIGNAL);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            break;
        off += (size_t)w;
    }
    for(;;) {
        struct pollfd pf = { fd, POLLIN, 0 };
        int64_t left = end - integ_now_ms();
        ssize_t r;
        if(len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if(!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        if(left <= 0 || poll(&pf, 1, (int)left) <= 0)
            break;
        r = recv(fd, buf + len, cap - len - 1, 0);
        if(r < 0 && errno == EINTR)
            continue;
        if(r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
        /* stop at Content-Length: do not wait for the close */
        sep = strstr(buf, "\r\n\r\n");
        if(sep) {
            const char *cl = integ_find_nocase(buf, "\r\ncontent-length:");
            if(cl && cl < sep)
                clen = atoi(cl + 17);
            if(clen >= 0 && len >= (size_t)(sep + 4 - buf) + (size_t)clen)
                break;
        }
    }
    close(fd);
    buf[len] = '\0';
    sep = strstr(buf, "\r\n\r\n");
    if(!sep || sscanf(buf, "HTTP/1.%*d %d", &out->status) != 1) {
        free(buf);
        out->status = 0;
        return -1;
    }
    out->body_len = len - (size_t)(sep + 4 - buf);
    if(clen >= 0 && out->body_len < (size_t)clen) { /* cut short */
        free(buf);
        out->status = 0;
        return -1;
    }
    *sep = '\0';
    out->body = malloc(out->body_len + 1);
    memcpy(out->body, sep + 4, out->body_len);
    out->body[out->body_len] = '\0';
    out->headers = buf;
    return 0;
}

/* A request that must be answered: its status (the test fails otherwise). */
static inline int integ_req(uint16_t port, const char *method, const char *path, const char *body,
                            const char *token, hk_http_resp_t *out)
{
    int rc = integ_http(port, method, path, body, token, out, 15000);

    HK_ASSERT_MSG(rc == 0, "%s %s: no answer from the hub", method, path);
    return out->status;
}

/* ---- JSON --------------------------------------------------------------------- */

/** Parse a body (the test fails on bad JSON); cJSON_Delete() it. */
static inline cJSON *integ_json(const char *text)
{
    hk_json_limits_t lim = { 64u * 1024 * 1024, 16 };
    hk_diag_t diag;
    cJSON *root = NULL;

    hk_diag_clear(&diag);
    if(hk_json_parse(text, strlen(text), &lim, &root, &diag) != HK_OK)
        hk_test_fail(__FILE__, __LINE__, "bad JSON (%s): %.200s", diag.msg, text);
    return root;
}

/** A string member ("" when missing or null). */
static inline const char *integ_jstr(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(it) ? it->valuestring : "";
}

/** A number member (-1 when missing or null). */
static inline long long integ_jnum(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsNumber(it) ? (long long)it->valuedouble : -1;
}

/** POST /sessions for staff_id: the session token into dst (43 chars). */
static inline int integ_login(uint16_t port, const char *staff_id, char *dst, size_t cap,
                              int timeout_ms)
{
    char body[96];
    hk_http_resp_t r;
    cJSON *root;
    int st;

    snprintf(body, sizeof(body), "{\"staff_id\":\"%s\",\"pin\":\"" INTEG_PIN "\"}", staff_id);
    if(integ_http(port, "POST", "/api/v1/sessions", body, NULL, &r, timeout_ms) != 0)
        return -1;
    st = r.status;
    if(st == 201 && hk_json_parse(r.body, r.body_len, NULL, &root, NULL) == HK_OK) {
        snprintf(dst, cap, "%s", integ_jstr(root, "session"));
        cJSON_Delete(root);
    }
    hk_http_resp_free(&r);
    return st;
}

/* Drop a branch config's hours, the branch's and every service's: open
 * all day. The sample closes at 18:00 Beijing time, and a test run after
 * that must not meet a closed branch (409 on take-number). */
static inline void integ_open_all_day(cJSON *config)
{
    cJSON *svc;

    cJSON_DeleteItemFromObjectCaseSensitive(config, "hours");
    cJSON_ArrayForEach(svc, cJSON_GetObjectItemCaseSensitive(config, "services"))
        cJSON_DeleteItemFromObjectCaseSensitive(svc, "hours");
}

/* The sample branch config with a "central" object of its own (url set)
 * and no data_dir: the caller adds to the returned object and saves root
 * with integ_save_json(). */
static inline cJSON *integ_sample_with_central(const char *url, cJSON **central)
{
    char path[700], *sample;
    cJSON *root;

    snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    sample = integ_slurp(path, NULL);
    HK_ASSERT(sample != NULL);
    root = integ_json(sample);
    free(sample);
    cJSON_DeleteItemFromObjectCaseSensitive(root, "central");
    cJSON_DeleteItemFromObjectCaseSensitive(root, "data_dir");
    integ_open_all_day(root);
    *central = cJSON_AddObjectToObject(root, "central");
    cJSON_AddStringToObject(*central, "url", url);
    return root;
}

/* Write root as JSON to path and free it. */
static inline void integ_save_json(const char *path, cJSON *root)
{
    char *text = cJSON_Print(root);

    integ_write_file(path, text);
    cJSON_free(text);
    cJSON_Delete(root);
}

#endif
