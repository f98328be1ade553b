/*
 * printer_device: an ESC/POS printer behind a character device: usblp
 * (/dev/usb/lp0), a USB or RS-232 serial port, or a pseudo-terminal in
 * tests. The device is opened for each job and each status query and closed
 * afterwards, so unplugging and replugging the printer needs no restart and
 * no fd is held on a vanished device. It does not pick baud rates: a serial
 * port keeps the speed it was configured with, but is switched to raw mode
 * (no LF -> CR LF, no echo), which binary raster data needs.
 *
 * Status: DLE EOT is sent and the reply read with poll(); many usblp
 * printers never answer (no back channel), which reads as UNKNOWN and does
 * not stop printing. A path that cannot be opened reads as OFFLINE.
 */
#include "printer_device.h"

#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "hk_mem.h"
#include "printer_fdio.h"

#define WRITE_STALL_MS 10000 /* printer accepts nothing for 10 s: jammed, out */

typedef struct device_impl {
    char *path;
} device_impl_t;

static hk_err_t device_write(void *impl, const uint8_t *buf, size_t len);
static hk_err_t device_status(void *impl, int timeout_ms, printer_status_t *out);
static void device_destroy(void *impl);
static int open_device(const char *path);

static const printer_ops_t device_ops = {
    device_write,
    device_status,
    device_destroy,
};

hk_err_t printer_device_create(const char *target, printer_t **out)
{
    device_impl_t *d = NULL;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(!target || !*target || !out)
        return HK_ERR_INVALID;
    d = hk_calloc(1, sizeof(*d));
    if(!d) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    d->path = hk_strdup(target);
    if(!d->path) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    rc = printer_create(&device_ops, d, out);
out:
    if(rc != HK_OK)
        device_destroy(d);
    return rc;
}

static hk_err_t device_write(void *impl, const uint8_t *buf, size_t len)
{
    device_impl_t *d = impl;
    int fd = open_device(d->path);
    hk_err_t rc;

    if(fd < 0)
        return HK_ERR_HW;
    rc = printer_fdio_write_all(fd, buf, len, WRITE_STALL_MS, 0);
    if(rc == HK_OK)
        rc = printer_fdio_finish_write(fd, 0, WRITE_STALL_MS);
    (void)close(fd); /* after finish_write: nothing left for close to drop */
    return rc;
}

static hk_err_t device_status(void *impl, int timeout_ms, printer_status_t *out)
{
    device_impl_t *d = impl;
    int64_t deadline_ms = printer_fdio_now_ms() + timeout_ms;
    int fd = open_device(d->path);

    if(fd < 0) {
        *out = PRINTER_STATUS_OFFLINE;
        return HK_OK;
    }
    *out = printer_fdio_query_status(fd, 0, deadline_ms);
    (void)close(fd);
    return HK_OK;
}

static void device_destroy(void *impl)
{
    device_impl_t *d = impl;

    if(!d)
        return;
    hk_free(d->path);
    hk_free(d);
}

/*
 * O_NONBLOCK so neither open (a serial line waiting for carrier) nor any
 * read/write can block; printer_fdio waits with poll() and a deadline.
 * O_NOCTTY so a tty printer never becomes our controlling terminal.
 */
static int open_device(const char *path)
{
    struct termios tio;
    int fd;

    do {
        fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    } while(fd < 0 && errno == EINTR);
    if(fd < 0)
        return -1;
    if(isatty(fd) && tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio); /* keeps the configured speed */
        tio.c_cflag |= CLOCAL | CREAD;
        (void)tcsetattr(fd, TCSANOW, &tio); /* a failure only risks mangled bytes */
    }
    return fd;
}
