/*
 * The service watchdog restarts a hung kiosk. systemd is not PID 1 where the
 * tests run (no systemctl), so this test plays the service manager itself,
 * honestly, over the same sd_notify protocol systemd speaks: it binds the
 * NOTIFY_SOCKET datagram socket, sets WATCHDOG_USEC and WATCHDOG_PID (the
 * child's own pid, as systemd does) and starts the real hallkiosk headless.
 * It checks READY=1 arrives only after the first frame was presented (the
 * kiosk's log says so first), that WATCHDOG=1 keeps coming while the screen
 * is idle (the loop presents at least every WatchdogSec/2), and that once the
 * main loop hangs (the test hook HK_TEST_HANG_AFTER_MS) the pings stop while
 * the process lives on, so the manager's WatchdogSec expires; it then does
 * what systemd does (SIGABRT, then SIGKILL, Restart=on-failure) and sees the
 * restarted kiosk report READY=1 again. Also: the hub role reports READY=1
 * once its LAN API listens, and a kiosk in lockdown (--kiosk-lockdown, as
 * the units run it) shrugs off the terminal's Ctrl+C, Ctrl+\ and a hangup
 * but stops cleanly on SIGTERM (systemctl stop).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hk_test.h"

#define WATCHDOG_MS 1000 /* WatchdogSec=1s: short, so the test is */

static int sock_fd = -1;
static char sock_path[108];
static pid_t child;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The manager's end: a datagram socket the child's sd_notify writes to. */
static void open_notify_socket(void)
{
    struct sockaddr_un a;

    /* sun_path is short: a name in /tmp, not in the (long) test dir */
    snprintf(sock_path, sizeof(sock_path), "/tmp/hk-notify-%d.sock", (int)getpid());
    unlink(sock_path);
    sock_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    HK_ASSERT(sock_fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock_path);
    HK_ASSERT_MSG(bind(sock_fd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind %s: %s", sock_path,
                  strerror(errno));
}

/* Next datagram within timeout_ms into buf; 0 = none came. */
static int recv_state(char *buf, size_t size, int timeout_ms)
{
    struct pollfd p = { sock_fd, POLLIN, 0 };
    ssize_t n;

    if(poll(&p, 1, timeout_ms) <= 0)
        return 0;
    n = recv(sock_fd, buf, size - 1, 0);
    if(n <= 0)
        return 0;
    buf[n] = '\0';
    return 1;
}

/* Start hallkiosk as a unit would, with argv after the binary; stderr to log. */
static pid_t start(const char *log, const char *hang_ms, const char **args)
{
    char bin[1024];
    pid_t pid;

    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    pid = fork();
    if(pid == 0) {
        char wpid[32];
        FILE *f = freopen(log, "w", stderr);

        (void)f;
        dup2(2, 1);
        snprintf(wpid, sizeof(wpid), "%d", (int)getpid()); /* exec keeps the pid */
        /* as systemd does: default signal dispositions (a shell's
         * background job would pass SIGINT and SIGQUIT ignored) */
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGTSTP, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        setenv("NOTIFY_SOCKET", sock_path, 1);
        setenv("WATCHDOG_USEC", "1000000", 1);
        setenv("WATCHDOG_PID", wpid, 1);
        if(hang_ms)
            setenv("HK_TEST_HANG_AFTER_MS", hang_ms, 1);
        else
            unsetenv("HK_TEST_HANG_AFTER_MS");
        args[0] = bin;
        execv(bin, (char *const *)args); /* execv does not write them */
        _exit(127);
    }
    HK_ASSERT(pid > 0);
    return pid;
}

/* A kiosk idling on its attract screen with nobody touching it: a script
 * that only waits, against a hub nobody serves (so the kiosk runs on the
 * wall clock: a hosting kiosk's scripted runs step time instead). */
static pid_t start_kiosk(const char *name, const char *hang_ms, int lockdown)
{
    static char script[1024], data[1024], log[1024];
    static const char *args[] = { NULL,       "--headless", "--size",
                                  "540x960",  "--hub",      "http://127.0.0.1:9",
                                  "--script", script,       "--data-dir",
                                  data,       NULL,         NULL };
    FILE *f;

    snprintf(script, sizeof(script), "%s", hk_test_path("idle.txt"));
    f = fopen(script, "w");
    HK_ASSERT(f != NULL);
    fputs("wait 600000\nquit\n", f);
    fclose(f);
    snprintf(data, sizeof(data), "%s", hk_test_path(name));
    snprintf(log, sizeof(log), "%s/%s.log", hk_test_tmpdir(), name);
    args[10] = lockdown ? "--kiosk-lockdown" : NULL;
    return start(log, hang_ms, args);
}

/* Wait up to timeout_ms for a state containing want; the time it came. */
static int64_t wait_for(const char *want, int timeout_ms, char *got, size_t size)
{
    int64_t end = now_ms() + timeout_ms;

    while(now_ms() < end) {
        int left = (int)(end - now_ms());
        if(recv_state(got, size, left > 0 ? left : 0) && strstr(got, want))
            return now_ms();
    }
    return -1;
}

static void stop_child(void)
{
    if(child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = 0;
    }
}

void setUp(void)
{
    open_notify_socket();
}

void tearDown(void)
{
    stop_child();
    if(sock_fd >= 0)
        close(sock_fd);
    sock_fd = -1;
    unlink(sock_path);
}

/* READY=1 once the first frame is on the glass, then WATCHDOG=1 at least
 * every WatchdogSec while the screen sits idle. */
static void test_ready_after_first_frame_then_pings_while_idle(void)
{
    char msg[512], log[1024];
    int64_t last, start_ms, gap_max = 0;
    int pings = 0;

    child = start_kiosk("idle", NULL, 0);
    HK_ASSERT_MSG(wait_for("READY=1", 30000, msg, sizeof(msg)) > 0, "no READY=1 in 30 s");
    HK_ASSERT_CONTAINS(msg, "STATUS=hallkiosk: first frame presented");
    snprintf(log, sizeof(log), "%s/idle.log", hk_test_tmpdir());
    /* logged before READY=1 was sent, from the same thread */
    HK_ASSERT_MSG(hk_test_file_has_bytes(log, "first frame presented"),
                  "READY=1 came but the log has no first frame");
    last = start_ms = now_ms();
    while(now_ms() - start_ms < 4 * WATCHDOG_MS) {
        if(!recv_state(msg, sizeof(msg), 2 * WATCHDOG_MS))
            break;
        if(strstr(msg, "WATCHDOG=1")) {
            int64_t t = now_ms();
            if(t - last > gap_max)
                gap_max = t - last;
            last = t;
            pings++;
        }
    }
    printf("# idle kiosk: %d WATCHDOG=1 in %d ms, longest gap %lld ms (WatchdogSec %d ms)\n", pings,
           4 * WATCHDOG_MS, (long long)gap_max, WATCHDOG_MS);
    HK_ASSERT_MSG(pings >= 4, "only %d WATCHDOG=1 in %d ms of an idle screen", pings,
                  4 * WATCHDOG_MS);
    HK_ASSERT_MSG(gap_max < WATCHDOG_MS, "a gap of %lld ms between pings (WatchdogSec %d ms)",
                  (long long)gap_max, WATCHDOG_MS);
}

/* The loop hangs: pings stop, the process lives on (nothing else would end
 * it), the manager kills it as systemd would, the restarted kiosk is READY. */
static void test_hung_loop_stops_pings_and_restart_is_ready_again(void)
{
    char msg[512];
    int64_t last, ready_ms, hung_ms = -1;
    int status = 0, pings = 0;

    child = start_kiosk("hang", "3000", 0);
    ready_ms = wait_for("READY=1", 30000, msg, sizeof(msg));
    HK_ASSERT_MSG(ready_ms > 0, "no READY=1 in 30 s");
    last = now_ms();
    /* the manager's loop: every ping resets the timer; WatchdogSec without
     * one is a timeout */
    while(now_ms() - ready_ms < 30000) {
        if(recv_state(msg, sizeof(msg), 50)) {
            if(strstr(msg, "WATCHDOG=1")) {
                last = now_ms();
                pings++;
            }
        } else if(now_ms() - last > WATCHDOG_MS) {
            hung_ms = now_ms();
            break;
        }
    }
    HK_ASSERT_MSG(hung_ms > 0, "the pings never stopped (HK_TEST_HANG_AFTER_MS ignored?)");
    HK_ASSERT_MSG(pings >= 2, "only %d pings before the hang", pings);
    printf("# hung kiosk: %d pings after READY=1, then none; the manager's timeout came %lld ms "
           "after READY=1 (hang at 3000 ms after start + WatchdogSec)\n",
           pings, (long long)(hung_ms - ready_ms));
    /* hung, not dead: only the watchdog would ever notice */
    HK_ASSERT_INT(0, waitpid(child, &status, WNOHANG));
    /* no late ping either: the loop stays hung */
    HK_ASSERT(!recv_state(msg, sizeof(msg), WATCHDOG_MS) || !strstr(msg, "WATCHDOG=1"));
    /* systemd: WatchdogSignal (SIGABRT), then SIGKILL after TimeoutAbortSec */
    kill(child, SIGABRT);
    {
        int64_t end = now_ms() + 3000;
        while(waitpid(child, &status, WNOHANG) == 0 && now_ms() < end)
            (void)poll(NULL, 0, 20);
        if(kill(child, 0) == 0) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
        }
    }
    child = 0;
    HK_ASSERT(WIFSIGNALED(status));
    /* Restart=on-failure: a new kiosk, READY again, feeding again */
    child = start_kiosk("restarted", NULL, 0);
    HK_ASSERT_MSG(wait_for("READY=1", 30000, msg, sizeof(msg)) > 0, "restart: no READY=1");
    HK_ASSERT_MSG(wait_for("WATCHDOG=1", 2 * WATCHDOG_MS, msg, sizeof(msg)) > 0,
                  "restart: no WATCHDOG=1");
}

/* The hub role (hallkiosk-hub.service, Type=notify): READY=1 once it
 * serves the LAN API. */
static void test_hub_ready_once_it_listens(void)
{
    static char data[1024], log[1024];
    static const char *args[] = { NULL,          "--role",     "hub", "--listen",
                                  "127.0.0.1:0", "--data-dir", data,  NULL };
    char msg[512];

    snprintf(data, sizeof(data), "%s", hk_test_path("hub"));
    snprintf(log, sizeof(log), "%s/hub.log", hk_test_tmpdir());
    child = start(log, NULL, args);
    HK_ASSERT_MSG(wait_for("READY=1", 30000, msg, sizeof(msg)) > 0, "hub: no READY=1");
    HK_ASSERT_CONTAINS(msg, "serving the LAN API");
    /* a clean stop, as systemctl stop does it */
    kill(child, SIGTERM);
    {
        int status = 0;
        waitpid(child, &status, 0);
        child = 0;
        HK_ASSERT(WIFEXITED(status));
    }
}

/* Lockdown: what a keyboard on the kiosk's terminal could send (Ctrl+C,
 * Ctrl+\, the line hanging up) does not end it; the service manager's
 * SIGTERM does, cleanly (exit 0). */
static void test_lockdown_ignores_terminal_signals_and_stops_on_sigterm(void)
{
    char msg[512];
    int status = 0;

    /* the control: without lockdown Ctrl+C ends the kiosk */
    child = start_kiosk("unlocked", NULL, 0);
    HK_ASSERT_MSG(wait_for("READY=1", 30000, msg, sizeof(msg)) > 0, "no READY=1 in 30 s");
    kill(child, SIGINT);
    HK_ASSERT_INT(child, waitpid(child, &status, 0));
    child = 0;
    HK_ASSERT_MSG(WIFEXITED(status) || WIFSIGNALED(status), "status 0x%x", status);

    child = start_kiosk("locked", NULL, 1);
    HK_ASSERT_MSG(wait_for("READY=1", 30000, msg, sizeof(msg)) > 0, "no READY=1 in 30 s");
    kill(child, SIGINT);
    kill(child, SIGQUIT);
    kill(child, SIGHUP);
    kill(child, SIGTSTP);
    /* still feeding the watchdog, so still alive and drawing */
    HK_ASSERT_MSG(wait_for("WATCHDOG=1", 2 * WATCHDOG_MS, msg, sizeof(msg)) > 0,
                  "no WATCHDOG=1 after Ctrl+C/Ctrl+\\/hangup/Ctrl+Z");
    HK_ASSERT_MSG(wait_for("WATCHDOG=1", 2 * WATCHDOG_MS, msg, sizeof(msg)) > 0,
                  "the kiosk stopped after the terminal's signals");
    HK_ASSERT_INT(0, waitpid(child, &status, WNOHANG));
    kill(child, SIGTERM);
    HK_ASSERT_INT(child, waitpid(child, &status, 0));
    child = 0;
    HK_ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "SIGTERM: status 0x%x", status);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    HK_RUN(test_ready_after_first_frame_then_pings_while_idle);
    HK_RUN(test_hung_loop_stops_pings_and_restart_is_ready_again);
    HK_RUN(test_hub_ready_once_it_listens);
    HK_RUN(test_lockdown_ignores_terminal_signals_and_stops_on_sigterm);
    return hk_test_end();
}
