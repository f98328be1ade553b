/*
 * submission_status: see submission_status.h.
 */
#include "submission_status.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hk_buf.h"
#include "hk_json.h"
#include "hk_time.h"

/* Category and cause names as the page says them. */
static const struct {
    const char *id, *zh, *en;
} categories[] = {
    { "signal", "网络信号", "Network signal" },   { "broadband", "宽带故障", "Broadband fault" },
    { "billing", "话费争议", "Billing dispute" }, { "complaint", "服务投诉", "Service complaint" },
    { "suggestion", "意见建议", "Suggestion" },   { "other", "其他问题", "Something else" },
};

static const struct {
    const char *id, *zh, *en;
} causes[] = {
    { "staff_attitude", "服务态度", "staff attitude" },
    { "wait_time", "等候时间", "waiting time" },
    { "process", "业务流程", "process" },
    { "system_fault", "系统故障", "system fault" },
    { "policy", "资费政策", "tariff policy" },
    { "misunderstanding", "误解，已解释", "explained" },
    { "other", "其他", "other" },
};

bool submission_status_ref_day(const char *ref, char day[11])
{
    int i;

    if(!ref || strlen(ref) != 11 || ref[0] != 'S' || ref[7] != '-')
        return false;
    for(i = 1; i < 11; i++)
        if(i != 7 && !isdigit((unsigned char)ref[i]))
            return false;
    (void)snprintf(day, 11, "20%.2s-%.2s-%.2s", ref + 1, ref + 3, ref + 5);
    return true;
}

void submission_status_case_number(const cases_case_t *c, char out[SUBMISSION_STATUS_NUMBER_LEN])
{
    char hex[7];
    int i, j = 0;

    for(i = 0; c->id[i] && j < 6; i++)
        if(isxdigit((unsigned char)c->id[i]))
            hex[j++] = (char)toupper((unsigned char)c->id[i]);
    hex[j] = '\0';
    if(strlen(c->day) == 10)
        (void)snprintf(out, SUBMISSION_STATUS_NUMBER_LEN, "C%.2s%.2s%.2s-%s", c->day + 2,
                       c->day + 5, c->day + 8, hex);
    else
        (void)snprintf(out, SUBMISSION_STATUS_NUMBER_LEN, "C-%s", hex);
}

hk_err_t submission_status_find(const central_event_t *ev, int n, const char *ref,
                                char uuid_out[64], submission_status_t *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    out->state = SUBMISSION_STATUS_PENDING;
    (void)snprintf(out->ref, sizeof(out->ref), "%s", ref ? ref : "");
    if(uuid_out)
        uuid_out[0] = '\0';
    for(i = 0; ev && i < n; i++) {
        cJSON *body = NULL;
        const char *r;
        if(strcmp(ev[i].type, "issue.submitted") != 0 || !ev[i].body ||
           hk_json_parse(ev[i].body, strlen(ev[i].body), NULL, &body, NULL) != HK_OK)
            continue;
        r = hk_json_str_of(body, "ref");
        if(r && ref && strcmp(r, ref) == 0) {
            const char *cat = hk_json_str_of(body, "category");
            const char *pm = hk_json_str_of(body, "phone_masked");
            (void)snprintf(out->category, sizeof(out->category), "%s", cat ? cat : "");
            /* only ever the masked form: the body's phone is for staff */
            if(pm && strlen(pm) == 11 && strchr(pm, '*'))
                (void)snprintf(out->phone_masked, sizeof(out->phone_masked), "%s", pm);
            out->submitted_ms = ev[i].time_ms;
            out->state = SUBMISSION_STATUS_OPEN;
            if(uuid_out)
                (void)snprintf(uuid_out, 64, "%s", ev[i].uuid);
            cJSON_Delete(body);
            return HK_OK;
        }
        cJSON_Delete(body);
    }
    return HK_ERR_NOT_FOUND;
}

void submission_status_apply_case(submission_status_t *st, const cases_case_t *c)
{
    submission_status_case_number(c, st->case_number);
    st->deadline_ms = c->deadline_ms;
    st->callback_attempts = c->callback_attempts;
    st->callback_ms = c->callback_ms;
    st->closed_ms = c->closed_ms;
    (void)snprintf(st->cause, sizeof(st->cause), "%s", c->cause);
    st->state = c->closed             ? SUBMISSION_STATUS_CLOSED
                : c->callback_reached ? SUBMISSION_STATUS_CALLED_BACK
                : c->owner[0]         ? SUBMISSION_STATUS_ASSIGNED
                                      : SUBMISSION_STATUS_OPEN;
}

static void put_when(hk_buf_t *b, int64_t ms, int off)
{
    hk_time_local_t t;

    hk_time_local(ms, off, &t);
    hk_buf_printf(b, "%04d-%02d-%02d %02d:%02d", t.date.year, t.date.month, t.date.day,
                  t.min_of_day / 60, t.min_of_day % 60);
}

static void put_row(hk_buf_t *b, const char *label)
{
    hk_buf_puts(b, "<div class=\"row\"><span>");
    hk_buf_html(b, label);
    hk_buf_puts(b, "</span><b>");
}

hk_err_t submission_status_html(const submission_status_t *st, const char *branch_name, bool zh,
                                int utc_offset_min, char **out, size_t *len_out)
{
    const char *head, *cat = st->category, *cause = st->cause;
    hk_buf_t b;
    size_t i;

    if(!st || !out)
        return HK_ERR_INVALID;
    *out = NULL;
    for(i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
        if(!strcmp(categories[i].id, st->category))
            cat = zh ? categories[i].zh : categories[i].en;
    for(i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
        if(!strcmp(causes[i].id, st->cause))
            cause = zh ? causes[i].zh : causes[i].en;
    switch(st->state) {
    case SUBMISSION_STATUS_OPEN:
        head = zh ? "已受理，等待跟进" : "Received: waiting for follow-up";
        break;
    case SUBMISSION_STATUS_ASSIGNED: head = zh ? "专人跟进中" : "Being followed up"; break;
    case SUBMISSION_STATUS_CALLED_BACK:
        head = zh ? "已回访，处理中" : "Called back: in progress";
        break;
    case SUBMISSION_STATUS_CLOSED: head = zh ? "已办结" : "Closed"; break;
    default:
        head =
            zh ? "营业厅已收到，正在转交总部" : "Received at the branch, on its way to head office";
        break;
    }
    hk_buf_init(&b, 64 * 1024);
    hk_buf_printf(&b,
                  "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                  "<meta http-equiv=\"refresh\" content=\"60\"><title>",
                  zh ? "zh-CN" : "en");
    hk_buf_html(&b, st->case_number[0] ? st->case_number : st->ref);
    hk_buf_puts(
        &b, "</title><style>"
            "body{margin:0;font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;"
            "background:#f4f6f8;color:#1b2430}main{max-width:28rem;margin:0 auto;"
            "padding:1.5rem 1.25rem}.branch{color:#556;margin-bottom:.75rem}"
            ".card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px #0002;"
            "border-left:8px solid #e07a00}.lbl{color:#667;font-size:.95rem}"
            ".num{font-size:2.2rem;font-weight:700;color:#b35900;margin:.2rem 0 .8rem}"
            ".head{font-size:1.5rem;font-weight:600;margin-bottom:.8rem}"
            ".row{display:flex;justify-content:space-between;padding:.35rem 0;"
            "border-top:1px solid #eee}.row span{color:#667}.meta{color:#667;font-size:.9rem;"
            "margin-top:1.2rem}</style></head><body><main><div class=\"branch\">");
    hk_buf_html(&b, branch_name ? branch_name : "");
    hk_buf_puts(&b, "</div><div class=\"card\"><div class=\"lbl\">");
    hk_buf_html(&b, st->case_number[0] ? (zh ? "工单编号" : "Case number")
                                       : (zh ? "受理编号" : "Reference"));
    hk_buf_puts(&b, "</div><div class=\"num\">");
    hk_buf_html(&b, st->case_number[0] ? st->case_number : st->ref);
    hk_buf_puts(&b, "</div><div class=\"head\">");
    hk_buf_html(&b, head);
    hk_buf_puts(&b, "</div>");
    if(st->case_number[0]) {
        put_row(&b, zh ? "受理编号" : "Reference");
        hk_buf_html(&b, st->ref);
        hk_buf_puts(&b, "</b></div>");
    }
    if(cat[0]) {
        put_row(&b, zh ? "问题类型" : "Type");
        hk_buf_html(&b, cat);
        hk_buf_puts(&b, "</b></div>");
    }
    if(st->phone_masked[0]) {
        put_row(&b, zh ? "回访号码" : "Call-back number");
        hk_buf_html(&b, st->phone_masked);
        hk_buf_puts(&b, "</b></div>");
    }
    if(st->submitted_ms > 0) {
        put_row(&b, zh ? "提交时间" : "Submitted");
        put_when(&b, st->submitted_ms, utc_offset_min);
        hk_buf_puts(&b, "</b></div>");
    }
    if(st->deadline_ms > 0 && st->state != SUBMISSION_STATUS_CLOSED) {
        put_row(&b, zh ? "承诺回复期限" : "Answer by");
        put_when(&b, st->deadline_ms, utc_offset_min);
        hk_buf_puts(&b, "</b></div>");
    }
    if(st->callback_attempts > 0) {
        put_row(&b, zh ? "回访" : "Call-backs");
        hk_buf_printf(&b, zh ? "%d 次，最近 " : "%d, last ", st->callback_attempts);
        put_when(&b, st->callback_ms, utc_offset_min);
        hk_buf_puts(&b, "</b></div>");
    }
    if(st->state == SUBMISSION_STATUS_CLOSED) {
        put_row(&b, zh ? "办结" : "Closed");
        put_when(&b, st->closed_ms, utc_offset_min);
        if(cause[0]) {
            hk_buf_puts(&b, zh ? "（" : " (");
            hk_buf_html(&b, cause);
            hk_buf_puts(&b, zh ? "）" : ")");
        }
        hk_buf_puts(&b, "</b></div>");
    }
    hk_buf_puts(&b, "</div><div class=\"meta\">");
    hk_buf_html(&b, zh ? "我们会在15个工作日内回电跟进。号码只用于回访。"
                       : "We call back within 15 working days. Your number is only used for that.");
    hk_buf_puts(&b, "</div></main></body></html>\n");
    return hk_buf_finish(&b, out, len_out);
}
