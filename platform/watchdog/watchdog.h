/*
 * watchdog: tells the service manager (systemd) how the process is doing,
 * over the sd_notify protocol (libsystemd): READY=1 when the program can
 * serve (a screen role: its first frame is on the glass; the hub and
 * hall-central: they listen), WATCHDOG=1 while a screen role's main loop
 * still presents frames, STATUS= lines for `systemctl status`, STOPPING=1.
 *
 * Without a manager (no NOTIFY_SOCKET: a developer's shell, the tests) every
 * call does nothing. Built without libsystemd (the fuzz build may lack it)
 * it does nothing either, and says so once if a manager is listening.
 *
 * Not thread-safe per watchdog_t: the thread that presents frames owns it.
 * watchdog_notify() may be called from any thread.
 */
#ifndef HK_PLATFORM_WATCHDOG_WATCHDOG_H
#define HK_PLATFORM_WATCHDOG_WATCHDOG_H

#include <stdint.h>

#include "hk_err.h"

typedef struct watchdog watchdog_t;

/**
 * Read the manager's settings from the environment: NOTIFY_SOCKET, and
 * WATCHDOG_USEC when WATCHDOG_PID names this process (sd_watchdog_enabled).
 * Also the test hook HK_TEST_HANG_AFTER_MS=N: the first frame presented N ms
 * after create blocks forever, as a hung main loop would (tests/package).
 * @param who  names the program in STATUS= lines ("kiosk", "counter").
 * @param out  free with watchdog_destroy().
 * @return HK_OK; HK_ERR_NOMEM.
 */
hk_err_t watchdog_create(const char *who, watchdog_t **out);

/** Send STOPPING=1 (when READY was sent) and free. NULL ok. */
void watchdog_destroy(watchdog_t *w);

/**
 * How long the main loop may go without presenting a frame: half the
 * manager's WatchdogSec, so an idle screen still feeds the watchdog in time.
 * @return ms; 0 = no watchdog (the loop may sleep as long as it likes).
 */
int64_t watchdog_keepalive_ms(const watchdog_t *w);

/**
 * Call right after a frame was presented (the only place that proves the
 * main loop is alive and drawing). The first call sends READY=1 with a
 * STATUS= line; later calls send WATCHDOG=1, at most every quarter of
 * WatchdogSec (a frame at 60 Hz does not cost a syscall).
 */
void watchdog_frame_presented(watchdog_t *w);

/**
 * Send one sd_notify state string ("READY=1\nSTATUS=listening on ...") for
 * programs that are ready without a frame (the hub role, hall-central).
 * Does nothing without a manager. Any thread.
 */
void watchdog_notify(const char *state);

#endif
