/*
 * bench: HallKiosk's performance measurements against their targets
 * (toolchain/dev bench). A measurement, not a test: it is not in CTest, and
 * a missed target is printed as MISSED, never turned into a failing exit.
 *
 * Parts: bench_process.c runs the real hallkiosk under a private Xvfb
 * (first frame, steady memory, idle CPU); bench_redraw.c draws the real
 * screens on the offscreen display; bench_ticket.c times tap -> durable
 * commit through the services screen and the queue on a real SQLite file;
 * bench_hub.c runs the hub, a display and nginx as separate processes and
 * drives them over loopback (snapshot reads, call-next, a call reaching the
 * board, event fan-out, the hub's memory and idle CPU).
 */
#ifndef HK_TESTS_BENCH_BENCH_H
#define HK_TESTS_BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "ui.h"

/* The portrait panel the in-process benches draw on. */
#define PANEL_W 1080
#define PANEL_H 1920

#define BENCH_MAX_ROWS 40

typedef enum bench_verdict {
    BENCH_OK = 0,
    BENCH_MISSED,
    BENCH_INFO,        /* reported, no target */
    BENCH_NOT_MEASURED /* could not run here; value says why */
} bench_verdict_t;

typedef struct bench_row {
    char measure[64];
    char value[96];
    char target[32];
    bench_verdict_t verdict;
} bench_row_t;

typedef struct bench_table {
    bench_row_t rows[BENCH_MAX_ROWS];
    int n;
    char notes[BENCH_MAX_ROWS][192];
    int n_notes;
} bench_table_t;

typedef struct bench_opts {
    const char *hallkiosk;  /* the binary to start */
    const char *source_dir; /* for assets/config/sample-branch.json */
    const char *work_dir;   /* scratch: data dirs, SQLite files */
    int startup_runs;       /* first-frame runs (>= 10) */
    int idle_s;             /* idle CPU window */
    int redraw_frames;      /* >= 300 */
    int tickets;            /* >= 1000 */
    int central_events;     /* central-ingest: events per backend */
} bench_opts_t;

/** Add a row; value is printf-formatted. */
void bench_row(bench_table_t *t, const char *measure, bench_verdict_t verdict, const char *target,
               const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/** Add a free-text note printed under the table. */
void bench_note(bench_table_t *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** CLOCK_MONOTONIC in nanoseconds (the clock hallkiosk reports in). */
int64_t bench_now_ns(void);

/** Sort ascending in place. */
void bench_sort(double *v, size_t n);

/** Nearest-rank percentile (p in 0..100) of an ascending array; n > 0. */
double bench_pct(const double *sorted, size_t n, double p);

/** Make a fresh directory under the work dir; path receives it. */
int bench_mkdtemp(const bench_opts_t *o, const char *stem, char *path, size_t size);

/** rm -rf path (best effort). */
void bench_rm_rf(const char *path);

/** (a)-(c): first frame, steady PSS, idle CPU of hallkiosk under Xvfb. */
void bench_process(const bench_opts_t *o, bench_table_t *t);

/** (d): full-screen redraw of the real screens, software, 1080x1920. */
void bench_redraw(const bench_opts_t *o, bench_table_t *t);
/** FAQ/triage (issue 8, UI): article scrolling frame times (bench_faq_scroll.c). */
void bench_faq_scroll(const bench_opts_t *o, bench_table_t *t);

/** (e): tap -> queue_take_number() committed, WAL + synchronous=FULL. */
void bench_ticket(const bench_opts_t *o, bench_table_t *t);

/** (f): the hub role over the LAN API, beside nginx; a display process. */
void bench_hub(const bench_opts_t *o, bench_table_t *t);

/** central-ingest: hall-central's store ingest (SQLite, PostgreSQL) beside
 *  a bare batched INSERT of the same rows into the same database. */
void bench_central(const bench_opts_t *o, bench_table_t *t);

/* The floor of central-ingest (bench_central.c): a bare batched INSERT of a
 * batch's rows, one transaction, into events_floor (created by open) in the
 * database of a hall-central store URL (sqlite:PATH or a libpq URL). */
typedef struct bench_floor bench_floor_t;
struct central_batch;
bench_floor_t *bench_floor_open(const char *store_url, char *why, size_t why_size);
int bench_floor_insert(bench_floor_t *f, const struct central_batch *b);
void bench_floor_close(bench_floor_t *f);

/** central-drain: 10,000 journal events drained by the real sync worker to
 *  a local hall-central over TLS (client certificate). */
void bench_central_drain(const bench_opts_t *o, bench_table_t *t);

/** central-http-ingest: events/s stored by one hall-central over TLS from
 *  concurrent uploaders (128 KB batches), SQLite and PostgreSQL, beside the
 *  floor in the same database. */
void bench_central_http(const bench_opts_t *o, bench_table_t *t);

/** central-fleet: 500 token devices at once, an outage of 15 minutes
 *  compressed `compress` times (60: 15 s; 5: 3 min) and the recovery with the
 *  sync worker's backoff; hall-central's PSS. */
void bench_central_fleet(const bench_opts_t *o, bench_table_t *t, int compress);

/** ime: the pinyin keyboard (IME, issue 8.4): keystroke -> candidates drawn
 *  at 1080x1920, first-use load, PSS idle and with the keyboard in use. */
void bench_ime(const bench_opts_t *o, bench_table_t *t);

/** faq-search (bench_faq.c): search per keystroke over a synthetic
 *  10,000-article FAQ recombined from the shipped one; index build time
 *  and memory. */
void bench_faq_search(const bench_opts_t *o, bench_table_t *t);

/* ---- processes and /proc (bench_sys.c) ---------------------------------- */

/** 0 = exited (status filled), -1 = still running after timeout_ms. */
int bench_wait_exit(pid_t pid, int timeout_ms, int *status);

/** SIGTERM, then SIGKILL after 3 s; reaps the child. */
void bench_stop_child(pid_t pid);

/** Read a whole (small) file into buf, NUL-terminated; -1 if it cannot be opened. */
int bench_read_file(const char *path, char *buf, size_t size);

/** PSS and RSS in kB from /proc/PID/smaps_rollup. */
int bench_read_pss_kb(pid_t pid, long *pss_kb, long *rss_kb);

/** utime+stime in clock ticks from /proc/PID/stat. */
int bench_read_cpu_ticks(pid_t pid, long long *ticks);

/** Sum of on-CPU ns over the process's threads (schedstat), or -1. */
long long bench_read_cpu_ns(pid_t pid);

void bench_sleep_ms(int ms);

/** Load assets/config/sample-branch.json from the source tree. */
hk_err_t bench_load_sample_config(const bench_opts_t *o, config_t *out);

/**
 * Fill a screen model the way the kiosk does (ui_model.c) at wall_ms:
 * clock and date text, today's hours, per-service open/closed and hours,
 * and the given waiting counts (NULL = nobody waiting).
 */
void bench_model_fill(ui_model_t *m, const config_t *cfg, int64_t wall_ms, i18n_lang_t lang, int w,
                      int h, const int *waiting);

/** Unix ms of a local date and time in the config's business zone. */
/**
 * Open the CJK fonts and an offscreen PANEL_W x PANEL_H display, the panel
 * the redraw and ticket benches draw on. Close with bench_close_panel().
 */
hk_err_t bench_open_panel(font_set_t **fonts, display_t **d, hk_diag_t *diag);
void bench_close_panel(font_set_t *fonts, display_t *d);

int64_t bench_local_ms(const config_t *cfg, int year, int mon, int day, int hour, int min);

#endif
