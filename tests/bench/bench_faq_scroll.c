/*
 * bench_faq_scroll (FAQ/triage, issue 8): `hk_bench faq-scroll`. Article scrolling
 * on the real article screen at 1080x1920, SDL's software renderer on the
 * offscreen driver, exactly what the kiosk's loop does per frame while a
 * finger drags or a fling coasts: update() with the new offset (the model
 * changes only there) + draw() + present. The article is the longest of
 * the shipped content (assets/faq/faq.json), in Chinese, normal and large
 * text; the offsets sweep the whole article down and back up in steps of
 * a fling (1..60 px per frame), so every run of text comes into view.
 * Target: frame p99 <= 4 ms (a kiosk's ARM board is several times slower
 * and must still scroll at 60 frames per second). The first frame, which
 * lays the article out, is reported on its own.
 */
#include "bench.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "display.h"
#include "faq_content.h"
#include "screens.h"

#define TARGET_MS 4.0

static double thread_cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The article with the most text in Chinese. */
static int longest_article(const faq_content_t *c)
{
    int i, b, k, best = 0;
    size_t best_len = 0;

    for(i = 0; i < c->n_articles; i++) {
        const faq_text_t *t = faq_article_text(&c->articles[i], I18N_ZH);
        size_t len = strlen(t->title);
        for(b = 0; b < t->n_blocks; b++)
            for(k = 0; k < t->blocks[b].n; k++)
                len += strlen(t->blocks[b].items[k]);
        if(len > best_len) {
            best_len = len;
            best = i;
        }
    }
    return best;
}

static double frame(const scr_ops_t *ops, void *scr, const ui_model_t *m, display_t *d, gfx_t *g,
                    double *cpu_ms)
{
    double c0 = thread_cpu_ms();
    int64_t t0 = bench_now_ns(), t1;

    (void)ops->update(scr, m);
    ops->draw(scr, g);
    display_present(d);
    t1 = bench_now_ns();
    *cpu_ms = thread_cpu_ms() - c0;
    return (double)(t1 - t0) / 1e6;
}

static void measure(const bench_opts_t *o, bench_table_t *t, const config_t *cfg, font_set_t *fonts,
                    const faq_content_t *c, int article, bool large)
{
    static ui_model_t m;
    static const int waiting[CONFIG_MAX_SERVICES] = { 2, 5, 14, 9, 0, 7 };
    const scr_ops_t *ops = scr_faq_article_ops();
    const char *what = large ? "large text" : "normal text";
    void *scr = NULL;
    display_t *d = NULL;
    display_cfg_t dc;
    hk_diag_t diag;
    gfx_t *g;
    double *ms = NULL, *cpu = NULL, cold = 0, cold_cpu;
    int i, n = o->redraw_frames * 2, pos = 0, dir = 1, step = 1, max_pos = 0, sweeps = 0;
    char name[96];

    memset(&dc, 0, sizeof(dc));
    dc.mode = DISPLAY_MODE_OFFSCREEN;
    dc.width = PANEL_W;
    dc.height = PANEL_H;
    dc.title = "hk_bench";
    snprintf(name, sizeof(name), "faq-scroll %dx%d sw %s, p99", PANEL_W, PANEL_H, what);
    if(display_create(&dc, fonts, &d, &diag) != HK_OK) {
        bench_row(t, name, BENCH_NOT_MEASURED, "<= 4 ms", "display: %.60s", diag.msg);
        return;
    }
    g = display_gfx(d);
    if(ops->create(g, &scr) != HK_OK) {
        bench_row(t, name, BENCH_NOT_MEASURED, "<= 4 ms", "screen create");
        display_destroy(d);
        return;
    }
    bench_model_fill(&m, cfg, bench_local_ms(cfg, 2026, 11, 25, 10, 30), I18N_ZH, g->width,
                     g->height, waiting);
    m.large = large;
    m.faq.content = c;
    m.faq.article = article;
    m.faq.scroll_px = 0;
    ms = calloc((size_t)n, sizeof(double));
    cpu = calloc((size_t)n, sizeof(double));
    if(!ms || !cpu)
        goto out;
    ops->enter(scr);
    /* the first frame lays the article out and rasterises its glyphs */
    cold = frame(ops, scr, &m, d, g, &cold_cpu);
    max_pos = scr_faq_article_max_scroll(scr);
    if(max_pos < 1) {
        bench_row(t, name, BENCH_NOT_MEASURED, "<= 4 ms", "the article fits the screen");
        goto out;
    }
    for(i = 0; i < n; i++) {
        /* a fling's profile: fast in the middle of a sweep, slow at its ends */
        pos += dir * step;
        if(pos <= 0 || pos >= max_pos) {
            dir = -dir;
            sweeps++;
            pos = pos <= 0 ? 0 : max_pos;
        }
        step = 1 + (i % 120 < 60 ? i % 60 : 59 - i % 60);
        m.faq.scroll_px = pos;
        ms[i] = frame(ops, scr, &m, d, g, &cpu[i]);
    }
    bench_sort(ms, (size_t)n);
    bench_sort(cpu, (size_t)n);
    {
        double med = bench_pct(ms, (size_t)n, 50), p99 = bench_pct(ms, (size_t)n, 99);
        snprintf(name, sizeof(name), "faq-scroll %dx%d sw %s, median", PANEL_W, PANEL_H, what);
        bench_row(t, name, BENCH_INFO, "-", "%.2f ms (n=%d)", med, n);
        snprintf(name, sizeof(name), "faq-scroll %dx%d sw %s, p99", PANEL_W, PANEL_H, what);
        bench_row(t, name, p99 <= TARGET_MS ? BENCH_OK : BENCH_MISSED, "<= 4 ms", "%.2f ms", p99);
        snprintf(name, sizeof(name), "faq-scroll %s, CPU p50/p99", what);
        bench_row(t, name, BENCH_INFO, "-", "%.2f / %.2f ms", bench_pct(cpu, (size_t)n, 50),
                  bench_pct(cpu, (size_t)n, 99));
        snprintf(name, sizeof(name), "faq-scroll %s, first frame (layout)", what);
        bench_row(t, name, BENCH_INFO, "-", "%.1f ms (CPU %.1f ms); %d px to scroll, %d sweeps",
                  cold, cold_cpu, max_pos, sweeps);
    }
out:
    free(ms);
    free(cpu);
    ops->destroy(scr);
    display_destroy(d);
}

void bench_faq_scroll(const bench_opts_t *o, bench_table_t *t)
{
    static config_t cfg;
    font_set_t *fonts = NULL;
    faq_content_t *c = NULL;
    char faq[1024];
    hk_diag_t diag;
    int a;

    if(bench_load_sample_config(o, &cfg) != HK_OK) {
        bench_row(t, "faq-scroll p99", BENCH_NOT_MEASURED, "<= 4 ms", "no sample config");
        return;
    }
    snprintf(faq, sizeof(faq), "%s/assets/faq/faq.json", o->source_dir);
    hk_diag_clear(&diag);
    if(faq_content_load(faq, NULL, &c, &diag) != HK_OK) {
        bench_row(t, "faq-scroll p99", BENCH_NOT_MEASURED, "<= 4 ms", "content: %.60s", diag.msg);
        return;
    }
    if(font_set_open(NULL, &fonts, &diag) != HK_OK) {
        bench_row(t, "faq-scroll p99", BENCH_NOT_MEASURED, "<= 4 ms", "fonts: %.60s", diag.msg);
        faq_content_free(c);
        return;
    }
    a = longest_article(c);
    fprintf(stderr, "hk_bench: faq-scroll, article %s, %d frames each\n", c->articles[a].id,
            o->redraw_frames * 2);
    measure(o, t, &cfg, fonts, c, a, false);
    measure(o, t, &cfg, fonts, c, a, true);
    {
        /* wall times on a shared machine include waiting for a core: say how busy it was */
        FILE *f = fopen("/proc/loadavg", "r");
        char load[64] = "?";
        if(f) {
            if(!fgets(load, sizeof(load), f))
                snprintf(load, sizeof(load), "?");
            fclose(f);
        }
        load[strcspn(load, "\n")] = '\0';
        bench_note(t, "faq-scroll: load average while measured: %s (CPU rows: the work itself)",
                   load);
    }
    bench_note(t,
               "faq-scroll: the article screen (%s, the longest shipped, zh) at %dx%d, offscreen "
               "backend, software renderer; each frame = update with the new offset + draw + "
               "present, offsets sweeping the article in fling-like steps",
               c->articles[a].id, PANEL_W, PANEL_H);
    font_set_destroy(fonts);
    faq_content_free(c);
}
