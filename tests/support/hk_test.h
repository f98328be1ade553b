/*
 * hk_test: the minimal unit-test harness (Unity-shaped). A test file
 * defines setUp()/tearDown() and its test functions, and main() calls
 * hk_test_run() for each. A failed assertion prints file:line and the
 * values, then abandons that test (longjmp) and runs tearDown().
 * Every test also checks that hk_mem_live() is back where it started.
 */
#ifndef HK_TESTS_SUPPORT_HK_TEST_H
#define HK_TESTS_SUPPORT_HK_TEST_H

#include <stdint.h>
#include <string.h>

void setUp(void);
void tearDown(void);

/** Run one test; name is printed. */
void hk_test_run(const char *name, void (*fn)(void));
/** Print a summary; returns the process exit code. */
int hk_test_end(void);

/** A fresh empty temp dir for the running test (removed after a pass). */
const char *hk_test_tmpdir(void);
/** Join hk_test_tmpdir() and name into a static buffer (next call reuses it). */
const char *hk_test_path(const char *name);

/**
 * The step of an allocation-failure loop (for(n = 1; ...; n += step)): 1,
 * every allocation fails once, unless HK_TEST_FAIL_STEP says otherwise. The
 * device cross builds set it (tests/CMakeLists.txt) so the loops sample the
 * failure points under qemu-user, where each point costs ~20x (HK_TEST_FAIL_STEP=50 there); the native
 * runs still fail every one.
 */
long hk_test_fail_step(void);

/** True when the first 4 KB of the file at path contain needle (logs, stderr). */
int hk_test_file_has(const char *path, const char *needle);
/** Does the whole file hold needle's bytes anywhere (binary: PNGs, SQLite
 *  files, logs)? 0 when there is no file. (submission, issue 8.5) */
int hk_test_file_has_bytes(const char *path, const char *needle);
/** The whole file, NUL-terminated (len may be NULL); free with hk_free().
 *  NULL when it cannot be read. */
char *hk_test_read_file(const char *path, size_t *len);
/** The first column of sql's first row in the SQLite file at path (opened
 *  read-only); -1 when there is no row. Fails the test on an SQL error. */
int hk_test_db_int(const char *path, const char *sql);

void hk_test_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((noreturn, format(printf, 3, 4)))
#endif
    ;

#define HK_RUN(fn) hk_test_run(#fn, fn)

#define HK_ASSERT(c)                                           \
    do {                                                       \
        if(!(c))                                               \
            hk_test_fail(__FILE__, __LINE__, "assert %s", #c); \
    } while(0)
#define HK_ASSERT_MSG(c, ...)                              \
    do {                                                   \
        if(!(c))                                           \
            hk_test_fail(__FILE__, __LINE__, __VA_ARGS__); \
    } while(0)
#define HK_ASSERT_INT(exp, act)                                                                   \
    do {                                                                                          \
        long long e_ = (long long)(exp), a_ = (long long)(act);                                   \
        if(e_ != a_)                                                                              \
            hk_test_fail(__FILE__, __LINE__, "%s == %s: expected %lld, got %lld", #exp, #act, e_, \
                         a_);                                                                     \
    } while(0)
#define HK_ASSERT_STR(exp, act)                                                                   \
    do {                                                                                          \
        const char *e_ = (exp), *a_ = (act);                                                      \
        if(!e_ || !a_ || strcmp(e_, a_) != 0)                                                     \
            hk_test_fail(__FILE__, __LINE__, "%s == %s: expected \"%s\", got \"%s\"", #exp, #act, \
                         e_ ? e_ : "(null)", a_ ? a_ : "(null)");                                 \
    } while(0)
#define HK_ASSERT_OK(expr)                                                  \
    do {                                                                    \
        int rc_ = (int)(expr);                                              \
        if(rc_ != 0)                                                        \
            hk_test_fail(__FILE__, __LINE__, "%s returned %d", #expr, rc_); \
    } while(0)
#define HK_ASSERT_CONTAINS(hay, needle)                                                            \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if(!h_ || !strstr(h_, n_))                                                                 \
            hk_test_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", \
                         n_);                                                                      \
    } while(0)

#endif
