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
#include "hk_time.h"

/* What a path names after LAN_API_PREFIX. */
typedef enum target {
    TGT_NONE = 0,
    TGT_BRANCH,
    TGT_SNAPSHOT,
    TGT_EVENTS,
    TGT_TICKETS,
    TGT_COUNTER_ACTION,
    TGT_TICKET_ACTION,
    TGT_SESSIONS,
    TGT_SESSION_CURRENT,
    TGT_VISITS,
    TGT_TICKET_RATING,
    TGT_RATINGS,
    TGT_RATING_LOOKUP,
    TGT_IMPORT,
    /* self-help (issue 8) */
    TGT_FAQ_FEEDBACK,
    TGT_TRIAGE_CHOICES,
    TGT_SUBMISSIONS,
    /* field engineering (issue 9) */
    TGT_PIN_FAILURES
} target_t;

/* The methods each target takes, and its Allow header. */
typedef struct target_info {
    const char *allow;
    lan_access_t access;
} target_info_t;

static const target_info_t targets[] = {
    [TGT_NONE] = { "", LAN_ACCESS_PUBLIC },
    [TGT_BRANCH] = { "GET", LAN_ACCESS_PUBLIC },
    [TGT_SNAPSHOT] = { "GET", LAN_ACCESS_DEVICE },
    [TGT_EVENTS] = { "GET", LAN_ACCESS_DEVICE },
    [TGT_TICKETS] = { "POST", LAN_ACCESS_DEVICE },
    [TGT_COUNTER_ACTION] = { "POST", LAN_ACCESS_STAFF },
    [TGT_TICKET_ACTION] = { "POST", LAN_ACCESS_STAFF },
    [TGT_SESSIONS] = { "POST", LAN_ACCESS_PUBLIC },
    [TGT_SESSION_CURRENT] = { "GET, DELETE", LAN_ACCESS_STAFF },
    [TGT_VISITS] = { "GET", LAN_ACCESS_DEVICE },
    [TGT_TICKET_RATING] = { "POST", LAN_ACCESS_DEVICE },
    [TGT_RATINGS] = { "POST", LAN_ACCESS_DEVICE },
    [TGT_RATING_LOOKUP] = { "GET", LAN_ACCESS_DEVICE },
    [TGT_IMPORT] = { "POST", LAN_ACCESS_DEVICE_ONLY },
    /* self-help (issue 8) */
    [TGT_FAQ_FEEDBACK] = { "POST", LAN_ACCESS_DEVICE },
    [TGT_TRIAGE_CHOICES] = { "POST", LAN_ACCESS_DEVICE },
    [TGT_SUBMISSIONS] = { "POST", LAN_ACCESS_DEVICE },
    /* field engineering (issue 9): a kiosk reports its own */
    [TGT_PIN_FAILURES] = { "POST", LAN_ACCESS_DEVICE_ONLY },
};

/* Reason and praise chips on the wire, by bit (rating.h's order). */
static const char *const chip_names[] = { "efficiency", "competence", "attitude", "other" };
#define N_CHIPS 4

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
static const char *const keys_login[] = { "staff_id", "pin", NULL };
static const char *const keys_vote[] = { "level", "reasons", "praise", NULL };
static const char *const keys_rate_number[] = {
    "number", "day", "level", "reasons", "praise", NULL
};
static const char *const keys_import[] = {
    "service", "number", "day", "issued_ms", "device", NULL
};

/* self-help (issue 8) */
static const char *const keys_faq_feedback[] = { "article", "version", "helpful", "lang", NULL };
static const char *const keys_triage[] = { "need", "route", "target", NULL };
static const char *const keys_submission[] = { "category", "phone",  "description", "consent",
                                               "lang",     "origin", NULL };
static hk_err_t parse_selfhelp(lan_call_t *call, const cJSON *root, lan_error_t *err);
static const char *const keys_pin_failed[] = { "fails", "locks", "lock_s", NULL };
static hk_err_t parse_pin_failed(lan_call_t *call, const cJSON *root, lan_error_t *err);

static bool counter_known(const config_t *cfg, const char *id);
static bool service_known(const config_t *cfg, const char *id);
static hk_err_t parse_body(const char *body, size_t len, const char *const *keys, cJSON **out,
                           lan_error_t *err);
static hk_err_t read_id(const cJSON *obj, const char *key, bool required, char *dst,
                        lan_error_t *err);
static cJSON *ticket_json(const ticket_t *t);
static bool add_ms(cJSON *o, const char *key, int64_t ms);
static hk_err_t parse_vote(const cJSON *root, rating_vote_t *vote, lan_error_t *err);
static hk_err_t read_day(const cJSON *obj, bool required, char *dst, lan_error_t *err);
static hk_err_t read_number(const cJSON *obj, char *dst, lan_error_t *err);
static hk_err_t parse_import(const config_t *cfg, const cJSON *root, lan_call_t *call,
                             lan_error_t *err);
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

hk_err_t lan_api_parse(const config_t *cfg, const char *method, const char *path,
                       const lan_query_t *query, const char *body, size_t len, lan_call_t *out,
                       lan_error_t *err)
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
    else if(n == 1 && !strcmp(seg[0], "sessions"))
        tgt = TGT_SESSIONS;
    else if(n == 2 && !strcmp(seg[0], "sessions") && !strcmp(seg[1], "current"))
        tgt = TGT_SESSION_CURRENT;
    else if(n == 1 && !strcmp(seg[0], "visits"))
        tgt = TGT_VISITS;
    else if(n == 1 && !strcmp(seg[0], "ratings"))
        tgt = TGT_RATINGS;
    else if(n == 2 && !strcmp(seg[0], "ratings") && !strcmp(seg[1], "lookup"))
        tgt = TGT_RATING_LOOKUP;
    else if(n == 2 && !strcmp(seg[0], "tickets") && !strcmp(seg[1], "import"))
        tgt = TGT_IMPORT;
    else if(n == 3 && !strcmp(seg[0], "tickets") && !strcmp(seg[2], "rating"))
        tgt = TGT_TICKET_RATING;
    /* self-help (issue 8) */
    else if(n == 2 && !strcmp(seg[0], "faq") && !strcmp(seg[1], "feedback"))
        tgt = TGT_FAQ_FEEDBACK;
    else if(n == 2 && !strcmp(seg[0], "triage") && !strcmp(seg[1], "choices"))
        tgt = TGT_TRIAGE_CHOICES;
    else if(n == 1 && !strcmp(seg[0], "submissions"))
        tgt = TGT_SUBMISSIONS;
    else if(n == 2 && !strcmp(seg[0], "engineer") && !strcmp(seg[1], "pin-failures"))
        tgt = TGT_PIN_FAILURES;
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
    if(!((get && strstr(targets[tgt].allow, "GET")) ||
         (post && strstr(targets[tgt].allow, "POST")) ||
         (!strcmp(method, "DELETE") && strstr(targets[tgt].allow, "DELETE")))) {
        lan_api_error(err, 405, "method_not_allowed", "%s takes %s", path, targets[tgt].allow);
        err->allow = targets[tgt].allow;
        return HK_ERR_INVALID;
    }
    if(len > LAN_API_BODY_MAX) {
        lan_api_error(err, 413, "body_too_large", "the body is over %d bytes", LAN_API_BODY_MAX);
        return HK_ERR_INVALID;
    }
    call.access = targets[tgt].access;
    call.route = LAN_ROUTE_OP;
    switch(tgt) {
    case TGT_BRANCH: call.route = LAN_ROUTE_BRANCH; break;
    case TGT_EVENTS:
        call.route = LAN_ROUTE_EVENTS;
        call.op = BRANCH_OP_SNAPSHOT;
        break;
    case TGT_SNAPSHOT: call.op = BRANCH_OP_SNAPSHOT; break;
    case TGT_TICKETS:
        call.op = BRANCH_OP_TAKE_NUMBER;
        rc = parse_body(body, len, keys_service, &root, err);
        if(rc == HK_OK)
            rc = read_id(root, "service", true, call.service_id, err);
        break;
    case TGT_SESSIONS:
        call.route = LAN_ROUTE_LOGIN;
        call.op = BRANCH_OP_LOGIN;
        rc = parse_body(body, len, keys_login, &root, err);
        if(rc == HK_OK)
            rc = read_id(root, "staff_id", true, call.staff_id, err);
        if(rc == HK_OK && !cJSON_GetObjectItemCaseSensitive(root, "pin")) {
            lan_api_error(err, 400, "invalid_request", "pin: missing");
            rc = HK_ERR_INVALID;
        } else if(rc == HK_OK) {
            hk_diag_t diag;
            hk_diag_clear(&diag);
            rc = hk_json_get_text(cJSON_GetObjectItemCaseSensitive(root, "pin"), "pin", call.pin,
                                  sizeof(call.pin), &diag);
            if(rc != HK_OK)
                lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
        }
        break;
    case TGT_SESSION_CURRENT:
        call.route = get ? LAN_ROUTE_SESSION : LAN_ROUTE_LOGOUT;
        call.op = get ? BRANCH_OP_LOGIN : BRANCH_OP_LOGOUT;
        rc = parse_body(body, len, keys_none, &root, err);
        break;
    case TGT_VISITS:
        call.op = BRANCH_OP_VISITS;
        if(query && query->day && !lan_api_valid_day(query->day)) {
            lan_api_error(err, 400, "invalid_request", "day: expected YYYY-MM-DD");
            return HK_ERR_INVALID;
        }
        if(query && query->day)
            memcpy(call.day, query->day, 11);
        break;
    case TGT_RATING_LOOKUP:
        call.op = BRANCH_OP_RATING_LOOKUP;
        if(query && query->day && !lan_api_valid_day(query->day)) {
            lan_api_error(err, 400, "invalid_request", "day: expected YYYY-MM-DD");
            return HK_ERR_INVALID;
        }
        if(!query || !query->number || !lan_api_valid_number(query->number)) {
            lan_api_error(err, 400, "invalid_request",
                          "number: expected a ticket number such as A023");
            return HK_ERR_INVALID;
        }
        if(query->day)
            memcpy(call.day, query->day, 11);
        memcpy(call.number, query->number, 5);
        break;
    case TGT_TICKET_RATING:
        call.op = BRANCH_OP_RATE;
        if(!parse_ticket_id(seg[1], &call.ticket_id)) {
            lan_api_error(err, 404, "unknown_ticket", "no ticket %s (ids are numbers)", seg[1]);
            return HK_ERR_INVALID;
        }
        rc = parse_body(body, len, keys_vote, &root, err);
        if(rc == HK_OK)
            rc = parse_vote(root, &call.vote, err);
        break;
    case TGT_RATINGS:
        call.op = BRANCH_OP_RATE_NUMBER;
        rc = parse_body(body, len, keys_rate_number, &root, err);
        if(rc == HK_OK)
            rc = read_number(root, call.number, err);
        if(rc == HK_OK)
            rc = read_day(root, false, call.day, err);
        if(rc == HK_OK)
            rc = parse_vote(root, &call.vote, err);
        break;
    case TGT_IMPORT:
        call.op = BRANCH_OP_IMPORT_TICKET;
        rc = parse_body(body, len, keys_import, &root, err);
        if(rc == HK_OK)
            rc = parse_import(cfg, root, &call, err);
        break;
    case TGT_COUNTER_ACTION:
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
    /* self-help (issue 8) */
    case TGT_FAQ_FEEDBACK:
        call.op = BRANCH_OP_FAQ_FEEDBACK;
        rc = parse_body(body, len, keys_faq_feedback, &root, err);
        if(rc == HK_OK)
            rc = parse_selfhelp(&call, root, err);
        break;
    case TGT_TRIAGE_CHOICES:
        call.op = BRANCH_OP_TRIAGE_CHOICE;
        rc = parse_body(body, len, keys_triage, &root, err);
        if(rc == HK_OK)
            rc = parse_selfhelp(&call, root, err);
        break;
    case TGT_SUBMISSIONS:
        call.op = BRANCH_OP_SUBMIT_ISSUE;
        rc = parse_body(body, len, keys_submission, &root, err);
        if(rc == HK_OK)
            rc = parse_selfhelp(&call, root, err);
        break;
    case TGT_PIN_FAILURES:
        call.op = BRANCH_OP_ENGINEER_PIN_FAILED;
        rc = parse_body(body, len, keys_pin_failed, &root, err);
        if(rc == HK_OK)
            rc = parse_pin_failed(&call, root, err);
        break;
    case TGT_NONE: break;
    }
    if(root && call.op == BRANCH_OP_SUBMIT_ISSUE) {
        /* the parse tree holds the phone: wipe it before it is freed */
        cJSON *ph = cJSON_GetObjectItemCaseSensitive(root, "phone");
        if(cJSON_IsString(ph))
            memset(ph->valuestring, 0, strlen(ph->valuestring));
    }
    cJSON_Delete(root);
    if(rc == HK_OK && call.service_id[0] && !service_known(cfg, call.service_id)) {
        lan_api_error(err, 404, "unknown_service", "no service %s", call.service_id);
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        *out = call;
    submission_wipe(&call.submission); /* self-help (issue 8): no phone left on the stack */
    return rc;
}

bool lan_api_valid_day(const char *s)
{
    hk_time_date_t d;

    return s && strlen(s) == 10 && s[strspn(s, "0123456789-")] == '\0' &&
           hk_time_parse_day(s, &d) == HK_OK;
}

bool lan_api_valid_number(const char *s)
{
    return s && s[0] >= 'A' && s[0] <= 'Z' && strlen(s) == 4 && strspn(s + 1, "0123456789") == 3;
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

/* The rating ops' refusals (rating.h): BUSY = another vote is stored;
 * INVALID = not finished, or (rating_status) the window closed / not a
 * visit of today. */
static bool rating_refusal(const branch_result_t *res, lan_error_t *err)
{
    bool kiosk = res->op == BRANCH_OP_RATE_NUMBER;

    if(res->rc == HK_ERR_NOT_FOUND) {
        if(kiosk)
            lan_api_error(err, 404, "unknown_number", "no ticket with that number that day");
        else
            lan_api_error(err, 404, "unknown_ticket", "no such ticket");
    } else if(res->rc == HK_ERR_BUSY) {
        lan_api_error(err, 409, "already_rated", "the visit has its rating already");
    } else if(res->rc == HK_ERR_INVALID && res->rating_status == RATING_STATUS_NOT_FINISHED) {
        lan_api_error(err, 409, "not_finished", "the visit is not finished");
    } else if(res->rc == HK_ERR_INVALID && kiosk) {
        lan_api_error(err, 409, "other_day", "only a visit of today may be rated at the kiosk");
    } else if(res->rc == HK_ERR_INVALID) {
        lan_api_error(err, 409, "rating_closed",
                      "the visit cannot be rated now (its rating window closed, or it is not "
                      "finished)");
    } else {
        return false;
    }
    return true;
}

bool lan_api_result_status(const branch_result_t *res, int *status, lan_error_t *err)
{
    if(res->op == BRANCH_OP_RATING_LOOKUP && res->rc == HK_ERR_NOT_FOUND) {
        *status = 200; /* "unknown" is an answer, not an error */
        return true;
    }
    if(res->rc != HK_OK && (res->op == BRANCH_OP_RATE || res->op == BRANCH_OP_RATE_NUMBER) &&
       rating_refusal(res, err))
        return false;
    /* self-help (issue 8): arguments were checked here before; what the
     * hub still refuses is a full day (999 submissions) */
    if(res->op == BRANCH_OP_FAQ_FEEDBACK || res->op == BRANCH_OP_TRIAGE_CHOICE ||
       res->op == BRANCH_OP_SUBMIT_ISSUE || res->op == BRANCH_OP_ENGINEER_PIN_FAILED) {
        if(res->rc == HK_OK) {
            *status = 201;
            return true;
        }
        if(res->rc == HK_ERR_INVALID)
            lan_api_error(err, 400, "invalid_request", "%s: the hub refused the arguments",
                          branch_op_str(res->op));
        else if(res->rc == HK_ERR_BUSY)
            lan_api_error(err, 409, "submissions_exhausted", "no references left today");
        else
            lan_api_error(err, 500, "internal", "%s failed: %s", branch_op_str(res->op),
                          hk_err_str(res->rc));
        return false;
    }
    if(res->op == BRANCH_OP_IMPORT_TICKET && res->rc == HK_ERR_INVALID) {
        /* block and prefix were checked before: what is left is the day */
        lan_api_error(err, 409, "other_day", "the hub takes offline tickets of its today only");
        return false;
    }
    switch(res->rc) {
    case HK_OK:
        *status =
            res->op == BRANCH_OP_TAKE_NUMBER || res->op == BRANCH_OP_IMPORT_TICKET ? 201 : 200;
        return true;
    case HK_ERR_NOT_FOUND:
        /* counters and services were checked against the config before */
        if(res->op == BRANCH_OP_CALL_NEXT)
            lan_api_error(err, 409, "nobody_waiting", "nobody waits for this counter");
        else if(res->op == BRANCH_OP_TAKE_NUMBER || res->op == BRANCH_OP_IMPORT_TICKET)
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
        else if(res->op == BRANCH_OP_VISITS)
            lan_api_error(err, 400, "invalid_request", "visits: the day cannot be read");
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

/* ---- the branch document (GET /branch, the stream's "branch" event) ---------- */

/* Hours in the config file's form: {"mon":"09:00-18:00",...,"sun":"closed"}. */
static cJSON *hours_json(const config_hours_t *h)
{
    static const char *const keys[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
    static const int order[7] = { 1, 2, 3, 4, 5, 6, 0 };
    cJSON *o = cJSON_CreateObject();
    int i;

    for(i = 0; o && i < 7; i++) {
        const config_span_t *sp = &h->day[order[i]];
        char text[16];
        if(sp->open_min < 0)
            snprintf(text, sizeof(text), "closed");
        else
            snprintf(text, sizeof(text), "%02d:%02d-%02d:%02d", sp->open_min / 60 % 100,
                     sp->open_min % 60, sp->close_min / 60 % 100, sp->close_min % 60);
        if(!cJSON_AddStringToObject(o, keys[order[i]], text)) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

static bool add_hours(cJSON *o, const char *key, const config_hours_t *h)
{
    cJSON *it = hours_json(h);

    if(!it || !cJSON_AddItemToObject(o, key, it)) {
        cJSON_Delete(it);
        return false;
    }
    return true;
}

static bool branch_services_json(const config_t *cfg, cJSON *svcs)
{
    bool ok = true;
    int i;

    for(i = 0; ok && i < cfg->n_services; i++) {
        const config_service_t *s = &cfg->services[i];
        char prefix[2] = { s->prefix, '\0' };
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(svcs, o) && cJSON_AddStringToObject(o, "id", s->id) &&
             cJSON_AddStringToObject(o, "prefix", prefix) &&
             cJSON_AddStringToObject(o, "name_zh", s->name_zh) &&
             cJSON_AddStringToObject(o, "name_en", s->name_en) &&
             cJSON_AddStringToObject(o, "desc_zh", s->desc_zh) &&
             cJSON_AddStringToObject(o, "desc_en", s->desc_en) &&
             cJSON_AddNumberToObject(o, "priority", s->priority) &&
             cJSON_AddBoolToObject(o, "vip", s->vip) &&
             cJSON_AddNumberToObject(o, "avg_service_s", s->avg_service_s) &&
             add_hours(o, "hours", &s->hours);
    }
    return ok;
}

static bool branch_counters_json(const config_t *cfg, cJSON *ctrs)
{
    bool ok = true;
    int i, j;

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
    return ok;
}

/* Staff as screens show them: never the PIN hashes (this document is
 * public, and logins are checked by the hub alone). */
static bool branch_staff_json(const config_t *cfg, cJSON *staff)
{
    bool ok = true;
    int i;

    for(i = 0; ok && i < cfg->n_staff; i++) {
        const config_staff_t *m = &cfg->staff[i];
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(staff, o) && cJSON_AddStringToObject(o, "id", m->id) &&
             cJSON_AddStringToObject(o, "name_zh", m->name_zh) &&
             cJSON_AddStringToObject(o, "name_en", m->name_en);
    }
    return ok;
}

char *lan_api_encode_branch(const config_t *cfg, uint64_t generation)
{
    cJSON *root, *svcs = NULL, *ctrs = NULL, *staff = NULL, *tk = NULL, *to = NULL, *q = NULL;
    bool ok;

    hk_json_init();
    root = cJSON_CreateObject();
    /* the device-local sections (role, device, hub, central, printer,
     * display, data_dir) and the secrets (devices[] tokens, PIN hashes,
     * ticket.url_key) are never part of it */
    ok = root && cJSON_AddNumberToObject(root, "generation", (double)generation) &&
         cJSON_AddStringToObject(root, "id", cfg->branch_id) &&
         cJSON_AddStringToObject(root, "name_zh", cfg->branch_name_zh) &&
         cJSON_AddStringToObject(root, "name_en", cfg->branch_name_en) &&
         cJSON_AddStringToObject(root, "language", cfg->language) &&
         cJSON_AddNumberToObject(root, "utc_offset_min", cfg->utc_offset_min) &&
         add_hours(root, "hours", &cfg->hours) &&
         (svcs = cJSON_AddArrayToObject(root, "services")) &&
         (ctrs = cJSON_AddArrayToObject(root, "counters")) &&
         (staff = cJSON_AddArrayToObject(root, "staff")) &&
         (tk = cJSON_AddObjectToObject(root, "ticket")) &&
         cJSON_AddStringToObject(tk, "url_template", cfg->ticket_url_template) &&
         cJSON_AddStringToObject(tk, "footer_zh", cfg->ticket_footer_zh) &&
         cJSON_AddStringToObject(tk, "footer_en", cfg->ticket_footer_en) &&
         (to = cJSON_AddObjectToObject(root, "timeouts")) &&
         cJSON_AddNumberToObject(to, "idle_s", cfg->idle_timeout_s) &&
         cJSON_AddNumberToObject(to, "confirm_s", cfg->confirm_timeout_s) &&
         (q = cJSON_AddObjectToObject(root, "queue")) &&
         cJSON_AddNumberToObject(q, "max_pass_over_s", cfg->max_pass_over_s) &&
         cJSON_AddBoolToObject(root, "voice_en", cfg->voice_en) &&
         branch_services_json(cfg, svcs) && branch_counters_json(cfg, ctrs) &&
         branch_staff_json(cfg, staff);
    if(!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return print_and_free(root);
}

/* "staff": id|null, and the names when the config knows the id. */
static bool add_staff(const config_t *cfg, cJSON *o, const char *staff_id, bool names)
{
    int idx;

    if(!staff_id[0])
        return cJSON_AddNullToObject(o, "staff") != NULL;
    if(!cJSON_AddStringToObject(o, "staff", staff_id))
        return false;
    idx = names && cfg ? config_staff_index(cfg, staff_id) : -1;
    if(idx < 0)
        return true;
    return cJSON_AddStringToObject(o, "staff_name_zh", cfg->staff[idx].name_zh) &&
           cJSON_AddStringToObject(o, "staff_name_en", cfg->staff[idx].name_en);
}

static cJSON *snapshot_json(const config_t *cfg, const branch_snapshot_t *s)
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
             cJSON_AddStringToObject(o, "state", branch_counter_state_str(c->state)) &&
             add_staff(cfg, o, c->staff_id, true);
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

char *lan_api_encode_snapshot(const config_t *cfg, const branch_snapshot_t *s)
{
    hk_json_init();
    return print_and_free(snapshot_json(cfg, s));
}

char *lan_api_encode_session(const config_t *cfg, const char *session, int staff_idx,
                             int64_t expires_ms)
{
    const config_staff_t *st = &cfg->staff[staff_idx];
    cJSON *root, *o = NULL;
    bool ok;

    hk_json_init();
    root = cJSON_CreateObject();
    ok = root && (!session || cJSON_AddStringToObject(root, "session", session)) &&
         (o = cJSON_AddObjectToObject(root, "staff")) && cJSON_AddStringToObject(o, "id", st->id) &&
         cJSON_AddStringToObject(o, "name_zh", st->name_zh) &&
         cJSON_AddStringToObject(o, "name_en", st->name_en) &&
         cJSON_AddNumberToObject(root, "expires_ms", (double)expires_ms);
    if(!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return print_and_free(root);
}

/* key: the chips' names, in bit order (added to o even when it fails
 * half way, so o's owner frees everything). */
static bool add_chips(cJSON *o, const char *key, unsigned bits)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    int i;

    for(i = 0; a && i < N_CHIPS; i++) {
        cJSON *n;
        if(!(bits & (1u << i)))
            continue;
        n = cJSON_CreateString(chip_names[i]);
        if(!n || !cJSON_AddItemToArray(a, n)) {
            cJSON_Delete(n);
            return false;
        }
    }
    return a != NULL;
}

/* A visit's rating outcome (a stored row). */
static cJSON *rating_json(const rating_record_t *r)
{
    cJSON *o = cJSON_CreateObject();
    bool rated = r->level != RATING_NOT_RATED;
    bool ok = o &&
              (rated ? cJSON_AddStringToObject(o, "level", rating_level_str(r->level)) != NULL
                     : cJSON_AddNullToObject(o, "level") != NULL) &&
              cJSON_AddStringToObject(o, "status", rated ? "rated" : "not_rated") &&
              add_chips(o, "reasons", r->reasons) && add_chips(o, "praise", r->praise) &&
              cJSON_AddStringToObject(o, "source", rating_source_str(r->source)) &&
              add_ms(o, "rated_ms", r->rated_ms) &&
              cJSON_AddBoolToObject(o, "follow_up", r->follow_up);

    if(!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The visit a rating names, as far as the rating row knows it. */
static cJSON *visit_ref_json(const rating_record_t *r)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "id", (double)r->ticket_id) &&
              cJSON_AddStringToObject(o, "number", r->number) &&
              cJSON_AddStringToObject(o, "day", r->day) &&
              cJSON_AddStringToObject(o, "service", r->service_id) &&
              (r->counter_id[0] ? cJSON_AddStringToObject(o, "counter", r->counter_id) != NULL
                                : cJSON_AddNullToObject(o, "counter") != NULL) &&
              add_staff(NULL, o, r->staff_id, false) && add_ms(o, "finished_ms", r->finished_ms);

    if(!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static const char *lookup_status(const branch_result_t *res)
{
    if(res->rc == HK_ERR_NOT_FOUND)
        return "unknown";
    switch(res->rating_status) {
    case RATING_STATUS_OPEN: return "may_rate";
    case RATING_STATUS_RATED: return "already_rated";
    case RATING_STATUS_NOT_FINISHED: return "not_finished";
    case RATING_STATUS_CLOSED: return "other_day";
    }
    return "unknown";
}

static bool add_visits(cJSON *root, const lan_call_t *call, const branch_result_t *res,
                       const char *today)
{
    cJSON *arr;
    int i;

    if(!cJSON_AddStringToObject(root, "day", call->day[0] ? call->day : today) ||
       !(arr = cJSON_AddArrayToObject(root, "visits")))
        return false;
    for(i = 0; i < res->n_visits; i++) {
        const branch_visit_t *v = &res->visits[i];
        ticket_t t = v->ticket;
        cJSON *o = cJSON_CreateObject(), *item;
        if(!o || !cJSON_AddItemToArray(arr, o))
            return false;
        if(!t.staff_id[0])
            memcpy(t.staff_id, v->staff_id, sizeof(t.staff_id));
        if(!(item = ticket_json(&t)) || !cJSON_AddItemToObject(o, "ticket", item))
            return false;
        if(v->has_rating)
            item = rating_json(&v->rating);
        if(v->has_rating ? !item || !cJSON_AddItemToObject(o, "rating", item)
                         : !cJSON_AddNullToObject(o, "rating"))
            return false;
    }
    return true;
}

char *lan_api_encode_result(const config_t *cfg, const lan_call_t *call, const branch_result_t *res,
                            const char *today)
{
    cJSON *root, *item = NULL;
    bool ok;

    hk_json_init();
    if(res->op == BRANCH_OP_SNAPSHOT)
        return lan_api_encode_snapshot(cfg, &res->snapshot);
    root = cJSON_CreateObject();
    if(root && res->op == BRANCH_OP_RATING_LOOKUP) {
        bool known = res->rc == HK_OK;
        ok = cJSON_AddStringToObject(root, "status", lookup_status(res)) &&
             (known ? (item = visit_ref_json(&res->rating)) &&
                          cJSON_AddItemToObject(root, "ticket", item)
                    : cJSON_AddNullToObject(root, "ticket") != NULL);
        if(ok && known && res->rating.rated_ms)
            ok = (item = rating_json(&res->rating)) && cJSON_AddItemToObject(root, "rating", item);
        else if(ok)
            ok = cJSON_AddNullToObject(root, "rating") != NULL;
        if(!ok) {
            cJSON_Delete(root);
            return NULL;
        }
        return print_and_free(root);
    }
    if(root && res->op == BRANCH_OP_VISITS) {
        if(!add_visits(root, call, res, today)) {
            cJSON_Delete(root);
            return NULL;
        }
        return print_and_free(root);
    }
    ok = root && cJSON_AddNumberToObject(root, "journal_seq", (double)res->journal_seq);
    if(ok && (res->op == BRANCH_OP_RATE || res->op == BRANCH_OP_RATE_NUMBER)) {
        ok = (item = rating_json(&res->rating)) && cJSON_AddItemToObject(root, "rating", item) &&
             (item = visit_ref_json(&res->rating)) && cJSON_AddItemToObject(root, "ticket", item);
    } else if(ok && res->op == BRANCH_OP_SET_COUNTER) {
        ok =
            (item = cJSON_AddObjectToObject(root, "counter")) &&
            cJSON_AddStringToObject(item, "id", call->counter_id) &&
            cJSON_AddStringToObject(item, "state", branch_counter_state_str(call->counter_state)) &&
            add_staff(cfg, item, call->counter_state != BRANCH_COUNTER_CLOSED ? call->staff_id : "",
                      true);
    } else if(ok && res->op == BRANCH_OP_SUBMIT_ISSUE && res->has_submission) {
        /* self-help (issue 8): the receipt; never the phone itself */
        const submission_receipt_t *sr = &res->submission;
        ok = (item = cJSON_AddObjectToObject(root, "submission")) &&
             cJSON_AddStringToObject(item, "ref", sr->ref) &&
             cJSON_AddStringToObject(item, "phone_masked", sr->phone_masked) &&
             cJSON_AddStringToObject(item, "category", sr->category) &&
             cJSON_AddStringToObject(item, "day", sr->day) &&
             cJSON_AddNumberToObject(item, "created_ms", (double)sr->created_ms) &&
             cJSON_AddNumberToObject(item, "journal_seq", (double)sr->journal_seq);
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

/* "reasons" / "praise": an array of chip names (at most one of each). */
static hk_err_t read_chips(const cJSON *obj, const char *key, unsigned *bits, lan_error_t *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key), *it;
    int i = 0, k;

    *bits = 0;
    if(!arr)
        return HK_OK;
    if(!cJSON_IsArray(arr)) {
        lan_api_error(err, 400, "invalid_request", "%s: expected an array of names", key);
        return HK_ERR_INVALID;
    }
    cJSON_ArrayForEach(it, arr)
    {
        for(k = 0; k < N_CHIPS; k++)
            if(cJSON_IsString(it) && !strcmp(it->valuestring, chip_names[k]))
                break;
        if(k == N_CHIPS || i >= N_CHIPS) {
            lan_api_error(err, 400, "invalid_request",
                          "%s[%d]: expected efficiency, competence, attitude or other (once "
                          "each)",
                          key, i);
            return HK_ERR_INVALID;
        }
        *bits |= 1u << k;
        i++;
    }
    return HK_OK;
}

/* A vote: "level" (required, very_satisfied .. very_dissatisfied), reasons
 * only with the lower three levels, praise only with the upper two. */
static hk_err_t parse_vote(const cJSON *root, rating_vote_t *vote, lan_error_t *err)
{
    const cJSON *lv = cJSON_GetObjectItemCaseSensitive(root, "level");
    int i;
    hk_err_t rc;

    memset(vote, 0, sizeof(*vote));
    for(i = RATING_VERY_DISSATISFIED; cJSON_IsString(lv) && i <= RATING_VERY_SATISFIED; i++)
        if(!strcmp(lv->valuestring, rating_level_str((rating_level_t)i)))
            vote->level = (rating_level_t)i;
    if(vote->level == RATING_NOT_RATED) {
        lan_api_error(err, 400, "invalid_request",
                      "level: expected very_satisfied, satisfied, basic, dissatisfied or "
                      "very_dissatisfied");
        return HK_ERR_INVALID;
    }
    rc = read_chips(root, "reasons", &vote->reasons, err);
    if(rc == HK_OK)
        rc = read_chips(root, "praise", &vote->praise, err);
    if(rc == HK_OK && vote->reasons && vote->level > RATING_BASIC) {
        lan_api_error(err, 400, "invalid_request", "reasons: only with a lower rating");
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK && vote->praise && vote->level < RATING_SATISFIED) {
        lan_api_error(err, 400, "invalid_request", "praise: only with a higher rating");
        rc = HK_ERR_INVALID;
    }
    return rc;
}

static hk_err_t read_day(const cJSON *obj, bool required, char *dst, lan_error_t *err)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(obj, "day");

    dst[0] = '\0';
    if(!d && !required)
        return HK_OK;
    if(!cJSON_IsString(d) || !lan_api_valid_day(d->valuestring)) {
        lan_api_error(err, 400, "invalid_request", "day: %s",
                      d ? "expected YYYY-MM-DD" : "missing");
        return HK_ERR_INVALID;
    }
    memcpy(dst, d->valuestring, 11);
    return HK_OK;
}

static hk_err_t read_number(const cJSON *obj, char *dst, lan_error_t *err)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, "number");

    if(!cJSON_IsString(n) || !lan_api_valid_number(n->valuestring)) {
        lan_api_error(err, 400, "invalid_request", "number: %s",
                      n ? "expected a ticket number such as A023" : "missing");
        return HK_ERR_INVALID;
    }
    memcpy(dst, n->valuestring, 5);
    return HK_OK;
}

/* A ticket a kiosk issued from its own block: every field required; the
 * number's letter is the service's prefix and its digits lie in the
 * device's block (else 400 outside_block). */
static hk_err_t parse_import(const config_t *cfg, const cJSON *root, lan_call_t *call,
                             lan_error_t *err)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "issued_ms");
    const config_device_t *dev;
    int i, svc = -1, dix, num;
    hk_err_t rc;

    rc = read_id(root, "service", true, call->service_id, err);
    if(rc == HK_OK)
        rc = read_number(root, call->number, err);
    if(rc == HK_OK)
        rc = read_day(root, true, call->day, err);
    if(rc == HK_OK)
        rc = read_id(root, "device", true, call->device_id, err);
    if(rc != HK_OK)
        return rc;
    /* ms since 1970, exact in a double (2^53) */
    if(!cJSON_IsNumber(ms) || ms->valuedouble < 1 || ms->valuedouble > 9007199254740992.0 ||
       ms->valuedouble != (double)(int64_t)ms->valuedouble) {
        lan_api_error(err, 400, "invalid_request", "issued_ms: %s",
                      ms ? "expected a whole number of ms since 1970" : "missing");
        return HK_ERR_INVALID;
    }
    call->issued_ms = (int64_t)ms->valuedouble;
    for(i = 0; i < cfg->n_services; i++)
        if(!strcmp(cfg->services[i].id, call->service_id))
            svc = i;
    if(svc < 0) {
        lan_api_error(err, 404, "unknown_service", "no service %s", call->service_id);
        return HK_ERR_INVALID;
    }
    dix = config_device_index(cfg, call->device_id);
    if(dix < 0) {
        lan_api_error(err, 404, "unknown_device", "no device %s", call->device_id);
        return HK_ERR_INVALID;
    }
    dev = &cfg->devices[dix];
    num = atoi(call->number + 1);
    if(call->number[0] != cfg->services[svc].prefix || !dev->block_from || num < dev->block_from ||
       num > dev->block_to) {
        lan_api_error(err, 400, "outside_block",
                      "number %s is not in %s's block for service %s (%c%03d..%c%03d)",
                      call->number, dev->id, call->service_id, cfg->services[svc].prefix,
                      dev->block_from, cfg->services[svc].prefix, dev->block_to);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

/* ---- self-help (issue 8) ---------------------------------------------------- */

/* A string member into dst (cap bytes): "KEY: missing" when required and
 * absent, hk_json_get_text's diag otherwise. */
static hk_err_t read_text(const cJSON *obj, const char *key, bool required, char *dst, size_t cap,
                          lan_error_t *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    hk_diag_t diag;
    hk_err_t rc;

    if(!item) {
        if(required)
            lan_api_error(err, 400, "invalid_request", "%s: missing", key);
        return required ? HK_ERR_INVALID : HK_OK;
    }
    hk_diag_clear(&diag);
    rc = hk_json_get_text(item, key, dst, cap, &diag);
    if(rc != HK_OK)
        lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
    return rc;
}

static hk_err_t read_flag(const cJSON *obj, const char *key, bool *dst, lan_error_t *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    hk_diag_t diag;
    hk_err_t rc;

    if(!item) {
        lan_api_error(err, 400, "invalid_request", "%s: missing", key);
        return HK_ERR_INVALID;
    }
    hk_diag_clear(&diag);
    rc = hk_json_get_bool(item, key, dst, &diag);
    if(rc != HK_OK)
        lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
    return rc;
}

static hk_err_t bad(lan_error_t *err, const char *msg)
{
    lan_api_error(err, 400, "invalid_request", "%s", msg);
    return HK_ERR_INVALID;
}

/* POST /engineer/pin-failures: {"fails": 1.., "locks": 0.., "lock_s": 0..},
 * each a whole number, the message naming the field. */
static hk_err_t parse_pin_failed(lan_call_t *call, const cJSON *root, lan_error_t *err)
{
    static const struct {
        const char *key;
        int lo;
    } fields[] = { { "fails", 1 }, { "locks", 0 }, { "lock_s", 0 } };
    int *dst[] = { &call->fails, &call->locks, &call->lock_s };
    hk_diag_t diag;
    size_t i;

    for(i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, fields[i].key);
        if(!v) {
            lan_api_error(err, 400, "invalid_request", "%s: missing", fields[i].key);
            return HK_ERR_INVALID;
        }
        hk_diag_clear(&diag);
        if(hk_json_get_int(v, fields[i].key, fields[i].lo, INT32_MAX, dst[i], &diag) != HK_OK) {
            lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

/* POST /faq/feedback, /triage/choices, /submissions: every field checked
 * here, with the message naming it, before the hub is asked. */
static hk_err_t parse_selfhelp(lan_call_t *call, const cJSON *root, lan_error_t *err)
{
    submission_t *sub = &call->submission;
    submission_field_t field;
    hk_diag_t diag;
    hk_err_t rc = HK_OK;

    switch(call->op) {
    case BRANCH_OP_FAQ_FEEDBACK:
        rc = read_text(root, "article", true, call->item_id, sizeof(call->item_id), err);
        if(rc == HK_OK && !submission_id_valid(call->item_id, false))
            rc = bad(err, "article: expected an article id ([a-z0-9_.-])");
        if(rc == HK_OK && !cJSON_GetObjectItemCaseSensitive(root, "version"))
            rc = bad(err, "version: missing");
        if(rc == HK_OK) {
            hk_diag_clear(&diag);
            rc = hk_json_get_int(cJSON_GetObjectItemCaseSensitive(root, "version"), "version", 1,
                                 INT32_MAX, &call->version, &diag);
            if(rc != HK_OK)
                lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
        }
        if(rc == HK_OK)
            rc = read_flag(root, "helpful", &call->helpful, err);
        if(rc == HK_OK)
            rc = read_text(root, "lang", true, call->lang, sizeof(call->lang), err);
        if(rc == HK_OK && !submission_lang_valid(call->lang))
            rc = bad(err, "lang: expected zh-CN or en");
        return rc;
    case BRANCH_OP_TRIAGE_CHOICE:
        rc = read_text(root, "need", true, call->item_id, sizeof(call->item_id), err);
        if(rc == HK_OK && !submission_id_valid(call->item_id, false))
            rc = bad(err, "need: expected a need id ([a-z0-9_.-])");
        if(rc == HK_OK)
            rc = read_text(root, "route", true, call->route_kind, sizeof(call->route_kind), err);
        if(rc == HK_OK && !submission_route_kind_valid(call->route_kind))
            rc = bad(err, "route: expected faq, queue or submit");
        if(rc == HK_OK)
            rc = read_text(root, "target", false, call->target, sizeof(call->target), err);
        if(rc == HK_OK && !submission_id_valid(call->target, true))
            rc = bad(err, "target: expected an article, service or category id");
        return rc;
    case BRANCH_OP_SUBMIT_ISSUE:
        rc = read_text(root, "category", true, sub->category, sizeof(sub->category), err);
        if(rc == HK_OK)
            rc = read_text(root, "phone", true, sub->phone, sizeof(sub->phone), err);
        if(rc == HK_OK)
            rc = read_text(root, "description", false, sub->description, sizeof(sub->description),
                           err);
        if(rc == HK_OK)
            rc = read_flag(root, "consent", &sub->consent, err);
        if(rc == HK_OK)
            rc = read_text(root, "lang", true, sub->lang, sizeof(sub->lang), err);
        if(rc == HK_OK)
            rc = read_text(root, "origin", false, sub->origin, sizeof(sub->origin), err);
        if(rc == HK_OK) {
            hk_diag_clear(&diag);
            rc = submission_check(sub, &field, &diag);
            if(rc != HK_OK)
                lan_api_error(err, 400, "invalid_request", "%s", diag.msg);
        }
        if(rc != HK_OK)
            submission_wipe(sub);
        return rc;
    default: return HK_ERR_INVALID;
    }
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
              add_staff(NULL, o, t->staff_id, false) &&
              (t->device_id[0] ? cJSON_AddStringToObject(o, "device", t->device_id) != NULL
                               : cJSON_AddNullToObject(o, "device") != NULL) &&
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
