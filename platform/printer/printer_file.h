/*
 * printer_file: appends each ticket's ESC/POS bytes to a file (CI, scripted runs,
 * a printer spooled by another program). Status is UNKNOWN while the path
 * can be opened for append, OFFLINE when it cannot.
 */
#ifndef HK_PLATFORM_PRINTER_PRINTER_FILE_H
#define HK_PLATFORM_PRINTER_PRINTER_FILE_H

#include "printer.h"

/**
 * Create the file backend (printer_open("file", ...) calls this).
 * @param target  file path; copied.
 * @param out     receives the printer; free with printer_destroy().
 * @return HK_OK, HK_ERR_INVALID (malformed target), HK_ERR_NOMEM. An absent
 *         or unreachable printer is not an error here.
 */
hk_err_t printer_file_create(const char *target, printer_t **out);

#endif
