/*
 * hallctl end to end, as a staff member's script runs it: the real binary
 * against a real hub process on 127.0.0.1, credentials from HK_TOKEN,
 * HK_STAFF and HK_PIN, the session cached under XDG_RUNTIME_DIR. Checks the
 * exit codes (0 ok, 2 usage, 3 refused with the hub's message, 4
 * unreachable), what a script reads on stdout (the number issued or
 * called, the CSV), and the hash-pin output.
 *
 * The staff day uses lan-server's sessions, visits and ratings (merged into
 * this branch); HTTPS uses a self-signed certificate made with openssl
 * (skipped without it).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hk_test.h"
#include "hub_proc.h"

static hub_proc_t hub;
static char out_path[1024], err_path[1024];
static char out[16384], err[4096];

void setUp(void)
{
    char rt[1024];

    memset(&hub, 0, sizeof(hub));
    snprintf(rt, sizeof(rt), "%s/run", hk_test_tmpdir());
    mkdir(rt, 0700);
    setenv("XDG_RUNTIME_DIR", rt, 1);
    unsetenv("HK_HUB");
    unsetenv("HK_TOKEN");
    unsetenv("HK_STAFF");
    unsetenv("HK_PIN");
    unsetenv("HK_CA_FILE");
}

void tearDown(void)
{
    hub_proc_stop(&hub);
}

static void slurp(const char *path, char *dst, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;

    if(f) {
        n = fread(dst, 1, cap - 1, f);
        fclose(f);
    }
    dst[n] = '\0';
}

/* Run hallctl with args (NULL-terminated), stdin from in (NULL = none).
 * Returns its exit code; out/err hold what it printed. */
static int hallctl(const char *in, const char *const *args)
{
    char bin[1024], in_path[1024];
    const char *argv[16];
    int status = 0, i;
    pid_t pid;

    snprintf(bin, sizeof(bin), "%s/tools/hallctl/hallctl", HK_BINARY_DIR);
    snprintf(out_path, sizeof(out_path), "%s/hallctl.out", hk_test_tmpdir());
    snprintf(err_path, sizeof(err_path), "%s/hallctl.err", hk_test_tmpdir());
    snprintf(in_path, sizeof(in_path), "%s/hallctl.in", hk_test_tmpdir());
    if(in) {
        FILE *f = fopen(in_path, "w");
        HK_ASSERT(f);
        fputs(in, f);
        fclose(f);
    }
    argv[0] = bin;
    for(i = 0; args[i] && i < 14; i++)
        argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        int fi = open(in ? in_path : "/dev/null", O_RDONLY);
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(bin, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    slurp(out_path, out, sizeof(out));
    slurp(err_path, err, sizeof(err));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

#define HALLCTL(...) hallctl(NULL, (const char *const[]){ __VA_ARGS__, NULL })

static void test_hallctl_usage_unreachable_and_hash_pin(void)
{
    char url[64];

    HK_ASSERT_INT(2, HALLCTL("frobnicate"));
    HK_ASSERT_CONTAINS(err, "unknown command");
    HK_ASSERT_INT(2, hallctl(NULL, (const char *const[]){ NULL }));
    HK_ASSERT_INT(2, HALLCTL("issue"));
    HK_ASSERT_INT(2, HALLCTL("export")); /* --csv is required */
    HK_ASSERT_INT(2, HALLCTL("--hub", "ftp://x", "status"));
    HK_ASSERT_INT(0, HALLCTL("--help"));
    HK_ASSERT_CONTAINS(out, "call-next COUNTER");

    /* nobody listens there */
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", hub_proc_free_port());
    HK_ASSERT_INT(4, HALLCTL("--hub", url, "status"));
    HK_ASSERT_CONTAINS(err, "unreachable");
    setenv("HK_HUB", url, 1);
    HK_ASSERT_INT(4, HALLCTL("issue", "A"));

    /* an Argon2id string the config's staff[].pin_hash takes (OWASP t=2 m=19 MiB) */
    HK_ASSERT_INT(0, hallctl("246810\n", (const char *const[]){ "hash-pin", NULL }));
    HK_ASSERT_MSG(!strncmp(out, "$argon2id$v=19$m=19456,t=2,p=1$", 31), "hash-pin printed %s", out);
    HK_ASSERT(!strstr(out, "246810"));
    HK_ASSERT_INT(2, hallctl("", (const char *const[]){ "hash-pin", NULL }));
}

static void test_hallctl_issue_and_status_with_a_device_token(void)
{
    hub_proc_start(&hub);
    setenv("HK_HUB", hub.url, 1);
    setenv("HK_TOKEN", "demo-token-kiosk-1", 1);

    HK_ASSERT_INT(0, HALLCTL("issue", "A"));
    HK_ASSERT_STR("A001\n", out);
    HK_ASSERT_INT(0, HALLCTL("issue", "b")); /* the prefix in either case */
    HK_ASSERT_STR("B001\n", out);
    HK_ASSERT_INT(3, HALLCTL("issue", "Z"));
    HK_ASSERT_CONTAINS(err, "no service with prefix Z");

    HK_ASSERT_INT(0, HALLCTL("status"));
    HK_ASSERT_CONTAINS(out, "service general      waiting   1");
    HK_ASSERT_CONTAINS(out, "counter c1");
    HK_ASSERT_INT(0, HALLCTL("status", "--json"));
    HK_ASSERT_CONTAINS(out, "\"journal_seq\":2");
    HK_ASSERT_INT(2, HALLCTL("status", "--csv"));
}

static void test_hallctl_a_staff_day_with_exit_codes_and_csv(void)
{
    char sess_dir[1024];
    struct stat st;
    const char *p;
    int n;

    hub_proc_start(&hub);
    setenv("HK_HUB", hub.url, 1);
    setenv("HK_TOKEN", "demo-token-engineer", 1);

    /* without a staff login the hub refuses counter actions */
    HK_ASSERT_INT(3, HALLCTL("call-next", "c1"));
    HK_ASSERT_CONTAINS(err, "staff_session_required");
    /* a wrong PIN is refused with the hub's message */
    HK_ASSERT_INT(3, HALLCTL("--staff", "s1", "--pin", "999999", "open", "c1"));
    HK_ASSERT_CONTAINS(err, "bad_credentials");

    setenv("HK_STAFF", "s1", 1);
    setenv("HK_PIN", "246810", 1);
    HK_ASSERT_INT(0, HALLCTL("issue", "A"));
    HK_ASSERT_INT(0, HALLCTL("issue", "A"));
    HK_ASSERT_INT(0, HALLCTL("open", "c1"));
    HK_ASSERT_INT(0, HALLCTL("call-next", "c1"));
    HK_ASSERT_STR("A001\n", out);
    /* the session is cached for this hub and staff id, private to the user */
    snprintf(sess_dir, sizeof(sess_dir), "%s/run/hallkiosk", hk_test_tmpdir());
    HK_ASSERT_OK(stat(sess_dir, &st));
    HK_ASSERT_INT(0700, st.st_mode & 0777);
    HK_ASSERT_INT(0, HALLCTL("recall", "c1"));
    HK_ASSERT_INT(0, HALLCTL("start", "c1"));
    HK_ASSERT_INT(0, HALLCTL("finish", "c1"));
    HK_ASSERT_INT(0, HALLCTL("rate", "A001", "very_satisfied"));
    HK_ASSERT_INT(3, HALLCTL("rate", "A001", "1")); /* one vote per visit */

    /* the hub restarts and forgets the session: hallctl logs in again */
    hub_proc_stop(&hub);
    hub_proc_start(&hub);
    HK_ASSERT_INT(0, HALLCTL("call-next", "c1"));
    HK_ASSERT_STR("A002\n", out);
    HK_ASSERT_INT(0, HALLCTL("no-show", "c1", "--requeue"));
    HK_ASSERT_INT(0, HALLCTL("call-next", "c1"));
    HK_ASSERT_STR("A002\n", out);
    HK_ASSERT_INT(0, HALLCTL("no-show", "c1"));
    HK_ASSERT_INT(3, HALLCTL("call-next", "c1")); /* nobody waits */
    HK_ASSERT_CONTAINS(err, "nobody_waiting");
    HK_ASSERT_INT(3, HALLCTL("finish", "c1")); /* no current ticket */

    HK_ASSERT_INT(0, HALLCTL("export", "--csv"));
    {
        static const char head[] = "number,service,state,issued,called,serving,finished,"
                                   "counter,staff,rating_level,rating_status\n";
        HK_ASSERT(!strncmp(out, head, strlen(head)));
    }
    HK_ASSERT_CONTAINS(out, "\nA001,general,done,");
    HK_ASSERT_CONTAINS(out, ",c1,s1,very_satisfied,rated\n");
    HK_ASSERT_CONTAINS(out, "\nA002,general,no_show,");
    for(n = 0, p = out; (p = strchr(p, '\n')); p++)
        n++;
    HK_ASSERT_INT(3, n); /* the header and one row per ticket */
    HK_ASSERT_INT(0, HALLCTL("close", "c1"));
}

static void test_hallctl_https_verifies_the_hub_with_the_branch_ca(void)
{
    if(!hub_proc_start_tls(&hub))
        return;
    setenv("HK_HUB", hub.url, 1);
    setenv("HK_TOKEN", "demo-token-kiosk-1", 1);
    /* without the branch CA the certificate is not trusted: unreachable */
    HK_ASSERT_INT(4, HALLCTL("issue", "A"));
    HK_ASSERT_CONTAINS(err, "TLS certificate");
    setenv("HK_CA_FILE", hub.cert_path, 1);
    HK_ASSERT_INT(0, HALLCTL("issue", "A"));
    HK_ASSERT_STR("A001\n", out);
    unsetenv("HK_CA_FILE");
}

/* faq search: no hub; the shipped content, a given file, a refused one */
static void test_hallctl_faq_search_ranks_titles_without_a_hub(void)
{
    char bad[1024], fixture[1024];
    FILE *f;

    HK_ASSERT_INT(2, HALLCTL("faq"));
    HK_ASSERT_INT(2, HALLCTL("faq", "search"));
    HK_ASSERT_INT(2, HALLCTL("faq", "search", "x", "--lang", "fr"));
    HK_ASSERT_INT(0, HALLCTL("--help"));
    HK_ASSERT_CONTAINS(out, "faq search QUERY");
    if(access("/usr/share/rime-data/pinyin_simp.dict.yaml", R_OK) != 0) {
        printf("# faq search skipped: rime-data-pinyin-simp not installed\n");
        return;
    }
    /* the shipped content, found without --content; best first */
    HK_ASSERT_INT(0, HALLCTL("faq", "search", "xhzw"));
    HK_ASSERT_MSG(!strncmp(out, "携号转网怎么办理\n", strlen("携号转网怎么办理\n")), "got %s", out);
    HK_ASSERT_INT(0, HALLCTL("faq", "search", "lost phone", "--lang", "en", "--json"));
    HK_ASSERT_MSG(
        !strncmp(out, "[{\"id\":\"sim-lost-phone\"", strlen("[{\"id\":\"sim-lost-phone\"")),
        "got %.80s", out);
    HK_ASSERT_CONTAINS(out, "\"title\":\"I lost my phone\"");
    /* a given file */
    snprintf(fixture, sizeof(fixture), "%s/tests/fixtures/faq_small.json", HK_SOURCE_DIR);
    HK_ASSERT_INT(0, HALLCTL("faq", "search", "kuandai", "--content", fixture));
    HK_ASSERT_CONTAINS(out, "宽带不能上网怎么办\n");
    HK_ASSERT(!strstr(out, "携号转网"));
    HK_ASSERT_INT(0, HALLCTL("faq", "search", "qqqqzzzz", "--content", fixture));
    HK_ASSERT_STR("", out);
    /* bad content: the field is named */
    snprintf(bad, sizeof(bad), "%s/bad-faq.json", hk_test_tmpdir());
    f = fopen(bad, "w");
    HK_ASSERT(f);
    fputs("{\"version\": \"1\", \"categories\": [{\"id\": \"c\", \"icon\": \"bill\", \"title\":"
          " {\"zh-CN\": \"话费\", \"en\": \"Bills\"}}], \"articles\": [{\"id\": \"Bad Id\"}]}",
          f);
    fclose(f);
    HK_ASSERT_INT(1, HALLCTL("faq", "search", "x", "--content", bad));
    HK_ASSERT_CONTAINS(err, "articles[0]");
    HK_ASSERT_INT(1, HALLCTL("faq", "search", "x", "--content", "/nonexistent/faq.json"));
    HK_ASSERT_CONTAINS(err, "/nonexistent/faq.json");
}

int main(void)
{
    HK_RUN(test_hallctl_usage_unreachable_and_hash_pin);
    HK_RUN(test_hallctl_issue_and_status_with_a_device_token);
    HK_RUN(test_hallctl_a_staff_day_with_exit_codes_and_csv);
    HK_RUN(test_hallctl_https_verifies_the_hub_with_the_branch_ca);
    HK_RUN(test_hallctl_faq_search_ranks_titles_without_a_hub);
    return hk_test_end();
}
