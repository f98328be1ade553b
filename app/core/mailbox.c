/*
 * mailbox: see mailbox.h. A fixed ring of message structs under one mutex,
 * plus a condition variable for consumers that wait here (screenless
 * roles) and an optional wake callback for consumers that wait elsewhere
 * (screen roles wait in display_wait()).
 *
 * Design notes
 *   State: ring[head .. head+count) holds queued messages, oldest first.
 *   mailbox_post()   count < cap: append, signal, call wake; else refuse.
 *   mailbox_take()   count > 0: pop the oldest.
 *   Coalescing: "journal advanced" and "config changed" are level
 *   notices, not events: the consumer acts on the latest value, so a
 *   queued notice of the same kind is updated in place. This keeps a burst
 *   of commits from filling the ring with notices and crowding out the
 *   messages that carry results.
 *   Refusal: a full ring refuses with HK_ERR_BUSY; `refused` counts every
 *   refusal and the first refusal after the ring last had room is logged,
 *   so a stuck consumer shows in the log without one line per post.
 *   Invariants: 0 <= count <= cap; every queued payload is owned by the
 *   mailbox and freed by mailbox_destroy() if never taken; wake() is
 *   called outside the lock (it may take the display's own locks).
 */
#include "mailbox.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "hk_time.h"

struct mailbox {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    mailbox_msg_t *ring;
    int cap, head, count;
    uint64_t refused;
    bool refusing; /* a refusal was logged and the ring has not had room since */
    mailbox_wake_fn wake;
    void *wake_user;
};

static bool coalesces(mailbox_kind_t k)
{
    return k == MAILBOX_JOURNAL_ADVANCED || k == MAILBOX_CONFIG_CHANGED;
}

hk_err_t mailbox_create(int capacity, mailbox_wake_fn wake, void *wake_user, mailbox_t **out)
{
    mailbox_t *mb;
    pthread_condattr_t ca;

    *out = NULL;
    if(capacity < 1)
        return HK_ERR_INVALID;
    mb = hk_calloc(1, sizeof(*mb));
    if(!mb)
        return HK_ERR_NOMEM;
    mb->ring = hk_calloc((size_t)capacity, sizeof(*mb->ring));
    if(!mb->ring) {
        hk_free(mb);
        return HK_ERR_NOMEM;
    }
    mb->cap = capacity;
    mb->wake = wake;
    mb->wake_user = wake_user;
    pthread_mutex_init(&mb->lock, NULL);
    /* timed waits on CLOCK_MONOTONIC: a wall-clock step (NTP, the engineer
     * setting the time) must not stretch or cut a wait */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&mb->cond, &ca);
    pthread_condattr_destroy(&ca);
    *out = mb;
    return HK_OK;
}

void mailbox_destroy(mailbox_t *mb)
{
    mailbox_msg_t m;

    if(!mb)
        return;
    while(mailbox_take(mb, &m))
        mailbox_msg_free(&m);
    pthread_cond_destroy(&mb->cond);
    pthread_mutex_destroy(&mb->lock);
    hk_free(mb->ring);
    hk_free(mb);
}

hk_err_t mailbox_post(mailbox_t *mb, const mailbox_msg_t *msg)
{
    bool log_refusal = false, queued = false;
    uint64_t refused = 0;
    int i;

    if(!mb || !msg || msg->kind == MAILBOX_NONE)
        return HK_ERR_INVALID;
    pthread_mutex_lock(&mb->lock);
    if(coalesces(msg->kind) && !msg->payload) {
        for(i = 0; i < mb->count; i++) {
            mailbox_msg_t *q = &mb->ring[(mb->head + i) % mb->cap];
            if(q->kind == msg->kind) {
                if(msg->i64 > q->i64)
                    q->i64 = msg->i64;
                pthread_mutex_unlock(&mb->lock);
                return HK_OK; /* the queued notice already wakes the consumer */
            }
        }
    }
    if(mb->count < mb->cap) {
        mb->ring[(mb->head + mb->count) % mb->cap] = *msg;
        mb->count++;
        mb->refusing = false;
        queued = true;
        pthread_cond_signal(&mb->cond);
    } else {
        refused = ++mb->refused;
        log_refusal = !mb->refusing;
        mb->refusing = true;
    }
    pthread_mutex_unlock(&mb->lock);
    if(log_refusal)
        hk_log_error("mailbox", "full (%d messages): refused a message of kind %d (%llu refused)",
                     mb->cap, (int)msg->kind, (unsigned long long)refused);
    if(!queued)
        return HK_ERR_BUSY;
    if(mb->wake)
        mb->wake(mb->wake_user);
    return HK_OK;
}

hk_err_t mailbox_post_simple(mailbox_t *mb, mailbox_kind_t kind, uint64_t tag, hk_err_t rc,
                             int64_t i64)
{
    mailbox_msg_t m;

    memset(&m, 0, sizeof(m));
    m.kind = kind;
    m.tag = tag;
    m.rc = rc;
    m.i64 = i64;
    return mailbox_post(mb, &m);
}

/* under lock */
static bool pop(mailbox_t *mb, mailbox_msg_t *out)
{
    if(mb->count == 0)
        return false;
    *out = mb->ring[mb->head];
    memset(&mb->ring[mb->head], 0, sizeof(mb->ring[0]));
    mb->head = (mb->head + 1) % mb->cap;
    mb->count--;
    return true;
}

bool mailbox_take(mailbox_t *mb, mailbox_msg_t *out)
{
    bool got;

    pthread_mutex_lock(&mb->lock);
    got = pop(mb, out);
    pthread_mutex_unlock(&mb->lock);
    return got;
}

bool mailbox_wait(mailbox_t *mb, int timeout_ms, mailbox_msg_t *out)
{
    struct timespec dl;
    bool got;

    clock_gettime(CLOCK_MONOTONIC, &dl);
    if(timeout_ms > 0) {
        hk_time_add_ms(&dl, timeout_ms);
    }
    pthread_mutex_lock(&mb->lock);
    while(mb->count == 0 && timeout_ms != 0) {
        int e = timeout_ms < 0 ? pthread_cond_wait(&mb->cond, &mb->lock)
                               : pthread_cond_timedwait(&mb->cond, &mb->lock, &dl);
        if(e == ETIMEDOUT)
            break;
    }
    got = pop(mb, out);
    pthread_mutex_unlock(&mb->lock);
    return got;
}

void mailbox_msg_free(mailbox_msg_t *msg)
{
    if(!msg)
        return;
    if(msg->payload) {
        if(msg->payload_free)
            msg->payload_free(msg->payload);
        else
            hk_free(msg->payload);
    }
    msg->payload = NULL;
    msg->payload_free = NULL;
}

uint64_t mailbox_refused(mailbox_t *mb)
{
    uint64_t n;

    pthread_mutex_lock(&mb->lock);
    n = mb->refused;
    pthread_mutex_unlock(&mb->lock);
    return n;
}

int mailbox_count(mailbox_t *mb)
{
    int n;

    pthread_mutex_lock(&mb->lock);
    n = mb->count;
    pthread_mutex_unlock(&mb->lock);
    return n;
}
