/*
 * hk_json: the one door to cJSON for input from outside the process
 * (config files, pushed content, protocol bodies). It owns cJSON's
 * allocator hooks (everything cJSON allocates goes through hk_malloc, so
 * fault injection and the leak count cover it) and parses with hard caps:
 * a byte limit and a nesting limit checked before cJSON runs. Small typed
 * readers turn a cJSON item into a C value or a diag naming its field path
 * ("services[2].priority: must be 0..9").
 *
 * It does not know any schema: callers say which keys and ranges they
 * accept.
 */
#ifndef HK_APP_CORE_HK_JSON_H
#define HK_APP_CORE_HK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hk_err.h"

#define HK_JSON_DEFAULT_MAX_BYTES (256 * 1024)
#define HK_JSON_DEFAULT_MAX_DEPTH 32
#define HK_JSON_PATH_CAP          96 /* field paths in diags, NUL included */

/* Caps for one parse. A zero member takes its default. */
typedef struct hk_json_limits {
    size_t max_bytes; /* 0 = HK_JSON_DEFAULT_MAX_BYTES */
    int max_depth;    /* arrays + objects open at once; 0 = HK_JSON_DEFAULT_MAX_DEPTH */
} hk_json_limits_t;

/**
 * Route cJSON's allocations through hk_malloc/hk_free, process wide.
 * Idempotent and thread-safe (pthread_once). hk_json_parse() calls it;
 * code that builds cJSON trees itself (cJSON_CreateObject, cJSON_Print)
 * must call it before its first cJSON call, so that no block malloc'd by
 * libc is later freed through hk_free.
 */
void hk_json_init(void);

/**
 * Parse one JSON document with caps.
 * @param text  borrowed; need not be NUL-terminated; bytes past len are
 *              never read. Whitespace (and NULs) may follow the document,
 *              anything else is an error.
 * @param len   bytes of text.
 * @param lim   caps, borrowed; NULL = defaults.
 * @param out   receives the tree on HK_OK (free with cJSON_Delete()), NULL
 *              otherwise.
 * @param diag  on HK_ERR_INVALID receives the reason without a prefix:
 *              "not valid JSON (line 3, column 7)", "nested deeper than 32
 *              levels (line 9, column 20)", "300000 bytes is over the 262144
 *              byte limit". May be NULL.
 * @return HK_OK, HK_ERR_INVALID (bad or oversized input), HK_ERR_NOMEM.
 * \threadsafety any thread (parses are serialised inside: cJSON keeps a
 *               static error pointer).
 */
hk_err_t hk_json_parse(const char *text, size_t len, const hk_json_limits_t *lim, cJSON **out,
                       hk_diag_t *diag);

/**
 * Join a field path: "services[2]" + "prefix" -> "services[2].prefix";
 * "" + "role" -> "role". Truncates quietly at cap (diags are shorter).
 * @param dst  receives the path, cap bytes incl. NUL.
 */
void hk_json_path(char *dst, size_t cap, const char *pfx, const char *key);

/**
 * Refuse keys not in allowed (NULL-terminated) and keys given twice, with
 * "<path>.<key>: unknown key" / "duplicate key". Keys starting with '_' are
 * comments and pass.
 * @param obj   a cJSON object.
 * @param path  the object's own path ("" at top level).
 */
hk_err_t hk_json_check_keys(const cJSON *obj, const char *path, const char *const *allowed,
                            hk_diag_t *diag);

/**
 * hk_json_parse() of a document that must be one JSON object with only
 * the allowed top-level keys (hk_json_check_keys at path ""): "expected a
 * JSON object", "zzz: unknown key". (PROVISION: the enrolment bodies and
 * provision.json share it.)
 * @param out  the tree on HK_OK (cJSON_Delete it), NULL otherwise.
 */
hk_err_t hk_json_parse_object(const char *text, size_t len, const hk_json_limits_t *lim,
                              const char *const *allowed, cJSON **out, hk_diag_t *diag);

/**
 * Length of the strict UTF-8 sequence at s (1..4 bytes), or 0 when there
 * is none: an overlong form, a surrogate, > U+10FFFF, a bad continuation
 * byte, or a sequence longer than avail.
 * @param cp_out  receives the code point when the result is > 0.
 */
size_t hk_json_utf8_seq(const char *s, size_t avail, unsigned *cp_out);

/**
 * True if s is strict UTF-8 (no overlongs, surrogates or > U+10FFFF) with
 * no C0/C1 control characters: text that fits on one line of a screen.
 */
bool hk_json_text_ok(const char *s);

/**
 * Read a string item into dst. Refuses a non-string ("expected a string"),
 * text that does not fit ("too long (N bytes, at most M)"; never truncated)
 * and text that fails hk_json_text_ok().
 * @param path  the item's field path for the diag.
 * @param dst   cap bytes; written only on HK_OK.
 */
hk_err_t hk_json_get_text(const cJSON *item, const char *path, char *dst, size_t cap,
                          hk_diag_t *diag);

/**
 * Read a whole number in lo..hi ("expected a number", "must be lo..hi",
 * "must be a whole number").
 * @param dst  written only on HK_OK.
 */
hk_err_t hk_json_get_int(const cJSON *item, const char *path, int lo, int hi, int *dst,
                         hk_diag_t *diag);

/**
 * Lenient lookups for data already stored (events replayed at head
 * office), where a missing or mistyped key means "not known", not an
 * error: the string value of key, or NULL; the number, or dflt.
 */
const char *hk_json_str_of(const cJSON *obj, const char *key);
int64_t hk_json_int_of(const cJSON *obj, const char *key, int64_t dflt);

/**
 * hk_json_get_int() for 64-bit values: a whole number in lo..hi. Doubles
 * are exact up to 2^53, so keep lo and hi within +-(2^53 - 1).
 * @param dst  written only on HK_OK.
 */
hk_err_t hk_json_get_i64(const cJSON *item, const char *path, int64_t lo, int64_t hi, int64_t *dst,
                         hk_diag_t *diag);

/** Read true/false ("expected true or false"). dst written only on HK_OK. */
hk_err_t hk_json_get_bool(const cJSON *item, const char *path, bool *dst, hk_diag_t *diag);

#endif
