/*
 * bench_main: runs the parts of the benchmark (all, or those named on the
 * command line) and prints one table: measure | value | target | ok?.
 * Exits 0 whether or not targets were met (it is a measurement); a missed
 * target reads MISSED in the table and in the last line. Exits 2 only on
 * a usage error.
 *
 * usage: hk_bench [--hallkiosk PATH] [--source-dir DIR] [--work-dir DIR]
 *                 [--runs N] [--idle-s N] [--frames N] [--tickets N]
 *                 [--central-events N] [PART...]
 * The parts are the table `parts` below (hk_bench --help lists them).
 */
#include "bench.h"

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
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

static void fleet_60x(const bench_opts_t *o, bench_table_t *t)
{
    bench_central_fleet(o, t, 60);
}

static void fleet_5x(const bench_opts_t *o, bench_table_t *t)
{
    bench_central_fleet(o, t, 5); /* the outage compressed 5x, not 60x (~5 min) */
}

/* The parts, in the order they run; a part added here is one line. */
static const struct part {
    const char *name;
    void (*run)(const bench_opts_t *o, bench_table_t *t);
} parts[] = {
    { "process", bench_process },
    { "redraw", bench_redraw },
    { "faq-scroll", bench_faq_scroll },
    { "ticket", bench_ticket },
    { "hub", bench_hub },
    { "central-ingest", bench_central },
    { "central-drain", bench_central_drain },
    { "central-http-ingest", bench_central_http },
    { "central-fleet", fleet_60x },
    { "central-fleet-5x", fleet_5x },
    { "ime", bench_ime },
    { "faq-search", bench_faq_search },
};
#define N_PARTS (sizeof(parts) / sizeof(parts[0]))

/* Options taking a number: --name N into the int at its offset. */
static const struct num_opt {
    const char *name;
    size_t off;
} num_opts[] = {
    { "--runs", offsetof(bench_opts_t, startup_runs) },
    { "--idle-s", offsetof(bench_opts_t, idle_s) },
    { "--frames", offsetof(bench_opts_t, redraw_frames) },
    { "--tickets", offsetof(bench_opts_t, tickets) },
    { "--central-events", offsetof(bench_opts_t, central_events) },
};

static int part_index(const char *name)
{
    size_t k;

    for(k = 0; k < N_PARTS; k++)
        if(!strcmp(parts[k].name, name))
            return (int)k;
    return -1;
}

static int *num_opt_field(bench_opts_t *o, const char *name)
{
    size_t k;

    for(k = 0; k < sizeof(num_opts) / sizeof(num_opts[0]); k++)
        if(!strcmp(num_opts[k].name, name))
            return (int *)(void *)((char *)o + num_opts[k].off);
    return NULL;
}

int main(int argc, char **argv)
{
    static bench_table_t table;
    bench_opts_t o;
    char hk[1024], work[1024];
    bool want[N_PARTS] = { false }, any = false;
    int i, k, *num;
    size_t p;

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
        } else if((k = part_index(a)) >= 0) {
            want[k] = any = true;
        } else if(v && !strcmp(a, "--hallkiosk")) {
            o.hallkiosk = v;
            i++;
        } else if(v && !strcmp(a, "--source-dir")) {
            o.source_dir = v;
            i++;
        } else if(v && !strcmp(a, "--work-dir")) {
            o.work_dir = v;
            i++;
        } else if(v && (num = num_opt_field(&o, a)) != NULL) {
            *num = atoi(v);
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
    if(mkdir(o.work_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "hk_bench: cannot create %s: %s\n", o.work_dir, strerror(errno));
        return 2;
    }
    for(p = 0; p < N_PARTS; p++)
        if(!any || want[p])
            parts[p].run(&o, &table);
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
    size_t p;

    fputs("usage: hk_bench [--hallkiosk PATH] [--source-dir DIR] [--work-dir DIR]\n"
          "                [--runs N] [--idle-s N] [--frames N] [--tickets N]\n"
          "                [--central-events N] [PART...]\n"
          "parts (default: all, in this order):",
          f);
    for(p = 0; p < N_PARTS; p++)
        fprintf(f, " %s", parts[p].name);
    fputs("\nPrints measure | value | target | ok?; exits 0 even when a target is missed.\n", f);
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
