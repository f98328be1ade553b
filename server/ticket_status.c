/*
 * ticket_status: the public status page's answer (see ticket_status.h).
 * One pass over the day's events keeps the latest state of every number;
 * a second look at the service's waiting list gives the position.
 */
#include "ticket_status.h"

#include <stdio.h>
#include <string.h>

#include "hk_buf.h"
#include "hk_json.h"
#include "hk_mem.h"
#include "hk_time.h"

#define MAX_GAPS 10

typedef struct slot {
    char number[8];
    char service[CENTRAL_ID_LEN];
    char counter[CENTRAL_ID_LEN];
    ticket_status_state_t state;
    int64_t issued_ms;
    int est_wait_s; /* quoted at issue; -1 none */
} slot_t;

typedef struct replay {
    slot_t *slots;
    int n, cap;
    /* per service of the asked ticket: the times of its calls today */
    int64_t calls[MAX_GAPS + 1];
    int n_calls;
} replay_t;

/* Static prototypes -------------------------------------------------------*/
static slot_t *slot_for(replay_t *r, const char *number);
static ticket_status_state_t state_of(const char *name);
static void apply(replay_t *r, const central_event_t *e, const cJSON *body, const char *service_of,
                  int64_t *as_of);

/* Public functions --------------------------------------------------------*/

hk_err_t ticket_status_compute(const central_event_t *ev, int n, const char *day,
                               const char *number, int64_t now_ms, ticket_status_t *out)
{
    replay_t r;
    const slot_t *me = NULL;
    char service[CENTRAL_ID_LEN] = "";
    int i, pass;

    if(!out || !day || !number || (n > 0 && !ev))
        return HK_ERR_INVALID;
    memset(out, 0, sizeof(*out));
    out->ahead = -1;
    out->est_wait_s = -1;
    (void)snprintf(out->number, sizeof(out->number), "%s", number);
    memset(&r, 0, sizeof(r));

    /* Pass 0 learns the ticket's (final) service, pass 1 replays the day
     * and keeps that service's call times. */
    for(pass = 0; pass < 2; pass++) {
        r.n = 0;
        r.n_calls = 0;
        for(i = 0; i < n; i++) {
            cJSON *body = NULL;
            const char *d;
            hk_err_t rc;

            if(strncmp(ev[i].type, "ticket.", 7) != 0 || !ev[i].body)
                continue;
            rc = hk_json_parse(ev[i].body, strlen(ev[i].body), NULL, &body, NULL);
            if(rc == HK_ERR_NOMEM) {
                r.n = -1; /* not "no such ticket": say we could not tell */
                break;
            }
            if(rc != HK_OK)
                continue;
            d = hk_json_str_of(body, "day");
            if(d && strcmp(d, day) == 0)
                apply(&r, &ev[i], body, pass ? service : NULL, &out->as_of_ms);
            cJSON_Delete(body);
            if(r.n < 0)
                break;
        }
        if(r.n < 0) {
            hk_free(r.slots);
            return HK_ERR_NOMEM;
        }
        for(i = 0; i < r.n; i++)
            if(strcmp(r.slots[i].number, number) == 0)
                me = &r.slots[i];
        if(!me)
            break;
        (void)snprintf(service, sizeof(service), "%s", me->service);
        me = NULL;
    }
    for(i = 0; i < r.n; i++)
        if(strcmp(r.slots[i].number, number) == 0)
            me = &r.slots[i];
    if(me) {
        out->state = me->state;
        (void)snprintf(out->service, sizeof(out->service), "%s", me->service);
        (void)snprintf(out->counter, sizeof(out->counter), "%s", me->counter);
        out->issued_ms = me->issued_ms;
        if(me->state == TICKET_STATUS_WAITING) {
            int ahead = 0;
            for(i = 0; i < r.n; i++)
                if(&r.slots[i] != me && r.slots[i].state == TICKET_STATUS_WAITING &&
                   strcmp(r.slots[i].service, me->service) == 0 &&
                   r.slots[i].issued_ms <= me->issued_ms)
                    ahead++;
            out->ahead = ahead;
            if(r.n_calls >= 2) {
                int64_t gap = (r.calls[r.n_calls - 1] - r.calls[0]) / (r.n_calls - 1);
                out->est_wait_s = (int)((gap * ahead) / 1000);
            } else if(me->est_wait_s >= 0) {
                int64_t left = me->est_wait_s - (now_ms - me->issued_ms) / 1000;
                out->est_wait_s = left > 0 ? (int)left : 0;
            }
        }
    }
    hk_free(r.slots);
    return HK_OK;
}

hk_err_t ticket_status_html(const ticket_status_t *st, const char *branch_name,
                            const char *counter_label, bool zh, int utc_offset_min, char **out,
                            size_t *len_out)
{
    hk_buf_t b;
    const char *headline, *detail = "";
    char line[160] = "";
    int minute;

    if(!st || !out)
        return HK_ERR_INVALID;
    *out = NULL;
    hk_buf_init(&b, 64 * 1024);
    switch(st->state) {
    case TICKET_STATUS_WAITING:
        headline = zh ? "请耐心等候" : "Please wait";
        if(st->ahead >= 0)
            (void)snprintf(line, sizeof(line), zh ? "您前面还有 %d 位" : "%d ahead of you",
                           st->ahead);
        break;
    case TICKET_STATUS_CALLED:
        headline = zh ? "请到窗口办理" : "Please go to the counter";
        detail = counter_label && *counter_label ? counter_label : st->counter;
        break;
    case TICKET_STATUS_SERVING: headline = zh ? "正在办理" : "Being served"; break;
    case TICKET_STATUS_DONE: headline = zh ? "已办结，谢谢光临" : "Done, thank you"; break;
    case TICKET_STATUS_NO_SHOW:
        headline = zh ? "已过号，请到服务台" : "Missed: please ask at the desk";
        break;
    case TICKET_STATUS_CANCELLED: headline = zh ? "已取消" : "Cancelled"; break;
    default:
        headline = zh ? "暂无此号的信息" : "No news of this number yet";
        detail =
            zh ? "刚取的号可能需要几分钟才会显示" : "A new ticket may take a few minutes to show";
        break;
    }
    hk_buf_printf(&b,
                  "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                  "<meta http-equiv=\"refresh\" content=\"30\"><title>",
                  zh ? "zh-CN" : "en");
    hk_buf_html(&b, st->number);
    hk_buf_printf(
        &b,
        "</title><style>"
        "body{margin:0;font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;background:#f4f6f8;"
        "color:#1b2430}main{max-width:28rem;margin:0 auto;padding:1.5rem 1.25rem}"
        ".branch{font-size:1rem;color:#556;margin-bottom:.75rem}.num{font-size:4.5rem;font-weight:700;"
        "letter-spacing:.05em;margin:.5rem 0;color:#0a5cad}.head{font-size:1.6rem;"
        "font-weight:600}.detail{font-size:1.3rem;margin:.6rem 0}.card{background:#fff;"
        "border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px #0002}"
        ".called{border-left:8px solid #e07b00}.called .detail{font-size:2.2rem;font-weight:700;"
        "color:#b35900}.meta{color:#667;font-size:.9rem;margin-top:1.2rem}</style></head><body><main>"
        "<div class=\"branch\">");
    hk_buf_html(&b, branch_name ? branch_name : "");
    hk_buf_printf(&b, "</div><div class=\"card%s\"><div class=\"num\">",
                  st->state == TICKET_STATUS_CALLED ? " called" : "");
    hk_buf_html(&b, st->number);
    hk_buf_printf(&b, "</div><div class=\"head\">");
    hk_buf_html(&b, headline);
    hk_buf_puts(&b, "</div>");
    if(line[0] || detail[0]) {
        hk_buf_printf(&b, "<div class=\"detail\">");
        hk_buf_html(&b, line[0] ? line : detail);
        hk_buf_puts(&b, "</div>");
    }
    if(st->state == TICKET_STATUS_WAITING && st->est_wait_s >= 0) {
        int min = (st->est_wait_s + 59) / 60;
        hk_buf_printf(&b, "<div class=\"detail\">");
        if(zh)
            hk_buf_printf(&b, "预计等候约 %d 分钟", min < 1 ? 1 : min);
        else
            hk_buf_printf(&b, "About %d min to wait", min < 1 ? 1 : min);
        hk_buf_puts(&b, "</div>");
    }
    hk_buf_puts(&b, "</div>");
    if(st->as_of_ms > 0) {
        minute = hk_time_minute_of_day(st->as_of_ms, utc_offset_min);
        hk_buf_printf(&b, "<div class=\"meta\">%s %02d:%02d%s</div>",
                      zh ? "信息更新于" : "Updated at", minute / 60, minute % 60,
                      zh ? "；排位仅供参考，优先业务可能先叫"
                         : "; the position is a guide: priority services may be called first");
    }
    hk_buf_puts(&b, "</main></body></html>\n");
    return hk_buf_finish(&b, out, len_out);
}

/* Static functions --------------------------------------------------------*/

static slot_t *slot_for(replay_t *r, const char *number)
{
    int i;

    for(i = r->n - 1; i >= 0; i--)
        if(strcmp(r->slots[i].number, number) == 0)
            return &r->slots[i];
    if(r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 256;
        slot_t *s = hk_realloc(r->slots, (size_t)cap * sizeof(*s));
        if(!s) {
            r->n = -1;
            return NULL;
        }
        r->slots = s;
        r->cap = cap;
    }
    memset(&r->slots[r->n], 0, sizeof(slot_t));
    (void)snprintf(r->slots[r->n].number, sizeof(r->slots[r->n].number), "%s", number);
    r->slots[r->n].est_wait_s = -1;
    return &r->slots[r->n++];
}

static ticket_status_state_t state_of(const char *name)
{
    static const struct {
        const char *name;
        ticket_status_state_t st;
    } map[] = {
        { "waiting", TICKET_STATUS_WAITING }, { "called", TICKET_STATUS_CALLED },
        { "serving", TICKET_STATUS_SERVING }, { "done", TICKET_STATUS_DONE },
        { "no_show", TICKET_STATUS_NO_SHOW }, { "cancelled", TICKET_STATUS_CANCELLED },
    };
    size_t i;

    for(i = 0; name && i < sizeof(map) / sizeof(map[0]); i++)
        if(strcmp(map[i].name, name) == 0)
            return map[i].st;
    return TICKET_STATUS_UNKNOWN;
}

static void apply(replay_t *r, const central_event_t *e, const cJSON *body, const char *service_of,
                  int64_t *as_of)
{
    const char *number = hk_json_str_of(body, "number"), *state = hk_json_str_of(body, "state");
    const char *service = hk_json_str_of(body, "service"),
               *counter = hk_json_str_of(body, "counter");
    slot_t *s;

    if(!number || strlen(number) >= sizeof(s->number) || !state)
        return;
    s = slot_for(r, number);
    if(!s)
        return;
    if(e->time_ms > *as_of)
        *as_of = e->time_ms;
    if(service)
        (void)snprintf(s->service, sizeof(s->service), "%s", service);
    (void)snprintf(s->counter, sizeof(s->counter), "%s", counter ? counter : "");
    s->state = state_of(state);
    if(strcmp(e->type, "ticket.issued") == 0) {
        s->issued_ms = hk_json_int_of(body, "issued_ms", e->time_ms);
        s->est_wait_s = (int)hk_json_int_of(body, "est_wait_s", -1);
    } else if(strcmp(e->type, "ticket.transferred") == 0) {
        const char *to = hk_json_str_of(body, "to_service");
        /* the same number waits again, in the new service, in arrival order */
        s->state = TICKET_STATUS_WAITING;
        s->counter[0] = '\0';
        s->est_wait_s = -1;
        if(to)
            (void)snprintf(s->service, sizeof(s->service), "%s", to);
    } else if(strcmp(e->type, "ticket.called") == 0 && service_of && service &&
              strcmp(service, service_of) == 0) {
        if(r->n_calls == MAX_GAPS + 1) {
            memmove(r->calls, r->calls + 1, MAX_GAPS * sizeof(r->calls[0]));
            r->n_calls--;
        }
        r->calls[r->n_calls++] = e->time_ms;
    }
}
