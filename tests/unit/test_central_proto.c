/*
 * test_central_proto: the head-office wire format. Batches, acks, errors,
 * heartbeats and config documents round-trip; the encoder keeps each event
 * body's exact bytes, stays under the size cap and always takes one event;
 * every decoder refuses bad input with a diag naming the field path (an
 * HTML page, truncated JSON, missing and unknown keys, bad UUIDs, seqs out
 * of order, too many events); central_ack_covers() tells a true ack from
 * the lies a proxy or a confused server can tell; Retry-After takes
 * seconds and HTTP-dates; allocation failures anywhere give HK_ERR_NOMEM,
 * never a crash, a leak or a half-filled output.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_proto.h"
#include "hk_mem.h"
#include "hk_test.h"

#define UUID1 "0b7e8c1a-3f52-4c1e-9a0d-5e6f7a8b9c01"
#define UUID2 "0b7e8c1a-3f52-4c1e-9a0d-5e6f7a8b9c02"
#define UUID3 "0b7e8c1a-3f52-4c1e-9a0d-5e6f7a8b9c03"

/* A batch as central_batch_encode() writes it, for the decoder tests. */
#define EV(seq, uuid, body)                                                                \
    "{\"seq\":" #seq ",\"uuid\":\"" uuid "\",\"type\":\"ticket.issued\",\"time_ms\":1000," \
    "\"body\":" body "}"
#define BATCH(events) "{\"device\":\"kiosk-1\",\"branch\":\"b001\",\"events\":[" events "]}"
#define GOOD_BATCH    BATCH(EV(1, UUID1, "{\"n\":1}") "," EV(2, UUID2, "{}"))

#define ACK(acked, results) \
    "{\"device\":\"kiosk-1\",\"acked_seq\":" #acked ",\"results\":[" results "]}"
#define RES(seq, uuid, st) "{\"seq\":" #seq ",\"uuid\":\"" uuid "\",\"status\":\"" st "\"}"
#define GOOD_ACK           ACK(2, RES(1, UUID1, "stored") "," RES(2, UUID2, "duplicate"))

#define FIRST_EVENT                                                                         \
    "{\"device\":\"kiosk-1\",\"branch\":\"b001\",\"events\":[{\"seq\":41,\"uuid\":\"" UUID1 \
    "\",\"type\":\"ticket.issued\",\"time_ms\":1764000000000,\"body\":{\"ticket\":10,"

static hk_diag_t diag;
static journal_event_t evs[3];
static journal_body_t bodies[3];

void setUp(void)
{
    static const char *const uuids[3] = { UUID1, UUID2, UUID3 };
    int i;

    hk_diag_clear(&diag);
    memset(evs, 0, sizeof(evs));
    for(i = 0; i < 3; i++) {
        journal_body_init(&bodies[i]);
        journal_body_int(&bodies[i], "ticket", 10 + i);
        journal_body_str(&bodies[i], "number", "A001");
        journal_body_str(&bodies[i], "note", "引号\"和\\反斜杠\n");
        evs[i].seq = 41 + i;
        memcpy(evs[i].uuid, uuids[i], sizeof(evs[i].uuid));
        evs[i].type = i == 2 ? JOURNAL_VISIT_RATED : JOURNAL_TICKET_ISSUED;
        evs[i].wall_ms = 1764000000000LL + i;
        evs[i].body = (char *)journal_body_finish(&bodies[i]);
    }
}

void tearDown(void)
{
    hk_mem_fail_nth(0);
}

static char *read_file(const char *rel, size_t *len_out)
{
    char path[1024];
    char *buf;
    size_t n;
    FILE *f;

    (void)snprintf(path, sizeof(path), "%s/%s", HK_SOURCE_DIR, rel);
    f = fopen(path, "rb");
    HK_ASSERT_MSG(f != NULL, "cannot open %s", path);
    buf = hk_malloc(256 * 1024);
    HK_ASSERT(buf != NULL);
    n = fread(buf, 1, 256 * 1024 - 1, f);
    fclose(f);
    buf[n] = '\0';
    *len_out = n;
    return buf;
}

/* text with the first `from` replaced by `to`. The result lives until
 * the call after next (so mutate(mutate(...)) works); libc memory, outside
 * the hk_mem leak count. */
static const char *mutate(const char *text, const char *from, const char *to)
{
    static char *slots[2];
    static int turn;
    const char *at = strstr(text, from);
    size_t pre, mid = strlen(to), post;
    char *buf;

    if(!at)
        hk_test_fail(__FILE__, __LINE__, "mutation anchor not found: %s", from);
    pre = (size_t)(at - text);
    post = strlen(at + strlen(from));
    buf = malloc(pre + mid + post + 1);
    if(!buf)
        hk_test_fail(__FILE__, __LINE__, "out of memory");
    memcpy(buf, text, pre);
    memcpy(buf + pre, to, mid);
    memcpy(buf + pre + mid, at + strlen(from), post + 1);
    turn ^= 1;
    free(slots[turn]);
    slots[turn] = buf;
    return buf;
}

static void batch_refused(const char *text, const char *diag_part)
{
    central_batch_t b;
    hk_err_t rc;

    memset(&b, 0x5a, sizeof(b));
    rc = central_batch_decode(text, strlen(text), &b, &diag);
    HK_ASSERT_MSG(rc == HK_ERR_INVALID, "expected INVALID (%s), got %d", diag_part, (int)rc);
    HK_ASSERT_CONTAINS(diag.msg, diag_part);
    HK_ASSERT(b.events == NULL && b.n_events == 0);
}

static void ack_refused(const char *text, const char *diag_part)
{
    central_ack_t a;
    hk_err_t rc;

    rc = central_ack_decode(text, strlen(text), &a, &diag);
    HK_ASSERT_MSG(rc == HK_ERR_INVALID, "expected INVALID (%s), got %d", diag_part, (int)rc);
    HK_ASSERT_CONTAINS(diag.msg, diag_part);
    HK_ASSERT(a.results == NULL && a.n_results == 0);
}

/* ---- batches ------------------------------------------------------------ */

static void test_central_batch_round_trip_keeps_body_bytes(void)
{
    central_batch_t b;
    char *out = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    int taken = 0, i;

    HK_ASSERT_OK(central_batch_encode("kiosk-1", "b001", evs, 3, 0, &out, &len, &taken));
    HK_ASSERT_INT(3, taken);
    HK_ASSERT_INT(strlen(out), len);
    HK_ASSERT(strncmp(out, FIRST_EVENT, strlen(FIRST_EVENT)) == 0);
    /* deterministic: a retry sends the same bytes */
    HK_ASSERT_OK(central_batch_encode("kiosk-1", "b001", evs, 3, 0, &again, &len2, &taken));
    HK_ASSERT_INT(len, len2);
    HK_ASSERT(memcmp(out, again, len) == 0);

    HK_ASSERT_OK(central_batch_decode(out, len, &b, &diag));
    HK_ASSERT_STR("kiosk-1", b.device);
    HK_ASSERT_STR("b001", b.branch);
    HK_ASSERT_INT(3, b.n_events);
    for(i = 0; i < 3; i++) {
        HK_ASSERT_INT(evs[i].seq, b.events[i].seq);
        HK_ASSERT_STR(evs[i].uuid, b.events[i].uuid);
        HK_ASSERT_STR(journal_type_str(evs[i].type), b.events[i].type);
        HK_ASSERT_INT(evs[i].wall_ms, b.events[i].time_ms);
        HK_ASSERT_STR(evs[i].body, b.events[i].body); /* exact text */
    }
    HK_ASSERT_STR("visit.rated", b.events[2].type);
    central_batch_free(&b);
    central_batch_free(&b); /* twice is harmless */
    hk_free(out);
    hk_free(again);
}

static void test_central_batch_decoder_keeps_any_formatting_of_a_body(void)
{
    /* another client's whitespace, escapes and key order: stored as sent */
    const char *text = " {\n \"_c\": 1, \"events\" : [ { \"body\" : { \"a\" : [ 1 , \"}\\\"]\" ] ,"
                       "\"u\":\"\\u00e9\" } , \"time_ms\":0, \"type\":\"future.type\","
                       "\"uuid\":\"" UUID1 "\",\"seq\":7} ],\"branch\":\"b001\","
                       "\"device\":\"kiosk-1\"}\n";
    central_batch_t b;

    HK_ASSERT_OK(central_batch_decode(text, strlen(text), &b, &diag));
    HK_ASSERT_INT(1, b.n_events);
    HK_ASSERT_STR("{ \"a\" : [ 1 , \"}\\\"]\" ] ,\"u\":\"\\u00e9\" }", b.events[0].body);
    HK_ASSERT_STR("future.type", b.events[0].type); /* an unknown type is carried */
    HK_ASSERT_INT(7, b.events[0].seq);
    central_batch_free(&b);
}

static void test_central_batch_encoder_stops_before_the_size_cap(void)
{
    enum { N = 400 };
    journal_event_t *many = hk_calloc(N, sizeof(*many));
    journal_body_t *big = hk_calloc(N, sizeof(*big));
    char filler[700];
    char *out = NULL;
    size_t len = 0;
    int taken = 0, i;

    HK_ASSERT(many && big);
    memset(filler, 'x', sizeof(filler) - 1);
    filler[sizeof(filler) - 1] = '\0';
    for(i = 0; i < N; i++) {
        journal_body_init(&big[i]);
        journal_body_str(&big[i], "pad", filler);
        many[i].seq = i + 1;
        (void)snprintf(many[i].uuid, sizeof(many[i].uuid), "00000000-0000-4000-8000-%012d", i);
        many[i].type = JOURNAL_TICKET_CALLED;
        many[i].wall_ms = 5;
        many[i].body = (char *)journal_body_finish(&big[i]);
    }
    HK_ASSERT_OK(central_batch_encode("kiosk-1", "b001", many, N, 0, &out, &len, &taken));
    HK_ASSERT_MSG(len <= CENTRAL_BATCH_MAX_BYTES, "%zu bytes", len);
    HK_ASSERT(taken > 100 && taken < N);
    /* one more event would not have fitted */
    HK_ASSERT(len + strlen(many[taken].body) + 100 > CENTRAL_BATCH_MAX_BYTES);
    hk_free(out);

    /* a tiny cap still takes one event */
    HK_ASSERT_OK(central_batch_encode("kiosk-1", "b001", many, N, 100, &out, &len, &taken));
    HK_ASSERT_INT(1, taken);
    hk_free(out);
    HK_ASSERT_OK(central_batch_encode("kiosk-1", "b001", many, N, 3000, &out, &len, &taken));
    HK_ASSERT_INT(3, taken); /* ~770 bytes each */
    HK_ASSERT(len <= 3000);
    hk_free(out);

    /* and never more than CENTRAL_BATCH_MAX_EVENTS */
    hk_free(many);
    hk_free(big);
    many = hk_calloc(1200, sizeof(*many));
    HK_ASSERT(many != NULL);
    for(i = 0; i < 1200; i++) {
        many[i].seq = i + 1;
        (void)snprintf(many[i].uuid, sizeof(many[i].uuid), "00000000-0000-4000-8000-%012d", i);
        many[i].body = (char *)"{}";
    }
    HK_ASSERT_OK(central_batch_encode("kiosk-1", "b001", many, 1200, 0, &out, &len, &taken));
    HK_ASSERT_INT(CENTRAL_BATCH_MAX_EVENTS, taken);
    {
        central_batch_t b;

        HK_ASSERT_OK(central_batch_decode(out, len, &b, &diag));
        HK_ASSERT_INT(CENTRAL_BATCH_MAX_EVENTS, b.n_events);
        central_batch_free(&b);
    }
    hk_free(out);
    hk_free(many);
}

static void test_central_batch_encoder_refuses_what_the_server_would(void)
{
    char *out = (char *)"x";
    size_t len;
    int taken;
    journal_event_t e = evs[0];

    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_batch_encode("kiosk-1", "b001", evs, 0, 0, &out, &len, &taken));
    HK_ASSERT(out == NULL);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_batch_encode("Kiosk 1", "b001", evs, 1, 0, &out, &len, &taken));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_batch_encode("kiosk-1", "", evs, 1, 0, &out, &len, &taken));
    e.body = (char *)"[1]";
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_batch_encode("kiosk-1", "b001", &e, 1, 0, &out, &len, &taken));
    e.body = (char *)"{\"a\":1";
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_batch_encode("kiosk-1", "b001", &e, 1, 0, &out, &len, &taken));
    e.body = (char *)"{} {}";
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_batch_encode("kiosk-1", "b001", &e, 1, 0, &out, &len, &taken));
    e.body = (char *)"{\"a\":\"\xff\"}";
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_batch_encode("kiosk-1", "b001", &e, 1, 0, &out, &len, &taken));
    e = evs[0];
    memcpy(e.uuid, "0B7E8C1A-3F52-4C1E-9A0D-5E6F7A8B9C01", 37);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_batch_encode("kiosk-1", "b001", &e, 1, 0, &out, &len, &taken));
    HK_ASSERT(out == NULL);
}

static void test_central_batch_decoder_refuses_with_field_paths(void)
{
    char many[64 * 1024];
    size_t n;
    int i;

    batch_refused("{\"branch\":\"b001\",\"events\":[" EV(1, UUID1, "{}") "]}", "device: required");
    batch_refused(mutate(GOOD_BATCH, "\"body\":{}", "\"body\":{},\"extra\":1"),
                  "events[1].extra: unknown key");
    batch_refused(mutate(GOOD_BATCH, "\"device\"", "\"devices\""), "devices: unknown key");
    batch_refused(mutate(GOOD_BATCH, UUID2, "0b7e8c1a-3f52-4c1e-9a0d-5e6f7a8b9cXX"),
                  "events[1].uuid: must be a lower-case UUID");
    batch_refused(mutate(GOOD_BATCH, UUID2, "0B7E8C1A-3F52-4C1E-9A0D-5E6F7A8B9C02"),
                  "events[1].uuid: must be a lower-case UUID");
    batch_refused(mutate(GOOD_BATCH, "\"uuid\":\"" UUID2 "\"", "\"uuid\":7"),
                  "events[1].uuid: must be a lower-case UUID");
    batch_refused(mutate(GOOD_BATCH, "\"seq\":2", "\"seq\":1"),
                  "events[1].seq: must be above events[0].seq");
    batch_refused(BATCH(EV(5, UUID1, "{}") "," EV(3, UUID2, "{}")),
                  "events[1].seq: must be above events[0].seq");
    batch_refused(BATCH(EV(0, UUID1, "{}")), "events[0].seq: must be 1..");
    batch_refused(BATCH(EV(1.5, UUID1, "{}")), "events[0].seq: must be a whole number");
    batch_refused(mutate(GOOD_BATCH, "\"body\":{}", "\"body\":[]"),
                  "events[1].body: expected a JSON object");
    batch_refused(mutate(GOOD_BATCH, "\"body\":{}", "\"body\":\"{}\""),
                  "events[1].body: expected a JSON object");
    batch_refused(mutate(GOOD_BATCH, "\"body\":{}", "\"body\":{\"a\":\"\x01\"}"),
                  "not valid JSON (a control character or invalid UTF-8 at byte");
    batch_refused(mutate(GOOD_BATCH, "\"body\":{}", "\"body\":{\"a\":\"\xc0\x80\"}"),
                  "not valid JSON (a control character or invalid UTF-8 at byte");
    /* cJSON would cut "k\0\x7fx" short to a valid id "k" */
    {
        static const char nul[] =
            "{\"device\":\"k\0\x7fx\",\"branch\":\"b\",\"events\":[" EV(1, UUID1, "{}") "]}";
        central_batch_t b;

        HK_ASSERT_INT(HK_ERR_INVALID, central_batch_decode(nul, sizeof(nul) - 1, &b, &diag));
        HK_ASSERT_STR("not valid JSON (a control character or invalid UTF-8 at byte 12)", diag.msg);
    }
    batch_refused("\xef\xbb\xbf" GOOD_BATCH, "at byte 0"); /* no byte order mark */
    batch_refused(mutate(GOOD_BATCH, ",\"body\":{}", ""), "events[1].body: required");
    batch_refused(mutate(GOOD_BATCH, "ticket.issued", "Ticket!"), "events[0].type: must be a-z");
    batch_refused(mutate(GOOD_BATCH, "\"time_ms\":1000", "\"time_ms\":-1"),
                  "events[0].time_ms: must be 0..");
    batch_refused(BATCH(EV(1, UUID1, "{}") "," EV(2, UUID1, "{}")),
                  "events[1].uuid: same as events[0].uuid");
    batch_refused(BATCH(), "events: at least one event is required");
    batch_refused(BATCH("7"), "events[0]: expected an object");
    batch_refused("{\"device\":\"kiosk-1\",\"branch\":\"b001\",\"events\":{}}",
                  "events: expected an array");
    batch_refused(mutate(GOOD_BATCH, "kiosk-1", "kiosk 1"), "device: must be 1..23 of a-z");
    batch_refused("<html><body>Please log in</body></html>", "not valid JSON (line 1, column 1)");
    batch_refused("[1,2]", "top level must be a JSON object");
    {
        char cut[sizeof(GOOD_BATCH)];

        memcpy(cut, GOOD_BATCH, sizeof(GOOD_BATCH) - 10);
        cut[sizeof(GOOD_BATCH) - 10] = '\0';
        batch_refused(cut, "not valid JSON");
    }
    /* too many events */
    n = (size_t)snprintf(many, sizeof(many),
                         "{\"device\":\"kiosk-1\",\"branch\":\"b\",\"events\":[");
    for(i = 0; i < CENTRAL_BATCH_MAX_EVENTS + 1; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, "%s{}", i ? "," : "");
    (void)snprintf(many + n, sizeof(many) - n, "]}");
    batch_refused(many, "events: at most 1000 events");
    /* over the byte cap */
    {
        char *huge = hk_malloc(CENTRAL_BATCH_MAX_BYTES + 64);
        central_batch_t b;

        HK_ASSERT(huge != NULL);
        memset(huge, ' ', CENTRAL_BATCH_MAX_BYTES + 64);
        memcpy(huge, GOOD_BATCH, strlen(GOOD_BATCH));
        HK_ASSERT_INT(HK_ERR_INVALID,
                      central_batch_decode(huge, CENTRAL_BATCH_MAX_BYTES + 64, &b, &diag));
        HK_ASSERT_CONTAINS(diag.msg, "byte limit");
        hk_free(huge);
    }
}

/* ---- acknowledgements --------------------------------------------------- */

static void test_central_ack_round_trip(void)
{
    central_result_t res[2] = { { 41, UUID1, CENTRAL_STORED }, { 42, UUID2, CENTRAL_DUPLICATE } };
    central_ack_t ack = { "kiosk-1", 42, 2, res }, back;
    char *out = NULL;
    size_t len = 0;

    HK_ASSERT_OK(central_ack_encode(&ack, &out, &len));
    HK_ASSERT_STR("{\"device\":\"kiosk-1\",\"acked_seq\":42,\"results\":[{\"seq\":41,\"uuid\":"
                  "\"" UUID1 "\",\"status\":\"stored\"},{\"seq\":42,\"uuid\":\"" UUID2
                  "\",\"status\":\"duplicate\"}]}",
                  out);
    HK_ASSERT_OK(central_ack_decode(out, len, &back, &diag));
    HK_ASSERT_STR("kiosk-1", back.device);
    HK_ASSERT_INT(42, back.acked_seq);
    HK_ASSERT_INT(2, back.n_results);
    HK_ASSERT_INT(41, back.results[0].seq);
    HK_ASSERT_STR(UUID2, back.results[1].uuid);
    HK_ASSERT_INT(CENTRAL_STORED, back.results[0].status);
    HK_ASSERT_INT(CENTRAL_DUPLICATE, back.results[1].status);
    central_ack_free(&back);
    hk_free(out);

    ack.n_results = 0; /* an empty ack is well-formed (covers() refuses it) */
    ack.results = NULL;
    HK_ASSERT_OK(central_ack_encode(&ack, &out, &len));
    HK_ASSERT_OK(central_ack_decode(out, len, &back, &diag));
    HK_ASSERT_INT(0, back.n_results);
    central_ack_free(&back);
    hk_free(out);

    memcpy(ack.device, "Kiosk!", 7);
    HK_ASSERT_INT(HK_ERR_INVALID, central_ack_encode(&ack, &out, &len));
    HK_ASSERT(out == NULL);
}

static void test_central_ack_decoder_refuses_non_acks(void)
{
    ack_refused("<html><head><title>Wi-Fi login</title></head><body>…</body></html>",
                "not valid JSON (line 1, column 1)");
    ack_refused("", "not valid JSON");
    {
        char cut[sizeof(GOOD_ACK)];

        memcpy(cut, GOOD_ACK, sizeof(GOOD_ACK) - 4);
        cut[sizeof(GOOD_ACK) - 4] = '\0';
        ack_refused(cut, "not valid JSON");
    }
    ack_refused("{\"ok\":true}", "ok: unknown key");
    ack_refused("{\"device\":\"kiosk-1\",\"results\":[]}", "acked_seq: required");
    ack_refused(mutate(GOOD_ACK, "\"acked_seq\":2", "\"acked_seq\":-1"), "acked_seq: must be 0..");
    ack_refused(mutate(GOOD_ACK, "\"acked_seq\":2", "\"acked_seq\":\"2\""),
                "acked_seq: expected a number");
    ack_refused(mutate(GOOD_ACK, "duplicate", "maybe"),
                "results[1].status: expected stored or duplicate");
    ack_refused(mutate(GOOD_ACK, UUID1, "not-a-uuid"),
                "results[0].uuid: must be a lower-case UUID");
    ack_refused(mutate(GOOD_ACK, ",\"status\":\"stored\"", ""), "results[0].status: required");
    ack_refused(mutate(GOOD_ACK, "\"status\":\"stored\"", "\"status\":\"stored\",\"x\":1"),
                "results[0].x: unknown key");
    ack_refused("{\"device\":\"kiosk-1\",\"acked_seq\":0,\"results\":{}}",
                "results: expected an array");
    ack_refused("{\"device\":\"kiosk-1\",\"acked_seq\":0,\"results\":[1]}",
                "results[0]: expected an object");
    /* an error body is not an ack */
    ack_refused("{\"error\":{\"code\":\"busy\",\"message\":\"later\"}}", "error: unknown key");
}

static void test_central_ack_covers_only_a_true_answer(void)
{
    central_result_t res[3] = { { 41, UUID1, CENTRAL_STORED },
                                { 42, UUID2, CENTRAL_STORED },
                                { 43, UUID3, CENTRAL_DUPLICATE } };
    central_ack_t ack = { "kiosk-1", 43, 3, res };
    int64_t cursor = -7;

    HK_ASSERT(central_ack_covers(&ack, "kiosk-1", evs, 3, 43, &cursor, &diag));
    HK_ASSERT_INT(43, cursor);
    /* the server holds less than it received (a gap before 41): the cursor
     * moves only as far as the server's contiguous end */
    ack.acked_seq = 30;
    HK_ASSERT(central_ack_covers(&ack, "kiosk-1", evs, 3, 43, &cursor, &diag));
    HK_ASSERT_INT(30, cursor);
    ack.acked_seq = 43;

    cursor = -7;
    HK_ASSERT(!central_ack_covers(&ack, "kiosk-2", evs, 3, 43, &cursor, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "device:");
    HK_ASSERT_INT(-7, cursor);
    /* fewer results than events sent */
    HK_ASSERT(!central_ack_covers(&ack, "kiosk-1", evs, 2, 43, &cursor, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "results: 3 entries for 2 events sent");
    ack.n_results = 2;
    HK_ASSERT(!central_ack_covers(&ack, "kiosk-1", evs, 3, 43, &cursor, &diag));
    ack.n_results = 3;
    /* an ack for other ids */
    memcpy(res[2].uuid, "ffffffff-3f52-4c1e-9a0d-5e6f7a8b9c03", 37);
    HK_ASSERT(!central_ack_covers(&ack, "kiosk-1", evs, 3, 43, &cursor, &diag));
    HK_ASSERT_STR("results[2].uuid: not the event sent", diag.msg);
    memcpy(res[2].uuid, UUID3, 37);
    res[1].seq = 52;
    HK_ASSERT(!central_ack_covers(&ack, "kiosk-1", evs, 3, 43, &cursor, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "results[1].seq");
    res[1].seq = 42;
    /* the same events in another order */
    res[0].seq = 42;
    memcpy(res[0].uuid, UUID2, 37);
    res[1].seq = 41;
    memcpy(res[1].uuid, UUID1, 37);
    HK_ASSERT(!central_ack_covers(&ack, "kiosk-1", evs, 3, 43, &cursor, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "results[0]");
    res[0] = (central_result_t){ 41, UUID1, CENTRAL_STORED };
    res[1] = (central_result_t){ 42, UUID2, CENTRAL_STORED };
    /* acked_seq above the device's own journal end */
    ack.acked_seq = 44;
    HK_ASSERT(!central_ack_covers(&ack, "kiosk-1", evs, 3, 43, &cursor, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "acked_seq: 44 is past this device's journal end (43)");
    ack.acked_seq = 43;
    HK_ASSERT(!central_ack_covers(&ack, "kiosk-1", evs, 0, 43, &cursor, &diag));
    HK_ASSERT_INT(-7, cursor);
    HK_ASSERT(central_ack_covers(&ack, "kiosk-1", evs, 3, 43, &cursor, &diag));
    HK_ASSERT_INT(43, cursor);
}

/* ---- errors, Retry-After ------------------------------------------------ */

static void test_central_error_round_trip_and_html_is_not_one(void)
{
    central_error_t e;
    char *out = NULL, longmsg[400];
    size_t len;

    HK_ASSERT_OK(central_error_encode("bad_batch", "events[1].uuid: \"x\"\n\\", &out, &len));
    HK_ASSERT_STR("{\"error\":{\"code\":\"bad_batch\",\"message\":"
                  "\"events[1].uuid: \\\"x\\\" \\\\\"}}",
                  out);
    HK_ASSERT_OK(central_error_decode(out, len, &e, &diag));
    HK_ASSERT_STR("bad_batch", e.code);
    HK_ASSERT_STR("events[1].uuid: \"x\" \\", e.message);
    hk_free(out);

    /* a long message is cut at a character boundary, never refused */
    memset(longmsg, 0, sizeof(longmsg));
    for(int i = 0; i + 3 < (int)sizeof(longmsg) - 1; i += 3)
        memcpy(longmsg + i, "错", 3);
    HK_ASSERT_OK(central_error_encode("uuid_conflict", longmsg, &out, &len));
    HK_ASSERT_OK(central_error_decode(out, len, &e, &diag));
    HK_ASSERT(strlen(e.message) <= CENTRAL_TEXT_LEN - 1 && strlen(e.message) % 3 == 0);
    hk_free(out);
    {
        const char *t = "{\"error\":{\"code\":\"x\",\"message\":\"a\\u0001b\\u0080c\"}}";
        HK_ASSERT_OK(central_error_decode(t, strlen(t), &e, &diag));
        HK_ASSERT_STR("a b c", e.message);
    }

    HK_ASSERT_INT(HK_ERR_INVALID, central_error_encode("Bad Code", "m", &out, &len));
    HK_ASSERT_INT(HK_ERR_INVALID, central_error_decode("<html>503</html>", 16, &e, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "not valid JSON");
    HK_ASSERT_INT(HK_ERR_INVALID, central_error_decode("{\"error\":\"x\"}", 13, &e, &diag));
    HK_ASSERT_STR("error: expected an object", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_error_decode("{\"error\":{\"code\":\"x\"}}", 22, &e, &diag));
    HK_ASSERT_STR("error.message: required", diag.msg);
}

static void test_central_retry_after_takes_seconds_and_dates(void)
{
    /* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
    const int64_t t0 = 784111777;
    int s = -1;

    HK_ASSERT(central_parse_retry_after("5", t0, &s) && s == 5);
    HK_ASSERT(central_parse_retry_after(" 120\t", t0, &s) && s == 120);
    HK_ASSERT(central_parse_retry_after("0", t0, &s) && s == 0);
    HK_ASSERT(central_parse_retry_after("99999999999999999999999", t0, &s) && s == 3600);
    HK_ASSERT(central_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t0 - 30, &s) && s == 30);
    HK_ASSERT(central_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t0 + 30, &s) && s == 0);
    HK_ASSERT(central_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t0 - 86400, &s) &&
              s == 3600);
    HK_ASSERT(central_parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", t0 - 7, &s) && s == 7);
    HK_ASSERT(central_parse_retry_after("Sun Nov  6 08:49:37 1994", t0 - 9, &s) && s == 9);
    HK_ASSERT(central_parse_retry_after("Thu, 26 Nov 2026 08:00:10 GMT", 1795680000, &s) &&
              s == 10);
    HK_ASSERT(central_parse_retry_after("Thu, 29 Feb 2024 00:00:00 GMT", 1709164800, &s) && s == 0);
    s = -1;
    HK_ASSERT(!central_parse_retry_after("", t0, &s));
    HK_ASSERT(!central_parse_retry_after("-5", t0, &s));
    HK_ASSERT(!central_parse_retry_after("5s", t0, &s));
    HK_ASSERT(!central_parse_retry_after("1.5", t0, &s));
    HK_ASSERT(!central_parse_retry_after("soon", t0, &s));
    HK_ASSERT(!central_parse_retry_after("Sun, 06 Nov 1994 08:49:37 UTC", t0, &s));
    HK_ASSERT(!central_parse_retry_after("Sun, 31 Nov 1994 08:49:37 GMT", t0, &s));
    HK_ASSERT(!central_parse_retry_after("Wed, 29 Feb 2023 08:49:37 GMT", t0, &s));
    HK_ASSERT(!central_parse_retry_after("Sun, 06 Nov 1994 24:00:00 GMT", t0, &s));
    HK_ASSERT(!central_parse_retry_after("sun, 06 Nov 1994 08:49:37 GMT", t0, &s));
    HK_ASSERT(!central_parse_retry_after(NULL, t0, &s));
    HK_ASSERT_INT(-1, s);
}

/* ---- config documents --------------------------------------------------- */

static char *config_doc(const char *cfg_text, const char *extra)
{
    size_t n = strlen(cfg_text) + strlen(extra) + 64;
    char *doc = hk_malloc(n);

    HK_ASSERT(doc != NULL);
    (void)snprintf(doc, n, "{\"version\":1,\"config\":%s%s}", cfg_text, extra);
    return doc;
}

static void test_central_config_doc_decodes_the_sample_branch(void)
{
    central_config_doc_t *doc = NULL;
    size_t len;
    char *cfg = read_file("assets/config/sample-branch.json", &len);
    char *text = config_doc(cfg, ",\"announcements\":[{\"id\":\"a1\",\"zh\":\"春节休息\","
                                 "\"en\":\"Closed for the Spring Festival\",\"from_ms\":1,"
                                 "\"to_ms\":2},{\"id\":\"a2\",\"zh\":\"好\",\"en\":\"ok\"}]");

    HK_ASSERT_OK(central_config_decode(text, strlen(text), &doc, &diag));
    HK_ASSERT(doc != NULL);
    HK_ASSERT_INT(1, doc->version);
    HK_ASSERT_STR("sh-xuhui-01", doc->config.branch_id);
    HK_ASSERT(doc->config.n_services > 0);
    HK_ASSERT_INT(2, doc->n_announcements);
    HK_ASSERT_STR("Closed for the Spring Festival", doc->announcements[0].en);
    HK_ASSERT_INT(2, doc->announcements[0].to_ms);
    HK_ASSERT_INT(0, doc->announcements[1].from_ms);
    hk_free(doc);
    hk_free(text);

    /* without announcements */
    text = config_doc(cfg, "");
    HK_ASSERT_OK(central_config_decode(text, strlen(text), &doc, &diag));
    HK_ASSERT_INT(0, doc->n_announcements);
    hk_free(doc);
    hk_free(text);
    hk_free(cfg);
}

static void config_refused(const char *text, const char *diag_part)
{
    static central_config_doc_t sentinel;
    central_config_doc_t *doc = &sentinel; /* must become NULL */
    hk_err_t rc = central_config_decode(text, strlen(text), &doc, &diag);

    HK_ASSERT_MSG(rc == HK_ERR_INVALID, "expected INVALID (%s), got %d", diag_part, (int)rc);
    HK_ASSERT_CONTAINS(diag.msg, diag_part);
    HK_ASSERT(doc == NULL);
}

static void test_central_config_doc_names_the_bad_field(void)
{
    size_t len;
    char *cfg = read_file("assets/config/sample-branch.json", &len);
    char *text = config_doc(cfg, "");

    config_refused(mutate(text, "\"prefix\": \"V\"", "\"prefix\": \"v\""),
                   "config.services[0].prefix: must be one letter A-Z");
    config_refused(mutate(text, "\"role\": \"kiosk\"", "\"role\": \"robot\""), "config.role:");
    config_refused(mutate(text, "\"version\":1", "\"version\":0"), "version: must be 1..");
    config_refused(mutate(text, "\"version\":1,", ""), "version: required");
    config_refused("{\"version\":3,\"config\":[]}", "config: expected an object");
    config_refused("{\"version\":3,\"config\":{}}", "config.branch: required");
    config_refused("{\"version\":3}", "config: required");
    config_refused("{\"version\":3,\"config\":{},\"extra\":1}", "extra: unknown key");
    config_refused("<!DOCTYPE html><html></html>", "not valid JSON");
    config_refused(mutate(text, "\"version\":1,",
                          "\"announcements\":[{\"id\":\"a\",\"zh\":\"z\",\"en\":\"e\"},"
                          "{\"id\":\"a\",\"zh\":\"z\",\"en\":\"e\"}],\"version\":1,"),
                   "announcements[1].id: \"a\" listed twice");
    config_refused(mutate(text, "\"version\":1,",
                          "\"announcements\":[{\"id\":\"a\",\"zh\":\"z\",\"en\":\"e\","
                          "\"from_ms\":5,\"to_ms\":4}],\"version\":1,"),
                   "announcements[0].to_ms: must be after from_ms");
    config_refused(mutate(text, "\"version\":1,",
                          "\"announcements\":[{\"id\":\"a\",\"zh\":\"z\"}],\"version\":1,"),
                   "announcements[0].en: required");
    config_refused(mutate(text, "\"version\":1,",
                          "\"announcements\":[{\"id\":\"a\",\"zh\":\"z\",\"en\":\"e\","
                          "\"link\":\"x\"}],\"version\":1,"),
                   "announcements[0].link: unknown key");
    hk_free(text);
    hk_free(cfg);
}

static void test_central_config_encode_builds_what_devices_accept(void)
{
    central_announcement_t ann[2] = { { "a1", "春节休息", "Closed \"now\"\n", 1, 2 },
                                      { "a2", "好", "ok", 0, 0 } };
    central_config_doc_t *doc = NULL;
    size_t len, cfg_len, trimmed;
    char *cfg = read_file("assets/config/sample-branch.json", &cfg_len);
    char *out = NULL;

    HK_ASSERT_OK(central_config_encode(7, cfg, cfg_len, ann, 2, &out, &len, &diag));
    HK_ASSERT_INT(strlen(out), len);
    /* the config's exact text (a file's trailing newline aside) */
    trimmed = cfg_len;
    while(trimmed > 0 && (cfg[trimmed - 1] == '\n' || cfg[trimmed - 1] == ' '))
        trimmed--;
    HK_ASSERT(strncmp(out, "{\"version\":7,\"config\":{", 23) == 0);
    HK_ASSERT(memcmp(out + 22, cfg, trimmed) == 0);
    HK_ASSERT_CONTAINS(out, ",\"announcements\":[{\"id\":\"a1\",\"zh\":\"春节休息\","
                            "\"en\":\"Closed \\\"now\\\" \",\"from_ms\":1,\"to_ms\":2}");
    HK_ASSERT_OK(central_config_decode(out, len, &doc, &diag));
    HK_ASSERT_INT(7, doc->version);
    HK_ASSERT_STR("sh-xuhui-01", doc->config.branch_id);
    HK_ASSERT_INT(2, doc->n_announcements);
    HK_ASSERT_STR("Closed \"now\" ", doc->announcements[0].en);
    hk_free(doc);
    hk_free(out);

    {
        static const char minimal[] =
            "{\"branch\":{\"id\":\"b\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
            "\"services\":[{\"id\":\"g\",\"prefix\":\"A\",\"name_zh\":\"x\",\"name_en\":\"x\"}],"
            "\"counters\":[{\"id\":\"c\",\"number\":1,\"services\":[\"g\"]}]}";

        char want[sizeof(minimal) + 64];

        HK_ASSERT_OK(
            central_config_encode(1, minimal, strlen(minimal), NULL, 0, &out, &len, &diag));
        (void)snprintf(want, sizeof(want), "{\"version\":1,\"config\":%s,\"announcements\":[]}",
                       minimal);
        HK_ASSERT_STR(want, out);
        hk_free(out);
    }

    /* refusals name the field as the device would */
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_config_encode(1, mutate(cfg, "\"prefix\": \"V\"", "\"prefix\": \"v\""),
                                        cfg_len, NULL, 0, &out, &len, &diag));
    HK_ASSERT_STR("config.services[0].prefix: must be one letter A-Z", diag.msg);
    HK_ASSERT(out == NULL);
    {
        char *extra = hk_malloc(cfg_len + 16);

        HK_ASSERT(extra != NULL);
        memcpy(extra, cfg, cfg_len);
        memcpy(extra + cfg_len, ",\"_x\":1", 7);
        HK_ASSERT_INT(HK_ERR_INVALID,
                      central_config_encode(1, extra, cfg_len + 7, NULL, 0, &out, &len, &diag));
        HK_ASSERT_CONTAINS(diag.msg, "config: not valid JSON");
        hk_free(extra);
    }
    memcpy(ann[1].id, "a1", 3);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_config_encode(1, cfg, cfg_len, ann, 2, &out, &len, &diag));
    HK_ASSERT_STR("announcements[1].id: \"a1\" listed twice", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_config_encode(0, cfg, cfg_len, NULL, 0, &out, &len, &diag));
    HK_ASSERT(out == NULL);
    hk_free(cfg);
}

/* ---- heartbeat ---------------------------------------------------------- */

static void test_central_heartbeat_round_trip(void)
{
    central_heartbeat_t hb = { "kiosk-1", "b001",      "0.1.0", 3600,
                               12,        "paper_out", -1,      "printer: \"out of paper\"\n",
                               "" },
                        back;
    char *out = NULL;
    size_t len = 0;
    int64_t t = 0;

    HK_ASSERT_OK(central_heartbeat_encode(&hb, &out, &len));
    HK_ASSERT_STR("{\"device\":\"kiosk-1\",\"branch\":\"b001\",\"version\":\"0.1.0\","
                  "\"uptime_s\":3600,\"backlog\":12,\"printer\":\"paper_out\","
                  "\"disk_free_mb\":-1,\"last_error\":\"printer: \\\"out of paper\\\" \"}",
                  out);
    HK_ASSERT_OK(central_heartbeat_decode(out, len, &back, &diag));
    HK_ASSERT_STR("kiosk-1", back.device);
    HK_ASSERT_STR("b001", back.branch);
    HK_ASSERT_STR("0.1.0", back.version);
    HK_ASSERT_INT(3600, back.uptime_s);
    HK_ASSERT_INT(12, back.backlog);
    HK_ASSERT_STR("paper_out", back.printer);
    HK_ASSERT_INT(-1, back.disk_free_mb);
    HK_ASSERT_STR("printer: \"out of paper\" ", back.last_error);
    hk_free(out);

    /* a full-length error of invalid bytes still fits after encoding */
    memset(hb.last_error, 0xff, sizeof(hb.last_error) - 1);
    hb.last_error[sizeof(hb.last_error) - 1] = '\0';
    HK_ASSERT_OK(central_heartbeat_encode(&hb, &out, &len));
    HK_ASSERT_OK(central_heartbeat_decode(out, len, &back, &diag));
    HK_ASSERT_INT(sizeof(hb.last_error) - 1, strlen(back.last_error));
    hk_free(out);

    hb.backlog = -2;
    HK_ASSERT_INT(HK_ERR_INVALID, central_heartbeat_encode(&hb, &out, &len));
    {
        const char *t1 = "{\"device\":\"kiosk-1\",\"branch\":\"b001\",\"version\":\"0.1.0\","
                         "\"uptime_s\":1,\"backlog\":0,\"printer\":\"ok\",\"disk_free_mb\":-2,"
                         "\"last_error\":\"\"}";
        HK_ASSERT_INT(HK_ERR_INVALID, central_heartbeat_decode(t1, strlen(t1), &back, &diag));
        HK_ASSERT_CONTAINS(diag.msg, "disk_free_mb: must be -1..");
        t1 = mutate(mutate(t1, ",\"last_error\":\"\"", ""), "-2", "-1");
        HK_ASSERT_INT(HK_ERR_INVALID, central_heartbeat_decode(t1, strlen(t1), &back, &diag));
        HK_ASSERT_STR("last_error: required", diag.msg);
    }

    {
        char *big = hk_malloc(CENTRAL_SMALL_MAX_BYTES + 1);

        HK_ASSERT(big != NULL);
        memset(big, ' ', CENTRAL_SMALL_MAX_BYTES + 1);
        memcpy(big, "{}", 2);
        HK_ASSERT_INT(HK_ERR_INVALID,
                      central_heartbeat_decode(big, CENTRAL_SMALL_MAX_BYTES + 1, &back, &diag));
        HK_ASSERT_STR("16385 bytes is over the 16384 byte limit", diag.msg);
        hk_free(big);
    }

    HK_ASSERT_OK(central_heartbeat_reply_encode(1764000000123LL, &out, &len));
    HK_ASSERT_STR("{\"server_time_ms\":1764000000123}", out);
    HK_ASSERT_OK(central_heartbeat_reply_decode(out, len, &t, &diag));
    HK_ASSERT_INT(1764000000123LL, t);
    hk_free(out);
    HK_ASSERT_INT(HK_ERR_INVALID, central_heartbeat_reply_decode("<html>", 6, &t, &diag));
    HK_ASSERT_INT(HK_ERR_INVALID, central_heartbeat_reply_decode("{}", 2, &t, &diag));
    HK_ASSERT_STR("server_time_ms: required", diag.msg);
}

/* PROVISION: the heartbeat's optional compatible, the answer's update, versions */
static void test_central_heartbeat_update_offer(void)
{
    central_heartbeat_t hb = { "kiosk-1", "b001", "0.1.0", 1, 2, "ok", 3, "", "hallkiosk-aarch64" },
                        back;
    central_update_offer_t
        up = { "0.2.0.17", "https://u.example/b.raucb",
               "9f2c4e0b7a1d3c5e8f6a2b4d6c8e0f1a3b5d7c9e1f3a5b7d9c1e3f5a7b9d1c3e" },
        got;
    const char *http =
        "{\"server_time_ms\":1,\"update\":{\"version\":\"1\",\"url\":\"http://x/b\","
        "\"sha256\":\"9f2c4e0b7a1d3c5e8f6a2b4d6c8e0f1a3b5d7c9e1f3a5b7d9c1e3f5a7b9d1c3e\"}}";
    char *out = NULL;
    size_t len = 0;
    int64_t t = 0;
    bool has = false;

    HK_ASSERT_OK(central_heartbeat_encode(&hb, &out, &len));
    HK_ASSERT_OK(central_heartbeat_decode(out, len, &back, &diag));
    HK_ASSERT_STR("hallkiosk-aarch64", back.compatible);
    hk_free(out);
    HK_ASSERT_OK(central_heartbeat_reply_encode_offer(7, &up, &out, &len));
    HK_ASSERT_OK(central_heartbeat_reply_decode_offer(out, len, &t, &got, &has, &diag));
    HK_ASSERT(has);
    HK_ASSERT_STR(up.url, got.url);
    HK_ASSERT_STR(up.sha256, got.sha256);
    HK_ASSERT_OK(central_heartbeat_reply_decode(out, len, &t, &diag)); /* older readers */
    hk_free(out);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  central_heartbeat_reply_decode_offer(http, strlen(http), &t, &got, &has, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "https://");
    HK_ASSERT(central_version_cmp("0.9.0", "0.9.0.1") < 0);
    HK_ASSERT(central_version_cmp("0.10", "0.9.7") > 0);
    HK_ASSERT(central_version_cmp("1.2.0", "1.2.0") == 0);
    HK_ASSERT(central_version_cmp("1.2.0-dev", "1.2.0") == 0);
}

/* ---- allocation failures ------------------------------------------------ */

/* Run step with the n-th allocation failing, n = 1, 2, ... until it
 * succeeds; every failure must be HK_ERR_NOMEM (never blamed on the input)
 * and leave nothing allocated. */
typedef hk_err_t (*step_fn)(const void *ctx);

static int fail_each_allocation(step_fn step, const void *ctx)
{
    long n, live = hk_mem_live();
    int failures = 0;

    for(n = 1; n < 100000; n++) {
        hk_err_t rc;

        hk_mem_fail_nth(n);
        rc = step(ctx);
        hk_mem_fail_nth(0);
        if(rc == HK_OK)
            break;
        failures++;
        HK_ASSERT_MSG(rc == HK_ERR_NOMEM, "N=%ld: got %d (%s)", n, (int)rc, diag.msg);
        HK_ASSERT_MSG(hk_mem_live() == live, "N=%ld: leaked %ld", n, hk_mem_live() - live);
    }
    HK_ASSERT_MSG(hk_mem_live() == live, "leaked on success");
    return failures;
}

static hk_err_t step_batch(const void *ctx)
{
    central_batch_t b;
    char *out = NULL;
    size_t len;
    int taken;
    hk_err_t rc = central_batch_encode("kiosk-1", "b001", ctx, 3, 0, &out, &len, &taken);

    if(rc == HK_OK)
        rc = central_batch_decode(out, len, &b, &diag);
    if(rc == HK_OK)
        central_batch_free(&b);
    hk_free(out);
    return rc;
}

static hk_err_t step_ack(const void *ctx)
{
    central_ack_t a;
    hk_err_t rc = central_ack_decode(ctx, strlen(ctx), &a, &diag);

    central_ack_free(&a);
    return rc;
}

static hk_err_t step_config(const void *ctx)
{
    central_config_doc_t *doc = NULL;
    hk_err_t rc = central_config_decode(ctx, strlen(ctx), &doc, &diag);

    hk_free(doc);
    return rc;
}

static hk_err_t step_config_encode(const void *ctx)
{
    central_announcement_t ann = { "a1", "z", "e", 0, 0 };
    char *out = NULL;
    size_t len;
    hk_err_t rc = central_config_encode(3, ctx, strlen(ctx), &ann, 1, &out, &len, &diag);

    hk_free(out);
    return rc;
}

static hk_err_t step_small(const void *ctx)
{
    central_heartbeat_t hb = { "kiosk-1", "b001", "0.1.0", 1, 2, "ok", 3, "", "" }, back;
    central_error_t e;
    char *out = NULL;
    size_t len;
    int64_t t;
    hk_err_t rc;

    (void)ctx;
    rc = central_heartbeat_encode(&hb, &out, &len);
    if(rc == HK_OK)
        rc = central_heartbeat_decode(out, len, &back, &diag);
    HK_SAFEFREE(out);
    if(rc == HK_OK)
        rc = central_error_encode("busy", "try later", &out, &len);
    if(rc == HK_OK)
        rc = central_error_decode(out, len, &e, &diag);
    HK_SAFEFREE(out);
    if(rc == HK_OK)
        rc = central_heartbeat_reply_encode(5, &out, &len);
    if(rc == HK_OK)
        rc = central_heartbeat_reply_decode(out, len, &t, &diag);
    HK_SAFEFREE(out);
    if(rc == HK_OK) {
        central_result_t res = { 1, UUID1, CENTRAL_STORED };
        central_ack_t ack = { "kiosk-1", 1, 1, &res };

        rc = central_ack_encode(&ack, &out, &len);
        HK_SAFEFREE(out);
    }
    return rc;
}

static void test_central_proto_survives_every_allocation_failure(void)
{
    size_t len;
    char *cfg = read_file("assets/config/sample-branch.json", &len);
    char *doc = config_doc(cfg, ",\"announcements\":[{\"id\":\"a1\",\"zh\":\"z\",\"en\":\"e\"}]");
    int f;

    f = fail_each_allocation(step_batch, evs);
    HK_ASSERT_MSG(f >= 10, "batch: only %d allocations exercised", f);
    f = fail_each_allocation(step_ack, GOOD_ACK);
    HK_ASSERT_MSG(f >= 10, "ack: only %d allocations exercised", f);
    f = fail_each_allocation(step_config, doc);
    HK_ASSERT_MSG(f >= 50, "config: only %d allocations exercised", f);
    f = fail_each_allocation(step_config_encode, cfg);
    HK_ASSERT_MSG(f >= 50, "config encode: only %d allocations exercised", f);
    f = fail_each_allocation(step_small, NULL);
    HK_ASSERT_MSG(f >= 10, "heartbeat/error: only %d allocations exercised", f);
    hk_free(doc);
    hk_free(cfg);
}

/* ---- samples for the schema check ---------------------------------------
 * With HK_CENTRAL_SAMPLES=FILE set, write each encoder output as a line
 * "<schema name> <bytes>", the body and a newline, and run no tests: tests/unit/central_schema.mjs
 * validates them against docs/api/central.yaml's schemas. */

/* body: where the encoder (called in the same argument list) put its output */
static void write_sample(FILE *f, const char *schema, hk_err_t rc, char **body)
{
    HK_ASSERT_OK(rc);
    fprintf(f, "%s %zu\n%s\n", schema, strlen(*body), *body);
    HK_SAFEFREE(*body);
}

static void test_central_samples_for_the_schema_check(void)
{
    const char *path = getenv("HK_CENTRAL_SAMPLES");
    central_result_t res[2] = { { 41, UUID1, CENTRAL_STORED }, { 42, UUID2, CENTRAL_DUPLICATE } };
    central_ack_t ack = { "kiosk-1", 42, 2, res }, none = { "kiosk-1", 0, 0, NULL };
    central_heartbeat_t hb = { "kiosk-1", "b001", "0.1.0", 3600, 12, "paper_out", -1, "", "" };
    FILE *f = fopen(path, "w");
    char msg[300], *out = NULL;
    size_t len;
    int taken, i;

    HK_ASSERT(f != NULL);
    write_sample(f, "Batch", central_batch_encode("kiosk-1", "b001", evs, 3, 0, &out, &len, &taken),
                 &out);
    write_sample(f, "Ack", central_ack_encode(&ack, &out, &len), &out);
    write_sample(f, "Ack", central_ack_encode(&none, &out, &len), &out);
    for(i = 0; i + 3 < (int)sizeof(msg); i += 3) /* quotes, backslashes, controls, 3 bytes a */
        memcpy(msg + i, i % 2 ? "\"\\\x01" : "错", 3);
    msg[i] = '\0';
    write_sample(f, "Error", central_error_encode("uuid_conflict", msg, &out, &len), &out);
    memset(hb.last_error, 0xff, sizeof(hb.last_error) - 1);
    write_sample(f, "Heartbeat", central_heartbeat_encode(&hb, &out, &len), &out);
    (void)snprintf(hb.last_error, sizeof(hb.last_error), "错误\t\"quoted\"");
    write_sample(f, "Heartbeat", central_heartbeat_encode(&hb, &out, &len), &out);
    {
        central_announcement_t ann = { "a1", "春节休息", "Closed\t\"now\"", 1, 2 };
        size_t cfg_len;
        char *cfg = read_file("assets/config/sample-branch.json", &cfg_len);

        write_sample(f, "ConfigDocument",
                     central_config_encode(7, cfg, cfg_len, &ann, 1, &out, &len, &diag), &out);
        hk_free(cfg);
    }
    write_sample(f, "HeartbeatReply", central_heartbeat_reply_encode(1795660730688, &out, &len),
                 &out);
    { /* PROVISION: a heartbeat with its compatible, an answer announcing a bundle */
        central_update_offer_t up = {
            "0.2.0.17", "https://updates.example/b.raucb",
            "9f2c4e0b7a1d3c5e8f6a2b4d6c8e0f1a3b5d7c9e1f3a5b7d9c1e3f5a7b9d1c3e"
        };
        (void)snprintf(hb.compatible, sizeof(hb.compatible), "hallkiosk-aarch64");
        write_sample(f, "Heartbeat", central_heartbeat_encode(&hb, &out, &len), &out);
        write_sample(f, "HeartbeatReply",
                     central_heartbeat_reply_encode_offer(1795660730688, &up, &out, &len), &out);
    }
    {
        /* issue 8 (CONTENT): GET /v1/content's bundle of the shipped files */
        size_t faq_len, triage_len;
        char *faq = read_file("assets/faq/faq.json", &faq_len);
        char *triage = read_file("assets/faq/triage.json", &triage_len);

        write_sample(f, "ContentBundle",
                     central_content_encode("c-0123456789abcdef", faq, faq_len, triage, triage_len,
                                            &out, &len, &diag),
                     &out);
        hk_free(faq);
        hk_free(triage);
    }
    HK_ASSERT(fclose(f) == 0);
}

int main(void)
{
    if(getenv("HK_CENTRAL_SAMPLES")) {
        HK_RUN(test_central_samples_for_the_schema_check);
        return hk_test_end();
    }
    HK_RUN(test_central_batch_round_trip_keeps_body_bytes);
    HK_RUN(test_central_batch_decoder_keeps_any_formatting_of_a_body);
    HK_RUN(test_central_batch_encoder_stops_before_the_size_cap);
    HK_RUN(test_central_batch_encoder_refuses_what_the_server_would);
    HK_RUN(test_central_batch_decoder_refuses_with_field_paths);
    HK_RUN(test_central_ack_round_trip);
    HK_RUN(test_central_ack_decoder_refuses_non_acks);
    HK_RUN(test_central_ack_covers_only_a_true_answer);
    HK_RUN(test_central_error_round_trip_and_html_is_not_one);
    HK_RUN(test_central_retry_after_takes_seconds_and_dates);
    HK_RUN(test_central_config_doc_decodes_the_sample_branch);
    HK_RUN(test_central_config_doc_names_the_bad_field);
    HK_RUN(test_central_config_encode_builds_what_devices_accept);
    HK_RUN(test_central_heartbeat_round_trip);
    HK_RUN(test_central_heartbeat_update_offer); /* PROVISION */
    HK_RUN(test_central_proto_survives_every_allocation_failure);
    return hk_test_end();
}
