/*
 * counter_panel: the clerk's screen. A bar with the counter, its state and
 * who is logged in (and Log out); the current ticket (number, service,
 * state, how long it waited and, live, since it was called); the eight
 * actions, each labelled with its function key; the waiting count of
 * every service this counter serves; a toast line saying what the last
 * action did or why the hub refused it; and the key map. No-show and
 * transfer open a modal choice on this screen (put back or mark missed; a
 * service).
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

#define N_ACTS     (UI_ACT_COUNT - 1)
#define MAX_CHOICE CONFIG_MAX_SERVICES

typedef struct scr_counter_panel {
    scr_base_t base;
    ui_button_t act[N_ACTS]; /* act[i] is action i + 1 */
    ui_button_t logout;
    ui_button_t choice[MAX_CHOICE];
    int choice_arg[MAX_CHOICE];
    int n_choice;
    ui_button_t cancel;
    gfx_rect_t bar, card, waits, toast, hint, modal;
} scr_counter_panel_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_counter_panel_t), g, out);
}

static void enter(void *p)
{
    scr_counter_panel_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < N_ACTS; i++)
        s->act[i].pressed = false;
    for(i = 0; i < MAX_CHOICE; i++)
        s->choice[i].pressed = false;
    s->logout.pressed = s->cancel.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_counter_panel_t *s = p;
    const ui_model_t *m = &s->base.m;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    if(m->counter.pick != UI_PICK_NONE) {
        /* modal: only its choices and Cancel */
        for(i = 0; i < s->n_choice; i++)
            if(ui_button_handle(&s->choice[i], ev, &changed)) {
                in.kind = INTENT_PICK;
                in.arg = s->choice_arg[i];
                return in;
            }
        if(ui_button_handle(&s->cancel, ev, &changed)) {
            in.kind = INTENT_CANCEL;
            return in;
        }
    } else {
        for(i = 0; i < N_ACTS; i++)
            if(ui_button_handle(&s->act[i], ev, &changed)) {
                in.kind = INTENT_COUNTER_ACT;
                in.arg = i + 1;
                return in;
            }
        if(ui_button_handle(&s->logout, ev, &changed)) {
            in.kind = INTENT_LOGOUT;
            return in;
        }
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static const char *act_title(const ui_model_t *m, int act)
{
    static const i18n_key_t keys[UI_ACT_COUNT] = {
        I18N_ACT_CALL_NEXT, I18N_ACT_CALL_NEXT, I18N_ACT_RECALL, I18N_ACT_START,    I18N_ACT_FINISH,
        I18N_ACT_NO_SHOW,   I18N_ACT_PAUSE,     I18N_ACT_OPEN,   I18N_ACT_TRANSFER,
    };

    if(act == UI_ACT_PAUSE && m->counter.state == 2)
        return i18n_get(m->lang, I18N_ACT_RESUME);
    if(act == UI_ACT_OPEN && m->counter.state != 0)
        return i18n_get(m->lang, I18N_ACT_CLOSE);
    return i18n_get(m->lang, keys[act]);
}

static void layout_modal(scr_counter_panel_t *s)
{
    const ui_model_t *m = &s->base.m;
    const config_t *cfg = m->cfg;
    int pad = ui_px(m, 40), bh = ui_px(m, 120), gap = ui_px(m, 20), i, cols, rows, w, top;

    s->n_choice = 0;
    if(m->counter.pick == UI_PICK_NO_SHOW) {
        s->choice_arg[s->n_choice++] = 0;
        s->choice_arg[s->n_choice++] = 1;
    } else if(m->counter.pick == UI_PICK_TRANSFER) {
        for(i = 0; i < cfg->n_services && s->n_choice < MAX_CHOICE; i++)
            if(!m->counter.has_ticket || strcmp(cfg->services[i].id, m->counter.ticket.service_id))
                s->choice_arg[s->n_choice++] = i;
    }
    cols = s->n_choice > 4 ? 2 : 1;
    rows = (s->n_choice + cols - 1) / cols + 1; /* + Cancel */
    w = m->w - 2 * ui_px(m, ui_landscape(m) ? 360 : 90);
    s->modal.w = w;
    s->modal.h = pad * 2 + ui_label_line_h(ui_font(m, 48)) + gap + rows * (bh + gap);
    s->modal.x = (m->w - w) / 2;
    s->modal.y = (m->h - s->modal.h) / 2;
    top = s->modal.y + pad + ui_label_line_h(ui_font(m, 48)) + gap;
    for(i = 0; i < s->n_choice; i++) {
        int cw = (w - 2 * pad - (cols - 1) * gap) / cols, a = s->choice_arg[i];
        const char *t = m->counter.pick == UI_PICK_NO_SHOW
                            ? i18n_get(m->lang, a == 0 ? I18N_PICK_PUT_BACK : I18N_PICK_MARK_MISSED)
                        : m->lang == I18N_EN ? cfg->services[a].name_en
                                             : cfg->services[a].name_zh;
        scr_button(&s->choice[i], m,
                   gfx_rect(s->modal.x + pad + (i % cols) * (cw + gap),
                            top + (i / cols) * (bh + gap), cw, bh),
                   "", UI_COL_BRAND, UI_COL_WHITE, 42);
        /* each choice shows its key */
        snprintf(s->choice[i].title, sizeof(s->choice[i].title), "%d · %s", i + 1, t);
    }
    scr_button(&s->cancel, m,
               gfx_rect(s->modal.x + pad, top + (rows - 1) * (bh + gap), w - 2 * pad, bh),
               i18n_get(m->lang, I18N_CANCEL), UI_COL_BG, UI_COL_BRAND, 42);
    snprintf(s->cancel.title, sizeof(s->cancel.title), "Esc · %s", i18n_get(m->lang, I18N_CANCEL));
}

static void layout(scr_counter_panel_t *s)
{
    const ui_model_t *m = &s->base.m;
    bool land = ui_landscape(m);
    int pad = ui_px(m, 36), gap = ui_px(m, 20), i;
    gfx_rect_t body, grid;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, false);
    body = ui_chrome_body(&s->base.chrome, m);
    s->bar = gfx_rect(pad, body.y + ui_px(m, 20), m->w - 2 * pad, ui_px(m, 126));
    s->hint = gfx_rect(pad, body.y + body.h - ui_px(m, 56), m->w - 2 * pad, ui_px(m, 50));
    s->toast = gfx_rect(pad, s->hint.y - ui_px(m, 100), m->w - 2 * pad, ui_px(m, 88));
    body.y = s->bar.y + s->bar.h + gap;
    body.h = s->toast.y - gap - body.y;
    if(land) {
        int lw = (m->w - 2 * pad - gap) * 48 / 100;
        s->card = gfx_rect(pad, body.y, lw, body.h * 62 / 100);
        s->waits = gfx_rect(pad, s->card.y + s->card.h + gap, lw, body.h - s->card.h - gap);
        grid = gfx_rect(pad + lw + gap, body.y, m->w - 2 * pad - lw - gap, body.h);
    } else {
        s->card = gfx_rect(pad, body.y, m->w - 2 * pad, body.h * 34 / 100);
        grid = gfx_rect(pad, s->card.y + s->card.h + gap, m->w - 2 * pad, body.h * 44 / 100);
        s->waits = gfx_rect(pad, grid.y + grid.h + gap, m->w - 2 * pad,
                            body.y + body.h - (grid.y + grid.h + gap));
    }
    for(i = 0; i < N_ACTS; i++) {
        int bw = (grid.w - gap) / 2, bh = (grid.h - 3 * gap) / 4, a = i + 1;
        bool ticket_op = a != UI_ACT_CALL_NEXT && a != UI_ACT_PAUSE && a != UI_ACT_OPEN;
        uint32_t bg = a == UI_ACT_CALL_NEXT ? UI_COL_TAKE
                      : a == UI_ACT_FINISH  ? UI_COL_OK
                      : a == UI_ACT_NO_SHOW ? UI_COL_WARN
                      : ticket_op           ? UI_COL_BRAND
                                            : UI_COL_MUTED;
        scr_button(&s->act[i], m,
                   gfx_rect(grid.x + (i % 2) * (bw + gap), grid.y + (i / 2) * (bh + gap), bw, bh),
                   act_title(m, a), bg, UI_COL_WHITE, 46);
        snprintf(s->act[i].subtitle, sizeof(s->act[i].subtitle), "F%d · %d", a, a);
        /* the key hint always fits: the title gives way in large text */
        s->act[i].sub_px = ui_px(m, 24);
        if(s->act[i].title_px > bh * 38 / 100)
            s->act[i].title_px = bh * 38 / 100;
        s->act[i].enabled = !ticket_op || m->counter.has_ticket;
    }
    {
        int lh = ui_px(m, 76), lw = ui_px(m, 220);
        int tw = ui_label_width(s->base.g, GFX_BOLD, ui_font(m, 32),
                                i18n_get(m->lang, I18N_COUNTER_LOGOUT)) +
                 lh;
        if(lw < tw)
            lw = tw; /* one line, whatever the language and text size */
        scr_button(&s->logout, m,
                   gfx_rect(s->bar.x + s->bar.w - lw, s->bar.y + (s->bar.h - lh) / 2, lw, lh),
                   i18n_get(m->lang, I18N_COUNTER_LOGOUT), UI_COL_CARD, UI_COL_BRAND, 32);
        s->logout.radius = lh / 2;
    }
    if(m->counter.pick != UI_PICK_NONE)
        layout_modal(s);
}

static bool update(void *p, const ui_model_t *m)
{
    scr_counter_panel_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static const char *svc_name(const ui_model_t *m, const char *id)
{
    int i = config_service_index(m->cfg, id);

    if(i < 0)
        return id;
    return m->lang == I18N_EN ? m->cfg->services[i].name_en : m->cfg->services[i].name_zh;
}

static void draw_bar(const scr_counter_panel_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const ui_counter_view_t *c = &m->counter;
    const config_t *cfg = m->cfg;
    static const uint32_t state_col[3] = { UI_COL_DISABLED_TX, UI_COL_OK, UI_COL_WARN };
    static const i18n_key_t state_key[3] = { I18N_COUNTER_STATE_CLOSED, I18N_COUNTER_STATE_OPEN,
                                             I18N_COUNTER_STATE_PAUSED };
    gfx_rect_t b = s->bar;
    int px = ui_font(m, 48), spx = ui_font(m, 32),
        st = c->state >= 0 && c->state <= 2 ? c->state : 0;
    int x = b.x, pw, ph = ui_px(m, 64);
    char line[256], id[96];
    const char *name = c->counter_idx >= 0
                           ? (m->lang == I18N_EN ? cfg->counters[c->counter_idx].name_en
                                                 : cfg->counters[c->counter_idx].name_zh)
                           : "?";
    /* the hub away: what the pill would say may be stale, so it says that */
    const char *st_text =
        m->hub_offline ? i18n_get(m->lang, I18N_HUB_OFFLINE) : i18n_get(m->lang, state_key[st]);
    uint32_t st_col = m->hub_offline ? UI_COL_WARN : state_col[st];
    int row2 = b.y + ui_label_line_h(px) + ui_px(m, 8);

    ui_label_draw(g, GFX_BOLD, px, gfx_rgb(UI_COL_TEXT),
                  gfx_rect(x, b.y, s->logout.rect.x - x - ui_px(m, 20), ui_label_line_h(px)),
                  UI_ALIGN_LEFT, 1, name);
    /* state pill, then who is logged in, on the second line */
    pw = ui_label_width(g, GFX_BOLD, spx, st_text) + ui_px(m, 40);
    gfx_fill_round_rect(g, gfx_rect(x, row2, pw, ph * 3 / 4), ph * 3 / 8, gfx_rgb(st_col));
    ui_label_draw(
        g, GFX_BOLD, spx, gfx_rgb(UI_COL_WHITE),
        gfx_rect(x, row2 + (ph * 3 / 4 - ui_label_line_h(spx)) / 2, pw, ui_label_line_h(spx)),
        UI_ALIGN_CENTER, 1, st_text);
    if(c->staff_idx >= 0 && c->staff_idx < cfg->n_staff) {
        i18n_format(id, sizeof(id), m->lang, I18N_COUNTER_STAFF_S, cfg->staff[c->staff_idx].id);
        snprintf(line, sizeof(line), "%s · %s",
                 m->lang == I18N_EN ? cfg->staff[c->staff_idx].name_en
                                    : cfg->staff[c->staff_idx].name_zh,
                 id);
        ui_label_draw(g, GFX_REGULAR, spx, gfx_rgb(UI_COL_MUTED),
                      gfx_rect(x + pw + ui_px(m, 20),
                               row2 + (ph * 3 / 4 - ui_label_line_h(spx)) / 2,
                               s->logout.rect.x - x - pw - ui_px(m, 40), ui_label_line_h(spx)),
                      UI_ALIGN_LEFT, 1, line);
    }
    ui_button_draw(&s->logout, g);
}

static void draw_card(const scr_counter_panel_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const ui_counter_view_t *c = &m->counter;
    gfx_rect_t r = s->card;
    int ip = ui_px(m, 32), lpx = ui_font(m, 34), npx, y;
    char buf[288], a[96], b[96];

    gfx_fill_round_rect(g, r, ui_px(m, 28), gfx_rgb(UI_COL_CARD));
    ui_label_draw(g, GFX_BOLD, lpx, gfx_rgb(UI_COL_MUTED),
                  gfx_rect(r.x + ip, r.y + ip, r.w - 2 * ip, ui_label_line_h(lpx)), UI_ALIGN_LEFT,
                  1, i18n_get(m->lang, I18N_COUNTER_CURRENT));
    y = r.y + ip + ui_label_line_h(lpx);
    if(c->has_ticket) {
        /* number, then the times line: in the middle of what is left */
        int nh = ui_px(m, 150), used;
        if(ui_label_line_h(nh) > r.h * 45 / 100)
            nh = r.h * 45 / 100 * 10 / 13;
        used = ui_label_line_h(nh) + ui_px(m, 6) + 2 * ui_label_line_h(ui_font(m, 36));
        if(r.y + r.h - ip - y > used)
            y += (r.y + r.h - ip - y - used) / 2;
    }
    if(!c->has_ticket) {
        ui_label_draw(g, GFX_REGULAR, ui_font(m, 44), gfx_rgb(UI_COL_MUTED),
                      gfx_rect(r.x + ip, r.y + r.h / 2 - ui_px(m, 30), r.w - 2 * ip, r.h / 2),
                      UI_ALIGN_CENTER, 2, i18n_get(m->lang, I18N_COUNTER_NONE));
        return;
    }
    /* the number as large as the card allows */
    npx = ui_px(m, 150);
    if(ui_label_line_h(npx) > r.h * 45 / 100)
        npx = r.h * 45 / 100 * 10 / 13;
    ui_label_draw(g, GFX_BOLD, npx, gfx_rgb(UI_COL_BRAND),
                  gfx_rect(r.x + ip, y, r.w - 2 * ip, ui_label_line_h(npx)), UI_ALIGN_LEFT, 1,
                  c->ticket.number);
    {
        /* state beside the number */
        int nw = ui_label_width(g, GFX_BOLD, npx, c->ticket.number), spx = ui_font(m, 36);
        const char *st = i18n_get(m->lang, c->ticket.state == TICKET_SERVING ? I18N_TICKET_SERVING
                                                                             : I18N_TICKET_CALLED);
        int x = r.x + ip + nw + ui_px(m, 36);
        ui_label_draw(g, GFX_BOLD, ui_font(m, 44), gfx_rgb(UI_COL_TEXT),
                      gfx_rect(x, y + ui_label_line_h(npx) / 2 - ui_label_line_h(ui_font(m, 44)),
                               r.x + r.w - ip - x, ui_label_line_h(ui_font(m, 44))),
                      UI_ALIGN_LEFT, 1, svc_name(m, c->ticket.service_id));
        ui_label_draw(g, GFX_BOLD, spx,
                      gfx_rgb(c->ticket.state == TICKET_SERVING ? UI_COL_OK : UI_COL_WARN),
                      gfx_rect(x, y + ui_label_line_h(npx) / 2 + ui_px(m, 6), r.x + r.w - ip - x,
                               ui_label_line_h(spx)),
                      UI_ALIGN_LEFT, 1, st);
    }
    y += ui_label_line_h(npx) + ui_px(m, 6);
    i18n_format(a, sizeof(a), m->lang, I18N_COUNTER_WAITED_S, c->waited_text);
    i18n_format(b, sizeof(b), m->lang, I18N_COUNTER_HERE_S, c->here_text);
    if(c->ticket.recalls > 0) {
        char rc[64];
        i18n_format_int(rc, sizeof(rc), m->lang, I18N_COUNTER_RECALLS_D, c->ticket.recalls);
        snprintf(buf, sizeof(buf), "%s   ·   %s   ·   %s", a, b, rc);
    } else {
        snprintf(buf, sizeof(buf), "%s   ·   %s", a, b);
    }
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 36), gfx_rgb(UI_COL_TEXT),
                  gfx_rect(r.x + ip, y, r.w - 2 * ip, r.y + r.h - y), UI_ALIGN_LEFT, 2, buf);
}

static void draw_waits(const scr_counter_panel_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const config_t *cfg = m->cfg;
    gfx_rect_t r = s->waits;
    int ip = ui_px(m, 28), lpx = ui_font(m, 32), px = ui_font(m, 36), i, n, y, row, cols;
    const config_counter_t *c;

    gfx_fill_round_rect(g, r, ui_px(m, 28), gfx_rgb(UI_COL_CARD));
    ui_label_draw(g, GFX_BOLD, lpx, gfx_rgb(UI_COL_MUTED),
                  gfx_rect(r.x + ip, r.y + ip / 2, r.w - 2 * ip, ui_label_line_h(lpx)),
                  UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_COUNTER_WAITING_TITLE));
    if(m->counter.counter_idx < 0)
        return;
    c = &cfg->counters[m->counter.counter_idx];
    n = c->n_services;
    y = r.y + ip / 2 + ui_label_line_h(lpx) + ui_px(m, 6);
    /* one row a service: a smaller font rather than names cut short */
    if(n > 0 && n * (ui_label_line_h(px) + ui_px(m, 4)) > r.y + r.h - ip / 2 - y)
        px = ((r.y + r.h - ip / 2 - y) / n - ui_px(m, 4)) * 10 / 13;
    if(px < 8)
        px = 8;
    row = ui_label_line_h(px) + ui_px(m, 4);
    cols = 1;
    for(i = 0; i < n; i++) {
        int svc = c->services[i], cw = (r.w - 2 * ip) / cols;
        int x = r.x + ip + (i % cols) * cw, yy = y + (i / cols) * row;
        char cnt[64], name[160];
        int cnt_w;
        if(yy + row > r.y + r.h)
            break;
        i18n_format_int(cnt, sizeof(cnt), m->lang, I18N_COUNTER_WAITING_D, m->svc[svc].waiting);
        snprintf(name, sizeof(name), "%c  %s", cfg->services[svc].prefix,
                 m->lang == I18N_EN ? cfg->services[svc].name_en : cfg->services[svc].name_zh);
        /* the count whole at the right; the name gives way */
        cnt_w = ui_label_width(g, GFX_BOLD, px, cnt);
        ui_label_draw(g, GFX_REGULAR, px, gfx_rgb(UI_COL_TEXT),
                      gfx_rect(x, yy, cw - cnt_w - ui_px(m, 40), row), UI_ALIGN_LEFT, 1, name);
        ui_label_draw(
            g, GFX_BOLD, px, gfx_rgb(m->svc[svc].waiting > 0 ? UI_COL_BRAND : UI_COL_MUTED),
            gfx_rect(x + cw - ui_px(m, 16) - cnt_w, yy, cnt_w, row), UI_ALIGN_LEFT, 1, cnt);
    }
}

static void draw_modal(const scr_counter_panel_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    gfx_color_t dim = { 0, 0, 0, 110 };
    int i, pad = ui_px(m, 40);

    gfx_fill_rect(g, gfx_rect(0, 0, m->w, m->h), dim);
    gfx_fill_round_rect(g, s->modal, ui_px(m, 32), gfx_rgb(UI_COL_CARD));
    ui_label_draw(g, GFX_BOLD, ui_font(m, 48), gfx_rgb(UI_COL_TEXT),
                  gfx_rect(s->modal.x + pad, s->modal.y + pad, s->modal.w - 2 * pad,
                           ui_label_line_h(ui_font(m, 48))),
                  UI_ALIGN_LEFT, 1,
                  i18n_get(m->lang, m->counter.pick == UI_PICK_NO_SHOW ? I18N_PICK_NO_SHOW_TITLE
                                                                       : I18N_PICK_TRANSFER_TITLE));
    for(i = 0; i < s->n_choice; i++)
        ui_button_draw(&s->choice[i], g);
    ui_button_draw(&s->cancel, g);
}

static void draw(const void *p, gfx_t *g)
{
    const scr_counter_panel_t *s = p;
    const ui_model_t *m = &s->base.m;
    int i;

    ui_chrome_clear(&s->base.chrome, m, g, UI_COL_BG, NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    draw_bar(s, g);
    draw_card(s, g);
    for(i = 0; i < N_ACTS; i++)
        ui_button_draw(&s->act[i], g);
    draw_waits(s, g);
    if(m->counter.toast[0]) {
        uint32_t bg = m->counter.toast_error ? 0xFCE8E0 : 0xDDF3E4;
        uint32_t fg = m->counter.toast_error ? UI_COL_WARN : UI_COL_OK;
        int px = ui_font(m, 38);
        gfx_fill_round_rect(g, s->toast, s->toast.h / 2, gfx_rgb(bg));
        ui_label_draw(g, GFX_BOLD, px, gfx_rgb(fg),
                      gfx_rect(s->toast.x + ui_px(m, 30),
                               s->toast.y + (s->toast.h - ui_label_line_h(px)) / 2,
                               s->toast.w - ui_px(m, 60), ui_label_line_h(px)),
                      UI_ALIGN_CENTER, 1, m->counter.toast);
    }
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 28), gfx_rgb(UI_COL_MUTED), s->hint, UI_ALIGN_CENTER,
                  1, i18n_get(m->lang, I18N_COUNTER_KEYS));
    if(m->counter.pick != UI_PICK_NONE)
        draw_modal(s, g);
}

static const scr_ops_t ops = { "counter_panel", create, scr_base_destroy, enter, handle,
                               update,          draw };

const scr_ops_t *scr_counter_panel_ops(void)
{
    return &ops;
}
