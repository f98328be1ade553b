/*
 * i18n: the compiled-in string catalogue (zh-CN, en). Customer-facing text
 * is plain and short: every screen answers "what do I do next".
 */
#include "i18n.h"

#include <stdio.h>
#include <string.h>

static const char *const catalogue[I18N_KEY_COUNT][I18N_LANG_COUNT] = {
    [I18N_WELCOME] = { "欢迎光临", "Welcome" },
    [I18N_TOUCH_TO_START] = { "轻触屏幕开始", "Touch the screen to start" },
    [I18N_LANG_TOGGLE] = { "English", "中文" },
    [I18N_LARGE_ON] = { "大字模式", "Large text" },
    [I18N_LARGE_OFF] = { "标准字体", "Normal text" },
    [I18N_HOME_TITLE] = { "您好，请选择服务", "Hello, how can we help?" },
    [I18N_TILE_TAKE] = { "取号", "Take a number" },
    [I18N_TILE_TAKE_SUB] = { "到柜台办理业务，请先取号", "Get a queue number for the counter" },
    [I18N_TILE_FAQ] = { "常见问题", "FAQ" },
    [I18N_TILE_FAQ_SUB] = { "自助查询解答", "Find answers yourself" },
    [I18N_TILE_SUBMIT] = { "意见反馈", "Report a problem" },
    [I18N_TILE_SUBMIT_SUB] = { "报障、投诉、建议", "Faults, complaints, ideas" },
    [I18N_TILE_RATE] = { "服务评价", "Rate our service" },
    [I18N_TILE_RATE_SUB] = { "评价帮助我们改进", "Tell us how we did" },
    [I18N_WAITING_NOW_D] = { "当前等候 %d 人", "Waiting now: %d" },
    [I18N_HOURS_TODAY_S] = { "今日营业时间 %s", "Open today %s" },
    [I18N_CLOSED_TODAY] = { "今日不营业", "Closed today" },
    [I18N_CHOOSE_SERVICE] = { "请选择业务类型", "Choose a service" },
    [I18N_CHOOSE_SERVICE_SUB] = { "取号后请留意大厅叫号屏幕和语音",
                                  "Then watch the hall display for your number" },
    [I18N_SVC_WAITING_D] = { "等候 %d 人", "%d waiting" },
    [I18N_SVC_EST_D] = { "约 %d 分钟", "about %d min" },
    [I18N_SVC_NO_WAIT] = { "无需等候", "No wait" },
    [I18N_SVC_NO_COUNTER] = { "窗口暂未开放", "No counter open yet" },
    [I18N_SVC_CLOSED] = { "暂停取号", "Closed now" },
    [I18N_SVC_HOURS_S] = { "办理时间 %s", "Hours %s" },
    [I18N_VIP_TAG] = { "贵宾", "VIP" },
    [I18N_BACK] = { "返回", "Back" },
    [I18N_HOME] = { "首页", "Home" },
    [I18N_YOUR_NUMBER] = { "您的号码", "Your number" },
    [I18N_AHEAD_D] = { "前面还有 %d 人", "People ahead of you: %d" },
    [I18N_AHEAD_NONE] = { "前面没有人等候", "Nobody is ahead of you" },
    [I18N_EST_WAIT_D] = { "预计等候约 %d 分钟", "Estimated wait about %d min" },
    [I18N_EST_NONE] = { "暂时无法估算等候时间", "No wait estimate yet" },
    [I18N_EST_NOTE] = { "估算时间，仅供参考", "An estimate, not a promise" },
    [I18N_ISSUED_AT_S] = { "取号时间 %s", "Issued %s" },
    [I18N_SCAN_QR] = { "扫码查看排队进度", "Scan to follow your place" },
    [I18N_PRINTING] = { "正在打印小票…", "Printing your ticket…" },
    [I18N_PRINTED] = { "小票已打印，请取走", "Please take your printed ticket" },
    [I18N_PRINT_FAULT] = { "打印机暂时无法出票，请记住号码或扫码保存",
                           "The printer cannot print now. Please note your number or scan the code" },
    [I18N_PRINT_FAULT_STAFF] = { "您的号码已生效，工作人员已收到提醒",
                                 "Your number is valid. Our staff have been told" },
    [I18N_NO_PRINTER] = { "本机不打印小票，请记住您的号码",
                          "This terminal does not print. Please note your number" },
    [I18N_DONE] = { "完成", "Done" },
    [I18N_AUTO_RETURN_D] = { "%d 秒后返回首页", "Back to start in %d s" },
    [I18N_WATCH_DISPLAY] = { "请留意叫号屏幕和语音提示",
                             "Watch the hall display and listen for your number" },
    [I18N_UNAVAILABLE] = { "本终端暂未开通此项服务", "Not available on this terminal yet" },
    [I18N_UNAVAILABLE_HELP] = { "如需帮助，请到服务台咨询工作人员",
                                "Please ask our staff at the service desk" },
    [I18N_CLOSED_TITLE_S] = { "%s 暂停取号", "%s is closed now" },
    [I18N_OK] = { "知道了", "OK" },
    [I18N_ERROR_TITLE] = { "暂时无法取号", "Cannot issue a number now" },
    [I18N_ERROR_MSG] = { "请稍后再试，或咨询工作人员", "Please try again or ask our staff" },
    [I18N_TICKET_SERVICE] = { "业务类型", "Service" },
    [I18N_TICKET_AHEAD] = { "前面等候", "People ahead" },
    [I18N_TICKET_WAIT] = { "预计等候", "Estimated wait" },
    [I18N_TICKET_TIME] = { "取号时间", "Issued" },
    [I18N_MINUTES_D] = { "约 %d 分钟", "about %d min" },
    [I18N_PEOPLE_D] = { "%d 人", "%d" },
};

static const char *const weekdays[I18N_LANG_COUNT][7] = {
    { "星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六" },
    { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" },
};

static const char *const months_en[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

const char *i18n_get(i18n_lang_t lang, i18n_key_t key)
{
    const char *s;

    if((unsigned)key >= I18N_KEY_COUNT)
        return "";
    if((unsigned)lang >= I18N_LANG_COUNT)
        lang = I18N_ZH;
    s = catalogue[key][lang];
    if(!s)
        s = catalogue[key][I18N_ZH];
    return s ? s : "";
}

i18n_lang_t i18n_lang_from_code(const char *code)
{
    if(code && (!strcmp(code, "en") || !strncmp(code, "en-", 3)))
        return I18N_EN;
    return I18N_ZH;
}

const char *i18n_weekday(i18n_lang_t lang, int wday)
{
    if((unsigned)lang >= I18N_LANG_COUNT)
        lang = I18N_ZH;
    return weekdays[lang][((wday % 7) + 7) % 7];
}

const char *i18n_month_en(int m)
{
    return (m >= 1 && m <= 12) ? months_en[m - 1] : "";
}

void i18n_format(char *buf, unsigned size, i18n_lang_t lang, i18n_key_t key, const char *arg)
{
    const char *fmt = i18n_get(lang, key);
    const char *ph = strstr(fmt, "%d");
    const char *ph_s = strstr(fmt, "%s");

    if(!ph || (ph_s && ph_s < ph))
        ph = ph_s;
    if(!size)
        return;
    if(!ph) {
        snprintf(buf, size, "%s", fmt);
        return;
    }
    snprintf(buf, size, "%.*s%s%s", (int)(ph - fmt), fmt, arg ? arg : "", ph + 2);
}

void i18n_format_int(char *buf, unsigned size, i18n_lang_t lang, i18n_key_t key, int arg)
{
    char num[16];

    snprintf(num, sizeof(num), "%d", arg);
    i18n_format(buf, size, lang, key, num);
}
