/*
 * report: the day's service figures of a branch from its journal events,
 * roll-ups by merging, the JSON form, and working-day arithmetic for
 * follow-up deadlines. The definitions of every figure are in report.h's
 * design notes. It does not read the store, a clock or any config: the
 * caller hands it events, names and the branch's UTC offset.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"
#include "hk_time.h"

#define NUMBER_LEN 16
#define MS_PER_S   INT64_C(1000)

typedef enum visit_end { END_OPEN = 0, END_SERVED, END_NO_SHOW, END_CANCELLED } visit_end_t;

/* One visit while the branch's events are replayed (see report.h). */
typedef struct visit {
    char number[NUMBER_LEN]; /* "" = free hash slot */
    bool seen_ticket;        /* any ticket.* event */
    bool offline;
    bool transferred;
    bool rated;     /* a visit.rated counted */
    bool not_rated; /* a visit.not_rated counted */
    int64_t issued_ms;
    int64_t est_wait_s;    /* -1 = no quote */
    int64_t first_call_ms; /* 0 = never called */
    int64_t last_call_ms;
    int64_t start_ms;   /* ticket.started after the last call; 0 none */
    int64_t service_ms; /* finished - start; -1 none or not usable */
    visit_end_t end;
} visit_t;

typedef struct visit_map {
    visit_t *slots;
    size_t cap; /* power of two */
} visit_map_t;

const int report_band_from_min[REPORT_BANDS] = { 0, 5, 10, 20, 30 };

static const char *const scope_names[REPORT_SCOPE_COUNT] = {
    [REPORT_SCOPE_BRANCH] = "branch",
    [REPORT_SCOPE_CITY] = "city",
    [REPORT_SCOPE_PROVINCE] = "province",
    [REPORT_SCOPE_HEAD_OFFICE] = "head_office",
};

static void copy_text(char *dst, size_t cap, const char *src);
static int cmp_event(const void *a, const void *b);
static int cmp_i64(const void *a, const void *b);
static int cmp_staff(const void *a, const void *b);
static visit_t *visit_get(visit_map_t *m, const char *number);
static hk_err_t replay(report_t *r, const report_event_t *e, visit_map_t *m);
static hk_err_t staff_add(report_t *r, const char *branch, const char *id, report_staff_t **out);
static void dist_add(report_dist_t *d, int64_t ms);
static void dist_p90_from_hist(report_dist_t *d);
static hk_err_t finish_visits(report_t *r, const visit_map_t *m, int utc_offset_min);
static void unit_of(const report_t *r, report_unit_t *u);
static hk_err_t merge_staff(report_t *into, const report_t *from);
static bool valid_day(const char *day, int64_t *days_out);
static hk_err_t calendar_check(const report_calendar_t *cal);
static bool in_list(const char *day, const char *const *list, int n);

/* Public functions --------------------------------------------------------*/

void report_init(report_t *r)
{
    if(r)
        memset(r, 0, sizeof(*r));
    if(r) {
        r->wait.p90_ms = -1;
        r->service.p90_ms = -1;
    }
}

void report_fini(report_t *r)
{
    if(!r)
        return;
    hk_free(r->staff);
    hk_free(r->units);
    report_init(r);
}

const char *report_scope_str(report_scope_t scope)
{
    if((int)scope < 0 || scope >= REPORT_SCOPE_COUNT)
        return "unknown";
    return scope_names[scope];
}

double report_dist_mean_s(const report_dist_t *d)
{
    if(!d || d->n <= 0)
        return -1.0;
    return (double)d->sum_ms / (double)d->n / 1000.0;
}

double report_ratio(int64_t num, int64_t den)
{
    if(den <= 0)
        return -1.0;
    return (double)num / (double)den;
}

hk_err_t report_compute(const report_event_t *ev, size_t n, const report_params_t *p, report_t *out,
                        hk_diag_t *diag)
{
    const report_event_t **order = NULL;
    visit_map_t map = { NULL, 0 };
    size_t i, cnt = 0;
    report_t r;
    hk_err_t rc = HK_OK;

    report_init(&r);
    if(out)
        report_init(out);
    if(!p || !out || (n > 0 && !ev)) {
        hk_diag_set(diag, "report: missing argument");
        return HK_ERR_INVALID;
    }
    if(!p->branch || !p->branch[0] || strlen(p->branch) >= REPORT_ID_LEN) {
        hk_diag_set(diag, "branch: must be 1..%d characters", REPORT_ID_LEN - 1);
        return HK_ERR_INVALID;
    }
    if(!valid_day(p->day, NULL)) {
        hk_diag_set(diag, "day: must be a date YYYY-MM-DD");
        return HK_ERR_INVALID;
    }
    if(p->utc_offset_min < -720 || p->utc_offset_min > 840) {
        hk_diag_set(diag, "utc_offset_min: must be -720..840");
        return HK_ERR_INVALID;
    }
    if(n > REPORT_MAX_EVENTS) {
        hk_diag_set(diag, "events: %zu is over the %d event limit", n, REPORT_MAX_EVENTS);
        return HK_ERR_INVALID;
    }
    hk_json_init();

    r.scope = REPORT_SCOPE_BRANCH;
    r.branches = 1;
    copy_text(r.id, sizeof(r.id), p->branch);
    copy_text(r.day, sizeof(r.day), p->day);
    copy_text(r.name_zh, sizeof(r.name_zh), p->name_zh);
    copy_text(r.name_en, sizeof(r.name_en), p->name_en);

    if(n > 0) {
        order = hk_malloc(n * sizeof(*order));
        if(!order) {
            rc = HK_ERR_NOMEM;
            goto out;
        }
    }
    for(i = 0; i < n; i++) {
        if(ev[i].branch && ev[i].type && strcmp(ev[i].branch, p->branch) == 0)
            order[cnt++] = &ev[i];
    }
    if(cnt > 0)
        qsort(order, cnt, sizeof(*order), cmp_event);
    /* at most one visit per event: a load factor of 1/2 or less */
    map.cap = 16;
    while(map.cap < 2 * cnt)
        map.cap *= 2;
    map.slots = hk_calloc(map.cap, sizeof(*map.slots));
    if(!map.slots) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    for(i = 0; i < cnt && rc == HK_OK; i++)
        rc = replay(&r, order[i], &map);
    if(rc == HK_OK)
        rc = finish_visits(&r, &map, p->utc_offset_min);
    if(rc == HK_OK && r.n_staff > 1)
        qsort(r.staff, (size_t)r.n_staff, sizeof(*r.staff), cmp_staff);
out:
    hk_free(order);
    hk_free(map.slots);
    if(rc != HK_OK) {
        report_fini(&r);
        return rc;
    }
    *out = r;
    return HK_OK;
}

void report_rollup_init(report_t *r, report_scope_t scope, const char *id, const char *name_zh,
                        const char *name_en, const char *day)
{
    report_init(r);
    r->scope = scope;
    copy_text(r->id, sizeof(r->id), id);
    copy_text(r->name_zh, sizeof(r->name_zh), name_zh);
    copy_text(r->name_en, sizeof(r->name_en), name_en);
    copy_text(r->day, sizeof(r->day), day);
}

hk_err_t report_merge(report_t *into, const report_t *from, hk_diag_t *diag)
{
    report_unit_t *units;
    report_dist_t *dd;
    const report_dist_t *sd;
    int i, k;
    hk_err_t rc;

    if(!into || !from)
        return HK_ERR_INVALID;
    if(from->scope >= into->scope) {
        hk_diag_set(diag, "%s %s: a %s cannot be merged into a %s", report_scope_str(from->scope),
                    from->id, report_scope_str(from->scope), report_scope_str(into->scope));
        return HK_ERR_INVALID;
    }
    if(strcmp(into->day, from->day) != 0) {
        hk_diag_set(diag, "%s %s: day %s is not the roll-up's %s", report_scope_str(from->scope),
                    from->id, from->day, into->day);
        return HK_ERR_INVALID;
    }
    /* the two allocations first, so a failure leaves into as it was */
    units = hk_realloc(into->units, (size_t)(into->n_units + 1) * sizeof(*units));
    if(!units)
        return HK_ERR_NOMEM;
    into->units = units;
    rc = merge_staff(into, from);
    if(rc != HK_OK)
        return rc;
    unit_of(from, &into->units[into->n_units++]);

    into->branches += from->branches;
    into->issued += from->issued;
    into->issued_offline += from->issued_offline;
    into->called += from->called;
    into->served += from->served;
    into->no_show += from->no_show;
    into->cancelled += from->cancelled;
    into->transferred += from->transferred;
    into->open += from->open;
    for(k = 0; k < 2; k++) {
        dd = k == 0 ? &into->wait : &into->service;
        sd = k == 0 ? &from->wait : &from->service;
        dd->n += sd->n;
        dd->sum_ms += sd->sum_ms;
        for(i = 0; i < REPORT_BANDS; i++)
            dd->bands[i] += sd->bands[i];
        for(i = 0; i <= REPORT_HIST_BINS; i++)
            dd->hist[i] += sd->hist[i];
        dist_p90_from_hist(dd);
    }
    into->rated += from->rated;
    into->not_rated += from->not_rated;
    for(i = 0; i < REPORT_LEVELS; i++)
        into->levels[i] += from->levels[i];
    into->satisfied += from->satisfied;
    into->dissatisfied += from->dissatisfied;
    into->est_n += from->est_n;
    into->est_abs_err_sum_ms += from->est_abs_err_sum_ms;
    into->est_err_sum_ms += from->est_err_sum_ms;
    for(i = 0; i < 24; i++) {
        into->arrivals[i] += from->arrivals[i];
        into->wait_hour_n[i] += from->wait_hour_n[i];
        into->wait_hour_sum_ms[i] += from->wait_hour_sum_ms[i];
    }
    into->events_used += from->events_used;
    into->events_other_day += from->events_other_day;
    into->events_bad += from->events_bad;
    return HK_OK;
}

/*
 * The JSON form (keys are stable: add, never rename). Durations are
 * seconds (one decimal), rates fractions 0..1 (null when the denominator
 * is 0), counts integers:
 * {"scope":"branch","id":"b001","name_zh":"…","name_en":"…","day":"2026-11-26",
 *  "branches":1,
 *  "tickets":{"issued","issued_offline","called","served","no_show","cancelled",
 *             "transferred","open","no_show_rate"},
 *  "wait":{"n","mean_s","p90_s","p90_method":"exact"|"histogram_30s",
 *          "bands":[{"from_min":0,"to_min":5,"count":N}, … {"from_min":30,"to_min":null,…}]},
 *  "service":{…as wait…},
 *  "satisfaction":{"rated","not_rated","satisfied","dissatisfied","rate","participation",
 *                  "levels":[n1,n2,n3,n4,n5]},
 *  "estimate":{"n","mae_s","bias_s"},
 *  "arrivals_by_hour":[24 counts, local hours 0..23],
 *  "wait_by_hour_mean_s":[24 means of the called visits by hour of issue, or null],
 *  "staff":[{"branch","id","name","served","service_mean_s","rated","satisfied",
 *            "dissatisfied","rate"}],
 *  "units":[{"scope","id","name_zh","name_en","branches","issued","called","served","no_show",
 *            "wait_mean_s","wait_p90_s","p90_method","rated","satisfied","dissatisfied",
 *            "satisfaction_rate"}],
 *  "events":{"used","other_day","bad"}}
 */
static bool add_num(cJSON *o, const char *key, int64_t v);
static bool add_secs(cJSON *o, const char *key, double s);
static bool add_rate(cJSON *o, const char *key, double v);
static cJSON *dist_json(const report_dist_t *d);

hk_err_t report_to_json(const report_t *r, char **out, size_t *len_out)
{
    cJSON *root, *o, *a, *it;
    char *s = NULL;
    bool ok;
    int i;

    if(!r || !out)
        return HK_ERR_INVALID;
    *out = NULL;
    hk_json_init();
    root = cJSON_CreateObject();
    ok = root && cJSON_AddStringToObject(root, "scope", report_scope_str(r->scope)) &&
         cJSON_AddStringToObject(root, "id", r->id) &&
         cJSON_AddStringToObject(root, "name_zh", r->name_zh) &&
         cJSON_AddStringToObject(root, "name_en", r->name_en) &&
         cJSON_AddStringToObject(root, "day", r->day) && add_num(root, "branches", r->branches);

    o = ok ? cJSON_AddObjectToObject(root, "tickets") : NULL;
    ok = o && add_num(o, "issued", r->issued) && add_num(o, "issued_offline", r->issued_offline) &&
         add_num(o, "called", r->called) && add_num(o, "served", r->served) &&
         add_num(o, "no_show", r->no_show) && add_num(o, "cancelled", r->cancelled) &&
         add_num(o, "transferred", r->transferred) && add_num(o, "open", r->open) &&
         add_rate(o, "no_show_rate", report_ratio(r->no_show, r->called));

    if(ok) {
        it = dist_json(&r->wait);
        ok = it && cJSON_AddItemToObject(root, "wait", it);
        if(it && !ok)
            cJSON_Delete(it);
    }
    if(ok) {
        it = dist_json(&r->service);
        ok = it && cJSON_AddItemToObject(root, "service", it);
        if(it && !ok)
            cJSON_Delete(it);
    }

    o = ok ? cJSON_AddObjectToObject(root, "satisfaction") : NULL;
    ok = o && add_num(o, "rated", r->rated) && add_num(o, "not_rated", r->not_rated) &&
         add_num(o, "satisfied", r->satisfied) && add_num(o, "dissatisfied", r->dissatisfied) &&
         add_rate(o, "rate", report_ratio(r->satisfied, r->rated)) &&
         add_rate(o, "participation", report_ratio(r->rated, r->served));
    a = ok ? cJSON_AddArrayToObject(o, "levels") : NULL;
    ok = a != NULL;
    for(i = 1; ok && i < REPORT_LEVELS; i++)
        ok = cJSON_AddItemToArray(a, cJSON_CreateNumber((double)r->levels[i]));

    o = ok ? cJSON_AddObjectToObject(root, "estimate") : NULL;
    ok = o && add_num(o, "n", r->est_n) &&
         add_secs(o, "mae_s",
                  r->est_n ? (double)r->est_abs_err_sum_ms / (double)r->est_n / 1000.0 : -1.0) &&
         add_secs(o, "bias_s",
                  r->est_n ? (double)r->est_err_sum_ms / (double)r->est_n / 1000.0 : -1.0);

    a = ok ? cJSON_AddArrayToObject(root, "arrivals_by_hour") : NULL;
    ok = a != NULL;
    for(i = 0; ok && i < 24; i++)
        ok = cJSON_AddItemToArray(a, cJSON_CreateNumber((double)r->arrivals[i]));

    a = ok ? cJSON_AddArrayToObject(root, "wait_by_hour_mean_s") : NULL;
    ok = a != NULL;
    for(i = 0; ok && i < 24; i++) {
        it = r->wait_hour_n[i] > 0 ? cJSON_CreateNumber(round((double)r->wait_hour_sum_ms[i] /
                                                              (double)r->wait_hour_n[i] / 100.0) /
                                                        10.0)
                                   : cJSON_CreateNull();
        ok = cJSON_AddItemToArray(a, it);
    }

    a = ok ? cJSON_AddArrayToObject(root, "staff") : NULL;
    ok = a != NULL;
    for(i = 0; ok && i < r->n_staff; i++) {
        const report_staff_t *st = &r->staff[i];
        it = cJSON_CreateObject();
        ok = it && cJSON_AddItemToArray(a, it);
        if(it && !ok)
            cJSON_Delete(it);
        ok = ok && cJSON_AddStringToObject(it, "branch", st->branch) &&
             cJSON_AddStringToObject(it, "id", st->id) &&
             cJSON_AddStringToObject(it, "name", st->name) && add_num(it, "served", st->served) &&
             add_secs(it, "service_mean_s",
                      st->service_n ? (double)st->service_sum_ms / (double)st->service_n / 1000.0
                                    : -1.0) &&
             add_num(it, "rated", st->rated) && add_num(it, "satisfied", st->satisfied) &&
             add_num(it, "dissatisfied", st->dissatisfied) &&
             add_rate(it, "rate", report_ratio(st->satisfied, st->rated));
    }

    a = ok ? cJSON_AddArrayToObject(root, "units") : NULL;
    ok = a != NULL;
    for(i = 0; ok && i < r->n_units; i++) {
        const report_unit_t *u = &r->units[i];
        it = cJSON_CreateObject();
        ok = it && cJSON_AddItemToArray(a, it);
        if(it && !ok)
            cJSON_Delete(it);
        ok = ok && cJSON_AddStringToObject(it, "scope", report_scope_str(u->scope)) &&
             cJSON_AddStringToObject(it, "id", u->id) &&
             cJSON_AddStringToObject(it, "name_zh", u->name_zh) &&
             cJSON_AddStringToObject(it, "name_en", u->name_en) &&
             add_num(it, "branches", u->branches) && add_num(it, "issued", u->issued) &&
             add_num(it, "called", u->called) && add_num(it, "served", u->served) &&
             add_num(it, "no_show", u->no_show) &&
             add_secs(it, "wait_mean_s",
                      u->wait_n ? (double)u->wait_sum_ms / (double)u->wait_n / 1000.0 : -1.0) &&
             add_secs(it, "wait_p90_s",
                      u->wait_p90_ms >= 0 ? (double)u->wait_p90_ms / 1000.0 : -1.0) &&
             cJSON_AddStringToObject(it, "p90_method",
                                     u->wait_p90_exact ? "exact" : "histogram_30s") &&
             add_num(it, "rated", u->rated) && add_num(it, "satisfied", u->satisfied) &&
             add_num(it, "dissatisfied", u->dissatisfied) &&
             add_rate(it, "satisfaction_rate", report_ratio(u->satisfied, u->rated));
    }

    o = ok ? cJSON_AddObjectToObject(root, "events") : NULL;
    ok = o && add_num(o, "used", r->events_used) && add_num(o, "other_day", r->events_other_day) &&
         add_num(o, "bad", r->events_bad);

    if(ok)
        s = cJSON_PrintUnformatted(root); /* through hk_malloc (hk_json_init) */
    cJSON_Delete(root);
    if(!s)
        return HK_ERR_NOMEM;
    *out = s;
    if(len_out)
        *len_out = strlen(s);
    return HK_OK;
}

bool report_is_working_day(const char *day, const report_calendar_t *cal)
{
    int64_t days;
    int wd;

    if(!valid_day(day, &days))
        return false;
    if(cal && in_list(day, cal->workdays, cal->n_workdays))
        return true;
    if(cal && in_list(day, cal->holidays, cal->n_holidays))
        return false;
    wd = hk_time_weekday(days);
    return wd != 0 && wd != 6;
}

hk_err_t report_add_working_days(const char *day, int n, const report_calendar_t *cal,
                                 char out[REPORT_DAY_LEN])
{
    hk_time_date_t date;
    char cur[REPORT_DAY_LEN];
    int64_t days;
    int left = n, steps = 0;

    if(!out || !valid_day(day, &days) || n < 0 || n > REPORT_MAX_WORK_DAYS)
        return HK_ERR_INVALID;
    if(calendar_check(cal) != HK_OK)
        return HK_ERR_INVALID;
    copy_text(cur, sizeof(cur), day);
    while(left > 0) {
        /* a calendar that lists every day as a holiday must not spin */
        if(++steps > 4 * REPORT_MAX_WORK_DAYS)
            return HK_ERR_INVALID;
        days++;
        hk_time_civil_from_days(days, &date);
        hk_time_format_day(&date, cur);
        if(report_is_working_day(cur, cal))
            left--;
    }
    memcpy(out, cur, REPORT_DAY_LEN);
    return HK_OK;
}

hk_err_t report_deadline_ms(int64_t opened_ms, int utc_offset_min, int n,
                            const report_calendar_t *cal, int64_t *deadline_ms_out)
{
    char day[REPORT_DAY_LEN], end[REPORT_DAY_LEN];
    hk_time_date_t date;
    hk_err_t rc;

    if(!deadline_ms_out || utc_offset_min < -720 || utc_offset_min > 840)
        return HK_ERR_INVALID;
    hk_time_business_day(opened_ms, utc_offset_min, day);
    rc = report_add_working_days(day, n, cal, end);
    if(rc != HK_OK)
        return rc;
    rc = hk_time_parse_day(end, &date);
    if(rc != HK_OK)
        return rc;
    /* the last millisecond of that local day */
    *deadline_ms_out = hk_time_wall_at(&date, 0, utc_offset_min) + HK_TIME_MS_PER_DAY - 1;
    return HK_OK;
}

/* Static functions --------------------------------------------------------*/

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t len;

    if(!src) {
        dst[0] = '\0';
        return;
    }
    len = strlen(src);
    if(len >= cap) {
        /* cut at a UTF-8 character boundary */
        len = cap - 1;
        while(len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static int cmp_event(const void *a, const void *b)
{
    const report_event_t *x = *(const report_event_t *const *)a;
    const report_event_t *y = *(const report_event_t *const *)b;
    int c;

    if(x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    c = strcmp(x->device ? x->device : "", y->device ? y->device : "");
    if(c != 0)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static int cmp_staff(const void *a, const void *b)
{
    const report_staff_t *x = a, *y = b;
    int c = strcmp(x->branch, y->branch);

    return c != 0 ? c : strcmp(x->id, y->id);
}

/* FNV-1a over the number; linear probing. NULL only when the map is full,
 * which the sizing in report_compute rules out. */
static visit_t *visit_get(visit_map_t *m, const char *number)
{
    uint32_t h = 2166136261u;
    size_t i, k;

    for(k = 0; number[k]; k++)
        h = (h ^ (unsigned char)number[k]) * 16777619u;
    for(k = 0, i = h & (m->cap - 1); k < m->cap; k++, i = (i + 1) & (m->cap - 1)) {
        visit_t *v = &m->slots[i];
        if(!v->number[0]) {
            copy_text(v->number, sizeof(v->number), number);
            v->est_wait_s = -1;
            v->service_ms = -1;
            return v;
        }
        if(strcmp(v->number, number) == 0)
            return v;
    }
    return NULL;
}

static const char *obj_str(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* A whole number within +-2^53 (what a double holds exactly). */
static bool obj_int(const cJSON *o, const char *key, int64_t *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    double d;

    if(!cJSON_IsNumber(it))
        return false;
    d = it->valuedouble;
    if(!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || d != floor(d))
        return false;
    *out = (int64_t)d;
    return true;
}

static bool obj_true(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* Apply one event of the branch to its visit. */
static hk_err_t replay(report_t *r, const report_event_t *e, visit_map_t *m)
{
    cJSON *o = NULL;
    const char *day, *number, *staff;
    report_staff_t *st = NULL;
    bool ticket = strncmp(e->type, "ticket.", 7) == 0;
    bool rating = strcmp(e->type, "visit.rated") == 0 || strcmp(e->type, "visit.not_rated") == 0;
    int64_t issued_ms = 0, v64 = 0, level = 0;
    visit_t *v;
    hk_err_t rc = HK_OK;

    if(!ticket && !rating)
        return HK_OK; /* counter.*, device.fault, types newer than this build */
    rc = e->body ? hk_json_parse(e->body, strlen(e->body), NULL, &o, NULL) : HK_ERR_INVALID;
    if(rc == HK_ERR_NOMEM)
        return rc; /* not the event's fault: the figures would be wrong */
    if(rc != HK_OK) {
        r->events_bad++;
        return HK_OK;
    }
    day = obj_str(o, "day");
    number = obj_str(o, "number");
    if(!cJSON_IsObject(o) || !day || !number || !number[0] || strlen(number) >= NUMBER_LEN) {
        r->events_bad++;
        goto out;
    }
    if(strcmp(day, r->day) != 0) {
        r->events_other_day++;
        goto out;
    }
    v = visit_get(m, number);
    if(HK_NEVER(!v)) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    if(ticket && (!obj_int(o, "issued_ms", &issued_ms) || issued_ms <= 0)) {
        r->events_bad++;
        goto out;
    }
    if(strcmp(e->type, "visit.rated") == 0 &&
       (!obj_int(o, "level", &level) || level < 1 || level >= REPORT_LEVELS)) {
        r->events_bad++;
        goto out;
    }
    if(ticket) {
        if(!v->seen_ticket || issued_ms < v->issued_ms)
            v->issued_ms = issued_ms;
        v->seen_ticket = true;
    }
    r->events_used++;
    if(strcmp(e->type, "ticket.issued") == 0) {
        /* a quote over a day is not one (and would overflow the sums) */
        if(obj_int(o, "est_wait_s", &v64) && v64 >= 0 && v64 <= REPORT_MAX_WAIT_S)
            v->est_wait_s = v64;
        if(obj_true(o, "offline"))
            v->offline = true;
    } else if(strcmp(e->type, "ticket.called") == 0) {
        if(!v->first_call_ms)
            v->first_call_ms = e->time_ms > 0 ? e->time_ms : 1;
        v->last_call_ms = e->time_ms;
        v->start_ms = 0;
    } else if(strcmp(e->type, "ticket.started") == 0) {
        v->start_ms = e->time_ms;
    } else if(strcmp(e->type, "ticket.transferred") == 0) {
        v->transferred = true;
        v->start_ms = 0;
        v->last_call_ms = 0;
    } else if(strcmp(e->type, "ticket.no_show") == 0) {
        if(!obj_true(o, "put_back") && v->end == END_OPEN)
            v->end = END_NO_SHOW;
    } else if(strcmp(e->type, "ticket.cancelled") == 0) {
        if(v->end == END_OPEN)
            v->end = END_CANCELLED;
    } else if(strcmp(e->type, "ticket.finished") == 0 && v->end == END_OPEN) {
        int64_t begin = v->start_ms ? v->start_ms : v->last_call_ms;

        v->end = END_SERVED;
        staff = obj_str(o, "staff");
        rc = staff_add(r, r->id, staff ? staff : "", &st);
        if(rc != HK_OK)
            goto out;
        st->served++;
        if(begin > 0 && e->time_ms >= begin &&
           e->time_ms - begin <= (int64_t)REPORT_MAX_SERVICE_S * MS_PER_S) {
            v->service_ms = e->time_ms - begin;
            st->service_n++;
            st->service_sum_ms += v->service_ms;
        }
    } else if(strcmp(e->type, "visit.rated") == 0) {
        if(v->rated)
            goto out; /* once per visit: a second vote is not counted */
        v->rated = true;
        staff = obj_str(o, "staff");
        rc = staff_add(r, r->id, staff ? staff : "", &st);
        if(rc != HK_OK)
            goto out;
        r->rated++;
        r->levels[level]++;
        st->rated++;
        if(level >= REPORT_SATISFIED_MIN) {
            r->satisfied++;
            st->satisfied++;
        } else {
            r->dissatisfied++;
            st->dissatisfied++;
        }
    } else if(strcmp(e->type, "visit.not_rated") == 0) {
        if(!v->not_rated && !v->rated)
            r->not_rated++;
        v->not_rated = true;
    }
out:
    cJSON_Delete(o);
    return rc;
}

static hk_err_t staff_add(report_t *r, const char *branch, const char *id, report_staff_t **out)
{
    char key[REPORT_STAFF_ID_LEN];
    report_staff_t *arr;
    int i;

    /* compare as stored: an id too long is cut, and the cut one is the key */
    copy_text(key, sizeof(key), id);
    for(i = 0; i < r->n_staff; i++) {
        if(strcmp(r->staff[i].id, key) == 0 && strcmp(r->staff[i].branch, branch) == 0) {
            *out = &r->staff[i];
            return HK_OK;
        }
    }
    arr = hk_realloc(r->staff, (size_t)(r->n_staff + 1) * sizeof(*arr));
    if(!arr)
        return HK_ERR_NOMEM;
    r->staff = arr;
    memset(&arr[r->n_staff], 0, sizeof(*arr));
    copy_text(arr[r->n_staff].branch, sizeof(arr->branch), branch);
    memcpy(arr[r->n_staff].id, key, sizeof(key));
    *out = &arr[r->n_staff++];
    return HK_OK;
}

static void dist_add(report_dist_t *d, int64_t ms)
{
    int64_t bin, min;
    int b = REPORT_BANDS - 1;

    if(ms < 0)
        ms = 0;
    bin = ms / (REPORT_HIST_BIN_S * MS_PER_S);
    min = ms / (60 * MS_PER_S);
    while(b > 0 && min < report_band_from_min[b])
        b--;
    d->bands[b]++;
    d->hist[bin > REPORT_HIST_BINS ? REPORT_HIST_BINS : bin]++;
    d->n++;
    d->sum_ms += ms;
}

/* The upper edge of the 30 s bin holding the nearest rank ceil(0.9 n). */
static void dist_p90_from_hist(report_dist_t *d)
{
    int64_t rank = (d->n * 9 + 9) / 10, seen = 0;
    int i;

    d->p90_exact = false;
    d->p90_ms = -1;
    if(d->n <= 0)
        return;
    for(i = 0; i <= REPORT_HIST_BINS; i++) {
        seen += d->hist[i];
        if(seen >= rank)
            break;
    }
    d->p90_ms = i >= REPORT_HIST_BINS ? (int64_t)REPORT_HIST_MAX_S * MS_PER_S
                                      : (int64_t)(i + 1) * REPORT_HIST_BIN_S * MS_PER_S;
}

/* Nearest rank ceil(0.9 n) over the samples (sorted here). */
static void p90_exact(report_dist_t *d, int64_t *samples, size_t n)
{
    d->p90_exact = true;
    d->p90_ms = -1;
    if(n == 0)
        return;
    qsort(samples, n, sizeof(*samples), cmp_i64);
    d->p90_ms = samples[(n * 9 + 9) / 10 - 1];
}

/* The per-visit figures once every event is in: counts, waits (exact p90
 * over the samples), estimate error, arrivals. */
static hk_err_t finish_visits(report_t *r, const visit_map_t *m, int utc_offset_min)
{
    int64_t *waits, *services;
    size_t i, nw = 0, ns = 0;

    /* one allocation, two halves: waits, then service times */
    waits = hk_malloc(2 * m->cap * sizeof(*waits));
    if(!waits)
        return HK_ERR_NOMEM;
    services = waits + m->cap;
    for(i = 0; i < m->cap; i++) {
        const visit_t *v = &m->slots[i];
        int64_t wait;
        int hour;

        if(!v->number[0] || !v->seen_ticket)
            continue; /* a rating alone: its visit's tickets are not here */
        hour = hk_time_minute_of_day(v->issued_ms, utc_offset_min) / 60;
        r->issued++;
        r->issued_offline += v->offline;
        r->transferred += v->transferred;
        r->arrivals[hour]++;
        switch(v->end) {
        case END_OPEN: r->open++; break;
        case END_SERVED: r->served++; break;
        case END_NO_SHOW: r->no_show++; break;
        case END_CANCELLED: r->cancelled++; break;
        }
        if(v->service_ms >= 0) {
            dist_add(&r->service, v->service_ms);
            services[ns++] = v->service_ms;
        }
        if(!v->first_call_ms)
            continue;
        r->called++;
        wait = v->first_call_ms - v->issued_ms;
        if(wait < 0)
            wait = 0; /* an offline kiosk's clock ahead of the hub's */
        if(wait > (int64_t)REPORT_MAX_WAIT_S * MS_PER_S) {
            r->events_bad++; /* a clock gone wrong, not a wait: no sample */
            continue;
        }
        dist_add(&r->wait, wait);
        waits[nw++] = wait;
        r->wait_hour_n[hour]++;
        r->wait_hour_sum_ms[hour] += wait;
        if(v->est_wait_s >= 0) {
            int64_t err = wait - v->est_wait_s * MS_PER_S;
            r->est_n++;
            r->est_err_sum_ms += err;
            r->est_abs_err_sum_ms += err < 0 ? -err : err;
        }
    }
    p90_exact(&r->wait, waits, nw);
    p90_exact(&r->service, services, ns);
    hk_free(waits);
    return HK_OK;
}

static void unit_of(const report_t *r, report_unit_t *u)
{
    memset(u, 0, sizeof(*u));
    u->scope = r->scope;
    memcpy(u->id, r->id, sizeof(u->id));
    memcpy(u->name_zh, r->name_zh, sizeof(u->name_zh));
    memcpy(u->name_en, r->name_en, sizeof(u->name_en));
    u->branches = r->branches;
    u->issued = r->issued;
    u->called = r->called;
    u->served = r->served;
    u->no_show = r->no_show;
    u->wait_n = r->wait.n;
    u->wait_sum_ms = r->wait.sum_ms;
    u->wait_p90_ms = r->wait.p90_ms;
    u->wait_p90_exact = r->wait.p90_exact;
    u->rated = r->rated;
    u->satisfied = r->satisfied;
    u->dissatisfied = r->dissatisfied;
}

/* Merge two (branch, id)-sorted staff lists into a new sorted one: linear,
 * so a head-office roll-up of 200,000 staff stays cheap. */
static hk_err_t merge_staff(report_t *into, const report_t *from)
{
    report_staff_t *out;
    int i = 0, j = 0, k = 0;

    if(from->n_staff == 0)
        return HK_OK;
    out = hk_malloc((size_t)(into->n_staff + from->n_staff) * sizeof(*out));
    if(!out)
        return HK_ERR_NOMEM;
    while(i < into->n_staff || j < from->n_staff) {
        int c = i >= into->n_staff   ? 1
                : j >= from->n_staff ? -1
                                     : cmp_staff(&into->staff[i], &from->staff[j]);
        if(c < 0) {
            out[k++] = into->staff[i++];
        } else if(c > 0) {
            out[k++] = from->staff[j++];
        } else {
            const report_staff_t *s = &from->staff[j++];
            out[k] = into->staff[i++];
            if(!out[k].name[0])
                memcpy(out[k].name, s->name, sizeof(out[k].name));
            out[k].served += s->served;
            out[k].service_n += s->service_n;
            out[k].service_sum_ms += s->service_sum_ms;
            out[k].rated += s->rated;
            out[k].satisfied += s->satisfied;
            out[k].dissatisfied += s->dissatisfied;
            k++;
        }
    }
    hk_free(into->staff);
    into->staff = out;
    into->n_staff = k;
    return HK_OK;
}

static bool valid_day(const char *day, int64_t *days_out)
{
    hk_time_date_t date;

    if(!day || hk_time_parse_day(day, &date) != HK_OK)
        return false;
    if(days_out)
        *days_out = hk_time_days_from_civil(&date);
    return true;
}

static hk_err_t calendar_check(const report_calendar_t *cal)
{
    int i;

    if(!cal)
        return HK_OK;
    if(cal->n_holidays < 0 || cal->n_workdays < 0 || (cal->n_holidays > 0 && !cal->holidays) ||
       (cal->n_workdays > 0 && !cal->workdays))
        return HK_ERR_INVALID;
    for(i = 0; i < cal->n_holidays; i++) {
        if(!valid_day(cal->holidays[i], NULL))
            return HK_ERR_INVALID;
    }
    for(i = 0; i < cal->n_workdays; i++) {
        if(!valid_day(cal->workdays[i], NULL))
            return HK_ERR_INVALID;
    }
    return HK_OK;
}

static bool in_list(const char *day, const char *const *list, int n)
{
    int i;

    for(i = 0; list && i < n; i++) {
        if(list[i] && strcmp(list[i], day) == 0)
            return true;
    }
    return false;
}

static bool add_num(cJSON *o, const char *key, int64_t v)
{
    return cJSON_AddNumberToObject(o, key, (double)v) != NULL;
}

/* Seconds with one decimal; negative = undefined -> null. */
static bool add_secs(cJSON *o, const char *key, double s)
{
    if(s < 0)
        return cJSON_AddNullToObject(o, key) != NULL;
    return cJSON_AddNumberToObject(o, key, round(s * 10.0) / 10.0) != NULL;
}

/* A fraction with four decimals; negative = undefined -> null. */
static bool add_rate(cJSON *o, const char *key, double v)
{
    if(v < 0)
        return cJSON_AddNullToObject(o, key) != NULL;
    return cJSON_AddNumberToObject(o, key, round(v * 10000.0) / 10000.0) != NULL;
}

static cJSON *dist_json(const report_dist_t *d)
{
    cJSON *o = cJSON_CreateObject(), *a, *b;
    bool ok;
    int i;

    ok = o && add_num(o, "n", d->n) && add_secs(o, "mean_s", report_dist_mean_s(d)) &&
         add_secs(o, "p90_s", d->p90_ms >= 0 ? (double)d->p90_ms / 1000.0 : -1.0) &&
         cJSON_AddStringToObject(o, "p90_method", d->p90_exact ? "exact" : "histogram_30s");
    a = ok ? cJSON_AddArrayToObject(o, "bands") : NULL;
    ok = a != NULL;
    for(i = 0; ok && i < REPORT_BANDS; i++) {
        b = cJSON_CreateObject();
        ok = b && cJSON_AddItemToArray(a, b);
        if(b && !ok)
            cJSON_Delete(b);
        ok = ok && add_num(b, "from_min", report_band_from_min[i]) &&
             (i + 1 < REPORT_BANDS ? add_num(b, "to_min", report_band_from_min[i + 1])
                                   : cJSON_AddNullToObject(b, "to_min") != NULL) &&
             add_num(b, "count", d->bands[i]);
    }
    if(!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
