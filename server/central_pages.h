/*
 * central_pages: hall-central's pages for people (not devices), behind
 * central_http's TLS front:
 *
 *   GET  /t/{branch}/{day}/{number}?s={sig}[&lang=en]
 *        the public ticket status page (the QR code on the ticket); no
 *        login; {sig} checked with ticket_url_sig_ok() under the branch's
 *        config.ticket.url_key. A wrong or missing sig, an unknown branch
 *        and an unknown ticket all get the same 404 page (no oracle).
 *   GET  /s/{branch}/{ref}?s={sig}[&lang=en]
 *        a submitted problem's public status page (issue 8.5, the QR code on
 *        its receipt; submission_status.h): the case number once head
 *        office has it, the phone only masked. Same 404 as /t/ when {sig},
 *        branch or reference are wrong.
 *   GET  /login, POST /login, POST /logout
 *        report users (config "users"), session cookie "hk_session"
 *        (central_session_issue: HttpOnly, Secure, SameSite=Strict).
 *        Failed logins: at most 5 per 5 minutes per user, then 429 (kept
 *        in this process's memory: each instance counts its own).
 *   GET  /reports?scope=…&day=YYYY-MM-DD[&format=json][&lang=en]
 *        the report of a scope and day (default: the user's scope, today),
 *        rolled up branch -> city -> province -> hq; 403 outside the
 *        user's scope. Without a session: 303 to /login.
 *   GET  /v1/cases?scope=…[&open=1]   the follow-up cases as JSON
 *   POST /cases/{id}   an action on a case (JSON body, or the report
 *        page's form); 409 when the case changed meanwhile.
 *
 * Form posts must carry a same-origin Origin or Referer header (CSRF).
 * Everything it reads comes from the config (branches, users, keys) and
 * the store; nothing that matters is kept in memory (the failed-login
 * counts excepted, see above).
 */
#ifndef HK_SERVER_CENTRAL_PAGES_H
#define HK_SERVER_CENTRAL_PAGES_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "central_config.h"
#include "central_store.h"
#include "hk_err.h"

#define CENTRAL_PAGES_BODY_MAX (16 * 1024) /* a form or a case action */
#define CENTRAL_PAGES_COOKIE   "hk_session"
#define CENTRAL_PAGES_FAILS    5             /* failed logins per user ... */
#define CENTRAL_PAGES_IP_FAILS 30            /* ... and per client address ... */
#define CENTRAL_PAGES_FAIL_MS  (5 * 60000LL) /* ... per this window */
#define CENTRAL_PAGES_IP_SLOTS 256           /* addresses remembered (the quietest goes first) */

typedef struct central_pages central_pages_t;

/**
 * Make the pages' state from a loaded config.
 * @param cfg  borrowed: it must outlive the pages.
 * @return HK_OK; HK_ERR_NOMEM.
 */
hk_err_t central_pages_new(const central_config_t *cfg, central_pages_t **out);

/** Free; NULL is a no-op. */
void central_pages_free(central_pages_t *p);

/** Is url one of the pages' (served without device authentication)? */
bool central_pages_owns(const char *url);

/**
 * Answer one request (its body read whole, at most CENTRAL_PAGES_BODY_MAX).
 * @param s  this worker thread's store; NULL when it cannot be opened
 *           (the answer is then 503).
 */
enum MHD_Result central_pages_serve(central_pages_t *p, struct MHD_Connection *c,
                                    central_store_t *s, const char *method, const char *url,
                                    const char *body, size_t len);

#endif
