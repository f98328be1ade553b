/*
 * hc_test: see hc_test.h.
 */
#include "hc_test.h"

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hk_test.h"

const char *hc_test_path(const char *dir, const char *name)
{
    static char path[4][1300];
    static int k;

    k = (k + 1) % 4;
    snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
    return path[k];
}

const char *hc_test_find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for(; *hay; hay++)
        if(!strncasecmp(hay, needle, n))
            return hay;
    return NULL;
}

size_t hc_test_on_text(char *p, size_t size, size_t n, void *user)
{
    hc_test_text_t *h = user;
    size_t len = size * n;

    if(h->len + len >= sizeof(h->text))
        len = sizeof(h->text) - 1 - h->len;
    memcpy(h->text + h->len, p, len);
    h->len += len;
    h->text[h->len] = '\0';
    return size * n;
}

CURL *hc_test_easy(const char *url, const char *dir, const char *cert, const char *key,
                   long timeout_ms, curl_write_callback on_body, void *body, hc_test_text_t *h)
{
    CURL *c = curl_easy_init();

    HK_ASSERT(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hc_test_on_text);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CAINFO, hc_test_path(dir, "ca.crt"));
    if(cert) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, hc_test_path(dir, cert));
        curl_easy_setopt(c, CURLOPT_SSLKEY, hc_test_path(dir, key));
    }
    return c;
}

void hc_test_write_file(const char *dir, const char *name, const char *text)
{
    FILE *f = fopen(hc_test_path(dir, name), "w");

    HK_ASSERT(f);
    fputs(text, f);
    fclose(f);
}

pid_t hc_test_start(const char *bin, const char *dir, const char *cfg_name, unsigned *port,
                    int *exit_code)
{
    char err[1300], cfg[1300], line[8192];
    pid_t pid;
    int i, status;

    snprintf(err, sizeof(err), "%s/%s.err", dir, cfg_name);
    snprintf(cfg, sizeof(cfg), "%s/%s", dir, cfg_name);
    remove(err);
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        FILE *e = freopen(err, "w", stderr);
        (void)e;
        (void)prctl(PR_SET_PDEATHSIG, SIGTERM); /* a test that crashes leaves no server */
        execl(bin, bin, "--config", cfg, "--listen", "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    for(i = 0; i < 2000; i++) {
        FILE *f = fopen(err, "r");
        size_t n = 0;
        const char *at;
        if(f) {
            n = fread(line, 1, sizeof(line) - 1, f);
            fclose(f);
        }
        line[n] = '\0';
        at = strstr(line, "listening on https://127.0.0.1:");
        if(at && sscanf(at, "listening on https://127.0.0.1:%u", port) == 1)
            return pid;
        if(waitpid(pid, &status, WNOHANG) == pid) {
            *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            return -1;
        }
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    HK_ASSERT_MSG(0, "hall-central did not start: %s", line);
    return -1;
}

void hc_test_stop(pid_t pid)
{
    int status = 0;

    if(pid <= 0)
        return;
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    HK_ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "hall-central exit status %d",
                  status);
}

int hc_test_run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    char sink[4096];
    size_t n;
    int st;

    HK_ASSERT(p);
    if(out) {
        n = fread(out, 1, cap - 1, p);
        out[n] = '\0';
    }
    while(fread(sink, 1, sizeof(sink), p) > 0) {
    }
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *hc_test_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 65536);

    HK_ASSERT(f && buf);
    (void)fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}
