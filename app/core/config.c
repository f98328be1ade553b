/*
 * config: parses and validates the branch configuration JSON into the
 * fixed-size config_t. Validation is whole-or-nothing: the result is built in
 * a heap scratch copy and copied to the caller only when every field passed,
 * so a bad file never disturbs the config in force. The first problem found
 * is reported as "full.field.path: reason" in the caller's hk_diag_t.
 *
 * Unknown keys are refused (they are nearly always typos); keys starting
 * with '_' are comments and ignored. Strings that do not fit their buffer
 * are refused, never truncated, and must be valid UTF-8 without control
 * characters. This module does not read the clock, touch the store or
 * resolve paths (a relative printer target is resolved by the app against
 * data_dir).
 *
 * cJSON allocates through hk_malloc/hk_free (hooks installed once, process
 * wide) so the allocator's fault injection and leak count cover it.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hk_mem.h"

#define PATH_CAP 96

/* Static prototypes -------------------------------------------------------*/
static void install_hooks(void);
static void *json_malloc(size_t size);
static void hooks_once_fn(void);
static void join_path(char *dst, const char *pfx, const char *key);
static hk_err_t check_keys(const cJSON *obj, const char *pfx, const char *const *allowed,
                           hk_diag_t *diag);
static bool utf8_ok(const char *s);
static hk_err_t get_str(const cJSON *obj, const char *pfx, const char *key, bool required,
                        char *dst, size_t cap, hk_diag_t *diag);
static hk_err_t get_int(const cJSON *obj, const char *pfx, const char *key, bool required, int lo,
                        int hi, int *dst, hk_diag_t *diag);
static hk_err_t get_bool(const cJSON *obj, const char *pfx, const char *key, bool *dst,
                         hk_diag_t *diag);
static hk_err_t check_id(const char *id, const char *path, hk_diag_t *diag);
static hk_err_t parse_span(const char *s, config_span_t *span);
static hk_err_t parse_hours(const cJSON *obj, const char *path, config_hours_t *hours,
                            hk_diag_t *diag);
static hk_err_t parse_branch(const cJSON *root, config_t *cfg, hk_diag_t *diag);
static hk_err_t parse_services(const cJSON *root, config_t *cfg, hk_diag_t *diag);
static hk_err_t parse_counters(const cJSON *root, config_t *cfg, hk_diag_t *diag);
static hk_err_t parse_devices(const cJSON *root, config_t *cfg, hk_diag_t *diag);
static hk_err_t parse_misc(const cJSON *root, config_t *cfg, hk_diag_t *diag);
static hk_err_t check_url_template(const char *t, hk_diag_t *diag);
static void set_defaults(config_t *cfg);
static void syntax_diag(const char *json, size_t len, const char *end, hk_diag_t *diag);
static void civil_from_days(int64_t z, int *y, int *m, int *d);

/* Static data -------------------------------------------------------------*/
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
/* Set when cJSON's allocation failed during this thread's current parse. */
static _Thread_local bool json_oom;

static const char *const day_keys[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
/* Order for diagnostics and key checks: as people write a week. */
static const int day_order[7] = { 1, 2, 3, 4, 5, 6, 0 };

static const char *const top_keys[] = { "role",    "branch",   "language", "utc_offset_min",
                                        "hours",   "services", "counters", "printer",
                                        "display", "ticket",   "data_dir", "timeouts",
                                        "queue",   NULL };
static const char *const branch_keys[] = { "id", "name_zh", "name_en", NULL };
static const char *const service_keys[] = { "id",       "prefix",  "name_zh",
                                            "name_en",  "desc_zh", "desc_en",
                                            "priority", "vip",     "avg_service_s",
                                            "hours",    NULL };
static const char *const counter_keys[] = {
    "id", "number", "name_zh", "name_en", "services", NULL
};
static const char *const hours_keys[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };
static const char *const printer_keys[] = { "kind", "target", "width_dots", NULL };
static const char *const display_keys[] = { "orientation", "width", "height", "large_text", NULL };
static const char *const ticket_keys[] = { "url_template", "footer_zh", "footer_en", NULL };
static const char *const timeout_keys[] = { "idle_s", "confirm_s", NULL };
static const char *const queue_keys[] = { "max_pass_over_s", NULL };

/* Public functions --------------------------------------------------------*/

hk_err_t config_parse(const char *json, size_t len, config_t *out, hk_diag_t *diag)
{
    hk_err_t rc = HK_OK;
    config_t *cfg = NULL;
    cJSON *root = NULL;
    const char *end = NULL;

    hk_diag_clear(diag);
    install_hooks();
    if(!json || !out) {
        hk_diag_set(diag, "config: no input");
        return HK_ERR_INVALID;
    }
    if(len > CONFIG_MAX_FILE_BYTES) {
        hk_diag_set(diag, "config: %zu bytes is over the %d byte limit", len,
                    CONFIG_MAX_FILE_BYTES);
        return HK_ERR_INVALID;
    }
    cfg = hk_calloc(1, sizeof(*cfg));
    if(!cfg) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    set_defaults(cfg);

    json_oom = false;
    root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if(!root) {
        /* cJSON returns NULL for OOM and bad syntax alike; the hook tells
         * them apart so an allocation failure is never blamed on the file. */
        if(json_oom) {
            rc = HK_ERR_NOMEM;
            goto out;
        }
        syntax_diag(json, len, end, diag);
        rc = HK_ERR_INVALID;
        goto out;
    }
    /* Trailing garbage after the document is a broken file, not a comment. */
    if(end) {
        size_t off = (size_t)(end - json);
        while(off < len &&
              (json[off] == ' ' || json[off] == '\n' || json[off] == '\r' || json[off] == '\t'))
            off++;
        if(off < len && json[off] != '\0') {
            syntax_diag(json, len, json + off, diag);
            rc = HK_ERR_INVALID;
            goto out;
        }
    }
    if(!cJSON_IsObject(root)) {
        hk_diag_set(diag, "config: top level must be an object");
        rc = HK_ERR_INVALID;
        goto out;
    }
    rc = check_keys(root, "", top_keys, diag);
    if(rc != HK_OK)
        goto out;
    rc = parse_branch(root, cfg, diag);
    if(rc != HK_OK)
        goto out;
    rc = parse_services(root, cfg, diag);
    if(rc != HK_OK)
        goto out;
    rc = parse_counters(root, cfg, diag);
    if(rc != HK_OK)
        goto out;
    rc = parse_devices(root, cfg, diag);
    if(rc != HK_OK)
        goto out;
    rc = parse_misc(root, cfg, diag);
    if(rc != HK_OK)
        goto out;

    *out = *cfg;
    hk_diag_clear(diag);
out:
    if(rc == HK_ERR_NOMEM)
        hk_diag_set(diag, "config: out of memory");
    cJSON_Delete(root);
    hk_free(cfg);
    return rc;
}

hk_err_t config_load_file(const char *path, config_t *out, hk_diag_t *diag)
{
    hk_err_t rc = HK_OK;
    FILE *f = NULL;
    char *buf = NULL;
    size_t n = 0;

    hk_diag_clear(diag);
    if(!path) {
        hk_diag_set(diag, "config: no path");
        return HK_ERR_INVALID;
    }
    f = fopen(path, "rb");
    if(!f) {
        hk_diag_set(diag, "%s: %s", path, strerror(errno));
        return HK_ERR_IO;
    }
    /* Hard cap when the buffer is made: one byte more than allowed tells
     * us the file is too big without trusting its reported size. */
    buf = hk_malloc(CONFIG_MAX_FILE_BYTES + 1);
    if(!buf) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    n = fread(buf, 1, CONFIG_MAX_FILE_BYTES + 1, f);
    if(ferror(f)) {
        hk_diag_set(diag, "%s: read error", path);
        rc = HK_ERR_IO;
        goto out;
    }
    if(n > CONFIG_MAX_FILE_BYTES) {
        hk_diag_set(diag, "%s: larger than %d bytes", path, CONFIG_MAX_FILE_BYTES);
        rc = HK_ERR_INVALID;
        goto out;
    }
    rc = config_parse(buf, n, out, diag);
out:
    hk_free(buf);
    (void)fclose(f); /* read-only stream: nothing to lose on close */
    return rc;
}

int config_service_index(const config_t *cfg, const char *service_id)
{
    int i;

    if(!cfg || !service_id)
        return -1;
    for(i = 0; i < cfg->n_services; i++)
        if(strcmp(cfg->services[i].id, service_id) == 0)
            return i;
    return -1;
}

int config_counter_index(const config_t *cfg, const char *counter_id)
{
    int i;

    if(!cfg || !counter_id)
        return -1;
    for(i = 0; i < cfg->n_counters; i++)
        if(strcmp(cfg->counters[i].id, counter_id) == 0)
            return i;
    return -1;
}

void config_local_time(const config_t *cfg, int64_t wall_ms, char day_out[11], int *wday_out,
                       int *min_out)
{
    int64_t local_ms = wall_ms + (int64_t)cfg->utc_offset_min * 60000;
    int64_t days = local_ms / 86400000;
    int64_t ms_of_day;
    int y, m, d;

    /* Floor division: times before 1970 still land on the right day. */
    if(local_ms % 86400000 < 0)
        days--;
    ms_of_day = local_ms - days * 86400000;
    if(day_out) {
        civil_from_days(days, &y, &m, &d);
        y = y < 0 ? 0 : y % 10000; /* only sane clocks matter here */
        day_out[0] = (char)('0' + y / 1000);
        day_out[1] = (char)('0' + y / 100 % 10);
        day_out[2] = (char)('0' + y / 10 % 10);
        day_out[3] = (char)('0' + y % 10);
        day_out[4] = '-';
        day_out[5] = (char)('0' + m / 10);
        day_out[6] = (char)('0' + m % 10);
        day_out[7] = '-';
        day_out[8] = (char)('0' + d / 10);
        day_out[9] = (char)('0' + d % 10);
        day_out[10] = '\0';
    }
    if(wday_out) {
        int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
        if(w < 0)
            w += 7;
        *wday_out = (int)w;
    }
    if(min_out)
        *min_out = (int)(ms_of_day / 60000);
}

bool config_service_open_at(const config_t *cfg, int svc_idx, int64_t wall_ms,
                            config_span_t *span_out)
{
    config_span_t span;
    int wday, min;

    if(!cfg || svc_idx < 0 || svc_idx >= cfg->n_services) {
        if(span_out) {
            span_out->open_min = -1;
            span_out->close_min = -1;
        }
        return false;
    }
    config_local_time(cfg, wall_ms, NULL, &wday, &min);
    span = cfg->services[svc_idx].hours.day[wday];
    if(span_out)
        *span_out = span;
    return span.open_min >= 0 && min >= span.open_min && min < span.close_min;
}

void config_json_hooks_install(void)
{
    install_hooks();
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

static void install_hooks(void)
{
    /* Only fails on a broken libc; cJSON then keeps malloc, still correct. */
    (void)pthread_once(&hooks_once, hooks_once_fn);
}

static void set_defaults(config_t *cfg)
{
    int i;

    cfg->role = CONFIG_ROLE_KIOSK;
    (void)snprintf(cfg->language, sizeof(cfg->language), "zh-CN");
    cfg->utc_offset_min = 480;
    for(i = 0; i < 7; i++) {
        cfg->hours.day[i].open_min = 0;
        cfg->hours.day[i].close_min = 24 * 60;
    }
    cfg->printer.kind = CONFIG_PRINTER_NONE;
    cfg->printer.width_dots = 576;
    cfg->display.orientation = CONFIG_ORIENT_PORTRAIT;
    cfg->display.width = 1080;
    cfg->display.height = 1920;
    cfg->idle_timeout_s = 60;
    cfg->confirm_timeout_s = 20;
    cfg->max_pass_over_s = 900;
}

static void join_path(char *dst, const char *pfx, const char *key)
{
    /* Hand-rolled so a long (unknown) key truncates quietly: the diag
     * buffer is smaller than that anyway. */
    size_t n = 0;
    const char *p;

    for(p = pfx ? pfx : ""; *p && n < PATH_CAP - 1; p++)
        dst[n++] = *p;
    if(n && n < PATH_CAP - 1)
        dst[n++] = '.';
    for(p = key; *p && n < PATH_CAP - 1; p++)
        dst[n++] = *p;
    dst[n] = '\0';
}

static hk_err_t check_keys(const cJSON *obj, const char *pfx, const char *const *allowed,
                           hk_diag_t *diag)
{
    const cJSON *it, *prev;
    char path[PATH_CAP];
    int i;

    for(it = obj->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        bool known = false;

        join_path(path, pfx, k);
        if(k[0] == '_')
            continue; /* comment key */
        for(i = 0; allowed[i]; i++)
            if(strcmp(allowed[i], k) == 0)
                known = true;
        if(!known) {
            hk_diag_set(diag, "%s: unknown key", path);
            return HK_ERR_INVALID;
        }
        for(prev = obj->child; prev != it; prev = prev->next) {
            if(prev->string && strcmp(prev->string, k) == 0) {
                hk_diag_set(diag, "%s: duplicate key", path);
                return HK_ERR_INVALID;
            }
        }
    }
    return HK_OK;
}

/* Strict UTF-8: no overlongs, no surrogates, <= U+10FFFF, and no control
 * characters (every string here is one line on a screen or a receipt). */
static bool utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while(*p) {
        unsigned c = *p;
        int n;
        unsigned cp;

        if(c < 0x80) {
            if(c < 0x20 || c == 0x7f)
                return false;
            p++;
            continue;
        }
        if(c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if(c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if(c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        p++;
        for(int i = 0; i < n; i++, p++) {
            if((*p & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (*p & 0x3fu);
        }
        if((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
           (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        if(cp >= 0x80 && cp < 0xa0)
            return false; /* C1 controls */
    }
    return true;
}

static hk_err_t get_str(const cJSON *obj, const char *pfx, const char *key, bool required,
                        char *dst, size_t cap, hk_diag_t *diag)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    char path[PATH_CAP];
    size_t len;

    join_path(path, pfx, key);
    if(!it) {
        if(required) {
            hk_diag_set(diag, "%s: required", path);
            return HK_ERR_INVALID;
        }
        return HK_OK;
    }
    if(!cJSON_IsString(it) || !it->valuestring) {
        hk_diag_set(diag, "%s: expected a string", path);
        return HK_ERR_INVALID;
    }
    len = strlen(it->valuestring);
    if(len >= cap) {
        hk_diag_set(diag, "%s: too long (%zu bytes, at most %zu)", path, len, cap - 1);
        return HK_ERR_INVALID;
    }
    if(!utf8_ok(it->valuestring)) {
        hk_diag_set(diag, "%s: not valid UTF-8 text (or has control characters)", path);
        return HK_ERR_INVALID;
    }
    if(required && len == 0) {
        hk_diag_set(diag, "%s: must not be empty", path);
        return HK_ERR_INVALID;
    }
    memcpy(dst, it->valuestring, len + 1);
    return HK_OK;
}

static hk_err_t get_int(const cJSON *obj, const char *pfx, const char *key, bool required, int lo,
                        int hi, int *dst, hk_diag_t *diag)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    char path[PATH_CAP];
    double v;

    join_path(path, pfx, key);
    if(!it) {
        if(required) {
            hk_diag_set(diag, "%s: required", path);
            return HK_ERR_INVALID;
        }
        return HK_OK;
    }
    if(!cJSON_IsNumber(it)) {
        hk_diag_set(diag, "%s: expected a number", path);
        return HK_ERR_INVALID;
    }
    v = it->valuedouble;
    /* Range check in double first: casting an out-of-range double is UB. */
    if(!(v >= (double)lo && v <= (double)hi)) {
        hk_diag_set(diag, "%s: must be %d..%d", path, lo, hi);
        return HK_ERR_INVALID;
    }
    if(v != floor(v)) {
        hk_diag_set(diag, "%s: must be a whole number", path);
        return HK_ERR_INVALID;
    }
    *dst = (int)v;
    return HK_OK;
}

static hk_err_t get_bool(const cJSON *obj, const char *pfx, const char *key, bool *dst,
                         hk_diag_t *diag)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    char path[PATH_CAP];

    if(!it)
        return HK_OK;
    if(!cJSON_IsBool(it)) {
        join_path(path, pfx, key);
        hk_diag_set(diag, "%s: expected true or false", path);
        return HK_ERR_INVALID;
    }
    *dst = cJSON_IsTrue(it) != 0;
    return HK_OK;
}

static hk_err_t check_id(const char *id, const char *path, hk_diag_t *diag)
{
    const char *p;

    for(p = id; *p; p++) {
        if(!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
            hk_diag_set(diag, "%s: \"%s\" may use only a-z 0-9 _ -", path, id);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

/* "HH:MM-HH:MM" (24:00 allowed as a close) or "closed". */
static hk_err_t parse_span(const char *s, config_span_t *span)
{
    int v[4];
    int i;

    if(strcmp(s, "closed") == 0) {
        span->open_min = -1;
        span->close_min = -1;
        return HK_OK;
    }
    if(strlen(s) != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':')
        return HK_ERR_INVALID;
    for(i = 0; i < 4; i++) {
        const char *d = s + i * 3;
        if(d[0] < '0' || d[0] > '9' || d[1] < '0' || d[1] > '9')
            return HK_ERR_INVALID;
        v[i] = (d[0] - '0') * 10 + (d[1] - '0');
    }
    if(v[0] > 23 || v[1] > 59 || v[2] > 24 || v[3] > 59 || (v[2] == 24 && v[3] != 0))
        return HK_ERR_INVALID;
    span->open_min = v[0] * 60 + v[1];
    span->close_min = v[2] * 60 + v[3];
    if(span->close_min <= span->open_min)
        return HK_ERR_INVALID;
    return HK_OK;
}

static hk_err_t parse_hours(const cJSON *obj, const char *path, config_hours_t *hours,
                            hk_diag_t *diag)
{
    char sub[PATH_CAP];
    hk_err_t rc;
    int i;

    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "%s: expected an object of mon..sun", path);
        return HK_ERR_INVALID;
    }
    rc = check_keys(obj, path, hours_keys, diag);
    if(rc != HK_OK)
        return rc;
    for(i = 0; i < 7; i++) {
        int wd = day_order[i];
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, day_keys[wd]);

        join_path(sub, path, day_keys[wd]);
        if(!it) {
            hk_diag_set(diag, "%s: required (\"HH:MM-HH:MM\" or \"closed\")", sub);
            return HK_ERR_INVALID;
        }
        if(!cJSON_IsString(it) || !it->valuestring ||
           parse_span(it->valuestring, &hours->day[wd]) != HK_OK) {
            hk_diag_set(diag, "%s: expected \"HH:MM-HH:MM\" or \"closed\"", sub);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static hk_err_t parse_branch(const cJSON *root, config_t *cfg, hk_diag_t *diag)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "branch");
    const cJSON *it;
    hk_err_t rc;

    it = cJSON_GetObjectItemCaseSensitive(root, "role");
    if(it) {
        const char *r = cJSON_IsString(it) ? it->valuestring : NULL;
        if(r && strcmp(r, "kiosk") == 0)
            cfg->role = CONFIG_ROLE_KIOSK;
        else if(r && strcmp(r, "counter") == 0)
            cfg->role = CONFIG_ROLE_COUNTER;
        else if(r && strcmp(r, "display") == 0)
            cfg->role = CONFIG_ROLE_DISPLAY;
        else if(r && strcmp(r, "hub") == 0)
            cfg->role = CONFIG_ROLE_HUB;
        else {
            hk_diag_set(diag, "role: expected \"kiosk\", \"counter\", "
                              "\"display\" or \"hub\"");
            return HK_ERR_INVALID;
        }
    }
    if(!b) {
        hk_diag_set(diag, "branch: required");
        return HK_ERR_INVALID;
    }
    if(!cJSON_IsObject(b)) {
        hk_diag_set(diag, "branch: expected an object");
        return HK_ERR_INVALID;
    }
    rc = check_keys(b, "branch", branch_keys, diag);
    if(rc == HK_OK)
        rc = get_str(b, "branch", "id", true, cfg->branch_id, sizeof(cfg->branch_id), diag);
    if(rc == HK_OK)
        rc = check_id(cfg->branch_id, "branch.id", diag);
    if(rc == HK_OK)
        rc = get_str(b, "branch", "name_zh", true, cfg->branch_name_zh, sizeof(cfg->branch_name_zh),
                     diag);
    if(rc == HK_OK)
        rc = get_str(b, "branch", "name_en", true, cfg->branch_name_en, sizeof(cfg->branch_name_en),
                     diag);
    if(rc != HK_OK)
        return rc;

    rc = get_str(root, "", "language", false, cfg->language, sizeof(cfg->language), diag);
    if(rc != HK_OK)
        return rc;
    if(strcmp(cfg->language, "zh-CN") != 0 && strcmp(cfg->language, "en") != 0) {
        hk_diag_set(diag, "language: expected \"zh-CN\" or \"en\"");
        return HK_ERR_INVALID;
    }
    rc = get_int(root, "", "utc_offset_min", false, -720, 840, &cfg->utc_offset_min, diag);
    if(rc != HK_OK)
        return rc;
    it = cJSON_GetObjectItemCaseSensitive(root, "hours");
    if(it)
        rc = parse_hours(it, "hours", &cfg->hours, diag);
    return rc;
}

static hk_err_t parse_services(const cJSON *root, config_t *cfg, hk_diag_t *diag)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "services");
    const cJSON *it;
    char pfx[PATH_CAP], path[PATH_CAP];
    hk_err_t rc = HK_OK;
    int n = 0, i, d;

    if(!arr) {
        hk_diag_set(diag, "services: required");
        return HK_ERR_INVALID;
    }
    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "services: expected an array");
        return HK_ERR_INVALID;
    }
    for(it = arr->child; it; it = it->next, n++) {
        config_service_t *s;
        const cJSON *p, *h;
        char pstr[4] = "";

        (void)snprintf(pfx, sizeof(pfx), "services[%d]", n);
        if(n >= CONFIG_MAX_SERVICES) {
            hk_diag_set(diag, "services: at most %d services", CONFIG_MAX_SERVICES);
            return HK_ERR_INVALID;
        }
        s = &cfg->services[n];
        if(!cJSON_IsObject(it)) {
            hk_diag_set(diag, "%s: expected an object", pfx);
            return HK_ERR_INVALID;
        }
        rc = check_keys(it, pfx, service_keys, diag);
        if(rc == HK_OK)
            rc = get_str(it, pfx, "id", true, s->id, sizeof(s->id), diag);
        if(rc == HK_OK) {
            join_path(path, pfx, "id");
            rc = check_id(s->id, path, diag);
        }
        if(rc != HK_OK)
            return rc;
        p = cJSON_GetObjectItemCaseSensitive(it, "prefix");
        join_path(path, pfx, "prefix");
        if(!p) {
            hk_diag_set(diag, "%s: required", path);
            return HK_ERR_INVALID;
        }
        if(cJSON_IsString(p) && p->valuestring && strlen(p->valuestring) < sizeof(pstr))
            memcpy(pstr, p->valuestring, strlen(p->valuestring) + 1);
        if(strlen(pstr) != 1 || pstr[0] < 'A' || pstr[0] > 'Z') {
            hk_diag_set(diag, "%s: must be one letter A-Z", path);
            return HK_ERR_INVALID;
        }
        s->prefix = pstr[0];
        rc = get_str(it, pfx, "name_zh", true, s->name_zh, sizeof(s->name_zh), diag);
        if(rc == HK_OK)
            rc = get_str(it, pfx, "name_en", true, s->name_en, sizeof(s->name_en), diag);
        if(rc == HK_OK)
            rc = get_str(it, pfx, "desc_zh", false, s->desc_zh, sizeof(s->desc_zh), diag);
        if(rc == HK_OK)
            rc = get_str(it, pfx, "desc_en", false, s->desc_en, sizeof(s->desc_en), diag);
        s->priority = 0;
        if(rc == HK_OK)
            rc = get_int(it, pfx, "priority", false, 0, 9, &s->priority, diag);
        if(rc == HK_OK)
            rc = get_bool(it, pfx, "vip", &s->vip, diag);
        s->avg_service_s = 300;
        if(rc == HK_OK)
            rc = get_int(it, pfx, "avg_service_s", false, 30, 7200, &s->avg_service_s, diag);
        if(rc != HK_OK)
            return rc;
        s->hours = cfg->hours;
        h = cJSON_GetObjectItemCaseSensitive(it, "hours");
        if(h) {
            join_path(path, pfx, "hours");
            rc = parse_hours(h, path, &s->hours, diag);
            if(rc != HK_OK)
                return rc;
            /* A service cannot take numbers while the hall is shut. */
            for(i = 0; i < 7; i++) {
                int wd = day_order[i];
                config_span_t sv = s->hours.day[wd], br = cfg->hours.day[wd];
                if(sv.open_min < 0)
                    continue;
                if(br.open_min < 0 || sv.open_min < br.open_min || sv.close_min > br.close_min) {
                    hk_diag_set(diag, "%s.%s: outside the branch hours", path, day_keys[wd]);
                    return HK_ERR_INVALID;
                }
            }
        }
        for(d = 0; d < n; d++) {
            if(strcmp(cfg->services[d].id, s->id) == 0) {
                hk_diag_set(diag, "%s.id: duplicate id \"%s\" (also services[%d])", pfx, s->id, d);
                return HK_ERR_INVALID;
            }
            if(cfg->services[d].prefix == s->prefix) {
                hk_diag_set(diag,
                            "%s.prefix: duplicate prefix \"%c\" (also "
                            "services[%d])",
                            pfx, s->prefix, d);
                return HK_ERR_INVALID;
            }
        }
    }
    if(n == 0) {
        hk_diag_set(diag, "services: at least one service is required");
        return HK_ERR_INVALID;
    }
    cfg->n_services = n;
    return HK_OK;
}

static hk_err_t parse_counters(const cJSON *root, config_t *cfg, hk_diag_t *diag)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "counters");
    const cJSON *it, *sv;
    char pfx[PATH_CAP], path[PATH_CAP];
    bool served[CONFIG_MAX_SERVICES] = { false };
    hk_err_t rc = HK_OK;
    int n = 0, i, d;

    if(!arr) {
        hk_diag_set(diag, "counters: required");
        return HK_ERR_INVALID;
    }
    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "counters: expected an array");
        return HK_ERR_INVALID;
    }
    for(it = arr->child; it; it = it->next, n++) {
        config_counter_t *c;
        int k = 0;

        (void)snprintf(pfx, sizeof(pfx), "counters[%d]", n);
        if(n >= CONFIG_MAX_COUNTERS) {
            hk_diag_set(diag, "counters: at most %d counters", CONFIG_MAX_COUNTERS);
            return HK_ERR_INVALID;
        }
        c = &cfg->counters[n];
        if(!cJSON_IsObject(it)) {
            hk_diag_set(diag, "%s: expected an object", pfx);
            return HK_ERR_INVALID;
        }
        rc = check_keys(it, pfx, counter_keys, diag);
        if(rc == HK_OK)
            rc = get_str(it, pfx, "id", true, c->id, sizeof(c->id), diag);
        if(rc == HK_OK) {
            join_path(path, pfx, "id");
            rc = check_id(c->id, path, diag);
        }
        if(rc == HK_OK)
            rc = get_int(it, pfx, "number", true, 1, 99, &c->number, diag);
        if(rc != HK_OK)
            return rc;
        /* Names default to the number, as staff say them. */
        (void)snprintf(c->name_zh, sizeof(c->name_zh), "%d号窗口", c->number);
        (void)snprintf(c->name_en, sizeof(c->name_en), "Counter %d", c->number);
        rc = get_str(it, pfx, "name_zh", false, c->name_zh, sizeof(c->name_zh), diag);
        if(rc == HK_OK)
            rc = get_str(it, pfx, "name_en", false, c->name_en, sizeof(c->name_en), diag);
        if(rc != HK_OK)
            return rc;
        for(d = 0; d < n; d++) {
            if(strcmp(cfg->counters[d].id, c->id) == 0) {
                hk_diag_set(diag, "%s.id: duplicate id \"%s\" (also counters[%d])", pfx, c->id, d);
                return HK_ERR_INVALID;
            }
            if(cfg->counters[d].number == c->number) {
                hk_diag_set(diag,
                            "%s.number: duplicate number %d (also "
                            "counters[%d])",
                            pfx, c->number, d);
                return HK_ERR_INVALID;
            }
        }
        sv = cJSON_GetObjectItemCaseSensitive(it, "services");
        join_path(path, pfx, "services");
        if(!sv) {
            hk_diag_set(diag, "%s: required", path);
            return HK_ERR_INVALID;
        }
        if(!cJSON_IsArray(sv) || !sv->child) {
            hk_diag_set(diag, "%s: expected a non-empty array of service ids", path);
            return HK_ERR_INVALID;
        }
        for(sv = sv->child; sv; sv = sv->next, k++) {
            int idx;

            if(k >= CONFIG_MAX_SERVICES) {
                hk_diag_set(diag, "%s: at most %d entries", path, CONFIG_MAX_SERVICES);
                return HK_ERR_INVALID;
            }
            if(!cJSON_IsString(sv) || !sv->valuestring) {
                hk_diag_set(diag, "%s[%d]: expected a service id string", path, k);
                return HK_ERR_INVALID;
            }
            idx = config_service_index(cfg, sv->valuestring);
            if(idx < 0) {
                /* The id may be any bytes: show it only if it is sane. */
                if(strlen(sv->valuestring) < CONFIG_ID_LEN && utf8_ok(sv->valuestring))
                    hk_diag_set(diag, "%s[%d]: unknown service \"%s\"", path, k, sv->valuestring);
                else
                    hk_diag_set(diag, "%s[%d]: unknown service", path, k);
                return HK_ERR_INVALID;
            }
            for(d = 0; d < k; d++) {
                if(c->services[d] == idx) {
                    hk_diag_set(diag, "%s[%d]: \"%s\" listed twice", path, k, sv->valuestring);
                    return HK_ERR_INVALID;
                }
            }
            c->services[k] = idx;
            served[idx] = true;
        }
        c->n_services = k;
    }
    if(n == 0) {
        hk_diag_set(diag, "counters: at least one counter is required");
        return HK_ERR_INVALID;
    }
    cfg->n_counters = n;
    for(i = 0; i < cfg->n_services; i++) {
        if(!served[i]) {
            /* Its tickets would wait forever. */
            hk_diag_set(diag, "services[%d]: no counter serves \"%s\"", i, cfg->services[i].id);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static hk_err_t parse_devices(const cJSON *root, config_t *cfg, hk_diag_t *diag)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "printer");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "display");
    hk_err_t rc = HK_OK;

    if(p) {
        char kind[16] = "none";

        if(!cJSON_IsObject(p)) {
            hk_diag_set(diag, "printer: expected an object");
            return HK_ERR_INVALID;
        }
        rc = check_keys(p, "printer", printer_keys, diag);
        if(rc == HK_OK) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, "kind");
            if(k &&
               (!cJSON_IsString(k) || !k->valuestring || strlen(k->valuestring) >= sizeof(kind))) {
                hk_diag_set(diag, "printer.kind: expected \"none\", \"file\", "
                                  "\"device\" or \"tcp\"");
                return HK_ERR_INVALID;
            }
            if(k)
                memcpy(kind, k->valuestring, strlen(k->valuestring) + 1);
        }
        if(rc != HK_OK)
            return rc;
        if(strcmp(kind, "none") == 0)
            cfg->printer.kind = CONFIG_PRINTER_NONE;
        else if(strcmp(kind, "file") == 0)
            cfg->printer.kind = CONFIG_PRINTER_FILE;
        else if(strcmp(kind, "device") == 0)
            cfg->printer.kind = CONFIG_PRINTER_DEVICE;
        else if(strcmp(kind, "tcp") == 0)
            cfg->printer.kind = CONFIG_PRINTER_TCP;
        else {
            hk_diag_set(diag, "printer.kind: expected \"none\", \"file\", "
                              "\"device\" or \"tcp\"");
            return HK_ERR_INVALID;
        }
        rc = get_str(p, "printer", "target", cfg->printer.kind != CONFIG_PRINTER_NONE,
                     cfg->printer.target, sizeof(cfg->printer.target), diag);
        if(rc == HK_OK)
            rc = get_int(p, "printer", "width_dots", false, 384, 576, &cfg->printer.width_dots,
                         diag);
        if(rc != HK_OK)
            return rc;
        if(cfg->printer.width_dots != 384 && cfg->printer.width_dots != 576) {
            hk_diag_set(diag, "printer.width_dots: must be 384 (58 mm) or 576 "
                              "(80 mm)");
            return HK_ERR_INVALID;
        }
        if(cfg->printer.kind == CONFIG_PRINTER_TCP) {
            const char *colon = strrchr(cfg->printer.target, ':');
            char *endp = NULL;
            long port = colon ? strtol(colon + 1, &endp, 10) : 0;
            if(!colon || colon == cfg->printer.target || !endp || *endp || endp == colon + 1 ||
               port < 1 || port > 65535) {
                hk_diag_set(diag, "printer.target: expected \"host:port\"");
                return HK_ERR_INVALID;
            }
        }
        if(cfg->printer.kind == CONFIG_PRINTER_DEVICE && cfg->printer.target[0] != '/') {
            hk_diag_set(diag, "printer.target: a device must be an absolute "
                              "path such as /dev/usb/lp0");
            return HK_ERR_INVALID;
        }
    }
    if(d) {
        const cJSON *o;

        if(!cJSON_IsObject(d)) {
            hk_diag_set(diag, "display: expected an object");
            return HK_ERR_INVALID;
        }
        rc = check_keys(d, "display", display_keys, diag);
        if(rc != HK_OK)
            return rc;
        o = cJSON_GetObjectItemCaseSensitive(d, "orientation");
        if(o) {
            const char *v = cJSON_IsString(o) ? o->valuestring : NULL;
            if(v && strcmp(v, "portrait") == 0) {
                cfg->display.orientation = CONFIG_ORIENT_PORTRAIT;
            } else if(v && strcmp(v, "landscape") == 0) {
                cfg->display.orientation = CONFIG_ORIENT_LANDSCAPE;
                cfg->display.width = 1920;
                cfg->display.height = 1080;
            } else {
                hk_diag_set(diag, "display.orientation: expected \"portrait\" "
                                  "or \"landscape\"");
                return HK_ERR_INVALID;
            }
        }
        rc = get_int(d, "display", "width", false, 240, 7680, &cfg->display.width, diag);
        if(rc == HK_OK)
            rc = get_int(d, "display", "height", false, 240, 7680, &cfg->display.height, diag);
        if(rc == HK_OK)
            rc = get_bool(d, "display", "large_text", &cfg->display.large_text, diag);
        if(rc != HK_OK)
            return rc;
    }
    return HK_OK;
}

/* Only {branch} {day} {number} may appear; anything else in braces is a
 * typo that would print literally on every receipt. */
static hk_err_t check_url_template(const char *t, hk_diag_t *diag)
{
    const char *p = t;

    if(!*t)
        return HK_OK;
    if(strncmp(t, "https://", 8) != 0 && strncmp(t, "http://", 7) != 0) {
        hk_diag_set(diag, "ticket.url_template: must start with https:// or "
                          "http://");
        return HK_ERR_INVALID;
    }
    while((p = strchr(p, '{')) != NULL) {
        if(strncmp(p, "{branch}", 8) == 0)
            p += 8;
        else if(strncmp(p, "{day}", 5) == 0)
            p += 5;
        else if(strncmp(p, "{number}", 8) == 0)
            p += 8;
        else {
            hk_diag_set(diag,
                        "ticket.url_template: unknown placeholder at "
                        "offset %d (use {branch} {day} {number})",
                        (int)(p - t));
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static hk_err_t parse_misc(const cJSON *root, config_t *cfg, hk_diag_t *diag)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "ticket");
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(root, "timeouts");
    const cJSON *qu = cJSON_GetObjectItemCaseSensitive(root, "queue");
    hk_err_t rc = HK_OK;

    if(t) {
        if(!cJSON_IsObject(t)) {
            hk_diag_set(diag, "ticket: expected an object");
            return HK_ERR_INVALID;
        }
        rc = check_keys(t, "ticket", ticket_keys, diag);
        if(rc == HK_OK)
            rc = get_str(t, "ticket", "url_template", false, cfg->ticket_url_template,
                         sizeof(cfg->ticket_url_template), diag);
        if(rc == HK_OK)
            rc = check_url_template(cfg->ticket_url_template, diag);
        if(rc == HK_OK)
            rc = get_str(t, "ticket", "footer_zh", false, cfg->ticket_footer_zh,
                         sizeof(cfg->ticket_footer_zh), diag);
        if(rc == HK_OK)
            rc = get_str(t, "ticket", "footer_en", false, cfg->ticket_footer_en,
                         sizeof(cfg->ticket_footer_en), diag);
        if(rc != HK_OK)
            return rc;
    }
    rc = get_str(root, "", "data_dir", false, cfg->data_dir, sizeof(cfg->data_dir), diag);
    if(rc != HK_OK)
        return rc;
    if(to) {
        if(!cJSON_IsObject(to)) {
            hk_diag_set(diag, "timeouts: expected an object");
            return HK_ERR_INVALID;
        }
        rc = check_keys(to, "timeouts", timeout_keys, diag);
        if(rc == HK_OK)
            rc = get_int(to, "timeouts", "idle_s", false, 10, 3600, &cfg->idle_timeout_s, diag);
        if(rc == HK_OK)
            rc = get_int(to, "timeouts", "confirm_s", false, 3, 120, &cfg->confirm_timeout_s, diag);
        if(rc != HK_OK)
            return rc;
    }
    if(qu) {
        if(!cJSON_IsObject(qu)) {
            hk_diag_set(diag, "queue: expected an object");
            return HK_ERR_INVALID;
        }
        rc = check_keys(qu, "queue", queue_keys, diag);
        if(rc == HK_OK)
            rc = get_int(qu, "queue", "max_pass_over_s", false, 0, 86400, &cfg->max_pass_over_s,
                         diag);
        if(rc != HK_OK)
            return rc;
    }
    return HK_OK;
}

static void syntax_diag(const char *json, size_t len, const char *end, hk_diag_t *diag)
{
    size_t off, i;
    int line = 1, col = 1;

    if(!end || end < json || (size_t)(end - json) > len) {
        hk_diag_set(diag, "config: not valid JSON");
        return;
    }
    off = (size_t)(end - json);
    for(i = 0; i < off; i++) {
        if(json[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    hk_diag_set(diag, "config: not valid JSON (line %d, column %d)", line, col);
}

/* Howard Hinnant's days_from_civil inverse; proleptic Gregorian. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp, yy;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}
