/*
 * submission (issue 8, section 5): the form's rules (category, an 11-digit
 * mainland mobile number, masked 138****5678, a description of at most
 * 300 characters counted as characters, consent), the local reference
 * (S + YYMMDD + "-" + the day's sequence, unique on the hub), and the
 * privacy path on a real SQLite file: the journal never holds the phone,
 * the sync joins it in for head office only, and after head office's
 * acknowledgement (the "central" cursor) and the retention period the
 * phone's and description's bytes are nowhere in the database file, its
 * -wal, or the log.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "journal.h"
#include "store.h"
#include "submission.h"

#define PHONE "13812345678"
#define DESC  "光猫红灯闪烁，宽带每晚断线" /* personal-ish free text */

static store_t *st;

void setUp(void)
{
    st = NULL;
}

void tearDown(void)
{
    store_close(st);
}

static submission_t form(void)
{
    submission_t s;

    memset(&s, 0, sizeof(s));
    snprintf(s.category, sizeof(s.category), "broadband");
    snprintf(s.phone, sizeof(s.phone), PHONE);
    snprintf(s.description, sizeof(s.description), DESC);
    snprintf(s.lang, sizeof(s.lang), "zh-CN");
    snprintf(s.origin, sizeof(s.origin), "triage:broadband-down");
    s.consent = true;
    return s;
}

static void test_submission_phone_rules_and_mask(void)
{
    static const char *const good[] = { "13812345678", "19912345678", "14700000000" };
    static const char *const bad[] = { "12812345678", "10812345678", "1381234567",  "138123456789",
                                       "+8613812345", "138 1234567", "1381234567a", "",
                                       "23812345678" };
    char m[SUBMISSION_PHONE_LEN];
    size_t i;

    for(i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        HK_ASSERT_MSG(submission_phone_valid(good[i]), "%s refused", good[i]);
    for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        HK_ASSERT_MSG(!submission_phone_valid(bad[i]), "%s accepted", bad[i]);
    HK_ASSERT(!submission_phone_valid(NULL));
    submission_phone_mask(PHONE, m);
    HK_ASSERT_STR("138****5678", m);
    submission_phone_mask("1381234", m); /* a partial entry shows no digits */
    HK_ASSERT_STR("*******", m);
    submission_phone_mask("", m);
    HK_ASSERT_STR("", m);
}

static void test_submission_check_names_the_field(void)
{
    submission_t s = form();
    submission_field_t bad;
    hk_diag_t d;
    int i;

    HK_ASSERT_OK(submission_check(&s, &bad, &d));
    HK_ASSERT_INT(SUBMISSION_FIELD_NONE, bad);
    snprintf(s.category, sizeof(s.category), "weather");
    HK_ASSERT_INT(HK_ERR_INVALID, submission_check(&s, &bad, &d));
    HK_ASSERT_INT(SUBMISSION_FIELD_CATEGORY, bad);
    HK_ASSERT_CONTAINS(d.msg, "category:");
    s = form();
    snprintf(s.phone, sizeof(s.phone), "12812345678");
    HK_ASSERT_INT(HK_ERR_INVALID, submission_check(&s, &bad, &d));
    HK_ASSERT_INT(SUBMISSION_FIELD_PHONE, bad);
    HK_ASSERT_CONTAINS(d.msg, "phone:");
    HK_ASSERT(strstr(d.msg, "12812345678") == NULL); /* never repeated */
    s = form();
    s.consent = false;
    HK_ASSERT_INT(HK_ERR_INVALID, submission_check(&s, &bad, &d));
    HK_ASSERT_INT(SUBMISSION_FIELD_CONSENT, bad);
    s = form();
    snprintf(s.lang, sizeof(s.lang), "fr");
    HK_ASSERT_INT(HK_ERR_INVALID, submission_check(&s, &bad, &d));
    HK_ASSERT_INT(SUBMISSION_FIELD_LANG, bad);
    /* 300 characters of 3 bytes each fit; 301 do not; ASCII likewise */
    s = form();
    s.description[0] = '\0';
    for(i = 0; i < 300; i++)
        strcat(s.description, "长");
    HK_ASSERT_INT(300, submission_text_chars(s.description));
    HK_ASSERT_OK(submission_check(&s, &bad, &d));
    strcat(s.description, "长");
    HK_ASSERT_INT(HK_ERR_INVALID, submission_check(&s, &bad, &d));
    HK_ASSERT_INT(SUBMISSION_FIELD_DESCRIPTION, bad);
    HK_ASSERT_CONTAINS(d.msg, "300 characters");
    memset(s.description, 'a', 300);
    s.description[300] = '\0';
    HK_ASSERT_OK(submission_check(&s, &bad, &d));
    s.description[10] = '\n';
    HK_ASSERT_INT(HK_ERR_INVALID, submission_check(&s, &bad, &d));
    memcpy(s.description, "\xC0\xAF", 3); /* overlong '/' */
    HK_ASSERT_INT(-1, submission_text_chars(s.description));
    HK_ASSERT_INT(HK_ERR_INVALID, submission_check(&s, &bad, &d));
    s = form();
    s.description[0] = '\0'; /* optional */
    HK_ASSERT_OK(submission_check(&s, &bad, &d));
    snprintf(s.origin, sizeof(s.origin), "faq:<script>");
    HK_ASSERT_INT(HK_ERR_INVALID, submission_check(&s, &bad, &d));
    HK_ASSERT_INT(SUBMISSION_FIELD_ORIGIN, bad);
}

static void test_submission_references_are_per_day_sequences(void)
{
    submission_t s = form();
    submission_receipt_t r;
    hk_diag_t d;

    HK_ASSERT_OK(store_open(hk_test_path("hub.db"), &st, &d));
    HK_ASSERT_OK(submission_record(st, &s, "2026-11-26", 1000, &r));
    HK_ASSERT_STR("S261126-001", r.ref);
    HK_ASSERT_STR("138****5678", r.phone_masked);
    HK_ASSERT_STR("broadband", r.category);
    HK_ASSERT_OK(submission_record(st, &s, "2026-11-26", 2000, &r));
    HK_ASSERT_STR("S261126-002", r.ref);
    HK_ASSERT_OK(submission_record(st, &s, "2026-11-27", 3000, &r));
    HK_ASSERT_STR("S261127-001", r.ref);
    /* a refused form writes nothing */
    s.consent = false;
    HK_ASSERT_INT(HK_ERR_INVALID, submission_record(st, &s, "2026-11-27", 4000, &r));
    s = form();
    HK_ASSERT_OK(submission_record(st, &s, "2026-11-27", 5000, &r));
    HK_ASSERT_STR("S261127-002", r.ref);
    HK_ASSERT_INT(4, r.journal_seq);
}

static long file_size(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void test_submission_personal_data_is_gone_after_ack_and_retention(void)
{
    const char *db = hk_test_path("privacy.db");
    char wal[1024], logp[1024];
    submission_t s = form();
    submission_receipt_t r;
    journal_event_t *ev = NULL;
    hk_log_entry_t logs[HK_LOG_RING_SIZE];
    size_t nlog, i;
    int n = 0, purged = -1, pending = -1;
    int64_t t0 = 1795660000000LL;
    hk_diag_t d;
    FILE *f;

    snprintf(wal, sizeof(wal), "%s-wal", db);
    HK_ASSERT_OK(store_open(db, &st, &d));
    HK_ASSERT_OK(submission_record(st, &s, "2026-11-26", t0, &r));
    submission_wipe(&s);
    HK_ASSERT_INT(0, s.phone[0]);
    /* the journal (streamed to every device) never holds it */
    HK_ASSERT_OK(journal_read_after(st, 0, 10, &ev, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_INT(JOURNAL_ISSUE_SUBMITTED, ev[0].type);
    HK_ASSERT(strstr(ev[0].body, PHONE) == NULL);
    HK_ASSERT_CONTAINS(ev[0].body, "\"ref\":\"S261126-001\"");
    /* ... but head office gets it: the sync joins it in */
    HK_ASSERT_OK(submission_sync_attach(st, ev, n));
    HK_ASSERT_CONTAINS(ev[0].body, "\"phone\":\"" PHONE "\"");
    HK_ASSERT_CONTAINS(ev[0].body, "\"description\":\"" DESC "\"");
    HK_ASSERT_CONTAINS(ev[0].body, "\"phone_masked\":\"138****5678\"");
    journal_events_free(ev, n);
    /* the bytes are on disk now (the WAL or the file) */
    HK_ASSERT(hk_test_file_has_bytes(db, PHONE) || hk_test_file_has_bytes(wal, PHONE));

    /* not acknowledged: nothing purged, however old */
    HK_ASSERT_OK(submission_purge(st, 3600, t0 + 86400000LL, &purged));
    HK_ASSERT_INT(0, purged);
    /* acknowledged, but within the retention period: kept */
    HK_ASSERT_OK(journal_cursor_set(st, "central", r.journal_seq));
    HK_ASSERT_OK(submission_purge(st, 3600, t0 + 1800000LL, &purged));
    HK_ASSERT_INT(0, purged);
    HK_ASSERT_OK(submission_pending_personal(st, &pending));
    HK_ASSERT_INT(1, pending);
    /* both: purged; the bytes are nowhere in the file, free pages or WAL */
    HK_ASSERT_OK(submission_purge(st, 3600, t0 + 3600000LL, &purged));
    HK_ASSERT_INT(1, purged);
    HK_ASSERT_OK(submission_pending_personal(st, &pending));
    HK_ASSERT_INT(0, pending);
    HK_ASSERT_INT(0, file_size(wal)); /* truncated */
    HK_ASSERT_MSG(!hk_test_file_has_bytes(db, PHONE), "the phone is still in %s", db);
    HK_ASSERT_MSG(!hk_test_file_has_bytes(db, DESC), "the description is still in %s", db);
    HK_ASSERT(!hk_test_file_has_bytes(wal, PHONE));
    /* the event still goes out (a retry after a lost ack) without it */
    HK_ASSERT_OK(journal_read_after(st, 0, 10, &ev, &n));
    HK_ASSERT_OK(submission_sync_attach(st, ev, n));
    HK_ASSERT(strstr(ev[0].body, PHONE) == NULL);
    journal_events_free(ev, n);
    store_close(st);
    st = NULL;
    /* and after a reopen (recovery reads the WAL): still gone */
    HK_ASSERT_OK(store_open(db, &st, &d));
    store_close(st);
    st = NULL;
    HK_ASSERT(!hk_test_file_has_bytes(db, PHONE));
    HK_ASSERT(!hk_test_file_has_bytes(wal, PHONE));

    /* the log never had the number unmasked (written out and searched) */
    nlog = hk_log_recent(0, logs, HK_LOG_RING_SIZE);
    snprintf(logp, sizeof(logp), "%s", hk_test_path("log.txt"));
    f = fopen(logp, "w");
    HK_ASSERT(f);
    for(i = 0; i < nlog; i++)
        fprintf(f, "%s %s\n", logs[i].module, logs[i].msg);
    fclose(f);
    HK_ASSERT(nlog > 0);
    HK_ASSERT(hk_test_file_has_bytes(logp, "138****5678")); /* it was logged, masked */
    HK_ASSERT(!hk_test_file_has_bytes(logp, PHONE));
}

int main(void)
{
    HK_RUN(test_submission_phone_rules_and_mask);
    HK_RUN(test_submission_check_names_the_field);
    HK_RUN(test_submission_references_are_per_day_sequences);
    HK_RUN(test_submission_personal_data_is_gone_after_ack_and_retention);
    return hk_test_end();
}
