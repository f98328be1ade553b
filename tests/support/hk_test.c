/*
 * hk_test: runner, temp dirs and failure reporting for unit tests.
 */
#include "hk_test.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hk_mem.h"

#include <sqlite3.h>

static jmp_buf fail_jmp;
static int n_run, n_failed;
static char tmpdir[512];
static char pathbuf[1024];

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char sub[1024];

    if(!d) {
        (void)unlink(path);
        return;
    }
    while((e = readdir(d)) != NULL) {
        if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        rm_rf(sub);
    }
    closedir(d);
    (void)rmdir(path);
}

long hk_test_fail_step(void)
{
    const char *e = getenv("HK_TEST_FAIL_STEP");
    long v = e ? strtol(e, NULL, 10) : 1;
    return v >= 1 && v <= 1000 ? v : 1;
}

const char *hk_test_tmpdir(void)
{
    if(!tmpdir[0]) {
        const char *base = getenv("HK_TEST_TMP");
        if(!base || !*base)
            base = "/tmp";
        snprintf(tmpdir, sizeof(tmpdir), "%s/hktest.XXXXXX", base);
        if(!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            abort();
        }
    }
    return tmpdir;
}

const char *hk_test_path(const char *name)
{
    snprintf(pathbuf, sizeof(pathbuf), "%s/%s", hk_test_tmpdir(), name);
    return pathbuf;
}

void hk_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "  FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    longjmp(fail_jmp, 1);
}

void hk_test_run(const char *name, void (*fn)(void))
{
    volatile int failed = 0;
    long live_before = hk_mem_live();

    n_run++;
    tmpdir[0] = '\0';
    hk_mem_fail_nth(0);
    if(setjmp(fail_jmp) == 0) {
        setUp();
        fn();
    } else {
        failed = 1;
    }
    hk_mem_fail_nth(0);
    tearDown();
    if(!failed && hk_mem_live() != live_before) {
        fprintf(stderr, "  FAIL %s: %ld hk_malloc blocks leaked\n", name,
                hk_mem_live() - live_before);
        failed = 1;
    }
    if(failed) {
        n_failed++;
        fprintf(stderr, "not ok %d - %s (temp dir kept: %s)\n", n_run, name,
                tmpdir[0] ? tmpdir : "none");
    } else {
        printf("ok %d - %s\n", n_run, name);
        if(tmpdir[0])
            rm_rf(tmpdir);
    }
    fflush(stdout);
}

int hk_test_end(void)
{
    printf("%d tests, %d failed\n", n_run, n_failed);
    return n_failed ? 1 : 0;
}

int hk_test_file_has(const char *path, const char *needle)
{
    char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;

    if(!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, needle) != NULL;
}

int hk_test_file_has_bytes(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    size_t k = strlen(needle), len = 0, cap = 1 << 16, i;
    char *buf, *grown;
    int found = 0;

    if(!f)
        return 0;
    buf = malloc(cap);
    while(buf) {
        size_t n;
        if(len == cap) {
            grown = realloc(buf, cap * 2);
            if(!grown)
                break;
            buf = grown;
            cap *= 2;
        }
        n = fread(buf + len, 1, cap - len, f);
        if(n == 0)
            break;
        len += n;
    }
    fclose(f);
    if(!buf)
        hk_test_fail(__FILE__, __LINE__, "out of memory reading %s", path);
    for(i = 0; !found && k && i + k <= len; i++)
        found = memcmp(buf + i, needle, k) == 0;
    free(buf);
    return found;
}

char *hk_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if(!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = n >= 0 ? hk_malloc((size_t)n + 1) : NULL;
    if(buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        hk_free(buf);
        buf = NULL;
    }
    if(buf)
        buf[n] = '\0';
    fclose(f);
    if(len && buf)
        *len = (size_t)n;
    return buf;
}

int hk_test_db_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int n = -1;

    HK_ASSERT_INT(SQLITE_OK, sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL));
    HK_ASSERT_MSG(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    if(sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}
