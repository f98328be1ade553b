/*
 * lan_static: the staff web caller's files (assets/staff), embedded into
 * the binary at build time (cmake/Embed.cmake), as the hub serves them
 * under /staff/. No file system access, no allocation: a lookup in a fixed
 * table of the embedded bytes. The page logs in through the LAN API, so
 * these files need no auth; lan_server.c serves them to GET and HEAD with
 * Cache-Control: no-cache and a same-origin Content-Security-Policy.
 */
#ifndef HK_APP_NET_LAN_STATIC_H
#define HK_APP_NET_LAN_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#define LAN_STATIC_PREFIX "/staff"
/* The response headers every file is served with (the page loads nothing
 * from elsewhere and runs no inline script or style). */
#define LAN_STATIC_CSP \
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
#define LAN_STATIC_CACHE "no-cache"

/**
 * Is path (no query string) one of the page's files?
 * "/staff" and "/staff/" are the page itself (index.html; its links are
 * absolute, so it works at either address), then "/staff/index.html",
 * "/staff/staff.css", "/staff/staff.js", "/staff/icon.svg".
 * @param body          the file's bytes (static, NUL-terminated after len).
 * @param len           their count.
 * @param content_type  e.g. "text/html; charset=utf-8" (static).
 * @return true and the outputs set; false (outputs untouched) for any other
 *         path, including anything else under /staff/ (answer 404).
 */
bool lan_static_find(const char *path, const unsigned char **body, size_t *len,
                     const char **content_type);

/** Does path belong to the page's prefix ("/staff" or "/staff/...")? Such
 *  a request is the page's to answer (its file, or 404), never the API's. */
bool lan_static_owns(const char *path);

#endif
