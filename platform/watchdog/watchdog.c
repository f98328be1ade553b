/*
 * watchdog: see watchdog.h. Talks to systemd through libsystemd's
 * sd_notify(3); does not decide anything about restarts (the unit does:
 * WatchdogSec=, Restart=on-failure, RestartForceExitStatus=75).
 *
 * Design notes
 *   States: NEW (created; nothing sent), READY (the first frame was
 *   presented: READY=1 sent by watchdog_frame_presented), then WATCHDOG=1
 *   after presented frames, STOPPING=1 from watchdog_destroy.
 *   Why only after a presented frame: a timer thread could feed the
 *   watchdog while the UI thread hangs, and the customer would look at a
 *   frozen screen forever. Only the loop that draws proves it draws.
 *   Keepalive: an idle kiosk redraws nothing, so the loop asks
 *   watchdog_keepalive_ms() (WatchdogSec/2) and presents at least that
 *   often (ui_loop.c); pings go out at most every WatchdogSec/4, so two
 *   chances per period at least.
 *   Test hook HK_TEST_HANG_AFTER_MS: the loop blocks in the presented path,
 *   where a real hang (a deadlock, a blocking call) would leave it; the
 *   test plays systemd and checks the pings stop (tests/package).
 */
#include "watchdog.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifdef HK_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "hk_log.h"
#include "hk_mem.h"

struct watchdog {
    char who[32];
    bool managed;      /* NOTIFY_SOCKET set */
    bool ready;        /* READY=1 sent */
    int64_t period_ms; /* WatchdogSec; 0 = no watchdog */
    int64_t last_ping_ms;
    int64_t created_ms;
    int64_t hang_after_ms; /* HK_TEST_HANG_AFTER_MS; 0 = off */
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_state(const char *state)
{
#ifdef HK_HAVE_LIBSYSTEMD
    int r = sd_notify(0, state);

    if(r < 0)
        hk_log_warn("watchdog", "sd_notify: error %d", -r);
#else
    static bool told;

    if(!told && getenv("NOTIFY_SOCKET")) {
        told = true;
        hk_log_warn("watchdog", "built without libsystemd: the service manager hears nothing");
    }
    (void)state;
#endif
}

void watchdog_notify(const char *state)
{
    const char *sock = getenv("NOTIFY_SOCKET");

    if(sock && sock[0])
        send_state(state);
}

hk_err_t watchdog_create(const char *who, watchdog_t **out)
{
    watchdog_t *w;
    const char *sock = getenv("NOTIFY_SOCKET"), *hang = getenv("HK_TEST_HANG_AFTER_MS");

    *out = NULL;
    w = hk_calloc(1, sizeof(*w));
    if(!w)
        return HK_ERR_NOMEM;
    snprintf(w->who, sizeof(w->who), "%s", who ? who : "hallkiosk");
    w->managed = sock && sock[0];
    w->created_ms = mono_ms();
#ifdef HK_HAVE_LIBSYSTEMD
    if(w->managed) {
        uint64_t usec = 0;
        /* > 0 only when WATCHDOG_PID is us (or unset): a child never feeds
         * its parent's watchdog */
        if(sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000)
            w->period_ms = (int64_t)(usec / 1000);
    }
#endif
    if(hang && hang[0]) {
        long ms = strtol(hang, NULL, 10);
        w->hang_after_ms = ms > 0 ? ms : 0;
    }
    if(w->period_ms)
        hk_log_info("watchdog", "%s: service watchdog %lld ms, fed after presented frames", w->who,
                    (long long)w->period_ms);
    *out = w;
    return HK_OK;
}

void watchdog_destroy(watchdog_t *w)
{
    if(!w)
        return;
    if(w->managed && w->ready)
        send_state("STOPPING=1");
    hk_free(w);
}

int64_t watchdog_keepalive_ms(const watchdog_t *w)
{
    return w ? w->period_ms / 2 : 0;
}

void watchdog_frame_presented(watchdog_t *w)
{
    char msg[96];
    int64_t now;

    if(!w)
        return;
    now = mono_ms();
    if(w->hang_after_ms && now - w->created_ms >= w->hang_after_ms) {
        hk_log_warn("watchdog", "HK_TEST_HANG_AFTER_MS: the main loop hangs here (test hook)");
        for(;;)
            sleep(3600); /* a signal wakes it; a hung loop stays hung */
    }
    if(!w->managed)
        return;
    if(!w->ready) {
        w->ready = true;
        w->last_ping_ms = now;
        snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s: first frame presented", w->who);
        send_state(msg);
        return;
    }
    if(w->period_ms && now - w->last_ping_ms >= w->period_ms / 4) {
        w->last_ping_ms = now;
        send_state("WATCHDOG=1");
    }
}
