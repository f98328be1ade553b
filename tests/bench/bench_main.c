/*
 * bench_main: runs the parts of the benchmark (all, or those named on the
 * command line) and prints one table: measure | value | target | ok?.
 * Exits 0 whether or not targets were met (it is a measurement); a missed
 * target reads MISSED in the table and in the last line. Exits 2 only on
 * a usage error.
 *
 * usage: hk_bench [--hallkiosk PATH] [--source-dir DIR] [--work-dir DIR]
 *                 [--runs N] [--idle-s N] [--frames N] [--tickets N]
 *                 [--central-events N]
 *                 [process] [redraw] [ticket] [hub] [central-ingest]
 *                 [central-drain] [central-http-ingest] [central-fleet] [central-fleet-5x]
 *                 [ime] [faq-search] [faq-scroll]
 */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef HK_SOURCE_DIR
#define HK_SOURCE_DIR "."
#endif
#ifndef HK_BINARY_DIR
#define HK_BINARY_DIR "."
#endif

static void usage(FILE *f);
static void print_table(const bench_table_t *t);
static int rm_tree(const char *path, int depth);

int main(int argc, char **argv)
{
    static bench_table_t table;
    bench_opts_t o;
    char hk[1024], work[1024];
    int i, want_process = 0, want_redraw = 0, want_ticket = 0, want_hub = 0, want_central = 0;
    int want_drain = 0, want_http = 0, want_fleet = 0, want_ime = 0, want_faq = 0;
    int want_faq_scroll = 0; /* FAQ/triage (issue 8, UI) */

    memset(&o, 0, sizeof(o));
    snprintf(hk, sizeof(hk), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(work, sizeof(work), "%s/bench-tmp", HK_BINARY_DIR);
    o.hallkiosk = hk;
    o.source_dir = HK_SOURCE_DIR;
    o.work_dir = work;
    o.startup_runs = 15;
    o.idle_s = 10;
    o.redraw_frames = 400;
    o.tickets = 1200;
    o.central_events = 40000;
    for(i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if(!strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if(!strcmp(a, "process")) {
            want_process = 1;
        } else if(!strcmp(a, "redraw")) {
            want_redraw = 1;
        } else if(!strcmp(a, "ticket")) {
            want_ticket = 1;
        } else if(!strcmp(a, "hub")) {
            want_hub = 1;
        } else if(!strcmp(a, "central-ingest")) {
            want_central = 1;
        } else if(!strcmp(a, "central-drain")) {
            want_drain = 1;
        } else if(!strcmp(a, "central-http-ingest")) {
            want_http = 1;
        } else if(!strcmp(a, "central-fleet")) {
            want_fleet |= 1;
        } else if(!strcmp(a, "central-fleet-5x")) {
            want_fleet |= 2; /* the outage compressed 5x, not 60x (~5 min) */
        } else if(!strcmp(a, "ime")) {
            want_ime = 1; /* IME: the pinyin keyboard */
        } else if(!strcmp(a, "faq-scroll")) {
            want_faq_scroll = 1; /* FAQ/triage (issue 8, UI) */
        } else if(!strcmp(a, "faq-search")) {
            want_faq = 1;
        } else if(v && !strcmp(a, "--hallkiosk")) {
            o.hallkiosk = v;
            i++;
        } else if(v && !strcmp(a, "--source-dir")) {
            o.source_dir = v;
            i++;
        } else if(v && !strcmp(a, "--work-dir")) {
            o.work_dir = v;
            i++;
        } else if(v && !strcmp(a, "--runs")) {
            o.startup_runs = atoi(v);
            i++;
        } else if(v && !strcmp(a, "--idle-s")) {
            o.idle_s = atoi(v);
            i++;
        } else if(v && !strcmp(a, "--frames")) {
            o.redraw_frames = atoi(v);
            i++;
        } else if(v && !strcmp(a, "--tickets")) {
            o.tickets = atoi(v);
            i++;
        } else if(v && !strcmp(a, "--central-events")) {
            o.central_events = atoi(v);
            i++;
        } else {
            fprintf(stderr, "hk_bench: unknown argument %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if(o.startup_runs < 1 || o.idle_s < 1 || o.redraw_frames < 1 || o.tickets < 1 ||
       o.central_events < 1) {
        fprintf(stderr, "hk_bench: counts must be positive\n");
        return 2;
    }
    if(!want_process && !want_redraw && !want_ticket && !want_hub && !want_central && !want_drain &&
       !want_http && !want_fleet && !want_ime && !want_faq && !want_faq_scroll)
        want_process = want_redraw = want_ticket = want_hub = want_central = want_drain =
            want_http = want_ime = want_faq = want_faq_scroll = 1,
        want_fleet = 3;
    if(mkdir(o.work_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "hk_bench: cannot create %s: %s\n", o.work_dir, strerror(errno));
        return 2;
    }

    if(want_process)
        bench_process(&o, &table);
    if(want_redraw)
        bench_redraw(&o, &table);
    if(want_faq_scroll)
        bench_faq_scroll(&o, &table);
    if(want_ticket)
        bench_ticket(&o, &table);
    if(want_hub)
        bench_hub(&o, &table);
    if(want_central)
        bench_central(&o, &table);
    if(want_drain)
        bench_central_drain(&o, &table);
    if(want_http)
        bench_central_http(&o, &table);
    if(want_fleet & 1)
        bench_central_fleet(&o, &table, 60);
    if(want_fleet & 2)
        bench_central_fleet(&o, &table, 5);
    if(want_ime)
        bench_ime(&o, &table);
    if(want_faq)
        bench_faq_search(&o, &table);
    print_table(&table);
    return 0;
}

void bench_row(bench_table_t *t, const char *measure, bench_verdict_t verdict, const char *target,
               const char *fmt, ...)
{
    bench_row_t *r;
    va_list ap;

    if(t->n >= BENCH_MAX_ROWS)
        return;
    r = &t->rows[t->n++];
    snprintf(r->measure, sizeof(r->measure), "%s", measure);
    snprintf(r->target, sizeof(r->target), "%s", target ? target : "-");
    r->verdict = verdict;
    va_start(ap, fmt);
    vsnprintf(r->value, sizeof(r->value), fmt, ap);
    va_end(ap);
}

void bench_note(bench_table_t *t, const char *fmt, ...)
{
    va_list ap;

    if(t->n_notes >= BENCH_MAX_ROWS)
        return;
    va_start(ap, fmt);
    vsnprintf(t->notes[t->n_notes++], sizeof(t->notes[0]), fmt, ap);
    va_end(ap);
}

int64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void bench_sort(double *v, size_t n)
{
    qsort(v, n, sizeof(v[0]), cmp_double);
}

double bench_pct(const double *sorted, size_t n, double p)
{
    /* nearest rank: the smallest value with at least p% at or below it */
    double rank = p / 100.0 * (double)n;
    size_t idx = (size_t)rank;

    if((double)idx < rank)
        idx++;
    if(idx > 0)
        idx--;
    if(idx >= n)
        idx = n - 1;
    return sorted[idx];
}

int bench_mkdtemp(const bench_opts_t *o, const char *stem, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/%s-XXXXXX", o->work_dir, stem);

    if(n < 0 || (size_t)n >= size || !mkdtemp(path)) {
        fprintf(stderr, "hk_bench: cannot make a temp dir under %s: %s\n", o->work_dir,
                strerror(errno));
        return -1;
    }
    return 0;
}

void bench_rm_rf(const char *path)
{
    (void)rm_tree(path, 0); /* scratch under the work dir; leftovers are harmless */
}

hk_err_t bench_load_sample_config(const bench_opts_t *o, config_t *out)
{
    char path[1024];
    hk_diag_t diag;
    hk_err_t rc;

    snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", o->source_dir);
    rc = config_load_file(path, out, &diag);
    if(rc != HK_OK)
        fprintf(stderr, "hk_bench: %s: %s\n", path, diag.msg);
    return rc;
}

/* ---- static ------------------------------------------------------------- */

static void usage(FILE *f)
{
    fputs("usage: hk_bench [--hallkiosk PATH] [--source-dir DIR] [--work-dir DIR]\n"
          "                [--runs N] [--idle-s N] [--frames N] [--tickets N]\n"
          "                [--central-events N]\n"
          "                [process] [redraw] [ticket] [hub] [central-ingest]\n"
          "                [central-drain] [central-http-ingest] [central-fleet]\n"
          "                [central-fleet-5x] [ime] [faq-search] [faq-scroll]\n"
          "Prints measure | value | target | ok?; exits 0 even when a target is missed.\n",
          f);
}

static const char *verdict_str(bench_verdict_t v)
{
    switch(v) {
    case BENCH_OK: return "ok";
    case BENCH_MISSED: return "MISSED";
    case BENCH_INFO: return "(info)";
    case BENCH_NOT_MEASURED: return "NOT MEASURED";
    }
    return "?";
}

static void print_table(const bench_table_t *t)
{
    int i, missed = 0, unmeasured = 0;

    printf("\n%-44s | %-40s | %-14s | %s\n", "measure", "value", "target", "ok?");
    printf("%.44s-+-%.40s-+-%.14s-+-%s\n",
           "--------------------------------------------------------------",
           "--------------------------------------------------------------", "--------------------",
           "------------");
    for(i = 0; i < t->n; i++) {
        const bench_row_t *r = &t->rows[i];
        printf("%-44s | %-40s | %-14s | %s\n", r->measure, r->value, r->target,
               verdict_str(r->verdict));
        missed += r->verdict == BENCH_MISSED;
        unmeasured += r->verdict == BENCH_NOT_MEASURED;
    }
    if(t->n_notes) {
        printf("\nNotes:\n");
        for(i = 0; i < t->n_notes; i++)
            printf("  - %s\n", t->notes[i]);
    }
    printf("\n");
    if(missed)
        printf("hk_bench: %d target(s) MISSED (see the table)\n", missed);
    if(unmeasured)
        printf("hk_bench: %d measure(s) NOT MEASURED here\n", unmeasured);
    if(!missed && !unmeasured)
        printf("hk_bench: all targets met\n");
}

static int rm_tree(const char *path, int depth)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char sub[2048];

    if(depth > 16 || lstat(path, &st) != 0)
        return -1;
    if(!S_ISDIR(st.st_mode))
        return unlink(path);
    d = opendir(path);
    if(d) {
        while((e = readdir(d)) != NULL) {
            if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            if(snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub))
                continue;                  /* cannot be ours: we make short names */
            (void)rm_tree(sub, depth + 1); /* keep going; rmdir reports */
        }
        closedir(d);
    }
    return rmdir(path);
}
