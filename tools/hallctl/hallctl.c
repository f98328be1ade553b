/*
 * hallctl: the branch's LAN API from the command line, for staff and
 * engineers (docs/hallctl.md). One synchronous request (or a few) per
 * command over lan_client; exit codes 0 ok, 2 usage, 3 refused by the hub
 * (its message on stderr), 4 hub unreachable, 1 anything else (an answer
 * hallctl cannot read, no memory).
 *
 * Credentials: --token / HK_TOKEN (a device token) and --staff/--pin /
 * HK_STAFF, HK_PIN (a staff login). The staff session is cached per hub and
 * staff id under $XDG_RUNTIME_DIR/hallkiosk/ (mode 0600; fallback
 * /tmp/hallkiosk-$UID), so a script of many calls logs in once; on a 401
 * the cached session is dropped and hallctl logs in again.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "branch.h"
#include "cmd_provision.h"
#include "faq_content.h"
#include "faq_index.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "lan_client.h"
#include "lan_decode.h"
#include "sync.h"
#include "paths.h"

#define EXIT_OK          0
#define EXIT_FAIL        1
#define EXIT_USAGE       2
#define EXIT_REFUSED     3
#define EXIT_UNREACHABLE 4

#define HUB_DEFAULT "http://127.0.0.1:8080"
#ifndef HK_FAQ_DEFAULT
#define HK_FAQ_DEFAULT "assets/faq/faq.json"
#endif
#define FAQ_SEARCH_MAX 20
#define SESSION_LEN    160

typedef struct ctx {
    lan_client_t *c;
    const char *hub;
    const char *token;
    const char *staff;
    const char *pin;
    char session[SESSION_LEN];
    char session_path[512];
} ctx_t;

static const char usage_text[] =
    "usage: hallctl [--hub URL] [--token TOKEN] [--staff ID --pin PIN] COMMAND\n"
    "commands:\n"
    "  status [--json]                  queues and counters now\n"
    "  issue SERVICE_PREFIX             take a number (prints it)\n"
    "  open COUNTER | close COUNTER     open or close a counter (staff)\n"
    "  call-next COUNTER                call the next number (prints it; exit 3 when\n"
    "                                   nobody waits)\n"
    "  call TICKET COUNTER              call one waiting ticket (number or id)\n"
    "  recall COUNTER                   the counter's current ticket: call it again\n"
    "  no-show COUNTER [--requeue]      ... did not come (--requeue: back in line)\n"
    "  transfer COUNTER SERVICE_PREFIX  ... moves to another service\n"
    "  start COUNTER | finish COUNTER   ... service starts / ends\n"
    "  rate TICKET LEVEL                rate a finished visit (level 1..5 or\n"
    "                                   very_satisfied .. very_dissatisfied)\n"
    "  export [--day YYYY-MM-DD] --csv  the day's tickets as CSV\n"
    "  hash-pin                         read a PIN on stdin, print its Argon2id hash\n"
    "                                   for the config's staff[].pin_hash\n"
    "  sync-status --data-dir DIR [--json]\n"
    "                                   head-office sync: backlog, last success, last\n"
    "                                   error (read from DIR; no hub needed)\n"
    "  provision --data-dir DIR --device ID --role ROLE --branch B --central URL\n"
    "            --ca FILE (--enrol-code CODE | --token TOKEN) [--hub URL]\n"
    "            [--hub-ca FILE] [--hub-token T] [--counter ID]\n"
    "            [--engineer-pin-file F] [--printer KIND[:TARGET]] [--printer-width N]\n"
    "                                   give this device its identity (operations.md\n"
    "                                   \"Provisioning\"); prints a report\n"
    "  update --config FILE --data-dir DIR\n"
    "                                   install the update head office announced\n"
    "                                   (download, sha256, rauc install)\n"
    "  faq search QUERY [--lang zh|en] [--content FILE] [--json]\n"
    "                                   the FAQ articles QUERY finds, best first, one\n"
    "                                   title a line (the shipped content, or FILE;\n"
    "                                   no hub needed): for content authors\n"
    "options:\n"
    "  --hub URL       the hub (default $HK_HUB or " HUB_DEFAULT ")\n"
    "  --token TOKEN   a device token (default $HK_TOKEN)\n"
    "  --staff ID      staff login (default $HK_STAFF), with\n"
    "  --pin PIN       its PIN (default $HK_PIN)\n"
    "exit codes: 0 ok, 2 usage, 3 refused by the hub, 4 hub unreachable, 1 other\n";

static int usage(const char *why)
{
    if(why)
        fprintf(stderr, "hallctl: %s (hallctl --help lists the commands)\n", why);
    else
        fputs(usage_text, stderr);
    return EXIT_USAGE;
}

/* ---- session cache ------------------------------------------------------- */

static void session_path(ctx_t *x)
{
    const char *rt = getenv("XDG_RUNTIME_DIR");
    char dir[400];
    uint32_t h = 2166136261u; /* FNV-1a of the hub URL */
    const char *p;

    for(p = x->hub; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    if(rt && rt[0] == '/')
        snprintf(dir, sizeof(dir), "%s/hallkiosk", rt);
    else
        snprintf(dir, sizeof(dir), "/tmp/hallkiosk-%u", (unsigned)getuid());
    if(mkdir(dir, 0700) != 0 && errno != EEXIST) {
        x->session_path[0] = '\0';
        return;
    }
    snprintf(x->session_path, sizeof(x->session_path), "%s/session-%08x-%s", dir, (unsigned)h,
             x->staff);
}

static void session_load(ctx_t *x)
{
    struct stat st;
    FILE *f;
    size_t n;

    x->session[0] = '\0';
    if(!x->session_path[0] || stat(x->session_path, &st) != 0 || st.st_uid != getuid() ||
       (st.st_mode & 077))
        return; /* someone else's or readable by others: not ours to use */
    f = fopen(x->session_path, "r");
    if(!f)
        return;
    n = fread(x->session, 1, sizeof(x->session) - 1, f);
    fclose(f);
    x->session[n] = '\0';
    x->session[strcspn(x->session, "\r\n")] = '\0';
}

static void session_save(const ctx_t *x)
{
    int fd;

    if(!x->session_path[0])
        return;
    fd = open(x->session_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
    if(fd < 0)
        return;
    (void)fchmod(fd, 0600);
    if(write(fd, x->session, strlen(x->session)) < 0)
        (void)unlink(x->session_path); /* a half-written session is useless */
    close(fd);
}

static void session_drop(ctx_t *x)
{
    x->session[0] = '\0';
    if(x->session_path[0])
        (void)unlink(x->session_path);
}

/* ---- requests ------------------------------------------------------------ */

static int refused(const lan_resp_t *r)
{
    fprintf(stderr, "hallctl: refused by the hub (%d %s): %s\n", r->status,
            r->code[0] ? r->code : "-", r->message[0] ? r->message : "(no message)");
    return EXIT_REFUSED;
}

static int transport(hk_err_t rc)
{
    if(rc == HK_ERR_NET || rc == HK_ERR_TLS) {
        fprintf(stderr, "hallctl: hub unreachable: %s\n",
                rc == HK_ERR_TLS ? "its TLS certificate failed verification" : "no answer");
        return EXIT_UNREACHABLE;
    }
    fprintf(stderr, "hallctl: %s\n", hk_err_str(rc));
    return EXIT_FAIL;
}

static int login(ctx_t *x)
{
    cJSON *o;
    char *body = NULL;
    lan_resp_t r;
    hk_err_t rc;
    int ex;

    hk_json_init();
    o = cJSON_CreateObject();
    if(o && cJSON_AddStringToObject(o, "staff_id", x->staff) &&
       cJSON_AddStringToObject(o, "pin", x->pin))
        body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if(!body)
        return transport(HK_ERR_NOMEM);
    rc = lan_client_request(x->c, "POST", "/api/v1/sessions", NULL, body, &r);
    memset(body, 0, strlen(body));
    hk_free(body);
    if(rc != HK_OK)
        return transport(rc);
    if(r.status != 201 && r.status != 200) {
        ex = refused(&r);
    } else if(lan_decode_session(r.body, r.len, x->session, sizeof(x->session)) != HK_OK) {
        fprintf(stderr, "hallctl: the hub's login answer was unreadable\n");
        ex = EXIT_FAIL;
    } else {
        session_save(x);
        ex = EXIT_OK;
    }
    lan_resp_free(&r);
    return ex;
}

/*
 * One request. staff: the operation needs a staff session (use it when
 * credentials are known; else the device token and the hub decides).
 * On EXIT_OK *out holds a 2xx answer (free it); otherwise nothing.
 */
static int call(ctx_t *x, const char *method, const char *path, const char *body, bool staff,
                lan_resp_t *out)
{
    bool have_staff = x->staff && x->staff[0] && x->pin && x->pin[0];
    bool use_session = have_staff && (staff || !x->token || !x->token[0]);
    int attempt, ex;
    hk_err_t rc;

    for(attempt = 0; attempt < 2; attempt++) {
        if(use_session && !x->session[0] && (ex = login(x)) != EXIT_OK)
            return ex;
        rc = lan_client_request(x->c, method, path, use_session ? x->session : x->token, body, out);
        if(rc != HK_OK)
            return transport(rc);
        if(out->status == 401 && use_session && attempt == 0) {
            lan_resp_free(out);
            session_drop(x); /* the hub restarted or the session expired */
            continue;
        }
        if(out->status < 200 || out->status >= 300) {
            ex = refused(out);
            lan_resp_free(out);
            return ex;
        }
        return EXIT_OK;
    }
    return EXIT_FAIL; /* not reached: the second attempt always returns */
}

static int unreadable(lan_resp_t *r)
{
    fprintf(stderr, "hallctl: the hub's answer was unreadable\n");
    lan_resp_free(r);
    return EXIT_FAIL;
}

/* The service id of a prefix ("A") from GET /branch. */
static int service_of_prefix(ctx_t *x, const char *prefix, char *dst, size_t cap)
{
    cJSON *root = NULL;
    const cJSON *svcs, *s;
    lan_resp_t r;
    int ex = call(x, "GET", "/api/v1/branch", NULL, false, &r);

    if(ex != EXIT_OK)
        return ex;
    if(lan_decode_parse(r.body, r.len, &root) != HK_OK)
        return unreadable(&r);
    lan_resp_free(&r);
    svcs = cJSON_GetObjectItemCaseSensitive(root, "services");
    ex = EXIT_REFUSED;
    cJSON_ArrayForEach(s, svcs)
    {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(s, "prefix");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(s, "id");
        if(cJSON_IsString(p) && cJSON_IsString(id) &&
           (!strcasecmp(p->valuestring, prefix) || !strcmp(id->valuestring, prefix))) {
            snprintf(dst, cap, "%s", id->valuestring);
            ex = EXIT_OK;
            break;
        }
    }
    cJSON_Delete(root);
    if(ex != EXIT_OK)
        fprintf(stderr, "hallctl: the hub has no service with prefix %s\n", prefix);
    return ex;
}

static int get_snapshot(ctx_t *x, branch_snapshot_t *snap, lan_resp_t *raw)
{
    cJSON *root = NULL;
    lan_resp_t r;
    int ex = call(x, "GET", "/api/v1/snapshot", NULL, false, &r);

    if(ex != EXIT_OK)
        return ex;
    if(lan_decode_parse(r.body, r.len, &root) != HK_OK ||
       lan_decode_snapshot(root, snap) != HK_OK) {
        cJSON_Delete(root);
        return unreadable(&r);
    }
    cJSON_Delete(root);
    if(raw)
        *raw = r;
    else
        lan_resp_free(&r);
    return EXIT_OK;
}

/* The ticket called or served at a counter now. */
static int counter_ticket(ctx_t *x, const char *counter, int64_t *id)
{
    branch_snapshot_t *snap = hk_calloc(1, sizeof(*snap));
    int ex, i;

    if(!snap)
        return transport(HK_ERR_NOMEM);
    ex = get_snapshot(x, snap, NULL);
    for(i = 0; ex == EXIT_OK && i < snap->n_counters; i++)
        if(!strcmp(snap->counters[i].counter_id, counter))
            break;
    if(ex == EXIT_OK && i == snap->n_counters) {
        fprintf(stderr, "hallctl: the hub has no counter %s\n", counter);
        ex = EXIT_REFUSED;
    } else if(ex == EXIT_OK && !snap->counters[i].has_ticket) {
        fprintf(stderr, "hallctl: counter %s has no current ticket\n", counter);
        ex = EXIT_REFUSED;
    } else if(ex == EXIT_OK) {
        *id = snap->counters[i].ticket.id;
    }
    hk_free(snap);
    return ex;
}

static int get_visits(ctx_t *x, const char *day, branch_result_t *res)
{
    char path[128], esc[48];
    lan_resp_t r;
    int ex;

    snprintf(path, sizeof(path), "/api/v1/visits");
    if(day && day[0] && lan_client_escape(day, esc, sizeof(esc)))
        snprintf(path, sizeof(path), "/api/v1/visits?day=%s", esc);
    ex = call(x, "GET", path, NULL, false, &r);
    if(ex != EXIT_OK)
        return ex;
    memset(res, 0, sizeof(*res));
    res->op = BRANCH_OP_VISITS;
    if(lan_decode_result(BRANCH_OP_VISITS, r.body, r.len, res) != HK_OK) {
        hk_free(res->visits);
        res->visits = NULL;
        return unreadable(&r);
    }
    lan_resp_free(&r);
    return EXIT_OK;
}

static bool all_digits(const char *s)
{
    return s[0] && s[strspn(s, "0123456789")] == '\0' && strlen(s) <= 15;
}

/* TICKET: a row id (digits) or today's number ("A023": its current row). */
static int resolve_ticket(ctx_t *x, const char *arg, int64_t *id)
{
    branch_result_t res;
    int ex, i;

    if(all_digits(arg)) {
        *id = atoll(arg);
        return EXIT_OK;
    }
    ex = get_visits(x, NULL, &res);
    if(ex != EXIT_OK)
        return ex;
    *id = 0;
    for(i = 0; i < res.n_visits; i++)
        if(!strcasecmp(res.visits[i].ticket.number, arg) &&
           res.visits[i].ticket.state != TICKET_TRANSFERRED)
            *id = res.visits[i].ticket.id;
    hk_free(res.visits);
    if(!*id) {
        fprintf(stderr, "hallctl: no ticket %s today\n", arg);
        return EXIT_REFUSED;
    }
    return EXIT_OK;
}

/* Print the answer's ticket number (and nothing when it has none). */
static int print_ticket(lan_resp_t *r, bool number_only)
{
    branch_result_t res;

    memset(&res, 0, sizeof(res));
    if(lan_decode_result(BRANCH_OP_CALL_NEXT, r->body, r->len, &res) != HK_OK)
        return unreadable(r);
    lan_resp_free(r);
    if(res.has_ticket && number_only)
        printf("%s\n", res.ticket.number);
    else if(res.has_ticket)
        printf("%s %s%s%s\n", res.ticket.number, queue_state_str(res.ticket.state),
               res.ticket.counter_id[0] ? " at " : "", res.ticket.counter_id);
    return EXIT_OK;
}

/* ---- commands --------------------------------------------------------------- */

static int cmd_status(ctx_t *x, bool json)
{
    branch_snapshot_t *snap = hk_calloc(1, sizeof(*snap));
    lan_resp_t raw;
    int ex, i;

    if(!snap)
        return transport(HK_ERR_NOMEM);
    ex = get_snapshot(x, snap, &raw);
    if(ex == EXIT_OK && json) {
        printf("%s\n", raw.body);
    } else if(ex == EXIT_OK) {
        printf("journal seq %lld\n", (long long)snap->journal_seq);
        for(i = 0; i < snap->n_services; i++) {
            const branch_service_snap_t *v = &snap->services[i];
            if(v->est_wait_s >= 0)
                printf("service %-12s waiting %3d  est %d s\n", v->service_id, v->waiting,
                       v->est_wait_s);
            else
                printf("service %-12s waiting %3d  est -\n", v->service_id, v->waiting);
        }
        for(i = 0; i < snap->n_counters; i++) {
            const branch_counter_snap_t *c = &snap->counters[i];
            printf("counter %-12s %-7s %-6s %-8s staff %s\n", c->counter_id,
                   branch_counter_state_str(c->state), c->has_ticket ? c->ticket.number : "-",
                   c->has_ticket ? queue_state_str(c->ticket.state) : "-",
                   c->staff_id[0] ? c->staff_id : "-");
        }
    }
    if(ex == EXIT_OK)
        lan_resp_free(&raw);
    hk_free(snap);
    return ex;
}

static int cmd_issue(ctx_t *x, const char *prefix)
{
    char svc[CONFIG_ID_LEN], body[96];
    lan_resp_t r;
    int ex = service_of_prefix(x, prefix, svc, sizeof(svc));

    if(ex != EXIT_OK)
        return ex;
    snprintf(body, sizeof(body), "{\"service\":\"%s\"}", svc); /* ids are [a-z0-9_-] */
    ex = call(x, "POST", "/api/v1/tickets", body, false, &r);
    return ex == EXIT_OK ? print_ticket(&r, true) : ex;
}

static bool id_ok(const char *s)
{
    return s[0] && strlen(s) < CONFIG_ID_LEN &&
           s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-")] == '\0';
}

static int cmd_counter(ctx_t *x, const char *counter, const char *action, bool number_only)
{
    char path[128];
    lan_resp_t r;
    int ex;

    if(!id_ok(counter))
        return usage("COUNTER: a counter id such as c3");
    snprintf(path, sizeof(path), "/api/v1/counters/%s/%s", counter, action);
    ex = call(x, "POST", path, NULL, true, &r);
    if(ex != EXIT_OK)
        return ex;
    if(!strcmp(action, "call-next"))
        return print_ticket(&r, number_only);
    printf("%s %s\n", counter, !strcmp(action, "open") ? "open" : "closed");
    lan_resp_free(&r);
    return EXIT_OK;
}

static int cmd_call(ctx_t *x, const char *ticket, const char *counter)
{
    char path[128], body[64];
    lan_resp_t r;
    int64_t id;
    int ex;

    if(!id_ok(counter))
        return usage("COUNTER: a counter id such as c3");
    ex = resolve_ticket(x, ticket, &id);
    if(ex != EXIT_OK)
        return ex;
    snprintf(path, sizeof(path), "/api/v1/counters/%s/call", counter);
    snprintf(body, sizeof(body), "{\"ticket_id\":%lld}", (long long)id);
    ex = call(x, "POST", path, body, true, &r);
    return ex == EXIT_OK ? print_ticket(&r, true) : ex;
}

/* recall / no-show / transfer / start / finish on the counter's ticket. */
static int cmd_ticket_action(ctx_t *x, const char *counter, const char *action, const char *body)
{
    char path[128];
    lan_resp_t r;
    int64_t id = 0;
    int ex;

    if(!id_ok(counter))
        return usage("COUNTER: a counter id such as c3");
    ex = counter_ticket(x, counter, &id);
    if(ex != EXIT_OK)
        return ex;
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s", (long long)id, action);
    ex = call(x, "POST", path, body, true, &r);
    return ex == EXIT_OK ? print_ticket(&r, false) : ex;
}

static int cmd_transfer(ctx_t *x, const char *counter, const char *prefix)
{
    char svc[CONFIG_ID_LEN], body[96];
    int ex = service_of_prefix(x, prefix, svc, sizeof(svc));

    if(ex != EXIT_OK)
        return ex;
    snprintf(body, sizeof(body), "{\"service\":\"%s\"}", svc);
    return cmd_ticket_action(x, counter, "transfer", body);
}

static int cmd_rate(ctx_t *x, const char *ticket, const char *level)
{
    rating_vote_t vote;
    char path[96], *body;
    lan_resp_t r;
    int ex;

    memset(&vote, 0, sizeof(vote));
    if(level[0] >= '1' && level[0] <= '5' && !level[1])
        vote.level = (rating_level_t)(level[0] - '0');
    else if(!lan_decode_level(level, &vote.level) || vote.level == RATING_NOT_RATED)
        return usage("LEVEL: 1..5 or very_dissatisfied, dissatisfied, basic, satisfied, "
                     "very_satisfied");
    if(all_digits(ticket)) {
        snprintf(path, sizeof(path), "/api/v1/tickets/%s/rating", ticket);
        body = lan_decode_vote_body(&vote, NULL, NULL);
    } else {
        if(strlen(ticket) >= 8)
            return usage("TICKET: a ticket number (A023) or id");
        snprintf(path, sizeof(path), "/api/v1/ratings");
        body = lan_decode_vote_body(&vote, ticket, NULL);
    }
    if(!body)
        return transport(HK_ERR_NOMEM);
    ex = call(x, "POST", path, body, false, &r);
    hk_free(body);
    if(ex != EXIT_OK)
        return ex;
    printf("%s rated %s\n", ticket, level);
    lan_resp_free(&r);
    return EXIT_OK;
}

/* ISO-8601 UTC of a wall ms; "" for 0 (not yet). */
static void iso(int64_t ms, char *dst, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    dst[0] = '\0';
    if(ms <= 0 || !gmtime_r(&t, &tm))
        return;
    strftime(dst, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A CSV field (RFC 4180 quoting when needed). */
static void csv_field(const char *s, bool last)
{
    if(strpbrk(s, ",\"\r\n")) {
        putchar('"');
        for(; *s; s++) {
            if(*s == '"')
                putchar('"');
            putchar(*s);
        }
        putchar('"');
    } else {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

static int cmd_export(ctx_t *x, const char *day)
{
    static const char *const level_names[] = { "not_rated", "very_dissatisfied", "dissatisfied",
                                               "basic",     "satisfied",         "very_satisfied" };
    branch_result_t res;
    int ex = get_visits(x, day, &res), i;

    if(ex != EXIT_OK)
        return ex;
    fputs("number,service,state,issued,called,serving,finished,counter,staff,rating_level,"
          "rating_status\n",
          stdout);
    for(i = 0; i < res.n_visits; i++) {
        const branch_visit_t *v = &res.visits[i];
        char t1[32], t2[32], t3[32], t4[32];
        iso(v->ticket.issued_ms, t1, sizeof(t1));
        iso(v->ticket.called_ms, t2, sizeof(t2));
        iso(v->ticket.serving_ms, t3, sizeof(t3));
        iso(v->ticket.finished_ms, t4, sizeof(t4));
        csv_field(v->ticket.number, false);
        csv_field(v->ticket.service_id, false);
        csv_field(queue_state_str(v->ticket.state), false);
        csv_field(t1, false);
        csv_field(t2, false);
        csv_field(t3, false);
        csv_field(t4, false);
        csv_field(v->ticket.counter_id, false);
        csv_field(v->staff_id, false);
        csv_field(v->has_rating && v->rating.level != RATING_NOT_RATED
                      ? level_names[v->rating.level]
                      : "",
                  false);
        csv_field(!v->has_rating                        ? ""
                  : v->rating.level == RATING_NOT_RATED ? "not_rated"
                                                        : "rated",
                  true);
    }
    hk_free(res.visits);
    return EXIT_OK;
}

static int cmd_hash_pin(void)
{
    char pin[128], hash[HALLCTL_PIN_HASH_LEN];
    struct termios tio;
    bool restore = false, got;
    size_t n;

    if(sodium_init() < 0) {
        fprintf(stderr, "hallctl: libsodium failed to start\n");
        return EXIT_FAIL;
    }
    if(isatty(0) && tcgetattr(0, &tio) == 0) {
        /* typed at a terminal: ask, and do not echo it */
        struct termios quiet = tio;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        fputs("PIN: ", stderr);
        restore = tcsetattr(0, TCSAFLUSH, &quiet) == 0;
    }
    got = fgets(pin, sizeof(pin), stdin) != NULL;
    if(restore) {
        (void)tcsetattr(0, TCSAFLUSH, &tio);
        fputc('\n', stderr);
    }
    if(!got) {
        fprintf(stderr, "hallctl: hash-pin reads the PIN from stdin\n");
        return EXIT_USAGE;
    }
    pin[strcspn(pin, "\r\n")] = '\0';
    n = strlen(pin);
    if(n < 4 || n > 64) {
        sodium_memzero(pin, sizeof(pin));
        fprintf(stderr, "hallctl: a PIN has 4 to 64 characters\n");
        return EXIT_USAGE;
    }
    /* the hash provision's engineer PIN shares (cmd_provision.h) */
    if(hallctl_pin_hash(pin, n, hash) != 0) {
        sodium_memzero(pin, sizeof(pin));
        fprintf(stderr, "hallctl: out of memory hashing the PIN\n");
        return EXIT_FAIL;
    }
    sodium_memzero(pin, sizeof(pin));
    printf("%s\n", hash);
    return EXIT_OK;
}

/* ---- sync-status: read locally, from the data dir ------------------------------ */

static void print_ms(const char *label, int64_t ms)
{
    char when[64] = "never";
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if(ms > 0 && gmtime_r(&t, &tm))
        (void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("%-16s %s\n", label, when);
}

static int cmd_sync_status(int argc, char **argv)
{
    const char *dir = NULL;
    bool json = false;
    sync_status_t st;
    hk_diag_t diag;
    hk_err_t rc;
    int i;

    for(i = 0; i < argc; i++) {
        if(!strcmp(argv[i], "--json"))
            json = true;
        else if(!strcmp(argv[i], "--data-dir") && i + 1 < argc)
            dir = argv[++i];
        else
            return usage("sync-status --data-dir DIR [--json]");
    }
    if(!dir)
        return usage("sync-status needs --data-dir DIR");
    hk_diag_clear(&diag);
    rc = sync_status_read(dir, &st, &diag);
    if(rc != HK_OK) {
        fprintf(stderr, "hallctl: %s\n", diag.msg[0] ? diag.msg : hk_err_str(rc));
        return EXIT_FAIL;
    }
    if(json) {
        cJSON *o = cJSON_CreateObject();
        char *text;
        if(!o)
            return EXIT_FAIL;
        cJSON_AddNumberToObject(o, "backlog", (double)st.backlog);
        cJSON_AddNumberToObject(o, "acked_seq", (double)st.acked_seq);
        cJSON_AddNumberToObject(o, "last_success_ms", (double)st.last_success_ms);
        cJSON_AddStringToObject(o, "last_error", st.last_error);
        cJSON_AddBoolToObject(o, "online", st.online);
        cJSON_AddBoolToObject(o, "parked", st.parked);
        cJSON_AddBoolToObject(o, "config_refused", st.config_refused);
        cJSON_AddNumberToObject(o, "config_version", (double)st.config_version);
        cJSON_AddNumberToObject(o, "updated_ms", (double)st.updated_ms);
        text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if(!text)
            return EXIT_FAIL;
        printf("%s\n", text);
        cJSON_free(text);
        return EXIT_OK;
    }
    printf("%-16s %lld event%s\n", "backlog", (long long)st.backlog, st.backlog == 1 ? "" : "s");
    printf("%-16s %lld\n", "acknowledged", (long long)st.acked_seq);
    printf("%-16s %s%s\n", "state", st.online ? "online" : "offline",
           st.parked ? ", uploads parked (a config change or restart retries)" : "");
    print_ms("last success", st.last_success_ms);
    printf("%-16s %s\n", "last error", st.last_error[0] ? st.last_error : "none");
    if(st.config_version)
        printf("%-16s %lld%s\n", "config version", (long long)st.config_version,
               st.config_refused ? " (a newer one from head office was refused: see last error)"
                                 : "");
    print_ms("status written", st.updated_ms);
    return EXIT_OK;
}

/* ---- faq search: the content and the index, locally ---------------------------- */

/* The shipped faq.json: $HK_FAQ_FILE, else the copy the build knows
 * (HK_FAQ_DEFAULT, tools/hallctl/CMakeLists.txt), as voice_pack finds its
 * clips through $HK_VOICE_DIR or the build's. */
static const char *faq_default_path(void)
{
    static char installed[1024]; /* one thread; the same answer every call */
    const char *env = getenv("HK_FAQ_FILE");

    if(env && *env)
        return env;
    /* the package's /usr/share/hallkiosk/faq/faq.json, else the build tree's */
    if(paths_installed_asset("faq/faq.json", installed, sizeof(installed)) == HK_OK)
        return installed;
    return HK_FAQ_DEFAULT;
}

static int cmd_faq(int argc, char **argv)
{
    const char *query = NULL, *file = NULL;
    i18n_lang_t lang = I18N_ZH;
    bool json = false;
    faq_content_t *c = NULL;
    faq_index_t *ix = NULL;
    faq_hit_t hits[FAQ_SEARCH_MAX];
    hk_diag_t diag;
    hk_err_t rc;
    int i, n, ex = EXIT_FAIL;
    cJSON *arr = NULL;

    if(argc < 1 || strcmp(argv[0], "search") != 0)
        return usage("faq search QUERY [--lang zh|en] [--content FILE] [--json]");
    for(i = 1; i < argc; i++) {
        if(!strcmp(argv[i], "--json")) {
            json = true;
        } else if(!strcmp(argv[i], "--lang") && i + 1 < argc) {
            i++;
            if(!strcmp(argv[i], "zh") || !strcmp(argv[i], "zh-CN"))
                lang = I18N_ZH;
            else if(!strcmp(argv[i], "en"))
                lang = I18N_EN;
            else
                return usage("--lang: zh or en");
        } else if(!strcmp(argv[i], "--content") && i + 1 < argc) {
            file = argv[++i];
        } else if(argv[i][0] == '-' && argv[i][1] == '-') {
            return usage("faq search QUERY [--lang zh|en] [--content FILE] [--json]");
        } else if(!query) {
            query = argv[i];
        } else {
            return usage("faq search takes one QUERY (quote it when it has spaces)");
        }
    }
    if(!query)
        return usage("faq search needs a QUERY");
    if(!file)
        file = faq_default_path();
    hk_diag_clear(&diag);
    rc = faq_content_load(file, NULL, &c, &diag);
    if(rc != HK_OK) {
        /* the diag names the file and the field */
        fprintf(stderr, "hallctl: %s\n", diag.msg[0] ? diag.msg : hk_err_str(rc));
        return EXIT_FAIL;
    }
    rc = faq_index_open(c, NULL, &ix, &diag);
    if(rc != HK_OK) {
        fprintf(stderr, "hallctl: %s\n", diag.msg[0] ? diag.msg : hk_err_str(rc));
        goto out;
    }
    n = faq_index_search(ix, query, lang, hits, FAQ_SEARCH_MAX);
    if(n < 0) {
        fprintf(stderr, "hallctl: the search failed (see the log)\n");
        goto out;
    }
    if(json && !(arr = cJSON_CreateArray()))
        goto out;
    for(i = 0; i < n; i++) {
        const faq_article_t *a = &c->articles[hits[i].article];
        const faq_text_t *t = faq_article_text(a, lang);
        if(json) {
            cJSON *o = cJSON_CreateObject();
            if(!o)
                goto out;
            cJSON_AddItemToArray(arr, o);
            cJSON_AddStringToObject(o, "id", a->id);
            cJSON_AddStringToObject(o, "title", t->title);
            cJSON_AddStringToObject(o, "category", c->categories[a->category].id);
            cJSON_AddNumberToObject(o, "score", hits[i].score);
        } else {
            printf("%s\n", t->title);
        }
    }
    if(json) {
        char *text = cJSON_PrintUnformatted(arr);
        if(!text)
            goto out;
        printf("%s\n", text);
        cJSON_free(text);
    }
    ex = EXIT_OK;
out:
    cJSON_Delete(arr);
    faq_index_close(ix);
    faq_content_free(c);
    return ex;
}

/* ---- main ------------------------------------------------------------------- */

static const char *env_or(const char *v, const char *name)
{
    const char *e;

    if(v)
        return v;
    e = getenv(name);
    return e && e[0] ? e : NULL;
}

static int run(ctx_t *x, int argc, char **argv)
{
    const char *cmd = argv[0];
    const char *day = NULL;
    bool json = false, requeue = false, csv = false;
    char *pos[4];
    int npos = 0, i;

    for(i = 1; i < argc; i++) {
        if(!strcmp(argv[i], "--json"))
            json = true;
        else if(!strcmp(argv[i], "--requeue"))
            requeue = true;
        else if(!strcmp(argv[i], "--csv"))
            csv = true;
        else if(!strcmp(argv[i], "--day") && i + 1 < argc)
            day = argv[++i];
        else if(argv[i][0] == '-' && argv[i][1] == '-')
            return usage("unknown option for this command");
        else if(npos < 4)
            pos[npos++] = argv[i];
        else
            return usage("too many arguments");
    }
#define NEED(n, flags_ok)                                                   \
    do {                                                                    \
        if(npos != (n) || (!(flags_ok) && (json || requeue || csv || day))) \
            return usage("wrong arguments for this command");               \
    } while(0)
    if(!strcmp(cmd, "status")) {
        NEED(0, !requeue && !csv && !day);
        return cmd_status(x, json);
    }
    if(!strcmp(cmd, "issue")) {
        NEED(1, false);
        return cmd_issue(x, pos[0]);
    }
    if(!strcmp(cmd, "open") || !strcmp(cmd, "close") || !strcmp(cmd, "call-next")) {
        NEED(1, false);
        return cmd_counter(x, pos[0], cmd, true);
    }
    if(!strcmp(cmd, "call")) {
        NEED(2, false);
        return cmd_call(x, pos[0], pos[1]);
    }
    if(!strcmp(cmd, "recall") || !strcmp(cmd, "start") || !strcmp(cmd, "finish")) {
        NEED(1, false);
        return cmd_ticket_action(x, pos[0], cmd, NULL);
    }
    if(!strcmp(cmd, "no-show")) {
        NEED(1, !json && !csv && !day);
        return cmd_ticket_action(x, pos[0], "no-show",
                                 requeue ? "{\"put_back\":true}" : "{\"put_back\":false}");
    }
    if(!strcmp(cmd, "transfer")) {
        NEED(2, false);
        return cmd_transfer(x, pos[0], pos[1]);
    }
    if(!strcmp(cmd, "rate")) {
        NEED(2, false);
        return cmd_rate(x, pos[0], pos[1]);
    }
    if(!strcmp(cmd, "export")) {
        NEED(0, !json && !requeue);
        if(!csv)
            return usage("export writes CSV: add --csv");
        if(day && !(strlen(day) == 10 && day[4] == '-' && day[7] == '-'))
            return usage("--day: YYYY-MM-DD");
        return cmd_export(x, day);
    }
#undef NEED
    return usage("unknown command");
}

int main(int argc, char **argv)
{
    ctx_t x;
    lan_client_opts_t o;
    const char *hub = NULL, *token = NULL, *staff = NULL, *pin = NULL;
    int i, ex;
    hk_err_t rc;

    memset(&x, 0, sizeof(x));
    hk_log_set_level(HK_LOG_ERROR);
    for(i = 1; i < argc; i++) {
        const char **dst = NULL;
        if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        }
        if(!strcmp(argv[i], "--hub"))
            dst = &hub;
        else if(!strcmp(argv[i], "--token"))
            dst = &token;
        else if(!strcmp(argv[i], "--staff"))
            dst = &staff;
        else if(!strcmp(argv[i], "--pin"))
            dst = &pin;
        else
            break;
        if(i + 1 >= argc)
            return usage("an option needs a value");
        *dst = argv[++i];
    }
    if(i >= argc)
        return usage("no command");
    if(!strcmp(argv[i], "sync-status"))
        return cmd_sync_status(argc - i - 1, argv + i + 1);
    if(!strcmp(argv[i], "faq"))
        return cmd_faq(argc - i - 1, argv + i + 1);
    if(!strcmp(argv[i], "provision")) /* PROVISION: tools/hallctl/provision.c */
        return hallctl_provision(argc - i - 1, argv + i + 1);
    if(!strcmp(argv[i], "update"))
        return hallctl_update(argc - i - 1, argv + i + 1);
    if(!strcmp(argv[i], "hash-pin")) {
        if(i + 1 != argc)
            return usage("hash-pin takes no arguments (the PIN comes on stdin)");
        return cmd_hash_pin();
    }
    x.hub = env_or(hub, "HK_HUB");
    x.hub = x.hub ? x.hub : HUB_DEFAULT;
    x.token = env_or(token, "HK_TOKEN");
    x.staff = env_or(staff, "HK_STAFF");
    x.pin = env_or(pin, "HK_PIN");
    if(x.staff && (!id_ok(x.staff) || strlen(x.staff) >= 32))
        return usage("--staff: a staff id such as s1");
    memset(&o, 0, sizeof(o));
    o.base_url = x.hub;
    o.ca_file = getenv("HK_CA_FILE");
    rc = lan_client_create(&o, &x.c);
    if(rc == HK_ERR_INVALID)
        return usage("--hub: an http:// or https:// URL");
    if(rc != HK_OK)
        return transport(rc);
    if(x.staff && x.pin) {
        session_path(&x);
        session_load(&x);
    }
    ex = run(&x, argc - i, argv + i);
    lan_client_destroy(x.c);
    return ex;
}
