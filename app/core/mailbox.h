/*
 * mailbox: the one way work crosses threads into a role's loop. A bounded
 * multi-producer, single-consumer queue of owned messages; posting wakes
 * the loop (the display's wake event for screen roles, a condition
 * variable for a screenless role). Print results, branch intent
 * completions and "journal advanced" notices all travel through it.
 *
 * Ownership: a posted message's payload belongs to the mailbox after
 * mailbox_post() returns HK_OK and to the consumer after mailbox_take();
 * the consumer frees it with mailbox_msg_free(). On any failure the sender
 * keeps it. Nothing is dropped silently: a full mailbox refuses the post
 * with HK_ERR_BUSY, counts it and logs it (once per burst).
 */
#ifndef HK_APP_CORE_MAILBOX_H
#define HK_APP_CORE_MAILBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "hk_err.h"

typedef enum mailbox_kind {
    MAILBOX_NONE = 0,
    MAILBOX_PRINT_DONE,       /* tag = print job id, rc, i64 = printer status */
    MAILBOX_BRANCH_DONE,      /* tag = request tag, payload = branch_result_t */
    MAILBOX_JOURNAL_ADVANCED, /* i64 = last journal seq; coalesced (see below) */
    MAILBOX_CONFIG_CHANGED,   /* i64 = config generation; coalesced */
    MAILBOX_QUIT,             /* i64 = exit code */
    MAILBOX_REQUEST,          /* payload = a request another thread waits on
                                 (its owner's type, e.g. the hub's LAN
                                 requests); payload_free must complete it
                                 as refused if it is freed unhandled */
    MAILBOX_VOICE,            /* tag = announcement tag, rc, i64 = voice_event_t
                                 (the hall board's announcer, platform/audio) */
    MAILBOX_LINK_CHANGED      /* i64 = 1: the hub's event stream is up, 0: it is
                                 down (a LAN client's branch, posted on each
                                 change and on the first failed connect) */
} mailbox_kind_t;

typedef struct mailbox_msg {
    mailbox_kind_t kind;
    uint64_t tag;
    hk_err_t rc;
    int64_t i64;
    void *payload;                 /* owned, may be NULL */
    void (*payload_free)(void *p); /* frees payload; NULL = hk_free */
} mailbox_msg_t;

typedef struct mailbox mailbox_t;

/** Called by mailbox_post() after a message was queued (any thread). */
typedef void (*mailbox_wake_fn)(void *user);

/**
 * @param capacity  messages held at most (>= 1).
 * @param wake      called after each successful post (e.g. display_wake);
 *                  NULL = only the internal condition variable is signalled.
 * @param out       free with mailbox_destroy().
 */
hk_err_t mailbox_create(int capacity, mailbox_wake_fn wake, void *wake_user, mailbox_t **out);

/** Free the mailbox and the payloads of messages still queued. NULL ok. */
void mailbox_destroy(mailbox_t *mb);

/**
 * Queue a copy of *msg (the struct is copied, the payload moves).
 * MAILBOX_JOURNAL_ADVANCED and MAILBOX_CONFIG_CHANGED coalesce: if one of
 * the same kind is still queued, its i64 is raised to the new value and no
 * second message is queued (the consumer only needs the latest).
 * Thread-safe.
 * @return HK_OK; HK_ERR_BUSY when full (counted, logged; the sender keeps
 *         the payload); HK_ERR_INVALID for a NULL or kind-less message.
 */
hk_err_t mailbox_post(mailbox_t *mb, const mailbox_msg_t *msg);

/** Post a message without payload. Same results as mailbox_post(). */
hk_err_t mailbox_post_simple(mailbox_t *mb, mailbox_kind_t kind, uint64_t tag, hk_err_t rc,
                             int64_t i64);

/**
 * Take the oldest message without waiting. Consumer thread only.
 * @return true with *out filled (free it with mailbox_msg_free()).
 */
bool mailbox_take(mailbox_t *mb, mailbox_msg_t *out);

/**
 * Take the oldest message, waiting up to timeout_ms (-1 = forever) on the
 * condition variable. For screenless roles; consumer thread only.
 */
bool mailbox_wait(mailbox_t *mb, int timeout_ms, mailbox_msg_t *out);

/** Free a taken message's payload (NULL ok) and clear it. */
void mailbox_msg_free(mailbox_msg_t *msg);

/** Posts refused because the mailbox was full, since creation. */
uint64_t mailbox_refused(mailbox_t *mb);

/** Messages queued right now (tests, diagnostics). */
int mailbox_count(mailbox_t *mb);

#endif
