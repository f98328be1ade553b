/*
 * paths: data-dir resolution and creation. No other module builds paths
 * from environment variables.
 */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hk_mem.h"

hk_err_t paths_mkdir_p(const char *path)
{
    char tmp[CONFIG_PATH_LEN * 2];
    size_t n = strlen(path), i;

    if(n == 0 || n >= sizeof(tmp))
        return HK_ERR_INVALID;
    memcpy(tmp, path, n + 1);
    for(i = 1; i <= n; i++) {
        if(tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if(mkdir(tmp, 0700) != 0) {
                struct stat st;
                /* EEXIST also for a regular file: only a directory will do */
                if(errno != EEXIST)
                    return HK_ERR_IO;
                if(stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
                    errno = ENOTDIR;
                    return HK_ERR_IO;
                }
            }
            tmp[i] = c;
        }
    }
    return HK_OK;
}

hk_err_t paths_resolve(const char *dir, const char *name, char *buf, unsigned size)
{
    int n;

    if(name[0] == '/')
        n = snprintf(buf, size, "%s", name);
    else
        n = snprintf(buf, size, "%s/%s", dir, name);
    return (n < 0 || (unsigned)n >= size) ? HK_ERR_INVALID : HK_OK;
}

hk_err_t paths_data_dir(const config_t *cfg, char *buf, unsigned size, hk_diag_t *diag)
{
    const char *env = getenv("HK_DATA_DIR");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;

    if(env && *env)
        n = snprintf(buf, size, "%s", env);
    else if(cfg && cfg->data_dir[0])
        n = snprintf(buf, size, "%s", cfg->data_dir);
    else if(xdg && *xdg)
        n = snprintf(buf, size, "%s/hallkiosk", xdg);
    else if(home && *home)
        n = snprintf(buf, size, "%s/.local/share/hallkiosk", home);
    else
        n = snprintf(buf, size, "/var/lib/hallkiosk");
    if(n < 0 || (unsigned)n >= size) {
        hk_diag_set(diag, "data_dir: path too long");
        return HK_ERR_INVALID;
    }
    if(paths_mkdir_p(buf) != HK_OK) {
        hk_diag_set(diag, "data_dir: cannot create %s: %s", buf, strerror(errno));
        return HK_ERR_IO;
    }
    return HK_OK;
}

hk_err_t paths_read_file(const char *path, size_t cap, const char *what, char **out,
                         size_t *len_out, hk_diag_t *diag)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    *out = NULL;
    if(!f) {
        hk_diag_set(diag, "%s: cannot open %s (%s)", what, path, strerror(errno));
        return HK_ERR_IO;
    }
    /* one byte more than allowed tells a file too large without trusting its size */
    buf = hk_malloc(cap + 2);
    if(!buf) {
        fclose(f);
        return HK_ERR_NOMEM;
    }
    n = fread(buf, 1, cap + 1, f);
    fclose(f);
    buf[n] = '\0';
    if(n > cap) {
        hk_diag_set(diag, "%s: %s is over %zu bytes", what, path, cap);
        hk_free(buf);
        return HK_ERR_INVALID;
    }
    *out = buf;
    if(len_out)
        *len_out = n;
    return HK_OK;
}

hk_err_t paths_installed_asset(const char *name, char *buf, unsigned size)
{
    char exe[CONFIG_PATH_LEN * 2];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;
    int w;

    if(n <= 0 || (size_t)n >= sizeof(exe) - 1)
        return HK_ERR_NOT_FOUND;
    exe[n] = '\0';
    slash = strrchr(exe, '/'); /* PREFIX/bin/PROGRAM -> PREFIX/bin */
    if(!slash)
        return HK_ERR_NOT_FOUND;
    *slash = '\0';
    slash = strrchr(exe, '/'); /* PREFIX/bin -> PREFIX */
    if(!slash || strcmp(slash, "/bin") != 0)
        return HK_ERR_NOT_FOUND;
    *slash = '\0';
    w = snprintf(buf, size, "%s/share/hallkiosk/%s", exe, name);
    if(w < 0 || (unsigned)w >= size)
        return HK_ERR_INVALID;
    return access(buf, R_OK) == 0 ? HK_OK : HK_ERR_NOT_FOUND;
}
