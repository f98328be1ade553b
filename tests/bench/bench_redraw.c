/*
 * bench_redraw: full-screen redraw time of the real screens on the real
 * SDL software renderer, portrait 1080x1920 on SDL's offscreen driver.
 *
 * Each frame is what ui_loop does when a screen is shown: enter(), update()
 * with a new model, draw() everything, display_present(). Frames cycle
 * home/zh, services/zh, home/en, services/en, so every frame re-lays out
 * and re-draws all text through the glyph/text cache, which is warm after
 * the first round (the first, cold frame is reported on its own).
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "screens.h"

#define WARMUP_FRAMES 8

static double frame_ms(const scr_ops_t *ops, void *scr, const ui_model_t *m, display_t *d,
                       gfx_t *g);

void bench_redraw(const bench_opts_t *o, bench_table_t *t)
{
    static config_t cfg;
    static ui_model_t model[2]; /* [lang] */
    static const int waiting[CONFIG_MAX_SERVICES] = { 2, 5, 14, 9, 0, 7 };
    const scr_ops_t *ops[2] = { scr_home_ops(), scr_services_ops() };
    void *scr[2] = { NULL, NULL };
    font_set_t *fonts = NULL;
    display_t *d = NULL;
    hk_diag_t diag;
    gfx_t *g;
    double cold, *ms = NULL;
    int i, n = o->redraw_frames;
    int64_t now;

    fprintf(stderr, "hk_bench: redraw, %d frames at %dx%d offscreen\n", n, PANEL_W, PANEL_H);
    if(bench_load_sample_config(o, &cfg) != HK_OK) {
        bench_row(t, "full redraw p99", BENCH_NOT_MEASURED, "<= 8 ms", "no sample config");
        return;
    }
    if(bench_open_panel(&fonts, &d, &diag) != HK_OK) {
        bench_row(t, "full redraw p99", BENCH_NOT_MEASURED, "<= 8 ms", "display: %.60s", diag.msg);
        goto out;
    }
    g = display_gfx(d);
    for(i = 0; i < 2; i++)
        if(ops[i]->create(g, &scr[i]) != HK_OK) {
            bench_row(t, "full redraw p99", BENCH_NOT_MEASURED, "<= 8 ms", "screen create");
            goto out;
        }
    now = bench_local_ms(&cfg, 2026, 11, 25, 10, 30);
    bench_model_fill(&model[0], &cfg, now, I18N_ZH, PANEL_W, PANEL_H, waiting);
    bench_model_fill(&model[1], &cfg, now, I18N_EN, PANEL_W, PANEL_H, waiting);
    ms = calloc((size_t)n, sizeof(double));
    if(!ms)
        goto out;

    /* the very first frame: fonts rasterise every glyph, caches are empty */
    cold = frame_ms(ops[0], scr[0], &model[0], d, g);
    for(i = 1; i < WARMUP_FRAMES; i++)
        (void)frame_ms(ops[i & 1], scr[i & 1], &model[(i >> 1) & 1], d, g); /* warm-up */
    for(i = 0; i < n; i++)
        ms[i] = frame_ms(ops[i & 1], scr[i & 1], &model[(i >> 1) & 1], d, g);
    bench_sort(ms, (size_t)n);
    {
        double med = bench_pct(ms, (size_t)n, 50), p99 = bench_pct(ms, (size_t)n, 99);
        bench_row(t, "full redraw 1080x1920 sw, median", BENCH_INFO, "-", "%.2f ms (n=%d)", med, n);
        bench_row(t, "full redraw 1080x1920 sw, p99", p99 <= 8 ? BENCH_OK : BENCH_MISSED, "<= 8 ms",
                  "%.2f ms", p99);
        bench_row(t, "full redraw 1080x1920 sw, max", BENCH_INFO, "-", "%.2f ms", ms[n - 1]);
        bench_row(t, "first (cold) frame, home zh", BENCH_INFO, "-", "%.2f ms", cold);
    }
    bench_note(t,
               "redraw: backend %s, font %s; frames cycle home/services x zh/en, each "
               "enter+update+draw+present",
               display_backend_name(d), font_set_path(fonts));
out:
    free(ms);
    for(i = 0; i < 2; i++)
        if(scr[i])
            ops[i]->destroy(scr[i]);
    bench_close_panel(fonts, d);
}

static double frame_ms(const scr_ops_t *ops, void *scr, const ui_model_t *m, display_t *d, gfx_t *g)
{
    int64_t t0 = bench_now_ns(), t1;

    ops->enter(scr);
    (void)ops->update(scr, m); /* changed or not, the whole screen is drawn below */
    ops->draw(scr, g);
    display_present(d);
    t1 = bench_now_ns();
    return (double)(t1 - t0) / 1e6;
}
