/*
 * richtext: see richtext.h. Layout walks the text in units (one Chinese
 * character, one Latin word, or a run of spaces), measures each unit once
 * (gfx caches widths per string, and units repeat), places them greedily
 * and merges neighbours of one line and one style into a run. A unit
 * wider than the whole line (a long URL) is placed alone and clipped
 * rather than split.
 */
#include "richtext.h"

#include <string.h>

#include "hk_mem.h"

static size_t utf8_len(unsigned char c)
{
    if(c < 0x80)
        return 1;
    if((c & 0xE0) == 0xC0)
        return 2;
    if((c & 0xF0) == 0xE0)
        return 3;
    if((c & 0xF8) == 0xF0)
        return 4;
    return 1;
}

static bool is_wide(const char *s)
{
    return (unsigned char)s[0] >= 0xE1; /* CJK and full-width punctuation */
}

/* Must not begin a line: Chinese closing punctuation. */
static bool closer(const char *s)
{
    static const char *const c[] = { "，", "。", "、", "；", "：", "？", "！", "）",
                                     "」", "』", "》", "…",  "”",  "’",  NULL };
    int i;

    for(i = 0; c[i]; i++)
        if(!strncmp(s, c[i], strlen(c[i])))
            return true;
    return false;
}

void ui_richtext_init(ui_richtext_t *rt)
{
    memset(rt, 0, sizeof(*rt));
}

void ui_richtext_fini(ui_richtext_t *rt)
{
    hk_free(rt->buf);
    hk_free(rt->runs);
    memset(rt, 0, sizeof(*rt));
}

void ui_richtext_clear(ui_richtext_t *rt)
{
    rt->len = 0;
    rt->n = 0;
}

static hk_err_t put_bytes(ui_richtext_t *rt, const char *s, size_t n)
{
    if(rt->len + n + 1 > rt->cap) {
        size_t cap = rt->cap ? rt->cap * 2 : 4096;
        char *nb;
        while(cap < rt->len + n + 1)
            cap *= 2;
        nb = hk_malloc(cap);
        if(!nb)
            return HK_ERR_NOMEM;
        if(rt->len)
            memcpy(nb, rt->buf, rt->len);
        hk_free(rt->buf);
        rt->buf = nb;
        rt->cap = cap;
    }
    memcpy(rt->buf + rt->len, s, n);
    rt->len += n;
    rt->buf[rt->len] = '\0';
    return HK_OK;
}

static ui_rt_run_t *new_run(ui_richtext_t *rt)
{
    if(rt->n == rt->cap_runs) {
        int cap = rt->cap_runs ? rt->cap_runs * 2 : 256;
        ui_rt_run_t *nr = hk_malloc(sizeof(*nr) * (size_t)cap);
        if(!nr)
            return NULL;
        if(rt->n)
            memcpy(nr, rt->runs, sizeof(*nr) * (size_t)rt->n);
        hk_free(rt->runs);
        rt->runs = nr;
        rt->cap_runs = cap;
    }
    memset(&rt->runs[rt->n], 0, sizeof(rt->runs[0]));
    return &rt->runs[rt->n++];
}

/* Must not end a line: opening quotes and brackets. */
static bool opener(const char *s)
{
    static const char *const o[] = { "“", "‘", "（", "《", "「", "『", "【", "(", NULL };
    int i;

    for(i = 0; o[i]; i++)
        if(!strncmp(s, o[i], strlen(o[i])))
            return true;
    return false;
}

static size_t unit_len(const char *s);

/* The unit starting at s: a space run, one wide character, or a word; an
 * opening quote or bracket takes the unit after it along. */
static size_t unit_len(const char *s)
{
    size_t n = 0;

    if(opener(s)) {
        n = utf8_len((unsigned char)s[0]);
        if(s[n] && s[n] != ' ' && s[n] != '\n' && strncmp(s + n, "**", 2))
            n += unit_len(s + n);
        return n;
    }

    if(s[0] == ' ') {
        while(s[n] == ' ')
            n++;
        return n;
    }
    if(is_wide(s))
        return utf8_len((unsigned char)s[0]);
    while(s[n] && s[n] != ' ' && s[n] != '\n' && !is_wide(s + n) && strncmp(s + n, "**", 2))
        n += utf8_len((unsigned char)s[n]);
    return n ? n : 1;
}

hk_err_t ui_richtext_add(ui_richtext_t *rt, gfx_t *g, const char *text, bool emph,
                         ui_rt_style_t style, int px, int x, int y, int w, int line_h, int *h_out)
{
    const char *s = text;
    bool in_emph = false;
    int lx = 0, line = 0;
    ui_rt_run_t *run = NULL; /* the run being extended, on the current line */

    while(*s) {
        size_t n;
        int uw = 0;
        ui_rt_style_t st;

        if(emph && !strncmp(s, "**", 2)) {
            in_emph = !in_emph;
            s += 2;
            run = NULL;
            continue;
        }
        if(*s == '\n') {
            line++;
            lx = 0;
            run = NULL;
            s++;
            continue;
        }
        n = unit_len(s);
        st = in_emph ? UI_RT_EMPH : style;
        if(s[0] == ' ' && lx == 0) { /* no space begins a line */
            s += n;
            continue;
        }
        gfx_text_size(g, st == UI_RT_TEXT || st == UI_RT_MUTED ? GFX_REGULAR : GFX_BOLD, px, s, n,
                      &uw, NULL);
        if(lx > 0 && lx + uw > w && s[0] != ' ' && !closer(s)) {
            line++;
            lx = 0;
            run = NULL;
        }
        if(!run || run->style != st) {
            run = new_run(rt);
            if(!run)
                return HK_ERR_NOMEM;
            run->x = x + lx;
            run->y = y + line * line_h;
            run->h = line_h;
            run->px = px;
            run->off = (uint32_t)rt->len;
            run->style = (uint8_t)st;
        }
        if(run->len + n > 0xFFFF) {
            run = NULL;
            continue;
        }
        if(put_bytes(rt, s, n) != HK_OK)
            return HK_ERR_NOMEM;
        run->len = (uint16_t)(run->len + n);
        lx += uw;
        s += n;
    }
    if(h_out)
        *h_out = (line + (lx > 0 || line > 0 ? 1 : 0)) * line_h;
    return HK_OK;
}

void ui_richtext_draw(const ui_richtext_t *rt, gfx_t *g, int top, int view_h, int dx, int screen_y,
                      const gfx_color_t colours[4])
{
    int lo = 0, hi = rt->n, i;

    /* the first run whose line box ends below top (y is non-decreasing) */
    while(lo < hi) {
        int mid = (lo + hi) / 2;
        if(rt->runs[mid].y + rt->runs[mid].h <= top)
            lo = mid + 1;
        else
            hi = mid;
    }
    for(i = lo; i < rt->n && rt->runs[i].y < top + view_h; i++) {
        const ui_rt_run_t *r = &rt->runs[i];
        /* glyphs centred in the line box: SDL_ttf's box is ~1.45 em */
        int pad = (r->h - r->px * 145 / 100) / 2;
        size_t len = r->len;
        while(len && rt->buf[r->off + len - 1] == ' ')
            len--; /* trailing spaces draw nothing */
        if(!len)
            continue;
        gfx_draw_text(g, r->style == UI_RT_TEXT || r->style == UI_RT_MUTED ? GFX_REGULAR : GFX_BOLD,
                      r->px, colours[r->style], r->x + dx, screen_y + r->y - top + pad,
                      rt->buf + r->off, len);
    }
}
