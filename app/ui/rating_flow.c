/*
 * rating_flow: see rating_flow.h.
 */
#include "rating_flow.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void rating_flow_begin(ui_rate_view_t *r, bool kiosk, const char *number, int countdown_s)
{
    r->phase = UI_RATE_FACES;
    r->level = 0;
    r->chips = 0;
    r->kiosk = kiosk;
    r->countdown_s = countdown_s;
    r->msg[0] = '\0';
    snprintf(r->number, sizeof(r->number), "%s", number ? number : "");
}

static void fill_vote(const ui_rate_view_t *r, rating_vote_t *vote)
{
    memset(vote, 0, sizeof(*vote));
    vote->level = (rating_level_t)r->level;
    if(r->level <= 3)
        vote->reasons = r->chips & RATING_REASONS_ALL;
    else
        vote->praise = r->chips & RATING_PRAISE_ALL;
}

bool rating_flow_intent(ui_rate_view_t *r, const ui_intent_t *in, rating_vote_t *vote)
{
    bool chips = r->phase == UI_RATE_REASONS || r->phase == UI_RATE_PRAISE;

    switch(in->kind) {
    case INTENT_RATE_LEVEL:
        if(r->phase != UI_RATE_FACES || in->arg < 1 || in->arg > 5)
            return false;
        r->level = in->arg;
        r->chips = 0;
        r->phase = in->arg <= 3 ? UI_RATE_REASONS : UI_RATE_PRAISE;
        return false;
    case INTENT_RATE_CHIP:
        if(chips && in->arg > 0 && (unsigned)in->arg <= 8u)
            r->chips ^= (unsigned)in->arg;
        return false;
    case INTENT_RATE_SUBMIT:
        if(!chips)
            return false;
        r->phase = UI_RATE_SENDING;
        fill_vote(r, vote);
        return true;
    default: return false;
    }
}

bool rating_flow_send_now(ui_rate_view_t *r, rating_vote_t *vote)
{
    if((r->phase != UI_RATE_REASONS && r->phase != UI_RATE_PRAISE) || r->level < 1)
        return false;
    r->phase = UI_RATE_SENDING;
    fill_vote(r, vote);
    return true;
}

void rating_flow_result(ui_rate_view_t *r, i18n_lang_t lang, hk_err_t rc)
{
    i18n_key_t why;

    if(rc == HK_OK) {
        r->phase = UI_RATE_THANKS;
        r->msg[0] = '\0';
        return;
    }
    why = rc == HK_ERR_BUSY      ? I18N_RATE_ALREADY
          : rc == HK_ERR_INVALID ? I18N_RATE_CLOSED
                                 : I18N_RATE_FAILED;
    r->phase = UI_RATE_FAILED;
    snprintf(r->msg, sizeof(r->msg), "%s", i18n_get(lang, why));
}

/* "A12" / "a012" -> "A012"; false unless one letter and 1..3 digits. */
static bool normalise(const char *s, size_t len, char number[8])
{
    size_t i;
    int v = 0;

    if(len < 2 || len > 4 || !isalpha((unsigned char)s[0]))
        return false;
    for(i = 1; i < len; i++) {
        if(!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    snprintf(number, 8, "%c%03d", toupper((unsigned char)s[0]), v);
    return true;
}

static bool is_day(const char *s, size_t len)
{
    size_t i;

    if(len != 10)
        return false;
    for(i = 0; i < 10; i++)
        if(i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* Walk the template over the text: literal parts must match, each
 * placeholder takes the text up to the template's next literal. */
static bool match_template(const char *tmpl, const char *text, char day[11], char number[8])
{
    const char *t = tmpl, *x = text;
    bool have_number = false;

    while(*t) {
        if(*t == '{') {
            const char *close = strchr(t, '}'), *stop;
            size_t name_len, len;
            if(!close)
                return false;
            name_len = (size_t)(close - t - 1);
            t = close + 1;
            /* the value ends where the next literal character appears */
            stop = *t ? strchr(x, *t) : x + strlen(x);
            if(!stop)
                return false;
            len = (size_t)(stop - x);
            if(name_len == 3 && !strncmp(close - 3, "day", 3)) {
                if(!is_day(x, len))
                    return false;
                memcpy(day, x, 10);
                day[10] = '\0';
            } else if(name_len == 6 && !strncmp(close - 6, "number", 6)) {
                if(!normalise(x, len, number))
                    return false;
                have_number = true;
            }
            x = stop;
        } else {
            if(*x != *t)
                return false;
            t++;
            x++;
        }
    }
    return have_number && *x == '\0';
}

bool rating_flow_parse(const config_t *cfg, const char *text, char day[11], char number[8])
{
    char buf[256];
    size_t n;
    const char *p, *best = NULL;
    size_t best_len = 0;

    day[0] = '\0';
    number[0] = '\0';
    snprintf(buf, sizeof(buf), "%s", text);
    n = strlen(buf);
    while(n > 0 && isspace((unsigned char)buf[n - 1]))
        buf[--n] = '\0';
    if(cfg->ticket_url_template[0] && match_template(cfg->ticket_url_template, buf, day, number))
        return true;
    day[0] = '\0';
    /* anything else: the last letter-and-digits token in it */
    for(p = buf; *p;) {
        const char *q = p;
        while(*q && isalnum((unsigned char)*q))
            q++;
        if(q > p && normalise(p, (size_t)(q - p), number)) {
            best = p;
            best_len = (size_t)(q - p);
        }
        p = *q ? q + 1 : q;
    }
    if(!best)
        return false;
    return normalise(best, best_len, number);
}

void rating_flow_initials(const config_staff_t *s, i18n_lang_t lang, char *out, unsigned size)
{
    const char *p = s->name_en;
    size_t n = 0;

    if(size == 0)
        return;
    out[0] = '\0';
    if(lang == I18N_ZH && s->name_zh[0]) {
        /* the family name: the first UTF-8 character */
        const unsigned char c = (unsigned char)s->name_zh[0];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if(len < size) {
            memcpy(out, s->name_zh, len);
            out[len] = '\0';
        }
        return;
    }
    while(*p && n + 1 < size && n < 2) {
        while(*p == ' ')
            p++;
        if(!*p)
            break;
        out[n++] = (char)toupper((unsigned char)*p);
        while(*p && *p != ' ')
            p++;
    }
    out[n] = '\0';
}
