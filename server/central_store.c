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
#include "hk_json.h"
#include "hk_mem.h"

#define ETAG_HASH_BYTES     16  /* 128-bit BLAKE2b: 32 hex digits, quoted */
#define DEFAULT_UTC_OFFSET  480 /* China Standard Time */
#define MAX_ZONE_OFFSET_MIN (14 * 60)

static bool id_ok(const char *id);
static bool branches_ok(const char *const *branches, int n);
static bool case_id_ok(const char *id);

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
    if(!strncmp(url, "sqlite:", 7)) {
        hk_err_t rc = central_sqlite_open(url, out, diag);
        if(rc == HK_OK)
            (*out)->utc_offset_min = DEFAULT_UTC_OFFSET;
        return rc;
    }
    if(!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
#ifdef HK_HAVE_LIBPQ
        hk_err_t rc = central_pg_open(url, out, diag);
        if(rc == HK_OK)
            (*out)->utc_offset_min = DEFAULT_UTC_OFFSET;
        return rc;
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
    alert_t *alerts;

    if(!s)
        return;
    alerts = s->alerts; /* the backend frees the struct holding the pointer */
    s->ops->close(s);
    hk_free(alerts);
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
    s->n_alerts = 0; /* this ingest's, from now on */
    return s->ops->ingest(s, b, ack, diag);
}

hk_err_t central_store_ack_open(const central_batch_t *b, central_ack_t *ack)
{
    int i;

    central_store_ack_drop(ack);
    ack->results = hk_calloc((size_t)b->n_events, sizeof(*ack->results));
    if(!ack->results)
        return HK_ERR_NOMEM;
    snprintf(ack->device, sizeof(ack->device), "%s", b->device);
    ack->n_results = b->n_events;
    for(i = 0; i < b->n_events; i++) {
        ack->results[i].seq = b->events[i].seq;
        snprintf(ack->results[i].uuid, sizeof(ack->results[i].uuid), "%s", b->events[i].uuid);
        ack->results[i].status = CENTRAL_STORED;
    }
    return HK_OK;
}

void central_store_ack_drop(central_ack_t *ack)
{
    central_ack_free(ack);
    memset(ack, 0, sizeof(*ack));
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

/* ---- enrolment codes (PROVISION) ---------------------------------------------------- */

static bool hash_ok(const char *h)
{
    return h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

hk_err_t central_store_enrol_code_put(central_store_t *s, const char *code_hash, const char *device,
                                      int64_t now_ms, int64_t expires_ms)
{
    if(!s || !hash_ok(code_hash) || !id_ok(device) || expires_ms <= now_ms)
        return HK_ERR_INVALID;
    return s->ops->enrol_code_put(s, code_hash, device, now_ms, expires_ms);
}

hk_err_t central_store_enrol_code_take(central_store_t *s, const char *code_hash,
                                       const char *device, int64_t now_ms,
                                       central_code_state_t *state_out)
{
    if(!s || !hash_ok(code_hash) || !id_ok(device) || !state_out)
        return HK_ERR_INVALID;
    return s->ops->enrol_code_take(s, code_hash, device, now_ms, state_out);
}

/* ---- what reports, cases, alerts and the status page read ---------------------------- */

hk_err_t central_store_day_events(central_store_t *s, const char *branch, const char *day,
                                  central_event_row_t **out, int *n_out)
{
    if(out)
        *out = NULL;
    if(n_out)
        *n_out = 0;
    if(!s || !out || !n_out || !id_ok(branch) || !day || !day[0] || strlen(day) > 10)
        return HK_ERR_INVALID;
    return s->ops->day_events(s, branch, day, out, n_out);
}

void central_event_rows_free(central_event_row_t *rows, int n)
{
    int i;

    if(!rows)
        return;
    for(i = 0; i < n; i++)
        hk_free(rows[i].ev.body);
    hk_free(rows);
}

void central_store_set_zone(central_store_t *s, int utc_offset_min)
{
    if(s && utc_offset_min >= -MAX_ZONE_OFFSET_MIN && utc_offset_min <= MAX_ZONE_OFFSET_MIN)
        s->utc_offset_min = utc_offset_min;
}

void central_store_set_alert_limits(central_store_t *s, const alerts_limits_t *lim)
{
    if(!s)
        return;
    if(lim)
        s->limits = *lim;
    else
        memset(&s->limits, 0, sizeof(s->limits));
}

int central_store_last_alerts(central_store_t *s, const alert_t **out)
{
    if(out)
        *out = s && s->n_alerts > 0 ? s->alerts : NULL;
    return s ? s->n_alerts : 0;
}

hk_err_t central_store_case_get(central_store_t *s, const char *id, cases_case_t *out)
{
    if(!s || !out || !case_id_ok(id))
        return HK_ERR_INVALID;
    return s->ops->case_get(s, id, out);
}

hk_err_t central_store_case_update(central_store_t *s, const cases_case_t *c,
                                   int64_t expected_version)
{
    if(!s || !c || !case_id_ok(c->id))
        return HK_ERR_INVALID;
    return s->ops->case_update(s, c, expected_version);
}

hk_err_t central_store_cases_list(central_store_t *s, const char *const *branches, int n_branches,
                                  bool open_only, cases_case_t **out, int *n_out)
{
    if(out)
        *out = NULL;
    if(n_out)
        *n_out = 0;
    if(!s || !out || !n_out || !branches_ok(branches, n_branches))
        return HK_ERR_INVALID;
    return s->ops->cases_list(s, n_branches > 0 ? branches : NULL, n_branches > 0 ? n_branches : 0,
                              open_only, out, n_out);
}

hk_err_t central_store_alerts_list(central_store_t *s, const char *const *branches, int n_branches,
                                   int64_t since_ms, int max, alert_t **out, int *n_out)
{
    if(out)
        *out = NULL;
    if(n_out)
        *n_out = 0;
    if(!s || !out || !n_out || max < 0 || !branches_ok(branches, n_branches))
        return HK_ERR_INVALID;
    if(max == 0)
        return HK_OK;
    return s->ops->alerts_list(s, n_branches > 0 ? branches : NULL, n_branches > 0 ? n_branches : 0,
                               since_ms, max, out, n_out);
}

/* ---- shared by the backends (central_store_impl.h) ------------------------------------ */

bool central_store_type_derives(const char *type)
{
    return !strcmp(type, "visit.rated") || !strcmp(type, "ticket.called") ||
           !strcmp(type, "issue.submitted");
}

hk_err_t central_store_body_day(const char *body, char day_out[11])
{
    const char *day;
    cJSON *root = NULL;
    hk_err_t rc;

    day_out[0] = '\0';
    /* most bodies have a day, but a parse is only worth it when one may */
    if(!body || !strstr(body, "\"day\""))
        return HK_OK;
    rc = hk_json_parse(body, strlen(body), NULL, &root, NULL);
    if(rc != HK_OK)
        return rc == HK_ERR_NOMEM ? rc : HK_OK;
    day = cJSON_IsObject(root) ? hk_json_str_of(root, "day") : NULL;
    if(day && strlen(day) <= 10)
        snprintf(day_out, 11, "%s", day);
    cJSON_Delete(root);
    return HK_OK;
}

void central_store_derive(const central_store_t *s, const char *branch, const char *device,
                          const central_event_t *e, bool *has_case, cases_case_t *c,
                          bool *has_alert, alert_t *a)
{
    *has_case = false;
    *has_alert = false;
    if(!central_store_type_derives(e->type))
        return;
    *has_case = cases_from_event(branch, device, e, s->utc_offset_min, NULL, c);
    if(*has_case)
        c->version = 1;
    /* limits off (the default): no body is parsed for an alert */
    if(s->limits.wait_limit_s > 0 || s->limits.rating_max > 0)
        *has_alert = alerts_from_event(branch, device, e, &s->limits, a);
}

hk_err_t central_store_alert_add(central_store_t *s, const alert_t *a)
{
    if(s->n_alerts == s->cap_alerts) {
        int cap = s->cap_alerts ? 2 * s->cap_alerts : 8;
        alert_t *p = hk_realloc(s->alerts, (size_t)cap * sizeof(*p));
        if(!p)
            return HK_ERR_NOMEM;
        s->alerts = p;
        s->cap_alerts = cap;
    }
    s->alerts[s->n_alerts++] = *a;
    return HK_OK;
}

/* ---- static ---------------------------------------------------------------------- */

/* A case id (its source event's uuid) that fits cases_case_t.id. */
static bool case_id_ok(const char *id)
{
    size_t n;

    if(!id)
        return false;
    n = strnlen(id, REPORT_HTML_CASE_ID_LEN);
    return n > 0 && n < REPORT_HTML_CASE_ID_LEN;
}

static bool branches_ok(const char *const *branches, int n)
{
    int i;

    if(n < 0 || (n > 0 && !branches))
        return false;
    for(i = 0; i < n; i++)
        if(!id_ok(branches[i]))
            return false;
    return true;
}

static bool id_ok(const char *id)
{
    size_t n;

    if(!id)
        return false;
    n = strnlen(id, CENTRAL_ID_LEN);
    return n > 0 && n < CENTRAL_ID_LEN;
}
