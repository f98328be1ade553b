/*
 * hk_log: see hk_log.h. A fixed ring under one mutex plus a formatted write
 * to stderr. No allocation, so an out-of-memory path can still log; one
 * fputs per line, so lines from two threads never interleave mid-line.
 */
#include "hk_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static hk_log_entry_t ring[HK_LOG_RING_SIZE];
static uint64_t next_seq = 1;
static int threshold = -1; /* -1: not yet read from $HK_LOG_LEVEL */
static bool to_stderr = true;

static const char *const level_names[] = { "error", "warn", "info", "debug" };
/* syslog priorities for the journal: err, warning, info, debug */
static const char *const journal_prefix[] = { "<3>", "<4>", "<6>", "<7>" };
static int to_journal = -1; /* -1: not yet checked */

/* under lock: is stderr systemd's journal stream? Then each line starts
 * with its priority ("<3>"), so journalctl -p err and the console show
 * errors as errors (sd-daemon(3), $JOURNAL_STREAM is "device:inode"). */
static bool stderr_is_journal(void)
{
    if(to_journal < 0) {
        const char *js = getenv("JOURNAL_STREAM");
        unsigned long long dev = 0, ino = 0;
        struct stat st;
        to_journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
                     (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
    }
    return to_journal == 1;
}

static int64_t wall_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* under lock */
static int current_threshold(void)
{
    if(threshold < 0) {
        hk_log_level_t l = HK_LOG_INFO;
        const char *env = getenv("HK_LOG_LEVEL");
        if(env)
            (void)hk_log_level_parse(env, &l); /* unknown text: keep INFO */
        threshold = (int)l;
    }
    return threshold;
}

void hk_logv(hk_log_level_t level, const char *module, const char *fmt, va_list ap)
{
    hk_log_entry_t *e;
    char line[HK_LOG_MSG_SIZE + 48];
    bool print;

    if((int)level < 0 || level > HK_LOG_DEBUG)
        level = HK_LOG_ERROR;
    pthread_mutex_lock(&lock);
    e = &ring[(next_seq - 1) % HK_LOG_RING_SIZE];
    e->seq = next_seq++;
    e->wall_ms = wall_now_ms();
    e->level = level;
    snprintf(e->module, sizeof(e->module), "%s", module ? module : "");
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    print = to_stderr && (int)level <= current_threshold();
    if(print)
        snprintf(line, sizeof(line), "%shallkiosk[%s] %s: %s\n",
                 stderr_is_journal() ? journal_prefix[level] : "", e->module, level_names[level],
                 e->msg);
    pthread_mutex_unlock(&lock);
    if(print)
        fputs(line, stderr);
}

void hk_log(hk_log_level_t level, const char *module, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    hk_logv(level, module, fmt, ap);
    va_end(ap);
}

void hk_log_set_level(hk_log_level_t level)
{
    pthread_mutex_lock(&lock);
    threshold = (int)level;
    pthread_mutex_unlock(&lock);
}

void hk_log_set_stderr(bool on)
{
    pthread_mutex_lock(&lock);
    to_stderr = on;
    to_journal = -1; /* stderr may be another file now: look again */
    pthread_mutex_unlock(&lock);
}

bool hk_log_level_parse(const char *s, hk_log_level_t *out)
{
    int i;

    for(i = 0; i <= (int)HK_LOG_DEBUG; i++)
        if(s && !strcmp(s, level_names[i])) {
            *out = (hk_log_level_t)i;
            return true;
        }
    return false;
}

const char *hk_log_level_str(hk_log_level_t level)
{
    if((int)level < 0 || level > HK_LOG_DEBUG)
        return "?";
    return level_names[level];
}

size_t hk_log_recent(uint64_t after_seq, hk_log_entry_t *out, size_t cap)
{
    size_t n = 0;
    uint64_t first, s;

    pthread_mutex_lock(&lock);
    first = next_seq > HK_LOG_RING_SIZE ? next_seq - HK_LOG_RING_SIZE : 1;
    if(after_seq + 1 > first)
        first = after_seq + 1;
    for(s = first; s < next_seq && n < cap; s++)
        out[n++] = ring[(s - 1) % HK_LOG_RING_SIZE];
    pthread_mutex_unlock(&lock);
    return n;
}
