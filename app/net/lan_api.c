/*
 * lan_api: see lan_api.h. Routing is a fixed table of path shapes; bodies
 * are parsed by hk_json with the LAN body cap and an exact key list per
 * operation, so a typo in a field name is a 400 naming it rather than a
 * silently ignored option. Encoding builds cJSON trees (allocated through
 * hk_malloc, see hk_json_init) and prints them unformatted.
 */
#include "lan_api.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"

/* What a path names after LAN_API_PREFIX. */
typedef enum target {
    TGT_NONE = 0,
    TGT_BRANCH,
    TGT_SNAPSHOT,
    TGT_EVENTS,
    TGT_TICKETS,
    TGT_COUNTER_ACTION,
    TGT_TICKET_ACTION
} target_t;

typedef struct action {
    const char *name;
    branch_op_t op;
    branch_counter_state_t st; /* set_counter only */
} action_t;

static const action_t counter_actions[] = {
    { "call-next", BRANCH_OP_CALL_NEXT, BRANCH_COUNTER_CLOSED },
    { "call", BRANCH_OP_CALL_TICKET, BRANCH_COUNTER_CLOSED },
    { "open", BRANCH_OP_SET_COUNTER, BRANCH_COUNTER_OPEN },
    { "pause", BRANCH_OP_SET_COUNTER, BRANCH_COUNTER_PAUSED },
    { "close", BRANCH_OP_SET_COUNTER, BRANCH_COUNTER_CLOSED },
};

static const action_t ticket_actions[] = {
    { "recall", BRANCH_OP_RECALL, BRANCH_COUNTER_CLOSED },
    { "no-show", BRANCH_OP_NO_SHOW, BRANCH_COUNTER_CLOSED },
    { "transfer", BRANCH_OP_TRANSFER, BRANCH_COUNTER_CLOSED },
    { "start", BRANCH_OP_START, BRANCH_COUNTER_CLOSED },
    { "finish", BRANCH_OP_FINISH, BRANCH_COUNTER_CLOSED },
};

#define N_ACTIONS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const keys_none[] = { NULL };
static const char *const keys_service[] = { "service", NULL };
static const char *const keys_ticket_id[] = { "ticket_id", NULL };
static const char *const keys_put_back[] = { "put_back", NULL };

static bool counter_known(const config_t *cfg, const char *id);
static bool service_known(const config_t *cfg, const char *id);
static hk_err_t parse_body(const char *body, size_t len, const char *const *keys, cJSON **out,
                           lan_error_t *err);
static hk_err_t read_id(const cJSON *obj, const char *key, bool required, char *dst,
                        lan_error_t *err);
static cJSON *ticket_json(const ticket_t *t);
static char *print_and_free(cJSON *root);

/* ---- parse ---------------------------------------------------------------- */

void lan_api_error(lan_error_t *err, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    err->status = status;
    err->code = code;
    err->allow = NULL;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

/* Split "/api/v1/<a>[/<b>[/<c>]]"; segments are cut to their buffers' size,
 * and a cut segment cannot match an id or a name, so it ends as a 404. */
static int split_path(const char *path, char seg[3][40])
{
    const char *p;
    int n = 0;

    if(strncmp(path, LAN_API_PREFIX "/", strlen(LAN_API_PREFIX) + 1) != 0)
        return -1;
    p = path + strlen(LAN_API_PREFIX) + 1;
    while(*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if(n == 3 || len == 0 || len >= 40)
            return -1;
        memcpy(seg[n], p, len);
        seg[n][len] = '\0';
        n++;
        p += len;
        if(*p == '/')
            p++;
        if(slash && !*p)
            return -1; /* trailing slash */
    }
    return n;
}

static const action_t *find_action(const action_t *tab, int n, const char *name)
{
    int i;

    for(i = 0; i < n; i++)
        if(!strcmp(tab[i].name, name))
            return &tab[i];
    return NULL;
}

static bool parse_ticket_id(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    if(!s[0] || s[0] < '1' || s[0] > '9' || strlen(s) > 18)
        return false;
    v = strtoll(s, &end, 10);
    if(*end)
        return false;
    *out = v;
    return true;
}

hk_err_t lan_api_parse(const config_t *cfg, const char *method, const char *path, const char *body,
                       size_t len, lan_call_t *out, lan_error_t *err)
{
    char seg[3][40];
    lan_call_t call;
    cJSON *root = NULL;
    const action_t *act = NULL;
    target_t tgt = TGT_NONE;
    bool post = !strcmp(method, "POST"), get = !strcmp(method, "GET");
    hk_err_t rc = HK_OK;
    int n = split_path(path, seg);

    memset(&call, 0, sizeof(call));
    if(n == 1 && !strcmp(seg[0], "branch"))
        tgt = TGT_BRANCH;
    else if(n == 1 && !strcmp(seg[0], "snapshot"))
        tgt = TGT_SNAPSHOT;
    else if(n == 1 && !strcmp(seg[0], "events"))
        tgt = TGT_EVENTS;
    else if(n == 1 && !strcmp(seg[0], "tickets"))
        tgt = TGT_TICKETS;
    else if(n == 3 && !strcmp(seg[0], "counters") &&
            (act = find_action(counter_actions, N_ACTIONS(counter_actions), seg[2])))
        tgt = TGT_COUNTER_ACTION;
    else if(n == 3 && !strcmp(seg[0], "tickets") &&
            (act = find_action(ticket_actions, N_ACTIONS(ticket_actions), seg[2])))
        tgt = TGT_TICKET_ACTION;
    if(tgt == TGT_NONE) {
        lan_api_error(err, 404, "not_found", "no such resource: %s", path);
        return HK_ERR_INVALID;
    }
    if(tgt == TGT_BRANCH || tgt == TGT_SNAPSHOT || tgt == TGT_EVENTS) {
        if(!get) {
            lan_api_error(err, 405, "method_not_allowed", "%s takes GET", path);
            err->allow = "GET";
            return HK_ERR_INVALID;
        }
    } else if(!post) {
        lan_api_error(err, 405, "method_not_allowed", "%s takes POST", path);
        err->allow = "POST";
        return HK_ERR_INVALID;
    }
    if(len > LAN_API_BODY_MAX) {
        lan_api_error(err, 413, "body_too_large", "the body is over %d bytes", LAN_API_BODY_MAX);
        return HK_ERR_INVALID;
    }
    switch(tgt) {
    case TGT_BRANCH: call.route = LAN_ROUTE_BRANCH; break;
    case TGT_EVENTS:
        call.route = LAN_ROUTE_EVENTS;
        call.op = BRANCH_OP_SNAPSHOT;
        break;
    case TGT_SNAPSHOT:
        call.route = LAN_ROUTE_OP;
        call.op = BRANCH_OP_SNAPSHOT;
        break;
    case TGT_TICKETS:
        call.route = LAN_ROUTE_OP;
        call.op = BRANCH_OP_TAKE_NUMBER;
        rc = parse_body(body, len, keys_service, &root, err);
        if(rc == HK_OK)
            rc = read_id(root, "service", true, call.service_id, err);
        break;
    case TGT_COUNTER_ACTION:
        call.route = LAN_ROUTE_OP;
        call.op = act->op;
        call.counter_state = act->st;
        if(!counter_known(cfg, seg[1])) {
            lan_api_error(err, 404, "unknown_counter", "no counter %s", seg[1]);
            return HK_ERR_INVALID;
        }
        memcpy(call.counter_id, seg[1], strlen(seg[1]) + 1); /* known: it fits */
        if(act->op == BRANCH_OP_CALL_TICKET) {
            int id = 0;
            hk_diag_t diag;
            rc = parse_body(body, len, keys_ticket_id, &root, err);
            if(rc == HK_OK && !cJSON_GetObjectItemCaseSensitive(root, "ticket_id")) {
                lan_api_error(err, 400, "invalid_request", "ticket_id: missing");
                rc = HK_ERR_INVALID;
            } else if(rc == HK_OK) {
                hk_diag_clear(&diag);
                rc = hk_json_get_int(cJSON_GetObjectItemCaseSensitive(root, "ticket_id"),
                                     "ticket_id", 1, INT32_MAX, &id, &diag);
                if(rc != HK_OK)
                    lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
                call.ticket_id = id;
            }
        } else {
            rc = parse_body(body, len, keys_none, &root, err);
        }
        break;
    case TGT_TICKET_ACTION:
        call.route = LAN_ROUTE_OP;
        call.op = act->op;
        if(!parse_ticket_id(seg[1], &call.ticket_id)) {
            lan_api_error(err, 404, "unknown_ticket", "no ticket %s (ids are numbers)", seg[1]);
            return HK_ERR_INVALID;
        }
        if(act->op == BRANCH_OP_TRANSFER) {
            rc = parse_body(body, len, keys_service, &root, err);
            if(rc == HK_OK)
                rc = read_id(root, "service", true, call.service_id, err);
        } else if(act->op == BRANCH_OP_NO_SHOW) {
            cJSON *pb;
            rc = parse_body(body, len, keys_put_back, &root, err);
            pb = rc == HK_OK ? cJSON_GetObjectItemCaseSensitive(root, "put_back") : NULL;
            if(pb) {
                hk_diag_t diag;
                hk_diag_clear(&diag);
                rc = hk_json_get_bool(pb, "put_back", &call.put_back, &diag);
                if(rc != HK_OK)
                    lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
            }
        } else {
            rc = parse_body(body, len, keys_none, &root, err);
        }
        break;
    case TGT_NONE: break;
    }
    cJSON_Delete(root);
    if(rc == HK_OK && call.service_id[0] && !service_known(cfg, call.service_id)) {
        lan_api_error(err, 404, "unknown_service", "no service %s", call.service_id);
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        *out = call;
    return rc;
}

bool lan_api_parse_event_id(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    if(!s || !s[0] || strlen(s) > 18 || s[strspn(s, "0123456789")] != '\0')
        return false;
    v = strtoll(s, &end, 10);
    *out = v;
    return true;
}

/* ---- outcomes --------------------------------------------------------------- */

bool lan_api_result_status(const branch_result_t *res, int *status, lan_error_t *err)
{
    switch(res->rc) {
    case HK_OK: *status = res->op == BRANCH_OP_TAKE_NUMBER ? 201 : 200; return true;
    case HK_ERR_NOT_FOUND:
        /* counters and services were checked against the config before */
        if(res->op == BRANCH_OP_CALL_NEXT)
            lan_api_error(err, 409, "nobody_waiting", "nobody waits for this counter");
        else if(res->op == BRANCH_OP_TAKE_NUMBER)
            lan_api_error(err, 404, "unknown_service", "no such service");
        else
            lan_api_error(err, 404, "unknown_ticket", "no such ticket");
        return false;
    case HK_ERR_BUSY:
        if(res->op == BRANCH_OP_TAKE_NUMBER)
            lan_api_error(err, 409, "service_closed", "the service takes no numbers now");
        else
            lan_api_error(err, 409, "counter_not_open", "the counter is paused or closed");
        return false;
    case HK_ERR_INVALID:
        if(res->op == BRANCH_OP_TAKE_NUMBER)
            lan_api_error(err, 409, "numbers_exhausted", "no numbers left today for the service");
        else
            lan_api_error(err, 409, "illegal_transition", "%s is not allowed in the ticket's state",
                          branch_op_str(res->op));
        return false;
    case HK_ERR_CONFLICT:
        if(res->op == BRANCH_OP_IMPORT_TICKET)
            lan_api_error(err, 409, "number_conflict", "the number is taken by another ticket");
        else
            lan_api_error(err, 409, "counter_busy",
                          "the counter still has a visit: finish, no-show or transfer it first");
        return false;
    default:
        lan_api_error(err, 500, "internal", "%s failed: %s", branch_op_str(res->op),
                      hk_err_str(res->rc));
        return false;
    }
}

/* ---- encode ----------------------------------------------------------------- */

char *lan_api_encode_error(const lan_error_t *err)
{
    cJSON *root;

    hk_json_init();
    root = cJSON_CreateObject();
    if(!root || !cJSON_AddStringToObject(root, "code", err->code) ||
       !cJSON_AddStringToObject(root, "message", err->message)) {
        cJSON_Delete(root);
        return NULL;
    }
    return print_and_free(root);
}

char *lan_api_encode_branch(const config_t *cfg)
{
    cJSON *root, *svcs, *ctrs;
    bool ok;
    int i, j;

    hk_json_init();
    root = cJSON_CreateObject();
    ok = root && cJSON_AddStringToObject(root, "id", cfg->branch_id) &&
         cJSON_AddStringToObject(root, "name_zh", cfg->branch_name_zh) &&
         cJSON_AddStringToObject(root, "name_en", cfg->branch_name_en) &&
         (svcs = cJSON_AddArrayToObject(root, "services")) &&
         (ctrs = cJSON_AddArrayToObject(root, "counters"));
    for(i = 0; ok && i < cfg->n_services; i++) {
        const config_service_t *s = &cfg->services[i];
        char prefix[2] = { s->prefix, '\0' };
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(svcs, o) && cJSON_AddStringToObject(o, "id", s->id) &&
             cJSON_AddStringToObject(o, "prefix", prefix) &&
             cJSON_AddStringToObject(o, "name_zh", s->name_zh) &&
             cJSON_AddStringToObject(o, "name_en", s->name_en);
    }
    for(i = 0; ok && i < cfg->n_counters; i++) {
        const config_counter_t *c = &cfg->counters[i];
        cJSON *o = cJSON_CreateObject(), *served = NULL;
        ok = o && cJSON_AddItemToArray(ctrs, o) && cJSON_AddStringToObject(o, "id", c->id) &&
             cJSON_AddNumberToObject(o, "number", c->number) &&
             cJSON_AddStringToObject(o, "name_zh", c->name_zh) &&
             cJSON_AddStringToObject(o, "name_en", c->name_en) &&
             (served = cJSON_AddArrayToObject(o, "services"));
        for(j = 0; ok && j < c->n_services; j++) {
            cJSON *id = cJSON_CreateString(cfg->services[c->services[j]].id);
            ok = id && cJSON_AddItemToArray(served, id);
        }
    }
    if(!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return print_and_free(root);
}

static cJSON *snapshot_json(const branch_snapshot_t *s)
{
    cJSON *root = cJSON_CreateObject(), *svcs = NULL, *ctrs = NULL;
    bool ok = root && cJSON_AddNumberToObject(root, "journal_seq", (double)s->journal_seq) &&
              cJSON_AddNumberToObject(root, "taken_ms", (double)s->taken_ms) &&
              (svcs = cJSON_AddArrayToObject(root, "services")) &&
              (ctrs = cJSON_AddArrayToObject(root, "counters"));
    int i;

    for(i = 0; ok && i < s->n_services; i++) {
        const branch_service_snap_t *v = &s->services[i];
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(svcs, o) &&
             cJSON_AddStringToObject(o, "id", v->service_id) &&
             cJSON_AddNumberToObject(o, "waiting", v->waiting) &&
             (v->est_wait_s < 0 ? cJSON_AddNullToObject(o, "est_wait_s") != NULL
                                : cJSON_AddNumberToObject(o, "est_wait_s", v->est_wait_s) != NULL);
    }
    for(i = 0; ok && i < s->n_counters; i++) {
        const branch_counter_snap_t *c = &s->counters[i];
        cJSON *o = cJSON_CreateObject(), *t = NULL;
        ok = o && cJSON_AddItemToArray(ctrs, o) &&
             cJSON_AddStringToObject(o, "id", c->counter_id) &&
             cJSON_AddStringToObject(o, "state", branch_counter_state_str(c->state));
        if(ok && c->has_ticket)
            ok = (t = ticket_json(&c->ticket)) && cJSON_AddItemToObject(o, "ticket", t);
        else if(ok)
            ok = cJSON_AddNullToObject(o, "ticket") != NULL;
    }
    if(!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

char *lan_api_encode_snapshot(const branch_snapshot_t *s)
{
    hk_json_init();
    return print_and_free(snapshot_json(s));
}

char *lan_api_encode_result(const lan_call_t *call, const branch_result_t *res)
{
    cJSON *root, *item = NULL;
    bool ok;

    hk_json_init();
    if(res->op == BRANCH_OP_SNAPSHOT)
        return lan_api_encode_snapshot(&res->snapshot);
    root = cJSON_CreateObject();
    ok = root && cJSON_AddNumberToObject(root, "journal_seq", (double)res->journal_seq);
    if(ok && res->op == BRANCH_OP_SET_COUNTER) {
        ok = (item = cJSON_AddObjectToObject(root, "counter")) &&
             cJSON_AddStringToObject(item, "id", call->counter_id) &&
             cJSON_AddStringToObject(item, "state", branch_counter_state_str(call->counter_state));
    } else if(ok && res->has_ticket) {
        ok = (item = ticket_json(&res->ticket)) && cJSON_AddItemToObject(root, "ticket", item);
    }
    if(!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return print_and_free(root);
}

size_t lan_api_event_frame(const journal_event_t *ev, char *dst, size_t cap)
{
    const char *type = journal_type_str(ev->type);
    int n = snprintf(dst, cap,
                     "id: %" PRId64 "\nevent: %s\ndata: {\"seq\":%" PRId64
                     ",\"type\":\"%s\",\"uuid\":\"%s\",\"wall_ms\":%" PRId64 ",\"body\":%s}\n\n",
                     ev->seq, type, ev->seq, type, ev->uuid, ev->wall_ms,
                     ev->body && ev->body[0] ? ev->body : "{}");

    /* bodies are one line (journal_body escapes control characters), so
     * one data: line carries the whole event */
    if(n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

/* ---- static ----------------------------------------------------------------- */

static bool counter_known(const config_t *cfg, const char *id)
{
    int i;

    for(i = 0; i < cfg->n_counters; i++)
        if(!strcmp(cfg->counters[i].id, id))
            return true;
    return false;
}

static bool service_known(const config_t *cfg, const char *id)
{
    int i;

    for(i = 0; i < cfg->n_services; i++)
        if(!strcmp(cfg->services[i].id, id))
            return true;
    return false;
}

/* An empty body reads as {}: the operations without fields need none. */
static hk_err_t parse_body(const char *body, size_t len, const char *const *keys, cJSON **out,
                           lan_error_t *err)
{
    hk_json_limits_t lim = { LAN_API_BODY_MAX, 8 };
    hk_diag_t diag;
    cJSON *root = NULL;
    hk_err_t rc;
    size_t i;

    *out = NULL;
    for(i = 0; body && i < len && strchr(" \t\r\n", body[i]); i++)
        ;
    hk_diag_clear(&diag);
    if(!body || i == len)
        rc = hk_json_parse("{}", 2, &lim, &root, &diag);
    else
        rc = hk_json_parse(body, len, &lim, &root, &diag);
    if(rc == HK_ERR_INVALID) {
        lan_api_error(err, 400, "malformed_json", "body: %s", diag.msg);
        return rc;
    }
    if(rc != HK_OK) {
        lan_api_error(err, 500, "internal", "body: %s", hk_err_str(rc));
        return rc;
    }
    if(!cJSON_IsObject(root)) {
        lan_api_error(err, 400, "malformed_json", "body: expected a JSON object");
        cJSON_Delete(root);
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(root, "", keys, &diag);
    if(rc != HK_OK) {
        lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return HK_OK;
}

static hk_err_t read_id(const cJSON *obj, const char *key, bool required, char *dst,
                        lan_error_t *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    hk_diag_t diag;
    hk_err_t rc;

    if(!item) {
        if(!required)
            return HK_OK;
        lan_api_error(err, 400, "invalid_request", "%s: missing", key);
        return HK_ERR_INVALID;
    }
    hk_diag_clear(&diag);
    rc = hk_json_get_text(item, key, dst, CONFIG_ID_LEN, &diag);
    if(rc != HK_OK)
        lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
    return rc;
}

static bool add_ms(cJSON *o, const char *key, int64_t ms)
{
    /* 0 = "not yet": null on the wire, never a 1970 date */
    return ms ? cJSON_AddNumberToObject(o, key, (double)ms) != NULL
              : cJSON_AddNullToObject(o, key) != NULL;
}

static cJSON *ticket_json(const ticket_t *t)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "id", (double)t->id) &&
              cJSON_AddStringToObject(o, "number", t->number) &&
              cJSON_AddStringToObject(o, "day", t->day) &&
              cJSON_AddStringToObject(o, "service", t->service_id) &&
              cJSON_AddStringToObject(o, "state", queue_state_str(t->state)) &&
              (t->counter_id[0] ? cJSON_AddStringToObject(o, "counter", t->counter_id) != NULL
                                : cJSON_AddNullToObject(o, "counter") != NULL) &&
              cJSON_AddNumberToObject(o, "issued_ms", (double)t->issued_ms) &&
              add_ms(o, "called_ms", t->called_ms) && add_ms(o, "serving_ms", t->serving_ms) &&
              add_ms(o, "finished_ms", t->finished_ms) &&
              cJSON_AddNumberToObject(o, "recalls", t->recalls) &&
              cJSON_AddNumberToObject(o, "ahead_quoted", t->ahead_quoted) &&
              (t->est_wait_s_quoted < 0
                   ? cJSON_AddNullToObject(o, "est_wait_s_quoted") != NULL
                   : cJSON_AddNumberToObject(o, "est_wait_s_quoted", t->est_wait_s_quoted) != NULL);

    if(!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static char *print_and_free(cJSON *root)
{
    char *s;

    if(!root)
        return NULL;
    s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s; /* cJSON allocates through hk_malloc (hk_json_init) */
}
