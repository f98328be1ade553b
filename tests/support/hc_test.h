/*
 * hc_test: what the tests of hall-central as a process share
 * (tests/central/test_central_server.c, test_central_pages.c): paths in the
 * test's directory, starting the server on any free port and stopping it,
 * a libcurl handle set up for it (its CA, optionally a client certificate,
 * body and header callbacks), a case-insensitive search in the headers.
 */
#ifndef HK_TESTS_SUPPORT_HC_TEST_H
#define HK_TESTS_SUPPORT_HC_TEST_H

#include <curl/curl.h>
#include <stddef.h>
#include <sys/types.h>

/* What libcurl hands hc_test_on_text: the headers (CURLOPT_HEADERDATA) or
 * a small body (CURLOPT_WRITEDATA). */
typedef struct hc_test_text {
    char text[8192]; /* all of it, NUL-terminated, cut at the end */
    size_t len;
} hc_test_text_t;

/** dir/name in one of 4 rotating static buffers (so a call may use a few). */
const char *hc_test_path(const char *dir, const char *name);

/** Case-insensitive strstr (strcasestr is a GNU extension). */
const char *hc_test_find_ci(const char *hay, const char *needle);

/** CURLOPT_HEADERFUNCTION or CURLOPT_WRITEFUNCTION: append to the hc_test_text_t in user. */
size_t hc_test_on_text(char *p, size_t size, size_t n, void *user);

/**
 * A libcurl handle for url that trusts dir/ca.crt, presents dir/cert and
 * dir/key when cert is not NULL, gives the body to on_body(…, body) and the
 * headers to h, and gives up after timeout_ms (no signals). Asserts.
 */
CURL *hc_test_easy(const char *url, const char *dir, const char *cert, const char *key,
                   long timeout_ms, curl_write_callback on_body, void *body, hc_test_text_t *h);

/**
 * Run a shell command line (popen), its stdout into out (cap bytes, cut),
 * or read and dropped when out is NULL (PROVISION's tests).
 * @return its exit code; -1 when it did not exit.
 */
int hc_test_run(const char *cmd, char *out, size_t cap);

/** A whole small file (at most 64 KiB) as a string: free() it (asserts). */
char *hc_test_slurp(const char *path);

/** Write text into dir/name (asserts). */
void hc_test_write_file(const char *dir, const char *name, const char *text);

/**
 * Start the hall-central at bin with --config dir/cfg_name on 127.0.0.1, any
 * free port (read from its log line); its stderr goes to dir/cfg_name.err;
 * it gets SIGTERM when the test dies.
 * @param port       set when it listens.
 * @param exit_code  set when it exited instead.
 * @return its pid, or -1 when it exited (asserts when it neither listens
 *         nor exits within 20 s).
 */
pid_t hc_test_start(const char *bin, const char *dir, const char *cfg_name, unsigned *port,
                    int *exit_code);

/** SIGTERM and wait; asserts a clean exit 0. pid <= 0: nothing. */
void hc_test_stop(pid_t pid);

#endif
