/*
 * printer: a receipt printer behind a small ops table (SQLite's
 * sqlite3_io_methods shape). Backends: ESC/POS bytes appended to a file,
 * a device path (/dev/usb/lp0), a TCP socket (port 9100). We only send
 * raster images (GS v 0), so any ESC/POS printer prints Chinese whatever its
 * code page. Status (paper out, offline) is queried with DLE EOT where the
 * backend can read a reply.
 */
#ifndef HK_PLATFORM_PRINTER_PRINTER_H
#define HK_PLATFORM_PRINTER_PRINTER_H

#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"

typedef enum printer_status {
    PRINTER_STATUS_OK = 0,
    PRINTER_STATUS_PAPER_LOW, /* prints, but paper near end */
    PRINTER_STATUS_PAPER_OUT,
    PRINTER_STATUS_COVER_OPEN,
    PRINTER_STATUS_OFFLINE, /* no answer / cannot connect / error */
    PRINTER_STATUS_UNKNOWN  /* backend cannot tell (plain file) */
} printer_status_t;

typedef struct printer_ops {
    /* Write all of buf or fail. */
    hk_err_t (*write)(void *impl, const uint8_t *buf, size_t len);
    /* Query status; backends that cannot read replies return UNKNOWN. */
    hk_err_t (*status)(void *impl, int timeout_ms, printer_status_t *out);
    void (*destroy)(void *impl);
} printer_ops_t;

typedef struct printer printer_t;

/**
 * Open a printer backend.
 * @param kind    "file", "device" or "tcp".
 * @param target  file path, device path, or "host:port".
 * @param out     receives the printer; free with printer_destroy().
 * Opening does not fail when the device is absent or offline: the fault
 * shows up in printer_status()/printer_print_raster(), so a kiosk with an
 * unplugged printer still starts.
 */
hk_err_t printer_open(const char *kind, const char *target, printer_t **out);

/** Wrap custom ops (tests); impl is owned by the printer. */
hk_err_t printer_create(const printer_ops_t *ops, void *impl, printer_t **out);

void printer_destroy(printer_t *p); /* NULL ok */

/**
 * Print a 1-bit raster and cut the paper.
 * @param bits    rows of (width+7)/8 bytes, MSB = leftmost dot, 1 = black.
 * @param width   dots, 8..2040; @param height rows, 1..65535.
 * @return HK_OK, HK_ERR_HW (write failed / printer offline), HK_ERR_INVALID.
 */
hk_err_t printer_print_raster(printer_t *p, const uint8_t *bits, int width, int height);

/** Query status within timeout_ms. */
hk_err_t printer_status(printer_t *p, int timeout_ms, printer_status_t *out);

/** "ok", "paper_out", ... (stable codes used in fault records). */
const char *printer_status_str(printer_status_t st);

#endif
