/*
 * hk_file: see hk_file.h.
 */
#include "hk_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "hk_mem.h"

/* Write path whole or not at all: a temp file, fsync, rename, fsync the dir. */
hk_err_t hk_file_write_atomic(const char *dir, const char *path, const char *data, size_t len)
{
    char tmp[PATH_MAX + 8];
    ssize_t w;
    size_t off = 0;
    int fd;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if(fd < 0)
        return HK_ERR_IO;
    while(off < len) {
        w = write(fd, data + off, len - off);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0) {
            close(fd);
            unlink(tmp);
            return HK_ERR_IO;
        }
        off += (size_t)w;
    }
    if(fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return HK_ERR_IO;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(fd >= 0) {
        (void)fsync(fd); /* the rename's durability; the data is already safe */
        close(fd);
    }
    return HK_OK;
}

/* Read a whole file of at most max bytes (NUL-terminated, hk_free it). */
hk_err_t hk_file_read(const char *path, size_t max, char **out, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    *out = NULL;
    if(!f)
        return errno == ENOENT ? HK_ERR_NOT_FOUND : HK_ERR_IO;
    buf = hk_malloc(max + 1);
    if(!buf) {
        fclose(f);
        return HK_ERR_NOMEM;
    }
    n = fread(buf, 1, max + 1, f);
    fclose(f);
    if(n > max) {
        hk_free(buf);
        return HK_ERR_CORRUPT;
    }
    buf[n] = '\0';
    *out = buf;
    *len_out = n;
    return HK_OK;
}
