/*
 * ime_tmp: the one data dir a test process of tests/ui_ime uses for the
 * pinyin engine ($HK_TEST_TMP/<stem>.<pid>): glog opens its file in the
 * first log dir it is given, once per process, as a kiosk has one data dir.
 * Removed when every test passed (a failure keeps it to look at).
 */
#ifndef HK_TESTS_UI_IME_IME_TMP_H
#define HK_TESTS_UI_IME_IME_TMP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/** The process's data dir, made on the first call (stem names the test). */
static inline const char *ime_tmp_dir(const char *stem)
{
    static char dir[400];

    if(!dir[0]) {
        const char *base = getenv("HK_TEST_TMP");
        snprintf(dir, sizeof(dir), "%s/%s.%ld", base && base[0] ? base : "/tmp", stem,
                 (long)getpid());
    }
    return dir;
}

/* rm -rf path, best effort (no symlinks are followed: lstat). */
static inline void ime_tmp_rm(const char *path, int depth)
{
    struct stat st;
    struct dirent *de;
    DIR *d;

    if(depth > 16 || lstat(path, &st) != 0)
        return;
    if(S_ISDIR(st.st_mode) && (d = opendir(path))) {
        while((de = readdir(d))) {
            char sub[1024];
            if(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            ime_tmp_rm(sub, depth + 1);
        }
        closedir(d);
    }
    (void)remove(path);
}

/** The test's exit code: rc, after removing the dir when rc is 0. */
static inline int ime_tmp_end(const char *stem, int rc)
{
    if(rc == 0)
        ime_tmp_rm(ime_tmp_dir(stem), 0);
    return rc;
}

#endif
