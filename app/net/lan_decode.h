/*
 * lan_decode: the client side of lan_api's wire format. Turns the hub's
 * JSON answers (tickets, snapshots, results, staff, ratings, visits) and
 * server-sent event data back into branch.h's structs, and encodes the few
 * request bodies the clients send. Input comes from the network: every
 * string is checked to fit, every number to be in range, and a missing
 * required field is HK_ERR_SERVER (the hub answered something we cannot
 * read), never a crash. Keys a decoder does not know are ignored (the hub
 * only ever adds keys). Reentrant.
 */
#ifndef HK_APP_NET_LAN_DECODE_H
#define HK_APP_NET_LAN_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "branch.h"
#include "config.h"
#include "hk_err.h"
#include "journal.h"
#include "rating.h"
#include "submission.h"

/** Parse a JSON answer with the client's caps (LAN_CLIENT_BODY_MAX, depth
 *  16). HK_ERR_SERVER when it is not JSON. Free with cJSON_Delete. */
hk_err_t lan_decode_parse(const char *text, size_t len, cJSON **out);

/** A ticket object (lan_api's ticket_json, with "staff" and "device"). */
hk_err_t lan_decode_ticket(const cJSON *o, ticket_t *out);

/** A snapshot object (services, counters). */
hk_err_t lan_decode_snapshot(const cJSON *o, branch_snapshot_t *out);

/** A rating object {"level","status","reasons","praise","source",...}. */
hk_err_t lan_decode_rating(const cJSON *o, rating_record_t *out);

/**
 * An operation's success body into res (journal_seq, ticket, snapshot,
 * staff, rating, rating status, visits, expired: what op has). res->op and
 * rc are left to the caller.
 */
hk_err_t lan_decode_result(branch_op_t op, const char *body, size_t len, branch_result_t *res);

/**
 * A stream event's data {"seq","type","uuid","wall_ms","body"} into a
 * journal event; out->body is hk_malloc'd JSON text (free with
 * journal_events_free or hk_free).
 */
hk_err_t lan_decode_event(const char *data, size_t len, journal_event_t *out);

/** POST /sessions' answer: the session token into dst (cap bytes). */
hk_err_t lan_decode_session(const char *body, size_t len, char *dst, size_t cap);

/**
 * An HTTP status and error code back to the hk_err_t the queue and rating
 * calls of branch.h document: 2xx HK_OK; nobody_waiting and the unknown_*
 * codes (and any 404) HK_ERR_NOT_FOUND; service_closed, counter_not_open,
 * already_rated, too_many_attempts, 429 and 503 HK_ERR_BUSY; other 4xx
 * (illegal_transition, numbers_exhausted, bad_credentials, 401, 403,
 * malformed requests) HK_ERR_INVALID; 5xx HK_ERR_SERVER.
 */
hk_err_t lan_decode_status(int status, const char *code);

/** Level names as rating.c writes them ("very_satisfied"); false if unknown. */
bool lan_decode_level(const char *name, rating_level_t *out);

/** Chip bit names shared by reasons and praise: "efficiency",
 *  "competence", "attitude", "other". NULL for a bit without a name. */
const char *lan_decode_chip_name(unsigned bit);

/** A vote as a request body {"level","reasons","praise"} plus the extra
 *  members number/day when not NULL. hk_malloc'd text or NULL (no memory). */
char *lan_decode_vote_body(const rating_vote_t *vote, const char *number, const char *day);

/* ---- the branch document (GET /branch, the stream's "branch" event) --------
 * Unlike the answers above it is decoded strictly, with field-path
 * diagnostics: it changes what every screen of the device shows, so a
 * document that is not whole and valid is refused and the last good one
 * stays. */

#define LAN_DECODE_BRANCH_MAX (64 * 1024) /* document bytes (one SSE frame) */

/* A decoded branch document: the hub's config generation and the
 * branch-wide part of a config (the other fields are zero; staff have no
 * pin_hash). */
typedef struct lan_branch_doc {
    uint64_t generation;
    config_t cfg;
} lan_branch_doc_t;

/**
 * Decode and validate a branch document whole. Its keys are the config
 * file's (config.h): services, counters, hours, ticket, timeouts, queue
 * are validated by config_parse() itself, so every rule of a config file
 * holds (unknown keys inside them are refused); "generation", "id",
 * "name_zh", "name_en", "language", "utc_offset_min", "hours",
 * "services", "counters", "staff", "ticket", "timeouts", "queue" and
 * "voice_en" are all required (a missing one would otherwise read as a
 * default). Unknown top-level keys are ignored (the hub only adds keys).
 * @param out   written only on HK_OK (~30 KB: the caller allocates it).
 * @param diag  "services[2].prefix: must be one letter A-Z", "generation:
 *              required", "staff[1].id: duplicate"...
 * @return HK_OK, HK_ERR_INVALID (see diag), HK_ERR_NOMEM.
 */
hk_err_t lan_decode_branch(const char *text, size_t len, lan_branch_doc_t *out, hk_diag_t *diag);

/**
 * The config a device puts in force for a branch document: its own local
 * config with the branch-wide content replaced (branch id and names,
 * language, utc_offset_min, hours, services, counters, staff, ticket URL
 * template and footers, timeouts, queue, voice_en). What stays the
 * device's own: role, device, hub, central, printer, display, data_dir,
 * devices[], ticket.url_key, and each member of staff's pin_hash (kept
 * for an id the local config knows, else ""; logins are the hub's).
 * @param local  the config in force now; borrowed.
 * @param out    written only on HK_OK; may not alias local.
 * @param diag   why not: the counter this device serves
 *               (device.counter) is not in the document.
 * @return HK_OK or HK_ERR_INVALID.
 */
hk_err_t lan_decode_branch_merge(const lan_branch_doc_t *doc, const config_t *local, config_t *out,
                                 hk_diag_t *diag);

/*
 * Self-help (issue 8) request bodies, as docs/api/lan.yaml has them.
 * hk_malloc'd text or NULL (no memory). The submission's body holds the
 * phone: the caller wipes it (memset) before freeing it.
 */
/** POST /faq/feedback: {"article","version","helpful","lang"}. */
char *lan_decode_feedback_body(const char *article, int version, bool helpful, const char *lang);
/** POST /triage/choices: {"need","route","target"}. */
char *lan_decode_triage_body(const char *need, const char *route, const char *target);
/** POST /engineer/pin-failures: {"fails","locks","lock_s"}. */
char *lan_decode_pin_failed_body(int fails, int locks, int lock_s);
/** POST /submissions: {"category","phone","description","consent","lang","origin"}. */
char *lan_decode_submission_body(const submission_t *s);

#endif
