/*
 * central_store: picks the storage backend by the URL's scheme and
 * dispatches every call through its ops table (central_store_impl.h), like
 * platform/printer's constructor table. It checks what both backends would
 * otherwise check twice (NULL arguments, ids that do not fit) and computes
 * the ETag both store with a configuration document. It holds no state of
 * its own: a central_store_t is the backend's.
 */
#include "central_store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "central_store_impl.h"

#define ETAG_HASH_BYTES 16 /* 128-bit BLAKE2b: 32 hex digits, quoted */

static bool id_ok(const char *id);

/* ---- open / close ------------------------------------------------------------ */

hk_err_t central_store_open(const char *url, central_store_t **out, hk_diag_t *diag)
{
    hk_diag_clear(diag);
    if(out)
        *out = NULL;
    if(!url || !out) {
        hk_diag_set(diag, "store: no URL");
        return HK_ERR_INVALID;
    }
    if(!strncmp(url, "sqlite:", 7))
        return central_sqlite_open(url, out, diag);
    if(!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
#ifdef HK_HAVE_LIBPQ
        return central_pg_open(url, out, diag);
#else
        hk_diag_set(diag, "store: this build has no PostgreSQL support (libpq was not found when "
                          "it was built); use a sqlite:PATH store or rebuild with libpq-dev");
        return HK_ERR_INVALID;
#endif
    }
    {
        /* name the scheme only: the rest of a URL may hold a password */
        const char *colon = strchr(url, ':');
        int n = colon ? (int)(colon - url) : (int)strlen(url);
        hk_diag_set(diag, "store: unknown scheme \"%.*s\" (expected sqlite:PATH, postgres://…)",
                    n > 32 ? 32 : n, url);
    }
    return HK_ERR_INVALID;
}

void central_store_close(central_store_t *s)
{
    if(s)
        s->ops->close(s);
}

const char *central_store_kind(const central_store_t *s)
{
    return s ? s->ops->kind : "none";
}

/* ---- devices ----------------------------------------------------------------- */

hk_err_t central_store_device_put(central_store_t *s, const central_device_t *d)
{
    if(!s || !d || !id_ok(d->id) || !id_ok(d->branch))
        return HK_ERR_INVALID;
    return s->ops->device_put(s, d);
}

hk_err_t central_store_device_get(central_store_t *s, const char *id, central_device_t *out)
{
    if(!s || !out || !id_ok(id))
        return HK_ERR_INVALID;
    return s->ops->device_get(s, id, out);
}

/* ---- events ------------------------------------------------------------------ */

hk_err_t central_store_ingest(central_store_t *s, const central_batch_t *b, central_ack_t *ack,
                              hk_diag_t *diag)
{
    int i;

    hk_diag_clear(diag);
    if(ack)
        memset(ack, 0, sizeof(*ack));
    if(!s || !b || !ack || !id_ok(b->device) || b->n_events < 1 ||
       b->n_events > CENTRAL_BATCH_MAX_EVENTS || !b->events) {
        hk_diag_set(diag, "batch: empty or without a device");
        return HK_ERR_INVALID;
    }
    for(i = 0; i < b->n_events; i++) {
        /* the decoder guarantees these; a caller building a batch by hand
         * must too (a seq below 1 would break the contiguity count) */
        if(b->events[i].seq < 1 || !b->events[i].body ||
           (i > 0 && b->events[i].seq <= b->events[i - 1].seq)) {
            hk_diag_set(diag, "events[%d].seq: must be >= 1 and ascending, with a body", i);
            return HK_ERR_INVALID;
        }
    }
    return s->ops->ingest(s, b, ack, diag);
}

hk_err_t central_store_acked_seq(central_store_t *s, const char *device, int64_t *out)
{
    if(!s || !out || !id_ok(device))
        return HK_ERR_INVALID;
    return s->ops->acked_seq(s, device, out);
}

hk_err_t central_store_count_events(central_store_t *s, const char *device, int64_t *out)
{
    if(!s || !out || !id_ok(device))
        return HK_ERR_INVALID;
    return s->ops->count_events(s, device, out);
}

/* ---- configuration documents --------------------------------------------------- */

hk_err_t central_store_config_put(central_store_t *s, const char *branch, const char *json)
{
    if(!s || !json || !id_ok(branch) || strlen(json) > CENTRAL_CONFIG_MAX_BYTES)
        return HK_ERR_INVALID;
    return s->ops->config_put(s, branch, json);
}

hk_err_t central_store_config_get(central_store_t *s, const char *branch, char **json_out,
                                  char etag_out[CENTRAL_ETAG_LEN])
{
    if(json_out)
        *json_out = NULL;
    if(!s || !json_out || !etag_out || !id_ok(branch))
        return HK_ERR_INVALID;
    return s->ops->config_get(s, branch, json_out, etag_out);
}

void central_store_etag(const char *json, char etag_out[CENTRAL_ETAG_LEN])
{
    unsigned char h[ETAG_HASH_BYTES];
    char hex[ETAG_HASH_BYTES * 2 + 1];

    /* BLAKE2b of the exact text: any change of a byte changes the tag, and
     * every instance computes the same one */
    crypto_generichash(h, sizeof(h), (const unsigned char *)json, strlen(json), NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(etag_out, CENTRAL_ETAG_LEN, "\"%s\"", hex);
}

/* ---- heartbeats ------------------------------------------------------------------ */

hk_err_t central_store_heartbeat(central_store_t *s, const central_heartbeat_t *hb, int64_t now_ms)
{
    if(!s || !hb || !id_ok(hb->device))
        return HK_ERR_INVALID;
    return s->ops->heartbeat(s, hb, now_ms);
}

/* ---- static ---------------------------------------------------------------------- */

static bool id_ok(const char *id)
{
    size_t n;

    if(!id)
        return false;
    n = strnlen(id, CENTRAL_ID_LEN);
    return n > 0 && n < CENTRAL_ID_LEN;
}
