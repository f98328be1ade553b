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
