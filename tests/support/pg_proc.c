/*
 * pg_proc: see pg_proc.h. Plain POSIX processes: fork, drop to "nobody"
 * when root, exec initdb / postgres / createdb from the package's bin dir.
 * Readiness is read from postmaster.pid's status line ("ready"), as pg_ctl
 * does, so no client library is needed.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "pg_proc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define START_TIMEOUT_MS 60000
#define STOP_TIMEOUT_MS  20000

struct pg_proc {
    char bindir[256];
    char dir[256];  /* the temp dir: data/, the socket, the log, pwfile */
    char data[300]; /* dir/data */
    char log[300];
    char url[400];
    char password[33];
    int port;
    bool durable;
    bool drop; /* run the server as uid/gid (we are root) */
    uid_t uid;
    gid_t gid;
    pid_t pid; /* the postmaster; 0 = not running */
};

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while(nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool find_bindir(char *out, size_t size)
{
    const char *env = getenv("HK_PG_BINDIR");
    struct dirent *de;
    DIR *d;
    int best = -1;

    if(env && *env) {
        snprintf(out, size, "%s", env);
        return true;
    }
    d = opendir("/usr/lib/postgresql");
    if(!d)
        return false;
    while((de = readdir(d)) != NULL) {
        char path[512];
        int v = atoi(de->d_name);
        if(v <= best)
            continue;
        snprintf(path, sizeof(path), "/usr/lib/postgresql/%s/bin/postgres", de->d_name);
        if(access(path, X_OK) == 0) {
            best = v;
            /* path minus "/postgres" (cut to size, a name that long is not a version) */
            size_t n = strlen(path) - strlen("/postgres");
            if(n >= size)
                n = size - 1;
            memcpy(out, path, n);
            out[n] = '\0';
        }
    }
    closedir(d);
    return best >= 0;
}

bool pg_proc_available(char *why, size_t why_size)
{
    char bindir[256], path[300];
    const char *tools[] = { "initdb", "postgres", "createdb" };
    size_t i;

    if(!find_bindir(bindir, sizeof(bindir))) {
        snprintf(why, why_size, "no PostgreSQL server: apt-get install postgresql");
        return false;
    }
    for(i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", bindir, tools[i]);
        if(access(path, X_OK) != 0) {
            snprintf(why, why_size, "%s not executable", path);
            return false;
        }
    }
    if(geteuid() == 0 && !getpwnam("nobody")) {
        snprintf(why, why_size, "running as root and there is no user nobody to run postgres");
        return false;
    }
    return true;
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if(fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
       getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* fork + (drop privileges) + exec argv with stdout/stderr to log_path.
 * env: extra "K=V" strings (NULL-terminated list) or NULL. */
static pid_t spawn(const pg_proc_t *p, bool drop, char *const argv[], const char *log_path,
                   char *const env[], bool die_with_parent)
{
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    char **envp = environ;
    pid_t pid;

    if(fd < 0)
        return -1;
    if(env) { /* environ + env, built before fork: the child only execs */
        size_t n = 0, k = 0, i;
        while(environ[n])
            n++;
        while(env[k])
            k++;
        envp = calloc(n + k + 1, sizeof(char *));
        if(!envp) {
            close(fd);
            return -1;
        }
        for(i = 0; i < k; i++)
            envp[i] = env[i]; /* first: getenv() takes the first match */
        for(i = 0; i < n; i++)
            envp[k + i] = environ[i];
    }
    pid = fork();
    if(pid == 0) {
        int nul = open("/dev/null", O_RDONLY);
        if(nul >= 0)
            dup2(nul, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if(chdir(p->dir) != 0)
            _exit(126);
        if(drop) {
            if(setgroups(0, NULL) != 0 || setgid(p->gid) != 0 || setuid(p->uid) != 0)
                _exit(126);
        }
        /* after the uid change: a credential change clears the death signal */
        if(die_with_parent)
            prctl(PR_SET_PDEATHSIG, SIGINT);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    if(envp != environ)
        free(envp);
    close(fd);
    return pid;
}

static int wait_exit(pid_t pid, int timeout_ms, int *status)
{
    long long end = now_ms() + timeout_ms;

    for(;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if(r == pid)
            return 0;
        if(r < 0 && errno != EINTR)
            return 0; /* not our child any more */
        if(now_ms() >= end)
            return -1;
        sleep_ms(20);
    }
}

/* The last ~200 bytes of the log, on one line, for a failure message. */
static void log_tail(const pg_proc_t *p, char *out, size_t size)
{
    char buf[2048];
    FILE *f = fopen(p->log, "r");
    size_t n = 0;
    long off;

    out[0] = '\0';
    if(!f)
        return;
    if(fseek(f, 0, SEEK_END) == 0 && (off = ftell(f)) > 400)
        (void)fseek(f, off - 400, SEEK_SET); /* else read from the start */
    else
        rewind(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    for(size_t i = 0; i < n; i++)
        if(buf[i] == '\n')
            buf[i] = ' ';
    if(n >= size)
        n = size - 1;
    memcpy(out, buf, n); /* cut to size (snprintf would warn of the cut) */
    out[n] = '\0';
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    (void)remove(path); /* best effort: a leftover temp dir is only untidy */
    return 0;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    size_t n = strlen(text);

    if(fd < 0)
        return -1;
    if(write(fd, text, n) != (ssize_t)n) {
        close(fd);
        return -1;
    }
    return close(fd);
}

static void random_password(char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t i;

    if(fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
        srand((unsigned)time(NULL) ^ (unsigned)getpid());
        for(i = 0; i < sizeof(raw); i++)
            raw[i] = (unsigned char)rand();
    }
    if(fd >= 0)
        close(fd);
    for(i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[32] = '\0';
}

/* Is postmaster.pid's status line "ready"? (line 8, PostgreSQL >= 10) */
static bool is_ready(const pg_proc_t *p)
{
    char path[320], buf[1024];
    FILE *f;
    size_t n;
    int line = 1;
    char *c;

    snprintf(path, sizeof(path), "%s/postmaster.pid", p->data);
    f = fopen(path, "r");
    if(!f)
        return false;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    for(c = buf; *c && line < 8; c++)
        if(*c == '\n')
            line++;
    return line == 8 && strncmp(c, "ready", 5) == 0;
}

static int start_server(pg_proc_t *p, char *why, size_t why_size)
{
    char exe[300], port[16], sock[300], tail[512];
    char *argv[32];
    int argc = 0, status;
    long long end;

    snprintf(exe, sizeof(exe), "%s/postgres", p->bindir);
    snprintf(port, sizeof(port), "%d", p->port);
    snprintf(sock, sizeof(sock), "%s", p->dir);
    argv[argc++] = exe;
    argv[argc++] = (char *)"-D";
    argv[argc++] = p->data;
    argv[argc++] = (char *)"-p";
    argv[argc++] = port;
    argv[argc++] = (char *)"-k";
    argv[argc++] = sock;
    argv[argc++] = (char *)"-c";
    argv[argc++] = (char *)"listen_addresses=127.0.0.1";
    argv[argc++] = (char *)"-c";
    argv[argc++] = (char *)"max_connections=60";
    if(!p->durable) {
        argv[argc++] = (char *)"-c";
        argv[argc++] = (char *)"fsync=off";
        argv[argc++] = (char *)"-c";
        argv[argc++] = (char *)"synchronous_commit=off";
        argv[argc++] = (char *)"-c";
        argv[argc++] = (char *)"full_page_writes=off";
    }
    argv[argc] = NULL;
    p->pid = spawn(p, p->drop, argv, p->log, NULL, true);
    if(p->pid < 0) {
        p->pid = 0;
        snprintf(why, why_size, "cannot start %s: %s", exe, strerror(errno));
        return -1;
    }
    end = now_ms() + START_TIMEOUT_MS;
    while(!is_ready(p)) {
        if(waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            log_tail(p, tail, sizeof(tail));
            snprintf(why, why_size, "postgres exited at start: %s", tail);
            return -1;
        }
        if(now_ms() >= end) {
            log_tail(p, tail, sizeof(tail));
            snprintf(why, why_size, "postgres not ready after %d s: %s", START_TIMEOUT_MS / 1000,
                     tail);
            return -1;
        }
        sleep_ms(30);
    }
    return 0;
}

int pg_proc_start(bool durable, pg_proc_t **out, char *why, size_t why_size)
{
    pg_proc_t *p;
    char initdb[300], pwfile[320], pwopt[340], tail[512];
    int status, attempt;
    pid_t pid;

    *out = NULL;
    if(!pg_proc_available(why, why_size))
        return -1;
    p = calloc(1, sizeof(*p));
    if(!p) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    p->durable = durable;
    find_bindir(p->bindir, sizeof(p->bindir));
    if(geteuid() == 0) {
        struct passwd *pw = getpwnam("nobody");
        p->drop = true;
        p->uid = pw->pw_uid;
        p->gid = pw->pw_gid;
    }
    /* under /tmp, not the build tree: the socket path must stay short, and
     * "nobody" must be able to reach the directory */
    snprintf(p->dir, sizeof(p->dir), "/tmp/hk-pg-XXXXXX");
    if(!mkdtemp(p->dir)) {
        snprintf(why, why_size, "mkdtemp: %s", strerror(errno));
        free(p);
        return -1;
    }
    snprintf(p->data, sizeof(p->data), "%s/data", p->dir);
    snprintf(p->log, sizeof(p->log), "%s/postgres.log", p->dir);
    snprintf(pwfile, sizeof(pwfile), "%s/pwfile", p->dir);
    random_password(p->password);
    if(write_file(pwfile, p->password, 0600) != 0 ||
       (p->drop && (chown(p->dir, p->uid, p->gid) != 0 || chown(pwfile, p->uid, p->gid) != 0))) {
        snprintf(why, why_size, "cannot prepare %s: %s", p->dir, strerror(errno));
        goto fail;
    }

    snprintf(initdb, sizeof(initdb), "%s/initdb", p->bindir);
    snprintf(pwopt, sizeof(pwopt), "--pwfile=%s", pwfile);
    {
        char *argv[] = { initdb,
                         (char *)"-D",
                         p->data,
                         (char *)"-U",
                         (char *)PG_PROC_USER,
                         pwopt,
                         (char *)"--auth-local=trust",
                         (char *)"--auth-host=scram-sha-256",
                         (char *)"-E",
                         (char *)"UTF8",
                         (char *)"--no-locale",
                         (char *)"--no-sync",
                         NULL };
        pid = spawn(p, p->drop, argv, p->log, NULL, false);
    }
    if(pid < 0 || wait_exit(pid, START_TIMEOUT_MS, &status) != 0 || !WIFEXITED(status) ||
       WEXITSTATUS(status) != 0) {
        log_tail(p, tail, sizeof(tail));
        snprintf(why, why_size, "initdb failed: %s", tail);
        goto fail;
    }
    (void)remove(pwfile); /* initdb has read it */

    for(attempt = 0; attempt < 5; attempt++) {
        /* a free port can be taken between the probe and postgres's bind: retry */
        p->port = free_port();
        if(p->port <= 0) {
            snprintf(why, why_size, "no free loopback port");
            goto fail;
        }
        if(start_server(p, why, why_size) == 0)
            break;
        if(p->pid) {
            kill(p->pid, SIGQUIT);
            (void)wait_exit(p->pid, STOP_TIMEOUT_MS, &status);
            p->pid = 0;
        }
    }
    if(!p->pid)
        goto fail;
    snprintf(p->url, sizeof(p->url), "postgresql://%s:%s@127.0.0.1:%d/postgres", PG_PROC_USER,
             p->password, p->port);
    *out = p;
    return 0;
fail:
    pg_proc_stop(p);
    return -1;
}

const char *pg_proc_url(const pg_proc_t *p)
{
    return p->url;
}

const char *pg_proc_password(const pg_proc_t *p)
{
    return p->password;
}

int pg_proc_port(const pg_proc_t *p)
{
    return p->port;
}

int pg_proc_createdb(pg_proc_t *p, const char *name, char *url, size_t url_size)
{
    char exe[300], port[16], pwenv[64], log[320];
    char *env[] = { pwenv, NULL };
    int status;
    pid_t pid;

    snprintf(exe, sizeof(exe), "%s/createdb", p->bindir);
    snprintf(port, sizeof(port), "%d", p->port);
    snprintf(pwenv, sizeof(pwenv), "PGPASSWORD=%s", p->password);
    snprintf(log, sizeof(log), "%s/createdb.log", p->dir);
    {
        char *argv[] = { exe,  (char *)"-h", (char *)"127.0.0.1",  (char *)"-p",
                         port, (char *)"-U", (char *)PG_PROC_USER, (char *)name,
                         NULL };
        pid = spawn(p, false, argv, log, env, false);
    }
    if(pid < 0 || wait_exit(pid, START_TIMEOUT_MS, &status) != 0 || !WIFEXITED(status) ||
       WEXITSTATUS(status) != 0) {
        fprintf(stderr, "pg_proc: createdb %s failed (see %s)\n", name, log);
        return -1;
    }
    snprintf(url, url_size, "postgresql://%s:%s@127.0.0.1:%d/%s", PG_PROC_USER, p->password,
             p->port, name);
    return 0;
}

int pg_proc_query(pg_proc_t *p, const char *db, const char *sql, char *out, size_t out_size)
{
    char exe[300], port[16], pwenv[64], path[320];
    char *env[] = { pwenv, NULL };
    int status, ok;
    size_t n = 0;
    FILE *f;
    pid_t pid;

    out[0] = '\0';
    snprintf(exe, sizeof(exe), "%s/psql", p->bindir);
    snprintf(port, sizeof(port), "%d", p->port);
    snprintf(pwenv, sizeof(pwenv), "PGPASSWORD=%s", p->password);
    snprintf(path, sizeof(path), "%s/query.out", p->dir);
    (void)remove(path); /* spawn appends */
    {
        char *argv[] = { exe,
                         (char *)"-X",
                         (char *)"-q",
                         (char *)"-A",
                         (char *)"-t",
                         (char *)"-v",
                         (char *)"ON_ERROR_STOP=1",
                         (char *)"-h",
                         (char *)"127.0.0.1",
                         (char *)"-p",
                         port,
                         (char *)"-U",
                         (char *)PG_PROC_USER,
                         (char *)"-d",
                         (char *)db,
                         (char *)"-c",
                         (char *)sql,
                         NULL };
        pid = spawn(p, false, argv, path, env, false);
    }
    ok = pid > 0 && wait_exit(pid, START_TIMEOUT_MS, &status) == 0 && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
    f = fopen(path, "r");
    if(f) {
        n = fread(out, 1, out_size - 1, f);
        fclose(f);
    }
    out[n] = '\0';
    while(n > 0 && out[n - 1] == '\n')
        out[--n] = '\0';
    return ok ? 0 : -1;
}

int pg_proc_halt(pg_proc_t *p)
{
    int status;

    if(!p->pid)
        return 0;
    kill(p->pid, SIGINT); /* fast shutdown: sessions are ended, then a checkpoint */
    if(wait_exit(p->pid, STOP_TIMEOUT_MS, &status) != 0) {
        kill(p->pid, SIGKILL);
        (void)wait_exit(p->pid, STOP_TIMEOUT_MS, &status);
        p->pid = 0;
        return -1;
    }
    p->pid = 0;
    return 0;
}

int pg_proc_restart(pg_proc_t *p)
{
    char why[512];

    if(p->pid)
        return 0;
    if(start_server(p, why, sizeof(why)) != 0) {
        fprintf(stderr, "pg_proc: restart: %s\n", why);
        return -1;
    }
    return 0;
}

void pg_proc_stop(pg_proc_t *p)
{
    if(!p)
        return;
    (void)pg_proc_halt(p);
    if(p->dir[0])
        (void)nftw(p->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); /* best effort */
    free(p);
}
