/*
 * hub: see hub.h.
 *
 * Design notes
 *   Threads: the hub thread (hub_run: runloop, store, branch) and a signal
 *   thread that sigwait()s for SIGTERM/SIGINT and posts MAILBOX_QUIT, so a
 *   stop request reaches the loop through the same mailbox as everything
 *   else and the store closes cleanly. Signals are blocked in every thread
 *   (hub_block_signals() before any thread starts), so no handler ever
 *   runs in async-signal context.
 *   Timers: T_DAY at the next local midnight asks the branch for a
 *   snapshot, which makes the queue roll the day over (yesterday's
 *   unfinished tickets cancelled, in the journal) even if nobody takes a
 *   number before the first call. T_RATING, a rating window after the
 *   journal last moved (a visit may have finished), runs the branch's
 *   not-rated sweep; the sweep's own events re-arm it once, a sweep that
 *   finds nothing writes nothing, so an idle hub stays idle.
 *   LAN API (lan_server.c, when --listen or the config's hub.listen gives an address): its connection
 *   threads post MAILBOX_REQUESTs. The hub runs each through the branch
 *   with a tag that has HUB_TAG_LAN set and remembers tag -> request in
 *   `lan_reqs` (at most LAN_SERVER_MAX_INFLIGHT, which the server bounds);
 *   the MAILBOX_BRANCH_DONE with that tag completes the request with its
 *   result. Journal requests (a stream catching up) are read and completed
 *   at once. On MAILBOX_JOURNAL_ADVANCED the hub reads the new events once
 *   and feeds them to the server's event feed (lan_server_feed).
 *   Stop: after the loop ends, the server is stopped (no more posts), the
 *   mailbox is drained (pending requests complete: results that arrived,
 *   503 for the rest), then the server joins its threads.
 *   Invariant: only the hub thread touches the store and the branch.
 */
#include "hub.h"

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "branch_local.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "journal.h"
#include "lan_server.h"
#include "paths.h"
#include "runloop.h"
#include "store.h"

enum { T_DAY = 0, T_RATING };

/* Tags of branch calls made for a LAN request (the day timer's are small). */
#define HUB_TAG_LAN (UINT64_C(1) << 63)

typedef struct lan_slot {
    uint64_t tag; /* 0 = free */
    lan_req_t *req;
    uint64_t group; /* the group commit it ran in; 0 = none */
} lan_slot_t;

struct hub {
    hub_opts_t o;
    store_t *store;
    runloop_t *rl;
    branch_t branch;
    bool have_branch;
    uint64_t tag;
    lan_server_t *lan; /* NULL without --listen */
    uint64_t lan_tag;
    lan_slot_t lan_reqs[LAN_SERVER_MAX_INFLIGHT];
    /* Group commit: the LAN operations queued together run in one
     * transaction (each in its own savepoint) and share one durable
     * commit, made before any of them is answered. */
    bool group_open;
    uint64_t group_id, failed_group;
    sync_t *sync;     /* head office; NULL without central.url */
    pthread_t thread; /* hub_start_thread() */
    bool threaded;
};

static int64_t hub_mono(void *user)
{
    hub_t *h = user;

    return hk_clock_mono_ms(h->o.clock);
}

static int64_t hub_wall(void *user)
{
    hub_t *h = user;

    return hk_clock_wall_ms(h->o.clock);
}

static void arm_day(hub_t *h)
{
    int64_t off = (int64_t)h->o.cfg->utc_offset_min * 60000, wall = hub_wall(h);
    int64_t next_local_midnight = ((wall + off) / 86400000 + 1) * 86400000 - off;

    runloop_timer_at(h->rl, T_DAY, hub_mono(h) + (next_local_midnight - wall) + 1000);
}

/* Submit a request's branch call; HK_OK = a MAILBOX_BRANCH_DONE follows. */
static hk_err_t lan_submit(hub_t *h, uint64_t tag, const lan_call_t *c)
{
    branch_t *b = &h->branch;

    switch(c->op) {
    case BRANCH_OP_TAKE_NUMBER: return branch_take_number(b, tag, c->service_id);
    case BRANCH_OP_SNAPSHOT: return branch_snapshot(b, tag);
    case BRANCH_OP_CALL_NEXT: return branch_call_next(b, tag, c->counter_id);
    case BRANCH_OP_CALL_TICKET: return branch_call_ticket(b, tag, c->counter_id, c->ticket_id);
    case BRANCH_OP_RECALL: return branch_recall(b, tag, c->ticket_id);
    case BRANCH_OP_NO_SHOW: return branch_no_show(b, tag, c->ticket_id, c->put_back);
    case BRANCH_OP_TRANSFER: return branch_transfer(b, tag, c->ticket_id, c->service_id);
    case BRANCH_OP_START: return branch_start(b, tag, c->ticket_id);
    case BRANCH_OP_FINISH: return branch_finish(b, tag, c->ticket_id);
    case BRANCH_OP_SET_COUNTER:
        return branch_set_counter(b, tag, c->counter_id, c->counter_state,
                                  c->staff_id[0] ? c->staff_id : NULL);
    case BRANCH_OP_RATE: return branch_rate(b, tag, c->ticket_id, &c->vote, RATING_SOURCE_COUNTER);
    case BRANCH_OP_RATE_NUMBER: return branch_rate_number(b, tag, c->day, c->number, &c->vote);
    case BRANCH_OP_RATING_LOOKUP: return branch_rating_lookup(b, tag, c->day, c->number);
    case BRANCH_OP_VISITS: return branch_visits(b, tag, c->day);
    case BRANCH_OP_IMPORT_TICKET: {
        ticket_t t;
        memset(&t, 0, sizeof(t));
        memcpy(t.day, c->day, sizeof(t.day));
        memcpy(t.number, c->number, sizeof(t.number));
        memcpy(t.service_id, c->service_id, sizeof(t.service_id));
        memcpy(t.device_id, c->device_id, sizeof(c->device_id));
        t.issued_ms = c->issued_ms;
        t.est_wait_s_quoted = -1;
        return branch_import_ticket(b, tag, &t);
    }
    default: return HK_ERR_INVALID;
    }
}

/* Commit the open group (one fsync for every operation in it). Its
 * requests are answered after this; if it failed, as refused. */
static void group_commit(hub_t *h)
{
    if(!h->group_open)
        return;
    h->group_open = false;
    if(store_commit(h->store) != HK_OK) {
        h->failed_group = h->group_id;
        hk_log_error("hub", "group commit %llu failed: its operations are refused",
                     (unsigned long long)h->group_id);
    } else {
        sync_poke(h->sync); /* new events for head office */
    }
}

static void lan_request(hub_t *h, lan_req_t *r)
{
    lan_slot_t *slot = NULL;
    hk_err_t rc;
    int i;

    if(lan_req_kind(r) == LAN_REQ_JOURNAL) {
        journal_event_t *ev = NULL;
        int n = 0;
        rc = journal_read_after(h->store, lan_req_after_seq(r), LAN_SERVER_BACKFILL_MAX, &ev, &n);
        lan_req_complete_journal(r, ev, n, rc);
        return;
    }
    for(i = 0; i < LAN_SERVER_MAX_INFLIGHT && !slot; i++)
        if(!h->lan_reqs[i].tag)
            slot = &h->lan_reqs[i];
    if(HK_NEVER(!slot)) { /* the server bounds requests in flight to the table */
        lan_req_complete(r, NULL, HK_ERR_BUSY);
        return;
    }
    slot->tag = HUB_TAG_LAN | ++h->lan_tag;
    slot->req = r;
    if(!h->group_open && store_tx_depth(h->store) == 0 && store_begin(h->store) == HK_OK) {
        h->group_open = true;
        h->group_id++;
    }
    slot->group = h->group_open ? h->group_id : 0;
    if(lan_req_call(r)->op == BRANCH_OP_IMPORT_TICKET) {
        /* only an import's answer (201 new, 200 had) needs it */
        int64_t seq = 0;
        (void)journal_last_seq(h->store, &seq); /* 0 on failure: an import reads as new */
        lan_req_set_seq_before(r, seq);
    }
    rc = lan_submit(h, slot->tag, lan_req_call(r));
    if(rc != HK_OK) {
        slot->tag = 0;
        slot->req = NULL;
        lan_req_complete(r, NULL, rc);
    }
}

static void lan_feed(hub_t *h);

/* A MAILBOX_BRANCH_DONE for a LAN request: complete it with the result. */
static void lan_done(hub_t *h, mailbox_msg_t *m)
{
    int i;

    for(i = 0; i < LAN_SERVER_MAX_INFLIGHT; i++) {
        if(h->lan_reqs[i].tag == m->tag) {
            lan_req_t *r = h->lan_reqs[i].req;
            uint64_t group = h->lan_reqs[i].group;
            h->lan_reqs[i].tag = 0;
            h->lan_reqs[i].req = NULL;
            h->lan_reqs[i].group = 0;
            if(group && group == h->failed_group) {
                /* rolled back with its group: not done, whatever it said */
                lan_req_complete(r, NULL, HK_ERR_IO);
                return;
            }
            /* a change is in the event feed before its caller hears of it,
             * so the caller's next snapshot (served from the server's
             * cache while the feed stands still) cannot predate it */
            if(m->rc == HK_OK && m->payload &&
               ((branch_result_t *)m->payload)->op != BRANCH_OP_SNAPSHOT)
                lan_feed(h);
            lan_req_complete(r, m->payload, m->rc);
            m->payload = NULL; /* moved into the request */
            return;
        }
    }
    hk_log_warn("hub", "result for an unknown LAN request tag");
}

/* Read the journal past the feed and hand it to the stream subscribers. */
static void lan_feed(hub_t *h)
{
    int64_t after = lan_server_feed_seq(h->lan);
    int n = LAN_SERVER_BACKFILL_MAX;

    while(n == LAN_SERVER_BACKFILL_MAX) {
        journal_event_t *ev = NULL;
        n = 0;
        if(journal_read_after(h->store, after, LAN_SERVER_BACKFILL_MAX, &ev, &n) != HK_OK) {
            hk_log_warn("hub", "event feed: cannot read the journal after %lld", (long long)after);
            return; /* the next notice retries */
        }
        if(n > 0) {
            lan_server_feed(h->lan, ev, n);
            after = ev[n - 1].seq;
        }
        journal_events_free(ev, n);
    }
}

static void on_message(void *user, mailbox_msg_t *m)
{
    hub_t *h = user;

    /* Only another LAN operation joins the open group; anything else
     * (an answer, a journal read, the feed) sees it committed first. */
    if(h->group_open &&
       !(m->kind == MAILBOX_REQUEST && m->payload && lan_req_kind(m->payload) == LAN_REQ_BRANCH_OP))
        group_commit(h);
    if(m->kind == MAILBOX_REQUEST && h->lan) {
        lan_req_t *r = m->payload;
        m->payload = NULL; /* ours now: completed below or by its result */
        lan_request(h, r);
    } else if(m->kind == MAILBOX_BRANCH_DONE && (m->tag & HUB_TAG_LAN)) {
        lan_done(h, m);
    } else if(m->kind == MAILBOX_BRANCH_DONE && m->rc != HK_OK) {
        hk_log_warn("hub", "branch operation failed: %s", hk_err_str(m->rc));
    } else if(m->kind == MAILBOX_JOURNAL_ADVANCED) {
        sync_poke(h->sync);
        if(h->lan)
            lan_feed(h);
        if(!runloop_timer_armed(h->rl, T_RATING))
            runloop_timer_at(h->rl, T_RATING, hub_mono(h) + (RATING_WINDOW_S_DEFAULT + 1) * 1000);
    }
    mailbox_msg_free(m);
}

static void on_timer(void *user, int id)
{
    hub_t *h = user;

    group_commit(h);
    if(id == T_DAY) {
        if(branch_snapshot(&h->branch, ++h->tag) != HK_OK)
            hk_log_warn("hub", "day rollover snapshot not submitted");
        arm_day(h);
    } else if(id == T_RATING) {
        /* its result is not waited for: the events it writes are the news */
        if(branch_expire_ratings(&h->branch, ++h->tag) != HK_OK)
            hk_log_warn("hub", "not-rated sweep not submitted");
    }
}

void hub_block_signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void *signal_thread(void *arg)
{
    mailbox_t *mb = arg;
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if(sigwait(&set, &sig) == 0) {
        /* retry: the one message that must get through */
        while(mailbox_post_simple(mb, MAILBOX_QUIT, 0, HK_OK, 0) == HK_ERR_BUSY) {
            struct timespec ts = { 0, 10000000L };
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

/* The sample config's demo credentials (assets/config/sample-branch.json):
 * fine on one desktop, a hole on a branch LAN. */
#define DEMO_TOKEN_PREFIX "demo-token-"
#define DEMO_PIN          "246810"

/* Names the first demo credential in cfg into what; false when none. A
 * PIN check per staff member (Argon2id, tens of ms each): once, at start,
 * off loopback only. */
static bool demo_credentials(const config_t *cfg, char *what, size_t cap)
{
    int i;

    for(i = 0; i < cfg->n_devices; i++) {
        if(!strncmp(cfg->devices[i].token, DEMO_TOKEN_PREFIX, strlen(DEMO_TOKEN_PREFIX))) {
            snprintf(what, cap, "device %s's token", cfg->devices[i].id);
            return true;
        }
    }
    if(sodium_init() < 0)
        return false;
    for(i = 0; i < cfg->n_staff; i++) {
        if(cfg->staff[i].pin_hash[0] &&
           crypto_pwhash_str_verify(cfg->staff[i].pin_hash, DEMO_PIN, strlen(DEMO_PIN)) == 0) {
            snprintf(what, cap, "staff %s's PIN", cfg->staff[i].id);
            return true;
        }
    }
    return false;
}

hk_err_t hub_create(const hub_opts_t *o, hub_t **out, hk_diag_t *diag)
{
    const char *listen;
    runloop_hooks_t hooks;
    char path[CONFIG_PATH_LEN + 32];
    hub_t *h;
    hk_err_t rc;

    *out = NULL;
    h = hk_calloc(1, sizeof(*h));
    if(!h)
        return HK_ERR_NOMEM;
    h->o = *o;
    memset(&hooks, 0, sizeof(hooks));
    hooks.user = h;
    hooks.now_ms = hub_mono;
    hooks.on_message = on_message;
    hooks.on_timer = on_timer;
    rc = runloop_create(&hooks, 1024, NULL, NULL, &h->rl);
    if(rc == HK_OK)
        rc = paths_resolve(o->data_dir, "hallkiosk.db", path, sizeof(path));
    if(rc == HK_OK)
        rc = store_open(path, &h->store, diag);
    if(rc == HK_OK)
        rc = branch_local_create(h->store, o->cfg, runloop_mailbox(h->rl), hub_wall, h, &h->branch);
    if(rc != HK_OK) {
        if(diag && !diag->msg[0])
            hk_diag_set(diag, "hub: cannot open the branch store: %s", hk_err_str(rc));
        hub_destroy(h);
        return rc;
    }
    h->have_branch = true;
    if(o->cfg->central.url[0]) {
        sync_opts_t so;
        hk_diag_t sd;
        memset(&so, 0, sizeof(so));
        so.cfg = o->cfg;
        so.data_dir = o->data_dir;
        so.live = o->live;
        hk_diag_clear(&sd);
        if(sync_start(&so, &h->sync, &sd) != HK_OK)
            hk_log_error("hub", "no sync with head office (%s): events wait in the journal",
                         sd.msg[0] ? sd.msg : "cannot start");
    }
    /* --listen overrides the config's hub.listen; neither: no LAN API */
    listen = o->listen ? o->listen : o->cfg->hub.listen[0] ? o->cfg->hub.listen : NULL;
    if(listen) {
        lan_server_opts_t lo;
        char what[96];
        memset(&lo, 0, sizeof(lo));
        lo.cfg = o->cfg;
        lo.mb = runloop_mailbox(h->rl);
        lo.listen = listen;
        lo.tls_cert = o->cfg->hub.tls_cert;
        lo.tls_key = o->cfg->hub.tls_key;
        if(!lan_server_listen_is_loopback(listen) && demo_credentials(o->cfg, what, sizeof(what)))
            hk_log_warn("hub",
                        "demo credentials on a non-loopback address (%s, %s): give every device "
                        "its own token and every member of staff their own PIN",
                        listen, what);
        rc = journal_last_seq(h->store, &lo.journal_seq);
        if(rc == HK_OK)
            rc = lan_server_start(&lo, &h->lan, diag);
        if(rc != HK_OK) {
            if(diag && !diag->msg[0])
                hk_diag_set(diag, "hub: cannot start the LAN API: %s", hk_err_str(rc));
            hub_destroy(h);
            return rc;
        }
    }
    *out = h;
    return HK_OK;
}

/* After the loop: no new requests; complete every one still pending. */
static void lan_shutdown(hub_t *h)
{
    mailbox_t *mb = runloop_mailbox(h->rl);
    mailbox_msg_t m;
    int i;

    group_commit(h);
    if(!h->lan)
        return;
    lan_server_stop(h->lan);
    while(mailbox_take(mb, &m)) {
        if(m.kind == MAILBOX_BRANCH_DONE && (m.tag & HUB_TAG_LAN))
            lan_done(h, &m);
        mailbox_msg_free(&m); /* a request still queued completes as 503 */
    }
    for(i = 0; i < LAN_SERVER_MAX_INFLIGHT; i++) {
        if(h->lan_reqs[i].tag) {
            lan_req_complete(h->lan_reqs[i].req, NULL, HK_ERR_BUSY);
            h->lan_reqs[i].tag = 0;
            h->lan_reqs[i].req = NULL;
        }
    }
    lan_server_destroy(h->lan); /* joins the connection threads */
    h->lan = NULL;
}

void hub_destroy(hub_t *h)
{
    if(!h)
        return;
    hub_stop_thread(h);
    lan_shutdown(h);
    sync_stop(h->sync); /* aborts a request in flight */
    h->sync = NULL;
    if(h->have_branch)
        branch_destroy(&h->branch);
    store_close(h->store);
    runloop_destroy(h->rl);
    hk_free(h);
}

int hub_run(hub_t *h)
{
    pthread_t th;
    int rc;

    if(pthread_create(&th, NULL, signal_thread, runloop_mailbox(h->rl)) != 0) {
        hk_log_error("hub", "cannot start the signal thread");
        return 1;
    }
    arm_day(h);
    hk_log_info("hub", "branch %s: hub running%s", h->o.cfg->branch_id,
                h->lan ? "" : " (no LAN API: neither --listen nor hub.listen)");
    rc = runloop_run(h->rl);
    lan_shutdown(h);
    /* the signal thread ended after posting QUIT; a stop from elsewhere
     * would leave it in sigwait: wake it with the signal it waits for */
    pthread_kill(th, SIGTERM);
    pthread_join(th, NULL);
    hk_log_info("hub", "stopped");
    return rc;
}

static void *hub_thread(void *arg)
{
    hub_t *h = arg;

    arm_day(h);
    hk_log_info("hub", "branch %s: hub running inside this kiosk%s", h->o.cfg->branch_id,
                h->lan ? "" : " (no LAN API)");
    (void)runloop_run(h->rl);
    lan_shutdown(h);
    return NULL;
}

hk_err_t hub_start_thread(hub_t *h)
{
    if(h->threaded)
        return HK_ERR_INVALID;
    if(pthread_create(&h->thread, NULL, hub_thread, h) != 0)
        return HK_ERR_NOMEM;
    h->threaded = true;
    return HK_OK;
}

void hub_poke(hub_t *h, int64_t seq)
{
    /* refused only when the mailbox is full: the next poke carries on */
    (void)mailbox_post_simple(runloop_mailbox(h->rl), MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, seq);
}

void hub_stop_thread(hub_t *h)
{
    if(!h || !h->threaded)
        return;
    while(mailbox_post_simple(runloop_mailbox(h->rl), MAILBOX_QUIT, 0, HK_OK, 0) == HK_ERR_BUSY) {
        struct timespec ts = { 0, 10000000L };
        nanosleep(&ts, NULL);
    }
    pthread_join(h->thread, NULL);
    h->threaded = false;
}

sync_t *hub_sync(hub_t *h)
{
    return h ? h->sync : NULL;
}

uint16_t hub_port(const hub_t *h)
{
    return h && h->lan ? lan_server_port(h->lan) : 0;
}
