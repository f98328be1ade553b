/*
 * runloop: see runloop.h.
 *
 * Design notes
 *   Timers: a fixed table of RUNLOOP_MAX_TIMERS deadlines indexed by the
 *   caller's id; "armed" or not. Few timers (a clock tick, an idle return,
 *   a countdown, a retry), so a linear scan beats a heap.
 *   Dispatch order: messages first, then due timers. A message can arm a
 *   timer that is already due; it then fires in the same dispatch.
 *   Timers fire in deadline order, each disarmed before its hook runs.
 *   Quit: runloop_quit() or a MAILBOX_QUIT message sets `quit`; messages
 *   queued behind a QUIT in the same dispatch are still delivered (their
 *   payloads carry results someone is waiting for) and timers do not fire.
 */
#include "runloop.h"

#include <string.h>

#include "hk_mem.h"

struct runloop {
    runloop_hooks_t h;
    mailbox_t *mb;
    struct {
        bool armed;
        int64_t deadline_ms;
    } timers[RUNLOOP_MAX_TIMERS];
    bool quit;
    int exit_code;
};

hk_err_t runloop_create(const runloop_hooks_t *hooks, int mbox_cap, mailbox_wake_fn wake,
                        void *wake_user, runloop_t **out)
{
    runloop_t *rl;
    hk_err_t rc;

    *out = NULL;
    rl = hk_calloc(1, sizeof(*rl));
    if(!rl)
        return HK_ERR_NOMEM;
    rl->h = *hooks;
    rc = mailbox_create(mbox_cap, wake, wake_user, &rl->mb);
    if(rc != HK_OK) {
        hk_free(rl);
        return rc;
    }
    *out = rl;
    return HK_OK;
}

void runloop_destroy(runloop_t *rl)
{
    if(!rl)
        return;
    mailbox_destroy(rl->mb);
    hk_free(rl);
}

mailbox_t *runloop_mailbox(runloop_t *rl)
{
    return rl->mb;
}

void runloop_timer_at(runloop_t *rl, int id, int64_t deadline_ms)
{
    if(HK_NEVER(id < 0 || id >= RUNLOOP_MAX_TIMERS))
        return;
    rl->timers[id].armed = true;
    rl->timers[id].deadline_ms = deadline_ms;
}

void runloop_timer_cancel(runloop_t *rl, int id)
{
    if(HK_NEVER(id < 0 || id >= RUNLOOP_MAX_TIMERS))
        return;
    rl->timers[id].armed = false;
}

bool runloop_timer_armed(const runloop_t *rl, int id)
{
    return id >= 0 && id < RUNLOOP_MAX_TIMERS && rl->timers[id].armed;
}

int64_t runloop_next_deadline(const runloop_t *rl)
{
    int64_t dl = RUNLOOP_NEVER;
    int i;

    for(i = 0; i < RUNLOOP_MAX_TIMERS; i++)
        if(rl->timers[i].armed && rl->timers[i].deadline_ms < dl)
            dl = rl->timers[i].deadline_ms;
    return dl;
}

static void deliver(runloop_t *rl, mailbox_msg_t *m)
{
    if(m->kind == MAILBOX_QUIT) {
        runloop_quit(rl, (int)m->i64);
        mailbox_msg_free(m);
        return;
    }
    if(rl->h.on_message)
        rl->h.on_message(rl->h.user, m);
    else
        mailbox_msg_free(m);
}

void runloop_dispatch(runloop_t *rl)
{
    mailbox_msg_t m;

    while(mailbox_take(rl->mb, &m))
        deliver(rl, &m);
    while(!rl->quit) {
        int64_t now = rl->h.now_ms(rl->h.user);
        int i, due = -1;
        for(i = 0; i < RUNLOOP_MAX_TIMERS; i++)
            if(rl->timers[i].armed && rl->timers[i].deadline_ms <= now &&
               (due < 0 || rl->timers[i].deadline_ms < rl->timers[due].deadline_ms))
                due = i;
        if(due < 0)
            break;
        rl->timers[due].armed = false;
        if(rl->h.on_timer)
            rl->h.on_timer(rl->h.user, due);
    }
}

void runloop_quit(runloop_t *rl, int code)
{
    rl->quit = true;
    rl->exit_code = code;
}

bool runloop_quitting(const runloop_t *rl)
{
    return rl->quit;
}

int runloop_exit_code(const runloop_t *rl)
{
    return rl->exit_code;
}

int runloop_run(runloop_t *rl)
{
    while(!rl->quit) {
        mailbox_msg_t m;
        int64_t dl = runloop_next_deadline(rl), now = rl->h.now_ms(rl->h.user);
        int timeout_ms = -1;

        if(dl != RUNLOOP_NEVER)
            timeout_ms = dl <= now ? 0 : (dl - now > 600000 ? 600000 : (int)(dl - now));
        if(mailbox_wait(rl->mb, timeout_ms, &m))
            deliver(rl, &m);
        runloop_dispatch(rl);
    }
    return rl->exit_code;
}
