/*
 * hk_json: capped JSON parsing over cJSON and typed readers with field-path
 * diags (see hk_json.h). The caps are ours, not cJSON's: its
 * CJSON_NESTING_LIMIT is 1000, deep enough to spend a lot of stack on a
 * hostile file, so a linear pre-scan counts brackets outside strings and
 * refuses the document before cJSON recurses into it. The same scan gives
 * line and column for every diag.
 *
 * Allocation failures inside cJSON come back as a plain NULL, like bad
 * syntax; the malloc hook raises a thread-local flag so an out-of-memory
 * is reported as HK_ERR_NOMEM and never blamed on the input.
 *
 * cJSON's parser writes a static (global_error, for cJSON_GetErrorPtr) on
 * every call, so two threads parsing at once race inside cJSON. We never
 * read it, and ThreadSanitizer cannot see it (the system libcjson is not
 * instrumented), but it is a data race all the same; parses are rare and
 * small (config reloads, pushed content), so one mutex serialises them.
 */
#include "hk_json.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "hk_mem.h"

/* Static prototypes -------------------------------------------------------*/
static void *json_malloc(size_t size);
static void hooks_once_fn(void);
static void line_col(const char *text, size_t off, int *line, int *col);
static hk_err_t depth_scan(const char *text, size_t len, int max_depth, hk_diag_t *diag);
static void syntax_diag(const char *text, size_t len, const char *at, hk_diag_t *diag);

/* Static data -------------------------------------------------------------*/
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t parse_mu = PTHREAD_MUTEX_INITIALIZER; /* see the top */
/* Set when cJSON's allocation failed during this thread's current parse. */
static _Thread_local bool json_oom;

/* Public functions --------------------------------------------------------*/

void hk_json_init(void)
{
    /* Only fails on a broken libc; cJSON then keeps malloc, still correct
     * as long as nobody mixes the two, which the once guarantees. */
    (void)pthread_once(&hooks_once, hooks_once_fn);
}

hk_err_t hk_json_parse(const char *text, size_t len, const hk_json_limits_t *lim, cJSON **out,
                       hk_diag_t *diag)
{
    size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : HK_JSON_DEFAULT_MAX_BYTES;
    int max_depth = lim && lim->max_depth > 0 ? lim->max_depth : HK_JSON_DEFAULT_MAX_DEPTH;
    const char *end = NULL;
    cJSON *root = NULL;
    hk_err_t rc = HK_OK;
    size_t off;

    hk_json_init();
    if(out)
        *out = NULL;
    if(!text || !out) {
        hk_diag_set(diag, "no input");
        return HK_ERR_INVALID;
    }
    if(len > max_bytes) {
        hk_diag_set(diag, "%zu bytes is over the %zu byte limit", len, max_bytes);
        return HK_ERR_INVALID;
    }
    rc = depth_scan(text, len, max_depth, diag);
    if(rc != HK_OK)
        return rc;
    json_oom = false;
    (void)pthread_mutex_lock(&parse_mu); /* default mutex: fails only on misuse */
    root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    (void)pthread_mutex_unlock(&parse_mu);
    if(!root) {
        if(json_oom) {
            hk_diag_set(diag, "out of memory");
            return HK_ERR_NOMEM;
        }
        syntax_diag(text, len, end, diag);
        return HK_ERR_INVALID;
    }
    /* Trailing garbage after the document is a broken file, not a comment. */
    off = end && end >= text ? (size_t)(end - text) : len;
    while(off < len &&
          (text[off] == ' ' || text[off] == '\n' || text[off] == '\r' || text[off] == '\t'))
        off++;
    if(off < len && text[off] != '\0') {
        syntax_diag(text, len, text + off, diag);
        cJSON_Delete(root);
        return HK_ERR_INVALID;
    }
    *out = root;
    return HK_OK;
}

void hk_json_path(char *dst, size_t cap, const char *pfx, const char *key)
{
    /* Hand-rolled so a long (unknown) key truncates quietly: the diag
     * buffer is smaller than that anyway. */
    size_t n = 0;
    const char *p;

    if(!cap)
        return;
    for(p = pfx ? pfx : ""; *p && n < cap - 1; p++)
        dst[n++] = *p;
    if(n && n < cap - 1)
        dst[n++] = '.';
    for(p = key ? key : ""; *p && n < cap - 1; p++)
        dst[n++] = *p;
    dst[n] = '\0';
}

hk_err_t hk_json_check_keys(const cJSON *obj, const char *path, const char *const *allowed,
                            hk_diag_t *diag)
{
    const cJSON *it, *prev;
    char sub[HK_JSON_PATH_CAP];
    int i;

    for(it = obj->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        bool known = false;

        if(k[0] == '_')
            continue; /* comment key */
        hk_json_path(sub, sizeof(sub), path, k);
        for(i = 0; allowed[i]; i++)
            if(strcmp(allowed[i], k) == 0)
                known = true;
        if(!known) {
            hk_diag_set(diag, "%s: unknown key", sub);
            return HK_ERR_INVALID;
        }
        for(prev = obj->child; prev != it; prev = prev->next) {
            if(prev->string && strcmp(prev->string, k) == 0) {
                hk_diag_set(diag, "%s: duplicate key", sub);
                return HK_ERR_INVALID;
            }
        }
    }
    return HK_OK;
}

size_t hk_json_utf8_seq(const char *s, size_t avail, unsigned *cp_out)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned c, cp;
    size_t n, i;

    if(avail == 0)
        return 0;
    c = p[0];
    if(c < 0x80) {
        *cp_out = c;
        return 1;
    }
    if(c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if(c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if(c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if(avail < n)
        return 0;
    for(i = 1; i < n; i++) {
        if((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
       (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    *cp_out = cp;
    return n;
}

/* Strict UTF-8 (hk_json_utf8_seq) and no control characters: every string
 * here is one line on a screen or a receipt. */
bool hk_json_text_ok(const char *s)
{
    size_t avail = strlen(s);

    while(avail > 0) {
        unsigned cp = 0;
        size_t n = hk_json_utf8_seq(s, avail, &cp);

        if(n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return false; /* not UTF-8, or a C0/DEL/C1 control character */
        s += n;
        avail -= n;
    }
    return true;
}

hk_err_t hk_json_get_text(const cJSON *item, const char *path, char *dst, size_t cap,
                          hk_diag_t *diag)
{
    size_t len;

    if(!cJSON_IsString(item) || !item->valuestring) {
        hk_diag_set(diag, "%s: expected a string", path);
        return HK_ERR_INVALID;
    }
    len = strlen(item->valuestring);
    if(len >= cap) {
        hk_diag_set(diag, "%s: too long (%zu bytes, at most %zu)", path, len, cap ? cap - 1 : 0);
        return HK_ERR_INVALID;
    }
    if(!hk_json_text_ok(item->valuestring)) {
        hk_diag_set(diag, "%s: not valid UTF-8 text (or has control characters)", path);
        return HK_ERR_INVALID;
    }
    memcpy(dst, item->valuestring, len + 1);
    return HK_OK;
}

hk_err_t hk_json_get_int(const cJSON *item, const char *path, int lo, int hi, int *dst,
                         hk_diag_t *diag)
{
    int64_t v = 0;
    hk_err_t rc = hk_json_get_i64(item, path, lo, hi, &v, diag);

    if(rc == HK_OK)
        *dst = (int)v;
    return rc;
}

hk_err_t hk_json_get_i64(const cJSON *item, const char *path, int64_t lo, int64_t hi, int64_t *dst,
                         hk_diag_t *diag)
{
    double v;

    if(!cJSON_IsNumber(item)) {
        hk_diag_set(diag, "%s: expected a number", path);
        return HK_ERR_INVALID;
    }
    v = item->valuedouble;
    /* Range check in double first: casting an out-of-range double is UB. */
    if(!(v >= (double)lo && v <= (double)hi)) {
        hk_diag_set(diag, "%s: must be %" PRId64 "..%" PRId64, path, lo, hi);
        return HK_ERR_INVALID;
    }
    if(v != floor(v)) {
        hk_diag_set(diag, "%s: must be a whole number", path);
        return HK_ERR_INVALID;
    }
    *dst = (int64_t)v;
    return HK_OK;
}

hk_err_t hk_json_get_bool(const cJSON *item, const char *path, bool *dst, hk_diag_t *diag)
{
    if(!cJSON_IsBool(item)) {
        hk_diag_set(diag, "%s: expected true or false", path);
        return HK_ERR_INVALID;
    }
    *dst = cJSON_IsTrue(item) != 0;
    return HK_OK;
}

/* Static functions --------------------------------------------------------*/

static void *json_malloc(size_t size)
{
    void *p = hk_malloc(size);

    if(!p)
        json_oom = true;
    return p;
}

static void hooks_once_fn(void)
{
    cJSON_Hooks hooks;

    hooks.malloc_fn = json_malloc;
    hooks.free_fn = hk_free;
    cJSON_InitHooks(&hooks);
}

static void line_col(const char *text, size_t off, int *line, int *col)
{
    size_t i;

    *line = 1;
    *col = 1;
    for(i = 0; i < off; i++) {
        if(text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Brackets outside strings, counted without parsing: a bracket inside a
 * string is text; an unbalanced document is cJSON's to refuse. */
static hk_err_t depth_scan(const char *text, size_t len, int max_depth, hk_diag_t *diag)
{
    bool in_str = false, esc = false;
    int depth = 0;
    size_t i;

    for(i = 0; i < len; i++) {
        char c = text[i];

        if(in_str) {
            if(esc)
                esc = false;
            else if(c == '\\')
                esc = true;
            else if(c == '"')
                in_str = false;
            continue;
        }
        if(c == '"') {
            in_str = true;
        } else if(c == '[' || c == '{') {
            if(++depth > max_depth) {
                int line, col;

                line_col(text, i, &line, &col);
                hk_diag_set(diag, "nested deeper than %d levels (line %d, column %d)", max_depth,
                            line, col);
                return HK_ERR_INVALID;
            }
        } else if(c == ']' || c == '}') {
            if(depth > 0)
                depth--;
        }
    }
    return HK_OK;
}

static void syntax_diag(const char *text, size_t len, const char *at, hk_diag_t *diag)
{
    int line, col;

    if(!at || at < text || (size_t)(at - text) > len) {
        hk_diag_set(diag, "not valid JSON");
        return;
    }
    line_col(text, (size_t)(at - text), &line, &col);
    hk_diag_set(diag, "not valid JSON (line %d, column %d)", line, col);
}

const char *hk_json_str_of(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

int64_t hk_json_int_of(const cJSON *obj, const char *key, int64_t dflt)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    /* NaN, infinities and values past int64's range are "not known" */
    if(!cJSON_IsNumber(it) || !(it->valuedouble > -9.2e18 && it->valuedouble < 9.2e18))
        return dflt;
    return (int64_t)it->valuedouble;
}

hk_err_t hk_json_parse_object(const char *text, size_t len, const hk_json_limits_t *lim,
                              const char *const *allowed, cJSON **out, hk_diag_t *diag)
{
    cJSON *root = NULL;
    hk_err_t rc;

    *out = NULL;
    rc = hk_json_parse(text, len, lim, &root, diag);
    if(rc != HK_OK)
        return rc;
    if(!cJSON_IsObject(root)) {
        hk_diag_set(diag, "expected a JSON object");
        rc = HK_ERR_INVALID;
    } else {
        rc = hk_json_check_keys(root, "", allowed, diag);
    }
    if(rc != HK_OK) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return HK_OK;
}
