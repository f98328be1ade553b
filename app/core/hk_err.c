/*
 * hk_err: result code texts and the diagnostic buffer helpers.
 */
#include "hk_err.h"

#include <stdarg.h>
#include <stdio.h>

const char *hk_err_str(hk_err_t rc)
{
    switch(rc) {
    case HK_OK: return "ok";
    case HK_ERR_NOMEM: return "out of memory";
    case HK_ERR_IO: return "i/o error";
    case HK_ERR_CORRUPT: return "data corrupt";
    case HK_ERR_INVALID: return "invalid input";
    case HK_ERR_NET: return "network error";
    case HK_ERR_TLS: return "tls error";
    case HK_ERR_SERVER: return "server error";
    case HK_ERR_BUSY: return "busy";
    case HK_ERR_NOT_FOUND: return "not found";
    case HK_ERR_HW: return "hardware fault";
    case HK_ERR_CONFLICT: return "conflict";
    }
    return "unknown error";
}

void hk_diag_set(hk_diag_t *diag, const char *fmt, ...)
{
    va_list ap;

    if(!diag)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap); /* truncation is fine */
    va_end(ap);
}

void hk_diag_clear(hk_diag_t *diag)
{
    if(diag)
        diag->msg[0] = '\0';
}
