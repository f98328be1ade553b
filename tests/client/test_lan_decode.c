/*
 * lan_decode against lan_api's own encoders: what the hub writes, the
 * client reads back to the same values (tickets with staff and device,
 * snapshots, visits with rated and not-rated outcomes, rating answers and
 * lookups, sessions, stream events), and every refusal the hub maps from
 * an operation's rc comes back as that rc, so a screen on a LAN client
 * sees what it would see on the hub. Malformed answers are HK_ERR_SERVER.
 */
#include <stdio.h>
#include <string.h>

#include "hk_mem.h"
#include "hk_test.h"
#include "lan_api.h"
#include "lan_decode.h"

static config_t cfg;

static const char cfg_json[] =
    "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}],"
    "\"staff\":[{\"id\":\"s1\",\"name_zh\":\"王丽\",\"name_en\":\"Wang Li\",\"pin_hash\":"
    "\"$argon2id$v=19$m=19456,t=2,p=1$9TAmAzTazftkRfPEX45gMw$"
    "5knWFbDoUeD96CmGfXVTf2D1rjGgB3/f7D2lAUd44mQ\"}]}";

void setUp(void)
{
    hk_diag_t diag;

    HK_ASSERT_OK(config_parse(cfg_json, strlen(cfg_json), &cfg, &diag));
}

void tearDown(void)
{
}

static ticket_t sample_ticket(void)
{
    ticket_t t;

    memset(&t, 0, sizeof(t));
    t.id = 42;
    snprintf(t.day, sizeof(t.day), "2026-11-26");
    snprintf(t.number, sizeof(t.number), "A901");
    snprintf(t.service_id, sizeof(t.service_id), "general");
    t.state = TICKET_SERVING;
    t.issued_ms = 1795660000000;
    t.called_ms = 1795660060000;
    t.serving_ms = 1795660070000;
    snprintf(t.counter_id, sizeof(t.counter_id), "c1");
    t.ahead_quoted = 3;
    t.est_wait_s_quoted = -1;
    t.recalls = 2;
    snprintf(t.staff_id, sizeof(t.staff_id), "s1");
    snprintf(t.device_id, sizeof(t.device_id), "kiosk-2");
    return t;
}

static void same_ticket(const ticket_t *a, const ticket_t *b)
{
    HK_ASSERT_INT(a->id, b->id);
    HK_ASSERT_STR(a->day, b->day);
    HK_ASSERT_STR(a->number, b->number);
    HK_ASSERT_STR(a->service_id, b->service_id);
    HK_ASSERT_INT(a->state, b->state);
    HK_ASSERT_INT(a->issued_ms, b->issued_ms);
    HK_ASSERT_INT(a->called_ms, b->called_ms);
    HK_ASSERT_INT(a->serving_ms, b->serving_ms);
    HK_ASSERT_INT(a->finished_ms, b->finished_ms);
    HK_ASSERT_STR(a->counter_id, b->counter_id);
    HK_ASSERT_INT(a->ahead_quoted, b->ahead_quoted);
    HK_ASSERT_INT(a->est_wait_s_quoted, b->est_wait_s_quoted);
    HK_ASSERT_INT(a->recalls, b->recalls);
    HK_ASSERT_STR(a->staff_id, b->staff_id);
    HK_ASSERT_STR(a->device_id, b->device_id);
}

/* Encode res as the hub answers op, then decode it as the client does. */
static void roundtrip(branch_op_t op, const branch_result_t *res, branch_result_t *out)
{
    lan_call_t call;
    char *json;

    memset(&call, 0, sizeof(call));
    call.route = LAN_ROUTE_OP;
    call.op = op;
    snprintf(call.counter_id, sizeof(call.counter_id), "c1");
    json = lan_api_encode_result(&cfg, &call, res, "2026-11-26");
    HK_ASSERT(json);
    memset(out, 0, sizeof(*out));
    out->op = op;
    HK_ASSERT_OK(lan_decode_result(op, json, strlen(json), out));
    hk_free(json);
}

static void test_lan_decode_reads_back_tickets_and_snapshots(void)
{
    branch_result_t res, got;
    int i;

    memset(&res, 0, sizeof(res));
    res.op = BRANCH_OP_CALL_NEXT;
    res.journal_seq = 77;
    res.has_ticket = true;
    res.ticket = sample_ticket();
    roundtrip(BRANCH_OP_CALL_NEXT, &res, &got);
    HK_ASSERT_INT(77, got.journal_seq);
    HK_ASSERT(got.has_ticket);
    same_ticket(&res.ticket, &got.ticket);

    memset(&res, 0, sizeof(res));
    res.op = BRANCH_OP_SNAPSHOT;
    res.snapshot.journal_seq = 9;
    res.snapshot.taken_ms = 1795660000123;
    res.snapshot.n_services = 1;
    snprintf(res.snapshot.services[0].service_id, CONFIG_ID_LEN, "general");
    res.snapshot.services[0].waiting = 4;
    res.snapshot.services[0].est_wait_s = -1;
    res.snapshot.n_counters = 1;
    snprintf(res.snapshot.counters[0].counter_id, CONFIG_ID_LEN, "c1");
    res.snapshot.counters[0].state = BRANCH_COUNTER_PAUSED;
    snprintf(res.snapshot.counters[0].staff_id, RATING_STAFF_ID_LEN, "s1");
    res.snapshot.counters[0].has_ticket = true;
    res.snapshot.counters[0].ticket = sample_ticket();
    roundtrip(BRANCH_OP_SNAPSHOT, &res, &got);
    HK_ASSERT_INT(9, got.snapshot.journal_seq);
    HK_ASSERT_INT(res.snapshot.taken_ms, got.snapshot.taken_ms);
    HK_ASSERT_INT(1, got.snapshot.n_services);
    HK_ASSERT_INT(4, got.snapshot.services[0].waiting);
    HK_ASSERT_INT(-1, got.snapshot.services[0].est_wait_s);
    HK_ASSERT_INT(1, got.snapshot.n_counters);
    HK_ASSERT_INT(BRANCH_COUNTER_PAUSED, got.snapshot.counters[0].state);
    HK_ASSERT_STR("s1", got.snapshot.counters[0].staff_id);
    HK_ASSERT(got.snapshot.counters[0].has_ticket);
    same_ticket(&res.snapshot.counters[0].ticket, &got.snapshot.counters[0].ticket);

    /* an answer that is not what the hub writes */
    static const char *const bad[] = {
        "",
        "[]",
        "{\"journal_seq\":\"x\"}",
        "{\"ticket\":{\"id\":1}}",
        "{\"ticket\":{\"id\":1,\"number\":\"A0011234\",\"service\":\"g\",\"state\":\"done\"}}",
        "{\"ticket\":{\"id\":1,\"number\":\"A001\",\"service\":\"g\",\"state\":\"bogus\"}}",
    };
    for(i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
        memset(&got, 0, sizeof(got));
        HK_ASSERT_INT(HK_ERR_SERVER,
                      lan_decode_result(BRANCH_OP_CALL_NEXT, bad[i], strlen(bad[i]), &got));
    }
}

static void test_lan_decode_reads_back_visits_ratings_and_lookups(void)
{
    branch_visit_t visits[2];
    branch_result_t res, got;

    memset(visits, 0, sizeof(visits));
    visits[0].ticket = sample_ticket();
    visits[0].ticket.state = TICKET_DONE;
    visits[0].ticket.finished_ms = 1795660300000;
    snprintf(visits[0].staff_id, sizeof(visits[0].staff_id), "s1");
    visits[0].has_rating = true;
    visits[0].rating.level = RATING_DISSATISFIED;
    visits[0].rating.reasons = RATING_REASON_ATTITUDE | RATING_REASON_OTHER;
    visits[0].rating.source = RATING_SOURCE_KIOSK;
    visits[0].rating.rated_ms = 1795660400000;
    visits[0].rating.follow_up = true;
    visits[1].ticket = sample_ticket();
    visits[1].ticket.id = 43;
    visits[1].has_rating = true;
    visits[1].rating.level = RATING_NOT_RATED; /* the window passed */
    visits[1].rating.rated_ms = 1795660500000;
    memset(&res, 0, sizeof(res));
    res.op = BRANCH_OP_VISITS;
    res.visits = visits;
    res.n_visits = 2;
    roundtrip(BRANCH_OP_VISITS, &res, &got);
    HK_ASSERT_INT(2, got.n_visits);
    same_ticket(&visits[0].ticket, &got.visits[0].ticket);
    HK_ASSERT_STR("s1", got.visits[0].staff_id);
    HK_ASSERT(got.visits[0].has_rating);
    HK_ASSERT_INT(RATING_DISSATISFIED, got.visits[0].rating.level);
    HK_ASSERT_INT(RATING_REASON_ATTITUDE | RATING_REASON_OTHER, got.visits[0].rating.reasons);
    HK_ASSERT_INT(RATING_SOURCE_KIOSK, got.visits[0].rating.source);
    HK_ASSERT(got.visits[0].rating.follow_up);
    HK_ASSERT_INT(42, got.visits[0].rating.ticket_id);
    HK_ASSERT(got.visits[1].has_rating);
    HK_ASSERT_INT(RATING_NOT_RATED, got.visits[1].rating.level);
    hk_free(got.visits);

    /* a vote's answer names the visit it rated */
    memset(&res, 0, sizeof(res));
    res.op = BRANCH_OP_RATE;
    res.journal_seq = 12;
    res.has_rating = true;
    res.rating.ticket_id = 42;
    snprintf(res.rating.number, sizeof(res.rating.number), "A901");
    snprintf(res.rating.day, sizeof(res.rating.day), "2026-11-26");
    snprintf(res.rating.service_id, sizeof(res.rating.service_id), "general");
    snprintf(res.rating.counter_id, sizeof(res.rating.counter_id), "c1");
    snprintf(res.rating.staff_id, sizeof(res.rating.staff_id), "s1");
    res.rating.level = RATING_VERY_SATISFIED;
    res.rating.praise = RATING_PRAISE_EFFICIENCY;
    res.rating.rated_ms = 1795660400000;
    roundtrip(BRANCH_OP_RATE, &res, &got);
    HK_ASSERT_INT(12, got.journal_seq);
    HK_ASSERT(got.has_rating);
    HK_ASSERT_INT(RATING_VERY_SATISFIED, got.rating.level);
    HK_ASSERT_INT(RATING_PRAISE_EFFICIENCY, got.rating.praise);
    HK_ASSERT_INT(42, got.rating.ticket_id);
    HK_ASSERT_STR("A901", got.rating.number);
    HK_ASSERT_STR("s1", got.rating.staff_id);

    /* a lookup: may the kiosk rate it */
    res.op = BRANCH_OP_RATING_LOOKUP;
    res.rc = HK_OK;
    res.rating_status = RATING_STATUS_OPEN;
    res.rating.level = RATING_NOT_RATED;
    res.rating.rated_ms = 0;
    res.rating.praise = 0;
    roundtrip(BRANCH_OP_RATING_LOOKUP, &res, &got);
    HK_ASSERT_INT(RATING_STATUS_OPEN, got.rating_status);
    HK_ASSERT_INT(42, got.rating.ticket_id);
    HK_ASSERT_STR("A901", got.rating.number);
    res.rating_status = RATING_STATUS_RATED;
    res.rating.level = RATING_BASIC;
    res.rating.rated_ms = 1795660400000;
    roundtrip(BRANCH_OP_RATING_LOOKUP, &res, &got);
    HK_ASSERT_INT(RATING_STATUS_RATED, got.rating_status);
    HK_ASSERT_INT(RATING_BASIC, got.rating.level);
}

static void test_lan_decode_sessions_and_stream_events(void)
{
    char session[160], frame[LAN_API_EVENT_MAX], *data, *nl, *json;
    journal_event_t ev, got;
    branch_result_t res;

    json = lan_api_encode_session(&cfg, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", 0, 5);
    HK_ASSERT(json);
    HK_ASSERT_OK(lan_decode_session(json, strlen(json), session, sizeof(session)));
    HK_ASSERT_STR("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", session);
    memset(&res, 0, sizeof(res));
    HK_ASSERT_OK(lan_decode_result(BRANCH_OP_LOGIN, json, strlen(json), &res));
    HK_ASSERT(res.has_staff);
    HK_ASSERT_STR("s1", res.staff.id);
    HK_ASSERT_STR("王丽", res.staff.name_zh);
    HK_ASSERT_STR("Wang Li", res.staff.name_en);
    hk_free(json);
    HK_ASSERT_INT(HK_ERR_SERVER, lan_decode_session("{\"session\":\"\"}", 14, session, 160));

    memset(&ev, 0, sizeof(ev));
    ev.seq = 31;
    ev.type = JOURNAL_TICKET_CALLED;
    snprintf(ev.uuid, sizeof(ev.uuid), "0b0c1d2e-0000-4000-8000-000000000000");
    ev.wall_ms = 1795660000000;
    ev.body = (char *)"{\"ticket\":42,\"number\":\"A901\",\"counter\":\"c1\"}";
    HK_ASSERT(lan_api_event_frame(&ev, frame, sizeof(frame)) > 0);
    data = strstr(frame, "\ndata: ");
    HK_ASSERT(data);
    data += 7;
    nl = strchr(data, '\n');
    HK_ASSERT(nl);
    HK_ASSERT_OK(lan_decode_event(data, (size_t)(nl - data), &got));
    HK_ASSERT_INT(31, got.seq);
    HK_ASSERT_INT(JOURNAL_TICKET_CALLED, got.type);
    HK_ASSERT_STR(ev.uuid, got.uuid);
    HK_ASSERT_INT(ev.wall_ms, got.wall_ms);
    HK_ASSERT_STR(ev.body, got.body);
    hk_free(got.body);
    HK_ASSERT_INT(HK_ERR_SERVER, lan_decode_event("{\"seq\":1,\"type\":\"nope\"}", 24, &got));
}

/* Every refusal the hub derives from an op's rc maps back to that rc. */
static void test_lan_decode_maps_every_refusal_back_to_its_rc(void)
{
    static const hk_err_t rcs[] = { HK_ERR_NOT_FOUND, HK_ERR_BUSY, HK_ERR_INVALID };
    int op, i;

    for(op = 0; op < BRANCH_OP_COUNT; op++)
        for(i = 0; i < 3; i++) {
            branch_result_t res;
            lan_error_t err;
            int status = 0;
            memset(&res, 0, sizeof(res));
            res.op = (branch_op_t)op;
            res.rc = rcs[i];
            if(op == BRANCH_OP_RATING_LOOKUP || op == BRANCH_OP_LOGIN || op == BRANCH_OP_LOGOUT)
                continue; /* lookup: "unknown" is a 200; login/logout answer on their own */
            if(op == BRANCH_OP_IMPORT_TICKET && rcs[i] == HK_ERR_BUSY)
                continue; /* the hub says number_conflict for both BUSY and INVALID */
            if((op == BRANCH_OP_FAQ_FEEDBACK || op == BRANCH_OP_TRIAGE_CHOICE ||
                op == BRANCH_OP_SUBMIT_ISSUE || op == BRANCH_OP_ENGINEER_PIN_FAILED) &&
               rcs[i] == HK_ERR_NOT_FOUND)
                continue; /* self-help looks nothing up: never "not found" (500 if it were) */
            if(lan_api_result_status(&res, &status, &err))
                continue;
            HK_ASSERT_MSG(lan_decode_status(err.status, err.code) == rcs[i],
                          "%s %s: %d %s came back as %s", branch_op_str(res.op), hk_err_str(rcs[i]),
                          err.status, err.code,
                          hk_err_str(lan_decode_status(err.status, err.code)));
        }
    HK_ASSERT_INT(HK_ERR_INVALID, lan_decode_status(401, "bad_credentials"));
    HK_ASSERT_INT(HK_ERR_BUSY, lan_decode_status(429, "too_many_attempts"));
    HK_ASSERT_INT(HK_ERR_INVALID, lan_decode_status(403, "staff_session_required"));
    HK_ASSERT_INT(HK_ERR_BUSY, lan_decode_status(503, "busy"));
    HK_ASSERT_INT(HK_ERR_SERVER, lan_decode_status(500, "internal"));
    HK_ASSERT_INT(HK_OK, lan_decode_status(204, NULL));
}

/* ---- LANCFG: the branch document ------------------------------------------- */

/* Replace the first "from" in doc by "to" and decode: the refusal's diag. */
static void expect_refused(const char *doc, const char *from, const char *to, const char *why)
{
    static char text[64 * 1024];
    static lan_branch_doc_t out;
    const char *p = strstr(doc, from);
    hk_diag_t d;

    HK_ASSERT_MSG(p != NULL, "no %s in the document", from);
    snprintf(text, sizeof(text), "%.*s%s%s", (int)(p - doc), doc, to, p + strlen(from));
    HK_ASSERT_INT(HK_ERR_INVALID, lan_decode_branch(text, strlen(text), &out, &d));
    HK_ASSERT_MSG(strstr(d.msg, why) != NULL, "%s -> %s: \"%s\", not \"%s\"", from, to, d.msg, why);
}

static void test_lan_decode_branch_reads_back_the_sample_branch_and_refuses_bad_ones(void)
{
    static config_t sample, local, merged;
    static lan_branch_doc_t doc;
    char path[1024];
    hk_diag_t d;
    char *json;
    int i;

    snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    HK_ASSERT_OK(config_load_file(path, &sample, &d));
    json = lan_api_encode_branch(&sample, 42);
    HK_ASSERT(json != NULL);
    HK_ASSERT(strstr(json, "pin_hash") == NULL && strstr(json, "url_key") == NULL &&
              strstr(json, "token") == NULL && strstr(json, "printer") == NULL);
    HK_ASSERT_OK(lan_decode_branch(json, strlen(json), &doc, &d));
    HK_ASSERT_INT(42, (int)doc.generation);
    HK_ASSERT_STR(sample.branch_id, doc.cfg.branch_id);
    HK_ASSERT_INT(sample.n_services, doc.cfg.n_services);
    HK_ASSERT_INT(0, memcmp(sample.services, doc.cfg.services, sizeof(sample.services)));
    HK_ASSERT_INT(0, memcmp(sample.counters, doc.cfg.counters, sizeof(sample.counters)));
    HK_ASSERT_INT(0, memcmp(&sample.hours, &doc.cfg.hours, sizeof(sample.hours)));
    HK_ASSERT_INT(sample.n_staff, doc.cfg.n_staff);
    for(i = 0; i < sample.n_staff; i++) {
        HK_ASSERT_STR(sample.staff[i].name_zh, doc.cfg.staff[i].name_zh);
        HK_ASSERT_STR("", doc.cfg.staff[i].pin_hash);
    }
    HK_ASSERT_STR(sample.ticket_url_template, doc.cfg.ticket_url_template);
    HK_ASSERT_INT(sample.voice_en, doc.cfg.voice_en);

    /* merged into a counter device's own config: its sections stay */
    local = cfg;
    local.role = CONFIG_ROLE_COUNTER;
    snprintf(local.device.counter, sizeof(local.device.counter), "c2");
    snprintf(local.device.id, sizeof(local.device.id), "counter-2");
    snprintf(local.ticket_url_key, sizeof(local.ticket_url_key), "%064d", 7);
    HK_ASSERT_OK(lan_decode_branch_merge(&doc, &local, &merged, &d));
    HK_ASSERT_INT(CONFIG_ROLE_COUNTER, merged.role);
    HK_ASSERT_STR("counter-2", merged.device.id);
    HK_ASSERT_STR(local.ticket_url_key, merged.ticket_url_key);
    HK_ASSERT_STR(sample.branch_name_zh, merged.branch_name_zh);
    HK_ASSERT_INT(sample.n_counters, merged.n_counters);
    i = config_staff_index(&merged, "s1");
    HK_ASSERT(i >= 0);
    HK_ASSERT_STR(cfg.staff[0].pin_hash, merged.staff[i].pin_hash); /* the device's own */
    snprintf(local.device.counter, sizeof(local.device.counter), "c99");
    HK_ASSERT_INT(HK_ERR_INVALID, lan_decode_branch_merge(&doc, &local, &merged, &d));
    HK_ASSERT_CONTAINS(d.msg, "c99");

    /* refusals name the field */
    expect_refused(json, "\"generation\":42", "\"generation\":0", "generation:");
    expect_refused(json, "\"generation\":42", "\"generation\":\"42\"", "generation:");
    expect_refused(json, "\"generation\":42,", "", "generation: required");
    expect_refused(json, "\"prefix\":\"A\"", "\"prefix\":\"V\"", "services[");
    expect_refused(json, "\"id\":\"sh-xuhui-01\"", "\"id\":\"SH\"", "id:");
    expect_refused(json, "\"mon\":\"09:00-18:00\"", "\"mon\":\"18:00-09:00\"", "hours.mon");
    expect_refused(json, "\"number\":1,", "\"number\":100,", "counters[0].number");
    expect_refused(json, "[\"vip\",\"general\"]", "[\"vip\",\"nope\"]", "counters[0].services");
    expect_refused(json, "\"staff\":[", "\"staff\":[{\"id\":\"s1\"},", "staff[0]");
    expect_refused(json, "\"staff\":[",
                   "\"staff\":[{\"id\":\"BAD\",\"name_zh\":\"x\",\"name_en\":\"x\"},",
                   "staff[0].id");
    expect_refused(json, "\"voice_en\"", "\"voice_EN\"", "voice_en: required");
    expect_refused(json, "\"name_zh\"", "\"name_zh\":1,\"x\"", "name_zh");
    expect_refused(json, "{", "[", "branch:");
    hk_free(json);

    /* the fuzz target's seeds are real documents (after their selector byte) */
    {
        static const char *const seeds[] = { "branch_sample.json", "branch_small.json",
                                             "branch_no_c1.json" };
        static char text[64 * 1024];
        for(i = 0; i < 3; i++) {
            FILE *f;
            size_t n;
            snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/lan_decode/%s", HK_SOURCE_DIR,
                     seeds[i]);
            f = fopen(path, "rb");
            HK_ASSERT_MSG(f != NULL, "%s", path);
            n = fread(text, 1, sizeof(text), f);
            fclose(f);
            HK_ASSERT(n > 1 && (unsigned char)text[0] == 0xB0);
            HK_ASSERT_MSG(lan_decode_branch(text + 1, n - 1, &doc, &d) == HK_OK, "%s: %s", seeds[i],
                          d.msg);
        }
    }
}

int main(void)
{
    HK_RUN(test_lan_decode_reads_back_tickets_and_snapshots);
    HK_RUN(test_lan_decode_reads_back_visits_ratings_and_lookups);
    HK_RUN(test_lan_decode_sessions_and_stream_events);
    HK_RUN(test_lan_decode_maps_every_refusal_back_to_its_rc);
    HK_RUN(test_lan_decode_branch_reads_back_the_sample_branch_and_refuses_bad_ones);
    return hk_test_end();
}
