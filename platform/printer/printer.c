/*
 * printer: the generic half of the printer interface. It picks a backend by
 * kind (a constructor table, SDL's bootstrap idea), encodes tickets through
 * escpos.c and hands the bytes to the backend's write op. It keeps no state
 * of its own beyond the ops table and the backend's impl; it does not queue,
 * retry or thread: print_spool.c does that.
 */
#include "printer.h"

#include <string.h>

#include "escpos.h"
#include "hk_mem.h"
#include "printer_device.h"
#include "printer_file.h"
#include "printer_tcp.h"

struct printer {
    printer_ops_t ops; /* copied: the caller's table may be a stack object */
    void *impl;        /* owned; freed through ops.destroy */
};

typedef hk_err_t (*backend_open_fn)(const char *target, printer_t **out);

typedef struct backend {
    const char *kind;
    backend_open_fn open;
} backend_t;

static const backend_t backends[] = {
    { "file", printer_file_create },
    { "device", printer_device_create },
    { "tcp", printer_tcp_create },
};

hk_err_t printer_open(const char *kind, const char *target, printer_t **out)
{
    size_t i;

    if(out)
        *out = NULL;
    if(!kind || !target || !*target || !out)
        return HK_ERR_INVALID;
    for(i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if(strcmp(backends[i].kind, kind) == 0)
            return backends[i].open(target, out);
    }
    return HK_ERR_INVALID;
}

/*
 * impl passes to the printer only on success; on failure the caller still
 * owns it (the backends free theirs on that path).
 */
hk_err_t printer_create(const printer_ops_t *ops, void *impl, printer_t **out)
{
    printer_t *p;

    if(out)
        *out = NULL;
    if(!ops || !ops->write || !ops->status || !out)
        return HK_ERR_INVALID;
    p = hk_calloc(1, sizeof(*p));
    if(!p)
        return HK_ERR_NOMEM;
    p->ops = *ops;
    p->impl = impl;
    *out = p;
    return HK_OK;
}

void printer_destroy(printer_t *p)
{
    if(!p)
        return;
    if(p->ops.destroy)
        p->ops.destroy(p->impl);
    hk_free(p);
}

hk_err_t printer_print_raster(printer_t *p, const uint8_t *bits, int width, int height)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    hk_err_t rc;

    if(!p)
        return HK_ERR_INVALID;
    rc = escpos_encode_ticket(bits, width, height, &buf, &len);
    if(rc != HK_OK)
        goto out;
    rc = p->ops.write(p->impl, buf, len);
    /* The contract promises HK_ERR_HW for any device-side failure, whatever
     * a (test) backend chose to return. */
    if(rc != HK_OK && rc != HK_ERR_NOMEM)
        rc = HK_ERR_HW;
out:
    hk_free(buf);
    return rc;
}

hk_err_t printer_status(printer_t *p, int timeout_ms, printer_status_t *out)
{
    printer_status_t st = PRINTER_STATUS_UNKNOWN;
    hk_err_t rc;

    if(!p || !out)
        return HK_ERR_INVALID;
    if(timeout_ms < 0)
        timeout_ms = 0;
    rc = p->ops.status(p->impl, timeout_ms, &st);
    if(rc != HK_OK)
        return rc;
    *out = st;
    return HK_OK;
}

const char *printer_status_str(printer_status_t st)
{
    switch(st) {
    case PRINTER_STATUS_OK: return "ok";
    case PRINTER_STATUS_PAPER_LOW: return "paper_low";
    case PRINTER_STATUS_PAPER_OUT: return "paper_out";
    case PRINTER_STATUS_COVER_OPEN: return "cover_open";
    case PRINTER_STATUS_OFFLINE: return "offline";
    case PRINTER_STATUS_UNKNOWN: return "unknown";
    }
    return "unknown";
}
