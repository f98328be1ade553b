/*
 * central_proto: encoders and strict decoders for the head-office protocol
 * (see central_proto.h and docs/api/central.yaml).
 *
 * Design notes
 * ------------
 * Encoders write JSON by hand into a growing buffer, in one fixed key
 * order, so the same input always gives the same bytes: an upload retried
 * after a lost answer is byte for byte the request the server may already
 * have stored. Ids, UUIDs and type names are validated, never escaped
 * (they have no characters that need it); free text (an error message,
 * the heartbeat's version, printer and last error) is written through
 * put_text(), which escapes quotes and backslashes and turns what a
 * decoder would refuse (control characters, invalid UTF-8) into spaces
 * and '?', byte for byte, so a decoder never refuses what an encoder made
 * and a text that fitted its field still fits.
 *
 * Decoders parse with hk_json_parse() under a byte and depth cap, then
 * read the tree with the hk_json readers: unknown, duplicate and missing
 * keys, wrong types and out-of-range numbers are refused with the field
 * path. Numbers travel as JSON numbers, read as doubles: the integers
 * accepted are 0..2^53-1, where a double is exact.
 *
 * An event's body is carried as its exact text. The encoder inserts the
 * journal's body unchanged (after checking it is one strict JSON object);
 * the decoder finds each body's bytes in the request by walking the raw
 * text beside the cJSON tree (cJSON keeps members in text order, so the
 * k-th member of an object in the text is the k-th child in the tree).
 * The text was already accepted by cJSON, so the walk only has to skip
 * values, not judge them; it stays defensive all the same.
 */
#include "central_proto.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hk_buf.h"
#include "hk_json.h"
#include "hk_mem.h"
#include "hk_time.h"

/* Defines -----------------------------------------------------------------*/
#define INT53_MAX         9007199254740991LL /* 2^53 - 1: exact in a double */
#define UUID_CHARS        36
#define BODY_MAX_DEPTH    12                   /* nesting inside one event body */
#define BATCH_MAX_DEPTH   (BODY_MAX_DEPTH + 3) /* {events:[{body:…}]} */
#define SMALL_MAX_DEPTH   4                    /* ack, error, heartbeat */
#define CONFIG_DOC_DEPTH  20                   /* config_parse allows 16, +1 */
#define RETRY_AFTER_MAX_S 3600
#define PATH_CAP          HK_JSON_PATH_CAP

/* Types -------------------------------------------------------------------*/

/* A cursor over raw JSON text already accepted by cJSON. */
typedef struct scan {
    const char *t;
    size_t n;
    size_t i;
} scan_t;

/* Static prototypes -------------------------------------------------------*/
static void buf_int(hk_buf_t *b, int64_t v);
static void put_text(hk_buf_t *b, const char *s, size_t max_bytes);
static size_t strict_json_bad(const char *s, size_t len);
static bool id_ok(const char *s);
static bool uuid_ok(const char *s);
static bool type_ok(const char *s);
static bool code_ok(const char *s);
static hk_err_t body_check(const char *body, size_t len, hk_diag_t *diag);
static hk_err_t parse_object(const char *text, size_t len, size_t max_bytes, int max_depth,
                             const char *const *keys, cJSON **out, hk_diag_t *diag);
static hk_err_t decode_begin(bool have_out, const char *text, size_t len, size_t max_bytes,
                             int max_depth, const char *const *keys, cJSON **root, hk_diag_t *diag);
static hk_err_t get_device_branch(const cJSON *root, char *device, char *branch, hk_diag_t *diag);
static hk_err_t get_member(const cJSON *obj, const char *path, const char *key, const cJSON **out,
                           hk_diag_t *diag);
static hk_err_t get_id(const cJSON *obj, const char *path, const char *key, char *dst,
                       hk_diag_t *diag);
static hk_err_t get_uuid(const cJSON *obj, const char *path, const char *key, char dst[37],
                         hk_diag_t *diag);
static hk_err_t get_num(const cJSON *obj, const char *path, const char *key, int64_t lo, int64_t hi,
                        int64_t *dst, hk_diag_t *diag);
static hk_err_t get_text(const cJSON *obj, const char *path, const char *key, char *dst, size_t cap,
                         hk_diag_t *diag);
static hk_err_t get_array(const cJSON *obj, const char *path, const char *key, int max,
                          const char *what, const cJSON **arr_out, int *n_out, hk_diag_t *diag);
static hk_err_t decode_event(const cJSON *it, const char *path, central_event_t *ev,
                             hk_diag_t *diag);
static hk_err_t find_bodies(const char *text, size_t len, const cJSON *root, central_batch_t *b,
                            hk_diag_t *diag);
static int child_index(const cJSON *parent, const cJSON *child);
static void scan_ws(scan_t *s);
static bool scan_skip_string(scan_t *s);
static bool scan_skip_value(scan_t *s);
static bool scan_open(scan_t *s, char open);
static bool scan_next(scan_t *s, char close, bool members, size_t *vs, size_t *ve);
static bool member_span(const char *t, size_t n, size_t start, bool members, int index, size_t *vs,
                        size_t *ve);
static hk_err_t check_config(const char *text, size_t len, config_t *cfg, hk_diag_t *diag);
static hk_err_t decode_announcement(const cJSON *it, const char *path, central_announcement_t *a,
                                    hk_diag_t *diag);
static size_t clean_text(char *dst, size_t cap, const char *src);
static void trim_ws(const char **text, size_t *len);
static bool take(const char **p, const char *lit);
static bool take_digits(const char **p, int n, int *v);
static bool take_name(const char **p, const char *const *names, int count, int *idx);
static bool take_time(const char **p, int *h, int *mi, int *s);
static bool parse_http_date(const char *s, int64_t now_s, int64_t *t_out);

/* Static data -------------------------------------------------------------*/
static const char *const batch_keys[] = { "device", "branch", "events", NULL };
static const char *const event_keys[] = { "seq", "uuid", "type", "time_ms", "body", NULL };
static const char *const ack_keys[] = { "device", "acked_seq", "results", NULL };
static const char *const result_keys[] = { "seq", "uuid", "status", NULL };
static const char *const error_top_keys[] = { "error", NULL };
static const char *const error_keys[] = { "code", "message", NULL };
static const char *const doc_keys[] = { "version", "config", "announcements", NULL };
static const char *const ann_keys[] = { "id", "zh", "en", "from_ms", "to_ms", NULL };
static const char *const hb_keys[] = { "device",     "branch",  "version",      "uptime_s",
                                       "backlog",    "printer", "disk_free_mb", "last_error",
                                       "compatible", NULL };
static const char *const reply_keys[] = { "server_time_ms", "update", NULL };
static const char *const offer_keys[] = { "version", "url", "sha256", NULL };
static const char *const status_names[] = { "stored", "duplicate" };

/* Public functions --------------------------------------------------------*/

hk_err_t central_batch_encode(const char *device, const char *branch, const journal_event_t *ev,
                              int n, size_t max_bytes, char **out, size_t *len_out, int *taken_out)
{
    hk_buf_t b = { 0 };
    size_t total, cap = max_bytes ? max_bytes : CENTRAL_BATCH_MAX_BYTES;
    hk_err_t rc = HK_OK;
    int i, taken = 0;

    if(out)
        *out = NULL;
    if(!device || !branch || !ev || n < 1 || !out || !taken_out || !id_ok(device) || !id_ok(branch))
        return HK_ERR_INVALID;
    if(cap > CENTRAL_BATCH_MAX_BYTES)
        cap = CENTRAL_BATCH_MAX_BYTES;
    /* Size first: "{"device":"…","branch":"…","events":[" + events + "]}" */
    total =
        strlen("{\"device\":\"\",\"branch\":\"\",\"events\":[]}") + strlen(device) + strlen(branch);
    for(i = 0; i < n && i < CENTRAL_BATCH_MAX_EVENTS; i++) {
        const journal_event_t *e = &ev[i];
        size_t blen = e->body ? strlen(e->body) : 0;
        int head;

        if(e->seq < 1 || e->seq > INT53_MAX || e->wall_ms < 0 || e->wall_ms > INT53_MAX ||
           (unsigned)e->type >= JOURNAL_TYPE_COUNT || !uuid_ok(e->uuid) || !e->body)
            return HK_ERR_INVALID;
        if(i > 0 && e->seq <= ev[i - 1].seq)
            return HK_ERR_INVALID; /* the decoder would refuse it */
        head = snprintf(NULL, 0,
                        "{\"seq\":%" PRId64 ",\"uuid\":\"%s\",\"type\":\"%s\",\"time_ms\":%" PRId64
                        ",\"body\":}",
                        e->seq, e->uuid, journal_type_str(e->type), e->wall_ms);
        if(head < 0)
            return HK_ERR_INVALID;
        if(total + (i > 0) + (size_t)head + blen > cap) {
            if(i > 0)
                break;
            if(total + (size_t)head + blen > CENTRAL_BATCH_MAX_BYTES)
                return HK_ERR_INVALID; /* not even one fits a request */
        }
        rc = body_check(e->body, blen, NULL);
        if(rc != HK_OK)
            return rc;
        total += (i > 0) + (size_t)head + blen;
        taken = i + 1;
    }
    hk_buf_reserve(&b, total + 1);
    hk_buf_puts(&b, "{\"device\":\"");
    hk_buf_puts(&b, device);
    hk_buf_puts(&b, "\",\"branch\":\"");
    hk_buf_puts(&b, branch);
    hk_buf_puts(&b, "\",\"events\":[");
    for(i = 0; i < taken; i++) {
        if(i > 0)
            hk_buf_puts(&b, ",");
        hk_buf_puts(&b, "{\"seq\":");
        buf_int(&b, ev[i].seq);
        hk_buf_puts(&b, ",\"uuid\":\"");
        hk_buf_puts(&b, ev[i].uuid);
        hk_buf_puts(&b, "\",\"type\":\"");
        hk_buf_puts(&b, journal_type_str(ev[i].type));
        hk_buf_puts(&b, "\",\"time_ms\":");
        buf_int(&b, ev[i].wall_ms);
        hk_buf_puts(&b, ",\"body\":");
        hk_buf_puts(&b, ev[i].body); /* the exact text: never re-encoded */
        hk_buf_puts(&b, "}");
    }
    hk_buf_puts(&b, "]}");
    rc = hk_buf_finish(&b, out, len_out);
    if(rc == HK_OK)
        *taken_out = taken;
    return rc;
}

hk_err_t central_batch_decode(const char *text, size_t len, central_batch_t *out, hk_diag_t *diag)
{
    central_batch_t b;
    const cJSON *events = NULL, *it;
    char path[PATH_CAP];
    cJSON *root = NULL;
    hk_err_t rc;
    int n = 0, k;

    memset(&b, 0, sizeof(b));
    if(out)
        memset(out, 0, sizeof(*out));
    rc = decode_begin(out != NULL, text, len, CENTRAL_BATCH_MAX_BYTES, BATCH_MAX_DEPTH, batch_keys,
                      &root, diag);
    if(rc == HK_OK)
        rc = get_device_branch(root, b.device, b.branch, diag);
    if(rc == HK_OK)
        rc = get_array(root, "", "events", CENTRAL_BATCH_MAX_EVENTS, "events", &events, &n, diag);
    if(rc == HK_OK && n < 1) {
        hk_diag_set(diag, "events: at least one event is required");
        rc = HK_ERR_INVALID;
    }
    if(rc != HK_OK)
        goto out;
    b.events = hk_calloc((size_t)n, sizeof(*b.events));
    if(!b.events) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    b.n_events = n;
    for(k = 0, it = events->child; rc == HK_OK && it; k++, it = it->next) {
        (void)snprintf(path, sizeof(path), "events[%d]", k);
        rc = decode_event(it, path, &b.events[k], diag);
        if(rc == HK_OK && k > 0 && b.events[k].seq <= b.events[k - 1].seq) {
            hk_diag_set(diag,
                        "events[%d].seq: must be above events[%d].seq (ascending, no repeats)", k,
                        k - 1);
            rc = HK_ERR_INVALID;
        }
        for(int j = 0; rc == HK_OK && j < k; j++) {
            if(memcmp(b.events[j].uuid, b.events[k].uuid, UUID_CHARS) == 0) {
                hk_diag_set(diag, "events[%d].uuid: same as events[%d].uuid", k, j);
                rc = HK_ERR_INVALID;
            }
        }
    }
    if(rc == HK_OK)
        rc = find_bodies(text, len, root, &b, diag);
    if(rc == HK_OK)
        *out = b;
out:
    cJSON_Delete(root);
    if(rc != HK_OK) {
        central_batch_free(&b);
        if(rc == HK_ERR_NOMEM)
            hk_diag_set(diag, "out of memory");
    }
    return rc;
}

void central_batch_free(central_batch_t *b)
{
    int i;

    if(!b)
        return;
    for(i = 0; b->events && i < b->n_events; i++)
        HK_SAFEFREE(b->events[i].body);
    HK_SAFEFREE(b->events);
    b->n_events = 0;
}

hk_err_t central_ack_encode(const central_ack_t *ack, char **out, size_t *len_out)
{
    hk_buf_t b = { 0 };
    int i;

    if(out)
        *out = NULL;
    if(!ack || !out || !id_ok(ack->device) || ack->acked_seq < 0 || ack->acked_seq > INT53_MAX ||
       ack->n_results < 0 || ack->n_results > CENTRAL_BATCH_MAX_EVENTS ||
       (ack->n_results > 0 && !ack->results))
        return HK_ERR_INVALID;
    for(i = 0; i < ack->n_results; i++) {
        const central_result_t *r = &ack->results[i];

        if(r->seq < 1 || r->seq > INT53_MAX || !uuid_ok(r->uuid) ||
           (r->status != CENTRAL_STORED && r->status != CENTRAL_DUPLICATE))
            return HK_ERR_INVALID;
    }
    hk_buf_reserve(&b, 64 + (size_t)ack->n_results * 80);
    hk_buf_puts(&b, "{\"device\":\"");
    hk_buf_puts(&b, ack->device);
    hk_buf_puts(&b, "\",\"acked_seq\":");
    buf_int(&b, ack->acked_seq);
    hk_buf_puts(&b, ",\"results\":[");
    for(i = 0; i < ack->n_results; i++) {
        const central_result_t *r = &ack->results[i];

        hk_buf_puts(&b, i ? ",{\"seq\":" : "{\"seq\":");
        buf_int(&b, r->seq);
        hk_buf_puts(&b, ",\"uuid\":\"");
        hk_buf_puts(&b, r->uuid);
        hk_buf_puts(&b, "\",\"status\":\"");
        hk_buf_puts(&b, status_names[r->status]);
        hk_buf_puts(&b, "\"}");
    }
    hk_buf_puts(&b, "]}");
    return hk_buf_finish(&b, out, len_out);
}

hk_err_t central_ack_decode(const char *text, size_t len, central_ack_t *out, hk_diag_t *diag)
{
    central_ack_t a;
    const cJSON *results = NULL, *it;
    char path[PATH_CAP], status[16];
    cJSON *root = NULL;
    hk_err_t rc;
    int n = 0, k;

    memset(&a, 0, sizeof(a));
    if(out)
        memset(out, 0, sizeof(*out));
    rc = decode_begin(out != NULL, text, len, CENTRAL_ACK_MAX_BYTES, SMALL_MAX_DEPTH, ack_keys,
                      &root, diag);
    if(rc == HK_OK)
        rc = get_id(root, "", "device", a.device, diag);
    if(rc == HK_OK)
        rc = get_num(root, "", "acked_seq", 0, INT53_MAX, &a.acked_seq, diag);
    if(rc == HK_OK)
        rc =
            get_array(root, "", "results", CENTRAL_BATCH_MAX_EVENTS, "results", &results, &n, diag);
    if(rc != HK_OK || n == 0)
        goto out;
    a.results = hk_calloc((size_t)n, sizeof(*a.results));
    if(!a.results) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    a.n_results = n;
    for(k = 0, it = results->child; rc == HK_OK && it; k++, it = it->next) {
        central_result_t *r = &a.results[k];

        (void)snprintf(path, sizeof(path), "results[%d]", k);
        if(!cJSON_IsObject(it)) {
            hk_diag_set(diag, "%s: expected an object", path);
            rc = HK_ERR_INVALID;
            break;
        }
        rc = hk_json_check_keys(it, path, result_keys, diag);
        if(rc == HK_OK)
            rc = get_num(it, path, "seq", 1, INT53_MAX, &r->seq, diag);
        if(rc == HK_OK)
            rc = get_uuid(it, path, "uuid", r->uuid, diag);
        if(rc == HK_OK)
            rc = get_text(it, path, "status", status, sizeof(status), diag);
        if(rc == HK_OK) {
            if(strcmp(status, "stored") == 0) {
                r->status = CENTRAL_STORED;
            } else if(strcmp(status, "duplicate") == 0) {
                r->status = CENTRAL_DUPLICATE;
            } else {
                hk_diag_set(diag, "%s.status: expected stored or duplicate", path);
                rc = HK_ERR_INVALID;
            }
        }
    }
out:
    cJSON_Delete(root);
    if(rc == HK_OK) {
        *out = a;
    } else {
        central_ack_free(&a);
        if(rc == HK_ERR_NOMEM)
            hk_diag_set(diag, "out of memory");
    }
    return rc;
}

void central_ack_free(central_ack_t *a)
{
    if(!a)
        return;
    HK_SAFEFREE(a->results);
    a->n_results = 0;
}

bool central_ack_covers(const central_ack_t *ack, const char *device, const journal_event_t *sent,
                        int n, int64_t last_local_seq, int64_t *new_cursor_out, hk_diag_t *diag)
{
    int i;

    hk_diag_clear(diag);
    if(!ack || !device || !sent || n < 1) {
        hk_diag_set(diag, "nothing was sent");
        return false;
    }
    if(strcmp(ack->device, device) != 0) {
        hk_diag_set(diag, "device: \"%s\" is not this device", ack->device);
        return false;
    }
    if(ack->n_results != n || (n > 0 && !ack->results)) {
        hk_diag_set(diag, "results: %d entries for %d events sent", ack->n_results, n);
        return false;
    }
    for(i = 0; i < n; i++) {
        if(ack->results[i].seq != sent[i].seq) {
            hk_diag_set(diag, "results[%d].seq: %" PRId64 " is not the event sent (%" PRId64 ")", i,
                        ack->results[i].seq, sent[i].seq);
            return false;
        }
        if(strncmp(ack->results[i].uuid, sent[i].uuid, sizeof(ack->results[i].uuid)) != 0) {
            hk_diag_set(diag, "results[%d].uuid: not the event sent", i);
            return false;
        }
        if(ack->results[i].status != CENTRAL_STORED &&
           ack->results[i].status != CENTRAL_DUPLICATE) {
            hk_diag_set(diag, "results[%d].status: not stored or duplicate", i);
            return false;
        }
    }
    if(ack->acked_seq < 0 || ack->acked_seq > last_local_seq) {
        hk_diag_set(diag, "acked_seq: %" PRId64 " is past this device's journal end (%" PRId64 ")",
                    ack->acked_seq, last_local_seq);
        return false;
    }
    if(new_cursor_out)
        *new_cursor_out = ack->acked_seq;
    return true;
}

hk_err_t central_error_encode(const char *code, const char *message, char **out, size_t *len_out)
{
    hk_buf_t b = { 0 };

    if(out)
        *out = NULL;
    if(!code || !out || !code_ok(code))
        return HK_ERR_INVALID;
    hk_buf_reserve(&b, 64 + (message ? strlen(message) : 0));
    hk_buf_puts(&b, "{\"error\":{\"code\":\"");
    hk_buf_puts(&b, code);
    hk_buf_puts(&b, "\",\"message\":");
    put_text(&b, message ? message : "", CENTRAL_TEXT_LEN - 1);
    hk_buf_puts(&b, "}}");
    return hk_buf_finish(&b, out, len_out);
}

hk_err_t central_error_decode(const char *text, size_t len, central_error_t *out, hk_diag_t *diag)
{
    central_error_t e;
    const cJSON *err = NULL, *msg = NULL;
    cJSON *root = NULL;
    hk_err_t rc;

    memset(&e, 0, sizeof(e));
    rc = decode_begin(out != NULL, text, len, CENTRAL_SMALL_MAX_BYTES, SMALL_MAX_DEPTH,
                      error_top_keys, &root, diag);
    if(rc == HK_OK)
        rc = get_member(root, "", "error", &err, diag);
    if(rc == HK_OK && !cJSON_IsObject(err)) {
        hk_diag_set(diag, "error: expected an object");
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        rc = hk_json_check_keys(err, "error", error_keys, diag);
    if(rc == HK_OK)
        rc = get_text(err, "error", "code", e.code, sizeof(e.code), diag);
    if(rc == HK_OK && !code_ok(e.code)) {
        hk_diag_set(diag, "error.code: must be a-z and _");
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        rc = get_member(err, "error", "message", &msg, diag);
    if(rc == HK_OK && !cJSON_IsString(msg)) {
        hk_diag_set(diag, "error.message: expected a string");
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK) {
        /* Shown to a person only: cut to fit rather than refuse. */
        (void)clean_text(e.message, sizeof(e.message), msg->valuestring); /* length unused */
        *out = e;
    }
    cJSON_Delete(root);
    return rc;
}

hk_err_t central_config_decode(const char *text, size_t len, central_config_doc_t **out,
                               hk_diag_t *diag)
{
    central_config_doc_t *doc = NULL;
    const cJSON *cfg = NULL, *anns = NULL, *it;
    char path[PATH_CAP], *cfg_text = NULL;
    cJSON *root = NULL;
    hk_err_t rc;
    int n = 0, k;

    if(out)
        *out = NULL;
    rc = decode_begin(out != NULL, text, len, CENTRAL_CONFIG_MAX_BYTES, CONFIG_DOC_DEPTH, doc_keys,
                      &root, diag);
    if(rc != HK_OK)
        goto out;
    doc = hk_calloc(1, sizeof(*doc));
    if(!doc) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    rc = get_num(root, "", "version", 1, INT53_MAX, &doc->version, diag);
    if(rc == HK_OK)
        rc = get_member(root, "", "config", &cfg, diag);
    if(rc == HK_OK && !cJSON_IsObject(cfg)) {
        hk_diag_set(diag, "config: expected an object");
        rc = HK_ERR_INVALID;
    }
    if(rc != HK_OK)
        goto out;
    anns = cJSON_GetObjectItemCaseSensitive(root, "announcements");
    if(anns) {
        rc = get_array(root, "", "announcements", CENTRAL_MAX_ANNOUNCEMENTS, "announcements", &anns,
                       &n, diag);
        for(k = 0, it = anns ? anns->child : NULL; rc == HK_OK && it; k++, it = it->next) {
            (void)snprintf(path, sizeof(path), "announcements[%d]", k);
            rc = decode_announcement(it, path, &doc->announcements[k], diag);
            for(int j = 0; rc == HK_OK && j < k; j++) {
                if(strcmp(doc->announcements[j].id, doc->announcements[k].id) == 0) {
                    hk_diag_set(diag, "%s.id: \"%s\" listed twice", path, doc->announcements[k].id);
                    rc = HK_ERR_INVALID;
                }
            }
        }
        if(rc != HK_OK)
            goto out;
        doc->n_announcements = n;
    }
    /* config_parse() validates the config whole; it takes text, so the
     * member is printed back (the document was already parsed under caps). */
    cfg_text = cJSON_PrintUnformatted(cfg);
    if(!cfg_text) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    rc = check_config(cfg_text, strlen(cfg_text), &doc->config, diag);
out:
    hk_free(cfg_text);
    cJSON_Delete(root);
    if(rc == HK_OK) {
        *out = doc;
    } else {
        hk_free(doc);
        if(rc == HK_ERR_NOMEM)
            hk_diag_set(diag, "out of memory");
    }
    return rc;
}

hk_err_t central_config_encode(int64_t version, const char *config_json, size_t config_len,
                               const central_announcement_t *ann, int n_ann, char **out,
                               size_t *len_out, hk_diag_t *diag)
{
    central_config_doc_t *check = NULL;
    config_t *cfg;
    hk_buf_t b = { 0 };
    size_t len = 0;
    hk_err_t rc;
    int i;

    hk_diag_clear(diag);
    if(out)
        *out = NULL;
    if(!out || !config_json || n_ann < 0 || n_ann > CENTRAL_MAX_ANNOUNCEMENTS ||
       (n_ann > 0 && !ann) || version < 1 || version > INT53_MAX) {
        hk_diag_set(diag, "no config, or a bad version or announcement count");
        return HK_ERR_INVALID;
    }
    /* a file's text: its surrounding whitespace is not the config's */
    trim_ws(&config_json, &config_len);
    /* the config alone first: one object, nothing around it */
    cfg = hk_malloc(sizeof(*cfg));
    if(!cfg)
        return HK_ERR_NOMEM;
    rc = check_config(config_json, config_len, cfg, diag);
    hk_free(cfg);
    if(rc != HK_OK)
        return rc;
    hk_buf_reserve(&b, config_len + 64 + (size_t)n_ann * 400);
    hk_buf_puts(&b, "{\"version\":");
    buf_int(&b, version);
    hk_buf_puts(&b, ",\"config\":");
    hk_buf_put(&b, config_json, config_len);
    hk_buf_puts(&b, ",\"announcements\":[");
    for(i = 0; i < n_ann; i++) {
        hk_buf_puts(&b, i ? ",{\"id\":" : "{\"id\":");
        put_text(&b, ann[i].id, CENTRAL_ID_LEN - 1);
        hk_buf_puts(&b, ",\"zh\":");
        put_text(&b, ann[i].zh, CENTRAL_TEXT_LEN - 1);
        hk_buf_puts(&b, ",\"en\":");
        put_text(&b, ann[i].en, CENTRAL_TEXT_LEN - 1);
        hk_buf_puts(&b, ",\"from_ms\":");
        buf_int(&b, ann[i].from_ms);
        hk_buf_puts(&b, ",\"to_ms\":");
        buf_int(&b, ann[i].to_ms);
        hk_buf_puts(&b, "}");
    }
    hk_buf_puts(&b, "]}");
    rc = hk_buf_finish(&b, out, &len);
    if(rc == HK_OK)
        rc = central_config_decode(*out, len, &check, diag);
    hk_free(check);
    if(rc != HK_OK) {
        HK_SAFEFREE(*out);
        return rc;
    }
    if(len_out)
        *len_out = len;
    return HK_OK;
}

hk_err_t central_content_encode(const char *version, const char *faq_json, size_t faq_len,
                                const char *triage_json, size_t triage_len, char **out,
                                size_t *len_out, hk_diag_t *diag)
{
    faq_content_t *check = NULL;
    hk_buf_t b = { 0 };
    size_t len = 0;
    hk_err_t rc;

    hk_diag_clear(diag);
    if(out)
        *out = NULL;
    if(!out || !version || !faq_json || !triage_json || !version[0] ||
       strlen(version) >= FAQ_VERSION_LEN || !hk_json_text_ok(version)) {
        hk_diag_set(diag, "no content, or a bad version");
        return HK_ERR_INVALID;
    }
    trim_ws(&faq_json, &faq_len);
    trim_ws(&triage_json, &triage_len);
    hk_buf_reserve(&b, faq_len + triage_len + 128);
    hk_buf_puts(&b, "{\"version\":");
    put_text(&b, version, FAQ_VERSION_LEN - 1);
    hk_buf_puts(&b, ",\"faq\":");
    hk_buf_put(&b, faq_json, faq_len);
    hk_buf_puts(&b, ",\"triage\":");
    hk_buf_put(&b, triage_json, triage_len);
    hk_buf_puts(&b, "}");
    rc = hk_buf_finish(&b, out, &len);
    if(rc == HK_OK)
        rc = central_content_decode(*out, len, NULL, &check, diag);
    faq_content_free(check);
    if(rc != HK_OK) {
        HK_SAFEFREE(*out);
        return rc;
    }
    if(len_out)
        *len_out = len;
    return HK_OK;
}

hk_err_t central_content_decode(const char *text, size_t len, char *version, faq_content_t **out,
                                hk_diag_t *diag)
{
    return faq_content_parse_bundle(text, len, version, out, diag);
}

hk_err_t central_heartbeat_encode(const central_heartbeat_t *hb, char **out, size_t *len_out)
{
    hk_buf_t b = { 0 };

    if(out)
        *out = NULL;
    if(!hb || !out || !id_ok(hb->device) || !id_ok(hb->branch) || hb->uptime_s < 0 ||
       hb->uptime_s > INT53_MAX || hb->backlog < 0 || hb->backlog > INT53_MAX ||
       hb->disk_free_mb < -1 || hb->disk_free_mb > INT53_MAX)
        return HK_ERR_INVALID;
    hk_buf_reserve(&b, 512);
    hk_buf_puts(&b, "{\"device\":\"");
    hk_buf_puts(&b, hb->device);
    hk_buf_puts(&b, "\",\"branch\":\"");
    hk_buf_puts(&b, hb->branch);
    hk_buf_puts(&b, "\",\"version\":");
    put_text(&b, hb->version, sizeof(hb->version) - 1);
    hk_buf_puts(&b, ",\"uptime_s\":");
    buf_int(&b, hb->uptime_s);
    hk_buf_puts(&b, ",\"backlog\":");
    buf_int(&b, hb->backlog);
    hk_buf_puts(&b, ",\"printer\":");
    put_text(&b, hb->printer, sizeof(hb->printer) - 1);
    hk_buf_puts(&b, ",\"disk_free_mb\":");
    buf_int(&b, hb->disk_free_mb);
    hk_buf_puts(&b, ",\"last_error\":");
    put_text(&b, hb->last_error, sizeof(hb->last_error) - 1);
    if(hb->compatible[0]) { /* PROVISION: optional, so older devices still decode */
        hk_buf_puts(&b, ",\"compatible\":");
        put_text(&b, hb->compatible, sizeof(hb->compatible) - 1);
    }
    hk_buf_puts(&b, "}");
    return hk_buf_finish(&b, out, len_out);
}

hk_err_t central_heartbeat_decode(const char *text, size_t len, central_heartbeat_t *out,
                                  hk_diag_t *diag)
{
    central_heartbeat_t hb;
    cJSON *root = NULL;
    hk_err_t rc;

    memset(&hb, 0, sizeof(hb));
    rc = decode_begin(out != NULL, text, len, CENTRAL_SMALL_MAX_BYTES, SMALL_MAX_DEPTH, hb_keys,
                      &root, diag);
    if(rc == HK_OK)
        rc = get_device_branch(root, hb.device, hb.branch, diag);
    if(rc == HK_OK)
        rc = get_text(root, "", "version", hb.version, sizeof(hb.version), diag);
    if(rc == HK_OK)
        rc = get_num(root, "", "uptime_s", 0, INT53_MAX, &hb.uptime_s, diag);
    if(rc == HK_OK)
        rc = get_num(root, "", "backlog", 0, INT53_MAX, &hb.backlog, diag);
    if(rc == HK_OK)
        rc = get_text(root, "", "printer", hb.printer, sizeof(hb.printer), diag);
    if(rc == HK_OK)
        rc = get_num(root, "", "disk_free_mb", -1, INT53_MAX, &hb.disk_free_mb, diag);
    if(rc == HK_OK)
        rc = get_text(root, "", "last_error", hb.last_error, sizeof(hb.last_error), diag);
    if(rc == HK_OK && cJSON_GetObjectItemCaseSensitive(root, "compatible"))
        rc = get_text(root, "", "compatible", hb.compatible, sizeof(hb.compatible), diag);
    if(rc == HK_OK)
        *out = hb;
    cJSON_Delete(root);
    return rc;
}

hk_err_t central_heartbeat_reply_encode(int64_t server_time_ms, char **out, size_t *len_out)
{
    return central_heartbeat_reply_encode_offer(server_time_ms, NULL, out, len_out);
}

static bool offer_ok(const central_update_offer_t *o)
{
    size_t v = strlen(o->version);

    return v > 0 && strspn(o->version, "0123456789.") == v && !strncmp(o->url, "https://", 8) &&
           hk_json_text_ok(o->url) && strlen(o->sha256) == 64 &&
           strspn(o->sha256, "0123456789abcdef") == 64;
}

hk_err_t central_heartbeat_reply_encode_offer(int64_t server_time_ms,
                                              const central_update_offer_t *offer, char **out,
                                              size_t *len_out)
{
    hk_buf_t b = { 0 };

    if(out)
        *out = NULL;
    if(!out || server_time_ms < 0 || server_time_ms > INT53_MAX || (offer && !offer_ok(offer)))
        return HK_ERR_INVALID;
    hk_buf_reserve(&b, 48);
    hk_buf_puts(&b, "{\"server_time_ms\":");
    buf_int(&b, server_time_ms);
    if(offer) {
        hk_buf_puts(&b, ",\"update\":{\"version\":");
        put_text(&b, offer->version, sizeof(offer->version) - 1);
        hk_buf_puts(&b, ",\"url\":");
        put_text(&b, offer->url, sizeof(offer->url) - 1);
        hk_buf_puts(&b, ",\"sha256\":");
        put_text(&b, offer->sha256, sizeof(offer->sha256) - 1);
        hk_buf_puts(&b, "}");
    }
    hk_buf_puts(&b, "}");
    return hk_buf_finish(&b, out, len_out);
}

hk_err_t central_heartbeat_reply_decode(const char *text, size_t len, int64_t *server_time_ms_out,
                                        hk_diag_t *diag)
{
    central_update_offer_t offer;
    bool has = false;

    return central_heartbeat_reply_decode_offer(text, len, server_time_ms_out, &offer, &has, diag);
}

hk_err_t central_heartbeat_reply_decode_offer(const char *text, size_t len,
                                              int64_t *server_time_ms_out,
                                              central_update_offer_t *offer_out,
                                              bool *has_offer_out, hk_diag_t *diag)
{
    central_update_offer_t o;
    const cJSON *up;
    cJSON *root = NULL;
    int64_t v = 0;
    hk_err_t rc;

    memset(&o, 0, sizeof(o));
    rc = decode_begin(server_time_ms_out != NULL && offer_out && has_offer_out, text, len,
                      CENTRAL_SMALL_MAX_BYTES, SMALL_MAX_DEPTH, reply_keys, &root, diag);
    if(rc == HK_OK)
        rc = get_num(root, "", "server_time_ms", 0, INT53_MAX, &v, diag);
    up = root ? cJSON_GetObjectItemCaseSensitive(root, "update") : NULL;
    if(rc == HK_OK && up) {
        if(!cJSON_IsObject(up)) {
            hk_diag_set(diag, "update: expected an object");
            rc = HK_ERR_INVALID;
        }
        if(rc == HK_OK)
            rc = hk_json_check_keys(up, "update", offer_keys, diag);
        if(rc == HK_OK)
            rc = get_text(up, "update", "version", o.version, sizeof(o.version), diag);
        if(rc == HK_OK)
            rc = get_text(up, "update", "url", o.url, sizeof(o.url), diag);
        if(rc == HK_OK)
            rc = get_text(up, "update", "sha256", o.sha256, sizeof(o.sha256), diag);
        if(rc == HK_OK && !offer_ok(&o)) {
            hk_diag_set(diag, "update: expected a version of digits and dots, an https:// url "
                              "and a sha256 of 64 lower-case hex digits");
            rc = HK_ERR_INVALID;
        }
    }
    if(rc == HK_OK) {
        *server_time_ms_out = v;
        *has_offer_out = up != NULL;
        if(up)
            *offer_out = o;
    }
    cJSON_Delete(root);
    return rc;
}

int central_version_cmp(const char *a, const char *b)
{
    while((*a >= '0' && *a <= '9') || (*b >= '0' && *b <= '9')) {
        unsigned long long x = 0, y = 0;
        while(*a >= '0' && *a <= '9' && x < 1000000000ULL)
            x = x * 10 + (unsigned)(*a++ - '0');
        while(*b >= '0' && *b <= '9' && y < 1000000000ULL)
            y = y * 10 + (unsigned)(*b++ - '0');
        if(x != y)
            return x < y ? -1 : 1;
        if(*a == '.')
            a++;
        if(*b == '.')
            b++;
    }
    return 0;
}

bool central_parse_retry_after(const char *value, int64_t now_s, int *secs_out)
{
    char tmp[64];
    const char *p, *e;
    int64_t t, d = 0;
    size_t n;

    if(!value || !secs_out)
        return false;
    for(p = value; *p == ' ' || *p == '\t'; p++) {
    }
    for(e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t'); e--) {
    }
    n = (size_t)(e - p);
    if(n == 0 || n >= sizeof(tmp))
        return false;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    if(tmp[0] >= '0' && tmp[0] <= '9') {
        /* delta-seconds = 1*DIGIT; a huge number clamps, never overflows */
        for(p = tmp; *p; p++) {
            if(*p < '0' || *p > '9')
                return false;
            if(d <= RETRY_AFTER_MAX_S)
                d = d * 10 + (*p - '0');
        }
    } else {
        if(!parse_http_date(tmp, now_s, &t))
            return false;
        d = t - now_s;
    }
    if(d < 0)
        d = 0;
    if(d > RETRY_AFTER_MAX_S)
        d = RETRY_AFTER_MAX_S;
    *secs_out = (int)d;
    return true;
}

/* Static functions: output ------------------------------------------------*/

static void buf_int(hk_buf_t *b, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%" PRId64, v);

    if(n > 0)
        hk_buf_put(b, num, (size_t)n);
}

/* A JSON string of clean_text(s): what hk_json_get_text() will take back. */
static void put_text(hk_buf_t *b, const char *s, size_t max_bytes)
{
    char tmp[CENTRAL_TEXT_LEN];
    size_t i, n;

    if(max_bytes > sizeof(tmp) - 1)
        max_bytes = sizeof(tmp) - 1; /* every text field is shorter */
    n = clean_text(tmp, max_bytes + 1, s);
    hk_buf_put(b, "\"", 1);
    for(i = 0; i < n; i++) {
        if(tmp[i] == '"' || tmp[i] == '\\')
            hk_buf_put(b, "\\", 1);
        hk_buf_put(b, &tmp[i], 1);
    }
    hk_buf_put(b, "\"", 1);
}

/* Static functions: text rules --------------------------------------------*/

/* Where text stops being JSON text as RFC 8259 has it, beyond what cJSON
 * checks: the offset of the first byte that is not strict UTF-8, is a raw
 * control character inside a string, or is outside a string and neither
 * ASCII nor ' ', tab, CR, LF (cJSON skips any byte <= 32, NUL included,
 * and a leading byte order mark); len when there is none. A body that
 * passes is stored as text by any database and parses anywhere. */
static size_t strict_json_bad(const char *s, size_t len)
{
    bool in_str = false, esc = false;
    size_t i = 0;

    while(i < len) {
        unsigned char c = (unsigned char)s[i];
        unsigned cp;
        size_t adv;

        if(c >= 0x80) {
            adv = hk_json_utf8_seq(s + i, len - i, &cp);
            if(adv == 0 || !in_str)
                return i;
            i += adv;
            esc = false;
            continue;
        }
        if(c < 0x20 && (in_str || (c != '\t' && c != '\r' && c != '\n')))
            return i;
        if(in_str) {
            if(esc)
                esc = false;
            else if(c == '\\')
                esc = true;
            else if(c == '"')
                in_str = false;
        } else if(c == '"') {
            in_str = true;
        }
        i++;
    }
    return len;
}

/* Device and branch ids: config's rule, [a-z0-9_-], 1..23 characters. */
static bool id_ok(const char *s)
{
    size_t n;

    for(n = 0; s[n]; n++) {
        char c = s[n];
        if(n >= CENTRAL_ID_LEN - 1 ||
           !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return n > 0;
}

/* Lower-case 8-4-4-4-12 hex. */
static bool uuid_ok(const char *s)
{
    int i;

    for(i = 0; i < UUID_CHARS; i++) {
        char c = s[i];
        if(i == 8 || i == 13 || i == 18 || i == 23) {
            if(c != '-')
                return false;
        } else if(!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return s[UUID_CHARS] == '\0';
}

/* Event type names: [a-z_.]+, shorter than CENTRAL_TYPE_LEN. */
static bool type_ok(const char *s)
{
    size_t n;

    for(n = 0; s[n]; n++)
        if(n >= CENTRAL_TYPE_LEN - 1 ||
           !((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_' || s[n] == '.'))
            return false;
    return n > 0;
}

/* Error codes: [a-z_]+, fitting central_error_t.code. */
static bool code_ok(const char *s)
{
    size_t n;

    for(n = 0; s[n]; n++)
        if(n >= sizeof(((central_error_t *)0)->code) - 1 ||
           !((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_'))
            return false;
    return n > 0;
}

/* An event body as the encoder sends and the decoder stores it: exactly
 * one JSON object, nothing around it, strict text, nested at most
 * BODY_MAX_DEPTH (so a batch of them stays under BATCH_MAX_DEPTH). */
static hk_err_t body_check(const char *body, size_t len, hk_diag_t *diag)
{
    const hk_json_limits_t lim = { CENTRAL_BATCH_MAX_BYTES, BODY_MAX_DEPTH };
    cJSON *root = NULL;
    hk_err_t rc;

    if(len < 2 || body[0] != '{' || body[len - 1] != '}' || strict_json_bad(body, len) < len) {
        hk_diag_set(diag, "not one JSON object in strict UTF-8");
        return HK_ERR_INVALID;
    }
    rc = hk_json_parse(body, len, &lim, &root, diag);
    if(rc == HK_OK && !cJSON_IsObject(root)) {
        hk_diag_set(diag, "expected a JSON object");
        rc = HK_ERR_INVALID;
    }
    cJSON_Delete(root);
    return rc;
}

/* Static functions: decoding ----------------------------------------------*/

/* Parse text under caps; the top level must be an object with only keys. */
/* What every decoder does first: diag cleared, out present (have_out, else
 * HK_ERR_INVALID with *root NULL), the text parsed as an object with only
 * the given keys, within its limits. */
static hk_err_t decode_begin(bool have_out, const char *text, size_t len, size_t max_bytes,
                             int max_depth, const char *const *keys, cJSON **root, hk_diag_t *diag)
{
    hk_diag_clear(diag);
    *root = NULL;
    if(!have_out)
        return HK_ERR_INVALID;
    return parse_object(text, len, max_bytes, max_depth, keys, root, diag);
}

/* The "device" and "branch" ids at the top of a batch or a heartbeat. */
static hk_err_t get_device_branch(const cJSON *root, char *device, char *branch, hk_diag_t *diag)
{
    hk_err_t rc = get_id(root, "", "device", device, diag);

    return rc == HK_OK ? get_id(root, "", "branch", branch, diag) : rc;
}

static hk_err_t parse_object(const char *text, size_t len, size_t max_bytes, int max_depth,
                             const char *const *keys, cJSON **out, hk_diag_t *diag)
{
    const hk_json_limits_t lim = { max_bytes, max_depth };
    cJSON *root = NULL;
    hk_err_t rc;

    size_t n = len, bad;

    *out = NULL;
    rc = hk_json_parse(text, len, &lim, &root, diag);
    if(rc != HK_OK)
        return rc;
    while(n > 0 && text[n - 1] == '\0')
        n--; /* hk_json_parse() lets NULs end a buffer */
    bad = strict_json_bad(text, n);
    if(bad < n) {
        /* cJSON took it, but a string with a raw NUL would be cut short
         * there, and a body must be text any database stores */
        hk_diag_set(diag, "not valid JSON (a control character or invalid UTF-8 at byte %zu)", bad);
        rc = HK_ERR_INVALID;
    } else if(!cJSON_IsObject(root)) {
        hk_diag_set(diag, "top level must be a JSON object");
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        rc = hk_json_check_keys(root, "", keys, diag);
    if(rc != HK_OK) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return HK_OK;
}

static hk_err_t get_member(const cJSON *obj, const char *path, const char *key, const cJSON **out,
                           hk_diag_t *diag)
{
    char sub[PATH_CAP];

    *out = cJSON_GetObjectItemCaseSensitive(obj, key);
    if(*out)
        return HK_OK;
    hk_json_path(sub, sizeof(sub), path, key);
    hk_diag_set(diag, "%s: required", sub);
    return HK_ERR_INVALID;
}

static hk_err_t get_num(const cJSON *obj, const char *path, const char *key, int64_t lo, int64_t hi,
                        int64_t *dst, hk_diag_t *diag)
{
    const cJSON *it = NULL;
    char sub[PATH_CAP];
    hk_err_t rc = get_member(obj, path, key, &it, diag);

    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, key);
    return hk_json_get_i64(it, sub, lo, hi, dst, diag);
}

static hk_err_t get_text(const cJSON *obj, const char *path, const char *key, char *dst, size_t cap,
                         hk_diag_t *diag)
{
    const cJSON *it = NULL;
    char sub[PATH_CAP];
    hk_err_t rc = get_member(obj, path, key, &it, diag);

    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, key);
    return hk_json_get_text(it, sub, dst, cap, diag);
}

static hk_err_t get_id(const cJSON *obj, const char *path, const char *key, char *dst,
                       hk_diag_t *diag)
{
    char sub[PATH_CAP], tmp[CENTRAL_ID_LEN];
    hk_err_t rc = get_text(obj, path, key, tmp, sizeof(tmp), diag);

    if(rc != HK_OK)
        return rc;
    if(!id_ok(tmp)) {
        hk_json_path(sub, sizeof(sub), path, key);
        hk_diag_set(diag, "%s: must be 1..%d of a-z 0-9 _ -", sub, CENTRAL_ID_LEN - 1);
        return HK_ERR_INVALID;
    }
    memcpy(dst, tmp, CENTRAL_ID_LEN);
    return HK_OK;
}

static hk_err_t get_uuid(const cJSON *obj, const char *path, const char *key, char dst[37],
                         hk_diag_t *diag)
{
    char sub[PATH_CAP], tmp[37];
    hk_err_t rc = get_text(obj, path, key, tmp, sizeof(tmp), diag);

    hk_json_path(sub, sizeof(sub), path, key);
    if(rc == HK_ERR_INVALID || (rc == HK_OK && !uuid_ok(tmp))) {
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

        if(it) /* present but wrong: one message for every kind of wrong */
            hk_diag_set(diag, "%s: must be a lower-case UUID", sub);
        return HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        memcpy(dst, tmp, sizeof(tmp));
    return rc;
}

static hk_err_t get_array(const cJSON *obj, const char *path, const char *key, int max,
                          const char *what, const cJSON **arr_out, int *n_out, hk_diag_t *diag)
{
    const cJSON *arr = NULL;
    char sub[PATH_CAP];
    hk_err_t rc = get_member(obj, path, key, &arr, diag);
    int n;

    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, key);
    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "%s: expected an array", sub);
        return HK_ERR_INVALID;
    }
    n = cJSON_GetArraySize(arr);
    if(n > max) {
        hk_diag_set(diag, "%s: at most %d %s", sub, max, what);
        return HK_ERR_INVALID;
    }
    *arr_out = arr;
    *n_out = n;
    return HK_OK;
}

/* One events[k] entry, body excepted (find_bodies() copies its text). */
static hk_err_t decode_event(const cJSON *it, const char *path, central_event_t *ev,
                             hk_diag_t *diag)
{
    const cJSON *body = NULL;
    char sub[PATH_CAP];
    hk_err_t rc;

    if(!cJSON_IsObject(it)) {
        hk_diag_set(diag, "%s: expected an object", path);
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(it, path, event_keys, diag);
    if(rc == HK_OK)
        rc = get_num(it, path, "seq", 1, INT53_MAX, &ev->seq, diag);
    if(rc == HK_OK)
        rc = get_uuid(it, path, "uuid", ev->uuid, diag);
    if(rc == HK_OK)
        rc = get_text(it, path, "type", ev->type, sizeof(ev->type), diag);
    if(rc == HK_OK && !type_ok(ev->type)) {
        hk_json_path(sub, sizeof(sub), path, "type");
        hk_diag_set(diag, "%s: must be a-z _ .", sub);
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        rc = get_num(it, path, "time_ms", 0, INT53_MAX, &ev->time_ms, diag);
    if(rc == HK_OK)
        rc = get_member(it, path, "body", &body, diag);
    if(rc == HK_OK && !cJSON_IsObject(body)) {
        hk_json_path(sub, sizeof(sub), path, "body");
        hk_diag_set(diag, "%s: expected a JSON object", sub);
        rc = HK_ERR_INVALID;
    }
    return rc;
}

/* Copy each events[k].body's exact text out of the request. */
static hk_err_t find_bodies(const char *text, size_t len, const cJSON *root, central_batch_t *b,
                            hk_diag_t *diag)
{
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(root, "events");
    const cJSON *ev;
    size_t es, ee, vs, ve, bs, be;
    scan_t arr;
    int k;

    if(!member_span(text, len, 0, true, child_index(root, events), &es, &ee))
        goto broken;
    arr = (scan_t){ text, ee, es };
    if(!scan_open(&arr, '['))
        goto broken;
    for(k = 0, ev = events->child; ev; k++, ev = ev->next) {
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(ev, "body");
        char *copy;

        if(!scan_next(&arr, ']', false, &vs, &ve) ||
           !member_span(text, ve, vs, true, child_index(ev, body), &bs, &be))
            goto broken;
        if(text[bs] != '{' || text[be - 1] != '}')
            goto broken; /* parse_object() refused what would lead here */
        copy = hk_malloc(be - bs + 1);
        if(!copy)
            return HK_ERR_NOMEM;
        memcpy(copy, text + bs, be - bs);
        copy[be - bs] = '\0';
        b->events[k].body = copy;
    }
    return HK_OK;
broken:
    hk_diag_set(diag, "not valid JSON");
    return HK_ERR_INVALID;
}

static int child_index(const cJSON *parent, const cJSON *child)
{
    const cJSON *it;
    int i = 0;

    for(it = parent ? parent->child : NULL; it; it = it->next, i++)
        if(it == child)
            return i;
    return -1;
}

/* cJSON's whitespace: any byte <= 32 (parse_object() refused the rest). */
static void scan_ws(scan_t *s)
{
    while(s->i < s->n && (unsigned char)s->t[s->i] <= 32)
        s->i++;
}

static bool scan_skip_string(scan_t *s)
{
    if(s->i >= s->n || s->t[s->i] != '"')
        return false;
    for(s->i++; s->i < s->n; s->i++) {
        if(s->t[s->i] == '\\')
            s->i++;
        else if(s->t[s->i] == '"')
            break;
    }
    if(s->i >= s->n)
        return false;
    s->i++;
    return true;
}

/* Skip one value: a string, an object or array (brackets counted outside
 * strings), or a number or literal. */
static bool scan_skip_value(scan_t *s)
{
    size_t depth = 0;

    scan_ws(s);
    if(s->i >= s->n)
        return false;
    if(s->t[s->i] == '"')
        return scan_skip_string(s);
    if(s->t[s->i] != '{' && s->t[s->i] != '[') {
        size_t start = s->i;

        while(s->i < s->n && (unsigned char)s->t[s->i] > 32 && !strchr(",]}:", s->t[s->i]))
            s->i++;
        return s->i > start;
    }
    while(s->i < s->n) {
        char c = s->t[s->i];

        if(c == '"') {
            if(!scan_skip_string(s))
                return false;
            continue;
        }
        if(c == '{' || c == '[')
            depth++;
        else if(c == '}' || c == ']')
            depth--;
        s->i++;
        if(depth == 0)
            return true;
    }
    return false;
}

static bool scan_open(scan_t *s, char open)
{
    scan_ws(s);
    if(s->i >= s->n || s->t[s->i] != open)
        return false;
    s->i++;
    return true;
}

/* The next element's (or member's value's) span [vs, ve); false at close. */
static bool scan_next(scan_t *s, char close, bool members, size_t *vs, size_t *ve)
{
    scan_ws(s);
    if(s->i < s->n && s->t[s->i] == ',') {
        s->i++;
        scan_ws(s);
    }
    if(s->i >= s->n || s->t[s->i] == close)
        return false;
    if(members) {
        if(!scan_skip_string(s))
            return false;
        scan_ws(s);
        if(s->i >= s->n || s->t[s->i] != ':')
            return false;
        s->i++;
    }
    scan_ws(s);
    *vs = s->i;
    if(!scan_skip_value(s))
        return false;
    *ve = s->i;
    return true;
}

/* Span of the index-th member value (or element) of the object (array)
 * that starts at start in t[0..n). */
static bool member_span(const char *t, size_t n, size_t start, bool members, int index, size_t *vs,
                        size_t *ve)
{
    scan_t s = { t, n, start };
    int i;

    if(index < 0 || !scan_open(&s, members ? '{' : '['))
        return false;
    for(i = 0; i <= index; i++)
        if(!scan_next(&s, members ? '}' : ']', members, vs, ve))
            return false;
    return true;
}

/* config_parse() with its diag under "config": "services[2].prefix: …"
 * becomes "config.services[2].prefix: …"; "config: …" (a reason about the
 * whole text) stays as it is. */
static hk_err_t check_config(const char *text, size_t len, config_t *cfg, hk_diag_t *diag)
{
    hk_diag_t cd;
    hk_err_t rc = config_parse(text, len, cfg, &cd);

    if(rc == HK_ERR_INVALID) {
        if(strncmp(cd.msg, "config:", 7) == 0)
            hk_diag_set(diag, "%s", cd.msg);
        else
            hk_diag_set(diag, "config.%s", cd.msg);
    }
    return rc;
}

static hk_err_t decode_announcement(const cJSON *it, const char *path, central_announcement_t *a,
                                    hk_diag_t *diag)
{
    char sub[PATH_CAP];
    hk_err_t rc;

    memset(a, 0, sizeof(*a));
    if(!cJSON_IsObject(it)) {
        hk_diag_set(diag, "%s: expected an object", path);
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(it, path, ann_keys, diag);
    if(rc == HK_OK)
        rc = get_id(it, path, "id", a->id, diag);
    if(rc == HK_OK)
        rc = get_text(it, path, "zh", a->zh, sizeof(a->zh), diag);
    if(rc == HK_OK)
        rc = get_text(it, path, "en", a->en, sizeof(a->en), diag);
    if(rc == HK_OK && cJSON_GetObjectItemCaseSensitive(it, "from_ms"))
        rc = get_num(it, path, "from_ms", 0, INT53_MAX, &a->from_ms, diag);
    if(rc == HK_OK && cJSON_GetObjectItemCaseSensitive(it, "to_ms"))
        rc = get_num(it, path, "to_ms", 0, INT53_MAX, &a->to_ms, diag);
    if(rc == HK_OK && a->to_ms != 0 && a->to_ms <= a->from_ms) {
        hk_json_path(sub, sizeof(sub), path, "to_ms");
        hk_diag_set(diag, "%s: must be after from_ms (or 0 = no end)", sub);
        rc = HK_ERR_INVALID;
    }
    return rc;
}

/* Copy as much of src as fits in cap bytes (NUL included), cut at a
 * character boundary, with control characters (C0, DEL, C1) as spaces and
 * bytes that are not UTF-8 as '?': one line of text that hk_json_text_ok()
 * accepts, never longer than src (so what fitted a field still fits).
 * @return strlen(dst). */
static size_t clean_text(char *dst, size_t cap, const char *src)
{
    size_t n = 0, avail = strlen(src);

    while(avail > 0) {
        unsigned cp = 0;
        size_t adv = hk_json_utf8_seq(src, avail, &cp);

        if(adv == 0) {
            adv = 1;
            cp = '?';
        } else if(cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
            cp = ' ';
        }
        if(n + (cp < 0x80 ? 1 : adv) > cap - 1)
            break;
        if(cp < 0x80)
            dst[n] = (char)cp;
        else
            memcpy(dst + n, src, adv);
        n += cp < 0x80 ? 1 : adv;
        src += adv;
        avail -= adv;
    }
    dst[n] = '\0';
    return n;
}

/* ---- HTTP-date (RFC 9110 5.6.7): IMF-fixdate, and the obsolete RFC 850
 * and asctime forms a recipient must still accept. */

static bool take(const char **p, const char *lit)
{
    size_t n = strlen(lit);

    if(strncmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

static bool take_digits(const char **p, int n, int *v)
{
    int i;

    *v = 0;
    for(i = 0; i < n; i++) {
        if((*p)[i] < '0' || (*p)[i] > '9')
            return false;
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return true;
}

static bool take_name(const char **p, const char *const *names, int count, int *idx)
{
    int i;

    for(i = 0; i < count; i++) {
        if(take(p, names[i])) {
            *idx = i;
            return true;
        }
    }
    return false;
}

static bool take_time(const char **p, int *h, int *mi, int *s)
{
    return take_digits(p, 2, h) && take(p, ":") && take_digits(p, 2, mi) && take(p, ":") &&
           take_digits(p, 2, s) && *h <= 23 && *mi <= 59 && *s <= 60;
}

static bool parse_http_date(const char *s, int64_t now_s, int64_t *t_out)
{
    static const char *const wk_short[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *const wk_long[] = { "Monday", "Tuesday",  "Wednesday", "Thursday",
                                           "Friday", "Saturday", "Sunday" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    const char *p = s;
    int wd, day = 0, mon = 0, year = 0, h = 0, mi = 0, sec = 0;
    hk_time_date_t date;
    bool ok;

    if(take_name(&p, wk_long, 7, &wd) && take(&p, ", ")) {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
        hk_time_date_t today;
        int yy = 0;

        hk_time_civil_from_days(now_s / 86400, &today);
        ok = take_digits(&p, 2, &day) && take(&p, "-") && take_name(&p, months, 12, &mon) &&
             take(&p, "-") && take_digits(&p, 2, &yy) && take(&p, " ") &&
             take_time(&p, &h, &mi, &sec) && take(&p, " GMT");
        /* a two-digit year more than 50 years ahead is in the past */
        year = today.year / 100 * 100 + yy;
        if(year > today.year + 50)
            year -= 100;
    } else if((p = s) && take_name(&p, wk_short, 7, &wd) && take(&p, ", ")) {
        /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
        ok = take_digits(&p, 2, &day) && take(&p, " ") && take_name(&p, months, 12, &mon) &&
             take(&p, " ") && take_digits(&p, 4, &year) && take(&p, " ") &&
             take_time(&p, &h, &mi, &sec) && take(&p, " GMT");
    } else if((p = s) && take_name(&p, wk_short, 7, &wd) && take(&p, " ")) {
        /* asctime: Sun Nov  6 08:49:37 1994 */
        ok = take_name(&p, months, 12, &mon) && take(&p, " ");
        if(ok && *p == ' ') {
            p++;
            ok = take_digits(&p, 1, &day);
        } else {
            ok = ok && take_digits(&p, 2, &day);
        }
        ok = ok && take(&p, " ") && take_time(&p, &h, &mi, &sec) && take(&p, " ") &&
             take_digits(&p, 4, &year);
    } else {
        return false;
    }
    if(!ok || *p != '\0' || year < 1900 || day < 1 || day > hk_time_days_in_month(year, mon + 1))
        return false;
    date = (hk_time_date_t){ year, mon + 1, day };
    *t_out = hk_time_days_from_civil(&date) * 86400 + h * 3600 + mi * 60 + sec;
    return true;
}

/* Drop the whitespace around a file's text (not part of the JSON value). */
static void trim_ws(const char **text, size_t *len)
{
    while(*len > 0 && (*text)[*len - 1] && strchr(" \t\r\n", (*text)[*len - 1]))
        (*len)--;
    while(*len > 0 && (*text)[0] && strchr(" \t\r\n", (*text)[0])) {
        (*text)++;
        (*len)--;
    }
}
