/*
 * printer_tcp: a network printer on a raw socket (port 9100). Each job and each
 * status query opens its own connection with a timeout, so a printer that
 * reboots or drops off the LAN never wedges the caller. Refused or timed-out
 * connections report OFFLINE.
 */
#ifndef HK_PLATFORM_PRINTER_PRINTER_TCP_H
#define HK_PLATFORM_PRINTER_PRINTER_TCP_H

#include "printer.h"

/**
 * Create the tcp backend (printer_open("tcp", ...) calls this).
 * @param target  "host:port", "host" (port 9100) or "[v6addr]:port"; copied.
 * @param out     receives the printer; free with printer_destroy().
 * @return HK_OK, HK_ERR_INVALID (malformed target), HK_ERR_NOMEM. An absent
 *         or unreachable printer is not an error here.
 */
hk_err_t printer_tcp_create(const char *target, printer_t **out);

#endif
