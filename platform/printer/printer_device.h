/*
 * printer_device: writes to a character device (/dev/usb/lp0, a serial port, a
 * pseudo-terminal in tests), opened afresh per job so an unplugged and
 * replugged printer comes back. Status is asked with DLE EOT; a device that
 * cannot answer (many usblp printers) reports UNKNOWN, a path that cannot
 * be opened OFFLINE.
 */
#ifndef HK_PLATFORM_PRINTER_PRINTER_DEVICE_H
#define HK_PLATFORM_PRINTER_PRINTER_DEVICE_H

#include "printer.h"

/**
 * Create the device backend (printer_open("device", ...) calls this).
 * @param target  device path; copied.
 * @param out     receives the printer; free with printer_destroy().
 * @return HK_OK, HK_ERR_INVALID (malformed target), HK_ERR_NOMEM. An absent
 *         or unreachable printer is not an error here.
 */
hk_err_t printer_device_create(const char *target, printer_t **out);

#endif
