/*
 * ime: see ime.h.
 *
 * Design notes
 *   librime itself (and its boost, glog, leveldb, ICU ...) is dlopen()ed on
 *   first use: an idle kiosk maps none of it and its first frame pays for
 *   no relocations. Everything goes through the RimeApi table
 *   rime_get_api() returns; the library is never unloaded (it keeps
 *   threads and static state).
 *   librime is set up once per process (RimeSetup initialises glog, which
 *   refuses a second initialisation), then initialised/finalised per ime_t.
 *   librime sets glog's alsologtostderr; we clear it again through the flag's
 *   symbol (looked up at run time: no link against glog) so the engine's
 *   chatter stays in log_dir and out of the kiosk's stderr (journald).
 *   The custom YAML files are rewritten only when their bytes differ, so the
 *   deployer's modification check finds nothing to do after the first load
 *   (a few ms instead of ~150 ms).
 */
#include "ime.h"

#include <dlfcn.h>
#include <rime_api.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"

#ifndef HK_RIME_SONAME
#define HK_RIME_SONAME "librime.so.1"
#endif
#define IME_PATH_MAX 1024
#define SCHEMA       "pinyin_simp"

/* Our whole configuration: one schema, no learning, no stroke lookup. */
static const char default_custom[] = "# HallKiosk (platform/ime): the kiosk offers one schema\n"
                                     "patch:\n"
                                     "  schema_list:\n"
                                     "    - schema: pinyin_simp\n";

/* hall_phrase: a read-only phrase table (stabledb: never written) ranked
 * first for its exact codes, the words of a telecom hall the shared
 * dictionary lacks or ranks low (手机号 comes out as 手机好 without it). */
static const char schema_custom[] = "# HallKiosk (platform/ime): a public kiosk must not learn\n"
                                    "patch:\n"
                                    "  schema/dependencies: []\n"
                                    "  engine/translators:\n"
                                    "    - punct_translator\n"
                                    "    - script_translator\n"
                                    "    - table_translator@hall_phrase\n"
                                    "  translator/enable_user_dict: false\n"
                                    "  hall_phrase:\n"
                                    "    dictionary: \"\"\n"
                                    "    user_dict: hall_phrase\n"
                                    "    db_class: stabledb\n"
                                    "    enable_completion: false\n"
                                    "    enable_sentence: false\n"
                                    "    initial_quality: 1\n";

/* phrase TAB code TAB weight; whole pinyin and initials */
static const char hall_phrase[] = "# Rime table\n"
                                  "#@/db_name\thall_phrase.txt\n"
                                  "#@/db_type\ttabledb\n"
                                  "# HallKiosk (platform/ime): the hall's words, read-only\n"
                                  "手机号\tshoujihao\t1\n"
                                  "手机号码\tshoujihaoma\t1\n"
                                  "携号转网\txiehaozhuanwang\t1\n"
                                  "携号转网\txhzw\t1\n"
                                  "流量包\tliuliangbao\t1\n"
                                  "宽带报修\tkuandaibaoxiu\t1\n"
                                  "实名认证\tshimingrenzheng\t1\n"
                                  "实名登记\tshimingdengji\t1\n"
                                  "国际漫游\tguojimanyou\t1\n"
                                  "增值业务\tzengzhiyewu\t1\n"
                                  "补换卡\tbuhuanka\t1\n"
                                  "补卡\tbuka\t1\n"
                                  "销户\txiaohu\t1\n"
                                  "停机保号\ttingjibaohao\t1\n"
                                  "话费查询\thuafeichaxun\t1\n"
                                  "验证码\tyanzhengma\t1\n"
                                  "光猫\tguangmao\t1\n"
                                  "信号差\txinhaocha\t1\n";

struct ime {
    char shared_dir[IME_PATH_MAX];
    char user_dir[IME_PATH_MAX];
    char log_dir[IME_PATH_MAX];
    RimeApi *api;
    RimeSessionId session;
    bool loaded, failed;
    double load_ms;
    char preedit[IME_TEXT_MAX];
};

static bool rime_set_up;       /* RimeSetup() ran in this process */
static bool *glog_stderr_flag; /* glog's FLAGS_alsologtostderr; NULL = not found */
static const ime_t *owner;     /* the ime_t librime is initialised for */

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

hk_err_t ime_create(const ime_opts_t *o, ime_t **out)
{
    ime_t *e;

    *out = NULL;
    if(!o->user_dir || !o->log_dir)
        return HK_ERR_INVALID;
    e = hk_calloc(1, sizeof(*e));
    if(!e)
        return HK_ERR_NOMEM;
    snprintf(e->shared_dir, sizeof(e->shared_dir), "%s",
             o->shared_dir ? o->shared_dir : "/usr/share/rime-data");
    snprintf(e->user_dir, sizeof(e->user_dir), "%s", o->user_dir);
    snprintf(e->log_dir, sizeof(e->log_dir), "%s", o->log_dir);
    *out = e;
    return HK_OK;
}

void ime_destroy(ime_t *e)
{
    if(!e)
        return;
    if(e->loaded) {
        e->api->destroy_session(e->session);
        e->api->finalize();
        owner = NULL;
    }
    hk_free(e);
}

/* librime's API table, loading the library on the first call. */
static RimeApi *rime_api(hk_diag_t *diag)
{
    static RimeApi *api;
    static void *lib;
    RimeApi *(*get)(void);

    if(api)
        return api;
    if(!lib)
        lib = dlopen(HK_RIME_SONAME, RTLD_NOW | RTLD_LOCAL);
    if(!lib) {
        hk_diag_set(diag, "ime: cannot load %s: %s", HK_RIME_SONAME, dlerror());
        return NULL;
    }
    *(void **)&get = dlsym(lib, "rime_get_api");
    api = get ? get() : NULL;
    if(!api || !RIME_API_AVAILABLE(api, candidate_list_from_index)) {
        hk_diag_set(diag, "ime: %s has no usable rime_get_api (librime >= 1.5 needed)",
                    HK_RIME_SONAME);
        api = NULL;
        return NULL;
    }
    /* librime turns glog's alsologtostderr on: its chatter belongs in
     * log_dir, not in the kiosk's stderr (errors still reach stderr) */
    glog_stderr_flag = dlsym(lib, "_ZN3fLB21FLAGS_alsologtostderrE");
    return api;
}

/* Write dir/name with text unless it already holds exactly that. */
static hk_err_t put_file(const char *dir, const char *name, const char *text, hk_diag_t *diag)
{
    char path[IME_PATH_MAX + 64], old[4096];
    size_t n = strlen(text), got = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if(f) {
        got = fread(old, 1, sizeof(old), f);
        fclose(f);
        if(got == n && !memcmp(old, text, n))
            return HK_OK;
    }
    f = fopen(path, "wb");
    if(!f || fwrite(text, 1, n, f) != n) {
        if(f)
            fclose(f);
        hk_diag_set(diag, "ime: cannot write %s", path);
        return HK_ERR_IO;
    }
    if(fclose(f) != 0) {
        hk_diag_set(diag, "ime: cannot write %s", path);
        return HK_ERR_IO;
    }
    return HK_OK;
}

static void traits_fill(ime_t *e, RimeTraits *t)
{
    memset(t, 0, sizeof(*t));
    RIME_STRUCT_INIT(RimeTraits, *t);
    t->shared_data_dir = e->shared_dir;
    t->user_data_dir = e->user_dir;
    t->distribution_name = "HallKiosk";
    t->distribution_code_name = "hallkiosk";
    t->distribution_version = "1";
    t->app_name = "rime.hallkiosk"; /* "rime." lets the deployer clean old logs */
    t->min_log_level = 1;           /* warnings and errors */
    t->log_dir = e->log_dir;
}

hk_err_t ime_load(ime_t *e, hk_diag_t *diag)
{
    RimeTraits traits;
    double t0 = now_ms();
    hk_err_t rc;

    if(e->loaded)
        return HK_OK;
    if(e->failed) {
        hk_diag_set(diag, "ime: the engine failed to load before");
        return HK_ERR_IO;
    }
    if(owner) {
        hk_diag_set(diag, "ime: another input method holds the engine");
        return HK_ERR_BUSY;
    }
    e->failed = true; /* until it works */
    rc = paths_mkdir_p(e->user_dir);
    if(rc == HK_OK)
        rc = paths_mkdir_p(e->log_dir);
    if(rc != HK_OK) {
        hk_diag_set(diag, "ime: cannot create %s or %s", e->user_dir, e->log_dir);
        return rc;
    }
    rc = put_file(e->user_dir, "default.custom.yaml", default_custom, diag);
    if(rc == HK_OK)
        rc = put_file(e->user_dir, SCHEMA ".custom.yaml", schema_custom, diag);
    if(rc == HK_OK)
        rc = put_file(e->user_dir, "hall_phrase.txt", hall_phrase, diag);
    if(rc != HK_OK)
        return rc;
    e->api = rime_api(diag);
    if(!e->api)
        return HK_ERR_NOT_FOUND;
    traits_fill(e, &traits);
    if(!rime_set_up) {
        e->api->setup(&traits);
        if(glog_stderr_flag)
            *glog_stderr_flag = false;
        rime_set_up = true;
    }
    e->api->initialize(&traits);
    if(e->api->start_maintenance(False))
        e->api->join_maintenance_thread();
    e->session = e->api->create_session();
    /* a schema whose data is missing still "opens": probe that it composes */
    if(!e->session || !e->api->select_schema(e->session, SCHEMA) ||
       !e->api->process_key(e->session, 'a', 0) || !e->api->get_input(e->session) ||
       !e->api->get_input(e->session)[0]) {
        hk_diag_set(diag, "ime: schema %s does not compose from %s (rime-data-pinyin-simp?)",
                    SCHEMA, e->shared_dir);
        if(e->session)
            e->api->destroy_session(e->session);
        e->api->finalize();
        return HK_ERR_NOT_FOUND;
    }
    e->api->clear_composition(e->session);
    e->loaded = true;
    e->failed = false;
    owner = e;
    e->load_ms = now_ms() - t0;
    hk_log_info("ime", "pinyin engine loaded in %.0f ms (librime %s, logs in %s)", e->load_ms,
                e->api->get_version ? e->api->get_version() : "?", e->log_dir);
    return HK_OK;
}

bool ime_loaded(const ime_t *e)
{
    return e->loaded;
}

double ime_load_ms(const ime_t *e)
{
    return e->loaded ? e->load_ms : 0.0;
}

/* Fetch what the last key committed, and the preedit. */
static void refresh(ime_t *e, char *commit, size_t cap)
{
    RimeCommit c;
    RimeContext ctx;

    if(commit && cap)
        commit[0] = '\0';
    memset(&c, 0, sizeof(c));
    RIME_STRUCT_INIT(RimeCommit, c);
    if(e->api->get_commit(e->session, &c)) {
        if(commit && cap)
            snprintf(commit, cap, "%s", c.text ? c.text : "");
        e->api->free_commit(&c);
    }
    e->preedit[0] = '\0';
    memset(&ctx, 0, sizeof(ctx));
    RIME_STRUCT_INIT(RimeContext, ctx);
    if(e->api->get_context(e->session, &ctx)) {
        if(ctx.composition.length > 0 && ctx.composition.preedit)
            snprintf(e->preedit, sizeof(e->preedit), "%s", ctx.composition.preedit);
        e->api->free_context(&ctx);
    }
}

bool ime_key(ime_t *e, int key, char *commit, size_t cap)
{
    bool composing;
    int code = key;

    if(commit && cap)
        commit[0] = '\0';
    if(!e->loaded && ime_load(e, NULL) != HK_OK)
        return false;
    composing = ime_composing(e);
    if(key == IME_KEY_ENTER) {
        const char *raw;
        if(!composing)
            return false;
        raw = e->api->get_input(e->session);
        if(commit && cap)
            snprintf(commit, cap, "%s", raw ? raw : "");
        ime_clear(e);
        return true;
    }
    if(key >= 'a' && key <= 'z')
        code = key;
    else if(composing && (key == ' ' || (key >= '1' && key <= '9')))
        code = key;
    else if(composing && key == IME_KEY_BACKSPACE)
        code = 0xff08; /* XK_BackSpace */
    else
        return false; /* not composing: the caller types it */
    if(!e->api->process_key(e->session, code, 0))
        return false;
    refresh(e, commit, cap);
    return true;
}

bool ime_composing(const ime_t *e)
{
    return e->loaded && e->preedit[0] != '\0';
}

const char *ime_preedit(const ime_t *e)
{
    return e->loaded ? e->preedit : "";
}

int ime_candidates(ime_t *e, int first, int max, char (*out)[IME_TEXT_MAX], bool *more)
{
    RimeCandidateListIterator it;
    int n = 0;

    if(more)
        *more = false;
    if(!ime_composing(e) || first < 0 || max <= 0)
        return 0;
    memset(&it, 0, sizeof(it));
    if(!e->api->candidate_list_from_index(e->session, &it, first))
        return 0;
    while(e->api->candidate_list_next(&it)) {
        if(n == max) {
            if(more)
                *more = true;
            break;
        }
        snprintf(out[n++], IME_TEXT_MAX, "%s", it.candidate.text ? it.candidate.text : "");
    }
    e->api->candidate_list_end(&it);
    return n;
}

bool ime_select(ime_t *e, int index, char *commit, size_t cap)
{
    if(commit && cap)
        commit[0] = '\0';
    if(!ime_composing(e) || index < 0)
        return false;
    if(!e->api->select_candidate(e->session, (size_t)index))
        return false;
    refresh(e, commit, cap);
    return true;
}

void ime_clear(ime_t *e)
{
    if(!e->loaded)
        return;
    e->api->clear_composition(e->session);
    e->preedit[0] = '\0';
}
