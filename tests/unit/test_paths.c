/*
 * paths: where the data dir comes from ($HK_DATA_DIR, then the config's
 * data_dir, then $XDG_DATA_HOME/hallkiosk, then ~/.local/share/hallkiosk),
 * that it is created private (0700) with its parents, how names join onto a
 * dir, and that a path too long for the buffer is refused, never cut.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hk_test.h"
#include "paths.h"

#define N_VARS 3

static const char *const vars[N_VARS] = { "HK_DATA_DIR", "XDG_DATA_HOME", "HOME" };
static char *saved[N_VARS];
static config_t cfg; /* zero: no data_dir */

void setUp(void)
{
    int i;

    /* each test starts from an environment that names no data dir; the
     * process's own values come back in tearDown (plain strdup: they are
     * not ours to count) */
    for(i = 0; i < N_VARS; i++) {
        const char *v = getenv(vars[i]);
        saved[i] = v ? strdup(v) : NULL;
        unsetenv(vars[i]);
    }
    memset(&cfg, 0, sizeof(cfg));
}

void tearDown(void)
{
    int i;

    for(i = 0; i < N_VARS; i++) {
        if(saved[i])
            setenv(vars[i], saved[i], 1);
        else
            unsetenv(vars[i]);
        free(saved[i]);
        saved[i] = NULL;
    }
}

/* Is path a directory with exactly mode bits 0700? */
static int private_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700;
}

static void data_dir_is(const char *want)
{
    char buf[CONFIG_PATH_LEN];
    hk_diag_t diag;
    hk_err_t rc;

    hk_diag_clear(&diag);
    rc = paths_data_dir(&cfg, buf, sizeof(buf), &diag);
    HK_ASSERT_MSG(rc == HK_OK, "paths_data_dir: %s (%s)", hk_err_str(rc), diag.msg);
    HK_ASSERT_STR(want, buf);
    HK_ASSERT_MSG(private_dir(buf), "%s was not created as a 0700 directory", buf);
}

static void test_paths_data_dir_comes_from_the_config(void)
{
    char want[CONFIG_PATH_LEN];

    snprintf(want, sizeof(want), "%s/from-config/data", hk_test_tmpdir());
    snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", want);
    setenv("XDG_DATA_HOME", hk_test_path("xdg"), 1); /* the config wins over XDG */
    data_dir_is(want);
}

static void test_paths_hk_data_dir_overrides_the_config(void)
{
    char want[CONFIG_PATH_LEN];

    snprintf(want, sizeof(want), "%s/from-env", hk_test_tmpdir());
    snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s/from-config", hk_test_tmpdir());
    setenv("HK_DATA_DIR", want, 1);
    data_dir_is(want);
    /* an empty variable counts as unset */
    setenv("HK_DATA_DIR", "", 1);
    data_dir_is(cfg.data_dir);
}

static void test_paths_data_dir_defaults_to_xdg_then_home(void)
{
    char xdg[CONFIG_PATH_LEN], home[CONFIG_PATH_LEN], want[CONFIG_PATH_LEN + 32];

    snprintf(xdg, sizeof(xdg), "%s/xdg", hk_test_tmpdir());
    snprintf(home, sizeof(home), "%s/home", hk_test_tmpdir());
    setenv("XDG_DATA_HOME", xdg, 1);
    setenv("HOME", home, 1);
    snprintf(want, sizeof(want), "%s/hallkiosk", xdg);
    data_dir_is(want);
    unsetenv("XDG_DATA_HOME");
    snprintf(want, sizeof(want), "%s/.local/share/hallkiosk", home);
    data_dir_is(want);
    /* a NULL config is "no data_dir" */
    {
        char buf[CONFIG_PATH_LEN];
        HK_ASSERT_OK(paths_data_dir(NULL, buf, sizeof(buf), NULL));
        HK_ASSERT_STR(want, buf);
    }
}

static void test_paths_data_dir_too_long_is_refused_with_a_reason(void)
{
    char small[16], buf[CONFIG_PATH_LEN];
    hk_diag_t diag;

    setenv("HK_DATA_DIR", hk_test_path("a-rather-long-directory-name"), 1);
    HK_ASSERT_INT(HK_ERR_INVALID, paths_data_dir(&cfg, small, sizeof(small), &diag));
    HK_ASSERT_CONTAINS(diag.msg, "data_dir: path too long");
    /* a dir that cannot be made: its parent is a file */
    {
        FILE *f = fopen(hk_test_path("file"), "w");
        HK_ASSERT(f != NULL);
        fclose(f);
    }
    setenv("HK_DATA_DIR", hk_test_path("file/data"), 1);
    HK_ASSERT_INT(HK_ERR_IO, paths_data_dir(&cfg, buf, sizeof(buf), &diag));
    HK_ASSERT_CONTAINS(diag.msg, "data_dir: cannot create");
}

static void test_paths_resolve_joins_relative_names_and_keeps_absolute_ones(void)
{
    char buf[64];

    HK_ASSERT_OK(paths_resolve("/var/lib/hk", "ticket.escpos", buf, sizeof(buf)));
    HK_ASSERT_STR("/var/lib/hk/ticket.escpos", buf);
    HK_ASSERT_OK(paths_resolve("/var/lib/hk", "spool/out.bin", buf, sizeof(buf)));
    HK_ASSERT_STR("/var/lib/hk/spool/out.bin", buf);
    HK_ASSERT_OK(paths_resolve("/var/lib/hk", "/dev/usb/lp0", buf, sizeof(buf)));
    HK_ASSERT_STR("/dev/usb/lp0", buf);
    HK_ASSERT_OK(paths_resolve("data", "x", buf, sizeof(buf)));
    HK_ASSERT_STR("data/x", buf);
}

static void test_paths_resolve_refuses_a_result_that_does_not_fit(void)
{
    char buf[16];

    /* "/a/" + 12 chars = 15 bytes + NUL fits exactly; one more does not */
    HK_ASSERT_OK(paths_resolve("/a", "123456789012", buf, sizeof(buf)));
    HK_ASSERT_STR("/a/123456789012", buf);
    HK_ASSERT_INT(HK_ERR_INVALID, paths_resolve("/a", "1234567890123", buf, sizeof(buf)));
    HK_ASSERT_INT(HK_ERR_INVALID, paths_resolve("/a", "/1234567890123456", buf, sizeof(buf)));
}

static void test_paths_mkdir_p_creates_every_level_private(void)
{
    char path[CONFIG_PATH_LEN];

    snprintf(path, sizeof(path), "%s/a/b/c", hk_test_tmpdir());
    HK_ASSERT_OK(paths_mkdir_p(path));
    HK_ASSERT(private_dir(path));
    HK_ASSERT(private_dir(hk_test_path("a")));
    HK_ASSERT(private_dir(hk_test_path("a/b")));
    /* existing levels are fine, and so is a trailing slash */
    HK_ASSERT_OK(paths_mkdir_p(path));
    snprintf(path, sizeof(path), "%s/a/b/d/", hk_test_tmpdir());
    HK_ASSERT_OK(paths_mkdir_p(path));
    HK_ASSERT(private_dir(hk_test_path("a/b/d")));
}

static void test_paths_mkdir_p_refuses_empty_overlong_and_blocked_paths(void)
{
    char path[CONFIG_PATH_LEN * 2 + 8];
    size_t n;
    FILE *f;

    HK_ASSERT_INT(HK_ERR_INVALID, paths_mkdir_p(""));
    /* a path as long as mkdir_p's own buffer (2 x CONFIG_PATH_LEN) */
    n = (size_t)snprintf(path, sizeof(path), "%s/", hk_test_tmpdir());
    while(n < CONFIG_PATH_LEN * 2)
        path[n++] = 'x';
    path[n] = '\0';
    HK_ASSERT_INT(HK_ERR_INVALID, paths_mkdir_p(path));
    /* a regular file where a directory should be */
    f = fopen(hk_test_path("blocker"), "w");
    HK_ASSERT(f != NULL);
    fclose(f);
    snprintf(path, sizeof(path), "%s/blocker/sub", hk_test_tmpdir());
    HK_ASSERT_INT(HK_ERR_IO, paths_mkdir_p(path));
    HK_ASSERT_INT(ENOTDIR, errno);
    /* ... also when the file is the last part: it is not a data dir */
    HK_ASSERT_INT(HK_ERR_IO, paths_mkdir_p(hk_test_path("blocker")));
    HK_ASSERT_INT(ENOTDIR, errno);
}

static void write_release(const char *text)
{
    FILE *f = fopen(hk_test_path("hallkiosk-image"), "w");

    HK_ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
    setenv("HK_IMAGE_RELEASE", hk_test_path("hallkiosk-image"), 1);
}

/* A flashed device reports its image's version (the bundle's, which update
 * offers compare), a bare install the program's own; a bad line is ignored. */
static void test_paths_running_version_is_the_image_s_else_the_build_s(void)
{
    char v[32];

    setenv("HK_IMAGE_RELEASE", hk_test_path("no-such-file"), 1);
    paths_running_version("0.1.0", v, sizeof(v));
    HK_ASSERT_STR("0.1.0", v);
    write_release("NAME=HallKiosk\nVERSION=0.1.0.20261126.7\nBUILT=2026-11-26\n");
    paths_running_version("0.1.0", v, sizeof(v));
    HK_ASSERT_STR("0.1.0.20261126.7", v);
    write_release("VERSION=0.1.0; rm -rf /\n");
    paths_running_version("0.1.0", v, sizeof(v));
    HK_ASSERT_STR("0.1.0", v);
    write_release("VERSION=\n");
    paths_running_version("0.1.0", v, sizeof(v));
    HK_ASSERT_STR("0.1.0", v);
    write_release("VERSION=0.1.0.2026112612345678901234567890\n"); /* does not fit v */
    paths_running_version("0.1.0", v, sizeof(v));
    HK_ASSERT_STR("0.1.0", v);
    unsetenv("HK_IMAGE_RELEASE");
}

int main(void)
{
    HK_RUN(test_paths_data_dir_comes_from_the_config);
    HK_RUN(test_paths_hk_data_dir_overrides_the_config);
    HK_RUN(test_paths_data_dir_defaults_to_xdg_then_home);
    HK_RUN(test_paths_data_dir_too_long_is_refused_with_a_reason);
    HK_RUN(test_paths_resolve_joins_relative_names_and_keeps_absolute_ones);
    HK_RUN(test_paths_resolve_refuses_a_result_that_does_not_fit);
    HK_RUN(test_paths_mkdir_p_creates_every_level_private);
    HK_RUN(test_paths_mkdir_p_refuses_empty_overlong_and_blocked_paths);
    HK_RUN(test_paths_running_version_is_the_image_s_else_the_build_s);
    return hk_test_end();
}
