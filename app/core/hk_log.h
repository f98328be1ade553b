/*
 * hk_log: leveled log lines with two sinks. stderr (journald picks it up
 * on a device; one line per entry, "hallkiosk[module] level: text") and an
 * in-memory ring of the most recent entries that the engineer mode and
 * diagnostics read back. It does not write files and does not allocate:
 * the ring is a fixed static array, so logging works when memory is out.
 *
 * Thread-safe: any thread may log; the ring is guarded by a mutex.
 */
#ifndef HK_APP_CORE_HK_LOG_H
#define HK_APP_CORE_HK_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hk_log_level {
    HK_LOG_ERROR = 0,
    HK_LOG_WARN,
    HK_LOG_INFO,
    HK_LOG_DEBUG
} hk_log_level_t;

#define HK_LOG_RING_SIZE 256 /* entries kept in memory */
#define HK_LOG_MSG_SIZE  240 /* bytes of text per entry, NUL included */

typedef struct hk_log_entry {
    uint64_t seq;    /* 1, 2, ... since process start */
    int64_t wall_ms; /* CLOCK_REALTIME when logged */
    hk_log_level_t level;
    char module[16];
    char msg[HK_LOG_MSG_SIZE];
} hk_log_entry_t;

/**
 * Log one line. Entries above the stderr threshold (hk_log_set_level, default
 * INFO; $HK_LOG_LEVEL=error|warn|info|debug overrides at first use) are not
 * printed but are still kept in the ring.
 * @param module  short name of the logging module ("queue", "printer").
 */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void hk_log(hk_log_level_t level, const char *module, const char *fmt, ...);

/** va_list form of hk_log(). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 0)))
#endif
void hk_logv(hk_log_level_t level, const char *module, const char *fmt, va_list ap);

#define hk_log_error(mod, ...) hk_log(HK_LOG_ERROR, (mod), __VA_ARGS__)
#define hk_log_warn(mod, ...)  hk_log(HK_LOG_WARN, (mod), __VA_ARGS__)
#define hk_log_info(mod, ...)  hk_log(HK_LOG_INFO, (mod), __VA_ARGS__)
#define hk_log_debug(mod, ...) hk_log(HK_LOG_DEBUG, (mod), __VA_ARGS__)

/** Threshold for the stderr sink (the ring keeps every level). */
void hk_log_set_level(hk_log_level_t level);

/** Silence (false) or restore (true) the stderr sink; tests use it. When
 *  stderr is systemd's journal stream ($JOURNAL_STREAM names its device
 *  and inode), each line starts with its syslog priority ("<3>" = err);
 *  this call makes the sink look again. */
void hk_log_set_stderr(bool on);

/** Parse "error|warn|info|debug"; false when s names no level. */
bool hk_log_level_parse(const char *s, hk_log_level_t *out);

/** Text of a level ("error", ...). */
const char *hk_log_level_str(hk_log_level_t level);

/**
 * Copy ring entries with seq > after_seq, oldest first, into out[0..cap).
 * @return the number copied. Entries overwritten before the call are gone:
 *         the first copied seq then exceeds after_seq + 1.
 */
size_t hk_log_recent(uint64_t after_seq, hk_log_entry_t *out, size_t cap);

#endif
