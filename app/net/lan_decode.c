/*
 * lan_decode: see lan_decode.h. Small typed readers over cJSON items that
 * refuse what does not fit instead of truncating it.
 */
#include "lan_decode.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"
#include "lan_client.h"

static const char *const chip_names[] = { "efficiency", "competence", "attitude", "other" };

static const char *const level_names[RATING_LEVEL_COUNT] = {
    [RATING_NOT_RATED] = "not_rated",       [RATING_VERY_DISSATISFIED] = "very_dissatisfied",
    [RATING_DISSATISFIED] = "dissatisfied", [RATING_BASIC] = "basic",
    [RATING_SATISFIED] = "satisfied",       [RATING_VERY_SATISFIED] = "very_satisfied",
};

hk_err_t lan_decode_parse(const char *text, size_t len, cJSON **out)
{
    hk_json_limits_t lim = { LAN_CLIENT_BODY_MAX, 16 };
    hk_err_t rc = hk_json_parse(text, len, &lim, out, NULL);

    return rc == HK_ERR_INVALID ? HK_ERR_SERVER : rc;
}

/* A string member into dst (cap bytes). Missing or null: "" when optional. */
static bool get_str(const cJSON *o, const char *key, char *dst, size_t cap, bool required)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

    if(!it || cJSON_IsNull(it)) {
        dst[0] = '\0';
        return !required;
    }
    if(!cJSON_IsString(it) || strlen(it->valuestring) >= cap)
        return false;
    memcpy(dst, it->valuestring, strlen(it->valuestring) + 1);
    return true;
}

/* A whole number member; missing or null reads as 0 when optional. */
static bool get_i64(const cJSON *o, const char *key, int64_t *dst, bool required)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    double v;

    if(!it || cJSON_IsNull(it)) {
        *dst = 0;
        return !required;
    }
    if(!cJSON_IsNumber(it))
        return false;
    v = it->valuedouble;
    if(!isfinite(v) || v != floor(v) || v < -9.0e15 || v > 9.0e15)
        return false;
    *dst = (int64_t)v;
    return true;
}

static bool get_int(const cJSON *o, const char *key, int *dst, bool required)
{
    int64_t v;

    if(!get_i64(o, key, &v, required) || v < -2147483647LL || v > 2147483647LL)
        return false;
    *dst = (int)v;
    return true;
}

hk_err_t lan_decode_ticket(const cJSON *o, ticket_t *out)
{
    ticket_t t;
    char state[24];
    int st, est = -1;
    const cJSON *e;

    memset(&t, 0, sizeof(t));
    if(!cJSON_IsObject(o) || !get_i64(o, "id", &t.id, true) ||
       !get_str(o, "number", t.number, sizeof(t.number), true) ||
       !get_str(o, "day", t.day, sizeof(t.day), false) ||
       !get_str(o, "service", t.service_id, sizeof(t.service_id), true) ||
       !get_str(o, "state", state, sizeof(state), true) ||
       !get_str(o, "counter", t.counter_id, sizeof(t.counter_id), false) ||
       !get_i64(o, "issued_ms", &t.issued_ms, false) ||
       !get_i64(o, "called_ms", &t.called_ms, false) ||
       !get_i64(o, "serving_ms", &t.serving_ms, false) ||
       !get_i64(o, "finished_ms", &t.finished_ms, false) ||
       !get_int(o, "recalls", &t.recalls, false) ||
       !get_int(o, "ahead_quoted", &t.ahead_quoted, false) ||
       !get_str(o, "staff", t.staff_id, sizeof(t.staff_id), false) ||
       !get_str(o, "device", t.device_id, sizeof(t.device_id), false))
        return HK_ERR_SERVER;
    e = cJSON_GetObjectItemCaseSensitive(o, "est_wait_s_quoted");
    if(e && !cJSON_IsNull(e) && !get_int(o, "est_wait_s_quoted", &est, true))
        return HK_ERR_SERVER;
    t.est_wait_s_quoted = est;
    for(st = 0; st < TICKET_STATE_COUNT; st++)
        if(!strcmp(queue_state_str((ticket_state_t)st), state))
            break;
    if(st == TICKET_STATE_COUNT)
        return HK_ERR_SERVER;
    t.state = (ticket_state_t)st;
    *out = t;
    return HK_OK;
}

hk_err_t lan_decode_snapshot(const cJSON *o, branch_snapshot_t *out)
{
    const cJSON *svcs, *ctrs, *it;
    int n = 0;

    memset(out, 0, sizeof(*out));
    svcs = cJSON_GetObjectItemCaseSensitive(o, "services");
    ctrs = cJSON_GetObjectItemCaseSensitive(o, "counters");
    if(!cJSON_IsObject(o) || !get_i64(o, "journal_seq", &out->journal_seq, true) ||
       !get_i64(o, "taken_ms", &out->taken_ms, false) || !cJSON_IsArray(svcs) ||
       !cJSON_IsArray(ctrs))
        return HK_ERR_SERVER;
    cJSON_ArrayForEach(it, svcs)
    {
        branch_service_snap_t *v;
        const cJSON *e;
        if(n == CONFIG_MAX_SERVICES)
            return HK_ERR_SERVER;
        v = &out->services[n++];
        e = cJSON_GetObjectItemCaseSensitive(it, "est_wait_s");
        v->est_wait_s = -1;
        if(!get_str(it, "id", v->service_id, sizeof(v->service_id), true) ||
           !get_int(it, "waiting", &v->waiting, false) ||
           (e && !cJSON_IsNull(e) && !get_int(it, "est_wait_s", &v->est_wait_s, true)))
            return HK_ERR_SERVER;
    }
    out->n_services = n;
    n = 0;
    cJSON_ArrayForEach(it, ctrs)
    {
        branch_counter_snap_t *c;
        const cJSON *t;
        char state[16];
        if(n == CONFIG_MAX_COUNTERS)
            return HK_ERR_SERVER;
        c = &out->counters[n++];
        if(!get_str(it, "id", c->counter_id, sizeof(c->counter_id), true) ||
           !get_str(it, "state", state, sizeof(state), true) ||
           !get_str(it, "staff", c->staff_id, sizeof(c->staff_id), false))
            return HK_ERR_SERVER;
        if(!strcmp(state, "open"))
            c->state = BRANCH_COUNTER_OPEN;
        else if(!strcmp(state, "paused"))
            c->state = BRANCH_COUNTER_PAUSED;
        else if(!strcmp(state, "closed"))
            c->state = BRANCH_COUNTER_CLOSED;
        else
            return HK_ERR_SERVER;
        t = cJSON_GetObjectItemCaseSensitive(it, "ticket");
        if(t && !cJSON_IsNull(t)) {
            if(lan_decode_ticket(t, &c->ticket) != HK_OK)
                return HK_ERR_SERVER;
            c->has_ticket = true;
        }
    }
    out->n_counters = n;
    return HK_OK;
}

bool lan_decode_level(const char *name, rating_level_t *out)
{
    int i;

    for(i = 0; i < RATING_LEVEL_COUNT; i++)
        if(!strcmp(level_names[i], name)) {
            *out = (rating_level_t)i;
            return true;
        }
    return false;
}

const char *lan_decode_chip_name(unsigned bit)
{
    int i;

    for(i = 0; i < 4; i++)
        if(bit == 1u << i)
            return chip_names[i];
    return NULL;
}

/* A chip list: an array of names (or a bit set as a number). */
static bool get_chips(const cJSON *o, const char *key, unsigned *out)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *it;
    unsigned bits = 0;
    int i;

    *out = 0;
    if(!arr || cJSON_IsNull(arr))
        return true;
    if(cJSON_IsNumber(arr)) {
        if(arr->valuedouble < 0 || arr->valuedouble > 15)
            return false;
        *out = (unsigned)arr->valuedouble;
        return true;
    }
    if(!cJSON_IsArray(arr))
        return false;
    cJSON_ArrayForEach(it, arr)
    {
        if(!cJSON_IsString(it))
            return false;
        for(i = 0; i < 4 && strcmp(chip_names[i], it->valuestring); i++)
            ;
        if(i == 4)
            return false;
        bits |= 1u << i;
    }
    *out = bits;
    return true;
}

hk_err_t lan_decode_rating(const cJSON *o, rating_record_t *out)
{
    rating_record_t r;
    char level[24], source[16], status[16];
    const cJSON *lv;

    memset(&r, 0, sizeof(r));
    if(!cJSON_IsObject(o) || !get_str(o, "status", status, sizeof(status), false) ||
       !get_str(o, "source", source, sizeof(source), false) ||
       !get_chips(o, "reasons", &r.reasons) || !get_chips(o, "praise", &r.praise) ||
       !get_i64(o, "ticket_id", &r.ticket_id, false) ||
       !get_str(o, "number", r.number, sizeof(r.number), false) ||
       !get_str(o, "day", r.day, sizeof(r.day), false) ||
       !get_str(o, "service", r.service_id, sizeof(r.service_id), false) ||
       !get_str(o, "counter", r.counter_id, sizeof(r.counter_id), false) ||
       !get_str(o, "staff", r.staff_id, sizeof(r.staff_id), false) ||
       !get_i64(o, "finished_ms", &r.finished_ms, false) ||
       !get_i64(o, "rated_ms", &r.rated_ms, false))
        return HK_ERR_SERVER;
    lv = cJSON_GetObjectItemCaseSensitive(o, "level");
    if(cJSON_IsNumber(lv) && lv->valuedouble >= 0 && lv->valuedouble < RATING_LEVEL_COUNT)
        r.level = (rating_level_t)(int)lv->valuedouble;
    else if(cJSON_IsNull(lv) && !strcmp(status, "not_rated"))
        r.level = RATING_NOT_RATED; /* the window passed without a vote */
    else if(!get_str(o, "level", level, sizeof(level), true) || !lan_decode_level(level, &r.level))
        return HK_ERR_SERVER;
    if(!strcmp(status, "not_rated"))
        r.level = RATING_NOT_RATED;
    r.source = !strcmp(source, "kiosk") ? RATING_SOURCE_KIOSK : RATING_SOURCE_COUNTER;
    r.follow_up = rating_level_needs_follow_up(r.level);
    *out = r;
    return HK_OK;
}

/* The visit's details a rating record repeats, from its ticket. */
static void rating_from_ticket(rating_record_t *r, const ticket_t *t)
{
    r->ticket_id = t->id;
    snprintf(r->day, sizeof(r->day), "%s", t->day);
    snprintf(r->number, sizeof(r->number), "%s", t->number);
    snprintf(r->service_id, sizeof(r->service_id), "%s", t->service_id);
    snprintf(r->counter_id, sizeof(r->counter_id), "%s", t->counter_id);
    snprintf(r->staff_id, sizeof(r->staff_id), "%s", t->staff_id);
    r->finished_ms = t->finished_ms;
}

/* The visit a rating names: {"id","number","day","service","counter",
 * "staff","finished_ms"} (no state: a reference, not a whole ticket). */
static hk_err_t decode_visit_ref(const cJSON *o, rating_record_t *r)
{
    if(!cJSON_IsObject(o) || !get_i64(o, "id", &r->ticket_id, true) ||
       !get_str(o, "number", r->number, sizeof(r->number), true) ||
       !get_str(o, "day", r->day, sizeof(r->day), false) ||
       !get_str(o, "service", r->service_id, sizeof(r->service_id), false) ||
       !get_str(o, "counter", r->counter_id, sizeof(r->counter_id), false) ||
       !get_str(o, "staff", r->staff_id, sizeof(r->staff_id), false) ||
       !get_i64(o, "finished_ms", &r->finished_ms, false))
        return HK_ERR_SERVER;
    return HK_OK;
}

static hk_err_t decode_visits(const cJSON *root, branch_result_t *res)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "visits"), *it;
    int n, i = 0;

    if(!cJSON_IsArray(arr))
        return HK_ERR_SERVER;
    n = cJSON_GetArraySize(arr);
    if(n == 0)
        return HK_OK;
    res->visits = hk_calloc((size_t)n, sizeof(*res->visits));
    if(!res->visits)
        return HK_ERR_NOMEM;
    cJSON_ArrayForEach(it, arr)
    {
        branch_visit_t *v = &res->visits[i];
        const cJSON *rt = cJSON_GetObjectItemCaseSensitive(it, "rating");
        if(lan_decode_ticket(cJSON_GetObjectItemCaseSensitive(it, "ticket"), &v->ticket) != HK_OK)
            return HK_ERR_SERVER;
        snprintf(v->staff_id, sizeof(v->staff_id), "%s", v->ticket.staff_id);
        if(rt && !cJSON_IsNull(rt)) {
            if(lan_decode_rating(rt, &v->rating) != HK_OK)
                return HK_ERR_SERVER;
            rating_from_ticket(&v->rating, &v->ticket);
            v->has_rating = true;
        }
        res->n_visits = ++i;
    }
    return HK_OK;
}

static hk_err_t decode_lookup(const cJSON *root, branch_result_t *res)
{
    char status[24];
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "ticket");
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(root, "rating");

    if(!get_str(root, "status", status, sizeof(status), true))
        return HK_ERR_SERVER;
    if(!strcmp(status, "unknown"))
        return HK_ERR_NOT_FOUND; /* the number names no visit that day */
    if(!strcmp(status, "may_rate"))
        res->rating_status = RATING_STATUS_OPEN;
    else if(!strcmp(status, "already_rated"))
        res->rating_status = RATING_STATUS_RATED;
    else if(!strcmp(status, "not_finished"))
        res->rating_status = RATING_STATUS_NOT_FINISHED;
    else
        res->rating_status = RATING_STATUS_CLOSED; /* "other_day" */
    if(rt && !cJSON_IsNull(rt) && lan_decode_rating(rt, &res->rating) != HK_OK)
        return HK_ERR_SERVER;
    if(t && !cJSON_IsNull(t) && decode_visit_ref(t, &res->rating) != HK_OK)
        return HK_ERR_SERVER;
    res->has_rating = true;
    return HK_OK;
}

/* "S261126-007" */
static bool ref_ok(const char *r)
{
    return strlen(r) == 11 && r[0] == 'S' && r[7] == '-' && strspn(r + 1, "0123456789") == 6 &&
           strspn(r + 8, "0123456789") == 3;
}

/* "138****5678": never more than the masked form */
static bool masked_ok(const char *p)
{
    return strlen(p) == 11 && p[0] == '1' && strspn(p, "0123456789") == 3 &&
           !strncmp(p + 3, "****", 4) && strspn(p + 7, "0123456789") == 4;
}

/* self-help (issue 8): {"ref","phone_masked","category","day","created_ms",
 * "journal_seq"}; every field required and checked to fit and to be what
 * it says (a reference, a masked number). */
static hk_err_t decode_submission(const cJSON *o, branch_result_t *res)
{
    submission_receipt_t *r = &res->submission;

    if(!cJSON_IsObject(o) || !get_str(o, "ref", r->ref, sizeof(r->ref), true) ||
       !get_str(o, "phone_masked", r->phone_masked, sizeof(r->phone_masked), true) ||
       !get_str(o, "category", r->category, sizeof(r->category), true) ||
       !get_str(o, "day", r->day, sizeof(r->day), true) ||
       !get_i64(o, "created_ms", &r->created_ms, true) ||
       !get_i64(o, "journal_seq", &r->journal_seq, true) ||
       !submission_category_valid(r->category) || !ref_ok(r->ref) || !masked_ok(r->phone_masked))
        return HK_ERR_SERVER;
    res->has_submission = true;
    return HK_OK;
}

hk_err_t lan_decode_result(branch_op_t op, const char *body, size_t len, branch_result_t *res)
{
    cJSON *root = NULL;
    const cJSON *it;
    hk_err_t rc;

    if(!len && (op == BRANCH_OP_LOGOUT || op == BRANCH_OP_EXPIRE_RATINGS))
        return HK_OK; /* 204 */
    rc = lan_decode_parse(body, len, &root);
    if(rc != HK_OK)
        return rc;
    if(!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return HK_ERR_SERVER;
    }
    if(!get_i64(root, "journal_seq", &res->journal_seq, false))
        rc = HK_ERR_SERVER;
    it = cJSON_GetObjectItemCaseSensitive(root, "ticket");
    if(rc == HK_OK && op != BRANCH_OP_RATING_LOOKUP && op != BRANCH_OP_RATE &&
       op != BRANCH_OP_RATE_NUMBER && it && !cJSON_IsNull(it)) {
        rc = lan_decode_ticket(it, &res->ticket);
        res->has_ticket = rc == HK_OK;
    }
    switch(op) {
    case BRANCH_OP_SNAPSHOT:
        if(rc == HK_OK)
            rc = lan_decode_snapshot(root, &res->snapshot);
        break;
    case BRANCH_OP_LOGIN:
        it = cJSON_GetObjectItemCaseSensitive(root, "staff");
        if(rc == HK_OK &&
           (!cJSON_IsObject(it) || !get_str(it, "id", res->staff.id, sizeof(res->staff.id), true) ||
            !get_str(it, "name_zh", res->staff.name_zh, sizeof(res->staff.name_zh), false) ||
            !get_str(it, "name_en", res->staff.name_en, sizeof(res->staff.name_en), false)))
            rc = HK_ERR_SERVER;
        res->has_staff = rc == HK_OK;
        break;
    case BRANCH_OP_RATE:
    case BRANCH_OP_RATE_NUMBER:
        /* {"rating":{...},"ticket":<the visit it names>} */
        it = cJSON_GetObjectItemCaseSensitive(root, "rating");
        if(rc == HK_OK && it)
            rc = lan_decode_rating(it, &res->rating);
        it = cJSON_GetObjectItemCaseSensitive(root, "ticket");
        if(rc == HK_OK && it && !cJSON_IsNull(it))
            rc = decode_visit_ref(it, &res->rating);
        res->has_rating = rc == HK_OK && cJSON_GetObjectItemCaseSensitive(root, "rating");
        break;
    case BRANCH_OP_RATING_LOOKUP:
        if(rc == HK_OK)
            rc = decode_lookup(root, res);
        break;
    case BRANCH_OP_VISITS:
        if(rc == HK_OK)
            rc = decode_visits(root, res);
        break;
    case BRANCH_OP_SUBMIT_ISSUE: /* self-help (issue 8) */
        if(rc == HK_OK)
            rc = decode_submission(cJSON_GetObjectItemCaseSensitive(root, "submission"), res);
        break;
    default: break;
    }
    cJSON_Delete(root);
    return rc;
}

hk_err_t lan_decode_event(const char *data, size_t len, journal_event_t *out)
{
    cJSON *root = NULL;
    const cJSON *body;
    char type[40];
    hk_err_t rc = lan_decode_parse(data, len, &root);

    memset(out, 0, sizeof(*out));
    if(rc != HK_OK)
        return rc;
    body = cJSON_GetObjectItemCaseSensitive(root, "body");
    if(!cJSON_IsObject(root) || !get_i64(root, "seq", &out->seq, true) ||
       !get_str(root, "type", type, sizeof(type), true) ||
       !get_str(root, "uuid", out->uuid, sizeof(out->uuid), false) ||
       !get_i64(root, "wall_ms", &out->wall_ms, false) || !journal_type_parse(type, &out->type)) {
        cJSON_Delete(root);
        return HK_ERR_SERVER;
    }
    out->body = body ? cJSON_PrintUnformatted(body) : NULL;
    if(!out->body) {
        out->body = hk_malloc(3);
        if(out->body)
            memcpy(out->body, "{}", 3);
    }
    cJSON_Delete(root);
    return out->body ? HK_OK : HK_ERR_NOMEM;
}

static bool add_chips(cJSON *o, const char *key, unsigned bits)
{
    cJSON *arr = cJSON_AddArrayToObject(o, key);
    int i;

    if(!arr)
        return false;
    for(i = 0; i < 4; i++) {
        cJSON *s;
        if(!(bits & (1u << i)))
            continue;
        s = cJSON_CreateString(chip_names[i]);
        if(!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            return false;
        }
    }
    return true;
}

char *lan_decode_vote_body(const rating_vote_t *vote, const char *number, const char *day)
{
    cJSON *o;
    char *s;
    bool ok;

    hk_json_init();
    o = cJSON_CreateObject();
    ok = o && (int)vote->level >= 0 && vote->level < RATING_LEVEL_COUNT &&
         cJSON_AddStringToObject(o, "level", level_names[vote->level]) &&
         add_chips(o, "reasons", vote->reasons) && add_chips(o, "praise", vote->praise);
    if(ok && number)
        ok = cJSON_AddStringToObject(o, "number", number) != NULL;
    if(ok && day && day[0])
        ok = cJSON_AddStringToObject(o, "day", day) != NULL;
    s = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

hk_err_t lan_decode_session(const char *body, size_t len, char *dst, size_t cap)
{
    cJSON *root = NULL;
    hk_err_t rc = lan_decode_parse(body, len, &root);

    if(rc != HK_OK)
        return rc;
    if(!cJSON_IsObject(root) || !get_str(root, "session", dst, cap, true) || !dst[0])
        rc = HK_ERR_SERVER;
    cJSON_Delete(root);
    return rc;
}

hk_err_t lan_decode_status(int status, const char *code)
{
    static const struct {
        const char *code;
        hk_err_t rc;
    } codes[] = {
        { "nobody_waiting", HK_ERR_NOT_FOUND },   { "unknown_ticket", HK_ERR_NOT_FOUND },
        { "unknown_service", HK_ERR_NOT_FOUND },  { "unknown_counter", HK_ERR_NOT_FOUND },
        { "not_found", HK_ERR_NOT_FOUND },        { "service_closed", HK_ERR_BUSY },
        { "counter_not_open", HK_ERR_BUSY },      { "already_rated", HK_ERR_BUSY },
        { "too_many_attempts", HK_ERR_BUSY },     { "busy", HK_ERR_BUSY },
        { "counter_busy", HK_ERR_CONFLICT },      { "number_conflict", HK_ERR_CONFLICT },
        { "submissions_exhausted", HK_ERR_BUSY }, /* self-help: no references left today */
    };
    size_t i;

    if(status >= 200 && status < 300)
        return HK_OK;
    for(i = 0; code && i < sizeof(codes) / sizeof(codes[0]); i++)
        if(!strcmp(codes[i].code, code))
            return codes[i].rc;
    if(status == 404)
        return HK_ERR_NOT_FOUND;
    if(status == 429 || status == 503)
        return HK_ERR_BUSY;
    if(status >= 400 && status < 500)
        return HK_ERR_INVALID; /* 400 bad request, 401/403 credentials, 409 transitions */
    return HK_ERR_SERVER;
}

/* ---- the branch document ------------------------------------------------------ */

/* Top-level keys of the document that config_parse() validates, as they
 * go into the config it reads (id and names go under "branch"). */
static const char *const branch_cfg_keys[] = { "language", "utc_offset_min", "hours",
                                               "services", "counters",       "ticket",
                                               "timeouts", "queue",          "voice_en" };
#define N_BRANCH_CFG_KEYS ((int)(sizeof(branch_cfg_keys) / sizeof(branch_cfg_keys[0])))

static bool id_chars_ok(const char *id)
{
    const char *p;

    if(!id[0])
        return false;
    for(p = id; *p; p++)
        if(!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return false;
    return true;
}

/* staff: [{id, name_zh, name_en}] (no PIN hashes on the LAN). */
static hk_err_t decode_branch_staff(const cJSON *arr, config_t *cfg, hk_diag_t *diag)
{
    static const char *const keys[] = { "id", "name_zh", "name_en", NULL };
    static const char *const names[] = { "name_zh", "name_en" };
    const cJSON *it;
    char path[48], sub[64];
    hk_err_t rc;
    int n = 0, i;

    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "staff: expected an array");
        return HK_ERR_INVALID;
    }
    cJSON_ArrayForEach(it, arr)
    {
        config_staff_t *m = &cfg->staff[n];
        char *dst[2] = { m->name_zh, m->name_en };
        if(n >= CONFIG_MAX_STAFF) {
            hk_diag_set(diag, "staff: more than %d members", CONFIG_MAX_STAFF);
            return HK_ERR_INVALID;
        }
        snprintf(path, sizeof(path), "staff[%d]", n);
        if(!cJSON_IsObject(it)) {
            hk_diag_set(diag, "%s: expected an object", path);
            return HK_ERR_INVALID;
        }
        rc = hk_json_check_keys(it, path, keys, diag);
        hk_json_path(sub, sizeof(sub), path, "id");
        if(rc == HK_OK)
            rc = hk_json_get_text(cJSON_GetObjectItemCaseSensitive(it, "id"), sub, m->id,
                                  sizeof(m->id), diag);
        if(rc == HK_OK && !id_chars_ok(m->id)) {
            hk_diag_set(diag, "%s: must be 1..23 of a-z 0-9 _ -", sub);
            rc = HK_ERR_INVALID;
        }
        for(i = 0; rc == HK_OK && i < n; i++) {
            if(!strcmp(cfg->staff[i].id, m->id)) {
                hk_diag_set(diag, "%s: \"%s\" given twice", sub, m->id);
                rc = HK_ERR_INVALID;
            }
        }
        for(i = 0; rc == HK_OK && i < 2; i++) {
            hk_json_path(sub, sizeof(sub), path, names[i]);
            rc = hk_json_get_text(cJSON_GetObjectItemCaseSensitive(it, names[i]), sub, dst[i],
                                  CONFIG_NAME_LEN, diag);
        }
        if(rc != HK_OK)
            return rc;
        m->pin_hash[0] = '\0';
        n++;
    }
    cfg->n_staff = n;
    return HK_OK;
}

/* The document's config part as a config file's JSON text (hk_malloc'd). */
static hk_err_t branch_config_text(const cJSON *root, char **out)
{
    static const char *const who[] = { "id", "name_zh", "name_en" };
    cJSON *cfg = cJSON_CreateObject(), *branch = NULL;
    bool ok = cfg && (branch = cJSON_AddObjectToObject(cfg, "branch"));
    int i;

    for(i = 0; ok && i < 3; i++) {
        cJSON *c = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(root, who[i]), true);
        ok = c && cJSON_AddItemToObject(branch, who[i], c);
    }
    for(i = 0; ok && i < N_BRANCH_CFG_KEYS; i++) {
        cJSON *c =
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(root, branch_cfg_keys[i]), true);
        ok = c && cJSON_AddItemToObject(cfg, branch_cfg_keys[i], c);
    }
    *out = ok ? cJSON_PrintUnformatted(cfg) : NULL;
    cJSON_Delete(cfg);
    return *out ? HK_OK : HK_ERR_NOMEM;
}

hk_err_t lan_decode_branch(const char *text, size_t len, lan_branch_doc_t *out, hk_diag_t *diag)
{
    static const char *const required[] = { "generation", "id", "name_zh", "name_en", "staff" };
    const hk_json_limits_t lim = { LAN_DECODE_BRANCH_MAX, 16 };
    lan_branch_doc_t *doc = NULL;
    cJSON *root = NULL;
    char *cfg_text = NULL;
    int64_t gen = 0;
    hk_diag_t jd;
    hk_err_t rc;
    int i;

    hk_diag_clear(diag);
    hk_json_init();
    rc = hk_json_parse(text, len, &lim, &root, &jd);
    if(rc != HK_OK) {
        hk_diag_set(diag, "branch: %s", jd.msg);
        return rc;
    }
    if(!cJSON_IsObject(root)) {
        hk_diag_set(diag, "branch: expected an object");
        rc = HK_ERR_INVALID;
        goto out;
    }
    for(i = 0; i < 5 + N_BRANCH_CFG_KEYS; i++) {
        const char *k = i < 5 ? required[i] : branch_cfg_keys[i - 5];
        if(!cJSON_GetObjectItemCaseSensitive(root, k)) {
            hk_diag_set(diag, "%s: required", k);
            rc = HK_ERR_INVALID;
            goto out;
        }
    }
    rc = hk_json_get_i64(cJSON_GetObjectItemCaseSensitive(root, "generation"), "generation", 1,
                         9007199254740991LL, &gen, diag);
    doc = rc == HK_OK ? hk_calloc(1, sizeof(*doc)) : NULL;
    if(rc == HK_OK && !doc)
        rc = HK_ERR_NOMEM;
    if(rc == HK_OK)
        rc = branch_config_text(root, &cfg_text);
    if(rc == HK_OK) {
        rc = config_parse(cfg_text, strlen(cfg_text), &doc->cfg, diag);
        /* the document has id and names at its top level */
        if(rc == HK_ERR_INVALID && diag && !strncmp(diag->msg, "branch.", 7))
            memmove(diag->msg, diag->msg + 7, strlen(diag->msg + 7) + 1);
    }
    if(rc == HK_OK)
        rc = decode_branch_staff(cJSON_GetObjectItemCaseSensitive(root, "staff"), &doc->cfg, diag);
    if(rc == HK_OK) {
        doc->generation = (uint64_t)gen;
        *out = *doc;
    }
out:
    if(rc == HK_ERR_NOMEM)
        hk_diag_set(diag, "branch: out of memory");
    hk_free(cfg_text);
    hk_free(doc);
    cJSON_Delete(root);
    return rc;
}

hk_err_t lan_decode_branch_merge(const lan_branch_doc_t *doc, const config_t *local, config_t *out,
                                 hk_diag_t *diag)
{
    const config_t *b = &doc->cfg;
    int i, j;

    hk_diag_clear(diag);
    if(local->device.counter[0] && config_counter_index(b, local->device.counter) < 0) {
        hk_diag_set(diag, "counters: no counter \"%s\", which this device serves",
                    local->device.counter);
        return HK_ERR_INVALID;
    }
    *out = *local;
    memcpy(out->branch_id, b->branch_id, sizeof(out->branch_id));
    memcpy(out->branch_name_zh, b->branch_name_zh, sizeof(out->branch_name_zh));
    memcpy(out->branch_name_en, b->branch_name_en, sizeof(out->branch_name_en));
    memcpy(out->language, b->language, sizeof(out->language));
    out->utc_offset_min = b->utc_offset_min;
    out->hours = b->hours;
    out->n_services = b->n_services;
    memcpy(out->services, b->services, sizeof(out->services));
    out->n_counters = b->n_counters;
    memcpy(out->counters, b->counters, sizeof(out->counters));
    memcpy(out->ticket_url_template, b->ticket_url_template, sizeof(out->ticket_url_template));
    memcpy(out->ticket_footer_zh, b->ticket_footer_zh, sizeof(out->ticket_footer_zh));
    memcpy(out->ticket_footer_en, b->ticket_footer_en, sizeof(out->ticket_footer_en));
    out->idle_timeout_s = b->idle_timeout_s;
    out->confirm_timeout_s = b->confirm_timeout_s;
    out->max_pass_over_s = b->max_pass_over_s;
    out->voice_en = b->voice_en;
    out->n_staff = b->n_staff;
    memcpy(out->staff, b->staff, sizeof(out->staff));
    for(i = 0; i < out->n_staff; i++) {
        j = config_staff_index(local, out->staff[i].id);
        if(j >= 0)
            memcpy(out->staff[i].pin_hash, local->staff[j].pin_hash, CONFIG_HASH_LEN);
    }
    return HK_OK;
}

/* ---- self-help (issue 8) ------------------------------------------------------ */

char *lan_decode_feedback_body(const char *article, int version, bool helpful, const char *lang)
{
    cJSON *o;
    char *s = NULL;

    hk_json_init();
    o = cJSON_CreateObject();
    if(o && cJSON_AddStringToObject(o, "article", article) &&
       cJSON_AddNumberToObject(o, "version", version) &&
       cJSON_AddBoolToObject(o, "helpful", helpful) && cJSON_AddStringToObject(o, "lang", lang))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

char *lan_decode_pin_failed_body(int fails, int locks, int lock_s)
{
    cJSON *o;
    char *s = NULL;

    hk_json_init();
    o = cJSON_CreateObject();
    if(o && cJSON_AddNumberToObject(o, "fails", fails) &&
       cJSON_AddNumberToObject(o, "locks", locks) && cJSON_AddNumberToObject(o, "lock_s", lock_s))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

char *lan_decode_triage_body(const char *need, const char *route, const char *target)
{
    cJSON *o;
    char *s = NULL;

    hk_json_init();
    o = cJSON_CreateObject();
    if(o && cJSON_AddStringToObject(o, "need", need) &&
       cJSON_AddStringToObject(o, "route", route) && cJSON_AddStringToObject(o, "target", target))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

char *lan_decode_submission_body(const submission_t *sub)
{
    cJSON *o, *ph;
    char *s = NULL;

    hk_json_init();
    o = cJSON_CreateObject();
    if(o && cJSON_AddStringToObject(o, "category", sub->category) &&
       (ph = cJSON_AddStringToObject(o, "phone", sub->phone)) &&
       cJSON_AddStringToObject(o, "description", sub->description) &&
       cJSON_AddBoolToObject(o, "consent", sub->consent) &&
       cJSON_AddStringToObject(o, "lang", sub->lang) &&
       cJSON_AddStringToObject(o, "origin", sub->origin)) {
        s = cJSON_PrintUnformatted(o);
        memset(ph->valuestring, 0, strlen(ph->valuestring)); /* the tree's copy */
    }
    cJSON_Delete(o);
    return s;
}
