/*
 * engineer: see engineer.h.
 *
 * Design notes
 *   The gesture (attract screen only, engineer.pin_hash set):
 *     IDLE --down in the top-left corner--> HOLDING (down_ms)
 *     HOLDING --up in that corner, >= ENGINEER_HOLD_MS later--> TAPPING
 *       (deadline = up + ENGINEER_TAPS_MS; the up is consumed)
 *     HOLDING --up sooner / elsewhere--> IDLE (the attract screen had it)
 *     TAPPING --down+up in the bottom-right corner--> taps + 1, consumed;
 *       the ENGINEER_TAPS-th opens the PIN pad
 *     TAPPING --a touch elsewhere, or the deadline passed--> IDLE
 *   A corner is a square of 1/8 of the panel's shorter side. A customer
 *   does not hold a corner for 3 s and then tap the far one 3 times; an
 *   engineer can do it with one hand from a ladder.
 *
 *   The PIN: digits in pin[] (never in the view: only their count), checked
 *   with staff_auth_verify_pin (Argon2id, tens of ms, on the loop thread:
 *   one check per press of Enter, only here). Each wrong PIN is counted by
 *   engineer_lock (fsync'd before the screen answers) and journaled as
 *   engineer.pin_failed (no PIN), so the sync uploads it to head office;
 *   a LAN-client kiosk, whose own journal is not synced, also sends it to
 *   its hub (env.report_pin_failed: branch_engineer_pin_failed).
 *   The digits are wiped after every check and on leaving. Order: the
 *   count is on disk before the event is written, so a crash between the
 *   two can lose one report to head office, never a counted failure.
 *
 *   Fixed values: HK_ENGINEER_FIXED=1 (golden tests) replaces what varies
 *   between machines and runs (version, slot, addresses, disk, sync times,
 *   log lines) with fixed text, and lets an existing usb_dir count as a
 *   mounted stick.
 */
#include "engineer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "engineer_lock.h"
#include "hk_file.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "hk_time.h"
#include "journal.h"
#include "paths.h"
#include "staff_auth.h"
#include "sync.h"

#ifndef HK_VERSION
#define HK_VERSION "0.0.0"
#endif

typedef enum gesture_state { G_IDLE = 0, G_HOLDING, G_TAPPING } gesture_state_t;

struct engineer {
    engineer_env_t env;
    engineer_view_t view;
    uint64_t gen;
    engineer_lock_t lock;
    bool lock_loaded;
    char pin[ENGINEER_PIN_MAX + 1];
    gesture_state_t g;
    int64_t g_down_ms, g_deadline_ms;
    int g_taps;
    bool g_tap_down;
    bool fixed; /* HK_ENGINEER_FIXED */
    /* the printer's last known state (every print; kept across visits) */
    char print_status[24]; /* printer_status_str(); "" = nothing printed yet */
    ui_print_state_t print_last;
    bool print_last_test;
};

static void changed(engineer_t *e)
{
    e->gen++;
}

static void wipe_pin(engineer_t *e)
{
    volatile char *p = e->pin;
    for(size_t i = 0; i < sizeof(e->pin); i++)
        p[i] = 0;
    e->view.pin_len = 0;
}

hk_err_t engineer_create(const engineer_env_t *env, engineer_t **out)
{
    engineer_t *e = hk_calloc(1, sizeof(*e));
    const char *fx = getenv("HK_ENGINEER_FIXED");

    *out = NULL;
    if(!e)
        return HK_ERR_NOMEM;
    e->env = *env;
    e->fixed = fx && !strcmp(fx, "1");
    *out = e;
    return HK_OK;
}

void engineer_destroy(engineer_t *e)
{
    if(!e)
        return;
    wipe_pin(e);
    hk_free(e);
}

const engineer_view_t *engineer_view_of(const ui_model_t *m)
{
    static const engineer_view_t none;

    return m->role_view ? m->role_view : &none;
}

const engineer_view_t *engineer_view(const engineer_t *e)
{
    return &e->view;
}

uint64_t engineer_gen(const engineer_t *e)
{
    return e->gen;
}

/* ---- the gesture ---------------------------------------------------------- */

static bool in_corner(int x, int y, int w, int h, bool far)
{
    int c = (w < h ? w : h) / 8;

    return far ? x >= w - c && y >= h - c : x < c && y < c;
}

bool engineer_gesture(engineer_t *e, const display_event_t *ev, int w, int h, int64_t mono_ms,
                      bool *open)
{
    const config_t *cfg = e->env.cfg(e->env.user);

    *open = false;
    if(!cfg->engineer.pin_hash[0] || (ev->type != DISPLAY_EV_DOWN && ev->type != DISPLAY_EV_UP))
        return false;
    if(e->g == G_TAPPING && mono_ms > e->g_deadline_ms)
        e->g = G_IDLE;
    switch(e->g) {
    case G_IDLE:
        if(ev->type == DISPLAY_EV_DOWN && in_corner(ev->x, ev->y, w, h, false)) {
            e->g = G_HOLDING;
            e->g_down_ms = mono_ms;
        }
        return false;
    case G_HOLDING:
        if(ev->type == DISPLAY_EV_UP && in_corner(ev->x, ev->y, w, h, false) &&
           mono_ms - e->g_down_ms >= ENGINEER_HOLD_MS) {
            e->g = G_TAPPING;
            e->g_deadline_ms = mono_ms + ENGINEER_TAPS_MS;
            e->g_taps = 0;
            e->g_tap_down = false;
            return true;
        }
        e->g = G_IDLE;
        return false;
    case G_TAPPING:
        if(!in_corner(ev->x, ev->y, w, h, true)) {
            e->g = G_IDLE;
            return false;
        }
        if(ev->type == DISPLAY_EV_DOWN) {
            e->g_tap_down = true;
        } else if(e->g_tap_down) {
            e->g_tap_down = false;
            if(++e->g_taps >= ENGINEER_TAPS) {
                e->g = G_IDLE;
                *open = true;
                hk_log_info("engineer", "gesture: PIN pad shown");
            }
        }
        return true;
    }
    return false;
}

/* ---- the PIN -------------------------------------------------------------- */

static void lock_text(engineer_view_t *v, int64_t left_ms)
{
    int64_t s = (left_ms + 999) / 1000;

    v->locked_s = s;
    if(s >= 3600)
        snprintf(v->locked_text, sizeof(v->locked_text), "%lld:%02lld:%02lld",
                 (long long)(s / 3600), (long long)(s / 60 % 60), (long long)(s % 60));
    else
        snprintf(v->locked_text, sizeof(v->locked_text), "%lld:%02lld", (long long)(s / 60),
                 (long long)(s % 60));
}

static void ensure_lock(engineer_t *e, int64_t wall_ms, int64_t mono_ms)
{
    if(e->lock_loaded)
        return;
    if(engineer_lock_load(&e->lock, e->env.data_dir, wall_ms, mono_ms) == HK_OK)
        e->lock_loaded = true;
    else
        hk_log_error("engineer", "lock state in %s not readable", e->env.data_dir);
}

void engineer_pin_enter(engineer_t *e, int64_t wall_ms, int64_t mono_ms)
{
    wipe_pin(e);
    memset(&e->view, 0, sizeof(e->view));
    ensure_lock(e, wall_ms, mono_ms);
    (void)engineer_tick(e, wall_ms, mono_ms);
    changed(e);
}

bool engineer_tick(engineer_t *e, int64_t wall_ms, int64_t mono_ms)
{
    int64_t left;

    if(!e->lock_loaded) {
        /* unreadable lock state: the pad stays shut (see engineer_lock.h) */
        lock_text(&e->view, ENGINEER_LOCK_BASE_MS);
        changed(e);
        return true;
    }
    left = engineer_lock_remaining_ms(&e->lock, wall_ms, mono_ms);
    if(left > 0) {
        lock_text(&e->view, left);
    } else if(e->view.locked_s) {
        e->view.locked_s = 0;
        e->view.locked_text[0] = '\0';
        e->view.tries_left = 0;
    }
    changed(e);
    return left > 0;
}

void engineer_pin_key(engineer_t *e, int arg)
{
    size_t n = strlen(e->pin);

    if(e->view.locked_s > 0)
        return;
    if(arg == -2) {
        wipe_pin(e);
    } else if(arg == -1) {
        if(n > 0)
            e->pin[n - 1] = '\0';
    } else if(arg >= 0 && arg <= 9 && n < ENGINEER_PIN_MAX) {
        e->pin[n] = (char)('0' + arg);
        e->pin[n + 1] = '\0';
    }
    e->view.pin_len = (int)strlen(e->pin);
    changed(e);
}

/* engineer.pin_failed into this device's journal (the sync uploads it); a
 * LAN client's own journal is not synced, so its hub journals it too
 * (docs/operations.md "The engineer mode"). */
static void journal_failure(engineer_t *e, int fails, int64_t left_ms, int64_t wall_ms)
{
    store_t *st = e->env.store ? e->env.store(e->env.user) : NULL;
    const config_t *cfg = e->env.cfg(e->env.user);
    int lock_s = left_ms > 0 ? (int)((left_ms + 999) / 1000) : 0;
    journal_body_t b;
    int64_t seq = 0;
    hk_err_t rc = HK_ERR_INVALID;

    if(e->env.lan_client &&
       (!e->env.report_pin_failed ||
        e->env.report_pin_failed(e->env.user, fails, e->lock.locks, lock_s) != HK_OK))
        hk_log_warn("engineer", "wrong PIN not sent to the hub: it stays on this kiosk");
    if(!st) {
        hk_log_warn("engineer", "wrong PIN not journaled here: the store is not open");
        return;
    }
    journal_body_init(&b);
    journal_body_str(&b, "device", cfg->device.id);
    journal_body_int(&b, "fails", fails);
    journal_body_int(&b, "locks", e->lock.locks);
    journal_body_int(&b, "locked_until_ms", left_ms > 0 ? wall_ms + left_ms : 0);
    journal_body_int(&b, "lock_s", lock_s);
    rc = store_begin(st);
    if(rc == HK_OK)
        rc =
            journal_append(st, JOURNAL_ENGINEER_PIN_FAILED, journal_body_finish(&b), wall_ms, &seq);
    if(rc == HK_OK)
        rc = store_commit(st);
    else
        store_rollback(st);
    if(rc != HK_OK) {
        hk_log_error("engineer", "wrong PIN not journaled: %s", hk_err_str(rc));
        return;
    }
    if(e->env.journaled)
        e->env.journaled(e->env.user, seq);
}

static void gather(engineer_t *e, int64_t wall_ms);

bool engineer_pin_submit(engineer_t *e, int64_t wall_ms, int64_t mono_ms)
{
    const config_t *cfg = e->env.cfg(e->env.user);
    int64_t left = 0;
    bool ok;

    ensure_lock(e, wall_ms, mono_ms);
    if(engineer_tick(e, wall_ms, mono_ms) || !e->pin[0]) {
        wipe_pin(e);
        return false; /* locked: not even checked */
    }
    ok = staff_auth_verify_pin(cfg->engineer.pin_hash, e->pin);
    wipe_pin(e);
    if(ok) {
        if(engineer_lock_success(&e->lock) != HK_OK)
            hk_log_warn("engineer", "lock state not cleared on disk");
        hk_log_info("engineer", "engineer mode entered");
        memset(&e->view, 0, sizeof(e->view));
        gather(e, wall_ms);
        changed(e);
        return true;
    }
    (void)engineer_lock_fail(&e->lock, wall_ms, mono_ms, &left); /* logged inside */
    {
        int fails = left > 0 ? ENGINEER_LOCK_MAX_FAILS : e->lock.fails;
        journal_failure(e, fails, left, wall_ms);
        /* after the event's commit: a test that reads this line finds both on disk */
        hk_log_warn("engineer", "wrong engineer PIN (%d in a row%s)", fails,
                    left > 0 ? ", pad locked" : "");
        e->view.tries_left = left > 0 ? 0 : ENGINEER_LOCK_MAX_FAILS - fails;
    }
    (void)engineer_tick(e, wall_ms, mono_ms);
    changed(e);
    return false;
}

void engineer_wipe(engineer_t *e)
{
    wipe_pin(e);
    memset(&e->view, 0, sizeof(e->view));
    e->g = G_IDLE;
    changed(e);
}

/* ---- diagnostics ------------------------------------------------------------ */

static engineer_row_t *row(engineer_view_t *v, i18n_key_t key, const char *label)
{
    engineer_row_t *r;

    if(v->n_rows >= ENGINEER_ROWS_MAX)
        return &v->rows[ENGINEER_ROWS_MAX - 1];
    r = &v->rows[v->n_rows++];
    memset(r, 0, sizeof(*r));
    r->key = key;
    snprintf(r->text, sizeof(r->text), "%s", label ? label : "");
    return r;
}

#define ROWF(v, key, label, ...) \
    snprintf(row(v, key, label)->value, sizeof(v->rows[0].value), __VA_ARGS__)

/* rauc.slot=A|B from the kernel command line; "–" when absent. */
static void read_slot(char *out, size_t cap)
{
    char *text = NULL, *p;
    size_t len = 0;

    snprintf(out, cap, "–");
    if(hk_file_read("/proc/cmdline", 4096, &text, &len) != HK_OK)
        return;
    p = strstr(text, "rauc.slot=");
    if(p) {
        p += 10;
        size_t n = strcspn(p, " \n");
        if(n > 0 && n < cap)
            snprintf(out, cap, "%.*s", (int)n, p);
    }
    hk_free(text);
}

static void when_text(const config_t *cfg, int64_t ms, char *out, size_t cap)
{
    char day[11];
    int min = 0;

    if(ms <= 0) {
        out[0] = '\0';
        return;
    }
    config_local_time(cfg, ms, day, NULL, &min);
    snprintf(out, cap, "%s %02d:%02d", day, min / 60, min % 60);
}

static const char *const role_names[] = { "kiosk", "counter", "display", "hub" };

static void gather_status(engineer_t *e, int64_t wall_ms)
{
    engineer_view_t *v = &e->view;
    const config_t *cfg = e->env.cfg(e->env.user);
    char slot[16], when[40];
    struct statvfs fs;
    sync_status_t st;
    hk_diag_t diag;
    bool have_sync;

    (void)wall_ms;
    read_slot(slot, sizeof(slot));
    if(e->fixed) {
        ROWF(v, I18N_ENG_VERSION, NULL, "%s", "0.1.0");
    } else {
        char running[64];
        paths_running_version(HK_VERSION, running, sizeof(running));
        ROWF(v, I18N_ENG_VERSION, NULL, "%s", running);
    }
    ROWF(v, I18N_ENG_SLOT, NULL, "%s", e->fixed ? "A" : slot);
    ROWF(v, I18N_ENG_DEVICE, NULL, "%s", cfg->device.id);
    ROWF(v, I18N_ENG_ROLE, NULL, "%s", role_names[cfg->role % 4]);
    ROWF(v, I18N_ENG_BRANCH, NULL, "%s · %s", cfg->branch_id, cfg->branch_name_zh);
    if(e->fixed) {
        ROWF(v, I18N_ENG_DISK, NULL, "%s", "12.4 GB free of 14.6 GB (85%)");
    } else if(statvfs(e->env.data_dir, &fs) == 0 && fs.f_blocks > 0) {
        double total = (double)fs.f_blocks * (double)fs.f_frsize / 1e9;
        double avail = (double)fs.f_bavail * (double)fs.f_frsize / 1e9;
        engineer_row_t *r = row(v, I18N_ENG_DISK, NULL);
        snprintf(r->value, sizeof(r->value), "%.1f GB free of %.1f GB (%d%%)", avail, total,
                 (int)(avail * 100 / total));
        r->bad = avail * 10 < total;
    } else {
        row(v, I18N_ENG_DISK, NULL)->bad = true;
    }
    if(!cfg->central.url[0] && !e->fixed) {
        ROWF(v, I18N_ENG_SERVER, NULL, "%s", "–");
        return;
    }
    ROWF(v, I18N_ENG_SERVER, NULL, "%.199s",
         e->fixed ? "https://central.example:8443" : cfg->central.url);
    memset(&st, 0, sizeof(st));
    hk_diag_clear(&diag);
    have_sync = sync_status_read(e->env.data_dir, &st, &diag) == HK_OK;
    if(e->fixed) {
        memset(&st, 0, sizeof(st));
        have_sync = true;
        st.backlog = 3;
        st.last_success_ms = 1795660200000LL; /* 2026-11-26 10:30 +08:00 */
        st.online = true;
    }
    {
        engineer_row_t *r = row(v, I18N_ENG_BACKLOG, NULL);
        snprintf(r->value, sizeof(r->value), "%lld", have_sync ? (long long)st.backlog : 0LL);
        r->bad = st.backlog > 1000 || st.parked;
    }
    when_text(cfg, st.last_success_ms, when, sizeof(when));
    row(v, I18N_ENG_LAST_SYNC, NULL);
    snprintf(v->rows[v->n_rows - 1].value, sizeof(v->rows[0].value), "%s", when);
    {
        engineer_row_t *r = row(v, I18N_ENG_LAST_ERROR, NULL);
        snprintf(r->value, sizeof(r->value), "%s", st.last_error);
        r->bad = st.last_error[0] != '\0';
    }
}

static void gather_network(engineer_t *e)
{
    engineer_view_t *v = &e->view;
    const config_t *cfg = e->env.cfg(e->env.user);
    struct ifaddrs *ifa = NULL, *i;

    if(e->fixed) {
        ROWF(v, 0, "lo", "%s", "127.0.0.1/8  ::1/128");
        ROWF(v, 0, "eth0", "%s", "192.0.2.10/24  2001:db8::10/64");
        ROWF(v, 0, "wlan0", "%s", "– (down)");
    } else if(getifaddrs(&ifa) == 0) {
        for(i = ifa; i; i = i->ifa_next) {
            char addr[INET6_ADDRSTRLEN] = "", cur[200];
            engineer_row_t *r = NULL;
            int prefix = 0, k;
            if(!i->ifa_addr ||
               (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
                continue;
            if(i->ifa_addr->sa_family == AF_INET) {
                struct sockaddr_in a4, m4;
                memcpy(&a4, i->ifa_addr, sizeof(a4));
                inet_ntop(AF_INET, &a4.sin_addr, addr, sizeof(addr));
                if(i->ifa_netmask) {
                    memcpy(&m4, i->ifa_netmask, sizeof(m4));
                    prefix = __builtin_popcount(m4.sin_addr.s_addr);
                }
            } else {
                struct sockaddr_in6 a6, m6;
                memcpy(&a6, i->ifa_addr, sizeof(a6));
                inet_ntop(AF_INET6, &a6.sin6_addr, addr, sizeof(addr));
                if(i->ifa_netmask) {
                    memcpy(&m6, i->ifa_netmask, sizeof(m6));
                    for(k = 0; k < 16; k++)
                        prefix += __builtin_popcount(m6.sin6_addr.s6_addr[k]);
                }
            }
            for(k = 0; k < v->n_rows; k++)
                if(!v->rows[k].key && !strcmp(v->rows[k].text, i->ifa_name))
                    r = &v->rows[k];
            if(!r)
                r = row(v, 0, i->ifa_name);
            snprintf(cur, sizeof(cur), "%s", r->value);
            if(strlen(cur) + strlen(addr) + 16 < sizeof(r->value))
                snprintf(r->value, sizeof(r->value), "%.120s%s%.46s/%d%s", cur, cur[0] ? "  " : "",
                         addr, prefix, (i->ifa_flags & IFF_UP) ? "" : " (down)");
        }
        freeifaddrs(ifa);
    }
    if(v->n_rows == 0)
        ROWF(v, 0, "–", "%s", "no address");
    ROWF(v, I18N_ENG_HUB, NULL, "%.199s", cfg->hub.url[0] ? cfg->hub.url : "–");
    ROWF(v, I18N_ENG_SERVER, NULL, "%.199s", cfg->central.url[0] ? cfg->central.url : "–");
}

static void gather_printer(engineer_t *e)
{
    engineer_view_t *v = &e->view;
    const config_t *cfg = e->env.cfg(e->env.user);
    static const char *const kinds[] = { "none", "file", "device", "tcp" };
    static const char *const states[] = { "–", "pending", "printed", "fault" };

    v->has_printer = cfg->printer.kind != CONFIG_PRINTER_NONE;
    if(!v->has_printer) {
        ROWF(v, I18N_ENG_PRINTER_KIND, NULL, "%s", i18n_get(I18N_EN, I18N_ENG_PRINT_NONE));
        return;
    }
    ROWF(v, I18N_ENG_PRINTER_KIND, NULL, "%s %.160s (%d dots)", kinds[cfg->printer.kind % 4],
         cfg->printer.target, cfg->printer.width_dots);
    {
        engineer_row_t *r = row(v, I18N_ENG_PRINTER_STATE, NULL);
        snprintf(r->value, sizeof(r->value), "%s", e->print_status[0] ? e->print_status : "–");
        /* "unknown" is a file printer's honest answer, not a fault */
        r->bad = e->print_last == UI_PRINT_FAULT || !strcmp(e->print_status, "paper_out") ||
                 !strcmp(e->print_status, "paper_low") || !strcmp(e->print_status, "cover_open") ||
                 !strcmp(e->print_status, "offline");
    }
    {
        engineer_row_t *r = row(v, I18N_ENG_PRINTER_LAST, NULL);
        snprintf(r->value, sizeof(r->value), "%s%s", states[e->print_last % 4],
                 e->print_last != UI_PRINT_NONE && e->print_last_test ? " (TEST)" : "");
        r->bad = e->print_last == UI_PRINT_FAULT;
    }
}

void engineer_printed(engineer_t *e, ui_print_state_t st, const char *status, bool test)
{
    snprintf(e->print_status, sizeof(e->print_status), "%s", status ? status : "");
    e->print_last = st;
    e->print_last_test = test;
    if(e->view.tab == ENGINEER_TAB_PRINTER && e->view.n_rows > 0) {
        e->view.n_rows = 0;
        gather_printer(e);
    }
    changed(e);
}

static void gather_logs(engineer_t *e)
{
    engineer_view_t *v = &e->view;
    hk_log_entry_t *ent;
    size_t n, i, first;

    if(e->fixed) {
        static const char *const fixed[] = {
            "10:30:00 info  main: hallkiosk 0.1.0, role kiosk",
            "10:30:00 info  kiosk: first frame presented",
            "10:30:01 info  kiosk: FAQ content 2026.11 (shipped): 6 categories",
            "10:30:05 warn  printer: paper low",
            "10:31:12 warn  engineer: wrong engineer PIN (1 in a row)",
            "10:31:20 info  engineer: engineer mode entered",
        };
        for(i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
            snprintf(v->log[v->n_log++], sizeof(v->log[0]), "%s", fixed[i]);
        return;
    }
    ent = hk_malloc(sizeof(*ent) * HK_LOG_RING_SIZE);
    n = ent ? hk_log_recent(0, ent, HK_LOG_RING_SIZE) : 0;
    first = n > ENGINEER_LOG_LINES ? n - ENGINEER_LOG_LINES : 0;
    for(i = first; i < n; i++) {
        time_t t = (time_t)(ent[i].wall_ms / 1000);
        struct tm tm;
        char line[512];

        localtime_r(&t, &tm);
        snprintf(line, sizeof(line), "%02d:%02d:%02d %-5s %s: %s", tm.tm_hour, tm.tm_min, tm.tm_sec,
                 hk_log_level_str(ent[i].level), ent[i].module, ent[i].msg);
        /* a long line is cut on screen anyway */
        snprintf(v->log[v->n_log++], sizeof(v->log[0]), "%.*s", (int)sizeof(v->log[0]) - 1, line);
    }
    hk_free(ent);
}

/* The rows of the tab showing. */
static void gather(engineer_t *e, int64_t wall_ms)
{
    engineer_view_t *v = &e->view;

    v->n_rows = 0;
    v->n_log = 0;
    switch(v->tab) {
    case ENGINEER_TAB_STATUS: gather_status(e, wall_ms); break;
    case ENGINEER_TAB_NETWORK: gather_network(e); break;
    case ENGINEER_TAB_PRINTER: gather_printer(e); break;
    case ENGINEER_TAB_LOGS: gather_logs(e); break;
    default: break;
    }
}

/* ---- export ------------------------------------------------------------------ */

static bool stick_mounted(const engineer_t *e, const char *dir)
{
    struct stat a, b;
    char parent[CONFIG_PATH_LEN + 4];

    if(stat(dir, &a) != 0 || !S_ISDIR(a.st_mode))
        return false;
    if(e->fixed)
        return true;
    snprintf(parent, sizeof(parent), "%s/..", dir);
    /* a mount point: its device differs from its parent's */
    return stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static hk_err_t write_text(const char *dir, const char *name, const char *text, size_t len)
{
    char path[CONFIG_PATH_LEN + 160];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return hk_file_write_atomic(dir, path, text, len);
}

/* Append every row of every table tab to buf. */
static size_t summary(engineer_t *e, int64_t wall_ms, char *buf, size_t cap)
{
    static const engineer_tab_t tabs[] = { ENGINEER_TAB_STATUS, ENGINEER_TAB_NETWORK,
                                           ENGINEER_TAB_PRINTER };
    engineer_tab_t keep = e->view.tab;
    size_t len = 0;

    for(size_t t = 0; t < sizeof(tabs) / sizeof(tabs[0]); t++) {
        e->view.tab = tabs[t];
        gather(e, wall_ms);
        for(int i = 0; i < e->view.n_rows && len < cap; i++) {
            const engineer_row_t *r = &e->view.rows[i];
            int n = snprintf(buf + len, cap - len, "%-18s %s\n",
                             r->key ? i18n_get(I18N_EN, r->key) : r->text, r->value);
            len += n > 0 ? (size_t)n : 0;
        }
    }
    e->view.tab = keep;
    gather(e, wall_ms);
    return len < cap ? len : cap - 1;
}

static void do_export(engineer_t *e, int64_t wall_ms)
{
    const config_t *cfg = e->env.cfg(e->env.user);
    engineer_view_t *v = &e->view;
    const char *usb = cfg->engineer.usb_dir[0] ? cfg->engineer.usb_dir : "/media/usb";
    char dir[CONFIG_PATH_LEN + 96], day[11], *buf = NULL;
    int min = 0;
    size_t len = 0, cap = (size_t)HK_LOG_RING_SIZE * (HK_LOG_MSG_SIZE + 48) + 8192;
    hk_err_t rc;

    v->toast_bad = true;
    v->toast[0] = '\0';
    if(!stick_mounted(e, usb)) {
        v->toast_key = I18N_ENG_EXPORT_NO_USB;
        return;
    }
    config_local_time(cfg, wall_ms, day, NULL, &min);
    snprintf(dir, sizeof(dir), "%s/hallkiosk-logs-%s-%.4s%.2s%.2s-%02d%02d", usb, cfg->device.id,
             day, day + 5, day + 8, min / 60, min % 60);
    rc = paths_mkdir_p(dir);
    buf = rc == HK_OK ? hk_malloc(cap) : NULL;
    if(rc == HK_OK && !buf)
        rc = HK_ERR_NOMEM;
    if(rc == HK_OK) {
        hk_log_entry_t *ent = hk_malloc(sizeof(hk_log_entry_t) * HK_LOG_RING_SIZE);
        size_t n = ent ? hk_log_recent(0, ent, HK_LOG_RING_SIZE) : 0;
        for(size_t i = 0; i < n && len + HK_LOG_MSG_SIZE + 64 < cap; i++) {
            time_t t = (time_t)(ent[i].wall_ms / 1000);
            struct tm tm;
            gmtime_r(&t, &tm);
            int w = snprintf(buf + len, cap - len, "%04d-%02d-%02dT%02d:%02d:%02dZ %s %s: %s\n",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                             tm.tm_sec, hk_log_level_str(ent[i].level), ent[i].module, ent[i].msg);
            len += w > 0 ? (size_t)w : 0;
        }
        hk_free(ent);
        rc = write_text(dir, "hallkiosk.log", buf, len);
    }
    if(rc == HK_OK) {
        len = summary(e, wall_ms, buf, cap);
        rc = write_text(dir, "diagnostics.txt", buf, len);
    }
    if(rc == HK_OK) {
        char path[CONFIG_PATH_LEN + 32], *text = NULL;
        size_t n = 0;
        snprintf(path, sizeof(path), "%s/sync-status.json", e->env.data_dir);
        if(hk_file_read(path, 64 * 1024, &text, &n) == HK_OK) {
            rc = write_text(dir, "sync-status.json", text, n);
            hk_free(text);
        }
    }
    hk_free(buf);
    if(rc != HK_OK) {
        hk_log_error("engineer", "log export to %s failed: %s", dir, hk_err_str(rc));
        v->toast_key = I18N_ENG_EXPORT_FAILED;
        return;
    }
    hk_log_info("engineer", "logs exported to %s", dir);
    v->toast_bad = false;
    v->toast_key = I18N_ENG_EXPORT_DONE_S;
    /* the folder's name on the stick (where the stick is mounted is no news) */
    snprintf(v->toast, sizeof(v->toast), "%.255s", strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir);
}

engineer_action_t engineer_intent(engineer_t *e, const ui_intent_t *in, int64_t wall_ms, bool *act)
{
    engineer_view_t *v = &e->view;

    *act = false;
    switch(in->kind) {
    case INTENT_ENG_TAB:
        if(in->arg >= 0 && in->arg < ENGINEER_TAB_COUNT) {
            v->tab = (engineer_tab_t)in->arg;
            v->toast[0] = '\0';
            v->toast_key = 0;
            gather(e, wall_ms);
        }
        break;
    case INTENT_ENG_TOUCH:
        if(in->arg >= 0 && in->arg < (int)sizeof(v->touch))
            v->touch[in->arg] = 1;
        break;
    case INTENT_ENG_ACTION:
        switch((engineer_action_t)in->arg) {
        case ENGINEER_ACT_TOUCH_CLEAR: memset(v->touch, 0, sizeof(v->touch)); break;
        case ENGINEER_ACT_EXPORT: do_export(e, wall_ms); break;
        case ENGINEER_ACT_TEST_PRINT:
            if(e->env.test_print) {
                ui_print_state_t ps = e->env.test_print(e->env.user);
                if(ps == UI_PRINT_PENDING) {
                    e->print_last = ps;
                    e->print_last_test = true;
                }
                v->toast_bad = ps != UI_PRINT_PENDING && ps != UI_PRINT_DONE;
                v->toast_key = v->toast_bad ? I18N_ENG_PRINT_NONE : I18N_ENG_PRINT_SENT;
                hk_log_info("engineer", "test slip: %s", v->toast_bad ? "not printed" : "sent");
            }
            gather(e, wall_ms);
            break;
        default: *act = true; break; /* exit, restart: the kiosk's */
        }
        changed(e);
        return (engineer_action_t)in->arg;
    default: break;
    }
    changed(e);
    return ENGINEER_ACT_TOUCH_CLEAR;
}
