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
 *   the MAILBOX_BRANCH_DONE with that tag carries the request's result.
 *   Group commit: the first LAN operation opens a transaction (the group)
 *   and every operation that follows runs inside it, each in its own
 *   savepoint, while messages keep coming; their results and journal
 *   notices leave it open. It commits when the mailbox is empty, or first
 *   when anything else arrives (a stream's journal read, another branch
 *   call's result, a timer). The commit reads the group's new events
 *   inside it first; a failed commit refuses the group's requests (500).
 *   Durable answers (the flush thread): the hub's connection commits
 *   without flushing the WAL (store_defer_sync). Every answer, and every
 *   batch of new events for the stream, is queued (pend) after the commit
 *   that made it, tagged with store_commits(); the flush thread takes
 *   everything queued, flushes the WAL once (store_sync), then feeds the
 *   events (lan_server_feed) and completes the requests, in queue order.
 *   So nothing is answered or streamed before it is on disk, an answer
 *   follows its own events (a snapshot read after one's change, served
 *   from the server's cache while the feed stands still, shows it), and
 *   the hub thread runs the next group while the disk works: requests
 *   arriving during a flush share the next one. Something with nothing
 *   left to flush (a read of settled state) is delivered at once. A failed
 *   flush fails everything queued and every later delivery and stops the
 *   hub (MAILBOX_QUIT, exit code 1): the WAL is only good up to its first
 *   bad frame, so nothing after it could be promised.
 *   Feed: the hub reads the journal past read_seq after each commit (its
 *   own, or another connection's: MAILBOX_JOURNAL_ADVANCED from
 *   hub_poke()), in chunks of LAN_SERVER_BACKFILL_MAX, and queues them.
 *   Checkpoints: not inside a COMMIT (SQLite's automatic one would flush
 *   twice there): once the WAL holds HUB_CKPT_FRAMES, T_CHECKPOINT fires
 *   after HUB_CKPT_QUIET_MS without a commit (each commit moves it), or at
 *   once at HUB_CKPT_HARD_FRAMES, and runs a passive checkpoint.
 *   Stop: after the loop ends, the group commits, the server is stopped
 *   (no more posts), the mailbox is drained (results that arrived are
 *   queued, requests still queued complete as 503), the flush thread
 *   delivers what it holds and ends, the rest complete as 503, then the
 *   server joins its threads.
 *   Invariants: only the hub thread touches the store and the branch (the
 *   flush thread only calls store_sync(), on a descriptor of its own);
 *   deliveries happen in queue order, one thread at a time (the hub
 *   delivers itself only when the flush thread is idle with nothing
 *   queued); a request is completed exactly once.
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
#include "watchdog.h"

enum { T_DAY = 0, T_RATING, T_CHECKPOINT, T_CONFIG };

/* How often the hub looks at the live config's generation (one atomic
 * load): a document from head office is in force here within this. */
#define HUB_CONFIG_POLL_MS 500

/* Checkpoints (see the design notes): once the WAL holds this many frames
 * (SQLite's own automatic threshold), after this long without a commit;
 * at the hard limit at once, however busy. */
#define HUB_CKPT_FRAMES      1000
#define HUB_CKPT_QUIET_MS    200
#define HUB_CKPT_HARD_FRAMES 16000

/* Tags of branch calls made for a LAN request (the day timer's are small). */
#define HUB_TAG_LAN (UINT64_C(1) << 63)

typedef struct lan_slot {
    uint64_t tag; /* 0 = free */
    lan_req_t *req;
    uint64_t group;       /* the group commit it ran in; 0 = none */
    bool done;            /* its result came while its group was open: */
    branch_result_t *res; /* held here (owned) until the group commits */
    hk_err_t rc;
} lan_slot_t;

/* An answer, or a batch of new journal events for the event feed, waiting
 * for the WAL flush that makes what it shows durable. */
typedef struct pending {
    struct pending *next;
    uint64_t commits;     /* store_commits() when queued: flushed before delivery */
    lan_req_t *req;       /* NULL: events for the feed */
    bool journal;         /* req is a stream's catch-up read (ev answers it) */
    branch_result_t *res; /* owned; moves into req */
    hk_err_t rc;
    journal_event_t *ev; /* owned */
    int n_ev;
} pending_t;

/* The flush thread: see the design notes, Durable answers. */
typedef struct flusher {
    pthread_t th;
    bool started;
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;
    pending_t *head, *tail;
    bool busy;        /* delivering what it took (outside mu) */
    bool stop;        /* end once the queue is empty */
    bool failed;      /* a flush failed: nothing is durable any more */
    uint64_t flushed; /* store_commits() the last good flush covered */
} flusher_t;

struct hub {
    hub_opts_t o;
    config_t cfg;            /* in force here (hub thread); starts as *o.cfg */
    config_live_t *live;     /* o.live, or own_live */
    config_live_t *own_live; /* a standalone hub's (no kiosk's to share) */
    uint64_t cfg_gen;        /* live's generation cfg came from */
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
    int64_t read_seq; /* the journal read up to here (for the feed) */
    flusher_t fl;
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
    int64_t off = (int64_t)h->cfg.utc_offset_min * 60000, wall = hub_wall(h);
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
    /* self-help (issue 8) */
    case BRANCH_OP_FAQ_FEEDBACK:
        return branch_faq_feedback(b, tag, c->item_id, c->version, c->helpful, c->lang);
    case BRANCH_OP_TRIAGE_CHOICE:
        return branch_triage_choice(b, tag, c->item_id, c->route_kind, c->target);
    case BRANCH_OP_SUBMIT_ISSUE: return branch_submit_issue(b, tag, &c->submission);
    case BRANCH_OP_ENGINEER_PIN_FAILED:
        return branch_engineer_pin_failed(b, tag, c->device_id, c->fails, c->locks, c->lock_s);
    default: return HK_ERR_INVALID;
    }
}

/* ---- durable answers (the flush thread) ----------------------------------- */

/* Feed p's events or answer p's request; flush_rc: the flush before it. */
static void deliver(hub_t *h, pending_t *p, hk_err_t flush_rc)
{
    if(!p->req) {
        if(flush_rc == HK_OK)
            lan_server_feed(h->lan, p->ev, p->n_ev);
        /* else: never shown; the feed's gap check sends streams to the journal */
        journal_events_free(p->ev, p->n_ev);
    } else if(p->journal) {
        if(flush_rc != HK_OK) {
            journal_events_free(p->ev, p->n_ev);
            lan_req_complete_journal(p->req, NULL, 0, flush_rc);
        } else {
            lan_req_complete_journal(p->req, p->ev, p->n_ev, p->rc);
        }
    } else if(flush_rc != HK_OK) {
        branch_result_free(p->res);
        lan_req_complete(p->req, NULL, flush_rc);
    } else {
        lan_req_complete(p->req, p->res, p->rc);
    }
    hk_free(p);
}

/* Hub thread: deliver p once everything committed so far is durable. At
 * once when it is already (the flusher idle, nothing queued, no commit
 * since its last flush): a read of settled state does not wait. */
static void pend(hub_t *h, pending_t *p)
{
    flusher_t *f = &h->fl;
    bool now;

    p->commits = store_commits(h->store);
    pthread_mutex_lock(&f->mu);
    now = !f->head && !f->busy && !f->failed && p->commits <= f->flushed;
    if(!now) {
        if(f->tail)
            f->tail->next = p;
        else
            f->head = p;
        f->tail = p;
        pthread_cond_signal(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    if(now)
        deliver(h, p, HK_OK);
}

static void *flusher_run(void *arg)
{
    hub_t *h = arg;
    flusher_t *f = &h->fl;

    pthread_mutex_lock(&f->mu);
    for(;;) {
        pending_t *list;
        uint64_t upto;
        bool was_failed, first_failure = false;
        hk_err_t rc = HK_OK;

        while(!f->head && !f->stop)
            pthread_cond_wait(&f->cv, &f->mu);
        if(!f->head)
            break;
        /* everything queued shares this flush: commits only grow */
        list = f->head;
        upto = f->tail->commits;
        f->head = f->tail = NULL;
        f->busy = true;
        was_failed = f->failed;
        pthread_mutex_unlock(&f->mu);
        if(was_failed)
            rc = HK_ERR_IO;
        else if(upto > f->flushed) /* only this thread writes flushed */
            rc = store_sync(h->store);
        pthread_mutex_lock(&f->mu);
        if(rc == HK_OK && upto > f->flushed)
            f->flushed = upto;
        if(rc != HK_OK && !f->failed)
            first_failure = f->failed = true;
        pthread_mutex_unlock(&f->mu);
        if(first_failure) {
            /* what the kernel did not write may be gone from its cache too,
             * and the WAL is only good up to its first bad frame: nothing
             * can be answered as done any more. Stop; a restart recovers
             * what the disk holds. */
            hk_log_error("hub", "the WAL flush failed: refusing every change and stopping");
            while(mailbox_post_simple(runloop_mailbox(h->rl), MAILBOX_QUIT, 0, HK_OK, 1) ==
                  HK_ERR_BUSY) {
                struct timespec ts = { 0, 10000000L };
                nanosleep(&ts, NULL);
            }
        }
        while(list) {
            pending_t *next = list->next;
            deliver(h, list, rc);
            list = next;
        }
        pthread_mutex_lock(&f->mu);
        f->busy = false;
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* Deliver what is queued, then end the flush thread. */
static void flusher_stop(hub_t *h)
{
    flusher_t *f = &h->fl;

    if(!f->started)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->th, NULL);
    f->started = false;
}

static pending_t *pending_new(lan_req_t *r)
{
    pending_t *p = hk_calloc(1, sizeof(*p));

    if(p)
        p->req = r;
    return p;
}

/* Queue the journal's events past read_seq for the feed: up to max of
 * them from ev (already read, owned), then the rest read here. */
static void feed_events(hub_t *h, journal_event_t *ev, int n, bool more)
{
    for(;;) {
        pending_t *p;
        if(n > 0) {
            h->read_seq = ev[n - 1].seq;
            p = pending_new(NULL);
            if(p) {
                p->ev = ev;
                p->n_ev = n;
                pend(h, p);
            } else {
                /* the feed sees the gap and sends its streams to the journal */
                journal_events_free(ev, n);
            }
        }
        if(!more)
            return;
        ev = NULL;
        n = 0;
        if(journal_read_after(h->store, h->read_seq, LAN_SERVER_BACKFILL_MAX, &ev, &n) != HK_OK) {
            hk_log_warn("hub", "event feed: cannot read the journal after %lld",
                        (long long)h->read_seq);
            return; /* the next notice retries */
        }
        more = n == LAN_SERVER_BACKFILL_MAX;
    }
}

/* Answer a slot's request with its result (once its group, if any, has
 * committed) and free the slot. */
static void slot_finish(hub_t *h, lan_slot_t *slot, branch_result_t *res, hk_err_t rc)
{
    lan_req_t *r = slot->req;
    bool failed = slot->group && slot->group == h->failed_group;
    pending_t *p = failed ? NULL : pending_new(r);

    slot->tag = 0;
    slot->req = NULL;
    slot->group = 0;
    slot->done = false;
    slot->res = NULL;
    if(!p) {
        /* rolled back with its group (not done, whatever it said), or no
         * memory to wait with: refused */
        branch_result_free(res);
        lan_req_complete(r, NULL, failed ? HK_ERR_IO : HK_ERR_NOMEM);
        return;
    }
    p->res = res;
    p->rc = rc;
    pend(h, p);
}

/* Commit the open group: one transaction for every operation in it, its
 * WAL flush left to the flush thread. Then its answers are queued after
 * its events; if the commit failed, they are refused. */
static void group_commit(hub_t *h)
{
    journal_event_t *ev = NULL;
    int n = 0, i;
    bool read_all = false;

    if(!h->group_open)
        return;
    h->group_open = false;
    /* the group's events, read inside it: no read transaction of their own
     * (failed or more than one read's worth: the rest after the commit) */
    if(h->lan)
        read_all =
            journal_read_after(h->store, h->read_seq, LAN_SERVER_BACKFILL_MAX, &ev, &n) == HK_OK &&
            n < LAN_SERVER_BACKFILL_MAX;
    if(store_commit(h->store) != HK_OK) {
        h->failed_group = h->group_id;
        hk_log_error("hub", "group commit %llu failed: its operations are refused",
                     (unsigned long long)h->group_id);
        journal_events_free(ev, n);
    } else {
        /* new events for head office (the sync flushes before it sends) */
        sync_poke(h->sync);
        if(h->lan)
            feed_events(h, ev, n, !read_all);
    }
    for(i = 0; i < LAN_SERVER_MAX_INFLIGHT; i++) {
        lan_slot_t *slot = &h->lan_reqs[i];
        if(slot->tag && slot->done && slot->group == h->group_id)
            slot_finish(h, slot, slot->res, slot->rc);
    }
}

static void lan_request(hub_t *h, lan_req_t *r)
{
    lan_slot_t *slot = NULL;
    hk_err_t rc;
    int i;

    if(lan_req_kind(r) == LAN_REQ_JOURNAL) {
        pending_t *p = pending_new(r);
        if(!p) {
            lan_req_complete_journal(r, NULL, 0, HK_ERR_NOMEM);
            return;
        }
        p->journal = true;
        p->rc = journal_read_after(h->store, lan_req_after_seq(r), LAN_SERVER_BACKFILL_MAX, &p->ev,
                                   &p->n_ev);
        pend(h, p); /* what it read may wait for its flush */
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
        slot->group = 0;
        lan_req_complete(r, NULL, rc);
    }
}

/* A MAILBOX_BRANCH_DONE for a LAN request: its answer, queued behind the
 * events it wrote (so a caller's next snapshot, served from the server's
 * cache while the feed stands still, cannot predate its change), or held
 * until its group commits. */
static void lan_done(hub_t *h, mailbox_msg_t *m)
{
    int i;

    for(i = 0; i < LAN_SERVER_MAX_INFLIGHT; i++) {
        lan_slot_t *slot = &h->lan_reqs[i];
        if(slot->tag == m->tag) {
            branch_result_t *res = m->payload;
            m->payload = NULL; /* moved into the slot or the request */
            if(h->group_open && slot->group == h->group_id) {
                slot->done = true;
                slot->res = res;
                slot->rc = m->rc;
                return;
            }
            slot_finish(h, slot, res, m->rc);
            return;
        }
    }
    hk_log_warn("hub", "result for an unknown LAN request tag");
}

/* After a commit: checkpoint when the hub next falls quiet (the timer
 * moves with every commit), or now at the hard limit. */
static void checkpoint_due(hub_t *h)
{
    int frames = store_wal_frames(h->store);

    if(frames < HUB_CKPT_FRAMES)
        return;
    if(frames >= HUB_CKPT_HARD_FRAMES) {
        runloop_timer_at(h->rl, T_CHECKPOINT, hub_mono(h));
        return;
    }
    runloop_timer_at(h->rl, T_CHECKPOINT, hub_mono(h) + HUB_CKPT_QUIET_MS);
}

static void on_message(void *user, mailbox_msg_t *m)
{
    hub_t *h = user;

    /* A LAN operation joins the open group, and its result and journal
     * notice leave it open (the group commit reads the events); anything
     * else (a stream's journal read, another branch call's result) sees
     * it committed first. */
    if(h->group_open &&
       !(m->kind == MAILBOX_REQUEST && m->payload &&
         lan_req_kind(m->payload) == LAN_REQ_BRANCH_OP) &&
       !(m->kind == MAILBOX_BRANCH_DONE && (m->tag & HUB_TAG_LAN)) &&
       m->kind != MAILBOX_JOURNAL_ADVANCED)
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
        /* an open group's commit reads the events; another connection's
         * (the kiosk's own, hub_poke) are read now */
        if(h->lan && !h->group_open)
            feed_events(h, NULL, 0, true);
        if(!runloop_timer_armed(h->rl, T_RATING))
            runloop_timer_at(h->rl, T_RATING, hub_mono(h) + (RATING_WINDOW_S_DEFAULT + 1) * 1000);
    }
    mailbox_msg_free(m);
    /* Nothing more waiting to join: commit, so the flush can start. The
     * requests that arrive meanwhile run at once and form the next group
     * while this one's flush is under way. */
    if(h->group_open && mailbox_count(runloop_mailbox(h->rl)) == 0) {
        group_commit(h);
        checkpoint_due(h);
    }
}

/* Are two strings different (for the settings that need a restart)? */
static bool differs(const char *a, const char *b)
{
    return strcmp(a, b) != 0;
}

/* T_CONFIG: a new generation (head office's document, applied by the
 * sync; or the kiosk's engineer mode) goes into the branch and the LAN API.
 * What is bound at start (the listen address, the TLS files, the data
 * directory) stays as it is until a restart. */
static void config_check(hub_t *h)
{
    uint64_t gen = 0;
    const config_t *cfg;

    runloop_timer_at(h->rl, T_CONFIG, hub_mono(h) + HUB_CONFIG_POLL_MS);
    if(config_live_generation(h->live) == h->cfg_gen)
        return;
    cfg = config_live_acquire(h->live, &gen);
    if(gen != h->cfg_gen) {
        config_t keep = h->cfg;
        if(differs(cfg->hub.listen, keep.hub.listen) ||
           differs(cfg->hub.tls_cert, keep.hub.tls_cert) ||
           differs(cfg->hub.tls_key, keep.hub.tls_key) || differs(cfg->data_dir, keep.data_dir))
            hk_log_warn("hub",
                        "config generation %llu changes hub.listen, hub.tls_cert, hub.tls_key "
                        "or data_dir: those take effect at the next restart",
                        (unsigned long long)gen);
        h->cfg = *cfg;
        memcpy(&h->cfg.hub, &keep.hub, sizeof(h->cfg.hub));
        memcpy(h->cfg.data_dir, keep.data_dir, sizeof(h->cfg.data_dir));
        h->cfg_gen = gen;
        branch_local_set_config(&h->branch, &h->cfg);
        if(h->lan && lan_server_set_config(h->lan, &h->cfg, gen) != HK_OK)
            hk_log_error("hub", "out of memory: the LAN API keeps the previous configuration");
        hk_log_info("hub", "config generation %llu in force (branch %s, %d services)",
                    (unsigned long long)gen, h->cfg.branch_id, h->cfg.n_services);
    }
    config_live_release(h->live, cfg);
}

static void on_timer(void *user, int id)
{
    hub_t *h = user;

    group_commit(h);
    if(id == T_CONFIG) {
        config_check(h);
    } else if(id == T_CHECKPOINT) {
        if(store_checkpoint(h->store) != HK_OK)
            hk_log_warn("hub", "checkpoint failed; retried when next quiet");
        checkpoint_due(h); /* not all copied (a reader held frames): again later */
    } else if(id == T_DAY) {
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

/* Commits stop flushing the WAL themselves; the flush thread does it
 * before anything they changed is shown. Without WAL (a file system that
 * refused it) commits stay synchronous and the flushes do nothing. */
static hk_err_t flusher_start(hub_t *h)
{
    /* refused: FULL, still durable */
    (void)store_defer_sync(h->store, HUB_CKPT_FRAMES);
    if(pthread_create(&h->fl.th, NULL, flusher_run, h) != 0)
        return HK_ERR_NOMEM;
    h->fl.started = true;
    return HK_OK;
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
    h->cfg = *o->cfg;
    h->live = o->live;
    pthread_mutex_init(&h->fl.mu, NULL);
    pthread_cond_init(&h->fl.cv, NULL);
    memset(&hooks, 0, sizeof(hooks));
    hooks.user = h;
    hooks.now_ms = hub_mono;
    hooks.on_message = on_message;
    hooks.on_timer = on_timer;
    rc = runloop_create(&hooks, 1024, NULL, NULL, &h->rl);
    if(rc == HK_OK && !h->live) {
        rc = config_live_create(o->cfg, &h->own_live);
        h->live = h->own_live;
    }
    if(rc == HK_OK)
        h->cfg_gen = config_live_generation(h->live);
    if(rc == HK_OK)
        rc = paths_resolve(o->data_dir, "hallkiosk.db", path, sizeof(path));
    if(rc == HK_OK)
        rc = store_open(path, &h->store, diag);
    if(rc == HK_OK)
        rc =
            branch_local_create(h->store, &h->cfg, runloop_mailbox(h->rl), hub_wall, h, &h->branch);
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
        so.live = h->live;
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
        lo.cfg = &h->cfg;
        lo.config_gen = h->cfg_gen;
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
        h->read_seq = lo.journal_seq;
        if(rc == HK_OK)
            rc = lan_server_start(&lo, &h->lan, diag);
        if(rc == HK_OK)
            rc = flusher_start(h);
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
    flusher_stop(h); /* answers what it holds */
    for(i = 0; i < LAN_SERVER_MAX_INFLIGHT; i++) {
        if(h->lan_reqs[i].tag) {
            branch_result_free(h->lan_reqs[i].res);
            lan_req_complete(h->lan_reqs[i].req, NULL, HK_ERR_BUSY);
            memset(&h->lan_reqs[i], 0, sizeof(h->lan_reqs[i]));
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
    config_live_destroy(h->own_live);
    pthread_cond_destroy(&h->fl.cv);
    pthread_mutex_destroy(&h->fl.mu);
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
    runloop_timer_at(h->rl, T_CONFIG, hub_mono(h) + HUB_CONFIG_POLL_MS);
    hk_log_info("hub", "branch %s: hub running%s", h->cfg.branch_id,
                h->lan ? "" : " (no LAN API: neither --listen nor hub.listen)");
    /* the LAN API listens since hub_create: hallkiosk-hub.service is up */
    watchdog_notify(h->lan ? "READY=1\nSTATUS=hub: serving the LAN API"
                           : "READY=1\nSTATUS=hub: running without a LAN API");
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
    runloop_timer_at(h->rl, T_CONFIG, hub_mono(h) + HUB_CONFIG_POLL_MS);
    hk_log_info("hub", "branch %s: hub running inside this kiosk%s", h->cfg.branch_id,
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

config_live_t *hub_live(hub_t *h)
{
    return h ? h->live : NULL;
}

uint16_t hub_port(const hub_t *h)
{
    return h && h->lan ? lan_server_port(h->lan) : 0;
}
