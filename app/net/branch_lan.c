/*
 * branch_lan: see branch_lan.h.
 *
 * Design notes
 *   Submit: each op copies its arguments into a job and appends it to a
 *   FIFO under mu; the worker pops jobs in order, so results arrive in
 *   submit order. BRANCH_OP_EVENTS is answered at once from the ring by
 *   the caller's thread (it reads memory only).
 *   Threads and what each owns: the worker, its request client and the
 *   block handle it issues from; the stream thread, the stream client;
 *   the importer, its own client and its own connection to offline.db
 *   (WAL: the two connections never wait on each other for long). mu
 *   guards the job FIFO, the session and PIN, the hub-down state, the
 *   ring and the cached snapshot; cv wakes the worker, imp_cv the
 *   importer.
 *   Hub down: a request that could not reach the hub marks it down (with
 *   the time); the stream connecting, an event arriving or any answer
 *   marks it up. While it is down (for at most DOWN_HOLD_MS without news;
 *   then one request probes again) ops fail at once with HK_ERR_NET and
 *   take_number issues from the block. A kiosk with a block sends every
 *   request with a total timeout of BRANCH_LAN_OFFLINE_AFTER_MS, so even a
 *   hub that accepts and never answers (frozen) holds a take_number for
 *   at most that long, once per DOWN_HOLD_MS.
 *   Import: the importer hands pending block tickets to the hub oldest
 *   first, at once when the hub is back (stream connected, or answered
 *   again) and else every BRANCH_LAN_IMPORT_RETRY_MS while any are
 *   pending; it stops at the first one the hub did not answer. Being its
 *   own thread, a slow import never delays the screen's requests. Idle
 *   with nothing pending, it sleeps on imp_cv (no polling).
 */
#include "branch_lan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hk_file.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "hk_time.h"
#include "lan_client.h"
#include "lan_decode.h"
#include "offline_block.h"
#include "paths.h"

#define LOG_MOD      "branch_lan"
#define DOWN_HOLD_MS 5000
#define SESSION_LEN  160
#define PIN_LEN      64
#define IMPORT_BATCH 16

typedef struct job {
    struct job *next;
    branch_op_t op;
    uint64_t tag;
    char a[CONFIG_ID_LEN + 8]; /* counter, service, day */
    char b[CONFIG_ID_LEN + 8]; /* service, number, staff id */
    char pin[PIN_LEN];
    int64_t id;
    bool flag;
    branch_counter_state_t st;
    rating_vote_t vote;
    ticket_t ticket;
    char *body; /* self-help (issue 8): the request body, built by the op; wiped and freed */
} job_t;

typedef struct branch_lan {
    config_t cfg;
    mailbox_t *mb;
    char url[LAN_CLIENT_URL_LEN];
    lan_client_t *http, *sse, *imp;
    offline_block_t *block;     /* the worker's connection */
    offline_block_t *imp_block; /* the importer's */
    pthread_t worker, stream, importer;
    bool worker_started, stream_started, importer_started;
    atomic_bool stop;
    atomic_bool stream_up;
    atomic_int link_told; /* what the screens were told: -1 nothing yet, 0 down, 1 up */
    atomic_int pending;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_cond_t imp_cv;
    /* under mu */
    job_t *head, *tail;
    char session[SESSION_LEN];
    char staff_id[RATING_STAFF_ID_LEN];
    char pin[PIN_LEN];
    bool down;
    int64_t down_ms;
    bool import_kick;
    journal_event_t ring[BRANCH_LAN_RING];
    int ring_start, ring_n;
    bool has_snap;
    branch_snapshot_t snap;
    /* The hub's branch document (branch_lan_follow_config). apply_mu
     * serialises applying it (stream thread, follow_config's caller) and
     * guards live, doc_path and last_doc. */
    pthread_mutex_t apply_mu;
    config_live_t *live;                 /* NULL: documents only kept in last_doc */
    char doc_path[CONFIG_PATH_LEN + 32]; /* "" = not persisted */
    char save_dir[CONFIG_PATH_LEN + 32]; /* doc_path's directory */
    char *last_doc;                      /* the latest valid document's text */
    bool doc_saved;                      /* last_doc is in doc_path */
    _Atomic uint64_t hub_gen;            /* its generation; 0 = none yet */
    atomic_int doc_refused;              /* documents refused since creation */
} branch_lan_t;

static void *worker_main(void *arg);
static void job_body_free(job_t *j);
static void *stream_main(void *arg);
static void *import_main(void *arg);

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_id(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- mailbox -------------------------------------------------------------- */

static void deliver(branch_lan_t *bl, uint64_t tag, branch_result_t *r)
{
    mailbox_msg_t m;
    bool committed = r->rc == HK_OK && r->journal_seq > 0 && r->op != BRANCH_OP_SNAPSHOT &&
                     r->op != BRANCH_OP_EVENTS && r->op != BRANCH_OP_VISITS &&
                     r->op != BRANCH_OP_RATING_LOOKUP && r->op != BRANCH_OP_LOGIN &&
                     r->op != BRANCH_OP_LOGOUT;
    int64_t seq = r->journal_seq;

    memset(&m, 0, sizeof(m));
    m.kind = MAILBOX_BRANCH_DONE;
    m.tag = tag;
    m.rc = r->rc;
    m.payload = r;
    m.payload_free = branch_result_free;
    if(mailbox_post(bl->mb, &m) != HK_OK) {
        hk_log_error(LOG_MOD, "%s result (%s, ticket %s) not delivered: mailbox full",
                     branch_op_str(r->op), hk_err_str(r->rc),
                     r->has_ticket ? r->ticket.number : "-");
        branch_result_free(r);
    }
    /* with the stream up, its own notice follows once the event is in the
     * ring (so BRANCH_OP_EVENTS after a notice finds it); without it, this
     * one at least wakes the screens. A refused notice is counted by the
     * mailbox; the next one carries a newer seq. */
    if(committed && !atomic_load(&bl->stream_up))
        (void)mailbox_post_simple(bl->mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, seq);
}

/* ---- hub state ------------------------------------------------------------ */

static void mark_down(branch_lan_t *bl)
{
    pthread_mutex_lock(&bl->mu);
    if(!bl->down)
        hk_log_warn(LOG_MOD, "hub %s unreachable", bl->url);
    bl->down = true;
    bl->down_ms = now_ms();
    pthread_mutex_unlock(&bl->mu);
}

static void mark_up(branch_lan_t *bl)
{
    pthread_mutex_lock(&bl->mu);
    if(bl->down) {
        hk_log_info(LOG_MOD, "hub %s answers again", bl->url);
        bl->import_kick = true;
        pthread_cond_signal(&bl->imp_cv);
    }
    bl->down = false;
    pthread_mutex_unlock(&bl->mu);
}

static bool known_down(branch_lan_t *bl)
{
    bool d;

    pthread_mutex_lock(&bl->mu);
    d = bl->down && now_ms() - bl->down_ms < DOWN_HOLD_MS;
    pthread_mutex_unlock(&bl->mu);
    return d;
}

/* The token for a request: the staff session, else the device token. */
static void pick_token(branch_lan_t *bl, char *dst, size_t cap)
{
    pthread_mutex_lock(&bl->mu);
    snprintf(dst, cap, "%s", bl->session[0] ? bl->session : bl->cfg.device.token);
    pthread_mutex_unlock(&bl->mu);
}

/* ---- requests (worker thread) -------------------------------------------- */

static hk_err_t relogin(branch_lan_t *bl);

/*
 * One request for op; decodes a success into r. Returns the op's rc.
 * retry_401: log in again with the kept PIN on a 401 and retry once.
 */
static hk_err_t request(branch_lan_t *bl, lan_client_t *cl, branch_op_t op, const char *method,
                        const char *path, const char *body, bool retry_401, branch_result_t *r)
{
    char token[SESSION_LEN];
    lan_resp_t resp;
    hk_err_t rc;

    if(op == BRANCH_OP_LOGIN)
        token[0] = '\0';
    else
        pick_token(bl, token, sizeof(token));
    rc = lan_client_request(cl, method, path, token, body, &resp);
    if(rc == HK_ERR_NET) {
        mark_down(bl);
        return rc;
    }
    if(rc != HK_OK)
        return rc;
    mark_up(bl);
    if(resp.status == 401 && retry_401 && relogin(bl) == HK_OK) {
        lan_resp_free(&resp);
        return request(bl, cl, op, method, path, body, false, r);
    }
    rc = lan_decode_status(resp.status, resp.code);
    if(rc != HK_OK)
        hk_log_info(LOG_MOD, "%s %s: %d %s %s", method, path, resp.status, resp.code, resp.message);
    if(rc == HK_OK)
        rc = lan_decode_result(op, resp.body, resp.len, r);
    if(rc == HK_OK && op == BRANCH_OP_LOGIN) {
        char session[SESSION_LEN];
        rc = lan_decode_session(resp.body, resp.len, session, sizeof(session));
        if(rc == HK_OK) {
            pthread_mutex_lock(&bl->mu);
            memcpy(bl->session, session, sizeof(session));
            pthread_mutex_unlock(&bl->mu);
        }
    }
    lan_resp_free(&resp);
    return rc;
}

static char *login_body(const char *staff_id, const char *pin)
{
    cJSON *o;
    char *s = NULL;

    hk_json_init();
    o = cJSON_CreateObject();
    if(o && cJSON_AddStringToObject(o, "staff_id", staff_id) &&
       cJSON_AddStringToObject(o, "pin", pin))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* The hub forgot the session (restart, expiry): log in again with the PIN
 * kept since login, if any. */
static hk_err_t relogin(branch_lan_t *bl)
{
    char staff[RATING_STAFF_ID_LEN], pin[PIN_LEN], *body;
    branch_result_t r;
    hk_err_t rc;

    pthread_mutex_lock(&bl->mu);
    memcpy(staff, bl->staff_id, sizeof(staff));
    memcpy(pin, bl->pin, sizeof(pin));
    bl->session[0] = '\0';
    pthread_mutex_unlock(&bl->mu);
    if(!staff[0] || !pin[0])
        return HK_ERR_INVALID;
    body = login_body(staff, pin);
    memset(pin, 0, sizeof(pin));
    if(!body)
        return HK_ERR_NOMEM;
    memset(&r, 0, sizeof(r));
    rc = request(bl, bl->http, BRANCH_OP_LOGIN, "POST", "/api/v1/sessions", body, false, &r);
    memset(body, 0, strlen(body));
    hk_free(body);
    hk_log_info(LOG_MOD, "session renewed for %s: %s", staff, hk_err_str(rc));
    return rc;
}

static char *json_obj1(const char *key, const char *sval, bool is_bool, bool bval, int64_t nval,
                       bool is_num)
{
    cJSON *o;
    char *s = NULL;
    bool ok;

    hk_json_init();
    o = cJSON_CreateObject();
    if(is_bool)
        ok = o && cJSON_AddBoolToObject(o, key, bval);
    else if(is_num)
        ok = o && cJSON_AddNumberToObject(o, key, (double)nval);
    else
        ok = o && cJSON_AddStringToObject(o, key, sval);
    if(ok)
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* This device's id and token, as the config has them now. */
static void device_creds(branch_lan_t *bl, char id[CONFIG_ID_LEN], char token[CONFIG_TOKEN_LEN])
{
    pthread_mutex_lock(&bl->mu);
    memcpy(id, bl->cfg.device.id, CONFIG_ID_LEN);
    memcpy(token, bl->cfg.device.token, CONFIG_TOKEN_LEN);
    pthread_mutex_unlock(&bl->mu);
}

static char *import_body(branch_lan_t *bl, const ticket_t *t)
{
    char dev[CONFIG_ID_LEN], token[CONFIG_TOKEN_LEN];
    cJSON *o;
    char *s = NULL;

    device_creds(bl, dev, token);
    hk_json_init();
    o = cJSON_CreateObject();
    if(o && cJSON_AddStringToObject(o, "service", t->service_id) &&
       cJSON_AddStringToObject(o, "number", t->number) &&
       cJSON_AddStringToObject(o, "day", t->day) &&
       cJSON_AddNumberToObject(o, "issued_ms", (double)t->issued_ms) &&
       cJSON_AddStringToObject(o, "device", t->device_id[0] ? t->device_id : dev))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* take_number from the block (the hub is down or silent). */
static hk_err_t issue_offline(branch_lan_t *bl, const char *service_id, branch_result_t *r)
{
    int64_t now = now_ms();
    char day[11], prefix = 0;
    hk_err_t rc = HK_OK;
    int n = 0, idx;

    pthread_mutex_lock(&bl->mu); /* branch_lan_set_config may swap it */
    idx = config_service_index(&bl->cfg, service_id);
    if(idx < 0)
        rc = HK_ERR_NOT_FOUND;
    else if(!config_service_open_at(&bl->cfg, idx, now, NULL))
        rc = HK_ERR_BUSY;
    else
        prefix = bl->cfg.services[idx].prefix;
    config_local_time(&bl->cfg, now, day, NULL, NULL);
    pthread_mutex_unlock(&bl->mu);
    if(rc != HK_OK)
        return rc;
    rc = offline_block_issue(bl->block, day, prefix, service_id, now, &r->ticket);
    if(rc != HK_OK)
        return rc;
    r->has_ticket = true;
    if(offline_block_pending_count(bl->block, &n) == HK_OK)
        atomic_store(&bl->pending, n);
    pthread_mutex_lock(&bl->mu);
    pthread_cond_signal(&bl->imp_cv); /* it tries when the hub is back */
    pthread_mutex_unlock(&bl->mu);
    return HK_OK;
}

static hk_err_t do_take_number(branch_lan_t *bl, const job_t *j, branch_result_t *r)
{
    char *body;
    hk_err_t rc;

    if(bl->block && known_down(bl))
        return issue_offline(bl, j->a, r);
    body = json_obj1("service", j->a, false, false, 0, false);
    if(!body)
        return HK_ERR_NOMEM;
    rc = request(bl, bl->http, BRANCH_OP_TAKE_NUMBER, "POST", "/api/v1/tickets", body, true, r);
    hk_free(body);
    if(rc == HK_ERR_NET && bl->block) {
        memset(r, 0, sizeof(*r));
        r->op = BRANCH_OP_TAKE_NUMBER;
        rc = issue_offline(bl, j->a, r);
    }
    return rc;
}

static hk_err_t do_snapshot(branch_lan_t *bl, branch_result_t *r)
{
    hk_err_t rc = known_down(bl) ? HK_ERR_NET
                                 : request(bl, bl->http, BRANCH_OP_SNAPSHOT, "GET",
                                           "/api/v1/snapshot", NULL, true, r);

    if(rc == HK_ERR_NET) {
        pthread_mutex_lock(&bl->mu);
        if(bl->has_snap)
            r->snapshot = bl->snap; /* the last one the stream brought; rc says it is old */
        pthread_mutex_unlock(&bl->mu);
    }
    if(rc == HK_OK)
        r->journal_seq = r->snapshot.journal_seq;
    return rc;
}

static hk_err_t do_login(branch_lan_t *bl, const job_t *j, branch_result_t *r)
{
    char *body = login_body(j->b, j->pin);
    hk_err_t rc;

    if(!body)
        return HK_ERR_NOMEM;
    rc = request(bl, bl->http, BRANCH_OP_LOGIN, "POST", "/api/v1/sessions", body, false, r);
    memset(body, 0, strlen(body));
    hk_free(body);
    if(rc == HK_OK) {
        pthread_mutex_lock(&bl->mu);
        copy_id(bl->staff_id, sizeof(bl->staff_id), j->b);
        memcpy(bl->pin, j->pin, sizeof(bl->pin));
        pthread_mutex_unlock(&bl->mu);
    }
    return rc;
}

static hk_err_t do_logout(branch_lan_t *bl, branch_result_t *r)
{
    bool had;
    hk_err_t rc = HK_OK;

    pthread_mutex_lock(&bl->mu);
    had = bl->session[0] != '\0';
    pthread_mutex_unlock(&bl->mu);
    if(had && !known_down(bl))
        rc = request(bl, bl->http, BRANCH_OP_LOGOUT, "DELETE", "/api/v1/sessions/current", NULL,
                     false, r);
    pthread_mutex_lock(&bl->mu);
    memset(bl->session, 0, sizeof(bl->session));
    memset(bl->pin, 0, sizeof(bl->pin));
    bl->staff_id[0] = '\0';
    pthread_mutex_unlock(&bl->mu);
    /* the session is gone here whatever the hub said (it expires there) */
    return rc == HK_ERR_NET || rc == HK_ERR_INVALID ? HK_OK : rc;
}

static void query_path(char *dst, size_t cap, const char *base, const char *k1, const char *v1,
                       const char *k2, const char *v2)
{
    char e1[96] = "", e2[96] = "";
    int n;

    n = snprintf(dst, cap, "%s", base);
    if(v1 && v1[0] && lan_client_escape(v1, e1, sizeof(e1)))
        n += snprintf(dst + n, cap - (size_t)n, "?%s=%s", k1, e1);
    if(k2 && v2 && v2[0] && lan_client_escape(v2, e2, sizeof(e2)))
        (void)snprintf(dst + n, cap - (size_t)n, "%s%s=%s", strchr(dst, '?') ? "&" : "?", k2, e2);
}

static hk_err_t run_job(branch_lan_t *bl, const job_t *j, branch_result_t *r)
{
    static const char *const st_names[] = { "close", "open", "pause" };
    char path[256], *body = NULL;
    const char *method = "POST";
    hk_err_t rc;

    switch(j->op) {
    case BRANCH_OP_TAKE_NUMBER: return do_take_number(bl, j, r);
    case BRANCH_OP_SNAPSHOT: return do_snapshot(bl, r);
    case BRANCH_OP_LOGIN: return known_down(bl) ? HK_ERR_NET : do_login(bl, j, r);
    case BRANCH_OP_LOGOUT: return do_logout(bl, r);
    case BRANCH_OP_EXPIRE_RATINGS: r->expired = 0; return HK_OK; /* the hub's own sweep */
    case BRANCH_OP_CALL_NEXT:
        snprintf(path, sizeof(path), "/api/v1/counters/%s/call-next", j->a);
        break;
    case BRANCH_OP_CALL_TICKET:
        snprintf(path, sizeof(path), "/api/v1/counters/%s/call", j->a);
        body = json_obj1("ticket_id", NULL, false, false, j->id, true);
        break;
    case BRANCH_OP_RECALL:
    case BRANCH_OP_START:
    case BRANCH_OP_FINISH:
        snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s", (long long)j->id,
                 j->op == BRANCH_OP_RECALL  ? "recall"
                 : j->op == BRANCH_OP_START ? "start"
                                            : "finish");
        break;
    case BRANCH_OP_NO_SHOW:
        snprintf(path, sizeof(path), "/api/v1/tickets/%lld/no-show", (long long)j->id);
        body = json_obj1("put_back", NULL, true, j->flag, 0, false);
        break;
    case BRANCH_OP_TRANSFER:
        snprintf(path, sizeof(path), "/api/v1/tickets/%lld/transfer", (long long)j->id);
        body = json_obj1("service", j->a, false, false, 0, false);
        break;
    case BRANCH_OP_SET_COUNTER:
        if((int)j->st < 0 || j->st > BRANCH_COUNTER_PAUSED)
            return HK_ERR_INVALID;
        snprintf(path, sizeof(path), "/api/v1/counters/%s/%s", j->a, st_names[j->st]);
        break;
    case BRANCH_OP_RATE:
        snprintf(path, sizeof(path), "/api/v1/tickets/%lld/rating", (long long)j->id);
        body = lan_decode_vote_body(&j->vote, NULL, NULL);
        break;
    case BRANCH_OP_RATE_NUMBER:
        snprintf(path, sizeof(path), "/api/v1/ratings");
        body = lan_decode_vote_body(&j->vote, j->b, j->a);
        break;
    case BRANCH_OP_RATING_LOOKUP:
        method = "GET";
        query_path(path, sizeof(path), "/api/v1/ratings/lookup", "number", j->b, "day", j->a);
        break;
    case BRANCH_OP_VISITS:
        method = "GET";
        query_path(path, sizeof(path), "/api/v1/visits", "day", j->a, NULL, NULL);
        break;
    case BRANCH_OP_IMPORT_TICKET:
        snprintf(path, sizeof(path), "/api/v1/tickets/import");
        body = import_body(bl, &j->ticket);
        break;
    /* self-help (issue 8): the body was built by the op */
    case BRANCH_OP_FAQ_FEEDBACK:
    case BRANCH_OP_TRIAGE_CHOICE:
    case BRANCH_OP_SUBMIT_ISSUE:
    case BRANCH_OP_ENGINEER_PIN_FAILED:
        if(!j->body)
            return HK_ERR_NOMEM;
        return known_down(bl)
                   ? HK_ERR_NET
                   : request(bl, bl->http, j->op, "POST",
                             j->op == BRANCH_OP_FAQ_FEEDBACK    ? "/api/v1/faq/feedback"
                             : j->op == BRANCH_OP_TRIAGE_CHOICE ? "/api/v1/triage/choices"
                             : j->op == BRANCH_OP_SUBMIT_ISSUE  ? "/api/v1/submissions"
                                                                : "/api/v1/engineer/pin-failures",
                             j->body, true, r);
    default: return HK_ERR_INVALID;
    }
    if(!strcmp(method, "POST") && !body &&
       (j->op == BRANCH_OP_CALL_TICKET || j->op == BRANCH_OP_NO_SHOW ||
        j->op == BRANCH_OP_TRANSFER || j->op == BRANCH_OP_RATE || j->op == BRANCH_OP_RATE_NUMBER ||
        j->op == BRANCH_OP_IMPORT_TICKET))
        return HK_ERR_NOMEM;
    rc = known_down(bl) ? HK_ERR_NET : request(bl, bl->http, j->op, method, path, body, true, r);
    hk_free(body);
    return rc;
}

/* Hand pending block tickets to the hub, oldest first. false: try later. */
static bool import_pending(branch_lan_t *bl)
{
    ticket_t batch[IMPORT_BATCH];
    int n = 0, i, left = 0;
    bool ok = true;

    if(offline_block_pending(bl->imp_block, batch, IMPORT_BATCH, &n) != HK_OK)
        return false;
    for(i = 0; i < n && ok; i++) {
        char *body = import_body(bl, &batch[i]), dev[CONFIG_ID_LEN], token[CONFIG_TOKEN_LEN];
        lan_resp_t resp;
        hk_err_t rc;
        if(!body)
            return false;
        device_creds(bl, dev, token);
        rc = lan_client_request(bl->imp, "POST", "/api/v1/tickets/import", token, body, &resp);
        hk_free(body);
        if(rc != HK_OK) {
            if(rc == HK_ERR_NET)
                mark_down(bl);
            return false;
        }
        mark_up(bl);
        if(resp.status == 200 || resp.status == 201) {
            (void)offline_block_mark(bl->imp_block, batch[i].day, batch[i].number, true);
            hk_log_info(LOG_MOD, "block ticket %s (%s) handed to the hub", batch[i].number,
                        batch[i].day);
        } else if(resp.status == 409 || resp.status == 400) {
            (void)offline_block_mark(bl->imp_block, batch[i].day, batch[i].number, false);
            hk_log_error(LOG_MOD, "the hub refused block ticket %s (%s): %d %s %s", batch[i].number,
                         batch[i].day, resp.status, resp.code, resp.message);
        } else {
            hk_log_warn(LOG_MOD, "import of %s: %d %s %s; again later", batch[i].number,
                        resp.status, resp.code, resp.message);
            ok = false;
        }
        lan_resp_free(&resp);
    }
    if(offline_block_pending_count(bl->imp_block, &left) == HK_OK)
        atomic_store(&bl->pending, left);
    return ok;
}

static void *worker_main(void *arg)
{
    branch_lan_t *bl = arg;

    pthread_mutex_lock(&bl->mu);
    while(!atomic_load(&bl->stop)) {
        job_t *j = bl->head;
        branch_result_t *r;
        if(!j) {
            pthread_cond_wait(&bl->cv, &bl->mu);
            continue;
        }
        bl->head = j->next;
        if(!bl->head)
            bl->tail = NULL;
        pthread_mutex_unlock(&bl->mu);
        r = hk_calloc(1, sizeof(*r));
        if(r) {
            r->rc = run_job(bl, j, r);
            r->op = j->op;
            deliver(bl, j->tag, r);
        } else {
            hk_log_error(LOG_MOD, "%s: out of memory, no result", branch_op_str(j->op));
        }
        memset(j->pin, 0, sizeof(j->pin));
        job_body_free(j);
        hk_free(j);
        pthread_mutex_lock(&bl->mu);
    }
    pthread_mutex_unlock(&bl->mu);
    return NULL;
}

static void *import_main(void *arg)
{
    branch_lan_t *bl = arg;
    int64_t next_try = 0;

    pthread_mutex_lock(&bl->mu);
    while(!atomic_load(&bl->stop)) {
        struct timespec ts;
        int64_t wait;
        if(atomic_load(&bl->pending) <= 0) {
            pthread_cond_wait(&bl->imp_cv, &bl->mu);
            continue;
        }
        if(bl->import_kick || now_ms() >= next_try) {
            bool ok;
            bl->import_kick = false;
            pthread_mutex_unlock(&bl->mu);
            ok = import_pending(bl);
            next_try = now_ms() + (ok ? 0 : BRANCH_LAN_IMPORT_RETRY_MS);
            pthread_mutex_lock(&bl->mu);
            continue;
        }
        wait = next_try - now_ms();
        wait = wait < 10 ? 10 : wait;
        clock_gettime(CLOCK_REALTIME, &ts);
        hk_time_add_ms(&ts, wait);
        (void)pthread_cond_timedwait(&bl->imp_cv, &bl->mu, &ts); /* a timeout is the retry */
    }
    pthread_mutex_unlock(&bl->mu);
    return NULL;
}

/* ---- the stream ------------------------------------------------------------ */

static void stream_token(void *user, char *dst, size_t cap)
{
    branch_lan_t *bl = user;

    pthread_mutex_lock(&bl->mu);
    snprintf(dst, cap, "%s", bl->cfg.device.token[0] ? bl->cfg.device.token : bl->session);
    pthread_mutex_unlock(&bl->mu);
}

static void stream_state(void *user, bool connected)
{
    branch_lan_t *bl = user;

    atomic_store(&bl->stream_up, connected);
    /* the screens hear of each change, and of the first failed connect
     * (a board started while its hub is away says so at once); a refused
     * post leaves link_told as it was, so the next attempt tries again */
    if(atomic_load(&bl->link_told) != (int)connected &&
       mailbox_post_simple(bl->mb, MAILBOX_LINK_CHANGED, 0, HK_OK, connected ? 1 : 0) == HK_OK)
        atomic_store(&bl->link_told, (int)connected);
    if(connected) {
        mark_up(bl);
        pthread_mutex_lock(&bl->mu);
        bl->import_kick = true;
        pthread_cond_signal(&bl->imp_cv);
        pthread_mutex_unlock(&bl->mu);
    }
}

static void ring_clear(branch_lan_t *bl)
{
    int i;

    for(i = 0; i < bl->ring_n; i++) {
        journal_event_t *e = &bl->ring[(bl->ring_start + i) % BRANCH_LAN_RING];
        hk_free(e->body);
        e->body = NULL;
    }
    bl->ring_start = 0;
    bl->ring_n = 0;
}

/* ---- the branch document (stream thread, or follow_config's caller) ------ */

/*
 * Validate a branch document whole and, with a live config to follow, put
 * the device's merge of it in force (config_live; the role's screens get a
 * MAILBOX_CONFIG_CHANGED) and keep its text on disk (save). A refused one
 * is logged with its reason; the config in force stays. Under apply_mu.
 */
static hk_err_t apply_doc_locked(branch_lan_t *bl, const char *text, size_t len, bool save,
                                 const char *from)
{
    lan_branch_doc_t *doc = hk_malloc(sizeof(*doc));
    config_t *next = hk_malloc(sizeof(*next));
    const config_t *cur = NULL;
    uint64_t dev_gen = 0;
    bool same = false;
    hk_diag_t d;
    hk_err_t rc = doc && next ? HK_OK : HK_ERR_NOMEM;

    hk_diag_clear(&d);
    if(rc == HK_OK)
        rc = lan_decode_branch(text, len, doc, &d);
    if(rc == HK_OK && bl->live) {
        cur = config_live_acquire(bl->live, NULL);
        rc = lan_decode_branch_merge(doc, cur, next, &d);
        /* a reconnect brings the same document again: no new generation,
         * no re-layout (a false "differs" would only cost one) */
        same = rc == HK_OK && memcmp(next, cur, sizeof(*next)) == 0;
        config_live_release(bl->live, cur);
    }
    if(rc != HK_OK) {
        atomic_fetch_add(&bl->doc_refused, 1);
        hk_log_error(LOG_MOD, "branch document from %s refused: %s; the config in force stays",
                     from, d.msg[0] ? d.msg : hk_err_str(rc));
        goto out;
    }
    if(!bl->last_doc || strcmp(bl->last_doc, text) != 0) {
        char *copy = hk_strdup(text);
        if(copy) {
            hk_free(bl->last_doc);
            bl->last_doc = copy;
        }
        bl->doc_saved = false;
    }
    /* on disk first, so what is in force is always what a restart finds */
    if(save && bl->live && bl->doc_path[0] && !bl->doc_saved) {
        bl->doc_saved = paths_mkdir_p(bl->save_dir) == HK_OK &&
                        hk_file_write_atomic(bl->save_dir, bl->doc_path, text, len) == HK_OK;
        if(!bl->doc_saved)
            hk_log_warn(LOG_MOD, "cannot save %s: applied, but not kept", bl->doc_path);
    }
    if(bl->live && !same) {
        rc = config_live_replace(bl->live, next);
        if(rc != HK_OK) {
            hk_log_error(LOG_MOD, "branch document from %s not applied: out of memory", from);
            goto out;
        }
        dev_gen = config_live_generation(bl->live);
        pthread_mutex_lock(&bl->mu);
        bl->cfg = *next; /* services and hours for the offline block */
        pthread_mutex_unlock(&bl->mu);
        hk_log_info(LOG_MOD,
                    "branch document generation %llu from %s in force (config generation %llu: "
                    "%d services, %d counters, %d staff)",
                    (unsigned long long)doc->generation, from, (unsigned long long)dev_gen,
                    next->n_services, next->n_counters, next->n_staff);
        (void)mailbox_post_simple(bl->mb, MAILBOX_CONFIG_CHANGED, 0, HK_OK, (int64_t)dev_gen);
    }
    atomic_store(&bl->hub_gen, doc->generation);
out:
    hk_free(next);
    hk_free(doc);
    return rc;
}

static void on_branch_event(branch_lan_t *bl, const lan_sse_event_t *ev)
{
    char *text = hk_malloc(ev->data_len + 1);

    if(!text)
        return;
    memcpy(text, ev->data, ev->data_len);
    text[ev->data_len] = '\0'; /* the data may hold no NUL: strcmp needs one */
    pthread_mutex_lock(&bl->apply_mu);
    (void)apply_doc_locked(bl, text, ev->data_len, true, "the hub");
    pthread_mutex_unlock(&bl->apply_mu);
    hk_free(text);
}

static bool on_event(const lan_sse_event_t *ev, void *user)
{
    branch_lan_t *bl = user;
    int64_t seq = 0;

    mark_up(bl); /* the hub speaks */
    if(!strcmp(ev->event, "branch")) {
        on_branch_event(bl, ev);
        return true;
    }

    if(!strcmp(ev->event, "snapshot")) {
        branch_snapshot_t *snap = hk_malloc(sizeof(*snap));
        cJSON *root = NULL;
        if(!snap)
            return true;
        if(lan_decode_parse(ev->data, ev->data_len, &root) == HK_OK &&
           lan_decode_snapshot(root, snap) == HK_OK) {
            pthread_mutex_lock(&bl->mu);
            bl->snap = *snap;
            bl->has_snap = true;
            seq = snap->journal_seq;
            if(bl->ring_n &&
               bl->ring[(bl->ring_start + bl->ring_n - 1) % BRANCH_LAN_RING].seq > seq)
                ring_clear(bl); /* another journal (a new hub store): start over */
            pthread_mutex_unlock(&bl->mu);
        } else {
            hk_log_warn(LOG_MOD, "unreadable snapshot event ignored");
        }
        cJSON_Delete(root);
        hk_free(snap);
    } else {
        journal_event_t je;
        if(lan_decode_event(ev->data, ev->data_len, &je) != HK_OK) {
            hk_log_warn(LOG_MOD, "unreadable %s event ignored", ev->event);
            return true;
        }
        seq = je.seq;
        pthread_mutex_lock(&bl->mu);
        if(bl->ring_n && bl->ring[(bl->ring_start + bl->ring_n - 1) % BRANCH_LAN_RING].seq >= seq) {
            hk_free(je.body); /* seen already */
            seq = 0;
        } else {
            if(bl->ring_n == BRANCH_LAN_RING) {
                hk_free(bl->ring[bl->ring_start].body);
                bl->ring_start = (bl->ring_start + 1) % BRANCH_LAN_RING;
                bl->ring_n--;
            }
            bl->ring[(bl->ring_start + bl->ring_n) % BRANCH_LAN_RING] = je;
            bl->ring_n++;
        }
        pthread_mutex_unlock(&bl->mu);
    }
    if(seq > 0)
        (void)mailbox_post_simple(bl->mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, seq);
    return true;
}

static void *stream_main(void *arg)
{
    branch_lan_t *bl = arg;
    char last[32] = "";

    (void)lan_client_sse_run(bl->sse, "/api/v1/events", stream_token, on_event, stream_state, bl,
                             &bl->stop, last);
    atomic_store(&bl->stream_up, false);
    return NULL;
}

/* ---- ops ------------------------------------------------------------------- */

static job_t *job_new(branch_op_t op, uint64_t tag)
{
    job_t *j = hk_calloc(1, sizeof(*j));

    if(j) {
        j->op = op;
        j->tag = tag;
    }
    return j;
}

static hk_err_t submit(branch_lan_t *bl, job_t *j)
{
    if(!j)
        return HK_ERR_NOMEM;
    pthread_mutex_lock(&bl->mu);
    if(bl->tail)
        bl->tail->next = j;
    else
        bl->head = j;
    bl->tail = j;
    pthread_cond_signal(&bl->cv);
    pthread_mutex_unlock(&bl->mu);
    return HK_OK;
}

/* An id argument that must fit (a longer one cannot name anything). */
static bool fits(const char *s, size_t cap)
{
    return s && strlen(s) < cap;
}

static hk_err_t op_take_number(void *impl, uint64_t tag, const char *service_id)
{
    job_t *j;

    if(!fits(service_id, CONFIG_ID_LEN))
        return HK_ERR_INVALID;
    j = job_new(BRANCH_OP_TAKE_NUMBER, tag);
    if(j)
        copy_id(j->a, sizeof(j->a), service_id);
    return submit(impl, j);
}

static hk_err_t op_snapshot(void *impl, uint64_t tag)
{
    return submit(impl, job_new(BRANCH_OP_SNAPSHOT, tag));
}

static hk_err_t counter_job(void *impl, branch_op_t op, uint64_t tag, const char *counter_id,
                            int64_t id)
{
    job_t *j;

    if(!fits(counter_id, CONFIG_ID_LEN))
        return HK_ERR_INVALID;
    j = job_new(op, tag);
    if(j) {
        copy_id(j->a, sizeof(j->a), counter_id);
        j->id = id;
    }
    return submit(impl, j);
}

static hk_err_t op_call_next(void *impl, uint64_t tag, const char *counter_id)
{
    return counter_job(impl, BRANCH_OP_CALL_NEXT, tag, counter_id, 0);
}

static hk_err_t op_call_ticket(void *impl, uint64_t tag, const char *counter_id, int64_t ticket_id)
{
    return counter_job(impl, BRANCH_OP_CALL_TICKET, tag, counter_id, ticket_id);
}

static hk_err_t ticket_job(void *impl, branch_op_t op, uint64_t tag, int64_t id, bool flag,
                           const char *service)
{
    job_t *j;

    if(service && !fits(service, CONFIG_ID_LEN))
        return HK_ERR_INVALID;
    j = job_new(op, tag);
    if(j) {
        j->id = id;
        j->flag = flag;
        copy_id(j->a, sizeof(j->a), service);
    }
    return submit(impl, j);
}

static hk_err_t op_recall(void *impl, uint64_t tag, int64_t ticket_id)
{
    return ticket_job(impl, BRANCH_OP_RECALL, tag, ticket_id, false, NULL);
}

static hk_err_t op_no_show(void *impl, uint64_t tag, int64_t ticket_id, bool put_back)
{
    return ticket_job(impl, BRANCH_OP_NO_SHOW, tag, ticket_id, put_back, NULL);
}

static hk_err_t op_transfer(void *impl, uint64_t tag, int64_t ticket_id, const char *to_service)
{
    if(!to_service)
        return HK_ERR_INVALID;
    return ticket_job(impl, BRANCH_OP_TRANSFER, tag, ticket_id, false, to_service);
}

static hk_err_t op_start(void *impl, uint64_t tag, int64_t ticket_id)
{
    return ticket_job(impl, BRANCH_OP_START, tag, ticket_id, false, NULL);
}

static hk_err_t op_finish(void *impl, uint64_t tag, int64_t ticket_id)
{
    return ticket_job(impl, BRANCH_OP_FINISH, tag, ticket_id, false, NULL);
}

static hk_err_t op_set_counter(void *impl, uint64_t tag, const char *counter_id,
                               branch_counter_state_t st, const char *staff_id)
{
    job_t *j;

    /* staff_id: the hub takes the staff member from the session that
     * opens the counter (login first) */
    (void)staff_id;
    if(!fits(counter_id, CONFIG_ID_LEN))
        return HK_ERR_INVALID;
    j = job_new(BRANCH_OP_SET_COUNTER, tag);
    if(j) {
        copy_id(j->a, sizeof(j->a), counter_id);
        j->st = st;
    }
    return submit(impl, j);
}

static hk_err_t op_rate(void *impl, uint64_t tag, int64_t ticket_id, const rating_vote_t *vote,
                        rating_source_t source)
{
    job_t *j;

    (void)source; /* POST /tickets/{id}/rating is the counter's source */
    if(!vote)
        return HK_ERR_INVALID;
    j = job_new(BRANCH_OP_RATE, tag);
    if(j) {
        j->id = ticket_id;
        j->vote = *vote;
    }
    return submit(impl, j);
}

static hk_err_t number_job(void *impl, branch_op_t op, uint64_t tag, const char *day,
                           const char *number, const rating_vote_t *vote)
{
    job_t *j;

    if(!fits(number, 8) || (day && !fits(day, 11)))
        return HK_ERR_INVALID;
    j = job_new(op, tag);
    if(j) {
        copy_id(j->a, sizeof(j->a), day);
        copy_id(j->b, sizeof(j->b), number);
        if(vote)
            j->vote = *vote;
    }
    return submit(impl, j);
}

static hk_err_t op_rate_number(void *impl, uint64_t tag, const char *day, const char *number,
                               const rating_vote_t *vote)
{
    if(!vote)
        return HK_ERR_INVALID;
    return number_job(impl, BRANCH_OP_RATE_NUMBER, tag, day, number, vote);
}

static hk_err_t op_rating_lookup(void *impl, uint64_t tag, const char *day, const char *number)
{
    return number_job(impl, BRANCH_OP_RATING_LOOKUP, tag, day, number, NULL);
}

static hk_err_t op_expire_ratings(void *impl, uint64_t tag)
{
    return submit(impl, job_new(BRANCH_OP_EXPIRE_RATINGS, tag));
}

static hk_err_t op_login(void *impl, uint64_t tag, const char *staff_id, const char *pin)
{
    job_t *j;

    if(!fits(staff_id, RATING_STAFF_ID_LEN) || !fits(pin, PIN_LEN))
        return HK_ERR_INVALID;
    j = job_new(BRANCH_OP_LOGIN, tag);
    if(j) {
        copy_id(j->b, sizeof(j->b), staff_id);
        copy_id(j->pin, sizeof(j->pin), pin);
    }
    return submit(impl, j);
}

static hk_err_t op_logout(void *impl, uint64_t tag)
{
    return submit(impl, job_new(BRANCH_OP_LOGOUT, tag));
}

/* Answered at once from the ring (memory only). */
static hk_err_t op_events(void *impl, uint64_t tag, int64_t after_seq)
{
    branch_lan_t *bl = impl;
    branch_result_t *r = hk_calloc(1, sizeof(*r));
    int i, n = 0, first = -1;

    if(!r)
        return HK_ERR_NOMEM;
    r->op = BRANCH_OP_EVENTS;
    pthread_mutex_lock(&bl->mu);
    for(i = 0; i < bl->ring_n; i++)
        if(bl->ring[(bl->ring_start + i) % BRANCH_LAN_RING].seq > after_seq) {
            first = i;
            break;
        }
    if(first >= 0) {
        n = bl->ring_n - first;
        n = n > BRANCH_EVENTS_MAX ? BRANCH_EVENTS_MAX : n;
        r->events = hk_calloc((size_t)n, sizeof(*r->events));
        for(i = 0; r->events && i < n; i++) {
            const journal_event_t *e = &bl->ring[(bl->ring_start + first + i) % BRANCH_LAN_RING];
            size_t len = strlen(e->body) + 1;
            r->events[i] = *e;
            r->events[i].body = hk_malloc(len);
            if(!r->events[i].body)
                break;
            memcpy(r->events[i].body, e->body, len);
            r->n_events = i + 1;
        }
        if(!r->events || r->n_events < n)
            r->rc = HK_ERR_NOMEM;
    }
    if(bl->ring_n)
        r->journal_seq = bl->ring[(bl->ring_start + bl->ring_n - 1) % BRANCH_LAN_RING].seq;
    else if(bl->has_snap)
        r->journal_seq = bl->snap.journal_seq;
    pthread_mutex_unlock(&bl->mu);
    deliver(bl, tag, r);
    return HK_OK;
}

static hk_err_t op_visits(void *impl, uint64_t tag, const char *day)
{
    job_t *j;

    if(day && !fits(day, 11))
        return HK_ERR_INVALID;
    j = job_new(BRANCH_OP_VISITS, tag);
    if(j)
        copy_id(j->a, sizeof(j->a), day);
    return submit(impl, j);
}

static hk_err_t op_import_ticket(void *impl, uint64_t tag, const ticket_t *t)
{
    job_t *j;

    if(!t)
        return HK_ERR_INVALID;
    j = job_new(BRANCH_OP_IMPORT_TICKET, tag);
    if(j)
        j->ticket = *t;
    return submit(impl, j);
}

/* ---- self-help (issue 8) ------------------------------------------------------ */

static void job_body_free(job_t *j)
{
    if(j->body) {
        memset(j->body, 0, strlen(j->body)); /* a submission's body holds the phone */
        hk_free(j->body);
        j->body = NULL;
    }
}

/* Queue op with its body (owned; NULL = out of memory). */
static hk_err_t body_job(void *impl, branch_op_t op, uint64_t tag, char *body)
{
    job_t *j;

    if(!body)
        return HK_ERR_NOMEM;
    j = job_new(op, tag);
    if(!j) {
        memset(body, 0, strlen(body));
        hk_free(body);
        return HK_ERR_NOMEM;
    }
    j->body = body;
    return submit(impl, j);
}

static hk_err_t op_faq_feedback(void *impl, uint64_t tag, const char *article_id, int version,
                                bool helpful, const char *lang)
{
    if(!submission_id_valid(article_id, false) || version < 1 || !submission_lang_valid(lang))
        return HK_ERR_INVALID;
    return body_job(impl, BRANCH_OP_FAQ_FEEDBACK, tag,
                    lan_decode_feedback_body(article_id, version, helpful, lang));
}

/* The hub journals it with the device of this kiosk's token. */
static hk_err_t op_engineer_pin_failed(void *impl, uint64_t tag, const char *device_id, int fails,
                                       int locks, int lock_s)
{
    (void)device_id;
    if(fails < 1 || locks < 0 || lock_s < 0)
        return HK_ERR_INVALID;
    return body_job(impl, BRANCH_OP_ENGINEER_PIN_FAILED, tag,
                    lan_decode_pin_failed_body(fails, locks, lock_s));
}

static hk_err_t op_triage_choice(void *impl, uint64_t tag, const char *need_id,
                                 const char *route_kind, const char *target)
{
    if(!submission_id_valid(need_id, false) || !submission_route_kind_valid(route_kind) ||
       !submission_id_valid(target ? target : "", true))
        return HK_ERR_INVALID;
    return body_job(impl, BRANCH_OP_TRIAGE_CHOICE, tag,
                    lan_decode_triage_body(need_id, route_kind, target ? target : ""));
}

static hk_err_t op_submit_issue(void *impl, uint64_t tag, const submission_t *s)
{
    if(!s || submission_check(s, NULL, NULL) != HK_OK)
        return HK_ERR_INVALID;
    return body_job(impl, BRANCH_OP_SUBMIT_ISSUE, tag, lan_decode_submission_body(s));
}

static void op_destroy(void *impl)
{
    branch_lan_t *bl = impl;
    job_t *j;

    if(!bl)
        return;
    atomic_store(&bl->stop, true);
    pthread_mutex_lock(&bl->mu);
    pthread_cond_broadcast(&bl->cv);
    pthread_cond_broadcast(&bl->imp_cv);
    pthread_mutex_unlock(&bl->mu);
    if(bl->worker_started)
        pthread_join(bl->worker, NULL);
    if(bl->importer_started)
        pthread_join(bl->importer, NULL);
    if(bl->stream_started)
        pthread_join(bl->stream, NULL);
    while((j = bl->head)) { /* not run: the caller is going away */
        bl->head = j->next;
        job_body_free(j);
        hk_free(j);
    }
    ring_clear(bl);
    offline_block_close(bl->block);
    offline_block_close(bl->imp_block);
    lan_client_destroy(bl->http);
    lan_client_destroy(bl->imp);
    lan_client_destroy(bl->sse);
    pthread_cond_destroy(&bl->imp_cv);
    pthread_cond_destroy(&bl->cv);
    pthread_mutex_destroy(&bl->mu);
    pthread_mutex_destroy(&bl->apply_mu);
    hk_free(bl->last_doc);
    memset(bl->pin, 0, sizeof(bl->pin));
    hk_free(bl);
}

static const branch_ops_t lan_ops = {
    .name = "lan",
    .take_number = op_take_number,
    .snapshot = op_snapshot,
    .call_next = op_call_next,
    .call_ticket = op_call_ticket,
    .recall = op_recall,
    .no_show = op_no_show,
    .transfer = op_transfer,
    .start = op_start,
    .finish = op_finish,
    .set_counter = op_set_counter,
    .rate = op_rate,
    .rate_number = op_rate_number,
    .rating_lookup = op_rating_lookup,
    .expire_ratings = op_expire_ratings,
    .login = op_login,
    .logout = op_logout,
    .events = op_events,
    .visits = op_visits,
    .import_ticket = op_import_ticket,
    .faq_feedback = op_faq_feedback,
    .triage_choice = op_triage_choice,
    .submit_issue = op_submit_issue,
    .engineer_pin_failed = op_engineer_pin_failed,
    .destroy = op_destroy,
};

static hk_err_t open_block(branch_lan_t *bl, const char *data_dir)
{
    int d = config_device_index(&bl->cfg, bl->cfg.device.id);
    char path[CONFIG_PATH_LEN + 32];
    hk_err_t rc;
    int n = 0;

    if(!data_dir || !data_dir[0] || d < 0 || bl->cfg.devices[d].block_from <= 0)
        return HK_OK; /* no block: take_number needs the hub */
    if(paths_mkdir_p(data_dir) != HK_OK ||
       paths_resolve(data_dir, OFFLINE_BLOCK_FILE, path, sizeof(path)) != HK_OK)
        return HK_ERR_IO;
    rc = offline_block_open(path, bl->cfg.device.id, bl->cfg.devices[d].block_from,
                            bl->cfg.devices[d].block_to, &bl->block);
    if(rc == HK_OK)
        rc = offline_block_open(path, bl->cfg.device.id, bl->cfg.devices[d].block_from,
                                bl->cfg.devices[d].block_to, &bl->imp_block);
    if(rc == HK_OK && offline_block_pending_count(bl->block, &n) == HK_OK)
        atomic_store(&bl->pending, n);
    return rc;
}

hk_err_t branch_lan_create(const config_t *cfg, const char *hub_url, const char *data_dir,
                           mailbox_t *mb, branch_t *out)
{
    lan_client_opts_t o;
    branch_lan_t *bl;
    hk_err_t rc;

    out->ops = NULL;
    out->impl = NULL;
    bl = hk_calloc(1, sizeof(*bl));
    if(!bl)
        return HK_ERR_NOMEM;
    bl->cfg = *cfg;
    bl->mb = mb;
    atomic_init(&bl->stop, false);
    atomic_init(&bl->stream_up, false);
    atomic_init(&bl->link_told, -1);
    atomic_init(&bl->pending, -1);
    atomic_init(&bl->hub_gen, 0);
    atomic_init(&bl->doc_refused, 0);
    pthread_mutex_init(&bl->mu, NULL);
    pthread_mutex_init(&bl->apply_mu, NULL);
    pthread_cond_init(&bl->cv, NULL);
    pthread_cond_init(&bl->imp_cv, NULL);
    snprintf(bl->url, sizeof(bl->url), "%s", hub_url && hub_url[0] ? hub_url : cfg->hub.url);
    memset(&o, 0, sizeof(o));
    o.base_url = bl->url;
    o.ca_file = cfg->hub.ca_file;
    o.abort = &bl->stop; /* destroy does not wait out a request's timeout */
    rc = lan_client_create(&o, &bl->sse);
    if(rc == HK_OK)
        rc = lan_client_create(&o, &bl->imp);
    if(rc == HK_OK)
        rc = open_block(bl, data_dir);
    if(bl->block) {
        /* a kiosk with a block never lets a silent hub hold its screen */
        o.connect_ms = BRANCH_LAN_OFFLINE_AFTER_MS;
        o.total_ms = BRANCH_LAN_OFFLINE_AFTER_MS;
    }
    if(rc == HK_OK)
        rc = lan_client_create(&o, &bl->http);
    if(rc == HK_OK) {
        bl->worker_started = pthread_create(&bl->worker, NULL, worker_main, bl) == 0;
        bl->stream_started =
            bl->worker_started && pthread_create(&bl->stream, NULL, stream_main, bl) == 0;
        bl->importer_started =
            bl->stream_started && pthread_create(&bl->importer, NULL, import_main, bl) == 0;
        if(!bl->importer_started)
            rc = HK_ERR_NOMEM;
    }
    if(rc != HK_OK) {
        hk_log_error(LOG_MOD, "LAN branch for %s: %s", bl->url, hk_err_str(rc));
        op_destroy(bl);
        return rc;
    }
    hk_log_info(LOG_MOD, "LAN branch: hub %s, device %s%s", bl->url,
                cfg->device.id[0] ? cfg->device.id : "-",
                bl->block ? " (offline block ready)" : "");
    out->ops = &lan_ops;
    out->impl = bl;
    return HK_OK;
}

void branch_lan_set_config(branch_t *b, const config_t *cfg)
{
    branch_lan_t *bl = b->impl;

    pthread_mutex_lock(&bl->mu);
    bl->cfg = *cfg;
    pthread_mutex_unlock(&bl->mu);
}

bool branch_lan_connected(const branch_t *b)
{
    const branch_lan_t *bl = b->impl;

    return atomic_load(&bl->stream_up);
}

int branch_lan_pending_imports(const branch_t *b)
{
    const branch_lan_t *bl = b->impl;

    return bl->block ? atomic_load(&bl->pending) : -1;
}

hk_err_t branch_lan_follow_config(branch_t *b, config_live_t *live, const char *data_dir)
{
    branch_lan_t *bl = b->impl;
    char *text = NULL;
    size_t len = 0;
    hk_err_t rc = HK_OK;

    if(!live)
        return HK_ERR_INVALID;
    pthread_mutex_lock(&bl->apply_mu);
    bl->live = live;
    bl->doc_path[0] = bl->save_dir[0] = '\0';
    if(data_dir && data_dir[0] &&
       paths_resolve(data_dir, BRANCH_LAN_DOC_FILE, bl->doc_path, sizeof(bl->doc_path)) == HK_OK)
        snprintf(bl->save_dir, sizeof(bl->save_dir), "%s", data_dir);
    else
        bl->doc_path[0] = '\0';
    if(bl->last_doc) {
        /* the stream was quicker than this call: its document is the newest */
        text = hk_strdup(bl->last_doc);
        rc = text ? apply_doc_locked(bl, text, strlen(text), true, "the hub") : HK_ERR_NOMEM;
    } else if(bl->doc_path[0] &&
              hk_file_read(bl->doc_path, LAN_DECODE_BRANCH_MAX, &text, &len) == HK_OK) {
        /* the hub may be down: the last good document until it answers */
        rc = apply_doc_locked(bl, text, len, false, bl->doc_path);
        bl->doc_saved = rc == HK_OK;
    }
    pthread_mutex_unlock(&bl->apply_mu);
    hk_free(text);
    return rc;
}

uint64_t branch_lan_config_generation(const branch_t *b)
{
    branch_lan_t *bl = b->impl;

    return atomic_load(&bl->hub_gen);
}

int branch_lan_config_refused(const branch_t *b)
{
    branch_lan_t *bl = b->impl;

    return atomic_load(&bl->doc_refused);
}
