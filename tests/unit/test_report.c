/*
 * test_report: hall-central's report figures (server/report.c) from a
 * hand-built day of a dozen visits whose answers are worked out by hand in
 * the comments below; the input order does not matter; a roll-up equals
 * the sum of its children (and says its p90 is from the histogram); the
 * JSON form; working-day deadlines across weekends, holidays and make-up
 * days; the HTML page escapes a hostile staff name, owner and cause, and
 * flags overdue cases; every allocation failure is reported, never leaks.
 *
 * One test feeds it the journal that the real queue and rating modules
 * write into a real SQLite file, so the bodies are the ones devices send.
 *
 * With HK_REPORT_SAMPLE_DIR set, the sample pages (branch and city, zh-CN
 * and en) are also written there, for a person to look at in a browser.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hk_json.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "hk_time.h"
#include "journal.h"
#include "queue.h"
#include "rating.h"
#include "report.h"
#include "report_html.h"

#define DAY     "2026-11-23" /* a Monday */
#define OFFSET  480          /* UTC+8 */
#define MAX_EV  96
#define BODY    512
#define HOSTILE "<script>alert(1)</script>"
#define MIN_MS  INT64_C(60000)

static report_event_t ev[MAX_EV];
static char bodies[MAX_EV][BODY];
static int n_ev;
static const char *branch = "b001";
static int64_t seq;

void setUp(void)
{
    n_ev = 0;
    seq = 0;
    branch = "b001";
}

void tearDown(void)
{
}

/* Wall ms of a local time "HH:MM:SS" on day at UTC+8. */
static int64_t at_on(const char *day, const char *hms)
{
    hk_time_date_t d;
    int h = 0, m = 0, s = 0;

    HK_ASSERT_OK(hk_time_parse_day(day, &d));
    HK_ASSERT_INT(3, sscanf(hms, "%d:%d:%d", &h, &m, &s));
    return hk_time_wall_at(&d, h * 60 + m, OFFSET) + s * 1000;
}

static int64_t at(const char *hms)
{
    return at_on(DAY, hms);
}

static void push(const char *type, int64_t time_ms, const char *body)
{
    HK_ASSERT(n_ev < MAX_EV);
    HK_ASSERT((size_t)snprintf(bodies[n_ev], BODY, "%s", body) < BODY);
    ev[n_ev].device = "hub-1";
    ev[n_ev].branch = branch;
    ev[n_ev].seq = ++seq;
    ev[n_ev].type = type;
    ev[n_ev].time_ms = time_ms;
    ev[n_ev].body = bodies[n_ev];
    n_ev++;
}

/* A ticket.* event as queue.c writes it; extra is ",\"key\":…" or "". */
static void tk(const char *type, const char *number, int row, const char *issued, const char *when,
               const char *staff, const char *extra)
{
    char body[BODY], staff_kv[96] = "";

    if(staff)
        (void)snprintf(staff_kv, sizeof(staff_kv), ",\"staff\":\"%s\"", staff);
    (void)snprintf(body, sizeof(body),
                   "{\"ticket\":%d,\"number\":\"%s\",\"day\":\"" DAY "\",\"service\":\"general\","
                   "\"counter\":\"c1\",\"from\":null,\"state\":\"x\",\"issued_ms\":%lld%s%s}",
                   row, number, (long long)at(issued), staff_kv, extra);
    push(type, strcmp(type, "ticket.issued") == 0 ? at(issued) : at(when), body);
}

/* A visit.* event as rating.c writes it. */
static void vr(const char *number, const char *staff, int level, const char *when)
{
    char body[BODY];

    (void)snprintf(body, sizeof(body),
                   "{\"ticket\":1,\"number\":\"%s\",\"day\":\"" DAY "\",\"service\":\"general\","
                   "\"counter\":\"c1\",\"staff\":\"%s\",\"finished_ms\":0,\"level\":%d,"
                   "\"level_name\":\"x\",\"reasons\":0,\"praise\":0,\"source\":\"counter\","
                   "\"follow_up\":%s}",
                   number, staff, level, level >= 1 && level <= 2 ? "true" : "false");
    push(level ? "visit.rated" : "visit.not_rated", at(when), body);
}

/*
 * The day (local times; wait = first call - issue, service = finish - start
 * or - the last call when never started):
 *   A001 09:00 quote 0     called 09:02 s1  wait  2    start 09:02:30 fin 09:08:30 svc 6   rated 5
 *   A002 09:01 quote 300   called 09:09 s1  wait  8    start 09:09    fin 09:19    svc 10  rated 4
 *   A003 09:05 quote 600   called 09:20 s2  wait 15    (no start)     fin 09:24    svc 4   rated 2
 *   A004 09:10 quote 600   called 09:35 s2  wait 25    no-show (not put back)
 *   A005 09:15 quote 900   called 09:55 s1  wait 40    start 09:55    fin 10:00    svc 5   not rated
 *   A006 10:02 quote 120   called 10:03     wait  1    no-show put back, called 10:10, start 10:10,
 *                                                      fin 10:13 s2   svc 3   rated 3
 *   A007 10:05 quote 300   called 10:11 s1  wait  6    start 10:11, transferred 10:15, called
 *                                                      10:20, start 10:21, fin 10:30 s2 svc 9, rated 1
 *   A008 10:30 no quote    called 10:42 s1  wait 12    start 10:42    fin 10:50    svc 8   rated 5
 *   A009 11:00 offline     called 11:03:30 HOSTILE wait 3.5 start 11:03:30 fin 11:05:30 svc 2 rated 4
 *   A010 11:10 quote 60    never called; cancelled by the next morning's rollover
 *   A011 14:20 quote 0     called 14:50 s2  wait 30    start 14:50    fin 15:00    svc 10  rated 5
 *                                                      (and a second vote 1: not counted)
 *   A012 15:30 quote 600   still waiting
 * plus noise: a counter event, another branch's event, another day's
 * event, a body that is not JSON.
 * n_visits limits the day to A001..A0nn (the roll-up's second branch).
 */
static void build_day(int n_visits)
{
    static const char *const s1 = "s1", *const s2 = "s2";
#define V(k) if(n_visits >= (k))
    V(1)
    {
        tk("ticket.issued", "A001", 1, "09:00:00", NULL, NULL, ",\"ahead\":0,\"est_wait_s\":0");
        tk("ticket.called", "A001", 1, "09:00:00", "09:02:00", s1, ",\"recalls\":0");
        tk("ticket.started", "A001", 1, "09:00:00", "09:02:30", s1, "");
        tk("ticket.finished", "A001", 1, "09:00:00", "09:08:30", s1, "");
        vr("A001", s1, 5, "09:08:40");
    }
    V(2)
    {
        tk("ticket.issued", "A002", 2, "09:01:00", NULL, NULL, ",\"ahead\":1,\"est_wait_s\":300");
        tk("ticket.called", "A002", 2, "09:01:00", "09:09:00", s1, ",\"recalls\":0");
        tk("ticket.started", "A002", 2, "09:01:00", "09:09:00", s1, "");
        tk("ticket.finished", "A002", 2, "09:01:00", "09:19:00", s1, "");
        vr("A002", s1, 4, "09:19:10");
    }
    V(3)
    {
        tk("ticket.issued", "A003", 3, "09:05:00", NULL, NULL, ",\"ahead\":2,\"est_wait_s\":600");
        tk("ticket.called", "A003", 3, "09:05:00", "09:20:00", s2, ",\"recalls\":0");
        tk("ticket.finished", "A003", 3, "09:05:00", "09:24:00", s2, "");
        vr("A003", s2, 2, "09:24:20");
    }
    V(4)
    {
        tk("ticket.issued", "A004", 4, "09:10:00", NULL, NULL, ",\"ahead\":2,\"est_wait_s\":600");
        tk("ticket.called", "A004", 4, "09:10:00", "09:35:00", s2, ",\"recalls\":0");
        tk("ticket.no_show", "A004", 4, "09:10:00", "09:38:00", s2, ",\"put_back\":false");
    }
    V(5)
    {
        tk("ticket.issued", "A005", 5, "09:15:00", NULL, NULL, ",\"ahead\":3,\"est_wait_s\":900");
        tk("ticket.called", "A005", 5, "09:15:00", "09:55:00", s1, ",\"recalls\":0");
        tk("ticket.started", "A005", 5, "09:15:00", "09:55:00", s1, "");
        tk("ticket.finished", "A005", 5, "09:15:00", "10:00:00", s1, "");
        vr("A005", s1, 0, "10:02:00");
    }
    V(6)
    {
        tk("ticket.issued", "A006", 6, "10:02:00", NULL, NULL, ",\"ahead\":0,\"est_wait_s\":120");
        tk("ticket.called", "A006", 6, "10:02:00", "10:03:00", s2, ",\"recalls\":0");
        tk("ticket.no_show", "A006", 6, "10:02:00", "10:05:00", NULL, ",\"put_back\":true");
        tk("ticket.called", "A006", 6, "10:02:00", "10:10:00", s2, ",\"recalls\":0");
        tk("ticket.started", "A006", 6, "10:02:00", "10:10:00", s2, "");
        tk("ticket.finished", "A006", 6, "10:02:00", "10:13:00", s2, "");
        vr("A006", s2, 3, "10:13:30");
    }
    V(7)
    {
        tk("ticket.issued", "A007", 7, "10:05:00", NULL, NULL, ",\"ahead\":1,\"est_wait_s\":300");
        tk("ticket.called", "A007", 7, "10:05:00", "10:11:00", s1, ",\"recalls\":0");
        tk("ticket.started", "A007", 7, "10:05:00", "10:11:00", s1, "");
        tk("ticket.transferred", "A007", 7, "10:05:00", "10:15:00", s1,
           ",\"new_ticket\":70,\"to_service\":\"payment\"");
        tk("ticket.called", "A007", 70, "10:05:00", "10:20:00", s2, ",\"recalls\":0");
        tk("ticket.started", "A007", 70, "10:05:00", "10:21:00", s2, "");
        tk("ticket.finished", "A007", 70, "10:05:00", "10:30:00", s2, "");
        vr("A007", s2, 1, "10:30:30");
    }
    V(8)
    {
        tk("ticket.issued", "A008", 8, "10:30:00", NULL, NULL, ",\"ahead\":0,\"est_wait_s\":-1");
        tk("ticket.called", "A008", 8, "10:30:00", "10:42:00", s1, ",\"recalls\":0");
        tk("ticket.started", "A008", 8, "10:30:00", "10:42:00", s1, "");
        tk("ticket.finished", "A008", 8, "10:30:00", "10:50:00", s1, "");
        vr("A008", s1, 5, "10:50:10");
    }
    V(9)
    {
        tk("ticket.issued", "A009", 9, "11:00:00", "11:01:00", NULL, ",\"offline\":true");
        tk("ticket.called", "A009", 9, "11:00:00", "11:03:30", HOSTILE, ",\"recalls\":0");
        tk("ticket.started", "A009", 9, "11:00:00", "11:03:30", HOSTILE, "");
        tk("ticket.finished", "A009", 9, "11:00:00", "11:05:30", HOSTILE, "");
        vr("A009", HOSTILE, 4, "11:05:40");
    }
    V(10)
    {
        char body[BODY];

        tk("ticket.issued", "A010", 10, "11:10:00", NULL, NULL, ",\"ahead\":0,\"est_wait_s\":60");
        /* the next morning's sweep, still day DAY in its body */
        (void)snprintf(body, sizeof(body),
                       "{\"ticket\":10,\"number\":\"A010\",\"day\":\"" DAY "\",\"issued_ms\":%lld,"
                       "\"reason\":\"day_rollover\"}",
                       (long long)at("11:10:00"));
        push("ticket.cancelled", at_on("2026-11-24", "07:00:00"), body);
    }
    V(11)
    {
        tk("ticket.issued", "A011", 11, "14:20:00", NULL, NULL, ",\"ahead\":0,\"est_wait_s\":0");
        tk("ticket.called", "A011", 11, "14:20:00", "14:50:00", s2, ",\"recalls\":0");
        tk("ticket.started", "A011", 11, "14:20:00", "14:50:00", s2, "");
        tk("ticket.finished", "A011", 11, "14:20:00", "15:00:00", s2, "");
        vr("A011", s2, 5, "15:00:10");
        vr("A011", s2, 1, "15:01:00"); /* a second vote: not counted */
    }
    V(12)
    {
        tk("ticket.issued", "A012", 12, "15:30:00", NULL, NULL, ",\"ahead\":0,\"est_wait_s\":600");
    }
#undef V
    push("counter.opened", at("08:55:00"), "{\"counter\":\"c1\",\"from\":\"closed\"}");
    push("ticket.issued", at("09:00:00"), "{not json");
    push("ticket.issued", at("09:00:00"),
         "{\"ticket\":99,\"number\":\"A001\",\"day\":\"2026-11-22\",\"issued_ms\":1}");
    {
        const char *mine = branch;
        branch = "b999"; /* another branch's event in the same array */
        push("ticket.issued", at("09:00:00"),
             "{\"ticket\":1,\"number\":\"Z001\",\"day\":\"" DAY "\",\"issued_ms\":5}");
        branch = mine;
    }
}

static void write_sample(const char *name, const char *text);

static void compute(report_t *r)
{
    report_params_t p = { branch, DAY, OFFSET, "人民路营业厅", "Renmin Road" };
    hk_diag_t diag;

    HK_ASSERT_OK(report_compute(ev, (size_t)n_ev, &p, r, &diag));
}

static void test_report_branch_figures_match_the_hand_count(void)
{
    report_t r;

    build_day(12);
    compute(&r);
    HK_ASSERT_INT(REPORT_SCOPE_BRANCH, r.scope);
    HK_ASSERT_STR("b001", r.id);
    HK_ASSERT_INT(12, r.issued);
    HK_ASSERT_INT(1, r.issued_offline);
    HK_ASSERT_INT(1, r.transferred);
    HK_ASSERT_INT(10, r.called); /* all but A010 and A012 */
    HK_ASSERT_INT(9, r.served);
    HK_ASSERT_INT(1, r.no_show); /* A004; A006's put-back is not one */
    HK_ASSERT_INT(1, r.cancelled);
    HK_ASSERT_INT(1, r.open);
    HK_ASSERT(report_ratio(r.no_show, r.called) == 0.1);

    /* waits 2 8 15 25 40 1 6 12 3.5 30 min: sum 142.5, mean 14.25 min;
     * sorted 1 2 3.5 6 8 12 15 25 30 40: nearest rank 9 -> 30 min */
    HK_ASSERT_INT(10, r.wait.n);
    HK_ASSERT_INT(142 * MIN_MS + 30000, r.wait.sum_ms);
    HK_ASSERT(report_dist_mean_s(&r.wait) == 855.0);
    HK_ASSERT_INT(30 * MIN_MS, r.wait.p90_ms);
    HK_ASSERT(r.wait.p90_exact);
    HK_ASSERT_INT(3, r.wait.bands[0]); /* 1 2 3.5 */
    HK_ASSERT_INT(2, r.wait.bands[1]); /* 6 8 */
    HK_ASSERT_INT(2, r.wait.bands[2]); /* 12 15 */
    HK_ASSERT_INT(1, r.wait.bands[3]); /* 25 */
    HK_ASSERT_INT(2, r.wait.bands[4]); /* 30 40: 30 starts the last band */

    /* services 6 10 4 5 3 9 8 2 10 min: sum 57; sorted 2 3 4 5 6 8 9 10 10,
     * rank 9 -> 10 min; A003 from its call, A006 from its second call,
     * A007 from the second row's start */
    HK_ASSERT_INT(9, r.service.n);
    HK_ASSERT_INT(57 * MIN_MS, r.service.sum_ms);
    HK_ASSERT_INT(10 * MIN_MS, r.service.p90_ms);

    /* ratings 5 4 2 3 1 5 4 5 (A011's second vote ignored), A005 not rated */
    HK_ASSERT_INT(8, r.rated);
    HK_ASSERT_INT(1, r.not_rated);
    HK_ASSERT_INT(1, r.levels[1]);
    HK_ASSERT_INT(1, r.levels[2]);
    HK_ASSERT_INT(1, r.levels[3]);
    HK_ASSERT_INT(2, r.levels[4]);
    HK_ASSERT_INT(3, r.levels[5]);
    HK_ASSERT_INT(6, r.satisfied);
    HK_ASSERT_INT(2, r.dissatisfied);
    HK_ASSERT(report_ratio(r.satisfied, r.rated) == 0.75);
    HK_ASSERT(report_ratio(r.rated, r.served) == 8.0 / 9.0);

    /* quote errors (wait - quote, s): A001 +120, A002 +180, A003 +300,
     * A004 +900, A005 +1500, A006 -60, A007 +60, A011 +1800; A008 has no
     * quote (-1), A009 none (offline): |sum| 4920, signed 4800 over 8 */
    HK_ASSERT_INT(8, r.est_n);
    HK_ASSERT_INT(4920000, r.est_abs_err_sum_ms);
    HK_ASSERT_INT(4800000, r.est_err_sum_ms);

    HK_ASSERT_INT(5, r.arrivals[9]);
    HK_ASSERT_INT(3, r.arrivals[10]);
    HK_ASSERT_INT(2, r.arrivals[11]);
    HK_ASSERT_INT(1, r.arrivals[14]);
    HK_ASSERT_INT(1, r.arrivals[15]);
    HK_ASSERT_INT(0, r.arrivals[8]);
    /* waits by hour of issue: 09 2+8+15+25+40, 10 1+6+12, 11 3.5 (A010
     * never called), 14 30, 15 none */
    HK_ASSERT_INT(5, r.wait_hour_n[9]);
    HK_ASSERT_INT(90 * MIN_MS, r.wait_hour_sum_ms[9]);
    HK_ASSERT_INT(3, r.wait_hour_n[10]);
    HK_ASSERT_INT(19 * MIN_MS, r.wait_hour_sum_ms[10]);
    HK_ASSERT_INT(1, r.wait_hour_n[11]);
    HK_ASSERT_INT(210000, r.wait_hour_sum_ms[11]);
    HK_ASSERT_INT(30 * MIN_MS, r.wait_hour_sum_ms[14]);
    HK_ASSERT_INT(0, r.wait_hour_n[15]);

    /* staff sorted by id: HOSTILE ('<') < s1 < s2 */
    HK_ASSERT_INT(3, r.n_staff);
    HK_ASSERT_STR(HOSTILE, r.staff[0].id);
    HK_ASSERT_INT(1, r.staff[0].served);
    HK_ASSERT_INT(1, r.staff[0].satisfied);
    HK_ASSERT_STR("s1", r.staff[1].id);
    HK_ASSERT_INT(4, r.staff[1].served); /* A001 A002 A005 A008 */
    HK_ASSERT_INT(29 * MIN_MS, r.staff[1].service_sum_ms);
    HK_ASSERT_INT(3, r.staff[1].rated);
    HK_ASSERT_INT(3, r.staff[1].satisfied);
    HK_ASSERT_STR("s2", r.staff[2].id);
    HK_ASSERT_INT(4, r.staff[2].served); /* A003 A006 A007 A011 */
    HK_ASSERT_INT(26 * MIN_MS, r.staff[2].service_sum_ms);
    HK_ASSERT_INT(4, r.staff[2].rated);
    HK_ASSERT_INT(2, r.staff[2].satisfied);
    HK_ASSERT_INT(2, r.staff[2].dissatisfied);
    HK_ASSERT_STR("b001", r.staff[2].branch);

    HK_ASSERT_INT(1, r.events_bad);
    HK_ASSERT_INT(1, r.events_other_day);
    report_fini(&r);
}

static void test_report_does_not_depend_on_event_order(void)
{
    report_t a, b;
    char *ja = NULL, *jb = NULL;
    int i;

    build_day(12);
    compute(&a);
    for(i = 0; i < n_ev / 2; i++) {
        report_event_t t = ev[i];
        ev[i] = ev[n_ev - 1 - i];
        ev[n_ev - 1 - i] = t;
    }
    compute(&b);
    HK_ASSERT_OK(report_to_json(&a, &ja, NULL));
    HK_ASSERT_OK(report_to_json(&b, &jb, NULL));
    HK_ASSERT_STR(ja, jb);
    hk_free(ja);
    hk_free(jb);
    report_fini(&a);
    report_fini(&b);
}

static void test_report_json_has_the_documented_keys(void)
{
    const cJSON *w, *sat, *t;
    report_t r;
    cJSON *root = NULL;
    char *js = NULL;
    size_t len = 0;

    build_day(12);
    compute(&r);
    HK_ASSERT_OK(report_to_json(&r, &js, &len));
    HK_ASSERT_INT(strlen(js), len);
    HK_ASSERT_OK(hk_json_parse(js, len, NULL, &root, NULL));
    HK_ASSERT_STR("branch", cJSON_GetObjectItem(root, "scope")->valuestring);
    HK_ASSERT_STR(DAY, cJSON_GetObjectItem(root, "day")->valuestring);
    t = cJSON_GetObjectItem(root, "tickets");
    HK_ASSERT_INT(12, cJSON_GetObjectItem(t, "issued")->valuedouble);
    HK_ASSERT(cJSON_GetObjectItem(t, "no_show_rate")->valuedouble == 0.1);
    w = cJSON_GetObjectItem(root, "wait");
    HK_ASSERT(cJSON_GetObjectItem(w, "mean_s")->valuedouble == 855.0);
    HK_ASSERT(cJSON_GetObjectItem(w, "p90_s")->valuedouble == 1800.0);
    HK_ASSERT_STR("exact", cJSON_GetObjectItem(w, "p90_method")->valuestring);
    HK_ASSERT_INT(5, cJSON_GetArraySize(cJSON_GetObjectItem(w, "bands")));
    HK_ASSERT(cJSON_IsNull(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(w, "bands"), 4), "to_min")));
    sat = cJSON_GetObjectItem(root, "satisfaction");
    HK_ASSERT(cJSON_GetObjectItem(sat, "rate")->valuedouble == 0.75);
    HK_ASSERT(cJSON_GetObjectItem(sat, "participation")->valuedouble == 0.8889);
    HK_ASSERT(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "estimate"), "mae_s")->valuedouble ==
              615.0);
    HK_ASSERT(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "estimate"), "bias_s")->valuedouble ==
              600.0);
    HK_ASSERT_INT(24, cJSON_GetArraySize(cJSON_GetObjectItem(root, "arrivals_by_hour")));
    t = cJSON_GetObjectItem(root, "wait_by_hour_mean_s");
    HK_ASSERT(cJSON_GetArrayItem(t, 9)->valuedouble == 1080.0); /* 18 min */
    HK_ASSERT(cJSON_GetArrayItem(t, 10)->valuedouble == 380.0); /* 19/3 min */
    HK_ASSERT(cJSON_IsNull(cJSON_GetArrayItem(t, 15)));
    HK_ASSERT_INT(3, cJSON_GetArraySize(cJSON_GetObjectItem(root, "staff")));
    write_sample("branch.json", js);
    cJSON_Delete(root);
    hk_free(js);

    /* an empty day: rates and means are null, not 0 */
    report_fini(&r);
    n_ev = 0;
    compute(&r);
    HK_ASSERT_OK(report_to_json(&r, &js, NULL));
    HK_ASSERT_CONTAINS(js, "\"no_show_rate\":null");
    HK_ASSERT_CONTAINS(js, "\"mean_s\":null");
    HK_ASSERT_CONTAINS(js, "\"rate\":null");
    hk_free(js);
    HK_ASSERT_OK(report_html_page(&r, NULL, 0, NULL, &js, NULL)); /* and its page */
    HK_ASSERT_CONTAINS(js, "今日暂无评价");
    write_sample("empty-zh.html", js);
    hk_free(js);
    report_fini(&r);
}

/* Bodies a device should never send: wrong types, numbers past what a
 * double holds exactly, times that overflow a subtraction. Each is
 * skipped and counted; nothing overflows (the ASan+UBSan build runs this). */
static void test_report_skips_hostile_bodies(void)
{
    static const struct {
        const char *type;
        int64_t time_ms;
        const char *body;
    } bad[] = {
        { "ticket.issued", 1, "{\"number\":5,\"day\":\"" DAY "\",\"issued_ms\":1}" },
        { "ticket.issued", 1, "{\"number\":\"A001\",\"day\":\"" DAY "\",\"issued_ms\":\"x\"}" },
        { "ticket.issued", 1, "{\"number\":\"A001\",\"day\":\"" DAY "\",\"issued_ms\":1e300}" },
        { "ticket.issued", 1, "{\"number\":\"A001\",\"day\":\"" DAY "\",\"issued_ms\":-5}" },
        { "ticket.issued", 1, "[]" },
        { "ticket.issued", 1, "" },
        { "ticket.issued", 1, "{\"number\":\"A0123456789012345678\",\"day\":\"" DAY "\"}" },
        { "visit.rated", 1, "{\"number\":\"A001\",\"day\":\"" DAY "\",\"level\":9}" },
        { "visit.rated", 1, "{\"number\":\"A001\",\"day\":\"" DAY "\",\"level\":2.5}" },
        { "visit.rated", 1, "{\"number\":\"A001\",\"day\":\"" DAY "\",\"level\":\"5\"}" },
    };
    report_params_t p = { "b001", DAY, OFFSET, NULL, NULL };
    report_t r;
    size_t i;

    for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        push(bad[i].type, bad[i].time_ms, bad[i].body);
    /* a valid ticket with the largest exact issued_ms and quote, called at
     * the end of time: the wait is impossible, so no sample */
    push("ticket.issued", 1,
         "{\"number\":\"A002\",\"day\":\"" DAY "\",\"issued_ms\":9007199254740992,"
         "\"est_wait_s\":9007199254740992}");
    push("ticket.called", INT64_MAX,
         "{\"number\":\"A002\",\"day\":\"" DAY "\",\"issued_ms\":9007199254740992}");
    push("ticket.finished", INT64_MAX,
         "{\"number\":\"A002\",\"day\":\"" DAY "\",\"issued_ms\":9007199254740992}");
    push("ticket.called", -7, "{\"number\":\"A003\",\"day\":\"" DAY "\",\"issued_ms\":3}");
    HK_ASSERT_OK(report_compute(ev, (size_t)n_ev, &p, &r, NULL));
    HK_ASSERT_INT(11, r.events_bad); /* ten bodies and A002's wait */
    HK_ASSERT_INT(2, r.issued);      /* A002, A003 */
    HK_ASSERT_INT(2, r.called);
    HK_ASSERT_INT(1, r.served);
    HK_ASSERT_INT(1, r.wait.n); /* A003: called "before" its issue: 0 */
    HK_ASSERT_INT(0, r.wait.sum_ms);
    HK_ASSERT_INT(0, r.est_n);
    HK_ASSERT_INT(0, r.rated);
    report_fini(&r);
}

/* Every count of parent equals the sum over its children. */
static void assert_sum(const report_t *parent, const report_t *a, const report_t *b)
{
    int i;

    HK_ASSERT_INT(a->branches + b->branches, parent->branches);
    HK_ASSERT_INT(a->issued + b->issued, parent->issued);
    HK_ASSERT_INT(a->called + b->called, parent->called);
    HK_ASSERT_INT(a->served + b->served, parent->served);
    HK_ASSERT_INT(a->no_show + b->no_show, parent->no_show);
    HK_ASSERT_INT(a->open + b->open, parent->open);
    HK_ASSERT_INT(a->wait.n + b->wait.n, parent->wait.n);
    HK_ASSERT_INT(a->wait.sum_ms + b->wait.sum_ms, parent->wait.sum_ms);
    HK_ASSERT_INT(a->service.sum_ms + b->service.sum_ms, parent->service.sum_ms);
    for(i = 0; i < REPORT_BANDS; i++)
        HK_ASSERT_INT(a->wait.bands[i] + b->wait.bands[i], parent->wait.bands[i]);
    for(i = 0; i < REPORT_LEVELS; i++)
        HK_ASSERT_INT(a->levels[i] + b->levels[i], parent->levels[i]);
    for(i = 0; i < 24; i++) {
        HK_ASSERT_INT(a->arrivals[i] + b->arrivals[i], parent->arrivals[i]);
        HK_ASSERT_INT(a->wait_hour_sum_ms[i] + b->wait_hour_sum_ms[i], parent->wait_hour_sum_ms[i]);
    }
    HK_ASSERT_INT(a->rated + b->rated, parent->rated);
    HK_ASSERT_INT(a->satisfied + b->satisfied, parent->satisfied);
    HK_ASSERT_INT(a->est_abs_err_sum_ms + b->est_abs_err_sum_ms, parent->est_abs_err_sum_ms);
}

static void test_report_rollup_equals_the_sum_of_its_branches(void)
{
    report_t b1, b2, city, prov, hq, empty;
    hk_diag_t diag;

    build_day(12);
    compute(&b1);
    setUp();
    branch = "b002";
    build_day(6); /* A001..A006: waits 2 8 15 25 40 1 */
    compute(&b2);
    HK_ASSERT_INT(6, b2.issued);

    report_rollup_init(&city, REPORT_SCOPE_CITY, "sz", "深圳", "Shenzhen", DAY);
    HK_ASSERT_OK(report_merge(&city, &b1, &diag));
    HK_ASSERT_OK(report_merge(&city, &b2, &diag));
    report_init(&empty);
    assert_sum(&city, &b1, &b2);
    HK_ASSERT_INT(2, city.n_units);
    HK_ASSERT_STR("b002", city.units[1].id);
    HK_ASSERT_INT(6, city.units[1].issued);
    HK_ASSERT_INT(5, city.n_staff); /* 3 + 2: staff ids are per branch, (b001,s1) != (b002,s1) */
    HK_ASSERT_STR("b002", city.staff[3].branch);

    /* p90 from the merged 30 s histogram: 16 waits, 1 1 2 2 3.5 6 8 8 12
     * 15 15 25 25 30 40 40, nearest rank 15 is 40 min, in bin [2400, 2430)
     * s: read as its upper edge, >= the exact value and < 30 s above it */
    HK_ASSERT(!city.wait.p90_exact);
    HK_ASSERT_INT(2430000, city.wait.p90_ms);

    /* a roll-up of roll-ups: still the plain sum */
    report_rollup_init(&prov, REPORT_SCOPE_PROVINCE, "gd", "广东", "Guangdong", DAY);
    HK_ASSERT_OK(report_merge(&prov, &city, &diag));
    report_rollup_init(&hq, REPORT_SCOPE_HEAD_OFFICE, "hq", "总部", "Head office", DAY);
    HK_ASSERT_OK(report_merge(&hq, &prov, &diag));
    assert_sum(&hq, &city, &empty);
    HK_ASSERT_INT(2, hq.branches);
    HK_ASSERT_INT(5, hq.n_staff);
    HK_ASSERT_INT(1, hq.n_units);
    HK_ASSERT_INT(2, hq.units[0].branches);

    /* refused: a city into a city, another day */
    HK_ASSERT_INT(HK_ERR_INVALID, report_merge(&prov, &prov, &diag));
    report_fini(&b2);
    compute(&b2);
    memcpy(b2.day, "2026-11-24", REPORT_DAY_LEN);
    HK_ASSERT_INT(HK_ERR_INVALID, report_merge(&city, &b2, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "2026-11-24");
    HK_ASSERT_INT(18, city.issued); /* unchanged by the refusals */

    report_fini(&b1);
    report_fini(&b2);
    report_fini(&city);
    report_fini(&prov);
    report_fini(&hq);
}

static void test_report_working_days_skip_weekends_and_holidays(void)
{
    static const char *const holidays[] = { "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06",
                                            "2026-10-07" };
    static const char *const workdays[] = { "2026-10-10" }; /* a Saturday worked (调休) */
    report_calendar_t cal = { holidays, 5, workdays, 1 };
    report_calendar_t bad = { holidays, 1, (const char *const[]){ "2026-02-30" }, 1 };
    char out[REPORT_DAY_LEN];
    hk_time_date_t d;
    int64_t deadline;

    HK_ASSERT_OK(report_add_working_days("2026-11-27", 1, NULL, out)); /* Friday */
    HK_ASSERT_STR("2026-11-30", out);                                  /* Monday */
    HK_ASSERT_OK(report_add_working_days("2026-11-28", 1, NULL, out)); /* Saturday */
    HK_ASSERT_STR("2026-11-30", out);
    HK_ASSERT_OK(report_add_working_days("2026-11-28", 0, NULL, out));
    HK_ASSERT_STR("2026-11-28", out);
    HK_ASSERT_OK(report_add_working_days("2026-11-23", 15, NULL, out)); /* Monday + 3 weeks */
    HK_ASSERT_STR("2026-12-14", out);
    HK_ASSERT_OK(report_add_working_days("2026-11-27", 15, NULL, out));
    HK_ASSERT_STR("2026-12-18", out);
    HK_ASSERT_OK(report_add_working_days("2026-12-28", 5, NULL, out)); /* across the year */
    HK_ASSERT_STR("2027-01-04", out);

    /* Wed 30 Sep: Thu 1, Fri 2 holidays, weekend, Mon 5..Wed 7 holidays,
     * Thu 8, Fri 9, Sat 10 worked */
    HK_ASSERT_OK(report_add_working_days("2026-09-30", 3, &cal, out));
    HK_ASSERT_STR("2026-10-10", out);
    HK_ASSERT(!report_is_working_day("2026-10-01", &cal));
    HK_ASSERT(report_is_working_day("2026-10-10", &cal));
    HK_ASSERT(!report_is_working_day("2026-10-10", NULL));

    HK_ASSERT_INT(HK_ERR_INVALID, report_add_working_days("2026-02-30", 1, NULL, out));
    HK_ASSERT_INT(HK_ERR_INVALID, report_add_working_days("2026-11-23", -1, NULL, out));
    HK_ASSERT_INT(HK_ERR_INVALID, report_add_working_days("2026-11-23", 1, &bad, out));

    /* opened Friday 16:00 local: the deadline is the end of Friday 18 Dec */
    HK_ASSERT_OK(report_deadline_ms(at_on("2026-11-27", "16:00:00"), OFFSET,
                                    REPORT_FOLLOW_UP_WORK_DAYS, NULL, &deadline));
    HK_ASSERT_OK(hk_time_parse_day("2026-12-19", &d));
    HK_ASSERT_INT(hk_time_wall_at(&d, 0, OFFSET) - 1, deadline);
    /* opened 23:30 UTC on Friday = Saturday 07:30 local: counts from Saturday */
    HK_ASSERT_OK(report_deadline_ms(at_on("2026-11-28", "07:30:00"), OFFSET, 1, NULL, &deadline));
    HK_ASSERT_OK(hk_time_parse_day("2026-12-01", &d));
    HK_ASSERT_INT(hk_time_wall_at(&d, 0, OFFSET) - 1, deadline);
}

/* Cases for the page: one overdue with a hostile owner and cause, one due
 * soon, one open, one closed late, one closed in time. */
static int sample_cases(report_html_case_t *c, int64_t now_ms)
{
    static const struct {
        const char *id, *number, *owner, *cause;
        int level, opened_days_ago;
        bool callback, closed;
    } spec[] = {
        { "FU-1041", "A007", "王经理 <img src=x onerror=alert(2)>", "\"等候过长\" & 态度 <b>", 1,
          25, true, false },
        { "FU-1052", "A003", "李娜", "窗口系统故障，已报修", 2, 19, true, false },
        { "FU-1060", "", "", "客户反映自助机打印不清晰", 0, 2, false, false },
        { "FU-0998", "A015", "张伟", "业务规则解释不清；已回访并致歉", 2, 30, true, true },
        { "FU-1001", "B021", "李娜", "缴费系统延迟；已补办", 1, 12, true, true },
    };
    int i;

    memset(c, 0, sizeof(*c) * 5);
    for(i = 0; i < 5; i++) {
        (void)snprintf(c[i].id, sizeof(c[i].id), "%s", spec[i].id);
        (void)snprintf(c[i].branch, sizeof(c[i].branch), "b001");
        (void)snprintf(c[i].number, sizeof(c[i].number), "%s", spec[i].number);
        (void)snprintf(c[i].owner, sizeof(c[i].owner), "%s", spec[i].owner);
        (void)snprintf(c[i].cause, sizeof(c[i].cause), "%s", spec[i].cause);
        c[i].level = spec[i].level;
        c[i].opened_ms = now_ms - (int64_t)spec[i].opened_days_ago * 86400000 - 3600000;
        HK_ASSERT_OK(report_deadline_ms(c[i].opened_ms, OFFSET, REPORT_FOLLOW_UP_WORK_DAYS, NULL,
                                        &c[i].deadline_ms));
        c[i].callback_done = spec[i].callback;
        c[i].closed = spec[i].closed;
        c[i].closed_ms = spec[i].closed ? c[i].opened_ms + (i == 3 ? 26 : 8) * 86400000LL : 0;
    }
    return 5;
}

static void write_sample(const char *name, const char *text)
{
    const char *dir = getenv("HK_REPORT_SAMPLE_DIR");
    char path[512];
    FILE *f;

    if(!dir || !dir[0])
        return;
    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    HK_ASSERT_MSG(f != NULL, "cannot write %s", path);
    (void)fputs(text, f);
    (void)fclose(f);
}

static void test_report_html_escapes_event_text_and_flags_overdue_cases(void)
{
    report_html_case_t cases[5];
    report_html_opts_t o = { 0 };
    report_t r;
    char *html = NULL, *esc = NULL;
    int n;

    build_day(12);
    compute(&r);
    o.lang = "zh-CN";
    o.now_ms = at_on("2026-11-24", "08:00:00");
    o.utc_offset_min = OFFSET;
    o.wait_alert_ms = 12 * MIN_MS;
    n = sample_cases(cases, o.now_ms);
    HK_ASSERT_OK(report_html_page(&r, cases, n, &o, &html, NULL));
    HK_ASSERT_CONTAINS(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
    HK_ASSERT_CONTAINS(html, "王经理 &lt;img src=x onerror=alert(2)&gt;");
    HK_ASSERT_CONTAINS(html, "&quot;等候过长&quot; &amp; 态度 &lt;b&gt;");
    HK_ASSERT(strstr(html, "<script") == NULL);
    HK_ASSERT(strstr(html, "<img") == NULL);
    HK_ASSERT_CONTAINS(html, "<svg");
    HK_ASSERT_CONTAINS(html, "人民路营业厅");
    HK_ASSERT_CONTAINS(html, "b-over");             /* FU-1041 is overdue */
    HK_ASSERT_CONTAINS(html, "1 个跟进工单已逾期"); /* and the banner says so */
    HK_ASSERT_CONTAINS(html, "75.0%");              /* satisfaction */
    write_sample("branch-zh.html", html);
    hk_free(html);

    o.lang = "en";
    HK_ASSERT_OK(report_html_page(&r, cases, n, &o, &html, NULL));
    HK_ASSERT_CONTAINS(html, "Daily service report");
    HK_ASSERT_CONTAINS(html, "&lt;script&gt;");
    HK_ASSERT_CONTAINS(html, "Overdue");
    write_sample("branch-en.html", html);
    hk_free(html);

    /* invalid UTF-8 and controls from an event never reach the page raw */
    HK_ASSERT_OK(report_html_escape("a\xff\x01<b>\xe4\xbd", &esc));
    HK_ASSERT_STR("a\xef\xbf\xbd&lt;b&gt;\xef\xbf\xbd\xef\xbf\xbd", esc);
    hk_free(esc);
    report_fini(&r);
}

static void test_report_html_city_page_lists_its_branches(void)
{
    report_t b1, b2, city;
    report_html_opts_t o = { 0 };
    char *html = NULL;
    hk_diag_t diag;

    build_day(12);
    compute(&b1);
    setUp();
    branch = "b002";
    build_day(6);
    compute(&b2);
    memcpy(b2.name_zh, "科技园营业厅", sizeof("科技园营业厅"));
    memcpy(b2.name_en, "Science Park", sizeof("Science Park"));
    report_rollup_init(&city, REPORT_SCOPE_CITY, "sz", "深圳市", "Shenzhen", DAY);
    HK_ASSERT_OK(report_merge(&city, &b1, &diag));
    HK_ASSERT_OK(report_merge(&city, &b2, &diag));
    o.now_ms = at_on("2026-11-24", "08:00:00");
    o.utc_offset_min = OFFSET;
    HK_ASSERT_OK(report_html_page(&city, NULL, 0, &o, &html, NULL));
    HK_ASSERT_CONTAINS(html, "科技园营业厅");
    HK_ASSERT_CONTAINS(html, "按 30 秒分档估算"); /* the p90 says how it was made */
    write_sample("city-zh.html", html);
    hk_free(html);
    o.lang = "en";
    HK_ASSERT_OK(report_html_page(&city, NULL, 0, &o, &html, NULL));
    HK_ASSERT_CONTAINS(html, "Science Park");
    write_sample("city-en.html", html);
    hk_free(html);
    report_fini(&b1);
    report_fini(&b2);
    report_fini(&city);
}

/* Each allocation in turn fails: NOMEM comes back, nothing leaks (the
 * harness checks hk_mem_live), and the run is not vacuous. */
static void test_report_every_allocation_failure_is_reported(void)
{
    report_html_case_t cases[5];
    report_html_opts_t o = { 0 };
    report_params_t p = { "b001", DAY, OFFSET, "厅", "Hall" };
    long n, failures = 0;
    int n_cases;

    build_day(12);
    o.now_ms = at_on("2026-11-24", "08:00:00");
    n_cases = sample_cases(cases, o.now_ms);
    hk_json_init();
    for(n = 1; n < 100000; n += hk_test_fail_step()) {
        report_t r, city;
        char *js = NULL, *html = NULL;
        hk_err_t rc;
        long attempts;

        report_rollup_init(&city, REPORT_SCOPE_CITY, "sz", "深圳", "Shenzhen", DAY);
        hk_mem_fail_nth(n);
        rc = report_compute(ev, (size_t)n_ev, &p, &r, NULL);
        if(rc == HK_OK)
            rc = report_merge(&city, &r, NULL);
        if(rc == HK_OK)
            rc = report_to_json(&city, &js, NULL);
        if(rc == HK_OK)
            rc = report_html_page(&city, cases, n_cases, &o, &html, NULL);
        attempts = hk_mem_attempts();
        hk_mem_fail_nth(0);
        if(rc != HK_OK) {
            failures++;
            HK_ASSERT_MSG(rc == HK_ERR_NOMEM, "N=%ld: unexpected %s", n, hk_err_str(rc));
            HK_ASSERT(html == NULL);
        } else {
            HK_ASSERT_CONTAINS(js, "\"issued\":12");
        }
        hk_free(js);
        hk_free(html);
        report_fini(&r);
        report_fini(&city);
        if(rc == HK_OK && attempts < n)
            break; /* the whole scenario ran without reaching allocation n */
    }
    HK_ASSERT_MSG(failures > 20, "only %ld failures: vacuous", failures);
}

#define HUB_JSON                                                                                     \
    "{\"branch\":{\"id\":\"j\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},\"utc_offset_min\":480,"    \
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"}]," \
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}]}"

/* The journal of a real queue and rating over a real store: A001 called
 * after 300 s, served 300 s, rated 不满意; A002 called after 640 s, no-show;
 * A003 still waiting. */
static void test_report_reads_the_journal_the_queue_and_rating_write(void)
{
    const int64_t t0 = at_on("2026-11-23", "10:00:00");
    rating_vote_t vote = { RATING_DISSATISFIED, 0, 0 };
    journal_event_t *je = NULL;
    report_params_t p = { "j", DAY, OFFSET, NULL, NULL };
    store_t *st = NULL;
    queue_t *q = NULL;
    rating_t *rt = NULL;
    config_t cfg;
    ticket_t t[3], c;
    hk_diag_t diag;
    report_t r;
    int i, d, n = 0;

    HK_ASSERT_OK(config_parse(HUB_JSON, strlen(HUB_JSON), &cfg, &diag));
    for(d = 0; d < 7; d++) {
        cfg.hours.day[d].open_min = 0;
        cfg.hours.day[d].close_min = 1440;
    }
    cfg.services[0].hours = cfg.hours;
    HK_ASSERT_OK(store_open(hk_test_path("hub.db"), &st, &diag));
    HK_ASSERT_OK(queue_open(st, &cfg, &q));
    HK_ASSERT_OK(rating_open(st, &cfg, &rt));
    for(i = 0; i < 3; i++)
        HK_ASSERT_OK(queue_take_number(q, "general", t0 + i * 60000, &t[i]));
    HK_ASSERT_OK(queue_call_next(q, "c1", t0 + 300000, &c));
    HK_ASSERT_STR("A001", c.number);
    HK_ASSERT_OK(queue_start_serving(q, c.id, t0 + 310000));
    HK_ASSERT_OK(queue_finish(q, c.id, t0 + 610000));
    HK_ASSERT_OK(rating_rate(rt, c.id, &vote, RATING_SOURCE_COUNTER, 60, t0 + 615000, NULL));
    HK_ASSERT_OK(queue_call_next(q, "c1", t0 + 700000, &c));
    HK_ASSERT_STR("A002", c.number);
    HK_ASSERT_OK(queue_no_show(q, c.id, t0 + 760000, false));

    HK_ASSERT_OK(journal_read_after(st, 0, 1000, &je, &n));
    n_ev = 0;
    for(i = 0; i < n; i++) {
        HK_ASSERT(n_ev < MAX_EV);
        ev[n_ev].device = "hub-1";
        ev[n_ev].branch = "j";
        ev[n_ev].seq = je[i].seq;
        ev[n_ev].type = journal_type_str(je[i].type);
        ev[n_ev].time_ms = je[i].wall_ms;
        ev[n_ev].body = je[i].body;
        n_ev++;
    }
    HK_ASSERT_OK(report_compute(ev, (size_t)n_ev, &p, &r, &diag));
    HK_ASSERT_INT(3, r.issued);
    HK_ASSERT_INT(2, r.called);
    HK_ASSERT_INT(1, r.served);
    HK_ASSERT_INT(1, r.no_show);
    HK_ASSERT_INT(1, r.open);
    HK_ASSERT_INT(2, r.wait.n);
    HK_ASSERT_INT(300000 + 640000, r.wait.sum_ms);
    HK_ASSERT_INT(640000, r.wait.p90_ms);
    HK_ASSERT_INT(1, r.service.n);
    HK_ASSERT_INT(300000, r.service.sum_ms);
    HK_ASSERT_INT(1, r.rated);
    HK_ASSERT_INT(1, r.levels[2]);
    HK_ASSERT_INT(1, r.dissatisfied);
    HK_ASSERT_INT(2, r.est_n); /* both called tickets had a quote */
    HK_ASSERT_INT(3, r.arrivals[10]);
    HK_ASSERT_INT(0, r.events_bad);
    report_fini(&r);
    journal_events_free(je, n);
    rating_destroy(rt);
    queue_destroy(q);
    store_close(st);
}

int main(void)
{
    HK_RUN(test_report_branch_figures_match_the_hand_count);
    HK_RUN(test_report_does_not_depend_on_event_order);
    HK_RUN(test_report_skips_hostile_bodies);
    HK_RUN(test_report_json_has_the_documented_keys);
    HK_RUN(test_report_rollup_equals_the_sum_of_its_branches);
    HK_RUN(test_report_reads_the_journal_the_queue_and_rating_write);
    HK_RUN(test_report_working_days_skip_weekends_and_holidays);
    HK_RUN(test_report_html_escapes_event_text_and_flags_overdue_cases);
    HK_RUN(test_report_html_city_page_lists_its_branches);
    HK_RUN(test_report_every_allocation_failure_is_reported);
    return hk_test_end();
}
