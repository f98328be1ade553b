/*
 * ticket_status: what the public status page (the QR code on a ticket)
 * says about one ticket, worked out from the branch's journal events that
 * head office holds: its state, how many wait before it in its service,
 * and an estimated wait. Pure functions over caller-owned memory, so the
 * server, its tests and the fuzzer share them.
 *
 * Sources and their limits (shown on the page as "updated HH:MM"):
 *  - The queue is replayed from ticket.* events of one business day in
 *    the order the hub journaled them (seq). A ticket's number keeps its
 *    identity across a transfer (the new row has the same number).
 *  - Position = tickets of the same service still waiting that were issued
 *    earlier. Priority services and VIPs may still be called first, so
 *    the page says "about".
 *  - Estimated wait = position x the mean gap between the service's last
 *    calls today (up to 10 gaps); with fewer than 2 calls today, the
 *    estimate quoted at issue minus the time already waited (never below
 *    zero); with neither, none.
 */
#ifndef HK_SERVER_TICKET_STATUS_H
#define HK_SERVER_TICKET_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "central_proto.h"
#include "hk_err.h"

typedef enum ticket_status_state {
    TICKET_STATUS_UNKNOWN = 0, /* no such ticket (yet): not synced, or never issued */
    TICKET_STATUS_WAITING,
    TICKET_STATUS_CALLED, /* called or recalled: go to the counter now */
    TICKET_STATUS_SERVING,
    TICKET_STATUS_DONE,
    TICKET_STATUS_NO_SHOW,
    TICKET_STATUS_CANCELLED
} ticket_status_state_t;

typedef struct ticket_status {
    ticket_status_state_t state;
    char number[8];
    char service[CENTRAL_ID_LEN];
    char counter[CENTRAL_ID_LEN]; /* when called or serving */
    int ahead;                    /* waiting before it in its service; -1 unknown */
    int est_wait_s;               /* -1 no estimate */
    int64_t issued_ms;
    int64_t as_of_ms; /* time of the newest event of the day replayed */
} ticket_status_t;

/**
 * Replay one day's events (any order of arrival; sorted by seq here is
 * the caller's job: pass them in seq order) and describe one ticket.
 * Events of other days, other types and bodies that do not parse are
 * skipped (head office stores what devices send; a malformed body must not
 * take the page down).
 * @param now_ms  for the fallback estimate (quoted minus waited).
 */
hk_err_t ticket_status_compute(const central_event_t *ev, int n, const char *day,
                               const char *number, int64_t now_ms, ticket_status_t *out);

/**
 * The page: a small, mobile-first HTML document (zh-CN or en), reloading
 * itself every 30 s with a meta refresh (no JavaScript).
 * @param branch_name  shown at the top; escaped here.
 * @param counter_label e.g. "3号窗口" / "Counter 3" for the called state;
 *                      may be NULL (the counter id is shown then).
 * @param out  hk_malloc'd NUL-terminated HTML (hk_free it).
 */
hk_err_t ticket_status_html(const ticket_status_t *st, const char *branch_name,
                            const char *counter_label, bool zh, int utc_offset_min, char **out,
                            size_t *len_out);

#endif
