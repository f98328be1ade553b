/*
 * test_cases: a dissatisfied rating opens a follow-up case due 15 working
 * days later (a satisfied one does not); it cannot be closed before the
 * customer was called back (or three call-backs failed), closes only with
 * a known cause, and can be reopened; bad action bodies are refused naming
 * the field.
 */
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "hk_mem.h"
#include "hk_test.h"

/* 2026-11-20 is a Friday; 10:00 in China (UTC+8) is 02:00 UTC */
#define FRI_10AM 1763604000000LL

void setUp(void)
{
}

void tearDown(void)
{
}

static central_event_t rated(char *body)
{
    central_event_t e;

    memset(&e, 0, sizeof(e));
    e.seq = 7;
    (void)snprintf(e.uuid, sizeof(e.uuid), "%s", "0b7c2a8e-1f3d-4c5e-9a6b-7c8d9e0f1a2b");
    (void)snprintf(e.type, sizeof(e.type), "%s", "visit.rated");
    e.time_ms = FRI_10AM;
    e.body = body;
    return e;
}

static cases_action_t action(const char *json)
{
    cases_action_t a;
    hk_diag_t diag;

    HK_ASSERT_OK(cases_action_decode(json, strlen(json), &a, &diag));
    return a;
}

static void test_dissatisfied_rating_opens_a_case_due_in_15_working_days(void)
{
    char bad[] = "{\"number\":\"A012\",\"day\":\"2026-11-20\",\"counter\":\"c3\","
                 "\"staff\":\"s2\",\"level\":1,\"follow_up\":true}";
    char ok[] = "{\"number\":\"A013\",\"day\":\"2026-11-20\",\"level\":3}";
    char none[] = "{\"number\":\"A014\",\"day\":\"2026-11-20\",\"level\":0}";
    central_event_t e = rated(bad);
    cases_case_t c;
    char day[11];

    HK_ASSERT(cases_from_event("b1", "hub-1", &e, 480, NULL, &c));
    HK_ASSERT_STR("0b7c2a8e-1f3d-4c5e-9a6b-7c8d9e0f1a2b", c.id);
    HK_ASSERT_STR("A012", c.number);
    HK_ASSERT_STR("s2", c.staff);
    HK_ASSERT_INT(1, c.level);
    HK_ASSERT_INT(CASES_RATING, c.kind);
    /* Friday + 15 working days = Friday three weeks later, end of day */
    HK_ASSERT_OK(report_add_working_days("2026-11-20", 15, NULL, day));
    HK_ASSERT_STR("2026-12-11", day);
    HK_ASSERT(c.deadline_ms > FRI_10AM + 20LL * 86400000);
    HK_ASSERT(c.deadline_ms < FRI_10AM + 22LL * 86400000);

    e = rated(ok);
    HK_ASSERT(!cases_from_event("b1", "hub-1", &e, 480, NULL, &c));
    e = rated(none);
    HK_ASSERT(!cases_from_event("b1", "hub-1", &e, 480, NULL, &c));
    e = rated(bad);
    (void)snprintf(e.type, sizeof(e.type), "%s", "ticket.finished");
    HK_ASSERT(!cases_from_event("b1", "hub-1", &e, 480, NULL, &c));
}

static void test_a_case_closes_only_after_a_call_back_with_a_known_cause(void)
{
    char bad[] = "{\"number\":\"A012\",\"day\":\"2026-11-20\",\"level\":2}";
    central_event_t e = rated(bad);
    cases_case_t c;
    cases_action_t a;
    hk_diag_t diag;

    HK_ASSERT(cases_from_event("b1", "hub-1", &e, 480, NULL, &c));
    a = action("{\"action\":\"assign\",\"owner\":\"王经理\"}");
    HK_ASSERT_OK(cases_apply(&c, &a, FRI_10AM + 1, &diag));
    HK_ASSERT_STR("王经理", c.owner);

    a = action("{\"action\":\"close\",\"cause\":\"wait_time\",\"note\":\"two counters shut\"}");
    HK_ASSERT_INT(HK_ERR_INVALID, cases_apply(&c, &a, FRI_10AM + 2, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "call the customer back first (0 of 3");
    HK_ASSERT(!c.closed);

    /* two unanswered call-backs are not enough, the third is */
    a = action("{\"action\":\"callback\",\"reached\":false,\"note\":\"no answer\"}");
    HK_ASSERT_OK(cases_apply(&c, &a, FRI_10AM + 3, &diag));
    HK_ASSERT_OK(cases_apply(&c, &a, FRI_10AM + 4, &diag));
    a = action("{\"action\":\"close\",\"cause\":\"wait_time\"}");
    HK_ASSERT_INT(HK_ERR_INVALID, cases_apply(&c, &a, FRI_10AM + 5, &diag));
    a = action("{\"action\":\"callback\",\"reached\":true,\"note\":\"apologised; ok now\"}");
    HK_ASSERT_OK(cases_apply(&c, &a, FRI_10AM + 6, &diag));
    HK_ASSERT_INT(3, c.callback_attempts);
    HK_ASSERT(c.callback_reached);

    a = action("{\"action\":\"close\",\"cause\":\"wait_time\",\"note\":\"two counters shut\"}");
    HK_ASSERT_OK(cases_apply(&c, &a, FRI_10AM + 7, &diag));
    HK_ASSERT(c.closed);
    HK_ASSERT_INT(FRI_10AM + 7, c.closed_ms);
    HK_ASSERT_STR("wait_time", c.cause);
    /* closed: nothing but reopen */
    a = action("{\"action\":\"assign\",\"owner\":\"x\"}");
    HK_ASSERT_INT(HK_ERR_INVALID, cases_apply(&c, &a, FRI_10AM + 8, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "is closed");
    a = action("{\"action\":\"reopen\",\"note\":\"customer came back\"}");
    HK_ASSERT_OK(cases_apply(&c, &a, FRI_10AM + 9, &diag));
    HK_ASSERT(!c.closed);
    HK_ASSERT_INT(HK_ERR_INVALID, cases_apply(&c, &a, FRI_10AM + 10, &diag));

    {
        report_html_case_t h;
        char *json = NULL;
        cases_to_html_case(&c, &h);
        HK_ASSERT_STR("A012", h.number);
        HK_ASSERT(h.callback_done);
        HK_ASSERT(!h.closed);
        HK_ASSERT_OK(cases_to_json(&c, &json));
        HK_ASSERT_CONTAINS(json, "\"callback_attempts\":3");
        HK_ASSERT_CONTAINS(json, "\"owner\":\"王经理\"");
        hk_free(json);
    }
}

static void test_bad_action_bodies_name_the_field(void)
{
    static const struct {
        const char *body, *want;
    } cases[] = {
        { "{\"action\":\"delete\"}", "action: must be assign" },
        { "{\"action\":\"assign\"}", "owner: required for assign" },
        { "{\"action\":\"assign\",\"owner\":\"\"}", "owner: must not be empty" },
        { "{\"action\":\"close\"}", "cause: required for close" },
        { "{\"action\":\"close\",\"cause\":\"bad luck\"}", "cause: unknown \"bad luck\"" },
        { "{\"action\":\"callback\"}", "reached: required for callback" },
        { "{\"action\":\"callback\",\"reached\":\"yes\"}", "reached: expected true or false" },
        { "{\"action\":\"assign\",\"owner\":\"x\",\"extra\":1}", "extra: unknown key" },
        { "[1]", "must be a JSON object" },
        { "{\"action\":", "not valid JSON" },
    };
    size_t i;

    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cases_action_t a;
        hk_diag_t diag;
        memset(&diag, 0, sizeof(diag));
        HK_ASSERT_INT(HK_ERR_INVALID,
                      cases_action_decode(cases[i].body, strlen(cases[i].body), &a, &diag));
        HK_ASSERT_MSG(strstr(diag.msg, cases[i].want) != NULL, "%s: got \"%s\"", cases[i].body,
                      diag.msg);
    }
}

int main(void)
{
    HK_RUN(test_dissatisfied_rating_opens_a_case_due_in_15_working_days);
    HK_RUN(test_a_case_closes_only_after_a_call_back_with_a_known_cause);
    HK_RUN(test_bad_action_bodies_name_the_field);
    return hk_test_end();
}
