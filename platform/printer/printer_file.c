/*
 * printer_file: the printer that CI, scripted runs and the run journey use.
 * Each ticket's ESC/POS bytes are appended to one file, so a run leaves a
 * stream that tests/support/escpos_decode.c turns back into images. It does
 * not rotate or truncate the file, and cannot know about paper: status is
 * UNKNOWN when the path opens for append and OFFLINE when it does not.
 */
#include "printer_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hk_mem.h"
#include "printer_fdio.h"

#define WRITE_STALL_MS 5000 /* only a FIFO or full device would stall */

typedef struct file_impl {
    char *path;
} file_impl_t;

static hk_err_t file_write(void *impl, const uint8_t *buf, size_t len);
static hk_err_t file_status(void *impl, int timeout_ms, printer_status_t *out);
static void file_destroy(void *impl);
static int open_append(const char *path);

static const printer_ops_t file_ops = {
    file_write,
    file_status,
    file_destroy,
};

hk_err_t printer_file_create(const char *target, printer_t **out)
{
    file_impl_t *f = NULL;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(!target || !*target || !out)
        return HK_ERR_INVALID;
    f = hk_calloc(1, sizeof(*f));
    if(!f) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    f->path = hk_strdup(target);
    if(!f->path) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    rc = printer_create(&file_ops, f, out);
out:
    if(rc != HK_OK)
        file_destroy(f);
    return rc;
}

static hk_err_t file_write(void *impl, const uint8_t *buf, size_t len)
{
    file_impl_t *f = impl;
    int fd = open_append(f->path);
    hk_err_t rc;

    if(fd < 0)
        return HK_ERR_HW;
    rc = printer_fdio_write_all(fd, buf, len, WRITE_STALL_MS, 0);
    if(close(fd) != 0 && rc == HK_OK)
        rc = HK_ERR_HW; /* e.g. a deferred ENOSPC on NFS */
    return rc;
}

static hk_err_t file_status(void *impl, int timeout_ms, printer_status_t *out)
{
    file_impl_t *f = impl;
    int fd = open_append(f->path);

    (void)timeout_ms; /* open() of a path does not wait */
    if(fd < 0) {
        *out = PRINTER_STATUS_OFFLINE;
        return HK_OK;
    }
    (void)close(fd); /* nothing was written: nothing to lose */
    *out = PRINTER_STATUS_UNKNOWN;
    return HK_OK;
}

static void file_destroy(void *impl)
{
    file_impl_t *f = impl;

    if(!f)
        return;
    hk_free(f->path);
    hk_free(f);
}

/*
 * O_NONBLOCK: a FIFO with no reader fails with ENXIO instead of blocking the
 * open forever; regular files ignore the flag.
 */
static int open_append(const char *path)
{
    int fd;

    do {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
    } while(fd < 0 && errno == EINTR);
    return fd;
}
