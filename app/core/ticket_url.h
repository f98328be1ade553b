/*
 * ticket_url: the ticket status URL printed as a QR code on every ticket,
 * built from the branch's ticket.url_template. The kiosk prints it; the hub
 * and the central server build the same URL to answer it, so it lives in
 * core and depends on nothing but its arguments.
 *
 * Placeholders: {branch} (branch id), {day} (business day YYYY-MM-DD),
 * {number} (A012). Their values are percent-encoded (RFC 3986: everything
 * but A-Z a-z 0-9 - . _ ~), the template's own text is copied as written.
 * Pure functions: thread-safe.
 */
#ifndef HK_APP_CORE_TICKET_URL_H
#define HK_APP_CORE_TICKET_URL_H

#include <stddef.h>

#include "hk_err.h"

/**
 * Check a template: "" (no QR code) or an http(s) URL whose only {...} are
 * the three placeholders.
 * @param tmpl  NUL-terminated.
 * @param path  field path for the diag, e.g. "ticket.url_template".
 * @param diag  "<path>: must start with https:// or http://" or
 *              "<path>: unknown placeholder at offset N (use {branch} {day}
 *              {number})". May be NULL.
 * @return HK_OK or HK_ERR_INVALID.
 */
hk_err_t ticket_url_check_template(const char *tmpl, const char *path, hk_diag_t *diag);

/**
 * Expand a template into buf. An empty template gives "" (HK_OK).
 * @param tmpl, branch_id, day, number  borrowed, NUL-terminated.
 * @param buf       receives the URL, NUL-terminated; "" on failure.
 * @param size      bytes of buf.
 * @param need_out  optional: bytes the URL needs incl. NUL, also when buf
 *                  was too small (0 for a bad template).
 * @return HK_OK; HK_ERR_NOMEM when buf is too small (nothing is ever
 *         truncated: a cut URL would print a QR code that points
 *         elsewhere; like curl's dynbuf "too big"); HK_ERR_INVALID when the
 *         template fails ticket_url_check_template().
 */
hk_err_t ticket_url_build(const char *tmpl, const char *branch_id, const char *day,
                          const char *number, char *buf, size_t size, size_t *need_out);

#endif
