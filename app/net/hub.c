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
 *   number before the first call.
 *   Invariant: only the hub thread touches the store and the branch.
 */
#include "hub.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "branch_local.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"
#include "runloop.h"
#include "store.h"

enum { T_DAY = 0 };

struct hub {
    hub_opts_t o;
    store_t *store;
    runloop_t *rl;
    branch_t branch;
    bool have_branch;
    uint64_t tag;
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

static void on_message(void *user, mailbox_msg_t *m)
{
    (void)user;
    if(m->kind == MAILBOX_BRANCH_DONE && m->rc != HK_OK)
        hk_log_warn("hub", "branch operation failed: %s", hk_err_str(m->rc));
    mailbox_msg_free(m);
}

static void on_timer(void *user, int id)
{
    hub_t *h = user;

    if(id == T_DAY) {
        if(branch_snapshot(&h->branch, ++h->tag) != HK_OK)
            hk_log_warn("hub", "day rollover snapshot not submitted");
        arm_day(h);
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

hk_err_t hub_create(const hub_opts_t *o, hub_t **out, hk_diag_t *diag)
{
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
    *out = h;
    return HK_OK;
}

void hub_destroy(hub_t *h)
{
    if(!h)
        return;
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
    hk_log_info("hub", "branch %s: hub running (no LAN API yet)", h->o.cfg->branch_id);
    rc = runloop_run(h->rl);
    /* the signal thread ended after posting QUIT; a stop from elsewhere
     * would leave it in sigwait: wake it with the signal it waits for */
    pthread_kill(th, SIGTERM);
    pthread_join(th, NULL);
    hk_log_info("hub", "stopped");
    return rc;
}
