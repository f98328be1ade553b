/*
 * bench_sys: process and /proc helpers shared by the parts that run the
 * real hallkiosk binary from outside (bench_process.c, bench_hub.c).
 */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 0 = exited (status filled), -1 = still running after timeout_ms */
int bench_wait_exit(pid_t pid, int timeout_ms, int *status)
{
    int64_t deadline = bench_now_ns() + (int64_t)timeout_ms * 1000000;

    for(;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if(w == pid)
            return 0;
        if(w < 0 && errno != EINTR)
            return 0; /* not our child any more: nothing to wait for */
        if(bench_now_ns() >= deadline)
            return -1;
        bench_sleep_ms(2);
    }
}

void bench_stop_child(pid_t pid)
{
    int status;

    if(pid <= 0)
        return;
    kill(pid, SIGTERM);
    if(bench_wait_exit(pid, 3000, &status) != 0) {
        kill(pid, SIGKILL);
        (void)bench_wait_exit(pid, 3000, &status); /* SIGKILL cannot be refused */
    }
}

int bench_read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n;

    buf[0] = 0;
    if(!f)
        return -1;
    n = fread(buf, 1, size - 1, f);
    buf[n] = 0;
    fclose(f);
    return 0;
}

int bench_read_pss_kb(pid_t pid, long *pss_kb, long *rss_kb)
{
    char path[64], line[256];
    FILE *f;
    int found = 0;

    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
    f = fopen(path, "r");
    if(!f)
        return -1;
    while(fgets(line, sizeof(line), f)) {
        if(!strncmp(line, "Pss:", 4)) {
            *pss_kb = atol(line + 4);
            found = 1;
        } else if(!strncmp(line, "Rss:", 4)) {
            *rss_kb = atol(line + 4);
        }
    }
    fclose(f);
    return found ? 0 : -1;
}

int bench_read_cpu_ticks(pid_t pid, long long *ticks)
{
    char path[64], buf[1024];
    unsigned long long utime = 0, stime = 0;
    FILE *f;
    size_t n;
    char *p;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if(!f)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    /* fields after the ")" of comm: state(3) ... utime(14) stime(15) */
    p = strrchr(buf, ')');
    if(!p ||
       sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    *ticks = (long long)(utime + stime);
    return 0;
}

/* Sum of on-CPU ns over the process's threads, or -1. */
long long bench_read_cpu_ns(pid_t pid)
{
    char path[64], sub[384];
    DIR *d;
    struct dirent *e;
    long long sum = 0;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    d = opendir(path);
    if(!d)
        return -1;
    while((e = readdir(d)) != NULL) {
        FILE *f;
        long long ns = 0;
        if(e->d_name[0] == '.')
            continue;
        if(snprintf(sub, sizeof(sub), "%s/%s/schedstat", path, e->d_name) >= (int)sizeof(sub))
            continue;
        f = fopen(sub, "r");
        if(!f)
            continue;
        if(fscanf(f, "%lld", &ns) == 1)
            sum += ns;
        fclose(f);
    }
    closedir(d);
    return sum;
}

void bench_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while(nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
