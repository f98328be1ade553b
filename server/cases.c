/*
 * cases: follow-up cases (see cases.h).
 */
#include "cases.h"

#include <stdio.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"

const char *const cases_causes[] = { "staff_attitude",   /* 服务态度 */
                                     "wait_time",        /* 等候时间 */
                                     "process",          /* 业务流程 */
                                     "system_fault",     /* 系统故障 */
                                     "policy",           /* 资费政策 */
                                     "misunderstanding", /* 误解，已解释 */
                                     "other",            /* 其他 */
                                     NULL };

/* Static prototypes -------------------------------------------------------*/
static void copy(char *dst, size_t cap, const cJSON *obj, const char *key);
static bool cause_known(const char *cause);

/* Public functions --------------------------------------------------------*/

bool cases_from_event(const char *branch, const char *device, const central_event_t *e,
                      int utc_offset_min, const report_calendar_t *cal, cases_case_t *out)
{
    cJSON *body = NULL;
    bool open = false;

    if(!e || !e->body || !out)
        return false;
    if(strcmp(e->type, "visit.rated") != 0 && strcmp(e->type, "issue.submitted") != 0)
        return false;
    if(hk_json_parse(e->body, strlen(e->body), NULL, &body, NULL) != HK_OK)
        return false;
    memset(out, 0, sizeof(*out));
    if(strcmp(e->type, "visit.rated") == 0) {
        int64_t level = hk_json_int_of(body, "level", 0);
        out->kind = CASES_RATING;
        out->level = (int)level;
        open = level >= 1 && level <= 2;
    } else {
        out->kind = CASES_SUBMISSION;
        open = true;
    }
    if(open && report_deadline_ms(e->time_ms, utc_offset_min, REPORT_FOLLOW_UP_WORK_DAYS, cal,
                                  &out->deadline_ms) != HK_OK)
        open = false;
    if(open) {
        (void)snprintf(out->id, sizeof(out->id), "%s", e->uuid);
        (void)snprintf(out->branch, sizeof(out->branch), "%s", branch ? branch : "");
        (void)snprintf(out->device, sizeof(out->device), "%s", device ? device : "");
        copy(out->number, sizeof(out->number), body, "number");
        if(out->kind == CASES_SUBMISSION) /* submission (issue 8.5): its local reference */
            copy(out->number, sizeof(out->number), body, "ref");
        copy(out->day, sizeof(out->day), body, "day");
        copy(out->counter, sizeof(out->counter), body, "counter");
        copy(out->staff, sizeof(out->staff), body, "staff");
        out->opened_ms = e->time_ms;
    }
    cJSON_Delete(body);
    return open;
}

hk_err_t cases_action_decode(const char *text, size_t len, cases_action_t *out, hk_diag_t *diag)
{
    static const char *const keys[] = { "action", "owner", "reached", "cause", "note", NULL };
    static const char *const names[] = { "assign", "callback", "close", "reopen" };
    hk_json_limits_t lim = { .max_bytes = 4096, .max_depth = 2 };
    cJSON *root = NULL;
    char action[16];
    hk_err_t rc;
    int i;

    memset(out, 0, sizeof(*out));
    rc = hk_json_parse(text, len, &lim, &root, diag);
    if(rc != HK_OK)
        return rc;
    rc = cJSON_IsObject(root) ? hk_json_check_keys(root, "", keys, diag) : HK_ERR_INVALID;
    if(rc == HK_ERR_INVALID && !cJSON_IsObject(root))
        hk_diag_set(diag, "the body must be a JSON object");
    if(rc == HK_OK)
        rc = hk_json_get_text(cJSON_GetObjectItemCaseSensitive(root, "action"), "action", action,
                              sizeof(action), diag);
    if(rc == HK_OK) {
        rc = HK_ERR_INVALID;
        for(i = 0; i < 4; i++)
            if(strcmp(action, names[i]) == 0) {
                out->kind = (cases_action_kind_t)i;
                rc = HK_OK;
            }
        if(rc != HK_OK)
            hk_diag_set(diag, "action: must be assign, callback, close or reopen");
    }
#define OPT_TEXT(key, dst, required)                                                            \
    do {                                                                                        \
        const cJSON *it_ = cJSON_GetObjectItemCaseSensitive(root, key);                         \
        if(rc == HK_OK && (it_ || (required)))                                                  \
            rc = it_ ? hk_json_get_text(it_, key, dst, sizeof(dst), diag)                       \
                     : (hk_diag_set(diag, "%s: required for %s", key, action), HK_ERR_INVALID); \
    } while(0)
    if(rc == HK_OK) {
        OPT_TEXT("owner", out->owner, out->kind == CASES_ASSIGN);
        OPT_TEXT("cause", out->cause, out->kind == CASES_CLOSE);
        OPT_TEXT("note", out->note, false);
    }
#undef OPT_TEXT
    if(rc == HK_OK && out->kind == CASES_ASSIGN && !out->owner[0]) {
        hk_diag_set(diag, "owner: must not be empty");
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK && out->kind == CASES_CLOSE && !cause_known(out->cause)) {
        hk_diag_set(diag,
                    "cause: unknown \"%s\" (staff_attitude, wait_time, process, "
                    "system_fault, policy, misunderstanding, other)",
                    out->cause);
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK && out->kind == CASES_CALLBACK) {
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "reached");
        if(!it) {
            hk_diag_set(diag, "reached: required for callback");
            rc = HK_ERR_INVALID;
        } else {
            rc = hk_json_get_bool(it, "reached", &out->reached, diag);
        }
    }
    cJSON_Delete(root);
    return rc;
}

hk_err_t cases_apply(cases_case_t *c, const cases_action_t *a, int64_t now_ms, hk_diag_t *diag)
{
    if(!c || !a)
        return HK_ERR_INVALID;
    if(c->closed && a->kind != CASES_REOPEN) {
        hk_diag_set(diag, "case %s is closed: reopen it first", c->id);
        return HK_ERR_INVALID;
    }
    switch(a->kind) {
    case CASES_ASSIGN: (void)snprintf(c->owner, sizeof(c->owner), "%s", a->owner); return HK_OK;
    case CASES_CALLBACK:
        c->callback_attempts++;
        c->callback_reached = c->callback_reached || a->reached;
        c->callback_ms = now_ms;
        (void)snprintf(c->callback_note, sizeof(c->callback_note), "%s", a->note);
        return HK_OK;
    case CASES_CLOSE:
        if(!c->callback_reached && c->callback_attempts < CASES_CALLBACK_RETRIES) {
            hk_diag_set(diag,
                        "case %s: call the customer back first (%d of %d attempts made, "
                        "none reached them)",
                        c->id, c->callback_attempts, CASES_CALLBACK_RETRIES);
            return HK_ERR_INVALID;
        }
        c->closed = true;
        c->closed_ms = now_ms;
        (void)snprintf(c->cause, sizeof(c->cause), "%s", a->cause);
        (void)snprintf(c->close_note, sizeof(c->close_note), "%s", a->note);
        return HK_OK;
    case CASES_REOPEN:
        if(!c->closed) {
            hk_diag_set(diag, "case %s is open already", c->id);
            return HK_ERR_INVALID;
        }
        c->closed = false;
        c->closed_ms = 0;
        c->cause[0] = '\0';
        (void)snprintf(c->close_note, sizeof(c->close_note), "%s", a->note);
        return HK_OK;
    default: return HK_ERR_INVALID;
    }
}

void cases_to_html_case(const cases_case_t *c, report_html_case_t *out)
{
    memset(out, 0, sizeof(*out));
    (void)snprintf(out->id, sizeof(out->id), "%s", c->id);
    (void)snprintf(out->branch, sizeof(out->branch), "%s", c->branch);
    (void)snprintf(out->number, sizeof(out->number), "%s", c->number);
    out->level = c->level;
    out->opened_ms = c->opened_ms;
    out->deadline_ms = c->deadline_ms;
    (void)snprintf(out->owner, sizeof(out->owner), "%s", c->owner);
    out->callback_done = c->callback_reached;
    out->closed = c->closed;
    out->closed_ms = c->closed_ms;
    /* cause, then ": note"; the list shows the start of a long note (the
     * page mends a cut character), the case itself keeps all of it */
    {
        size_t used = strlen(c->cause), room = sizeof(out->cause) - 1;
        const char *parts[2] = { c->cause[0] && c->close_note[0] ? ": " : "", c->close_note };
        int k;

        memcpy(out->cause, c->cause, used < room ? used : room);
        used = used < room ? used : room;
        for(k = 0; k < 2; k++) {
            size_t n = strlen(parts[k]);
            n = n < room - used ? n : room - used;
            memcpy(out->cause + used, parts[k], n);
            used += n;
        }
        out->cause[used] = '\0';
    }
}

hk_err_t cases_to_json(const cases_case_t *c, char **out)
{
    cJSON *o;
    bool ok;

    if(!c || !out)
        return HK_ERR_INVALID;
    *out = NULL;
    hk_json_init();
    o = cJSON_CreateObject();
    ok = o && cJSON_AddStringToObject(o, "id", c->id) &&
         cJSON_AddStringToObject(o, "kind", c->kind == CASES_RATING ? "rating" : "submission") &&
         cJSON_AddStringToObject(o, "branch", c->branch) &&
         cJSON_AddStringToObject(o, "device", c->device) &&
         cJSON_AddStringToObject(o, "number", c->number) &&
         cJSON_AddStringToObject(o, "day", c->day) &&
         cJSON_AddStringToObject(o, "counter", c->counter) &&
         cJSON_AddStringToObject(o, "staff", c->staff) &&
         cJSON_AddNumberToObject(o, "level", c->level) &&
         cJSON_AddNumberToObject(o, "opened_ms", (double)c->opened_ms) &&
         cJSON_AddNumberToObject(o, "deadline_ms", (double)c->deadline_ms) &&
         cJSON_AddStringToObject(o, "owner", c->owner) &&
         cJSON_AddNumberToObject(o, "callback_attempts", c->callback_attempts) &&
         cJSON_AddBoolToObject(o, "callback_reached", c->callback_reached) &&
         cJSON_AddNumberToObject(o, "callback_ms", (double)c->callback_ms) &&
         cJSON_AddStringToObject(o, "callback_note", c->callback_note) &&
         cJSON_AddBoolToObject(o, "closed", c->closed) &&
         cJSON_AddNumberToObject(o, "closed_ms", (double)c->closed_ms) &&
         cJSON_AddStringToObject(o, "cause", c->cause) &&
         cJSON_AddStringToObject(o, "close_note", c->close_note);
    if(ok)
        *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *out ? HK_OK : HK_ERR_NOMEM;
}

/* Static functions --------------------------------------------------------*/

static void copy(char *dst, size_t cap, const cJSON *obj, const char *key)
{
    const char *v = hk_json_str_of(obj, key);
    (void)snprintf(dst, cap, "%s", v ? v : "");
}

static bool cause_known(const char *cause)
{
    int i;

    for(i = 0; cases_causes[i]; i++)
        if(strcmp(cases_causes[i], cause) == 0)
            return true;
    return false;
}
