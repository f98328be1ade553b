/*
 * central_pages: see central_pages.h.
 *
 * Design notes
 *   Every answer goes out through send_page(): HSTS, nosniff, no-store, a
 *   Content-Security-Policy that allows no script at all (the pages have
 *   none) and inline styles only, frame-ancestors 'none', and
 *   Referrer-Policy same-origin (a status URL carries its sig).
 *   Reports: the scope's branches are each computed from their day's
 *   events (report_compute) and merged upwards (report_merge): a city is
 *   its branches, a province its cities, hq its provinces, so each
 *   roll-up's children table lists the level just below it.
 *   The report page is report_html_page()'s document with three pieces
 *   spliced in: the navigation (day, scope, language, JSON, log out) after
 *   <main>, and the recent alerts and the follow-up actions form before
 *   the footer.
 */
#include "central_pages.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cases.h"
#include "central_auth.h"
#include "hk_buf.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "hk_time.h"
#include "report.h"
#include "report_html.h"
#include "submission_status.h"
#include "ticket_status.h"
#include "ticket_url.h"

#define LOG_MOD "central"
#define HSTS    "max-age=31536000"
#define CSP                                                          \
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " \
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
#define DEFAULT_OFFSET 480 /* China, when a branch has no document */
#define ALERTS_SHOWN   20
#define PAGE_MAX       (REPORT_HTML_MAX_BYTES + 256 * 1024)

#define FAIL_RING CENTRAL_PAGES_IP_FAILS /* >= both limits */

typedef struct fails {
    int64_t at[FAIL_RING]; /* ring of failure times, 0 = none */
    int next;              /* where the next goes: at[next - 1] is the newest */
} fails_t;

/* A client address's failed logins (whatever user names it tried). */
typedef struct ip_fails {
    char ip[INET6_ADDRSTRLEN]; /* "" = free */
    fails_t f;
} ip_fails_t;

struct central_pages {
    const central_config_t *cfg;
    pthread_mutex_t mu;                      /* fails, ips */
    fails_t *fails;                          /* one per cfg->users[] */
    ip_fails_t ips[CENTRAL_PAGES_IP_SLOTS];  /* per client address */
    char dummy_hash[crypto_pwhash_STRBYTES]; /* unknown users cost the same */
};

/* The request as the handlers see it. */
typedef struct page_req {
    central_pages_t *p;
    struct MHD_Connection *c;
    central_store_t *s;
    const char *method, *url, *body;
    size_t len;
    bool en;
    const central_user_t *user; /* from the session cookie, or NULL */
} page_req_t;

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- lifecycle ---------------------------------------------------------------------- */

hk_err_t central_pages_new(const central_config_t *cfg, central_pages_t **out)
{
    static const char dummy[] = "not a password anyone has";
    central_pages_t *p = hk_calloc(1, sizeof(*p));

    *out = NULL;
    if(!p)
        return HK_ERR_NOMEM;
    p->cfg = cfg;
    if(cfg->n_users > 0) {
        p->fails = hk_calloc((size_t)cfg->n_users, sizeof(*p->fails));
        if(!p->fails) {
            hk_free(p);
            return HK_ERR_NOMEM;
        }
    }
    /* hallctl hash-pin's cost, so a wrong user name takes as long as a wrong password */
    if(crypto_pwhash_str(p->dummy_hash, dummy, sizeof(dummy) - 1, 2, 19u * 1024u * 1024u) != 0) {
        hk_free(p->fails);
        hk_free(p);
        return HK_ERR_NOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    *out = p;
    return HK_OK;
}

void central_pages_free(central_pages_t *p)
{
    if(!p)
        return;
    pthread_mutex_destroy(&p->mu);
    hk_free(p->fails);
    hk_free(p);
}

bool central_pages_owns(const char *url)
{
    return !strncmp(url, "/t/", 3) || !strncmp(url, "/s/", 3) || !strcmp(url, "/login") ||
           !strcmp(url, "/logout") || !strcmp(url, "/reports") || !strcmp(url, "/v1/cases") ||
           !strncmp(url, "/cases/", 7) || !strcmp(url, "/");
}

/* ---- answers ------------------------------------------------------------------------- */

typedef struct extra_hdr {
    const char *location;   /* 303 */
    const char *set_cookie; /* login, logout */
    int retry_after_s;
    const char *allow;
} extra_hdr_t;

static enum MHD_Result send_page(struct MHD_Connection *c, unsigned int status, const char *ctype,
                                 const char *body, size_t len, const extra_hdr_t *x)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char retry[16];

    resp = MHD_create_response_from_buffer(body ? len : 0, (void *)(uintptr_t)(body ? body : ""),
                                           MHD_RESPMEM_MUST_COPY);
    if(!resp)
        return MHD_NO;
    (void)MHD_add_response_header(resp, "Strict-Transport-Security", HSTS);
    (void)MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    (void)MHD_add_response_header(resp, "Cache-Control", "no-store");
    (void)MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    (void)MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    (void)MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if(body && ctype)
        (void)MHD_add_response_header(resp, "Content-Type", ctype);
    if(x && x->location)
        (void)MHD_add_response_header(resp, "Location", x->location);
    if(x && x->set_cookie)
        (void)MHD_add_response_header(resp, "Set-Cookie", x->set_cookie);
    if(x && x->allow)
        (void)MHD_add_response_header(resp, "Allow", x->allow);
    if(x && x->retry_after_s > 0) {
        snprintf(retry, sizeof(retry), "%d", x->retry_after_s);
        (void)MHD_add_response_header(resp, "Retry-After", retry);
    }
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_json_error(struct MHD_Connection *c, unsigned int status,
                                       const char *code, const char *message)
{
    char msg[CENTRAL_TEXT_LEN];
    char *json = NULL;
    size_t len = 0;
    enum MHD_Result ret;

    /* a long diag is cut to the protocol's message length (the precision
     * tells -Wformat-truncation the cut is meant) */
    snprintf(msg, sizeof(msg), "%.*s", (int)sizeof(msg) - 1, message);
    if(central_error_encode(code, msg, &json, &len) != HK_OK)
        return MHD_NO;
    ret = send_page(c, status, "application/json", json, len, NULL);
    hk_free(json);
    return ret;
}

static const char page_css[] =
    "<style>body{margin:0;background:#f4f5f7;color:#1f2328;font:16px/1.5 'Noto Sans CJK SC',"
    "'Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif}"
    "main{max-width:420px;margin:48px auto;background:#fff;padding:28px 32px;border-radius:10px;"
    "border:1px solid #d8dee4}h1{font-size:22px;margin:0 0 18px}"
    "label{display:block;font-weight:600;margin:14px 0 4px}"
    "input{width:100%;box-sizing:border-box;font:inherit;padding:9px 10px;border:1px solid #8c959f;"
    "border-radius:6px}input:focus,button:focus{outline:3px solid #1565c0;outline-offset:1px}"
    "button{margin-top:20px;width:100%;font:inherit;font-weight:600;padding:10px;border:0;"
    "border-radius:6px;background:#1565c0;color:#fff;cursor:pointer}"
    ".err{background:#fdecea;border:1px solid #f5c2c0;color:#8e1c16;padding:10px 12px;"
    "border-radius:6px}.lang{margin-top:18px;font-size:14px}a{color:#1565c0}</style>";

/* A small page: a title and a message (errors for people). */
static enum MHD_Result send_message(const page_req_t *q, unsigned int status, const char *title,
                                    const char *msg, const char *back)
{
    hk_buf_t b;
    char *html = NULL;
    size_t len = 0;
    enum MHD_Result ret;

    hk_buf_init(&b, 64 * 1024);
    hk_buf_printf(&b,
                  "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>",
                  q->en ? "en" : "zh-CN");
    hk_buf_html(&b, title);
    hk_buf_puts(&b, "</title>");
    hk_buf_puts(&b, page_css);
    hk_buf_puts(&b, "</head><body><main><h1>");
    hk_buf_html(&b, title);
    hk_buf_puts(&b, "</h1><p class=\"err\" role=\"alert\">");
    hk_buf_html(&b, msg);
    hk_buf_puts(&b, "</p>");
    if(back) {
        hk_buf_puts(&b, "<p><a href=\"");
        hk_buf_html(&b, back);
        hk_buf_printf(&b, "\">%s</a></p>", q->en ? "Back" : "返回");
    }
    hk_buf_puts(&b, "</main></body></html>\n");
    if(hk_buf_finish(&b, &html, &len) != HK_OK)
        return MHD_NO;
    ret = send_page(q->c, status, "text/html; charset=utf-8", html, len, NULL);
    hk_free(html);
    return ret;
}

static enum MHD_Result send_redirect(struct MHD_Connection *c, const char *location,
                                     const char *set_cookie)
{
    extra_hdr_t x = { location, set_cookie, 0, NULL };

    return send_page(c, 303, NULL, NULL, 0, &x);
}

static enum MHD_Result send_unavailable(const page_req_t *q)
{
    extra_hdr_t x = { NULL, NULL, 5, NULL };
    static const char body[] = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>503"
                               "</title></head><body><p>服务暂不可用，请稍后再试。 The service is "
                               "unavailable; please try again shortly.</p></body></html>\n";

    return send_page(q->c, 503, "text/html; charset=utf-8", body, sizeof(body) - 1, &x);
}

/* ---- request helpers --------------------------------------------------------------------- */

static const char *arg(const page_req_t *q, const char *key)
{
    return MHD_lookup_connection_value(q->c, MHD_GET_ARGUMENT_KIND, key);
}

static const char *header(const page_req_t *q, const char *key)
{
    return MHD_lookup_connection_value(q->c, MHD_HEADER_KIND, key);
}

static int hexval(char ch)
{
    if(ch >= '0' && ch <= '9')
        return ch - '0';
    if(ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if(ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* One field of an application/x-www-form-urlencoded body, decoded into
 * out (cut at cap-1 bytes). false when absent. */
static bool form_get(const char *body, size_t len, const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key), i = 0, n;

    out[0] = '\0';
    while(i < len) {
        size_t end = i;
        while(end < len && body[end] != '&')
            end++;
        if(end - i > klen && !strncmp(body + i, key, klen) && body[i + klen] == '=') {
            size_t j = i + klen + 1;
            n = 0;
            while(j < end && n + 1 < cap) {
                int hi, lo;
                if(body[j] == '+') {
                    out[n++] = ' ';
                    j++;
                } else if(body[j] == '%' && j + 2 < end && (hi = hexval(body[j + 1])) >= 0 &&
                          (lo = hexval(body[j + 2])) >= 0) {
                    out[n++] = (char)(hi * 16 + lo);
                    j += 3;
                } else {
                    out[n++] = body[j++];
                }
            }
            out[n] = '\0';
            return true;
        }
        if(end - i == klen && !strncmp(body + i, key, klen))
            return true; /* "key" alone: empty */
        i = end + 1;
    }
    return false;
}

/* Percent-encode s for a query value. */
static void put_q(hk_buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s;

    for(; *u; u++) {
        if((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') ||
           *u == '-' || *u == '.' || *u == '_' || *u == '~')
            hk_buf_put(b, (const char *)u, 1);
        else
            hk_buf_printf(b, "%%%c%c", hex[*u >> 4], hex[*u & 15]);
    }
}

/* English? ?lang= wins, then the first language of Accept-Language; zh by default. */
static bool want_en(const page_req_t *q, const char *form_lang)
{
    const char *l = form_lang && form_lang[0] ? form_lang : arg(q, "lang");
    const char *al;

    if(l && l[0])
        return !strncasecmp(l, "en", 2);
    al = header(q, "Accept-Language");
    while(al && (*al == ' ' || *al == '\t'))
        al++;
    return al && !strncasecmp(al, "en", 2);
}

/* Is the request from one of our own pages? Origin, else Referer, must be
 * https://<Host>. */
static bool same_origin(const page_req_t *q, bool required)
{
    const char *host = header(q, "Host");
    const char *origin = header(q, "Origin");
    const char *ref = header(q, "Referer");
    char want[300];
    size_t n;

    if(!host || !host[0])
        return false;
    n = (size_t)snprintf(want, sizeof(want), "https://%s", host);
    if(n >= sizeof(want))
        return false;
    if(origin && strcmp(origin, "null") != 0)
        return !strcmp(origin, want);
    if(ref)
        return !strncmp(ref, want, n) && (ref[n] == '/' || ref[n] == '\0');
    return !required;
}

static bool is_form(const page_req_t *q)
{
    const char *ct = header(q, "Content-Type");

    return !ct || strncasecmp(ct, "application/json", 16) != 0;
}

/* The logged-in user, from the session cookie. */
static const central_user_t *session_user(const page_req_t *q)
{
    const char *cookie = MHD_lookup_connection_value(q->c, MHD_COOKIE_KIND, CENTRAL_PAGES_COOKIE);
    char id[CENTRAL_ID_LEN];

    if(!cookie || !q->p->cfg->session_key[0])
        return NULL;
    if(!central_session_check(q->p->cfg->session_key, cookie, wall_ms(), id))
        return NULL;
    return central_config_user(q->p->cfg, id);
}

static int branch_offset(const central_branch_cfg_t *b)
{
    return b && b->parsed ? b->parsed->config.utc_offset_min : DEFAULT_OFFSET;
}

/* Copy a name, cut at cap-1 bytes (scope names are shorter than config texts). */
static void copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if(n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void local_day(int64_t ms, int offset_min, char out[REPORT_DAY_LEN])
{
    hk_time_local_t t;
    char d[32];

    hk_time_local(ms, offset_min, &t);
    snprintf(d, sizeof(d), "%04d-%02d-%02d", t.date.year, t.date.month, t.date.day);
    copy_name(out, REPORT_DAY_LEN, d);
}

static bool day_ok(const char *day)
{
    hk_time_date_t d;

    return day && strlen(day) == 10 && hk_time_parse_day(day, &d) == HK_OK;
}

/* ---- the ticket status page ------------------------------------------------------------- */

/* The one "no such ticket" page: the same bytes whatever the reason. */
static enum MHD_Result status_not_found(const page_req_t *q)
{
    ticket_status_t st;
    char *html = NULL;
    size_t len = 0;
    enum MHD_Result ret;

    memset(&st, 0, sizeof(st));
    st.state = TICKET_STATUS_UNKNOWN;
    st.ahead = -1;
    st.est_wait_s = -1;
    if(ticket_status_html(&st, "", NULL, !q->en, DEFAULT_OFFSET, &html, &len) != HK_OK)
        return MHD_NO;
    ret = send_page(q->c, 404, "text/html; charset=utf-8", html, len, NULL);
    hk_free(html);
    return ret;
}

static bool number_ok(const char *s)
{
    size_t n = strlen(s);

    return n >= 1 && n < 8 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
}

/* One branch-day's events as an array of central_event_t (shallow: the
 * bodies stay the rows'); free both with day_events_free. HK_OK,
 * HK_ERR_NOMEM, or a store error. */
static hk_err_t day_events(const page_req_t *q, const char *branch, const char *day,
                           central_event_row_t **rows, central_event_t **ev, int *n)
{
    hk_err_t rc = central_store_day_events(q->s, branch, day, rows, n);
    int i;

    *ev = NULL;
    if(rc != HK_OK)
        return rc;
    if(*n > 0 && !(*ev = hk_calloc((size_t)*n, sizeof(**ev)))) {
        central_event_rows_free(*rows, *n);
        return HK_ERR_NOMEM;
    }
    for(i = 0; i < *n; i++)
        (*ev)[i] = (*rows)[i].ev;
    return HK_OK;
}

static void day_events_free(central_event_row_t *rows, central_event_t *ev, int n)
{
    hk_free(ev);
    central_event_rows_free(rows, n);
}

static enum MHD_Result do_status(const page_req_t *q)
{
    char branch[CENTRAL_ID_LEN], day[REPORT_DAY_LEN], number[8], label[64];
    const char *rest = q->url + 3, *slash1, *slash2, *sig = arg(q, "s");
    const central_branch_cfg_t *b;
    const config_t *cfg;
    central_event_row_t *rows = NULL;
    central_event_t *ev = NULL;
    ticket_status_t st;
    char *html = NULL;
    size_t len = 0;
    enum MHD_Result ret;
    hk_err_t rc;
    int n = 0, i;

    slash1 = strchr(rest, '/');
    slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
    if(!slash1 || !slash2 || strchr(slash2 + 1, '/') || (size_t)(slash1 - rest) >= sizeof(branch) ||
       (size_t)(slash2 - slash1 - 1) >= sizeof(day) || strlen(slash2 + 1) >= sizeof(number))
        return status_not_found(q);
    snprintf(branch, sizeof(branch), "%.*s", (int)(slash1 - rest), rest);
    snprintf(day, sizeof(day), "%.*s", (int)(slash2 - slash1 - 1), slash1 + 1);
    snprintf(number, sizeof(number), "%s", slash2 + 1);
    b = central_config_branch(q->p->cfg, branch);
    if(!b || !b->parsed || !day_ok(day) || !number_ok(number) || !sig)
        return status_not_found(q);
    cfg = &b->parsed->config;
    if(!ticket_url_key_ok(cfg->ticket_url_key) ||
       !ticket_url_sig_ok(cfg->ticket_url_key, branch, day, number, sig))
        return status_not_found(q);
    if(!q->s)
        return send_unavailable(q);
    rc = day_events(q, branch, day, &rows, &ev, &n);
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK)
        return send_unavailable(q);
    rc = ticket_status_compute(ev, n, day, number, wall_ms(), &st);
    day_events_free(rows, ev, n);
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK || st.state == TICKET_STATUS_UNKNOWN)
        return status_not_found(q);
    label[0] = '\0';
    i = st.counter[0] ? config_counter_index(cfg, st.counter) : -1;
    if(i >= 0) {
        if(q->en)
            snprintf(label, sizeof(label), "Counter %d", cfg->counters[i].number);
        else
            snprintf(label, sizeof(label), "%d号窗口", cfg->counters[i].number);
    }
    rc = ticket_status_html(&st,
                            q->en ? (b->name_en[0] ? b->name_en : cfg->branch_name_en)
                                  : (b->name_zh[0] ? b->name_zh : cfg->branch_name_zh),
                            label[0] ? label : NULL, !q->en, cfg->utc_offset_min, &html, &len);
    if(rc != HK_OK)
        return MHD_NO;
    ret = send_page(q->c, 200, "text/html; charset=utf-8", html, len, NULL);
    hk_free(html);
    return ret;
}

/* ---- submission (issue 8.5): a submitted problem's status page ------------------------------ */

/* GET /s/{branch}/{ref}?s={sig}: {sig} is ticket_url_sig over branch, the
 * reference's day and the reference (what the kiosk's
 * ticket.submit_url_template printed). A bad signature, branch or
 * reference is the ticket page's 404 (no oracle); a good one whose event
 * has not reached head office yet says so, with the local reference. */
static enum MHD_Result do_submission_status(const page_req_t *q)
{
    char branch[CENTRAL_ID_LEN], ref[16], day[11], uuid[64];
    const char *rest = q->url + 3, *slash = strchr(rest, '/'), *sig = arg(q, "s");
    const central_branch_cfg_t *b;
    const config_t *cfg;
    central_event_row_t *rows = NULL;
    central_event_t *ev = NULL;
    submission_status_t st;
    cases_case_t c;
    char *html = NULL;
    size_t len = 0;
    enum MHD_Result ret;
    hk_err_t rc;
    int n = 0;

    if(!slash || strchr(slash + 1, '/') || (size_t)(slash - rest) >= sizeof(branch) ||
       strlen(slash + 1) >= sizeof(ref))
        return status_not_found(q);
    snprintf(branch, sizeof(branch), "%.*s", (int)(slash - rest), rest);
    snprintf(ref, sizeof(ref), "%s", slash + 1);
    b = central_config_branch(q->p->cfg, branch);
    if(!b || !b->parsed || !sig || !submission_status_ref_day(ref, day))
        return status_not_found(q);
    cfg = &b->parsed->config;
    if(!ticket_url_key_ok(cfg->ticket_url_key) ||
       !ticket_url_sig_ok(cfg->ticket_url_key, branch, day, ref, sig))
        return status_not_found(q);
    if(!q->s)
        return send_unavailable(q);
    rc = day_events(q, branch, day, &rows, &ev, &n);
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK)
        return send_unavailable(q);
    rc = submission_status_find(ev, n, ref, uuid, &st);
    day_events_free(rows, ev, n);
    if(rc == HK_OK && central_store_case_get(q->s, uuid, &c) == HK_OK)
        submission_status_apply_case(&st, &c); /* head office's case number from now on */
    rc = submission_status_html(&st,
                                q->en ? (b->name_en[0] ? b->name_en : cfg->branch_name_en)
                                      : (b->name_zh[0] ? b->name_zh : cfg->branch_name_zh),
                                !q->en, cfg->utc_offset_min, &html, &len);
    if(rc != HK_OK)
        return MHD_NO;
    ret = send_page(q->c, 200, "text/html; charset=utf-8", html, len, NULL);
    hk_free(html);
    return ret;
}

/* ---- login ---------------------------------------------------------------------------------- */

static enum MHD_Result login_form(const page_req_t *q, unsigned int status, const char *user,
                                  const char *next, const char *error, int retry_after_s)
{
    extra_hdr_t x = { NULL, NULL, retry_after_s, NULL };
    hk_buf_t b;
    char *html = NULL;
    size_t len = 0;
    enum MHD_Result ret;
    const bool en = q->en;

    hk_buf_init(&b, 64 * 1024);
    hk_buf_printf(&b,
                  "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>%s</title>%s</head><body><main>"
                  "<h1>%s</h1>",
                  en ? "en" : "zh-CN", en ? "Log in · Service reports" : "登录 · 服务报表",
                  page_css, en ? "Service reports: log in" : "服务报表登录");
    if(error) {
        hk_buf_puts(&b, "<p class=\"err\" role=\"alert\" id=\"err\">");
        hk_buf_html(&b, error);
        hk_buf_puts(&b, "</p>");
    }
    hk_buf_printf(&b,
                  "<form method=\"post\" action=\"/login\">"
                  "<label for=\"user\">%s</label>"
                  "<input id=\"user\" name=\"user\" autocomplete=\"username\" required "
                  "autocapitalize=\"none\" spellcheck=\"false\"%s value=\"",
                  en ? "User name" : "用户名", error ? " aria-describedby=\"err\"" : "");
    hk_buf_html(&b, user ? user : "");
    hk_buf_printf(&b,
                  "\"><label for=\"password\">%s</label>"
                  "<input id=\"password\" name=\"password\" type=\"password\" "
                  "autocomplete=\"current-password\" required>"
                  "<input type=\"hidden\" name=\"lang\" value=\"%s\">"
                  "<input type=\"hidden\" name=\"next\" value=\"",
                  en ? "Password" : "密码", en ? "en" : "zh");
    hk_buf_html(&b, next ? next : "");
    hk_buf_printf(&b, "\"><button type=\"submit\">%s</button></form>", en ? "Log in" : "登录");
    hk_buf_printf(&b, "<p class=\"lang\"><a href=\"/login?lang=%s\" lang=\"%s\">%s</a></p>",
                  en ? "zh" : "en", en ? "zh-CN" : "en", en ? "中文" : "English");
    hk_buf_puts(&b, "</main></body></html>\n");
    if(hk_buf_finish(&b, &html, &len) != HK_OK)
        return MHD_NO;
    ret = send_page(q->c, status, "text/html; charset=utf-8", html, len, &x);
    hk_free(html);
    return ret;
}

/* A local path to go to after logging in ("/reports…"), never another host. */
static bool next_ok(const char *next)
{
    return next && next[0] == '/' && next[1] != '/' && next[1] != '\\' && !strpbrk(next, "\r\n") &&
           strlen(next) < 512;
}

/* With limit failures allowed per window: 0 when one more try is allowed,
 * else the seconds until it is (the limit-th newest failure leaves the
 * window then). mu held. */
static int fails_wait_s(const fails_t *f, int limit, int64_t now)
{
    int64_t t = f->at[(f->next - limit + FAIL_RING) % FAIL_RING];

    if(!t || now - t >= CENTRAL_PAGES_FAIL_MS)
        return 0;
    return (int)((t + CENTRAL_PAGES_FAIL_MS - now + 999) / 1000);
}

static void fails_add(fails_t *f, int64_t now)
{
    f->at[f->next] = now;
    f->next = (f->next + 1) % FAIL_RING;
}

/* The calling client's address ("" when MHD does not say). */
static void client_ip(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    out[0] = '\0';
    /* copied out, not cast: MHD's pointer need not be aligned for sockaddr_in */
    if(sa && sa->sa_family == AF_INET) {
        struct sockaddr_in in4;
        memcpy(&in4, sa, sizeof(in4));
        (void)inet_ntop(AF_INET, &in4.sin_addr, out, INET6_ADDRSTRLEN);
    } else if(sa && sa->sa_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof(in6));
        (void)inet_ntop(AF_INET6, &in6.sin6_addr, out, INET6_ADDRSTRLEN);
    }
}

/* ip's entry; with make, taken (the free one, else the one whose newest
 * failure is the oldest) when it has none. NULL: none (ip ""). mu held. */
static fails_t *ip_fails(central_pages_t *p, const char *ip, bool make)
{
    ip_fails_t *quiet = NULL;
    int i;

    if(!ip[0])
        return NULL;
    for(i = 0; i < CENTRAL_PAGES_IP_SLOTS; i++) {
        ip_fails_t *e = &p->ips[i];
        if(!strcmp(e->ip, ip))
            return &e->f;
        if(!quiet || !e->ip[0] ||
           (quiet->ip[0] && e->f.at[(e->f.next + FAIL_RING - 1) % FAIL_RING] <
                                quiet->f.at[(quiet->f.next + FAIL_RING - 1) % FAIL_RING]))
            quiet = e;
    }
    if(!make)
        return NULL;
    memset(quiet, 0, sizeof(*quiet));
    snprintf(quiet->ip, sizeof(quiet->ip), "%s", ip);
    return &quiet->f;
}

/* Is a login for user index u (-1: unknown) from ip allowed now? 0, else
 * the seconds to wait: per user CENTRAL_PAGES_FAILS, per address
 * CENTRAL_PAGES_IP_FAILS failures in CENTRAL_PAGES_FAIL_MS. */
static int login_wait_s(central_pages_t *p, int u, const char *ip, int64_t now)
{
    const fails_t *f;
    int wait = 0, w;

    pthread_mutex_lock(&p->mu);
    if(u >= 0)
        wait = fails_wait_s(&p->fails[u], CENTRAL_PAGES_FAILS, now);
    f = ip_fails(p, ip, false);
    if(f && (w = fails_wait_s(f, CENTRAL_PAGES_IP_FAILS, now)) > wait)
        wait = w;
    pthread_mutex_unlock(&p->mu);
    return wait;
}

static void login_failed(central_pages_t *p, int u, const char *ip, int64_t now)
{
    fails_t *f;

    pthread_mutex_lock(&p->mu);
    if(u >= 0)
        fails_add(&p->fails[u], now);
    f = ip_fails(p, ip, true);
    if(f)
        fails_add(f, now);
    pthread_mutex_unlock(&p->mu);
}

static enum MHD_Result do_login_post(page_req_t *q)
{
    char user[CENTRAL_AUTH_NAME_LEN], password[256], next[512], lang[8];
    char cookie[CENTRAL_AUTH_COOKIE_LEN], set[CENTRAL_AUTH_COOKIE_LEN + 128];
    char ip[INET6_ADDRSTRLEN];
    const central_user_t *u;
    int64_t now = wall_ms();
    int idx, wait;
    bool ok;

    (void)form_get(q->body, q->len, "lang", lang, sizeof(lang));
    q->en = want_en(q, lang);
    if(!same_origin(q, true))
        return send_message(q, 403, q->en ? "Refused" : "已拒绝",
                            q->en ? "This form must be sent from this site's own page."
                                  : "请从本站的登录页提交。",
                            "/login");
    (void)form_get(q->body, q->len, "user", user, sizeof(user));
    (void)form_get(q->body, q->len, "password", password, sizeof(password));
    (void)form_get(q->body, q->len, "next", next, sizeof(next));
    if(!next_ok(next))
        snprintf(next, sizeof(next), "/reports%s", q->en ? "?lang=en" : "");
    u = central_config_user(q->p->cfg, user);
    idx = u ? (int)(u - q->p->cfg->users) : -1;
    client_ip(q->c, ip);
    if((wait = login_wait_s(q->p, idx, ip, now)) > 0) {
        sodium_memzero(password, sizeof(password));
        return login_form(q, 429, user, next,
                          q->en ? "Too many failed logins: wait a few minutes and try again."
                                : "登录失败次数过多，请几分钟后再试。",
                          wait);
    }
    ok = central_password_ok(u ? u->password_hash : q->p->dummy_hash, password) && u &&
         q->p->cfg->session_key[0];
    sodium_memzero(password, sizeof(password));
    if(!ok) {
        login_failed(q->p, idx, ip, now);
        hk_log_warn(LOG_MOD, "failed report login for \"%s\" from %s", u ? u->id : "(unknown user)",
                    ip[0] ? ip : "?");
        return login_form(
            q, 401, user, next,
            q->en ? "The user name or the password is wrong." : "用户名或密码不正确。", 0);
    }
    if(central_session_issue(q->p->cfg->session_key, u->id, now + CENTRAL_AUTH_SESSION_MS,
                             cookie) != HK_OK)
        return MHD_NO;
    snprintf(set, sizeof(set),
             CENTRAL_PAGES_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; Secure; "
                                  "SameSite=Strict",
             cookie, (long long)(CENTRAL_AUTH_SESSION_MS / 1000));
    hk_log_info(LOG_MOD, "report user \"%s\" logged in", u->id);
    return send_redirect(q->c, next, set);
}

static enum MHD_Result do_logout(const page_req_t *q)
{
    if(!same_origin(q, true))
        return send_message(q, 403, q->en ? "Refused" : "已拒绝",
                            q->en ? "This form must be sent from this site's own page."
                                  : "请从本站的页面提交。",
                            "/reports");
    return send_redirect(q->c, q->en ? "/login?lang=en" : "/login",
                         CENTRAL_PAGES_COOKIE "=; Path=/; Max-Age=0; HttpOnly; Secure; "
                                              "SameSite=Strict");
}

static enum MHD_Result to_login(const page_req_t *q)
{
    hk_buf_t b;
    char *loc = NULL;
    enum MHD_Result ret;
    size_t len = 0;

    /* come back to the page asked for */
    hk_buf_init(&b, 4096);
    hk_buf_printf(&b, "/login?%snext=", q->en ? "lang=en&" : "");
    put_q(&b, q->url);
    if(hk_buf_finish(&b, &loc, &len) != HK_OK)
        return MHD_NO;
    ret = send_redirect(q->c, loc, NULL);
    hk_free(loc);
    return ret;
}

/* ---- scopes ------------------------------------------------------------------------------- */

/* Is branch b in scope sc? */
static bool in_scope(const central_scope_t *sc, const central_branch_cfg_t *b)
{
    return central_scope_covers(sc, b->id, b->city, b->province);
}

/* May user see scope sc: sc is at or below the user's level and every
 * branch of it is the user's. */
static bool user_covers(const central_user_t *u, const central_scope_t *sc,
                        const central_config_t *cfg)
{
    int i;

    if((int)sc->level < (int)u->scope.level)
        return false;
    for(i = 0; i < cfg->n_branches; i++)
        if(in_scope(sc, &cfg->branches[i]) && !in_scope(&u->scope, &cfg->branches[i]))
            return false;
    return true;
}

static int scope_branches(const central_config_t *cfg, const central_scope_t *sc, const char **ids)
{
    int i, n = 0;

    for(i = 0; i < cfg->n_branches; i++)
        if(in_scope(sc, &cfg->branches[i])) {
            if(ids)
                ids[n] = cfg->branches[i].id;
            n++;
        }
    return n;
}

static void scope_text(const central_scope_t *sc, char *out, size_t cap)
{
    static const char *const lv[] = { "hq", "province", "city", "branch" };

    if(sc->level == CENTRAL_SCOPE_HQ)
        snprintf(out, cap, "hq");
    else
        snprintf(out, cap, "%s:%s", lv[sc->level], sc->name);
}

/* ---- reports ------------------------------------------------------------------------------- */

static void fill_names(report_t *r, const central_branch_cfg_t *b, bool en)
{
    const config_t *cfg = b->parsed ? &b->parsed->config : NULL;
    int i, k;

    if(!cfg)
        return;
    for(i = 0; i < r->n_staff; i++) {
        if(strcmp(r->staff[i].branch, b->id) != 0 || r->staff[i].name[0])
            continue;
        for(k = 0; k < cfg->n_staff; k++) {
            if(!strcmp(cfg->staff[k].id, r->staff[i].id)) {
                const char *nm =
                    en && cfg->staff[k].name_en[0] ? cfg->staff[k].name_en : cfg->staff[k].name_zh;
                snprintf(r->staff[i].name, sizeof(r->staff[i].name), "%s", nm);
                break;
            }
        }
    }
}

static hk_err_t branch_report(central_store_t *s, const central_branch_cfg_t *b, const char *day,
                              bool en, report_t *out, hk_diag_t *diag)
{
    central_event_row_t *rows = NULL;
    report_event_t *ev = NULL;
    report_params_t prm;
    hk_err_t rc;
    int n = 0, i;

    report_init(out);
    rc = central_store_day_events(s, b->id, day, &rows, &n);
    if(rc != HK_OK) {
        hk_diag_set(diag, "%s: cannot read its events: %s", b->id, hk_err_str(rc));
        return rc;
    }
    if(n > 0) {
        ev = hk_calloc((size_t)n, sizeof(*ev));
        if(!ev) {
            central_event_rows_free(rows, n);
            return HK_ERR_NOMEM;
        }
    }
    for(i = 0; i < n; i++) {
        ev[i].device = rows[i].device;
        ev[i].branch = b->id;
        ev[i].seq = rows[i].ev.seq;
        ev[i].type = rows[i].ev.type;
        ev[i].time_ms = rows[i].ev.time_ms;
        ev[i].body = rows[i].ev.body;
    }
    memset(&prm, 0, sizeof(prm));
    prm.branch = b->id;
    prm.day = day;
    prm.utc_offset_min = branch_offset(b);
    prm.name_zh =
        b->name_zh[0] ? b->name_zh : (b->parsed ? b->parsed->config.branch_name_zh : b->id);
    prm.name_en =
        b->name_en[0] ? b->name_en : (b->parsed ? b->parsed->config.branch_name_en : b->id);
    rc = report_compute(ev, (size_t)n, &prm, out, diag);
    hk_free(ev);
    central_event_rows_free(rows, n);
    if(rc == HK_OK)
        fill_names(out, b, en);
    return rc;
}

/* The report of scope sc (a branch, or a roll-up of the level below). */
static hk_err_t scope_report(central_store_t *s, const central_config_t *cfg,
                             const central_scope_t *sc, const char *day, bool en, report_t *out,
                             hk_diag_t *diag)
{
    static const report_scope_t as_report[] = { REPORT_SCOPE_HEAD_OFFICE, REPORT_SCOPE_PROVINCE,
                                                REPORT_SCOPE_CITY, REPORT_SCOPE_BRANCH };
    central_scope_t child;
    hk_err_t rc = HK_OK;
    int i, j;

    if(sc->level == CENTRAL_SCOPE_BRANCH) {
        const central_branch_cfg_t *b = central_config_branch(cfg, sc->name);
        if(!b) {
            hk_diag_set(diag, "scope: no branch \"%s\"", sc->name);
            return HK_ERR_NOT_FOUND;
        }
        return branch_report(s, b, day, en, out, diag);
    }
    report_rollup_init(out, as_report[sc->level], sc->level == CENTRAL_SCOPE_HQ ? "hq" : sc->name,
                       sc->level == CENTRAL_SCOPE_HQ ? "总部" : sc->name,
                       /* cities and provinces have one name, as the config writes it */
                       sc->level == CENTRAL_SCOPE_HQ ? "Head office" : "", day);
    /* one child per distinct name of the level below, in config order */
    for(i = 0; i < cfg->n_branches && rc == HK_OK; i++) {
        const central_branch_cfg_t *b = &cfg->branches[i];
        report_t sub;
        bool seen = false;
        if(!in_scope(sc, b))
            continue;
        memset(&child, 0, sizeof(child));
        child.level = (central_scope_level_t)(sc->level + 1);
        copy_name(child.name, sizeof(child.name),
                  child.level == CENTRAL_SCOPE_PROVINCE ? b->province
                  : child.level == CENTRAL_SCOPE_CITY   ? b->city
                                                        : b->id);
        for(j = 0; j < i && !seen; j++) {
            const central_branch_cfg_t *o = &cfg->branches[j];
            seen = in_scope(sc, o) && in_scope(&child, o);
        }
        if(seen)
            continue;
        rc = scope_report(s, cfg, &child, day, en, &sub, diag);
        if(rc == HK_OK)
            rc = report_merge(out, &sub, diag);
        report_fini(&sub);
    }
    if(rc != HK_OK)
        report_fini(out);
    return rc;
}

/* The cases the page lists: open ones, and those closed on the day. */
static hk_err_t page_cases(central_store_t *s, const char *const *ids, int n_ids, const char *day,
                           int offset, bool open_only, cases_case_t **out, int *n_out)
{
    cases_case_t *all = NULL;
    char d[REPORT_DAY_LEN];
    int n = 0, i, k = 0;
    hk_err_t rc;

    *out = NULL;
    *n_out = 0;
    if(n_ids == 0)
        return HK_OK;
    rc = central_store_cases_list(s, ids, n_ids, open_only, &all, &n);
    if(rc != HK_OK)
        return rc;
    for(i = 0; i < n; i++) {
        if(all[i].closed && day) {
            local_day(all[i].closed_ms, offset, d);
            if(strcmp(d, day) != 0)
                continue;
        }
        all[k++] = all[i];
    }
    *out = all;
    *n_out = k;
    return HK_OK;
}

static const char *cause_label(const char *cause, bool en)
{
    static const char *const zh[] = { "服务态度", "等候时间",     "业务流程", "系统故障",
                                      "资费政策", "误解，已解释", "其他" };
    static const char *const enl[] = {
        "Staff attitude", "Waiting time",     "Process",
        "System fault",   "Tariff or policy", "Misunderstanding (explained)",
        "Other"
    };
    int i;

    for(i = 0; cases_causes[i]; i++)
        if(!strcmp(cases_causes[i], cause))
            return en ? enl[i] : zh[i];
    return cause;
}

static void fmt_time(int64_t ms, int offset, char out[32])
{
    hk_time_local_t t;

    hk_time_local(ms, offset, &t);
    snprintf(out, 32, "%02d-%02d %02d:%02d", t.date.month % 100, t.date.day % 100,
             t.min_of_day / 60, t.min_of_day % 60);
}

static const char nav_css[] =
    "<style>\n"
    "nav.top{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:flex-end;"
    "background:#f0f3f6;border:1px solid #d8dee4;border-radius:8px;padding:10px 14px;"
    "margin-bottom:16px;font-size:13px}\n"
    "nav.top label{display:flex;flex-direction:column;font-weight:600;color:#3d444d;gap:2px}\n"
    "nav.top input,nav.top select,.act input,.act select{font:inherit;padding:5px 6px;"
    "border:1px solid #8c959f;border-radius:5px;background:#fff}\n"
    "nav.top button,.act button{font:inherit;font-weight:600;padding:6px 12px;border:0;"
    "border-radius:5px;background:#1565c0;color:#fff;cursor:pointer}\n"
    "nav.top .sp{flex:1}nav.top a{color:#1565c0}\n"
    "nav.top form.out button{background:#57606a}\n"
    ".act{display:flex;flex-wrap:wrap;gap:6px;align-items:center}\n"
    ".act input[type=text]{width:9em}\n"
    "</style>\n";

/* The navigation: day, scope (those the user may see), language, JSON, log out. */
static void put_nav(hk_buf_t *b, const page_req_t *q, const char *scope, const char *day)
{
    const central_config_t *cfg = q->p->cfg;
    const bool en = q->en;
    char opt[CENTRAL_AUTH_NAME_LEN + 16];
    int i, j, lv;

    hk_buf_puts(b, nav_css);
    hk_buf_printf(b,
                  "<nav class=\"top\" aria-label=\"%s\"><form method=\"get\" action=\"/reports\" "
                  "class=\"act\"><label for=\"day\">%s<input type=\"date\" id=\"day\" name=\"day\" "
                  "value=\"",
                  en ? "Report" : "报表", en ? "Day" : "日期");
    hk_buf_html(b, day);
    hk_buf_printf(b, "\"></label><label for=\"scope\">%s<select id=\"scope\" name=\"scope\">",
                  en ? "Scope" : "范围");
    /* hq, provinces, cities, branches the user covers, each once */
    for(lv = CENTRAL_SCOPE_HQ; lv <= CENTRAL_SCOPE_BRANCH; lv++) {
        for(i = 0; i < cfg->n_branches; i++) {
            const central_branch_cfg_t *br = &cfg->branches[i];
            central_scope_t sc;
            bool seen = false;
            const char *name = lv == CENTRAL_SCOPE_PROVINCE ? br->province
                               : lv == CENTRAL_SCOPE_CITY   ? br->city
                                                            : br->id;
            memset(&sc, 0, sizeof(sc));
            sc.level = (central_scope_level_t)lv;
            copy_name(sc.name, sizeof(sc.name), lv == CENTRAL_SCOPE_HQ ? "" : name);
            for(j = 0; j < i && !seen; j++)
                seen = lv == CENTRAL_SCOPE_HQ ||
                       !strcmp(name, lv == CENTRAL_SCOPE_PROVINCE ? cfg->branches[j].province
                                     : lv == CENTRAL_SCOPE_CITY   ? cfg->branches[j].city
                                                                  : cfg->branches[j].id);
            if(seen || !user_covers(q->user, &sc, cfg))
                continue;
            scope_text(&sc, opt, sizeof(opt));
            hk_buf_puts(b, "<option value=\"");
            hk_buf_html(b, opt);
            hk_buf_printf(b, "\"%s>", !strcmp(opt, scope) ? " selected" : "");
            switch(lv) {
            case CENTRAL_SCOPE_HQ: hk_buf_puts(b, en ? "Head office" : "总部"); break;
            case CENTRAL_SCOPE_PROVINCE:
                hk_buf_puts(b, en ? "Province: " : "省：");
                hk_buf_html(b, name);
                break;
            case CENTRAL_SCOPE_CITY:
                hk_buf_puts(b, en ? "City: " : "市：");
                hk_buf_html(b, name);
                break;
            default:
                hk_buf_puts(b, en ? "Branch: " : "营业厅：");
                hk_buf_html(b, en ? (br->name_en[0] ? br->name_en : br->id)
                                  : (br->name_zh[0] ? br->name_zh : br->id));
                break;
            }
            hk_buf_puts(b, "</option>");
        }
    }
    hk_buf_printf(b,
                  "</select></label><input type=\"hidden\" name=\"lang\" value=\"%s\">"
                  "<button type=\"submit\">%s</button></form><span class=\"sp\"></span>",
                  en ? "en" : "zh", en ? "Show" : "查看");
    hk_buf_puts(b, "<a href=\"/reports?scope=");
    put_q(b, scope);
    hk_buf_puts(b, "&amp;day=");
    put_q(b, day);
    hk_buf_printf(b, "&amp;lang=%s\" lang=\"%s\">%s</a>", en ? "zh" : "en", en ? "zh-CN" : "en",
                  en ? "中文" : "English");
    hk_buf_puts(b, "<a href=\"/reports?scope=");
    put_q(b, scope);
    hk_buf_puts(b, "&amp;day=");
    put_q(b, day);
    hk_buf_puts(b, "&amp;format=json\">JSON</a>");
    hk_buf_puts(b, "<span>");
    hk_buf_html(b, q->user->id);
    hk_buf_printf(b,
                  "</span><form method=\"post\" action=\"/logout\" class=\"out\">"
                  "<button type=\"submit\">%s</button></form></nav>\n",
                  en ? "Log out" : "退出");
}

/* A branch's name in the page's language (its id when it has none). */
static void put_branch_name(hk_buf_t *b, const page_req_t *q, const char *id)
{
    const central_branch_cfg_t *br = central_config_branch(q->p->cfg, id);
    const char *name = !br ? id : q->en ? br->name_en : br->name_zh;

    hk_buf_html(b, name && name[0] ? name : id);
}

static void put_alerts(hk_buf_t *b, const page_req_t *q, const alert_t *al, int n, int offset)
{
    const bool en = q->en;
    char t[32];
    int i;

    hk_buf_printf(b, "<h2>%s<small>%s</small></h2>\n", en ? "Alerts" : "预警",
                  en ? "last 24 hours" : "最近24小时");
    if(n == 0) {
        hk_buf_printf(b, "<p class=\"muted\">%s</p>\n", en ? "None." : "无。");
        return;
    }
    hk_buf_printf(b,
                  "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                  "<th>%s</th></tr></thead><tbody>\n",
                  en ? "Time" : "时间", en ? "Branch" : "营业厅", en ? "Alert" : "类型",
                  en ? "Ticket" : "号码", en ? "Staff" : "员工", en ? "Detail" : "详情");
    for(i = 0; i < n; i++) {
        const alert_t *a = &al[i];
        const bool wait = !strcmp(a->kind, "long_wait");
        fmt_time(a->time_ms, offset, t);
        hk_buf_printf(b, "<tr><td class=\"nw t\">%s</td><td>", t);
        put_branch_name(b, q, a->branch);
        hk_buf_printf(b, "</td><td><span class=\"badge b-over\">%s</span></td><td>",
                      wait ? (en ? "Long wait" : "等候过长")
                           : (en ? "Dissatisfied rating" : "不满意评价"));
        hk_buf_html(b, a->number);
        hk_buf_puts(b, "</td><td>");
        hk_buf_html(b, a->staff);
        hk_buf_puts(b, "</td><td class=\"nw\">");
        if(wait)
            hk_buf_printf(b, en ? "waited %d min" : "等候%d分钟", a->wait_s / 60);
        else
            hk_buf_printf(b, en ? "level %d" : "%d级", a->level);
        hk_buf_puts(b, "</td></tr>\n");
    }
    hk_buf_puts(b, "</tbody></table>\n");
}

/* The follow-up actions: one row per open case (and the closed ones of
 * the day, to reopen), a form each. */
static void put_case_forms(hk_buf_t *b, const page_req_t *q, const cases_case_t *cs, int n)
{
    const bool en = q->en;
    int i, k;

    hk_buf_printf(b, "<h2>%s</h2>\n", en ? "Follow up" : "跟进处理");
    if(n == 0) {
        hk_buf_printf(b, "<p class=\"muted\">%s</p>\n", en ? "No cases." : "无待办。");
        return;
    }
    hk_buf_printf(b, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
                  en ? "Ticket" : "号码", en ? "State" : "状态", en ? "Action" : "操作");
    for(i = 0; i < n; i++) {
        const cases_case_t *c = &cs[i];
        hk_buf_puts(b, "<tr><td class=\"nw\">");
        put_branch_name(b, q, c->branch);
        hk_buf_puts(b, " ");
        hk_buf_html(b, c->number[0] ? c->number : "—");
        hk_buf_puts(b, "</td><td>");
        if(c->closed) {
            hk_buf_printf(b, "<span class=\"badge b-closed\">%s</span> ", en ? "Closed" : "已办结");
            hk_buf_html(b, cause_label(c->cause, en));
        } else {
            hk_buf_printf(b, "<span class=\"badge b-open\">%s</span> ", en ? "Open" : "处理中");
            if(c->owner[0]) {
                hk_buf_puts(b, en ? "owner " : "负责人 ");
                hk_buf_html(b, c->owner);
                hk_buf_puts(b, "; ");
            }
            if(c->callback_reached)
                hk_buf_puts(b, en ? "called back" : "已回访");
            else if(c->callback_attempts > 0)
                hk_buf_printf(b, en ? "%d call-back(s), not reached" : "回访%d次未接通",
                              c->callback_attempts);
            else
                hk_buf_puts(b, en ? "no call-back yet" : "尚未回访");
        }
        hk_buf_puts(b, "</td><td><form method=\"post\" class=\"act\" action=\"/cases/");
        put_q(b, c->id);
        hk_buf_printf(b, "\"><input type=\"hidden\" name=\"version\" value=\"%" PRId64 "\">",
                      c->version);
        hk_buf_printf(b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", en ? "en" : "zh");
        hk_buf_printf(b, "<label class=\"sr\">%s <select name=\"action\">", en ? "Action" : "操作");
        if(c->closed) {
            hk_buf_printf(b, "<option value=\"reopen\">%s</option>", en ? "Reopen" : "重新打开");
        } else {
            hk_buf_printf(b,
                          "<option value=\"callback\">%s</option>"
                          "<option value=\"callback_missed\">%s</option>"
                          "<option value=\"assign\">%s</option>"
                          "<option value=\"close\">%s</option>",
                          en ? "Called back: reached" : "回访：已接通",
                          en ? "Called back: not reached" : "回访：未接通",
                          en ? "Assign owner" : "指定负责人", en ? "Close" : "办结");
        }
        hk_buf_puts(b, "</select></label>");
        if(!c->closed) {
            hk_buf_printf(b,
                          "<label>%s <input type=\"text\" name=\"owner\" maxlength=\"90\"></label>"
                          "<label>%s <select name=\"cause\"><option value=\"\">—</option>",
                          en ? "Owner" : "负责人", en ? "Cause" : "原因");
            for(k = 0; cases_causes[k]; k++)
                hk_buf_printf(b, "<option value=\"%s\">%s</option>", cases_causes[k],
                              cause_label(cases_causes[k], en));
            hk_buf_puts(b, "</select></label>");
        }
        hk_buf_printf(b,
                      "<label>%s <input type=\"text\" name=\"note\" maxlength=\"230\"></label>"
                      "<button type=\"submit\">%s</button></form></td></tr>\n",
                      en ? "Note" : "备注", en ? "Save" : "保存");
    }
    hk_buf_puts(b, "</tbody></table>\n");
}

/* Splice the pieces into report_html_page()'s document. */
static hk_err_t splice(const char *page, const char *nav, const char *extra, char **out,
                       size_t *len_out)
{
    const char *main_at = strstr(page, "<main>");
    const char *foot = strstr(page, "<footer>");
    hk_buf_t b;

    if(!foot)
        foot = strstr(page, "</main>");
    if(!main_at || !foot || foot < main_at)
        return HK_ERR_INVALID;
    main_at += 6;
    hk_buf_init(&b, PAGE_MAX);
    hk_buf_put(&b, page, (size_t)(main_at - page));
    hk_buf_puts(&b, "\n");
    hk_buf_puts(&b, nav);
    hk_buf_put(&b, main_at, (size_t)(foot - main_at));
    hk_buf_puts(&b, extra);
    hk_buf_puts(&b, foot);
    return hk_buf_finish(&b, out, len_out);
}

/* Parse ?scope= (default the user's own), check it is known and the user's. */
static enum MHD_Result req_scope(const page_req_t *q, bool json, central_scope_t *sc, bool *ok)
{
    const char *text = arg(q, "scope");
    hk_diag_t diag;

    *ok = false;
    hk_diag_clear(&diag);
    if(!text || !text[0])
        *sc = q->user->scope;
    else if(central_scope_parse(text, "scope", sc, &diag) != HK_OK)
        return json
                   ? send_json_error(q->c, 400, "invalid_request", diag.msg)
                   : send_message(q, 400, q->en ? "Bad request" : "请求有误", diag.msg, "/reports");
    if(scope_branches(q->p->cfg, sc, NULL) == 0)
        return json ? send_json_error(q->c, 404, "not_found", "no branch in that scope")
                    : send_message(q, 404, q->en ? "Not found" : "未找到",
                                   q->en ? "No branch is in that scope." : "该范围内没有营业厅。",
                                   "/reports");
    if(!user_covers(q->user, sc, q->p->cfg))
        return json
                   ? send_json_error(q->c, 403, "forbidden", "that scope is not yours")
                   : send_message(q, 403, q->en ? "Not allowed" : "无权查看",
                                  q->en ? "That scope is outside yours." : "该范围不在您的权限内。",
                                  "/reports");
    *ok = true;
    return MHD_YES;
}

static enum MHD_Result do_reports(const page_req_t *q)
{
    const central_config_t *cfg = q->p->cfg;
    const char *dayarg = arg(q, "day"), *fmt = arg(q, "format");
    const bool json = fmt && !strcmp(fmt, "json");
    central_scope_t sc;
    report_t r;
    report_html_opts_t opts;
    cases_case_t *cs = NULL;
    report_html_case_t *hc = NULL;
    alert_t *al = NULL;
    const char **ids = NULL;
    char day[REPORT_DAY_LEN], scope[CENTRAL_AUTH_NAME_LEN + 16];
    char *page = NULL, *nav = NULL, *extra = NULL, *html = NULL;
    size_t len = 0;
    hk_diag_t diag;
    hk_buf_t b;
    enum MHD_Result ret;
    bool ok;
    int n_ids, n_cs = 0, n_al = 0, i, offset;
    int64_t now = wall_ms();
    hk_err_t rc;

    ret = req_scope(q, json, &sc, &ok);
    if(!ok)
        return ret;
    n_ids = scope_branches(cfg, &sc, NULL);
    ids = hk_calloc((size_t)n_ids, sizeof(*ids));
    if(!ids)
        return MHD_NO;
    (void)scope_branches(cfg, &sc, ids);
    offset = branch_offset(central_config_branch(cfg, ids[0]));
    if(dayarg && dayarg[0]) {
        if(!day_ok(dayarg)) {
            hk_free(ids);
            return json ? send_json_error(q->c, 400, "invalid_request", "day: expected YYYY-MM-DD")
                        : send_message(q, 400, q->en ? "Bad request" : "请求有误",
                                       q->en ? "day: expected YYYY-MM-DD"
                                             : "日期格式应为 YYYY-MM-DD",
                                       "/reports");
        }
        snprintf(day, sizeof(day), "%s", dayarg);
    } else {
        local_day(now, offset, day);
    }
    scope_text(&sc, scope, sizeof(scope));
    if(!q->s) {
        hk_free(ids);
        return send_unavailable(q);
    }
    hk_diag_clear(&diag);
    rc = scope_report(q->s, cfg, &sc, day, q->en, &r, &diag);
    if(rc != HK_OK) {
        hk_free(ids);
        hk_log_error(LOG_MOD, "report %s %s: %s (%s)", scope, day, hk_err_str(rc), diag.msg);
        return rc == HK_ERR_NOMEM ? MHD_NO : send_unavailable(q);
    }
    if(json) {
        rc = report_to_json(&r, &html, &len);
        report_fini(&r);
        hk_free(ids);
        if(rc != HK_OK)
            return MHD_NO;
        ret = send_page(q->c, 200, "application/json", html, len, NULL);
        hk_free(html);
        return ret;
    }
    rc = page_cases(q->s, ids, n_ids, day, offset, false, &cs, &n_cs);
    if(rc == HK_OK)
        rc = central_store_alerts_list(q->s, ids, n_ids, now - 24 * 3600 * 1000LL, ALERTS_SHOWN,
                                       &al, &n_al);
    hk_free(ids);
    if(rc != HK_OK) {
        report_fini(&r);
        hk_free(cs);
        return rc == HK_ERR_NOMEM ? MHD_NO : send_unavailable(q);
    }
    if(n_cs > 0)
        hc = hk_calloc((size_t)n_cs, sizeof(*hc));
    if(n_cs > 0 && !hc)
        rc = HK_ERR_NOMEM;
    for(i = 0; rc == HK_OK && i < n_cs; i++)
        cases_to_html_case(&cs[i], &hc[i]);
    memset(&opts, 0, sizeof(opts));
    opts.lang = q->en ? "en" : "zh-CN";
    opts.now_ms = now;
    opts.utc_offset_min = offset;
    opts.wait_alert_ms = (int64_t)cfg->alert_limits.wait_limit_s * 1000;
    if(rc == HK_OK)
        rc = report_html_page(&r, hc, n_cs, &opts, &page, NULL);
    report_fini(&r);
    hk_free(hc);
    if(rc == HK_OK) {
        hk_buf_init(&b, 256 * 1024);
        put_nav(&b, q, scope, day);
        rc = hk_buf_finish(&b, &nav, NULL);
    }
    if(rc == HK_OK) {
        hk_buf_init(&b, PAGE_MAX);
        put_alerts(&b, q, al, n_al, offset);
        put_case_forms(&b, q, cs, n_cs);
        rc = hk_buf_finish(&b, &extra, NULL);
    }
    hk_free(cs);
    hk_free(al);
    if(rc == HK_OK)
        rc = splice(page, nav, extra, &html, &len);
    hk_free(page);
    hk_free(nav);
    hk_free(extra);
    if(rc != HK_OK)
        return MHD_NO;
    ret = send_page(q->c, 200, "text/html; charset=utf-8", html, len, NULL);
    hk_free(html);
    return ret;
}

/* ---- cases ------------------------------------------------------------------------------------ */

/* cases_to_json() plus the store's "version" (what If-Match names). */
static hk_err_t case_json(const cases_case_t *c, char **out)
{
    char *one = NULL;
    cJSON *o;
    hk_err_t rc = cases_to_json(c, &one);

    *out = NULL;
    if(rc != HK_OK)
        return rc;
    o = cJSON_Parse(one);
    hk_free(one);
    if(!o || !cJSON_AddNumberToObject(o, "version", (double)c->version)) {
        cJSON_Delete(o);
        return HK_ERR_NOMEM;
    }
    *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *out ? HK_OK : HK_ERR_NOMEM;
}

static enum MHD_Result do_cases_list(const page_req_t *q)
{
    const char *open = arg(q, "open");
    central_scope_t sc;
    cases_case_t *cs = NULL;
    const char **ids;
    hk_buf_t b;
    char *one = NULL, *json = NULL;
    size_t len = 0;
    enum MHD_Result ret;
    hk_err_t rc;
    bool ok;
    int n_ids, n = 0, i;

    ret = req_scope(q, true, &sc, &ok);
    if(!ok)
        return ret;
    if(!q->s)
        return send_unavailable(q);
    n_ids = scope_branches(q->p->cfg, &sc, NULL);
    ids = hk_calloc((size_t)n_ids, sizeof(*ids));
    if(!ids)
        return MHD_NO;
    (void)scope_branches(q->p->cfg, &sc, ids);
    rc = central_store_cases_list(q->s, ids, n_ids, open && !strcmp(open, "1"), &cs, &n);
    hk_free(ids);
    if(rc != HK_OK)
        return rc == HK_ERR_NOMEM ? MHD_NO : send_unavailable(q);
    hk_buf_init(&b, 0);
    hk_buf_puts(&b, "{\"cases\":[");
    for(i = 0; i < n; i++) {
        if(case_json(&cs[i], &one) != HK_OK) {
            b.failed = true;
            break;
        }
        hk_buf_printf(&b, "%s%s", i ? "," : "", one);
        cJSON_free(one);
        one = NULL;
    }
    hk_buf_puts(&b, "]}");
    hk_free(cs);
    if(hk_buf_finish(&b, &json, &len) != HK_OK)
        return MHD_NO;
    ret = send_page(q->c, 200, "application/json", json, len, NULL);
    hk_free(json);
    return ret;
}

/* The form's fields as the JSON cases_action_decode() reads. */
static char *form_action_json(const page_req_t *q, int64_t *version, bool *has_version)
{
    char action[24], owner[REPORT_NAME_LEN], cause[24], note[CASES_NOTE_LEN], ver[24];
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;

    *has_version = false;
    if(!o)
        return NULL;
    (void)form_get(q->body, q->len, "action", action, sizeof(action));
    (void)form_get(q->body, q->len, "owner", owner, sizeof(owner));
    (void)form_get(q->body, q->len, "cause", cause, sizeof(cause));
    (void)form_get(q->body, q->len, "note", note, sizeof(note));
    if(form_get(q->body, q->len, "version", ver, sizeof(ver)) && ver[0]) {
        *version = strtoll(ver, NULL, 10);
        *has_version = true;
    }
    if(!strcmp(action, "callback_missed")) {
        cJSON_AddStringToObject(o, "action", "callback");
        cJSON_AddBoolToObject(o, "reached", false);
    } else {
        cJSON_AddStringToObject(o, "action", action);
        if(!strcmp(action, "callback"))
            cJSON_AddBoolToObject(o, "reached", true);
    }
    if(!strcmp(action, "assign"))
        cJSON_AddStringToObject(o, "owner", owner);
    if(!strcmp(action, "close"))
        cJSON_AddStringToObject(o, "cause", cause);
    if(strcmp(action, "assign") != 0)
        cJSON_AddStringToObject(o, "note", note);
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* Where a form goes back to: the same-origin Referer's path, else /reports. */
static void back_to(const page_req_t *q, char *out, size_t cap)
{
    const char *ref = header(q, "Referer"), *host = header(q, "Host");
    char want[300];
    size_t n;

    snprintf(out, cap, "/reports%s", q->en ? "?lang=en" : "");
    if(!ref || !host)
        return;
    n = (size_t)snprintf(want, sizeof(want), "https://%s", host);
    if(n < sizeof(want) && !strncmp(ref, want, n) && ref[n] == '/' && next_ok(ref + n) &&
       strlen(ref + n) < cap)
        snprintf(out, cap, "%s", ref + n);
}

static enum MHD_Result do_case_post(page_req_t *q)
{
    const bool form = is_form(q);
    const char *id = q->url + 7, *im;
    const central_branch_cfg_t *br;
    cases_case_t c;
    cases_action_t a;
    hk_diag_t diag;
    char back[600], lang[8];
    char *text = NULL, *json = NULL;
    int64_t expected, want = 0;
    bool has_want = false;
    enum MHD_Result ret;
    hk_err_t rc;

    if(form) {
        (void)form_get(q->body, q->len, "lang", lang, sizeof(lang));
        q->en = want_en(q, lang);
    }
    if(!same_origin(q, form))
        return form ? send_message(q, 403, q->en ? "Refused" : "已拒绝",
                                   q->en ? "This form must be sent from this site's own page."
                                         : "请从本站的页面提交。",
                                   "/reports")
                    : send_json_error(q->c, 403, "forbidden", "cross-origin request");
    if(!q->s)
        return send_unavailable(q);
    rc = strlen(id) < REPORT_HTML_CASE_ID_LEN ? central_store_case_get(q->s, id, &c)
                                              : HK_ERR_NOT_FOUND;
    if(rc == HK_ERR_NOT_FOUND || rc == HK_ERR_INVALID) /* INVALID: not an id the store takes */
        return form ? send_message(q, 404, q->en ? "Not found" : "未找到",
                                   q->en ? "No such case." : "没有该跟进事项。", "/reports")
                    : send_json_error(q->c, 404, "not_found", "no such case");
    if(rc != HK_OK)
        return rc == HK_ERR_NOMEM ? MHD_NO : send_unavailable(q);
    br = central_config_branch(q->p->cfg, c.branch);
    if(!br || !central_scope_covers(&q->user->scope, br->id, br->city, br->province))
        return form ? send_message(q, 403, q->en ? "Not allowed" : "无权操作",
                                   q->en ? "That case is outside your scope."
                                         : "该事项不在您的权限内。",
                                   "/reports")
                    : send_json_error(q->c, 403, "forbidden", "that case is not in your scope");
    if(form) {
        text = form_action_json(q, &want, &has_want);
        if(!text)
            return MHD_NO;
    } else {
        im = header(q, "If-Match");
        if(im) {
            while(*im == '"' || *im == ' ' || *im == 'W' || *im == '/')
                im++;
            want = strtoll(im, NULL, 10);
            has_want = true;
        }
    }
    hk_diag_clear(&diag);
    rc = cases_action_decode(form ? text : (q->body ? q->body : ""), form ? strlen(text) : q->len,
                             &a, &diag);
    hk_free(text);
    expected = c.version;
    if(rc == HK_OK && has_want && want != expected)
        rc = HK_ERR_CONFLICT;
    if(rc == HK_OK)
        rc = cases_apply(&c, &a, wall_ms(), &diag);
    if(rc == HK_OK) {
        rc = central_store_case_update(q->s, &c, expected);
        if(rc ==
           HK_ERR_INVALID) { /* the store refused what cases_apply made: ours, not the user's */
            hk_log_error(LOG_MOD, "case %s: the store refused the update", c.id);
            rc = HK_ERR_IO;
        }
    }
    back_to(q, back, sizeof(back));
    if(rc == HK_ERR_CONFLICT) {
        const char *m = q->en ? "Someone changed this case meanwhile: reload the page and try "
                                "again."
                              : "该事项已被他人修改，请刷新页面后重试。";
        return form ? send_message(q, 409, q->en ? "Changed meanwhile" : "已被修改", m, back)
                    : send_json_error(q->c, 409, "conflict", "the case changed meanwhile");
    }
    if(rc == HK_ERR_INVALID)
        return form ? send_message(q, 400, q->en ? "Not done" : "未能保存", diag.msg, back)
                    : send_json_error(q->c, 400, "invalid_request", diag.msg);
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK)
        return send_unavailable(q);
    hk_log_info(LOG_MOD, "case %s: %s by %s", c.id, form ? "form" : "api", q->user->id);
    if(form)
        return send_redirect(q->c, back, NULL);
    c.version = expected + 1;
    if(case_json(&c, &json) != HK_OK)
        return MHD_NO;
    ret = send_page(q->c, 200, "application/json", json, strlen(json), NULL);
    cJSON_free(json);
    return ret;
}

/* ---- dispatch ------------------------------------------------------------------------------------ */

static enum MHD_Result method_not_allowed(const page_req_t *q, const char *allow)
{
    extra_hdr_t x = { NULL, NULL, 0, allow };
    static const char body[] = "{\"error\":{\"code\":\"method_not_allowed\",\"message\":"
                               "\"method not allowed\"}}";

    return send_page(q->c, 405, "application/json", body, sizeof(body) - 1, &x);
}

enum MHD_Result central_pages_serve(central_pages_t *p, struct MHD_Connection *c,
                                    central_store_t *s, const char *method, const char *url,
                                    const char *body, size_t len)
{
    page_req_t q;
    const bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    const bool post = !strcmp(method, "POST");

    memset(&q, 0, sizeof(q));
    q.p = p;
    q.c = c;
    q.s = s;
    q.method = method;
    q.url = url;
    q.body = body ? body : "";
    q.len = body ? len : 0;
    q.en = want_en(&q, NULL);
    if(!strncmp(url, "/t/", 3))
        return get ? do_status(&q) : method_not_allowed(&q, "GET");
    if(!strncmp(url, "/s/", 3)) /* submission (issue 8.5) */
        return get ? do_submission_status(&q) : method_not_allowed(&q, "GET");
    if(!strcmp(url, "/login")) {
        if(post)
            return do_login_post(&q);
        if(!get)
            return method_not_allowed(&q, "GET, POST");
        return login_form(&q, 200, NULL, next_ok(arg(&q, "next")) ? arg(&q, "next") : NULL, NULL,
                          0);
    }
    if(!strcmp(url, "/logout"))
        return post ? do_logout(&q) : method_not_allowed(&q, "POST");
    q.user = session_user(&q);
    if(!strcmp(url, "/") || !strcmp(url, "/reports")) {
        if(!get)
            return method_not_allowed(&q, "GET");
        if(!q.user)
            return to_login(&q);
        if(!strcmp(url, "/"))
            return send_redirect(c, q.en ? "/reports?lang=en" : "/reports", NULL);
        return do_reports(&q);
    }
    if(!strcmp(url, "/v1/cases")) {
        if(!get)
            return method_not_allowed(&q, "GET");
        if(!q.user)
            return send_json_error(c, 401, "unauthorized", "log in first (POST /login)");
        return do_cases_list(&q);
    }
    if(!strncmp(url, "/cases/", 7)) {
        if(!post)
            return method_not_allowed(&q, "POST");
        if(!q.user)
            return is_form(&q) ? to_login(&q)
                               : send_json_error(c, 401, "unauthorized", "log in first");
        return do_case_post(&q);
    }
    return send_json_error(c, 404, "not_found", "no such resource");
}
