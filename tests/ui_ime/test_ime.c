/*
 * test_ime: the keyboard's pinyin engine (platform/ime over the real
 * librime and Debian's rime-data-pinyin-simp): typing pinyin gives the
 * expected simplified first candidates; nothing is learned, within a session
 * or across sessions, and no user dictionary file ever appears; nothing is
 * loaded before first use; the deploy does not compile dictionary tables;
 * glog's files land in our log directory, none in /tmp.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hk_test.h"
#include "ime.h"
#include "ime_tmp.h"

/* the engine's dirs under the run's one data dir (ime_tmp.h) */
static char user_dir[512], log_dir[512];

void setUp(void)
{
    snprintf(user_dir, sizeof(user_dir), "%s/rime", ime_tmp_dir("ime"));
    snprintf(log_dir, sizeof(log_dir), "%s/logs", ime_tmp_dir("ime"));
}

void tearDown(void)
{
}

static ime_t *open_ime(void)
{
    ime_opts_t o;
    ime_t *e = NULL;

    memset(&o, 0, sizeof(o));
    o.user_dir = user_dir;
    o.log_dir = log_dir;
    HK_ASSERT_OK(ime_create(&o, &e));
    return e;
}

/* Type word letter by letter; fill first with the first candidate. */
static void type(ime_t *e, const char *word)
{
    char commit[IME_TEXT_MAX];
    const char *p;

    for(p = word; *p; p++) {
        HK_ASSERT_MSG(ime_key(e, *p, commit, sizeof(commit)), "key %c not taken", *p);
        HK_ASSERT_STR("", commit);
    }
}

/* Rank of text among the first 20 candidates, -1 = absent. */
static int rank_of(ime_t *e, const char *text)
{
    char cand[20][IME_TEXT_MAX];
    int n = ime_candidates(e, 0, 20, cand, NULL), i;

    for(i = 0; i < n; i++)
        if(!strcmp(cand[i], text))
            return i;
    return -1;
}

/* Does a file whose name contains needle exist under dir (recursively)? */
static int tree_has(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int found = 0;

    if(!d)
        return 0;
    while(!found && (de = readdir(d))) {
        char path[1024];
        struct stat st;
        if(de->d_name[0] == '.')
            continue;
        if(strstr(de->d_name, needle))
            found = 1;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if(!found && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            found = tree_has(path, needle);
    }
    closedir(d);
    return found;
}

/* Does dir/name contain needle (anywhere: the file may be large)? */
static int file_has(const char *dir, const char *name, const char *needle)
{
    static char buf[256 * 1024];
    char path[1024];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if(!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

/* Is a file whose path contains needle mapped into this process? */
static int mapped(const char *needle)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[1024];
    int found = 0;

    HK_ASSERT(f != NULL);
    while(!found && fgets(line, sizeof(line), f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static void test_ime_pinyin_gives_the_expected_simplified_first_candidates(void)
{
    static const struct {
        const char *pinyin, *first, *preedit;
    } words[] = {
        { "banli", "办理", "ban li" },
        /* the hall's phrase table: its code is shown unsplit */
        { "shoujihao", "手机号", "shoujihao" },
        { "kuandai", "宽带", "kuan dai" },
        { "liuliangbao", "流量包", "liuliangbao" },
    };
    char commit[IME_TEXT_MAX], cand[5][IME_TEXT_MAX];
    ime_t *e = open_ime();
    size_t i;

    for(i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        bool more = false;
        int n;
        type(e, words[i].pinyin);
        HK_ASSERT(ime_composing(e));
        HK_ASSERT_STR(words[i].preedit, ime_preedit(e));
        n = ime_candidates(e, 0, 5, cand, &more);
        HK_ASSERT_INT(5, n);
        HK_ASSERT(more);
        HK_ASSERT_STR(words[i].first, cand[0]);
        HK_ASSERT_MSG(rank_of(e, words[i].first) >= 0 && rank_of(e, words[i].first) < 3,
                      "%s not in the first three for %s", words[i].first, words[i].pinyin);
        HK_ASSERT(ime_select(e, rank_of(e, words[i].first), commit, sizeof(commit)));
        HK_ASSERT_STR(words[i].first, commit);
        HK_ASSERT(!ime_composing(e));
    }
    /* backspace edits the composition, space takes the first candidate */
    type(e, "kuandain");
    HK_ASSERT(ime_key(e, IME_KEY_BACKSPACE, commit, sizeof(commit)));
    HK_ASSERT_STR("kuan dai", ime_preedit(e));
    HK_ASSERT(ime_key(e, ' ', commit, sizeof(commit)));
    HK_ASSERT_STR("宽带", commit);
    /* enter commits the letters as typed; not composing, keys are the caller's */
    type(e, "kuan");
    HK_ASSERT(ime_key(e, IME_KEY_ENTER, commit, sizeof(commit)));
    HK_ASSERT_STR("kuan", commit);
    HK_ASSERT(!ime_key(e, ' ', commit, sizeof(commit)));
    HK_ASSERT(!ime_key(e, IME_KEY_BACKSPACE, commit, sizeof(commit)));
    /* paging: candidates 5.. follow the first five */
    type(e, "kuandai");
    HK_ASSERT_INT(5, ime_candidates(e, 5, 5, cand, NULL));
    ime_clear(e);
    HK_ASSERT(!ime_composing(e));
    ime_destroy(e);
}

static void test_ime_learns_nothing_within_or_across_sessions(void)
{
    char commit[IME_TEXT_MAX], pick[IME_TEXT_MAX], cand[8][IME_TEXT_MAX];
    int round, rank;
    ime_t *e = open_ime();

    /* an unusual whole-word candidate for "kuandai": the last full word of
     * the first page */
    type(e, "kuandai");
    HK_ASSERT(ime_candidates(e, 0, 8, cand, NULL) >= 2);
    snprintf(pick, sizeof(pick), "%s", cand[1]); /* 款待 */
    rank = rank_of(e, pick);
    HK_ASSERT_INT(1, rank);
    ime_clear(e);
    for(round = 0; round < 6; round++) {
        type(e, "kuandai");
        HK_ASSERT_INT(rank, rank_of(e, pick));
        HK_ASSERT(ime_select(e, rank, commit, sizeof(commit)));
        HK_ASSERT_STR(pick, commit);
    }
    /* a made-up word from single characters, as a customer's name would be */
    for(round = 0; round < 4; round++) {
        type(e, "kuan");
        HK_ASSERT(ime_select(e, 3, commit, sizeof(commit))); /* an unusual kuan */
        type(e, "dai");
        HK_ASSERT(ime_select(e, 4, commit, sizeof(commit)));
    }
    type(e, "kuandai");
    HK_ASSERT_INT(rank, rank_of(e, pick));
    HK_ASSERT_STR("宽带", cand[0]);
    ime_clear(e);
    ime_destroy(e);
    HK_ASSERT_MSG(!tree_has(user_dir, "userdb"), "a user dictionary appeared under %s", user_dir);

    /* the next customer's session */
    e = open_ime();
    type(e, "kuandai");
    HK_ASSERT_INT(rank, rank_of(e, pick));
    HK_ASSERT_INT(0, rank_of(e, "宽带"));
    ime_clear(e);
    ime_destroy(e);
    HK_ASSERT(!tree_has(user_dir, "userdb"));
    HK_ASSERT(!tree_has(user_dir, "snapshot")); /* no user dictionary snapshot either */
}

static void test_ime_loads_nothing_before_first_use(void)
{
    struct stat st;
    ime_t *e = open_ime();
    char commit[IME_TEXT_MAX];

    HK_ASSERT(!ime_loaded(e));
    HK_ASSERT(!ime_composing(e));
    HK_ASSERT_STR("", ime_preedit(e));
    HK_ASSERT_INT(0, ime_candidates(e, 0, 5, NULL, NULL));
    HK_ASSERT(stat(user_dir, &st) != 0); /* not even its directory */
    HK_ASSERT(!mapped("pinyin_simp.table.bin"));
    HK_ASSERT(!mapped("librime.so")); /* not even the library */
    /* the first key loads it */
    HK_ASSERT(ime_key(e, 'k', commit, sizeof(commit)));
    HK_ASSERT(ime_loaded(e));
    HK_ASSERT(ime_load_ms(e) > 0.0);
    HK_ASSERT(mapped("/usr/share/rime-data/build/pinyin_simp.table.bin"));
    HK_ASSERT(mapped("librime.so"));
    ime_destroy(e);
}

static void test_ime_deploys_no_table_and_logs_in_our_dir(void)
{
    char build[700];
    time_t start = time(NULL);
    DIR *d;
    struct dirent *de;
    int logs = 0;
    ime_t *e = open_ime();
    double first, second;

    HK_ASSERT_OK(ime_load(e, NULL));
    first = ime_load_ms(e);
    ime_destroy(e);
    snprintf(build, sizeof(build), "%s/build", user_dir);
    /* the prebuilt tables are used: the deploy compiles no dictionary */
    HK_ASSERT(!tree_has(build, ".table.bin"));
    HK_ASSERT(!tree_has(build, ".reverse.bin"));
    HK_ASSERT(!tree_has(build, "stroke")); /* the reverse lookup is dropped */
    HK_ASSERT(tree_has(build, "pinyin_simp.schema.yaml"));
    HK_ASSERT(file_has(user_dir, "build/pinyin_simp.schema.yaml", "enable_user_dict: false"));
    /* the next start finds nothing to deploy: the deployed files stay */
    {
        char prism[800];
        struct stat a, b;
        snprintf(prism, sizeof(prism), "%s/pinyin_simp.prism.bin", build);
        HK_ASSERT(stat(prism, &a) == 0);
        e = open_ime();
        HK_ASSERT_OK(ime_load(e, NULL));
        second = ime_load_ms(e);
        ime_destroy(e);
        HK_ASSERT(stat(prism, &b) == 0);
        HK_ASSERT(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
    }
    printf("  load: %.1f ms, again %.1f ms\n", first, second);
    /* glog's files: ours, and none in /tmp from this run */
    d = opendir(log_dir);
    HK_ASSERT(d != NULL);
    while((de = readdir(d)))
        if(!strncmp(de->d_name, "rime.hallkiosk", 14))
            logs++;
    closedir(d);
    HK_ASSERT_MSG(logs > 0, "no rime log in %s", log_dir);
    d = opendir("/tmp");
    if(d) {
        while((de = readdir(d))) {
            char path[600];
            struct stat st;
            if(strncmp(de->d_name, "rime.hallkiosk", 14))
                continue;
            snprintf(path, sizeof(path), "/tmp/%s", de->d_name);
            HK_ASSERT_MSG(stat(path, &st) != 0 || st.st_mtime < start, "%s written in /tmp", path);
        }
        closedir(d);
    }
}

static void test_ime_without_its_data_fails_and_says_why(void)
{
    char commit[IME_TEXT_MAX], user[700], logs[700];
    ime_opts_t o;
    hk_diag_t diag;
    ime_t *e = NULL;

    snprintf(user, sizeof(user), "%s/nodata/rime", ime_tmp_dir("ime"));
    snprintf(logs, sizeof(logs), "%s/nodata/logs", ime_tmp_dir("ime"));
    memset(&o, 0, sizeof(o));
    o.shared_dir = "/nonexistent/rime-data";
    o.user_dir = user;
    o.log_dir = logs;
    HK_ASSERT_OK(ime_create(&o, &e));
    hk_diag_clear(&diag);
    HK_ASSERT(ime_load(e, &diag) != HK_OK);
    HK_ASSERT_CONTAINS(diag.msg, "pinyin_simp");
    HK_ASSERT(!ime_loaded(e));
    HK_ASSERT(!ime_key(e, 'k', commit, sizeof(commit))); /* the caller types it */
    HK_ASSERT(ime_load(e, NULL) != HK_OK);               /* fails fast from now on */
    ime_destroy(e);
    /* the engine is free again for a working one */
    e = open_ime();
    HK_ASSERT_OK(ime_load(e, NULL));
    ime_destroy(e);
}

int main(void)
{
    if(access("/usr/share/rime-data/build/pinyin_simp.table.bin", R_OK) != 0) {
        printf("SKIP: no rime-data-pinyin-simp (toolchain/dev deps installs it)\n");
        return 77;
    }
    /* in this order: the first finds no engine files yet */
    HK_RUN(test_ime_loads_nothing_before_first_use);
    HK_RUN(test_ime_deploys_no_table_and_logs_in_our_dir);
    HK_RUN(test_ime_pinyin_gives_the_expected_simplified_first_candidates);
    HK_RUN(test_ime_learns_nothing_within_or_across_sessions);
    HK_RUN(test_ime_without_its_data_fails_and_says_why);
    return ime_tmp_end("ime", hk_test_end());
}
