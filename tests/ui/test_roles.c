/*
 * Roles of the one binary, as real processes: the screenless hub starts on
 * its own store, runs its loop without a display, and stops cleanly on
 * SIGTERM (store closed, nothing leaked: main exits 3 on a leak); the
 * counter and the hall display start headless without a reachable hub
 * (their first frame comes anyway: they never wait on the network) and
 * stop cleanly on SIGTERM; unknown roles are refused with a message.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hk_test.h"

void setUp(void)
{
}

void tearDown(void)
{
}

static pid_t spawn(const char *role, const char *err_path)
{
    /* the hub on any free port: the sample's 8080 may be taken */
    const char *extra = !strcmp(role, "hub") ? "--listen" : "--hub";
    const char *value = !strcmp(role, "hub") ? "127.0.0.1:0" : "http://127.0.0.1:9";
    char bin[1024], data[1024];
    pid_t pid;

    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(data, sizeof(data), "%s/data", hk_test_tmpdir());
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        FILE *e = freopen(err_path, "w", stderr);
        (void)e;
        execl(bin, bin, "--role", role, "--data-dir", data, "--headless", extra, value,
              "--no-voice", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int wait_ms(pid_t pid, int ms, int *status)
{
    struct timespec ts = { 0, 10 * 1000000L };
    int i;

    for(i = 0; i < ms / 10; i++) {
        if(waitpid(pid, status, WNOHANG) == pid)
            return 0;
        nanosleep(&ts, NULL);
    }
    return -1;
}

static void test_hub_runs_without_a_display_and_stops_on_sigterm(void)
{
    char err[1024], db[1024];
    struct stat st;
    pid_t pid;
    int status = 0, i;

    snprintf(err, sizeof(err), "%s/hub.err", hk_test_tmpdir());
    snprintf(db, sizeof(db), "%s/data/hallkiosk.db", hk_test_tmpdir());
    unsetenv("DISPLAY");
    pid = spawn("hub", err);
    for(i = 0; i < 500 && !hk_test_file_has(err, "hub running"); i++)
        usleep(10000);
    HK_ASSERT_MSG(hk_test_file_has(err, "hub running"), "the hub did not report running");
    HK_ASSERT(stat(db, &st) == 0); /* its own branch store */
    HK_ASSERT_MSG(wait_ms(pid, 300, &status) != 0, "the hub exited by itself");
    kill(pid, SIGTERM);
    HK_ASSERT_MSG(wait_ms(pid, 5000, &status) == 0, "the hub ignored SIGTERM");
    HK_ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "hub exit status %d", status);
    HK_ASSERT(hk_test_file_has(err, "stopped"));
}

static void screen_role_starts_without_its_hub_and_stops(const char *role)
{
    char err[1024];
    int status = 0, i;
    pid_t pid;

    snprintf(err, sizeof(err), "%s/%s.err", hk_test_tmpdir(), role);
    unsetenv("DISPLAY");
    pid = spawn(role, err);
    for(i = 0; i < 1000 && !hk_test_file_has(err, "first frame presented"); i++)
        usleep(10000);
    HK_ASSERT_MSG(hk_test_file_has(err, "first frame presented"), "%s: no first frame", role);
    HK_ASSERT_MSG(wait_ms(pid, 300, &status) != 0, "%s exited by itself", role);
    kill(pid, SIGTERM);
    HK_ASSERT_MSG(wait_ms(pid, 8000, &status) == 0, "%s ignored SIGTERM", role);
    HK_ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s exit status %d", role, status);
}

static void test_counter_and_display_start_without_their_hub_and_stop_on_sigterm(void)
{
    screen_role_starts_without_its_hub_and_stops("counter");
    screen_role_starts_without_its_hub_and_stops("display");
}

static void test_unknown_roles_are_refused_by_name(void)
{
    char err[1024];
    int status = 0;
    pid_t pid;

    snprintf(err, sizeof(err), "%s/bogus.err", hk_test_tmpdir());
    pid = spawn("cashier", err);
    HK_ASSERT(wait_ms(pid, 5000, &status) == 0);
    HK_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 2);
    HK_ASSERT(hk_test_file_has(err, "--role: expected kiosk, counter, display or hub"));
}

int main(void)
{
    HK_RUN(test_hub_runs_without_a_display_and_stops_on_sigterm);
    HK_RUN(test_counter_and_display_start_without_their_hub_and_stop_on_sigterm);
    HK_RUN(test_unknown_roles_are_refused_by_name);
    return hk_test_end();
}
