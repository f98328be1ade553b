/*
 * submission: the kiosk's "report a problem" form as data, its rules, and
 * where it lives on the hub until head office has it.
 *
 * A submission is a category (FAQ_SUBMIT_CATEGORIES), the customer's
 * mobile number (11 digits, 1[3-9]xxxxxxxxx) for the call-back, an
 * optional description (at most SUBMISSION_DESC_MAX_CHARS characters, not
 * bytes), the customer's consent (required) and the language they used.
 * The hub gives it a local reference the customer keeps
 * ("S261126-007": S, the business day as YYMMDD, a per-day sequence), which
 * with the branch id names the submission at head office
 * (/s/{branch}/{ref}) until head office's case number replaces it there.
 *
 * Privacy (docs/privacy in DESIGN.md: phone numbers masked on screen and
 * paper; personal data purged locally once head office has it and a
 * retention period passed):
 *   - the journal's issue.submitted body carries no personal data (only
 *     the masked phone, the reference, the category): the journal is
 *     append-only and is streamed to every device of the branch;
 *   - the phone and the description live in the `submissions` table, one
 *     row per submission keyed by the event's journal seq; the sync to
 *     head office joins them into the event's body just before it is sent
 *     (submission_sync_attach), so head office receives them;
 *   - submission_purge() deletes them once the "central" cursor is past the
 *     event AND the retention period has passed, with secure_delete on,
 *     and truncates the WAL, so their bytes are nowhere in the files;
 *   - nothing here logs a phone unmasked.
 *
 * The pure functions (validation, masking, counting) are reentrant; the
 * store functions follow store.h's threading (one store_t per thread).
 */
#ifndef HK_APP_CORE_SUBMISSION_H
#define HK_APP_CORE_SUBMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "faq_content.h"
#include "hk_err.h"
#include "journal.h"
#include "store.h"

#define SUBMISSION_PHONE_LEN      12                                  /* 11 digits + NUL */
#define SUBMISSION_CATEGORY_LEN   16                                  /* "suggestion" + NUL fits */
#define SUBMISSION_DESC_MAX_CHARS 300                                 /* characters (code points) */
#define SUBMISSION_DESC_CAP       (SUBMISSION_DESC_MAX_CHARS * 4 + 1) /* bytes, NUL included */
#define SUBMISSION_LANG_LEN       8                                   /* "zh-CN" */
#define SUBMISSION_REF_LEN        16                                  /* "S261126-007" + NUL */
/* where the form was opened, and on which kiosk (SELFHELP): "<device>:home",
 * "<device>:faq:<article>", "<device>:triage:<need>" (device <= 23 chars, an
 * id <= 40) */
#define SUBMISSION_ORIGIN_LEN      80
#define SUBMISSION_RETENTION_S_DEF (7 * 24 * 3600) /* when the config says nothing */

/* The fields of the form, for errors shown next to the field. */
typedef enum submission_field {
    SUBMISSION_FIELD_NONE = 0,
    SUBMISSION_FIELD_CATEGORY,
    SUBMISSION_FIELD_PHONE,
    SUBMISSION_FIELD_DESCRIPTION,
    SUBMISSION_FIELD_CONSENT,
    SUBMISSION_FIELD_LANG,
    SUBMISSION_FIELD_ORIGIN
} submission_field_t;

/* What the customer filled in. */
typedef struct submission {
    char category[SUBMISSION_CATEGORY_LEN]; /* one of FAQ_SUBMIT_CATEGORIES */
    char phone[SUBMISSION_PHONE_LEN];       /* "13812345678" */
    char description[SUBMISSION_DESC_CAP];  /* UTF-8, may be "" */
    bool consent;                           /* must be true */
    char lang[SUBMISSION_LANG_LEN];         /* "zh-CN" or "en" */
    char origin[SUBMISSION_ORIGIN_LEN];     /* kiosk and path: "kiosk-1:triage:no-signal" */
} submission_t;

/* What the customer keeps: the result of branch_submit_issue(). */
typedef struct submission_receipt {
    char ref[SUBMISSION_REF_LEN];            /* "S261126-007" */
    char phone_masked[SUBMISSION_PHONE_LEN]; /* "138****5678" */
    char category[SUBMISSION_CATEGORY_LEN];
    char day[11]; /* the hub's business day */
    int64_t created_ms;
    int64_t journal_seq; /* the issue.submitted event */
} submission_receipt_t;

/** The categories in the form's order (FAQ_SUBMIT_CATEGORIES); n_out gets
 *  their number. Static. */
const char *const *submission_categories(int *n_out);

/** Whether name is one of FAQ_SUBMIT_CATEGORIES. */
bool submission_category_valid(const char *name);

/** An 11-digit mainland mobile number: "1", then 3..9, then 9 digits,
 *  nothing else (no spaces, no +86). */
bool submission_phone_valid(const char *phone);

/**
 * The masked form "138****5678" (first 3, last 4). A phone that is not
 * valid gives "***********"-style stars of its length (at most 11), so a
 * partial entry never shows its digits either.
 * @param dst  SUBMISSION_PHONE_LEN bytes.
 */
void submission_phone_mask(const char *phone, char dst[SUBMISSION_PHONE_LEN]);

/** UTF-8 characters (code points) in s; -1 when s is not valid UTF-8. */
int submission_text_chars(const char *s);

/**
 * Check a whole submission.
 * @param bad   receives the first bad field (SUBMISSION_FIELD_NONE when
 *              valid); may be NULL.
 * @param diag  "phone: expected an 11-digit mobile number (1[3-9] and 9
 *              more digits)"; the message never holds the phone itself.
 * @return HK_OK or HK_ERR_INVALID.
 */
hk_err_t submission_check(const submission_t *s, submission_field_t *bad, hk_diag_t *diag);

/*
 * The other self-help events' arguments (branch_faq_feedback,
 * branch_triage_choice), checked the same way by the hub and the LAN API.
 */
/** A content id ("bill-check"): 1..FAQ_ID_MAX-1 of [a-z0-9_.-] (either
 *  case). "" only when allow_empty. */
bool submission_id_valid(const char *id, bool allow_empty);
/** A triage route kind: "faq", "queue" or "submit". */
bool submission_route_kind_valid(const char *kind);
/** A language code this product speaks: "zh-CN" or "en". */
bool submission_lang_valid(const char *lang);

/** Wipe a submission's personal data in memory (memset that is not
 *  optimised away). NULL ok. */
void submission_wipe(submission_t *s);

/*
 * Store side (the hub's database; schema version 6 has the table).
 */

/**
 * Record a checked submission: a new reference for the day, the
 * submissions row (phone, description) and the issue.submitted journal
 * event, in one transaction (nested in the caller's if one is open).
 * @param day     the hub's business day "YYYY-MM-DD".
 * @param out     receives the reference, masked phone, seq.
 * @return HK_ERR_INVALID (submission_check failed; nothing written),
 *         HK_ERR_BUSY (999 submissions that day), store errors.
 */
hk_err_t submission_record(store_t *st, const submission_t *s, const char *day, int64_t now_ms,
                           submission_receipt_t *out);

/**
 * Before events leave for head office: for each issue.submitted event in
 * ev whose personal data is still held, put "phone" (and "description"
 * when there is one) into its body (replacing ev[i].body). Events whose
 * data was purged are left as they are.
 * @return HK_OK, HK_ERR_NOMEM, store errors (ev unchanged for the event
 *         that failed).
 */
hk_err_t submission_sync_attach(store_t *st, journal_event_t *ev, int n);

/**
 * Delete the personal data of every submission head office acknowledged
 * (journal cursor "central" at or past its seq) that is older than
 * retention_s at now_ms: the phone and description columns are cleared
 * with PRAGMA secure_delete on (freed bytes are zeroed), then the WAL is
 * checkpointed and truncated, so the bytes are gone from the database file
 * and the -wal. The row itself (reference, masked phone) stays.
 * @param purged  receives how many submissions were purged; may be NULL.
 * @return HK_OK; HK_ERR_BUSY the rows were cleared but the WAL could not
 *         be truncated yet (call submission_checkpoint() later); store
 *         errors.
 */
hk_err_t submission_purge(store_t *st, int64_t retention_s, int64_t now_ms, int *purged);

/**
 * The purge's last step alone: a TRUNCATE checkpoint (copy the WAL into
 * the database file, cut the -wal to 0 bytes). submission_purge() calls
 * it; call it again after the purge said HK_ERR_BUSY (a reader held an
 * old snapshot past the busy timeout). No transaction may be open.
 */
hk_err_t submission_checkpoint(store_t *st);

/** Submissions whose personal data is still held (tests, diagnostics). */
hk_err_t submission_pending_personal(store_t *st, int *out);

#endif
