/*
 * label: line breaking and drawing of wrapped UI text through gfx_t.
 * Widths come from gfx text_size on whole candidate lines (so kerning is
 * honoured); gfx caches them, so re-laying out on every draw is cheap.
 */
#include "label.h"

#include <string.h>

#define MAX_LINES 16

typedef struct line {
    size_t start, len;
} line_t;

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

static int is_wide(const char *s)
{
    return (unsigned char)s[0] >= 0xE1; /* CJK and friends */
}

/* Characters that must not begin a line (Chinese closing punctuation). */
static int no_break_before(const char *s)
{
    static const char *const closers[] = { "，", "。", "、", "；", "：", "？", "！",
                                           "）", "」", "』", "》", "…",  "%",  NULL };
    int i;

    for(i = 0; closers[i]; i++)
        if(!strncmp(s, closers[i], strlen(closers[i])))
            return 1;
    return 0;
}

int ui_label_line_h(int size_px)
{
    return size_px * 13 / 10;
}

int ui_label_width(gfx_t *g, gfx_weight_t wt, int size_px, const char *text)
{
    int w = 0;

    gfx_text_size(g, wt, size_px, text, strlen(text), &w, NULL);
    return w;
}

static int fits(gfx_t *g, gfx_weight_t wt, int px, const char *s, size_t len, int max_w)
{
    int w = 0;

    gfx_text_size(g, wt, px, s, len, &w, NULL);
    return w <= max_w;
}

/* Greedy line breaking; returns the number of lines, sets *truncated when
 * text remained after max_lines. */
static int break_lines(gfx_t *g, gfx_weight_t wt, int px, int max_w, int max_lines,
                       const char *text, line_t *lines, int *truncated)
{
    size_t n = strlen(text), pos = 0;
    int cnt = 0;

    *truncated = 0;
    if(max_lines <= 0 || max_lines > MAX_LINES)
        max_lines = MAX_LINES;
    while(pos < n && cnt < max_lines) {
        size_t end = pos, last_break = 0, i;
        /* explicit newline */
        while(text[pos] == ' ')
            pos++;
        end = pos;
        i = pos;
        while(i < n && text[i] != '\n') {
            size_t cl = utf8_len((unsigned char)text[i]);
            size_t next = i + cl > n ? n : i + cl;
            if(!fits(g, wt, px, text + pos, next - pos, max_w) && i > pos)
                break;
            /* break opportunity after this char: CJK char or a space */
            if(next < n &&
               (is_wide(text + i) || text[i] == ' ' || text[next] == ' ' || is_wide(text + next)) &&
               !no_break_before(text + next))
                last_break = next;
            i = next;
        }
        if(i >= n || text[i] == '\n') {
            end = i;
        } else if(last_break > pos) {
            end = last_break;
        } else {
            end = i; /* one long word: hard break */
        }
        lines[cnt].start = pos;
        lines[cnt].len = end - pos;
        while(lines[cnt].len && text[pos + lines[cnt].len - 1] == ' ')
            lines[cnt].len--;
        cnt++;
        pos = end;
        if(pos < n && text[pos] == '\n')
            pos++;
    }
    if(pos < n)
        *truncated = 1;
    return cnt;
}

int ui_label_measure(gfx_t *g, gfx_weight_t wt, int size_px, int max_w, int max_lines,
                     const char *text, int *w_out)
{
    line_t lines[MAX_LINES];
    int truncated, cnt, i, widest = 0;

    cnt = break_lines(g, wt, size_px, max_w, max_lines, text, lines, &truncated);
    for(i = 0; i < cnt; i++) {
        int w = 0;
        gfx_text_size(g, wt, size_px, text + lines[i].start, lines[i].len, &w, NULL);
        if(w > widest)
            widest = w;
    }
    if(w_out)
        *w_out = widest > max_w ? max_w : widest;
    return cnt * ui_label_line_h(size_px);
}

int ui_label_draw(gfx_t *g, gfx_weight_t wt, int size_px, gfx_color_t c, gfx_rect_t box,
                  ui_align_t align, int max_lines, const char *text)
{
    line_t lines[MAX_LINES];
    int truncated, cnt, i, lh = ui_label_line_h(size_px);
    /* center glyphs vertically in the line box: SDL_ttf's box is ~1.45 em */
    int pad = (lh - size_px * 145 / 100) / 2;

    cnt = break_lines(g, wt, size_px, box.w, max_lines, text, lines, &truncated);
    for(i = 0; i < cnt; i++) {
        char buf[512];
        const char *s = text + lines[i].start;
        size_t len = lines[i].len;
        int w = 0, x;

        if(truncated && i == cnt - 1) {
            /* shorten the last line until it fits with an ellipsis */
            while(len > 0) {
                size_t k = len;
                while(k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
                    k--;
                len = k > 0 ? k - 1 : 0;
                if(len + 4 > sizeof(buf))
                    continue;
                memcpy(buf, s, len);
                memcpy(buf + len, "…", 4);
                if(fits(g, wt, size_px, buf, len + 3, box.w))
                    break;
            }
            memcpy(buf, s, len);
            memcpy(buf + len, "…", 3);
            s = buf;
            len += 3;
        }
        gfx_text_size(g, wt, size_px, s, len, &w, NULL);
        x = box.x;
        if(align == UI_ALIGN_CENTER)
            x = box.x + (box.w - w) / 2;
        else if(align == UI_ALIGN_RIGHT)
            x = box.x + box.w - w;
        gfx_draw_text(g, wt, size_px, c, x, box.y + i * lh + pad, s, len);
    }
    return cnt * lh;
}

int ui_label_put(gfx_t *g, bool draw, gfx_weight_t wt, int size_px, gfx_color_t c, gfx_rect_t box,
                 ui_align_t align, int max_lines, const char *text)
{
    if(!draw)
        return ui_label_measure(g, wt, size_px, box.w, max_lines, text, NULL);
    return ui_label_draw(g, wt, size_px, c, box, align, max_lines, text);
}
