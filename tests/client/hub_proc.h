/*
 * hub_proc: a real hub process (build/hallkiosk --role hub) for the client
 * tests, on a fixed loopback port chosen free at first start, so a client
 * can reconnect to the same address after the hub is killed and started
 * again on the same data dir. Header-only (static inline) so each test
 * executable takes what it uses.
 */
#ifndef HK_TESTS_CLIENT_HUB_PROC_H
#define HK_TESTS_CLIENT_HUB_PROC_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hk_test.h"

/* The demo branch of the contract: staff s1 (PIN 246810), kiosk-2 with
 * block 900..949, kiosk-3 with 950..999, the engineer's token. Open all day, every day. */
static const char hub_proc_config[] =
    "{\"role\":\"hub\",\"branch\":{\"id\":\"t1\",\"name_zh\":\"测试厅\",\"name_en\":\"Test "
    "hall\"},"
    "\"services\":["
    "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"General\"},"
    "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费\",\"name_en\":\"Payments\"}],"
    "\"counters\":["
    "{\"id\":\"c1\",\"number\":1,\"services\":[\"general\",\"payment\"]},"
    "{\"id\":\"c2\",\"number\":2,\"services\":[\"general\"]}],"
    "\"device\":{\"id\":\"kiosk-2\",\"token\":\"demo-token-kiosk-2\"},"
    "\"staff\":[{\"id\":\"s1\",\"name_zh\":\"王丽\",\"name_en\":\"Wang Li\",\"pin_hash\":"
    "\"$argon2id$v=19$m=19456,t=2,p=1$9TAmAzTazftkRfPEX45gMw$"
    "5knWFbDoUeD96CmGfXVTf2D1rjGgB3/f7D2lAUd44mQ\"}],"
    "\"devices\":["
    "{\"id\":\"kiosk-1\",\"token\":\"demo-token-kiosk-1\"},"
    "{\"id\":\"kiosk-2\",\"token\":\"demo-token-kiosk-2\",\"block_from\":900,\"block_to\":949},"
    "{\"id\":\"kiosk-3\",\"token\":\"demo-token-kiosk-3\",\"block_from\":950,\"block_to\":999},"
    "{\"id\":\"engineer\",\"token\":\"demo-token-engineer\"}]}";

typedef struct hub_proc {
    const char *tls_cert; /* set both before the first start: the hub serves HTTPS */
    const char *tls_key;
    pid_t pid;
    uint16_t port;
    char cfg[1024];
    char data[1024];
    char err[1024];
    char url[64];
    char cert_path[200]; /* hub_proc_start_tls: its certificate (the test's branch CA) */
    char key_path[200];
} hub_proc_t;

static inline uint16_t hub_proc_free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    uint16_t port = 0;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
       getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if(fd >= 0)
        close(fd);
    return port;
}

static inline void hub_proc_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static inline int64_t hub_proc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A self-signed certificate for 127.0.0.1 (the branch CA of the test). */
static inline bool hub_proc_make_cert(char *cert, char *key, size_t cap)
{
    char cmd[3072];

    snprintf(cert, cap, "%s/hub-cert.pem", hk_test_tmpdir());
    snprintf(key, cap, "%s/hub-key.pem", hk_test_tmpdir());
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
             "-subj /CN=hub -addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s "
             ">/dev/null 2>&1",
             key, cert);
    return system(cmd) == 0;
}

/* Start (or restart on the same port and data dir). */
static inline void hub_proc_start(hub_proc_t *h)
{
    const char *scheme = h->tls_cert ? "https" : "http";
    char bin[1024], listen[64], needle[96];
    FILE *f;
    int i;

    if(!h->port) {
        h->port = hub_proc_free_port();
        HK_ASSERT(h->port > 0);
        snprintf(h->cfg, sizeof(h->cfg), "%s/branch.json", hk_test_tmpdir());
        snprintf(h->data, sizeof(h->data), "%s/hubdata", hk_test_tmpdir());
        snprintf(h->err, sizeof(h->err), "%s/hub.err", hk_test_tmpdir());
        snprintf(h->url, sizeof(h->url), "%s://127.0.0.1:%u", scheme, h->port);
        f = fopen(h->cfg, "w");
        HK_ASSERT(f);
        if(h->tls_cert)
            fprintf(f, "{\"hub\":{\"tls_cert\":\"%s\",\"tls_key\":\"%s\"},%s", h->tls_cert,
                    h->tls_key, hub_proc_config + 1);
        else
            fputs(hub_proc_config, f);
        fclose(f);
    }
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(listen, sizeof(listen), "127.0.0.1:%u", h->port);
    snprintf(needle, sizeof(needle), "LAN API on %s://127.0.0.1:%u", scheme, h->port);
    remove(h->err);
    h->pid = fork();
    HK_ASSERT(h->pid >= 0);
    if(h->pid == 0) {
        FILE *e = freopen(h->err, "w", stderr);
        (void)e;
        execl(bin, bin, "--role", "hub", "--config", h->cfg, "--data-dir", h->data, "--listen",
              listen, (char *)NULL);
        _exit(127);
    }
    for(i = 0; i < 1000 && !hk_test_file_has(h->err, needle); i++)
        hub_proc_sleep_ms(10);
    HK_ASSERT_MSG(hk_test_file_has(h->err, needle), "the hub did not start on %s", listen);
}

/* Start a fresh hub serving HTTPS with a self-signed certificate for
 * 127.0.0.1 (h->cert_path). false (the test skips) without openssl. */
static inline bool hub_proc_start_tls(hub_proc_t *h)
{
    memset(h, 0, sizeof(*h));
    if(!hub_proc_make_cert(h->cert_path, h->key_path, sizeof(h->cert_path))) {
        printf("# skipped: no openssl to make a test certificate\n");
        return false;
    }
    h->tls_cert = h->cert_path;
    h->tls_key = h->key_path;
    hub_proc_start(h);
    return true;
}

/* SIGKILL: the hub dies as in a power cut. */
static inline void hub_proc_kill(hub_proc_t *h)
{
    int status;

    if(h->pid <= 0)
        return;
    kill(h->pid, SIGKILL);
    waitpid(h->pid, &status, 0);
    h->pid = -1;
}

/* SIGTERM, escalating to SIGKILL after 10 s. */
static inline void hub_proc_stop(hub_proc_t *h)
{
    int status = 0, i;

    if(h->pid <= 0)
        return;
    kill(h->pid, SIGTERM);
    for(i = 0; i < 1000; i++) {
        if(waitpid(h->pid, &status, WNOHANG) == h->pid)
            break;
        hub_proc_sleep_ms(10);
    }
    if(i == 1000) {
        kill(h->pid, SIGKILL);
        waitpid(h->pid, &status, 0);
    }
    h->pid = -1;
}

/* A headless LAN-client kiosk (hallkiosk --role kiosk --hub h) as kiosk-2 at
 * 1080x1920 on SDL's offscreen driver, running script with its data in
 * data, its stderr (the log) into err, screenshots into shots (NULL: none);
 * waits for it. Its exit status, or -1 when it did not exit. */
static inline int hub_proc_run_kiosk(const hub_proc_t *h, const char *cfg, const char *script,
                                     const char *data, const char *err, const char *shots)
{
    char bin[1024];
    const char *argv[24];
    int n = 0, status;
    pid_t pid;

    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    argv[n++] = bin;
    argv[n++] = "--role";
    argv[n++] = "kiosk";
    argv[n++] = "--config";
    argv[n++] = cfg;
    argv[n++] = "--device";
    argv[n++] = "kiosk-2";
    argv[n++] = "--hub";
    argv[n++] = h->url;
    argv[n++] = "--headless";
    argv[n++] = "--size";
    argv[n++] = "1080x1920";
    argv[n++] = "--data-dir";
    argv[n++] = data;
    argv[n++] = "--script";
    argv[n++] = script;
    argv[n++] = "--no-voice";
    if(shots) {
        argv[n++] = "--screenshot-dir";
        argv[n++] = shots;
    }
    argv[n] = NULL;
    fflush(stdout);
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        if(!freopen(err, "w", stderr))
            _exit(126);
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        unsetenv("HK_DATA_DIR");
        execv(bin, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    HK_ASSERT(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
