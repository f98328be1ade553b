/*
 * central_store's contract, run against every backend this run has: a
 * real SQLite file in the test's temp dir always, and PostgreSQL when
 * HK_TEST_PG_URL names a database (the PostgreSQL helper's test command
 * starts one). The same cases for both: idempotence, a conflict rolls the
 * whole batch back, acked_seq is the highest contiguous seq through gaps,
 * the ETag follows the document's content, the device registry and
 * heartbeats, two connections ingesting overlapping batches at once
 * still store each event once, and an ingest whose allocations fail stores
 * nothing.
 *
 * Device ids and UUIDs are fresh per run (pid + counter, random UUIDs),
 * so cases never see each other's rows in a database that outlives the
 * run.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central_store.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "uuid.h"

#define MAX_EV 64

static char url[1200];        /* the backend of the current pass */
static const char *pass_name; /* "sqlite" or "postgres" */
static int dev_counter;

void setUp(void)
{
    /* SQLite: a new file in each case's own temp dir */
    if(!strcmp(pass_name, "sqlite"))
        snprintf(url, sizeof(url), "sqlite:%s", hk_test_path("central.db"));
}

void tearDown(void)
{
}

/* A device id unique to this run and case. */
static void new_device(char id[CENTRAL_ID_LEN])
{
    snprintf(id, CENTRAL_ID_LEN, "t%ld-%d", (long)getpid() % 1000000, ++dev_counter);
}

static central_store_t *open_store(void)
{
    central_store_t *s = NULL;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    HK_ASSERT_MSG(central_store_open(url, &s, &diag) == HK_OK, "open %s: %s", pass_name, diag.msg);
    return s;
}

/* The events of one device: seq i has uuids[i], body {"n":i} unless changed. */
typedef struct events {
    char device[CENTRAL_ID_LEN];
    char uuids[MAX_EV + 1][37];
} events_t;

static void events_init(events_t *e)
{
    int i;

    memset(e, 0, sizeof(*e));
    new_device(e->device);
    for(i = 1; i <= MAX_EV; i++)
        HK_ASSERT_OK(uuid_v4(e->uuids[i]));
}

/* A batch of the given seqs (ascending) of e; body_tag alters the bodies. */
static void batch_of(const events_t *e, const int *seqs, int n, const char *body_tag,
                     central_batch_t *b)
{
    char body[96];
    int i;

    memset(b, 0, sizeof(*b));
    snprintf(b->device, sizeof(b->device), "%s", e->device);
    snprintf(b->branch, sizeof(b->branch), "b001");
    b->events = hk_calloc((size_t)n, sizeof(*b->events));
    HK_ASSERT(b->events);
    b->n_events = n;
    for(i = 0; i < n; i++) {
        central_event_t *ev = &b->events[i];
        ev->seq = seqs[i];
        memcpy(ev->uuid, e->uuids[seqs[i]], sizeof(ev->uuid));
        snprintf(ev->type, sizeof(ev->type), "ticket.issued");
        ev->time_ms = 1764000000000LL + seqs[i];
        snprintf(body, sizeof(body), "{\"n\":%d%s}", seqs[i], body_tag ? body_tag : "");
        ev->body = hk_strdup(body);
        HK_ASSERT(ev->body);
    }
}

/* Ingest seqs; returns the result code; *acked the ack's acked_seq. */
static hk_err_t ingest(central_store_t *s, const events_t *e, const int *seqs, int n,
                       const char *tag, central_status_t *status, int64_t *acked, hk_diag_t *diag)
{
    central_batch_t b;
    central_ack_t ack;
    hk_err_t rc;
    int i;

    batch_of(e, seqs, n, tag, &b);
    hk_diag_clear(diag);
    rc = central_store_ingest(s, &b, &ack, diag);
    if(rc == HK_OK) {
        HK_ASSERT_STR(e->device, ack.device);
        HK_ASSERT_INT(n, ack.n_results);
        for(i = 0; i < n; i++) {
            HK_ASSERT_INT(seqs[i], ack.results[i].seq);
            HK_ASSERT_STR(e->uuids[seqs[i]], ack.results[i].uuid);
            if(status)
                status[i] = ack.results[i].status;
        }
        if(acked)
            *acked = ack.acked_seq;
        central_ack_free(&ack);
    }
    central_batch_free(&b);
    return rc;
}

static int64_t count_of(central_store_t *s, const char *device)
{
    int64_t n = -1;

    HK_ASSERT_OK(central_store_count_events(s, device, &n));
    return n;
}

static int64_t acked_of(central_store_t *s, const char *device)
{
    int64_t n = -1;

    HK_ASSERT_OK(central_store_acked_seq(s, device, &n));
    return n;
}

/* ---- cases --------------------------------------------------------------------- */

static void case_ingest_is_idempotent(void)
{
    static const int seqs[] = { 1, 2, 3 };
    central_store_t *s = open_store();
    central_status_t st[3];
    hk_diag_t diag;
    int64_t acked = -1;
    events_t e;

    events_init(&e);
    HK_ASSERT_INT(0, acked_of(s, e.device));
    HK_ASSERT_OK(ingest(s, &e, seqs, 3, NULL, st, &acked, &diag));
    HK_ASSERT_INT(3, acked);
    HK_ASSERT_INT(CENTRAL_STORED, st[0]);
    HK_ASSERT_INT(CENTRAL_STORED, st[2]);
    /* the same batch again (a retry whose ack was lost): all duplicates */
    HK_ASSERT_OK(ingest(s, &e, seqs, 3, NULL, st, &acked, &diag));
    HK_ASSERT_INT(3, acked);
    HK_ASSERT_INT(CENTRAL_DUPLICATE, st[0]);
    HK_ASSERT_INT(CENTRAL_DUPLICATE, st[1]);
    HK_ASSERT_INT(CENTRAL_DUPLICATE, st[2]);
    /* overlapping: 2 and 3 held, 4 new */
    {
        static const int more[] = { 2, 3, 4 };
        HK_ASSERT_OK(ingest(s, &e, more, 3, NULL, st, &acked, &diag));
        HK_ASSERT_INT(CENTRAL_DUPLICATE, st[0]);
        HK_ASSERT_INT(CENTRAL_STORED, st[2]);
        HK_ASSERT_INT(4, acked);
    }
    HK_ASSERT_INT(4, count_of(s, e.device));
    central_store_close(s);
}

static void case_conflict_rolls_back_the_whole_batch(void)
{
    static const int first[] = { 1, 2 };
    static const int next[] = { 3, 4 };
    central_store_t *s = open_store();
    central_status_t st[3];
    hk_diag_t diag;
    int64_t acked = -1;
    events_t e, other;

    events_init(&e);
    events_init(&other);
    HK_ASSERT_OK(ingest(s, &e, first, 2, NULL, st, &acked, &diag));
    /* 3 is new, 2 comes back with another body: nothing of it is stored */
    {
        static const int mixed[] = { 2, 3 };
        central_batch_t b;
        central_ack_t ack;
        batch_of(&e, mixed, 2, NULL, &b);
        hk_free(b.events[0].body);
        b.events[0].body = hk_strdup("{\"n\":2,\"changed\":true}");
        hk_diag_clear(&diag);
        HK_ASSERT_INT(HK_ERR_CONFLICT, central_store_ingest(s, &b, &ack, &diag));
        HK_ASSERT_CONTAINS(diag.msg, "events[0]");
        central_batch_free(&b);
    }
    HK_ASSERT_INT(2, count_of(s, e.device));
    HK_ASSERT_INT(2, acked_of(s, e.device));
    /* the same uuid under another seq: a conflict too, rolled back */
    {
        static const int seqs[] = { 3, 4 };
        central_batch_t b;
        central_ack_t ack;
        batch_of(&e, seqs, 2, NULL, &b);
        memcpy(b.events[1].uuid, e.uuids[1], 37); /* seq 4 claims seq 1's uuid */
        HK_ASSERT_INT(HK_ERR_CONFLICT, central_store_ingest(s, &b, &ack, &diag));
        HK_ASSERT_CONTAINS(diag.msg, "events[1]");
        central_batch_free(&b);
    }
    HK_ASSERT_INT(2, count_of(s, e.device));
    /* another device sending a uuid this one holds: a conflict */
    {
        static const int one[] = { 1 };
        memcpy(other.uuids[1], e.uuids[1], 37);
        HK_ASSERT_INT(HK_ERR_CONFLICT, ingest(s, &other, one, 1, NULL, NULL, NULL, &diag));
        HK_ASSERT_INT(0, count_of(s, other.device));
        HK_ASSERT_INT(0, acked_of(s, other.device));
    }
    /* the store is still fine: 3 and 4 as they really are go in */
    HK_ASSERT_OK(ingest(s, &e, next, 2, NULL, st, &acked, &diag));
    HK_ASSERT_INT(CENTRAL_STORED, st[0]);
    HK_ASSERT_INT(4, acked);
    HK_ASSERT_INT(4, count_of(s, e.device));
    central_store_close(s);
}

static void case_acked_seq_is_contiguous_through_gaps(void)
{
    static const int a[] = { 1, 2, 4, 5 };
    static const int b3[] = { 3 };
    static const int b7[] = { 7, 9 };
    static const int b6[] = { 6 };
    static const int b8[] = { 8 };
    central_store_t *s = open_store();
    hk_diag_t diag;
    int64_t acked = -1;
    events_t e;

    events_init(&e);
    HK_ASSERT_OK(ingest(s, &e, a, 4, NULL, NULL, &acked, &diag));
    HK_ASSERT_INT(2, acked); /* 3 is missing */
    HK_ASSERT_OK(ingest(s, &e, b7, 2, NULL, NULL, &acked, &diag));
    HK_ASSERT_INT(2, acked);
    HK_ASSERT_OK(ingest(s, &e, b3, 1, NULL, NULL, &acked, &diag));
    HK_ASSERT_INT(5, acked); /* the gap filled: 4 and 5 released */
    HK_ASSERT_OK(ingest(s, &e, b6, 1, NULL, NULL, &acked, &diag));
    HK_ASSERT_INT(7, acked);
    HK_ASSERT_INT(7, acked_of(s, e.device));
    HK_ASSERT_OK(ingest(s, &e, b8, 1, NULL, NULL, &acked, &diag));
    HK_ASSERT_INT(9, acked);
    HK_ASSERT_INT(9, count_of(s, e.device));
    /* a batch starting above 1 for a new device acks nothing */
    {
        events_t f;
        static const int late[] = { 2, 3 };
        events_init(&f);
        HK_ASSERT_OK(ingest(s, &f, late, 2, NULL, NULL, &acked, &diag));
        HK_ASSERT_INT(0, acked);
    }
    central_store_close(s);
}

static void case_config_etag_follows_the_content(void)
{
    central_store_t *s = open_store();
    char branch[CENTRAL_ID_LEN], etag1[CENTRAL_ETAG_LEN], etag2[CENTRAL_ETAG_LEN],
        etag3[CENTRAL_ETAG_LEN];
    char *json = NULL;

    new_device(branch);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, central_store_config_get(s, branch, &json, etag1));
    HK_ASSERT(json == NULL);
    HK_ASSERT_OK(central_store_config_put(s, branch, "{\"version\":1}"));
    HK_ASSERT_OK(central_store_config_get(s, branch, &json, etag1));
    HK_ASSERT_STR("{\"version\":1}", json);
    HK_SAFEFREE(json);
    HK_ASSERT_INT(34, strlen(etag1)); /* a quoted 128-bit hex hash */
    HK_ASSERT(etag1[0] == '"' && etag1[33] == '"');
    /* the same text again: the same tag */
    HK_ASSERT_OK(central_store_config_put(s, branch, "{\"version\":1}"));
    HK_ASSERT_OK(central_store_config_get(s, branch, &json, etag2));
    HK_SAFEFREE(json);
    HK_ASSERT_STR(etag1, etag2);
    /* one byte changed: another tag */
    HK_ASSERT_OK(central_store_config_put(s, branch, "{\"version\":2}"));
    HK_ASSERT_OK(central_store_config_get(s, branch, &json, etag3));
    HK_ASSERT_STR("{\"version\":2}", json);
    HK_SAFEFREE(json);
    HK_ASSERT(strcmp(etag1, etag3) != 0);
    central_store_close(s);
}

static void case_devices_and_heartbeats(void)
{
    central_store_t *s = open_store();
    central_device_t d, got;
    central_heartbeat_t hb;

    memset(&d, 0, sizeof(d));
    new_device(d.id);
    snprintf(d.branch, sizeof(d.branch), "b001");
    memset(d.token_hash, 'a', 64);
    d.enabled = true;
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, central_store_device_get(s, d.id, &got));
    HK_ASSERT_OK(central_store_device_put(s, &d));
    HK_ASSERT_OK(central_store_device_get(s, d.id, &got));
    HK_ASSERT_STR(d.id, got.id);
    HK_ASSERT_STR("b001", got.branch);
    HK_ASSERT_STR(d.token_hash, got.token_hash);
    HK_ASSERT(got.enabled);
    /* put again: an update (moved branch, disabled, cert only) */
    snprintf(d.branch, sizeof(d.branch), "b002");
    d.enabled = false;
    d.token_hash[0] = '\0';
    HK_ASSERT_OK(central_store_device_put(s, &d));
    HK_ASSERT_OK(central_store_device_get(s, d.id, &got));
    HK_ASSERT_STR("b002", got.branch);
    HK_ASSERT_STR("", got.token_hash);
    HK_ASSERT(!got.enabled);

    memset(&hb, 0, sizeof(hb));
    snprintf(hb.device, sizeof(hb.device), "%s", d.id);
    snprintf(hb.branch, sizeof(hb.branch), "b002");
    snprintf(hb.version, sizeof(hb.version), "0.1.0");
    snprintf(hb.printer, sizeof(hb.printer), "ok");
    hb.uptime_s = 10;
    hb.disk_free_mb = -1;
    HK_ASSERT_OK(central_store_heartbeat(s, &hb, 1000));
    hb.uptime_s = 70; /* the second one replaces the first */
    HK_ASSERT_OK(central_store_heartbeat(s, &hb, 61000));
    central_store_close(s);
}

/* Four connections, overlapping batches of one device at once, each batch
 * sent twice, and a fifth sending only batches that conflict (another
 * device's seq 1 with other content): every good ingest succeeds, every
 * event is held once, every bad one is refused alone (batches that share a
 * commit with it are not touched). */
typedef struct racer {
    const events_t *e;
    int from;      /* sends seqs from..from+39 in batches of 8, twice */
    bool conflict; /* sends e's seq 1 with another body, 10 times */
    hk_err_t rc;
    int refused;
    char why[HK_DIAG_SIZE];
} racer_t;

static void *race(void *arg)
{
    racer_t *r = arg;
    central_store_t *s = NULL;
    hk_diag_t diag;
    int seqs[8], round, i, k;

    r->rc = central_store_open(url, &s, &diag);
    for(round = 0; r->conflict && r->rc == HK_OK && round < 10; round++) {
        static const int one[] = { 1 };
        central_batch_t b;
        central_ack_t ack;
        hk_err_t rc;
        batch_of(r->e, one, 1, ",\"other\":1", &b);
        rc = central_store_ingest(s, &b, &ack, &diag);
        central_batch_free(&b);
        if(rc == HK_ERR_CONFLICT)
            r->refused++;
        else
            r->rc = rc == HK_OK ? HK_ERR_INVALID : rc; /* must never be taken */
        if(rc == HK_OK)
            central_ack_free(&ack);
    }
    for(round = 0; !r->conflict && round < 2 && r->rc == HK_OK; round++) {
        for(k = 0; k < 40 && r->rc == HK_OK; k += 8) {
            central_batch_t b;
            central_ack_t ack;
            for(i = 0; i < 8; i++)
                seqs[i] = r->from + k + i;
            batch_of(r->e, seqs, 8, NULL, &b);
            r->rc = central_store_ingest(s, &b, &ack, &diag);
            if(r->rc == HK_OK)
                central_ack_free(&ack);
            else
                snprintf(r->why, sizeof(r->why), "%s", diag.msg);
            central_batch_free(&b);
        }
    }
    central_store_close(s);
    return NULL;
}

static void case_concurrent_ingest_stores_each_event_once(void)
{
    static const int one[] = { 1 };
    central_store_t *s = open_store();
    racer_t r[5];
    pthread_t t[5];
    hk_diag_t diag;
    events_t e, victim;
    int i;

    events_init(&e);
    events_init(&victim);
    HK_ASSERT_OK(ingest(s, &victim, one, 1, NULL, NULL, NULL, &diag));
    for(i = 0; i < 5; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].e = i < 4 ? &e : &victim;
        r[i].from = 1 + i * 8; /* 1..40, 9..48, 17..56, 25..64 overlap */
        r[i].conflict = i == 4;
        HK_ASSERT_INT(0, pthread_create(&t[i], NULL, race, &r[i]));
    }
    for(i = 0; i < 5; i++)
        pthread_join(t[i], NULL);
    for(i = 0; i < 5; i++)
        HK_ASSERT_MSG(r[i].rc == HK_OK, "racer %d: %d %s", i, r[i].rc, r[i].why);
    HK_ASSERT_INT(10, r[4].refused);
    HK_ASSERT_INT(64, count_of(s, e.device));
    HK_ASSERT_INT(64, acked_of(s, e.device));
    HK_ASSERT_INT(1, count_of(s, victim.device));
    central_store_close(s);
}

static void case_refuses_bad_urls_and_batches(void)
{
    central_store_t *s = NULL;
    central_batch_t b;
    central_ack_t ack;
    hk_diag_t diag;
    events_t e;

    hk_diag_clear(&diag);
    HK_ASSERT_INT(HK_ERR_INVALID, central_store_open("mysql://u:secret@h/db", &s, &diag));
    HK_ASSERT(s == NULL);
    HK_ASSERT_CONTAINS(diag.msg, "unknown scheme \"mysql\"");
    HK_ASSERT(strstr(diag.msg, "secret") == NULL);
    HK_ASSERT_INT(HK_ERR_INVALID, central_store_open("sqlite:", &s, &diag));
    HK_ASSERT(central_store_open("sqlite:/nonexistent-dir/x/central.db", &s, &diag) != HK_OK);
    HK_ASSERT(s == NULL);
    s = open_store();
    /* seqs out of order: refused before the backend */
    events_init(&e);
    {
        static const int seqs[] = { 2, 1 };
        batch_of(&e, seqs, 2, NULL, &b);
        HK_ASSERT_INT(HK_ERR_INVALID, central_store_ingest(s, &b, &ack, &diag));
        central_batch_free(&b);
    }
    HK_ASSERT_INT(0, count_of(s, e.device));
    central_store_close(s);
}

/* Every allocation of an ingest failing in turn: HK_ERR_NOMEM and nothing
 * stored, until it succeeds and everything is. */
static void case_ingest_allocation_failures_store_nothing(void)
{
    static const int seqs[] = { 1, 2, 3 };
    central_store_t *s = open_store();
    central_batch_t b;
    central_ack_t ack;
    hk_diag_t diag;
    hk_err_t rc = HK_ERR_NOMEM;
    int failures = 0;
    long n;
    events_t e;

    events_init(&e);
    for(n = 1; n < 200 && rc != HK_OK; n++) {
        batch_of(&e, seqs, 3, NULL, &b);
        hk_mem_fail_nth(n);
        rc = central_store_ingest(s, &b, &ack, &diag);
        hk_mem_fail_nth(0);
        central_batch_free(&b);
        if(rc != HK_OK) {
            HK_ASSERT_INT(HK_ERR_NOMEM, rc);
            HK_ASSERT_INT(0, count_of(s, e.device));
            failures++;
        }
    }
    HK_ASSERT_INT(HK_OK, rc);
    HK_ASSERT(failures >= 1); /* not a vacuous loop */
    HK_ASSERT_INT(3, ack.acked_seq);
    central_ack_free(&ack);
    HK_ASSERT_INT(3, count_of(s, e.device));
    central_store_close(s);
}

/* ---- what reports, cases, alerts and the status page read ---------------------------- */

#define DAY   "2026-11-26"
#define T0_MS 1764115200000LL /* 2025-11-26 00:00 UTC, a Wednesday */

static int branch_counter;

/* A branch id unique to this run and case. */
static void new_branch(char id[CENTRAL_ID_LEN])
{
    snprintf(id, CENTRAL_ID_LEN, "br%ld-%d", (long)getpid() % 1000000, ++branch_counter);
}

/* Register e's device in branch. */
static void register_device(central_store_t *s, const events_t *e, const char *branch)
{
    central_device_t d;

    memset(&d, 0, sizeof(d));
    snprintf(d.id, sizeof(d.id), "%s", e->device);
    snprintf(d.branch, sizeof(d.branch), "%s", branch);
    d.enabled = true;
    HK_ASSERT_OK(central_store_device_put(s, &d));
}

/* One event of a typed batch: its type and body. */
typedef struct tev {
    const char *type;
    const char *body;
} tev_t;

/* Ingest seqs first..first+n-1 of e with these types and bodies. */
static hk_err_t ingest_typed(central_store_t *s, const events_t *e, int first, const tev_t *evs,
                             int n, central_status_t *status, hk_diag_t *diag)
{
    central_batch_t b;
    central_ack_t ack;
    hk_err_t rc;
    int i;

    memset(&b, 0, sizeof(b));
    snprintf(b.device, sizeof(b.device), "%s", e->device);
    b.events = hk_calloc((size_t)n, sizeof(*b.events));
    HK_ASSERT(b.events);
    b.n_events = n;
    for(i = 0; i < n; i++) {
        central_event_t *ev = &b.events[i];
        ev->seq = first + i;
        memcpy(ev->uuid, e->uuids[first + i], sizeof(ev->uuid));
        snprintf(ev->type, sizeof(ev->type), "%s", evs[i].type);
        ev->time_ms = T0_MS + 3600000LL + first + i;
        ev->body = hk_strdup(evs[i].body);
        HK_ASSERT(ev->body);
    }
    hk_diag_clear(diag);
    rc = central_store_ingest(s, &b, &ack, diag);
    if(rc == HK_OK) {
        for(i = 0; status && i < n; i++)
            status[i] = ack.results[i].status;
        central_ack_free(&ack);
    }
    central_batch_free(&b);
    return rc;
}

static void case_day_events_of_a_branch(void)
{
    static const tev_t evs[] = {
        { "ticket.issued", "{\"day\":\"" DAY "\",\"number\":\"A001\"}" },
        { "ticket.called", "{\"day\":\"" DAY "\",\"number\":\"A001\"}" },
        { "ticket.issued", "{\"day\":\"2026-11-25\",\"number\":\"A002\"}" },
        { "device.started", "{\"version\":\"1\"}" },
    };
    central_store_t *s = open_store();
    char branch[CENTRAL_ID_LEN], other[CENTRAL_ID_LEN];
    central_event_row_t *rows = NULL;
    events_t a, b, c;
    hk_diag_t diag;
    int n = -1, i;

    new_branch(branch);
    new_branch(other);
    events_init(&a);
    events_init(&b);
    events_init(&c);
    /* b's id extends a's: a sorts first */
    snprintf(b.device, sizeof(b.device), "%.20s-z", a.device);
    register_device(s, &a, branch);
    register_device(s, &b, branch);
    register_device(s, &c, other);
    HK_ASSERT_OK(central_store_day_events(s, branch, DAY, &rows, &n));
    HK_ASSERT_INT(0, n);
    HK_ASSERT(rows == NULL);
    /* b first, then a: the order comes from the query, not the arrival */
    HK_ASSERT_OK(ingest_typed(s, &b, 1, evs, 4, NULL, &diag));
    HK_ASSERT_OK(ingest_typed(s, &a, 1, evs, 2, NULL, &diag));
    HK_ASSERT_OK(ingest_typed(s, &a, 3, evs, 1, NULL, &diag)); /* seq 3: DAY too */
    HK_ASSERT_OK(ingest_typed(s, &c, 1, evs, 4, NULL, &diag));
    /* a retry stores nothing twice */
    HK_ASSERT_OK(ingest_typed(s, &b, 1, evs, 4, NULL, &diag));
    HK_ASSERT_OK(central_store_day_events(s, branch, DAY, &rows, &n));
    HK_ASSERT_INT(5, n);
    for(i = 0; i < 3; i++) {
        HK_ASSERT_STR(a.device, rows[i].device);
        HK_ASSERT_INT(i + 1, rows[i].ev.seq);
        HK_ASSERT_STR(a.uuids[i + 1], rows[i].ev.uuid);
    }
    HK_ASSERT_STR("ticket.called", rows[1].ev.type);
    HK_ASSERT_INT(T0_MS + 3600000LL + 2, rows[1].ev.time_ms);
    HK_ASSERT_STR(evs[1].body, rows[1].ev.body);
    HK_ASSERT_STR(b.device, rows[3].device);
    HK_ASSERT_INT(1, rows[3].ev.seq);
    HK_ASSERT_STR(b.device, rows[4].device);
    HK_ASSERT_INT(2, rows[4].ev.seq);
    central_event_rows_free(rows, n);
    /* the other day; another branch's; a day nobody had */
    HK_ASSERT_OK(central_store_day_events(s, branch, "2026-11-25", &rows, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_STR(b.device, rows[0].device);
    HK_ASSERT_INT(3, rows[0].ev.seq);
    central_event_rows_free(rows, n);
    HK_ASSERT_OK(central_store_day_events(s, other, DAY, &rows, &n));
    HK_ASSERT_INT(2, n);
    HK_ASSERT_STR(c.device, rows[0].device);
    central_event_rows_free(rows, n);
    HK_ASSERT_OK(central_store_day_events(s, branch, "2026-01-01", &rows, &n));
    HK_ASSERT_INT(0, n);
    HK_ASSERT_INT(HK_ERR_INVALID, central_store_day_events(s, branch, NULL, &rows, &n));
    central_store_close(s);
}

#define RATED_1 \
    "{\"day\":\"" DAY "\",\"level\":1,\"number\":\"A001\",\"counter\":\"c1\",\"staff\":\"s1\"}"
#define RATED_2 \
    "{\"day\":\"" DAY "\",\"level\":2,\"number\":\"A002\",\"counter\":\"c1\",\"staff\":\"s1\"}"
#define RATED_5 \
    "{\"day\":\"" DAY "\",\"level\":5,\"number\":\"A003\",\"counter\":\"c2\",\"staff\":\"s2\"}"

/* The case with id among cases[n], or NULL. */
static const cases_case_t *case_in(const cases_case_t *cases, int n, const char *id)
{
    int i;

    for(i = 0; i < n; i++)
        if(!strcmp(cases[i].id, id))
            return &cases[i];
    return NULL;
}

/* Cases of one branch (open ones only or all). */
static int cases_of(central_store_t *s, const char *branch, bool open_only)
{
    const char *const br[1] = { branch };
    cases_case_t *cases = NULL;
    int n = -1;

    HK_ASSERT_OK(central_store_cases_list(s, br, 1, open_only, &cases, &n));
    hk_free(cases);
    return n;
}

/* Two connections ingesting overlapping batches of dissatisfied ratings. */
typedef struct rater {
    const events_t *e;
    int from; /* seqs from..from+5, batches of 2, twice */
    hk_err_t rc;
    char why[HK_DIAG_SIZE];
} rater_t;

static void *rate(void *arg)
{
    static const tev_t two[] = { { "visit.rated", RATED_1 }, { "visit.rated", RATED_2 } };
    rater_t *r = arg;
    central_store_t *s = NULL;
    hk_diag_t diag;
    int round, k;

    r->rc = central_store_open(url, &s, &diag);
    for(round = 0; round < 2 && r->rc == HK_OK; round++)
        for(k = 0; k < 6 && r->rc == HK_OK; k += 2) {
            r->rc = ingest_typed(s, r->e, r->from + k, two, 2, NULL, &diag);
            if(r->rc != HK_OK)
                snprintf(r->why, sizeof(r->why), "%s", diag.msg);
        }
    central_store_close(s);
    return NULL;
}

static void case_dissatisfied_rating_opens_one_case(void)
{
    static const tev_t evs[] = {
        { "visit.rated", RATED_1 },
        { "visit.rated", RATED_5 },
        { "issue.submitted", "{\"day\":\"" DAY "\",\"text\":\"the queue screen is off\"}" },
        { "ticket.issued", "{\"day\":\"" DAY "\",\"number\":\"A004\"}" },
    };
    central_store_t *s = open_store();
    char branch[CENTRAL_ID_LEN], other[CENTRAL_ID_LEN];
    const char *const br[1] = { branch };
    central_status_t st[4];
    cases_case_t *cases = NULL, got;
    const cases_case_t *c;
    rater_t r[2];
    pthread_t t[2];
    hk_diag_t diag;
    events_t a, b;
    int n = -1, i;

    new_branch(branch);
    new_branch(other);
    events_init(&a);
    events_init(&b);
    register_device(s, &a, branch);
    register_device(s, &b, other);
    HK_ASSERT_OK(ingest_typed(s, &a, 1, evs, 4, st, &diag));
    HK_ASSERT_INT(CENTRAL_STORED, st[0]);
    /* the retry whose ack was lost: duplicates, no second case */
    HK_ASSERT_OK(ingest_typed(s, &a, 1, evs, 4, st, &diag));
    HK_ASSERT_INT(CENTRAL_DUPLICATE, st[0]);
    HK_ASSERT_OK(central_store_cases_list(s, br, 1, true, &cases, &n));
    HK_ASSERT_INT(2, n); /* the 非常不满意 rating and the submission */
    c = case_in(cases, n, a.uuids[1]);
    HK_ASSERT(c != NULL);
    HK_ASSERT_INT(CASES_RATING, c->kind);
    HK_ASSERT_INT(1, c->level);
    HK_ASSERT_STR(branch, c->branch);
    HK_ASSERT_STR(a.device, c->device);
    HK_ASSERT_STR("A001", c->number);
    HK_ASSERT_STR(DAY, c->day);
    HK_ASSERT_STR("s1", c->staff);
    HK_ASSERT_INT(1, c->version);
    HK_ASSERT(!c->closed);
    /* 15 working days: at least three weeks after */
    HK_ASSERT(c->deadline_ms >= c->opened_ms + 21LL * 86400000LL);
    c = case_in(cases, n, a.uuids[3]);
    HK_ASSERT(c != NULL);
    HK_ASSERT_INT(CASES_SUBMISSION, c->kind);
    HK_ASSERT(cases[0].deadline_ms <= cases[1].deadline_ms);
    hk_free(cases);
    HK_ASSERT_OK(central_store_case_get(s, a.uuids[1], &got));
    HK_ASSERT_STR(a.uuids[1], got.id);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, central_store_case_get(s, a.uuids[2], &got)); /* satisfied */
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, central_store_case_get(s, a.uuids[4], &got));
    HK_ASSERT_INT(0, cases_of(s, other, false));
    /* all branches: these among them */
    HK_ASSERT_OK(central_store_cases_list(s, NULL, 0, false, &cases, &n));
    HK_ASSERT(n >= 2 && case_in(cases, n, a.uuids[1]) && case_in(cases, n, a.uuids[3]));
    hk_free(cases);

    /* two connections, overlapping batches (1..6 and 3..8), each twice */
    for(i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].e = &b;
        r[i].from = 1 + 2 * i;
        HK_ASSERT_INT(0, pthread_create(&t[i], NULL, rate, &r[i]));
    }
    for(i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for(i = 0; i < 2; i++)
        HK_ASSERT_MSG(r[i].rc == HK_OK, "rater %d: %d %s", i, r[i].rc, r[i].why);
    HK_ASSERT_INT(8, count_of(s, b.device));
    HK_ASSERT_INT(8, cases_of(s, other, true));
    central_store_close(s);
}

static void case_conflicting_batch_leaves_no_case(void)
{
    static const tev_t issued[] = { { "ticket.issued", "{\"number\":\"A009\"}" } };
    static const tev_t mixed[] = {
        { "visit.rated", RATED_1 },                    /* seq 2: new, opens a case */
        { "ticket.issued", "{\"number\":\"other\"}" }, /* seq 3: held with other content */
    };
    alerts_limits_t lim = { .wait_limit_s = 60, .rating_max = 2 };
    central_store_t *s = open_store();
    char branch[CENTRAL_ID_LEN];
    const alert_t *raised = NULL;
    alert_t *alerts = NULL;
    cases_case_t got;
    hk_diag_t diag;
    events_t e;
    int n = -1;

    new_branch(branch);
    events_init(&e);
    register_device(s, &e, branch);
    central_store_set_alert_limits(s, &lim);
    HK_ASSERT_OK(ingest_typed(s, &e, 3, issued, 1, NULL, &diag));
    HK_ASSERT_INT(HK_ERR_CONFLICT, ingest_typed(s, &e, 2, mixed, 2, NULL, &diag));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, central_store_case_get(s, e.uuids[2], &got));
    HK_ASSERT_INT(0, cases_of(s, branch, false));
    HK_ASSERT_INT(0, central_store_last_alerts(s, &raised));
    {
        const char *const br[1] = { branch };
        HK_ASSERT_OK(central_store_alerts_list(s, br, 1, 0, 10, &alerts, &n));
        HK_ASSERT_INT(0, n);
    }
    HK_ASSERT_INT(1, count_of(s, e.device));
    central_store_close(s);
}

static void case_update_is_optimistic(void)
{
    static const tev_t evs[] = { { "visit.rated", RATED_2 } };
    central_store_t *s = open_store();
    char branch[CENTRAL_ID_LEN];
    cases_case_t c, stale, got;
    cases_action_t act;
    hk_diag_t diag;
    events_t e;

    new_branch(branch);
    events_init(&e);
    register_device(s, &e, branch);
    HK_ASSERT_OK(ingest_typed(s, &e, 1, evs, 1, NULL, &diag));
    HK_ASSERT_OK(central_store_case_get(s, e.uuids[1], &c));
    HK_ASSERT_INT(1, c.version);
    stale = c;
    /* a manager assigns it */
    memset(&act, 0, sizeof(act));
    act.kind = CASES_ASSIGN;
    snprintf(act.owner, sizeof(act.owner), "王经理");
    HK_ASSERT_OK(cases_apply(&c, &act, T0_MS + 7200000LL, &diag));
    HK_ASSERT_OK(central_store_case_update(s, &c, c.version));
    HK_ASSERT_OK(central_store_case_get(s, e.uuids[1], &got));
    HK_ASSERT_INT(2, got.version);
    HK_ASSERT_STR("王经理", got.owner);
    /* another, acting on what it read before: refused, nothing lost */
    memset(&act, 0, sizeof(act));
    act.kind = CASES_ASSIGN;
    snprintf(act.owner, sizeof(act.owner), "李主任");
    HK_ASSERT_OK(cases_apply(&stale, &act, T0_MS + 7300000LL, &diag));
    HK_ASSERT_INT(HK_ERR_CONFLICT, central_store_case_update(s, &stale, stale.version));
    HK_ASSERT_OK(central_store_case_get(s, e.uuids[1], &got));
    HK_ASSERT_INT(2, got.version);
    HK_ASSERT_STR("王经理", got.owner);
    /* called back and closed on the fresh copy: off the open list */
    memset(&act, 0, sizeof(act));
    act.kind = CASES_CALLBACK;
    act.reached = true;
    snprintf(act.note, sizeof(act.note), "called, apologised");
    HK_ASSERT_OK(cases_apply(&got, &act, T0_MS + 8000000LL, &diag));
    memset(&act, 0, sizeof(act));
    act.kind = CASES_CLOSE;
    snprintf(act.cause, sizeof(act.cause), "%s", cases_causes[1]);
    snprintf(act.note, sizeof(act.note), "a second counter at the peak");
    HK_ASSERT_OK(cases_apply(&got, &act, T0_MS + 9000000LL, &diag));
    HK_ASSERT_OK(central_store_case_update(s, &got, got.version));
    HK_ASSERT_OK(central_store_case_get(s, e.uuids[1], &c));
    HK_ASSERT_INT(3, c.version);
    HK_ASSERT(c.closed);
    HK_ASSERT(c.callback_reached);
    HK_ASSERT_INT(1, c.callback_attempts);
    HK_ASSERT_STR(cases_causes[1], c.cause);
    HK_ASSERT_STR("a second counter at the peak", c.close_note);
    HK_ASSERT_STR("called, apologised", c.callback_note);
    HK_ASSERT_INT(0, cases_of(s, branch, true));
    HK_ASSERT_INT(1, cases_of(s, branch, false));
    /* no such case */
    snprintf(c.id, sizeof(c.id), "%s", e.uuids[2]);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, central_store_case_update(s, &c, 1));
    central_store_close(s);
}

static void case_alerts_only_when_limits_are_on(void)
{
    /* times are T0 + 1 h + seq: issued at T0 is a wait of an hour */
    static const tev_t off[] = {
        { "visit.rated", RATED_1 },
        { "ticket.called",
          "{\"day\":\"" DAY "\",\"number\":\"A001\",\"issued_ms\":1764115200000}" },
    };
    static const tev_t on[] = {
        { "visit.rated", RATED_2 },
        { "ticket.called", "{\"day\":\"" DAY "\",\"number\":\"A002\",\"counter\":\"c3\","
                           "\"issued_ms\":1764115200000,\"recalls\":0}" },
        { "ticket.called",
          "{\"day\":\"" DAY "\",\"number\":\"A003\",\"issued_ms\":1764118800000}" },
        { "visit.rated", RATED_5 },
    };
    alerts_limits_t lim = { .wait_limit_s = 600, .rating_max = 2 };
    central_store_t *s = open_store();
    char branch[CENTRAL_ID_LEN], other[CENTRAL_ID_LEN];
    const char *const br[1] = { branch };
    const char *const ob[1] = { other };
    const alert_t *raised = NULL;
    alert_t *alerts = NULL;
    hk_diag_t diag;
    events_t e;
    int n = -1;

    new_branch(branch);
    new_branch(other);
    events_init(&e);
    register_device(s, &e, branch);
    /* off by default: nothing raised, nothing kept */
    HK_ASSERT_OK(ingest_typed(s, &e, 1, off, 2, NULL, &diag));
    HK_ASSERT_INT(0, central_store_last_alerts(s, &raised));
    HK_ASSERT_OK(central_store_alerts_list(s, br, 1, 0, 10, &alerts, &n));
    HK_ASSERT_INT(0, n);
    /* on: the 不满意 rating and the hour's wait; not the short wait nor the 5 */
    central_store_set_alert_limits(s, &lim);
    HK_ASSERT_OK(ingest_typed(s, &e, 3, on, 4, NULL, &diag));
    HK_ASSERT_INT(2, central_store_last_alerts(s, &raised));
    HK_ASSERT_STR("dissatisfied", raised[0].kind);
    HK_ASSERT_INT(2, raised[0].level);
    HK_ASSERT_INT(3, raised[0].seq);
    HK_ASSERT_STR(branch, raised[0].branch);
    HK_ASSERT_STR("long_wait", raised[1].kind);
    HK_ASSERT_INT(3600, raised[1].wait_s);
    HK_ASSERT_STR("c3", raised[1].counter);
    /* reported once: the retry raises nothing */
    HK_ASSERT_OK(ingest_typed(s, &e, 3, on, 4, NULL, &diag));
    HK_ASSERT_INT(0, central_store_last_alerts(s, &raised));
    /* kept, newest first, at most max, since since_ms, by branch */
    HK_ASSERT_OK(central_store_alerts_list(s, br, 1, 0, 10, &alerts, &n));
    HK_ASSERT_INT(2, n);
    HK_ASSERT_STR("long_wait", alerts[0].kind);
    HK_ASSERT_INT(4, alerts[0].seq);
    HK_ASSERT_STR(e.device, alerts[0].device);
    HK_ASSERT_STR("A002", alerts[0].number);
    HK_ASSERT_STR("dissatisfied", alerts[1].kind);
    HK_ASSERT_STR("s1", alerts[1].staff);
    HK_ASSERT_INT(T0_MS + 3600000LL + 3, alerts[1].time_ms);
    hk_free(alerts);
    HK_ASSERT_OK(central_store_alerts_list(s, br, 1, 0, 1, &alerts, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_INT(4, alerts[0].seq);
    hk_free(alerts);
    HK_ASSERT_OK(central_store_alerts_list(s, br, 1, T0_MS + 3600000LL + 4, 10, &alerts, &n));
    HK_ASSERT_INT(1, n);
    hk_free(alerts);
    HK_ASSERT_OK(central_store_alerts_list(s, ob, 1, 0, 10, &alerts, &n));
    HK_ASSERT_INT(0, n);
    HK_ASSERT_OK(central_store_alerts_list(s, NULL, 0, 0, 1000, &alerts, &n));
    HK_ASSERT(n >= 2);
    hk_free(alerts);
    central_store_close(s);
}

/* The tables as the first schema made them (no events.branch/day, no
 * cases or alerts), with one device and one event of it. %s: the device. */
static const char old_tables[] =
    "CREATE TABLE devices(id TEXT PRIMARY KEY, branch TEXT NOT NULL,"
    " token_hash TEXT NOT NULL DEFAULT '', enabled %s NOT NULL);"
    "CREATE TABLE events(device TEXT NOT NULL, seq BIGINT NOT NULL CHECK(seq >= 1),"
    " uuid TEXT NOT NULL UNIQUE, type TEXT NOT NULL, time_ms BIGINT NOT NULL, body TEXT NOT NULL,"
    " received_ms BIGINT NOT NULL, PRIMARY KEY(device, seq));"
    "CREATE INDEX events_time ON events(time_ms);"
    "CREATE TABLE device_progress(device TEXT PRIMARY KEY, acked_seq BIGINT NOT NULL);"
    "CREATE TABLE configs(branch TEXT PRIMARY KEY, json TEXT NOT NULL, etag TEXT NOT NULL);"
    "CREATE TABLE heartbeats(device TEXT PRIMARY KEY, branch TEXT NOT NULL,"
    " version TEXT NOT NULL, uptime_s BIGINT NOT NULL, backlog BIGINT NOT NULL,"
    " printer TEXT NOT NULL, disk_free_mb BIGINT NOT NULL, last_error TEXT NOT NULL,"
    " received_ms BIGINT NOT NULL);"
    "INSERT INTO devices(id, branch, enabled) VALUES('%s', '%s', %s);"
    "INSERT INTO events VALUES('%s', 1, '%s', 'ticket.issued', 1764118800001,"
    " '{\"day\":\"" DAY "\"}', 1764118800001);"
    "INSERT INTO device_progress VALUES('%s', 1);";

/* Make the previous schema's tables by hand; *store_url: where they are.
 * false: this backend's tables cannot be made here (no psql). */
static bool make_old_store(const events_t *e, const char *branch, char *store_url, size_t cap)
{
    char sql[2048];

    if(!strcmp(pass_name, "sqlite")) {
        const char *path = hk_test_path("old.db");
        sqlite3 *db = NULL;
        char *err = NULL;
        snprintf(sql, sizeof(sql), old_tables, "INTEGER", e->device, branch, "1", e->device,
                 e->uuids[1], e->device);
        HK_ASSERT_INT(SQLITE_OK, sqlite3_open(path, &db));
        HK_ASSERT_MSG(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s", err);
        HK_ASSERT_INT(SQLITE_OK, sqlite3_exec(db, "PRAGMA user_version = 1;", NULL, NULL, NULL));
        sqlite3_close(db);
        snprintf(store_url, cap, "sqlite:%s", path);
        return true;
    }
    {
        /* PostgreSQL: the old tables in a schema of their own, which the
         * store then uses through search_path */
        char schema[32], cmd[4096];
        FILE *f;
        snprintf(schema, sizeof(schema), "m%ld_%d", (long)getpid(), ++branch_counter);
        if(system("command -v psql >/dev/null 2>&1") != 0)
            return false;
        snprintf(sql, sizeof(sql), old_tables, "BOOLEAN", e->device, branch, "true", e->device,
                 e->uuids[1], e->device);
        snprintf(cmd, sizeof(cmd), "psql -X -q -v ON_ERROR_STOP=1 -d '%s' -f - >/dev/null", url);
        f = popen(cmd, "w");
        HK_ASSERT(f != NULL);
        fprintf(f, "CREATE SCHEMA %s; SET search_path = %s; %s\n", schema, schema, sql);
        HK_ASSERT_INT(0, pclose(f));
        snprintf(store_url, cap, "%s%soptions=-csearch_path%%3D%s", url,
                 strchr(url, '?') ? "&" : "?", schema);
        return true;
    }
}

static void case_migrates_the_previous_schema(void)
{
    static const tev_t evs[] = { { "visit.rated", RATED_1 } };
    char branch[CENTRAL_ID_LEN], old_url[1400];
    central_event_row_t *rows = NULL;
    central_store_t *s = NULL;
    cases_case_t c;
    hk_diag_t diag;
    events_t e;
    int n = -1, round;

    new_branch(branch);
    events_init(&e);
    if(!make_old_store(&e, branch, old_url, sizeof(old_url))) {
        printf("# %s: no psql to make the old tables with: migration not checked\n", pass_name);
        return;
    }
    for(round = 0; round < 2; round++) { /* migrated, then opened as it is */
        hk_diag_clear(&diag);
        HK_ASSERT_MSG(central_store_open(old_url, &s, &diag) == HK_OK, "open: %s", diag.msg);
        HK_ASSERT_INT(1 + round, count_of(s, e.device));
        HK_ASSERT_INT(1 + round, acked_of(s, e.device));
        if(round == 0) {
            /* the old event has no branch or day: not a day's event */
            HK_ASSERT_OK(central_store_day_events(s, branch, DAY, &rows, &n));
            HK_ASSERT_INT(0, n);
            HK_ASSERT_OK(ingest_typed(s, &e, 2, evs, 1, NULL, &diag));
        }
        HK_ASSERT_OK(central_store_day_events(s, branch, DAY, &rows, &n));
        HK_ASSERT_INT(1, n);
        HK_ASSERT_INT(2, rows[0].ev.seq);
        central_event_rows_free(rows, n);
        HK_ASSERT_OK(central_store_case_get(s, e.uuids[2], &c));
        HK_ASSERT_STR(branch, c.branch);
        HK_ASSERT_INT(2, acked_of(s, e.device));
        central_store_close(s);
    }
    if(!strcmp(pass_name, "sqlite")) {
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        HK_ASSERT_INT(SQLITE_OK, sqlite3_open(old_url + 7, &db));
        HK_ASSERT_INT(SQLITE_OK, sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL));
        HK_ASSERT_INT(SQLITE_ROW, sqlite3_step(st));
        HK_ASSERT_INT(3, sqlite3_column_int(st, 0)); /* 3: enrol_codes (PROVISION) */
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
}

/* PROVISION: enrolment codes are single use and expire, on both backends;
 * two connections taking one code at once: exactly one wins. */
static void case_enrol_codes_single_use_and_expiring(void)
{
    central_store_t *s = open_store(), *t = open_store();
    central_code_state_t a = CENTRAL_CODE_UNKNOWN, b = CENTRAL_CODE_UNKNOWN;
    const char *h1 = "1111111111111111111111111111111111111111111111111111111111111111";
    const char *h2 = "2222222222222222222222222222222222222222222222222222222222222222";
    char h3[65];

    snprintf(h3, sizeof(h3), "%064lx", (unsigned long)time(NULL)); /* fresh on a reused db */
    HK_ASSERT_OK(central_store_enrol_code_put(s, h3, "kiosk-1", 1000, 1000 + 3600000));
    HK_ASSERT_OK(central_store_enrol_code_take(s, h3, "kiosk-2", 2000, &a));
    HK_ASSERT_INT(CENTRAL_CODE_UNKNOWN, a); /* another device's code */
    HK_ASSERT_OK(central_store_enrol_code_take(s, h3, "kiosk-1", 2000, &a));
    HK_ASSERT_OK(central_store_enrol_code_take(t, h3, "kiosk-1", 2001, &b));
    HK_ASSERT_INT(CENTRAL_CODE_TAKEN, a);
    HK_ASSERT_INT(CENTRAL_CODE_USED, b);
    HK_ASSERT_OK(central_store_enrol_code_take(s, h1, "kiosk-1", 2000, &a));
    HK_ASSERT_INT(CENTRAL_CODE_UNKNOWN, a);
    (void)h2;
    snprintf(h3, sizeof(h3), "%063lx2", (unsigned long)time(NULL));
    HK_ASSERT_OK(central_store_enrol_code_put(s, h3, "kiosk-1", 1000, 5000));
    HK_ASSERT_OK(central_store_enrol_code_take(t, h3, "kiosk-1", 5000, &b));
    HK_ASSERT_INT(CENTRAL_CODE_EXPIRED, b);
    HK_ASSERT(central_store_enrol_code_put(s, "not-hex", "kiosk-1", 1, 2) == HK_ERR_INVALID);
    central_store_close(t);
    central_store_close(s);
}

/* ---- passes ----------------------------------------------------------------------- */

static void run_cases(void)
{
    HK_RUN(case_ingest_is_idempotent);
    HK_RUN(case_conflict_rolls_back_the_whole_batch);
    HK_RUN(case_acked_seq_is_contiguous_through_gaps);
    HK_RUN(case_config_etag_follows_the_content);
    HK_RUN(case_devices_and_heartbeats);
    HK_RUN(case_concurrent_ingest_stores_each_event_once);
    HK_RUN(case_refuses_bad_urls_and_batches);
    HK_RUN(case_ingest_allocation_failures_store_nothing);
    HK_RUN(case_day_events_of_a_branch);
    HK_RUN(case_dissatisfied_rating_opens_one_case);
    HK_RUN(case_conflicting_batch_leaves_no_case);
    HK_RUN(case_update_is_optimistic);
    HK_RUN(case_alerts_only_when_limits_are_on);
    HK_RUN(case_migrates_the_previous_schema);
    HK_RUN(case_enrol_codes_single_use_and_expiring); /* PROVISION */
}

int main(void)
{
    const char *pg = getenv("HK_TEST_PG_URL");

    pass_name = "sqlite";
    printf("# backend sqlite\n");
    run_cases();
    if(pg && pg[0]) {
        pass_name = "postgres";
        snprintf(url, sizeof(url), "%s", pg);
        printf("# backend postgres (HK_TEST_PG_URL)\n");
        run_cases();
    } else {
        printf("# backend postgres: skipped (HK_TEST_PG_URL not set)\n");
    }
    return hk_test_end();
}
