/*
 * report_html: the report page, written into one capped growing buffer.
 * The page is a pure function of the report, the cases and the options:
 * no clock (now_ms is an option), no files, no JavaScript; charts are
 * inline SVG sized in CSS pixels so they print as drawn. Every string that
 * came from outside goes through hk_buf_html(); only literals of this file and
 * numbers formatted here are written raw.
 *
 * It does not compute figures (report.c does) or decide what a user may
 * see (the server picks the report of the user's scope).
 */
#include "report_html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_buf.h"
#include "hk_mem.h"
#include "hk_time.h"

#define MS_PER_MIN  60000.0
#define MS_PER_DAY  INT64_C(86400000)
#define DUE_SOON_MS (3 * MS_PER_DAY)
#define LOW_SAT     0.90 /* a staff satisfaction rate below it is flagged */
#define CHART_W     520
#define CHART_H     230

/* Label keys; text in labels[][2] (zh-CN, en). */
typedef enum lbl {
    L_TITLE,
    L_SCOPE_BRANCH,
    L_SCOPE_CITY,
    L_SCOPE_PROVINCE,
    L_SCOPE_HQ,
    L_DAY,
    L_GENERATED,
    L_BRANCHES,
    L_ISSUED,
    L_ISSUED_SUB,
    L_SERVED,
    L_SERVED_SUB,
    L_WAIT_MEAN,
    L_P90,
    L_LONGER,
    L_SHORTER,
    L_P90_HIST,
    L_SERVICE_MEAN,
    L_SAT,
    L_SAT_SUB,
    L_PART,
    L_PART_SUB,
    L_EST,
    L_EST_SUB,
    L_FOLLOW,
    L_FOLLOW_SUB,
    L_MIN,
    L_WAIT_CHART,
    L_WAIT_CHART_SUB,
    L_ARR_CHART,
    L_ARR_LEGEND,
    L_ARR_WAIT_LEGEND,
    L_ARR_CHART_SUB,
    L_LEVELS,
    L_LEVEL1,
    L_LEVEL2,
    L_LEVEL3,
    L_LEVEL4,
    L_LEVEL5,
    L_NO_RATINGS,
    L_STAFF,
    L_STAFF_ID,
    L_BRANCH,
    L_RATINGS,
    L_DISSAT,
    L_NOBODY,
    L_MORE_STAFF,
    L_UNITS_BRANCH,
    L_UNITS_CITY,
    L_UNITS_PROVINCE,
    L_NAME,
    L_NO_SHOW_RATE,
    L_CASES,
    L_STATUS,
    L_CASE_ID,
    L_NUMBER,
    L_KIND,
    L_OPENED,
    L_DEADLINE,
    L_OWNER,
    L_CALLBACK,
    L_CAUSE,
    L_OVERDUE,
    L_DUE_SOON,
    L_OPEN,
    L_CLOSED,
    L_CLOSED_LATE,
    L_ISSUE,
    L_UNASSIGNED,
    L_NO_CASES,
    L_ALERT_OVERDUE,
    L_ALERT_WAIT,
    L_NOTES,
    L_NOTE_TEXT,
    L_MORE_UNITS,
    L_DAYS,
    L_NO_DATA,
    L_COUNT
} lbl_t;

/* Format strings among them take the arguments named in their comment. */
static const char *const labels[L_COUNT][2] = {
    [L_TITLE] = { "服务质量日报", "Daily service report" },
    [L_SCOPE_BRANCH] = { "营业厅", "Branch" },
    [L_SCOPE_CITY] = { "市公司", "City" },
    [L_SCOPE_PROVINCE] = { "省公司", "Province" },
    [L_SCOPE_HQ] = { "总部", "Head office" },
    [L_DAY] = { "营业日", "Business day" },
    [L_GENERATED] = { "生成于", "Generated" },
    [L_BRANCHES] = { "网点数", "Branches" },
    [L_ISSUED] = { "取号", "Tickets issued" },
    [L_ISSUED_SUB] = { "离线取号 %lld · 转办 %lld", "offline %lld · transferred %lld" },
    [L_SERVED] = { "办结", "Served" },
    [L_SERVED_SUB] = { "过号 %lld · 未办结 %lld", "no-show %lld · not served %lld" },
    [L_WAIT_MEAN] = { "平均等候", "Mean wait" },
    [L_P90] = { "90%% 在 %s内", "90%% within %s" },
    [L_LONGER] = { "实际长于预估", "longer" },
    [L_SHORTER] = { "实际短于预估", "shorter" },
    [L_P90_HIST] = { "（按 30 秒分档估算）", " (30 s bins)" },
    [L_SERVICE_MEAN] = { "平均办理时长", "Mean service time" },
    [L_SAT] = { "满意率", "Satisfaction" },
    [L_SAT_SUB] = { "基本满意及以上 · 差评 %lld", "basic or better · poor %lld" },
    [L_PART] = { "参评率", "Participation" },
    [L_PART_SUB] = { "评价 %lld / 办结 %lld", "%lld ratings / %lld served" },
    [L_EST] = { "预估等候误差", "Wait estimate error" },
    [L_EST_SUB] = { "平均绝对误差；平均偏差 %s（%s）", "mean absolute; waits %s %s than quoted" },
    [L_FOLLOW] = { "待办跟进工单", "Open follow-ups" },
    [L_FOLLOW_SUB] = { "逾期 %d · 即将到期 %d", "overdue %d · due soon %d" },
    [L_MIN] = { "分钟", "min" },
    [L_WAIT_CHART] = { "等候时长分布", "Waiting time" },
    [L_WAIT_CHART_SUB] = { "已叫号 %lld 人，按等候分钟分档",
                           "%lld called visits, by minutes waited" },
    [L_ARR_CHART] = { "分时段取号与等候", "Arrivals and waits by hour" },
    [L_ARR_LEGEND] = { "取号人数（左轴）", "tickets issued (left)" },
    [L_ARR_WAIT_LEGEND] = { "该时段取号者的平均等候，分钟（右轴）",
                            "mean wait of those arrivals, min (right)" },
    [L_ARR_CHART_SUB] = { "按取号时间（当地时间）", "by hour of issue (local time)" },
    [L_LEVELS] = { "评价分布", "Ratings" },
    [L_LEVEL1] = { "非常不满意", "Very dissatisfied" },
    [L_LEVEL2] = { "不满意", "Dissatisfied" },
    [L_LEVEL3] = { "基本满意", "Basic" },
    [L_LEVEL4] = { "满意", "Satisfied" },
    [L_LEVEL5] = { "非常满意", "Very satisfied" },
    [L_NO_RATINGS] = { "今日暂无评价", "No ratings today" },
    [L_STAFF] = { "员工服务与满意度", "Staff: volume and satisfaction" },
    [L_STAFF_ID] = { "员工", "Staff" },
    [L_BRANCH] = { "网点", "Branch" },
    [L_RATINGS] = { "评价数", "Ratings" },
    [L_DISSAT] = { "差评", "Poor" },
    [L_NOBODY] = { "（未登录）", "(not logged in)" },
    [L_MORE_STAFF] = { "另有 %d 名员工未列出（按办结量排序）",
                       "%d more staff not listed (busiest first)" },
    [L_UNITS_BRANCH] = { "下辖营业厅", "Branches" },
    [L_UNITS_CITY] = { "下辖市公司", "Cities" },
    [L_UNITS_PROVINCE] = { "下辖省公司", "Provinces" },
    [L_NAME] = { "名称", "Name" },
    [L_NO_SHOW_RATE] = { "过号率", "No-show rate" },
    [L_CASES] = { "跟进工单（差评与意见反馈，15 个工作日内整改回访）",
                  "Follow-up cases (poor ratings and submitted issues: 15 working days)" },
    [L_STATUS] = { "状态", "Status" },
    [L_CASE_ID] = { "工单", "Case" },
    [L_NUMBER] = { "号码", "Ticket" },
    [L_KIND] = { "类型", "Kind" },
    [L_OPENED] = { "受理", "Opened" },
    [L_DEADLINE] = { "期限", "Deadline" },
    [L_OWNER] = { "责任人", "Owner" },
    [L_CALLBACK] = { "回访", "Call-back" },
    [L_CAUSE] = { "原因 / 结案说明", "Cause / closing note" },
    [L_OVERDUE] = { "逾期 %lld 天", "Overdue %lld d" },
    [L_DUE_SOON] = { "即将到期", "Due soon" },
    [L_OPEN] = { "处理中", "Open" },
    [L_CLOSED] = { "已结案", "Closed" },
    [L_CLOSED_LATE] = { "逾期结案", "Closed late" },
    [L_ISSUE] = { "意见反馈", "Submitted issue" },
    [L_UNASSIGNED] = { "未指派", "unassigned" },
    [L_NO_CASES] = { "没有跟进工单", "No follow-up cases" },
    [L_ALERT_OVERDUE] = { "%d 个跟进工单已逾期，请尽快处理。",
                          "%d follow-up case(s) are overdue: act on them first." },
    [L_ALERT_WAIT] = { "平均等候 %s，超过 %s 的目标。", "Mean wait %s is over the %s target." },
    [L_NOTES] = { "口径说明", "Definitions" },
    [L_NOTE_TEXT] = { "等候 = 首次叫号 − 取号；办理 = 办结 − 开始办理；过号率 = 过号 / 已叫号；"
                      "满意率 = 基本满意及以上 / 评价数；参评率 = 评价数 / 办结数；"
                      "预估误差 = |实际等候 − 取号时的预估|。"
                      "网点的 90% 分位为精确值，汇总单位按 30 秒分档估算（最多高估 30 秒）。",
                      "Wait = first call − issue; service = finished − started; no-show rate = "
                      "no-shows / called; satisfaction = ratings of basic or better / ratings; "
                      "participation = ratings / served; estimate error = |actual wait − wait "
                      "quoted at issue|. A branch's 90th percentile is exact; a roll-up's comes "
                      "from 30-second bins (at most 30 s high)." },
    [L_MORE_UNITS] = { "另有 %d 个单位未列出", "%d more units not listed" },
    [L_DAYS] = { "天", "d" },
    [L_NO_DATA] = { "暂无数据", "No data" },
};

typedef struct page {
    hk_buf_t b;
    int en; /* 0 zh-CN, 1 en */
    const report_html_opts_t *o;
} page_t;

static const char *const band_colors[REPORT_BANDS] = { "#2e7d32", "#7cb342", "#f9a825", "#ef6c00",
                                                       "#c62828" };
static const char *const level_colors[REPORT_LEVELS] = { "#9e9e9e", "#c62828", "#ef6c00",
                                                         "#9ccc65", "#43a047", "#1b5e20" };

static const char *L(const page_t *pg, lbl_t k);
static void fmtl(const page_t *pg, char *dst, size_t cap, lbl_t k, ...);
static void putl(page_t *pg, lbl_t k, ...);
static void fmt_min(char *dst, size_t cap, int64_t ms, const char *unit);
static void fmt_rate(char *dst, size_t cap, double v);
static void fmt_time(char *dst, size_t cap, int64_t ms, int utc_offset_min);
static void head(page_t *pg, const report_t *r);
static void cards(page_t *pg, const report_t *r, const report_html_case_t *c, int n);
static void wait_chart(page_t *pg, const report_t *r);
static void arrivals_chart(page_t *pg, const report_t *r);
static void levels_bar(page_t *pg, const report_t *r);
static void units_table(page_t *pg, const report_t *r);
static hk_err_t staff_table(page_t *pg, const report_t *r);
static hk_err_t cases_table(page_t *pg, const report_html_case_t *c, int n);

/* Public functions --------------------------------------------------------*/

hk_err_t report_html_page(const report_t *r, const report_html_case_t *cases, int n_cases,
                          const report_html_opts_t *opts, char **out, size_t *len_out)
{
    report_html_opts_t o = { 0 };
    page_t pg;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(!r || !out || n_cases < 0 || (n_cases > 0 && !cases))
        return HK_ERR_INVALID;
    if(opts)
        o = *opts;
    if(o.max_staff_rows <= 0)
        o.max_staff_rows = 50;
    if(o.max_unit_rows <= 0)
        o.max_unit_rows = 200;
    memset(&pg, 0, sizeof(pg));
    hk_buf_init(&pg.b, REPORT_HTML_MAX_BYTES);
    pg.en = o.lang && strncmp(o.lang, "en", 2) == 0;
    pg.o = &o;

    head(&pg, r);
    cards(&pg, r, cases, n_cases);
    hk_buf_puts(&pg.b, "<section class=\"charts\">\n");
    wait_chart(&pg, r);
    arrivals_chart(&pg, r);
    hk_buf_puts(&pg.b, "</section>\n");
    levels_bar(&pg, r);
    if(r->scope != REPORT_SCOPE_BRANCH)
        units_table(&pg, r);
    rc = staff_table(&pg, r);
    if(rc == HK_OK)
        rc = cases_table(&pg, cases, n_cases);
    if(rc == HK_OK) {
        hk_buf_printf(&pg.b, "<footer><h2>%s</h2><p>", L(&pg, L_NOTES));
        hk_buf_puts(&pg.b, L(&pg, L_NOTE_TEXT));
        hk_buf_puts(&pg.b, "</p></footer>\n</main>\n</body>\n</html>\n");
    }
    if(rc != HK_OK) {
        hk_buf_free(&pg.b);
        return rc;
    }
    return hk_buf_finish(&pg.b, out, len_out);
}

hk_err_t report_html_escape(const char *s, char **out)
{
    hk_buf_t b;

    if(!out)
        return HK_ERR_INVALID;
    hk_buf_init(&b, REPORT_HTML_MAX_BYTES);
    hk_buf_html(&b, s);
    return hk_buf_finish(&b, out, NULL);
}

/* Static functions --------------------------------------------------------*/

static const char *L(const page_t *pg, lbl_t k)
{
    return labels[k][pg->en];
}

/* A label that is a format (its arguments in the label's comment): the
 * formats are this file's own literals in labels[], so the non-literal
 * format warning is off for these two functions only. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void fmtl(const page_t *pg, char *dst, size_t cap, lbl_t k, ...)
{
    va_list ap;

    va_start(ap, k);
    (void)vsnprintf(dst, cap, labels[k][pg->en], ap);
    va_end(ap);
}

static void putl(page_t *pg, lbl_t k, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    va_start(ap, k);
    n = vsnprintf(tmp, sizeof(tmp), labels[k][pg->en], ap);
    va_end(ap);
    if(HK_NEVER(n < 0 || (size_t)n >= sizeof(tmp))) {
        pg->b.failed = true;
        return;
    }
    hk_buf_put(&pg->b, tmp, (size_t)n);
}
#pragma GCC diagnostic pop

/* "7.5 分钟"; "–" when ms < 0 (undefined). */
static void fmt_min(char *dst, size_t cap, int64_t ms, const char *unit)
{
    if(ms < 0)
        (void)snprintf(dst, cap, "–");
    else
        (void)snprintf(dst, cap, "%.1f %s", (double)ms / MS_PER_MIN, unit);
}

/* "92.5%"; "–" when undefined. */
static void fmt_rate(char *dst, size_t cap, double v)
{
    if(v < 0)
        (void)snprintf(dst, cap, "–");
    else
        (void)snprintf(dst, cap, "%.1f%%", v * 100.0);
}

static void fmt_time(char *dst, size_t cap, int64_t ms, int utc_offset_min)
{
    hk_time_local_t lt;

    if(ms <= 0) {
        (void)snprintf(dst, cap, "–");
        return;
    }
    hk_time_local(ms, utc_offset_min, &lt);
    (void)snprintf(dst, cap, "%04d-%02d-%02d %02d:%02d", lt.date.year, lt.date.month, lt.date.day,
                   lt.min_of_day / 60, lt.min_of_day % 60);
}

static int64_t mean_ms(int64_t sum, int64_t n)
{
    return n > 0 ? sum / n : -1;
}

static const char *scope_label(const page_t *pg, report_scope_t s)
{
    switch(s) {
    case REPORT_SCOPE_BRANCH: return L(pg, L_SCOPE_BRANCH);
    case REPORT_SCOPE_CITY: return L(pg, L_SCOPE_CITY);
    case REPORT_SCOPE_PROVINCE: return L(pg, L_SCOPE_PROVINCE);
    case REPORT_SCOPE_HEAD_OFFICE: return L(pg, L_SCOPE_HQ);
    case REPORT_SCOPE_COUNT: break;
    }
    return "";
}

/* The name in the page's language, the other one, or the id. */
static const char *pick_name(const page_t *pg, const char *zh, const char *en, const char *id)
{
    const char *first = pg->en ? en : zh, *second = pg->en ? zh : en;

    return first[0] ? first : second[0] ? second : id;
}

static const char style_css[] =
    "<style>\n"
    "@page{size:A4;margin:12mm}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f4f5f7;color:#1f2328;font:14px/1.45 'Noto Sans CJK SC',"
    "'Noto Sans SC','WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif}\n"
    "main{max-width:1120px;margin:0 auto;padding:24px 28px 40px;background:#fff}\n"
    "header{display:flex;justify-content:space-between;align-items:flex-end;"
    "border-bottom:3px solid #1565c0;padding-bottom:12px;margin-bottom:18px}\n"
    "h1{margin:0;font-size:26px;font-weight:700}\n"
    "h1 small{display:block;font-size:14px;font-weight:400;color:#57606a;margin-bottom:2px}\n"
    ".meta{text-align:right;color:#57606a;font-size:13px}\n"
    ".meta b{color:#1f2328;font-size:16px}\n"
    "h2{font-size:17px;margin:26px 0 10px;padding-left:10px;border-left:4px solid #1565c0}\n"
    "h2 small{font-size:12px;font-weight:400;color:#57606a;margin-left:8px}\n"
    ".alert{background:#fdecea;border:1px solid #f5c2c0;color:#8e1c16;padding:10px 14px;"
    "border-radius:6px;margin:0 0 14px;font-weight:600}\n"
    ".cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}\n"
    ".card{border:1px solid #d8dee4;border-radius:8px;padding:12px 14px;break-inside:avoid}\n"
    ".card .k{color:#57606a;font-size:13px}\n"
    ".card .v{font-size:28px;font-weight:700;line-height:1.2;margin:4px 0 2px;"
    "font-variant-numeric:tabular-nums}\n"
    ".card .v small{font-size:14px;font-weight:400;color:#57606a;margin-left:2px}\n"
    ".card .s{color:#57606a;font-size:12px}\n"
    ".card.bad{border-color:#e5534b;background:#fff5f5}.card.bad .v{color:#c62828}\n"
    ".card.good .v{color:#2e7d32}\n"
    ".charts{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:16px}\n"
    ".chart{border:1px solid #d8dee4;border-radius:8px;padding:4px 12px 8px;break-inside:avoid}\n"
    ".chart h2{border:0;padding:0;margin:10px 0 4px}\n"
    "svg{display:block;width:100%;height:auto}\n"
    "svg text{font-family:inherit;fill:#1f2328}\n"
    "svg .ax{fill:#57606a;font-size:12px}svg .vl{font-size:12px;font-weight:600}\n"
    "table{width:100%;border-collapse:collapse;font-size:13px}\n"
    "th{background:#f0f3f6;text-align:left;font-weight:600;color:#3d444d;padding:7px 8px;"
    "border-bottom:1px solid #d8dee4;white-space:nowrap}\n"
    "td{padding:6px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}\n"
    "td.nw{white-space:nowrap}td.due{color:#c62828;font-weight:600}\n"
    "tr{break-inside:avoid}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".bar{display:inline-block;height:8px;border-radius:4px;background:#43a047;"
    "vertical-align:middle;margin-right:6px}\n"
    ".low{color:#c62828;font-weight:600}.low .bar{background:#e5534b}\n"
    ".muted{color:#8c959f}\n"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;"
    "font-weight:600;white-space:nowrap}\n"
    ".b-over{background:#c62828;color:#fff}.b-soon{background:#f9a825;color:#1f2328}\n"
    ".b-open{background:#e3f2fd;color:#0d47a1}.b-closed{background:#e8f5e9;color:#1b5e20}\n"
    ".b-late{background:#fff3e0;color:#e65100}\n"
    "tr.over td{background:#fff5f5}tr.over td:first-child{border-left:4px solid #c62828}\n"
    "tr.closed td{color:#57606a}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:#3d444d;margin-top:6px}\n"
    ".legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}\n"
    ".note{color:#57606a;font-size:12px;margin:6px 0 0}\n"
    "footer{margin-top:28px;color:#57606a;font-size:12px}\n"
    "footer h2{font-size:13px;border:0;padding:0;margin:0 0 4px}\n"
    "td.t{font-variant-numeric:tabular-nums}\n"
    "@media (max-width:760px){.cards{grid-template-columns:repeat(2,1fr)}"
    ".charts{grid-template-columns:1fr}}\n"
    /* last, so it wins on paper (A4 is about 720 CSS px wide): the morning
     * page keeps its four cards a row and its charts side by side, with
     * chart text large enough to read once the SVG is scaled down */
    "@media print{body{background:#fff;font-size:12px}main{padding:0;max-width:none}"
    ".cards{grid-template-columns:repeat(4,1fr);gap:8px}.card{padding:8px 10px}"
    ".card .v{font-size:22px}.charts{grid-template-columns:1fr 1fr;gap:10px}"
    "svg .ax,svg .vl{font-size:16px}table{font-size:11px}th,td{padding:4px 5px}"
    "h2{margin:16px 0 6px}}\n"
    "</style>\n";

static void head(page_t *pg, const report_t *r)
{
    char gen[32];
    const char *name = pick_name(pg, r->name_zh, r->name_en, r->id);

    hk_buf_puts(&pg->b, "<!DOCTYPE html>\n<html lang=\"");
    hk_buf_puts(&pg->b, pg->en ? "en" : "zh-CN");
    hk_buf_puts(&pg->b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                        "<title>");
    hk_buf_html(&pg->b, name);
    hk_buf_printf(&pg->b, " · %s · ", L(pg, L_TITLE));
    hk_buf_html(&pg->b, r->day);
    hk_buf_puts(&pg->b, "</title>\n");
    hk_buf_puts(&pg->b, style_css);
    hk_buf_puts(&pg->b, "</head>\n<body>\n<main>\n<header>\n<h1><small>");
    hk_buf_puts(&pg->b, scope_label(pg, r->scope));
    hk_buf_puts(&pg->b, " ");
    hk_buf_html(&pg->b, r->id);
    if(r->scope != REPORT_SCOPE_BRANCH)
        hk_buf_printf(&pg->b, " · %s %lld", L(pg, L_BRANCHES), (long long)r->branches);
    hk_buf_puts(&pg->b, "</small>");
    hk_buf_html(&pg->b, name);
    hk_buf_printf(&pg->b, " · %s</h1>\n<div class=\"meta\">%s <b>", L(pg, L_TITLE), L(pg, L_DAY));
    hk_buf_html(&pg->b, r->day);
    hk_buf_puts(&pg->b, "</b>");
    if(pg->o->now_ms > 0) {
        fmt_time(gen, sizeof(gen), pg->o->now_ms, pg->o->utc_offset_min);
        hk_buf_printf(&pg->b, "<br>%s %s (UTC%+d:%02d)", L(pg, L_GENERATED), gen,
                      pg->o->utc_offset_min / 60, abs(pg->o->utc_offset_min % 60));
    }
    hk_buf_puts(&pg->b, "</div>\n</header>\n");
}

static void card(page_t *pg, const char *cls, const char *key, const char *val, const char *unit,
                 const char *sub)
{
    hk_buf_printf(&pg->b, "<div class=\"card%s%s\"><div class=\"k\">%s</div><div class=\"v\">%s",
                  cls[0] ? " " : "", cls, key, val);
    if(unit && unit[0])
        hk_buf_printf(&pg->b, "<small>%s</small>", unit);
    hk_buf_printf(&pg->b, "</div><div class=\"s\">%s</div></div>\n", sub);
}

/* Open cases overdue, and due within DUE_SOON_MS, at now_ms. */
static void count_cases(const report_html_case_t *c, int n, int64_t now_ms, int *over, int *soon,
                        int *open)
{
    int i;

    *over = *soon = *open = 0;
    for(i = 0; i < n; i++) {
        if(c[i].closed)
            continue;
        (*open)++;
        if(now_ms > c[i].deadline_ms)
            (*over)++;
        else if(c[i].deadline_ms - now_ms <= DUE_SOON_MS)
            (*soon)++;
    }
}

/* "90% within 30.0 min", or "no data" without samples. */
static void sub_p90(const page_t *pg, char *sub, size_t cap, const char *p90, int64_t p90_ms)
{
    if(p90_ms < 0)
        fmtl(pg, sub, cap, L_NO_DATA);
    else
        fmtl(pg, sub, cap, L_P90, p90);
}

static void cards(page_t *pg, const report_t *r, const report_html_case_t *c, int n)
{
    char v[48], sub[160], p90[64], t[48];
    const char *unit = L(pg, L_MIN);
    int64_t wait_mean = mean_ms(r->wait.sum_ms, r->wait.n);
    double sat = report_ratio(r->satisfied, r->rated);
    int over, soon, open;

    count_cases(c, n, pg->o->now_ms, &over, &soon, &open);
    if(over > 0) {
        hk_buf_puts(&pg->b, "<p class=\"alert\">");
        putl(pg, L_ALERT_OVERDUE, over);
        hk_buf_puts(&pg->b, "</p>\n");
    }
    if(pg->o->wait_alert_ms > 0 && wait_mean > pg->o->wait_alert_ms) {
        fmt_min(v, sizeof(v), wait_mean, unit);
        fmt_min(t, sizeof(t), pg->o->wait_alert_ms, unit);
        hk_buf_puts(&pg->b, "<p class=\"alert\">");
        putl(pg, L_ALERT_WAIT, v, t);
        hk_buf_puts(&pg->b, "</p>\n");
    }
    hk_buf_puts(&pg->b, "<section class=\"cards\">\n");

    (void)snprintf(v, sizeof(v), "%lld", (long long)r->issued);
    fmtl(pg, sub, sizeof(sub), L_ISSUED_SUB, (long long)r->issued_offline,
         (long long)r->transferred);
    card(pg, "", L(pg, L_ISSUED), v, "", sub);

    (void)snprintf(v, sizeof(v), "%lld", (long long)r->served);
    fmtl(pg, sub, sizeof(sub), L_SERVED_SUB, (long long)r->no_show,
         (long long)(r->issued - r->served - r->no_show));
    card(pg, "", L(pg, L_SERVED), v, "", sub);

    /* durations: the number in the value, the unit small beside it */
    fmt_min(p90, sizeof(p90), r->wait.p90_ms, unit);
    sub_p90(pg, sub, sizeof(sub), p90, r->wait.p90_ms);
    if(!r->wait.p90_exact && r->wait.n > 0)
        (void)snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), "%s", L(pg, L_P90_HIST));
    fmt_min(v, sizeof(v), wait_mean, "");
    card(pg, pg->o->wait_alert_ms > 0 && wait_mean > pg->o->wait_alert_ms ? "bad" : "",
         L(pg, L_WAIT_MEAN), v, wait_mean >= 0 ? unit : "", sub);

    fmt_min(p90, sizeof(p90), r->service.p90_ms, unit);
    sub_p90(pg, sub, sizeof(sub), p90, r->service.p90_ms);
    fmt_min(v, sizeof(v), mean_ms(r->service.sum_ms, r->service.n), "");
    card(pg, "", L(pg, L_SERVICE_MEAN), v, r->service.n > 0 ? unit : "", sub);

    fmt_rate(v, sizeof(v), sat);
    fmtl(pg, sub, sizeof(sub), L_SAT_SUB, (long long)r->dissatisfied);
    card(pg, sat >= 0 && sat < LOW_SAT ? "bad" : sat >= 0 ? "good" : "", L(pg, L_SAT), v, "", sub);

    fmt_rate(v, sizeof(v), report_ratio(r->rated, r->served));
    fmtl(pg, sub, sizeof(sub), L_PART_SUB, (long long)r->rated, (long long)r->served);
    card(pg, "", L(pg, L_PART), v, "", sub);

    /* the bias in words: "customers waited 10.0 min longer than quoted" */
    fmt_min(t, sizeof(t), r->est_n ? llabs(r->est_err_sum_ms / r->est_n) : -1, unit);
    if(r->est_n)
        fmtl(pg, sub, sizeof(sub), L_EST_SUB, t,
             L(pg, r->est_err_sum_ms >= 0 ? L_LONGER : L_SHORTER));
    else
        fmtl(pg, sub, sizeof(sub), L_NO_DATA);
    fmt_min(v, sizeof(v), r->est_n ? r->est_abs_err_sum_ms / r->est_n : -1, "");
    card(pg, "", L(pg, L_EST), v, r->est_n ? unit : "", sub);

    (void)snprintf(v, sizeof(v), "%d", open);
    fmtl(pg, sub, sizeof(sub), L_FOLLOW_SUB, over, soon);
    card(pg, over > 0 ? "bad" : "", L(pg, L_FOLLOW), v, "", sub);
    hk_buf_puts(&pg->b, "</section>\n");
}

/* A "nice" axis maximum >= v and its gridline step (1, 2, 5 x 10^k). */
static void axis(int64_t v, int64_t *max_out, int64_t *step_out)
{
    int64_t step = 1;

    if(v < 4)
        v = 4;
    for(;;) {
        if(step * 4 >= v)
            break;
        if(step * 2 * 4 >= v) {
            step *= 2;
            break;
        }
        if(step * 5 * 4 >= v) {
            step *= 5;
            break;
        }
        step *= 10;
    }
    *step_out = step;
    *max_out = (v + step - 1) / step * step;
}

/* Gridlines and y labels of a chart whose plot spans x0..x1, y0 (top)..y1. */
static void grid(page_t *pg, int x0, int x1, int y0, int y1, int64_t max, int64_t step)
{
    int64_t g;

    for(g = 0; g <= max; g += step) {
        double y = y1 - (double)(y1 - y0) * (double)g / (double)max;
        hk_buf_printf(&pg->b,
                      "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>"
                      "<text class=\"ax\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%lld</text>\n",
                      x0, y, x1, y, g == 0 ? "#8c959f" : "#eaeef2", x0 - 6, y + 4.0, (long long)g);
    }
}

static void wait_chart(page_t *pg, const report_t *r)
{
    const int x0 = 44, x1 = CHART_W - 8, y0 = 22, y1 = CHART_H - 40;
    const int slot = (x1 - x0) / REPORT_BANDS, bw = slot * 62 / 100;
    int64_t top = 0, max, step;
    int i;

    hk_buf_puts(&pg->b, "<div class=\"chart\">");
    hk_buf_printf(&pg->b, "<h2>%s<small>", L(pg, L_WAIT_CHART));
    putl(pg, L_WAIT_CHART_SUB, (long long)r->wait.n);
    hk_buf_printf(&pg->b,
                  "</small></h2>\n<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n",
                  CHART_W, CHART_H, L(pg, L_WAIT_CHART));
    for(i = 0; i < REPORT_BANDS; i++)
        top = r->wait.bands[i] > top ? r->wait.bands[i] : top;
    axis(top, &max, &step);
    grid(pg, x0, x1, y0, y1, max, step);
    for(i = 0; i < REPORT_BANDS; i++) {
        double h = (double)(y1 - y0) * (double)r->wait.bands[i] / (double)max;
        int x = x0 + slot * i + (slot - bw) / 2;
        char pct[24];

        fmt_rate(pct, sizeof(pct), report_ratio(r->wait.bands[i], r->wait.n));
        hk_buf_printf(
            &pg->b,
            "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" rx=\"3\" fill=\"%s\"/>\n", x,
            y1 - h, bw, h, band_colors[i]);
        if(r->wait.n > 0)
            hk_buf_printf(&pg->b,
                          "<text class=\"vl\" x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%lld"
                          "<tspan class=\"ax\" font-weight=\"400\"> · %s</tspan></text>\n",
                          x + bw / 2, y1 - h - 6.0, (long long)r->wait.bands[i], pct);
        if(i + 1 < REPORT_BANDS)
            hk_buf_printf(
                &pg->b,
                "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d–%d</text>\n",
                x + bw / 2, y1 + 18, report_band_from_min[i], report_band_from_min[i + 1]);
        else
            hk_buf_printf(
                &pg->b, "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">≥ %d</text>\n",
                x + bw / 2, y1 + 18, report_band_from_min[i]);
    }
    hk_buf_printf(&pg->b, "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                  (x0 + x1) / 2, CHART_H - 4, L(pg, L_MIN));
    if(r->wait.n == 0)
        hk_buf_printf(&pg->b,
                      "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                      (x0 + x1) / 2, (y0 + y1) / 2, L(pg, L_NO_DATA));
    hk_buf_puts(&pg->b, "</svg></div>\n");
}

/* The right axis of the mean-wait line: whole minutes per gridline, so
 * its labels sit on the left axis's gridlines (lines of them). */
static int64_t wait_axis_step(double top_min, int64_t lines)
{
    static const int64_t steps[] = { 1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 240 };
    size_t i;

    for(i = 0; i < sizeof(steps) / sizeof(steps[0]) - 1; i++) {
        if((double)(steps[i] * lines) >= top_min)
            break;
    }
    return steps[i];
}

/* Arrivals per hour as bars (left axis) and the mean wait of those
 * arrivals as a line (right axis, minutes): when the queue built up. */
static void arrivals_chart(page_t *pg, const report_t *r)
{
    const int x0 = 44, x1 = CHART_W - 44, y0 = 22, y1 = CHART_H - 40;
    int64_t top = 0, max, step, wstep;
    double wtop = 0, px = 0, py = 0;
    int h0 = 8, h1 = 18, i, slot, bw; /* at least the usual opening hours */
    bool prev = false;

    for(i = 0; i < 24; i++) {
        if(r->arrivals[i] == 0)
            continue;
        h0 = i < h0 ? i : h0;
        h1 = i + 1 > h1 ? i + 1 : h1;
        top = r->arrivals[i] > top ? r->arrivals[i] : top;
        if(r->wait_hour_n[i] > 0) {
            double m = (double)r->wait_hour_sum_ms[i] / (double)r->wait_hour_n[i] / MS_PER_MIN;
            wtop = m > wtop ? m : wtop;
        }
    }
    slot = (x1 - x0) / (h1 - h0);
    bw = slot * 70 / 100;
    hk_buf_puts(&pg->b, "<div class=\"chart\">");
    hk_buf_printf(&pg->b, "<h2>%s<small>%s</small></h2>\n", L(pg, L_ARR_CHART),
                  L(pg, L_ARR_CHART_SUB));
    hk_buf_printf(&pg->b, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", CHART_W,
                  CHART_H, L(pg, L_ARR_CHART));
    axis(top, &max, &step);
    grid(pg, x0, x1, y0, y1, max, step);
    wstep = wait_axis_step(wtop, max / step);
    for(i = 1; wtop > 0 && i <= max / step; i++)
        hk_buf_printf(&pg->b,
                      "<text class=\"ax\" x=\"%d\" y=\"%.1f\" style=\"fill:#e65100\">%lld</text>\n",
                      x1 + 6, y1 - (double)(y1 - y0) * (double)i / (double)(max / step) + 4.0,
                      (long long)(wstep * i));
    for(i = h0; i < h1; i++) {
        double h = (double)(y1 - y0) * (double)r->arrivals[i] / (double)max;
        int x = x0 + slot * (i - h0) + (slot - bw) / 2;

        hk_buf_printf(
            &pg->b,
            "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" rx=\"2\" fill=\"#1565c0\"/>\n",
            x, y1 - h, bw, h);
        if(r->arrivals[i] > 0)
            hk_buf_printf(
                &pg->b,
                "<text class=\"vl\" x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%lld</text>\n",
                x + bw / 2, y1 - h - 5.0, (long long)r->arrivals[i]);
        hk_buf_printf(&pg->b,
                      "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%02d</text>\n",
                      x + bw / 2, y1 + 18, i);
    }
    /* the line: a segment only between consecutive hours that both have
     * called visits, so an empty hour is not drawn as a slope */
    for(i = h0; i < h1; i++) {
        double m, x, y;

        if(r->wait_hour_n[i] <= 0) {
            prev = false;
            continue;
        }
        m = (double)r->wait_hour_sum_ms[i] / (double)r->wait_hour_n[i] / MS_PER_MIN;
        x = x0 + slot * (i - h0) + slot / 2.0;
        y = y1 - (double)(y1 - y0) * m / (double)(wstep * (max / step));
        if(prev)
            hk_buf_printf(
                &pg->b,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e65100\" "
                "stroke-width=\"2.5\"/>\n",
                px, py, x, y);
        hk_buf_printf(&pg->b,
                      "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#fff\" stroke=\"#e65100\" "
                      "stroke-width=\"2.5\"/>\n",
                      x, y);
        px = x;
        py = y;
        prev = true;
    }
    hk_buf_printf(&pg->b, "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                  (x0 + x1) / 2, CHART_H - 4, pg->en ? "hour of day" : "时段");
    hk_buf_puts(&pg->b, "</svg>\n<div class=\"legend\">");
    hk_buf_printf(
        &pg->b,
        "<span><i style=\"background:#1565c0\"></i>%s</span>"
        "<span><i style=\"background:#e65100;height:3px;vertical-align:middle\"></i>%s</span>",
        L(pg, L_ARR_LEGEND), L(pg, L_ARR_WAIT_LEGEND));
    hk_buf_puts(&pg->b, "</div></div>\n");
}

/* One horizontal bar: the share of each rating level, best on the left. */
static void levels_bar(page_t *pg, const report_t *r)
{
    const int w = 1060, h = 34;
    double x = 0;
    int lv;

    hk_buf_printf(&pg->b, "<h2>%s<small>", L(pg, L_LEVELS));
    putl(pg, L_PART_SUB, (long long)r->rated, (long long)r->served);
    hk_buf_puts(&pg->b, "</small></h2>\n");
    if(r->rated <= 0) {
        hk_buf_printf(&pg->b, "<p class=\"muted\">%s</p>\n", L(pg, L_NO_RATINGS));
        return;
    }
    hk_buf_printf(&pg->b, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", w, h,
                  L(pg, L_LEVELS));
    for(lv = REPORT_LEVELS - 1; lv >= 1; lv--) {
        double bw = (double)w * (double)r->levels[lv] / (double)r->rated;
        char pct[24];

        if(r->levels[lv] == 0)
            continue;
        fmt_rate(pct, sizeof(pct), report_ratio(r->levels[lv], r->rated));
        hk_buf_printf(&pg->b,
                      "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", x,
                      bw, h, level_colors[lv]);
        if(bw >= 70)
            hk_buf_printf(&pg->b,
                          "<text x=\"%.1f\" y=\"22\" text-anchor=\"middle\" font-size=\"13\" "
                          "font-weight=\"600\" style=\"fill:%s\">%lld · %s</text>\n",
                          x + bw / 2, lv == 3 ? "#1f2328" : "#fff", (long long)r->levels[lv], pct);
        x += bw;
    }
    hk_buf_puts(&pg->b, "</svg>\n<div class=\"legend\">");
    for(lv = REPORT_LEVELS - 1; lv >= 1; lv--)
        hk_buf_printf(&pg->b, "<span><i style=\"background:%s\"></i>%s %lld</span>",
                      level_colors[lv], L(pg, (lbl_t)(L_LEVEL1 + lv - 1)),
                      (long long)r->levels[lv]);
    hk_buf_puts(&pg->b, "</div>\n");
}

static void rate_cell(page_t *pg, int64_t num, int64_t den)
{
    double v = report_ratio(num, den);
    char pct[24];

    fmt_rate(pct, sizeof(pct), v);
    if(v < 0) {
        hk_buf_puts(&pg->b, "<td class=\"n muted\">–</td>");
        return;
    }
    hk_buf_printf(&pg->b,
                  "<td class=\"n%s\"><span class=\"bar\" style=\"width:%dpx\"></span>%s</td>",
                  v < LOW_SAT ? " low" : "", (int)(v * 60.0 + 0.5), pct);
}

static void units_table(page_t *pg, const report_t *r)
{
    const char *unit = L(pg, L_MIN);
    lbl_t title = r->scope == REPORT_SCOPE_CITY       ? L_UNITS_BRANCH
                  : r->scope == REPORT_SCOPE_PROVINCE ? L_UNITS_CITY
                                                      : L_UNITS_PROVINCE;
    char a[48], b[48], c[24];
    int i;

    hk_buf_printf(&pg->b, "<h2>%s</h2>\n<table>\n<thead><tr><th>%s</th>", L(pg, title),
                  L(pg, L_NAME));
    if(r->scope > REPORT_SCOPE_CITY)
        hk_buf_printf(&pg->b, "<th class=\"n\">%s</th>", L(pg, L_BRANCHES));
    hk_buf_printf(&pg->b,
                  "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
                  "<th class=\"n\">P90</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
                  "<th class=\"n\">%s</th></tr></thead>\n<tbody>\n",
                  L(pg, L_ISSUED), L(pg, L_SERVED), L(pg, L_WAIT_MEAN), L(pg, L_NO_SHOW_RATE),
                  L(pg, L_SAT), L(pg, L_DISSAT));
    for(i = 0; i < r->n_units && i < pg->o->max_unit_rows; i++) {
        const report_unit_t *u = &r->units[i];

        fmt_min(a, sizeof(a), mean_ms(u->wait_sum_ms, u->wait_n), unit);
        fmt_min(b, sizeof(b), u->wait_p90_ms, unit);
        fmt_rate(c, sizeof(c), report_ratio(u->no_show, u->called));
        hk_buf_puts(&pg->b, "<tr><td>");
        hk_buf_html(&pg->b, pick_name(pg, u->name_zh, u->name_en, u->id));
        hk_buf_puts(&pg->b, " <span class=\"muted\">");
        hk_buf_html(&pg->b, u->id);
        hk_buf_puts(&pg->b, "</span></td>");
        if(r->scope > REPORT_SCOPE_CITY)
            hk_buf_printf(&pg->b, "<td class=\"n\">%lld</td>", (long long)u->branches);
        hk_buf_printf(&pg->b,
                      "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n%s\">%s</td>"
                      "<td class=\"n\">%s</td><td class=\"n\">%s</td>",
                      (long long)u->issued, (long long)u->served,
                      pg->o->wait_alert_ms > 0 &&
                              mean_ms(u->wait_sum_ms, u->wait_n) > pg->o->wait_alert_ms
                          ? " low"
                          : "",
                      a, b, c);
        rate_cell(pg, u->satisfied, u->rated);
        hk_buf_printf(&pg->b, "<td class=\"n%s\">%lld</td></tr>\n", u->dissatisfied ? " low" : "",
                      (long long)u->dissatisfied);
    }
    hk_buf_puts(&pg->b, "</tbody>\n</table>\n");
    if(r->n_units > pg->o->max_unit_rows) {
        hk_buf_puts(&pg->b, "<p class=\"note\">");
        putl(pg, L_MORE_UNITS, r->n_units - pg->o->max_unit_rows);
        hk_buf_puts(&pg->b, "</p>\n");
    }
}

/* A branch's name when the roll-up's units are branches (a city), else
 * its id. */
static const char *branch_name(const page_t *pg, const report_t *r, const char *id)
{
    int i;

    for(i = 0; i < r->n_units; i++) {
        const report_unit_t *u = &r->units[i];
        if(u->scope == REPORT_SCOPE_BRANCH && strcmp(u->id, id) == 0)
            return pick_name(pg, u->name_zh, u->name_en, u->id);
    }
    return id;
}

static int cmp_staff_busy(const void *a, const void *b)
{
    const report_staff_t *x = *(const report_staff_t *const *)a;
    const report_staff_t *y = *(const report_staff_t *const *)b;
    int c;

    if(x->served != y->served)
        return x->served > y->served ? -1 : 1;
    if(x->rated != y->rated)
        return x->rated > y->rated ? -1 : 1;
    c = strcmp(x->branch, y->branch);
    return c != 0 ? c : strcmp(x->id, y->id);
}

static hk_err_t staff_table(page_t *pg, const report_t *r)
{
    const report_staff_t **order;
    bool roll = r->scope != REPORT_SCOPE_BRANCH;
    char a[48];
    int i, shown;

    hk_buf_printf(&pg->b, "<h2>%s</h2>\n", L(pg, L_STAFF));
    if(r->n_staff == 0) {
        hk_buf_printf(&pg->b, "<p class=\"muted\">%s</p>\n", L(pg, L_NO_DATA));
        return HK_OK;
    }
    order = hk_malloc((size_t)r->n_staff * sizeof(*order));
    if(!order)
        return HK_ERR_NOMEM;
    for(i = 0; i < r->n_staff; i++)
        order[i] = &r->staff[i];
    qsort(order, (size_t)r->n_staff, sizeof(*order), cmp_staff_busy);
    shown = r->n_staff < pg->o->max_staff_rows ? r->n_staff : pg->o->max_staff_rows;

    hk_buf_printf(&pg->b, "<table>\n<thead><tr><th>%s</th>", L(pg, L_STAFF_ID));
    if(roll)
        hk_buf_printf(&pg->b, "<th>%s</th>", L(pg, L_BRANCH));
    hk_buf_printf(&pg->b,
                  "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
                  "<th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead>\n<tbody>\n",
                  L(pg, L_SERVED), L(pg, L_SERVICE_MEAN), L(pg, L_RATINGS), L(pg, L_SAT),
                  L(pg, L_DISSAT));
    for(i = 0; i < shown; i++) {
        const report_staff_t *s = order[i];

        hk_buf_puts(&pg->b, "<tr><td>");
        if(!s->id[0]) {
            hk_buf_printf(&pg->b, "<span class=\"muted\">%s</span>", L(pg, L_NOBODY));
        } else if(s->name[0]) {
            hk_buf_html(&pg->b, s->name);
            hk_buf_puts(&pg->b, " <span class=\"muted\">");
            hk_buf_html(&pg->b, s->id);
            hk_buf_puts(&pg->b, "</span>");
        } else {
            hk_buf_html(&pg->b, s->id);
        }
        hk_buf_puts(&pg->b, "</td>");
        if(roll) {
            hk_buf_puts(&pg->b, "<td>");
            hk_buf_html(&pg->b, branch_name(pg, r, s->branch));
            hk_buf_puts(&pg->b, "</td>");
        }
        fmt_min(a, sizeof(a), mean_ms(s->service_sum_ms, s->service_n), L(pg, L_MIN));
        hk_buf_printf(&pg->b,
                      "<td class=\"n\">%lld</td><td class=\"n\">%s</td><td class=\"n\">%lld</td>",
                      (long long)s->served, a, (long long)s->rated);
        rate_cell(pg, s->satisfied, s->rated);
        hk_buf_printf(&pg->b, "<td class=\"n%s\">%lld</td></tr>\n", s->dissatisfied ? " low" : "",
                      (long long)s->dissatisfied);
    }
    hk_buf_puts(&pg->b, "</tbody>\n</table>\n");
    if(shown < r->n_staff) {
        hk_buf_puts(&pg->b, "<p class=\"note\">");
        putl(pg, L_MORE_STAFF, r->n_staff - shown);
        hk_buf_puts(&pg->b, "</p>\n");
    }
    hk_free(order);
    return HK_OK;
}

/* Overdue (longest overdue first), open (nearest deadline first), then
 * closed (latest first); the rank is decided before sorting, so the
 * comparison needs no now_ms. */
typedef struct case_ref {
    const report_html_case_t *c;
    int rank; /* 0 overdue, 1 open, 2 closed */
} case_ref_t;

static int cmp_case(const void *a, const void *b)
{
    const case_ref_t *x = a, *y = b;

    if(x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if(x->rank == 2) {
        if(x->c->closed_ms != y->c->closed_ms)
            return x->c->closed_ms > y->c->closed_ms ? -1 : 1;
    } else if(x->c->deadline_ms != y->c->deadline_ms) {
        return x->c->deadline_ms < y->c->deadline_ms ? -1 : 1;
    }
    return strcmp(x->c->id, y->c->id);
}

static hk_err_t cases_table(page_t *pg, const report_html_case_t *cases, int n)
{
    const int64_t now = pg->o->now_ms;
    case_ref_t *refs;
    char t1[32], t2[32];
    int i;

    hk_buf_printf(&pg->b, "<h2>%s</h2>\n", L(pg, L_CASES));
    if(n == 0) {
        hk_buf_printf(&pg->b, "<p class=\"muted\">%s</p>\n", L(pg, L_NO_CASES));
        return HK_OK;
    }
    refs = hk_malloc((size_t)n * sizeof(*refs));
    if(!refs)
        return HK_ERR_NOMEM;
    for(i = 0; i < n; i++) {
        refs[i].c = &cases[i];
        refs[i].rank = cases[i].closed ? 2 : now > cases[i].deadline_ms ? 0 : 1;
    }
    qsort(refs, (size_t)n, sizeof(*refs), cmp_case);
    hk_buf_printf(&pg->b,
                  "<table>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                  "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
                  L(pg, L_STATUS), L(pg, L_CASE_ID), L(pg, L_BRANCH), L(pg, L_NUMBER),
                  L(pg, L_KIND), L(pg, L_OPENED), L(pg, L_DEADLINE), L(pg, L_OWNER),
                  L(pg, L_CALLBACK), L(pg, L_CAUSE));
    for(i = 0; i < n; i++) {
        const report_html_case_t *c = refs[i].c;
        const char *row = refs[i].rank == 0 ? "over" : refs[i].rank == 2 ? "closed" : "";

        hk_buf_printf(&pg->b, "<tr class=\"%s\"><td>", row);
        if(refs[i].rank == 0) {
            hk_buf_puts(&pg->b, "<span class=\"badge b-over\">");
            putl(pg, L_OVERDUE, (long long)((now - c->deadline_ms) / MS_PER_DAY + 1));
            hk_buf_puts(&pg->b, "</span>");
        } else if(c->closed) {
            hk_buf_printf(&pg->b, "<span class=\"badge %s\">%s</span>",
                          c->closed_ms > c->deadline_ms ? "b-late" : "b-closed",
                          L(pg, c->closed_ms > c->deadline_ms ? L_CLOSED_LATE : L_CLOSED));
        } else if(c->deadline_ms - now <= DUE_SOON_MS) {
            hk_buf_printf(&pg->b, "<span class=\"badge b-soon\">%s</span>", L(pg, L_DUE_SOON));
        } else {
            hk_buf_printf(&pg->b, "<span class=\"badge b-open\">%s</span>", L(pg, L_OPEN));
        }
        hk_buf_puts(&pg->b, "</td><td class=\"nw\">");
        hk_buf_html(&pg->b, c->id);
        hk_buf_puts(&pg->b, "</td><td class=\"nw\">");
        hk_buf_html(&pg->b, c->branch);
        hk_buf_puts(&pg->b, "</td><td class=\"nw\">");
        hk_buf_html(&pg->b, c->number[0] ? c->number : "–");
        hk_buf_puts(&pg->b, "</td><td class=\"nw\">");
        if(c->level >= 1 && c->level < REPORT_LEVELS)
            hk_buf_printf(&pg->b, "<span style=\"color:%s;font-weight:600\">%s</span>",
                          level_colors[c->level], L(pg, (lbl_t)(L_LEVEL1 + c->level - 1)));
        else
            hk_buf_puts(&pg->b, L(pg, L_ISSUE));
        fmt_time(t1, sizeof(t1), c->opened_ms, pg->o->utc_offset_min);
        /* a deadline is always the end of a day: its date says it */
        fmt_time(t2, sizeof(t2), c->deadline_ms, pg->o->utc_offset_min);
        t2[10] = '\0';
        hk_buf_printf(&pg->b, "</td><td class=\"t\">%s</td><td class=\"t nw%s\">%s</td><td>", t1,
                      refs[i].rank == 0 ? " due" : "", t2);
        if(c->owner[0])
            hk_buf_html(&pg->b, c->owner);
        else
            hk_buf_printf(&pg->b, "<span class=\"low\">%s</span>", L(pg, L_UNASSIGNED));
        hk_buf_printf(&pg->b, "</td><td>%s</td><td>",
                      c->callback_done ? "✓" : "<span class=\"muted\">—</span>");
        hk_buf_html(&pg->b, c->cause);
        hk_buf_puts(&pg->b, "</td></tr>\n");
    }
    hk_buf_puts(&pg->b, "</tbody>\n</table>\n");
    hk_free(refs);
    return HK_OK;
}
