/*
 * staff_auth: PIN checks and the failure table (see staff_auth.h).
 */
#include "staff_auth.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"

#define KEYS_MAX 256 /* ids and sources tracked at once; the oldest goes first */
#define KEY_LEN  72

typedef struct fail_slot {
    char key[KEY_LEN];                /* "id:s3" or "src:10.0.0.7"; "" = free */
    int64_t at[STAFF_AUTH_MAX_FAILS]; /* failure times, a ring */
    int n;                            /* failures stored (<= MAX_FAILS) */
    int next;                         /* ring position of the next write */
    int64_t last;                     /* newest failure, for eviction */
} fail_slot_t;

struct staff_auth {
    pthread_mutex_t mu;
    fail_slot_t slots[KEYS_MAX];
    char dummy_hash[crypto_pwhash_STRBYTES]; /* for unknown ids: same cost */
};

hk_err_t staff_auth_create(staff_auth_t **out)
{
    staff_auth_t *a;

    *out = NULL;
    if(sodium_init() < 0)
        return HK_ERR_INVALID;
    a = hk_calloc(1, sizeof(*a));
    if(!a)
        return HK_ERR_NOMEM;
    /* Parameters of the shipped hashes (OWASP: t=2, 19 MiB), so a wrong id
     * costs what a wrong PIN costs and ids cannot be told apart by time. */
    if(crypto_pwhash_str_alg(a->dummy_hash, "no such staff member", 20, 2, 19u << 20,
                             crypto_pwhash_ALG_ARGON2ID13) != 0) {
        hk_free(a);
        return HK_ERR_NOMEM;
    }
    pthread_mutex_init(&a->mu, NULL);
    *out = a;
    return HK_OK;
}

void staff_auth_destroy(staff_auth_t *a)
{
    if(!a)
        return;
    pthread_mutex_destroy(&a->mu);
    sodium_memzero(a, sizeof(*a));
    hk_free(a);
}

/* Caller holds mu. The slot for key, or NULL. */
static fail_slot_t *slot_find(staff_auth_t *a, const char *key)
{
    for(int i = 0; i < KEYS_MAX; i++)
        if(a->slots[i].key[0] && !strcmp(a->slots[i].key, key))
            return &a->slots[i];
    return NULL;
}

/* Caller holds mu. How many of key's failures are inside the window. */
static int recent_fails(const fail_slot_t *s, int64_t now_ms, int64_t *oldest)
{
    int n = 0;
    *oldest = INT64_MAX;
    for(int i = 0; i < s->n; i++) {
        if(now_ms - s->at[i] < STAFF_AUTH_WINDOW_MS) {
            n++;
            if(s->at[i] < *oldest)
                *oldest = s->at[i];
        }
    }
    return n;
}

/* Caller holds mu. Seconds key stays locked, 0 when it is not. */
static int locked_for(staff_auth_t *a, const char *key, int64_t now_ms)
{
    fail_slot_t *s = slot_find(a, key);
    int64_t oldest;
    if(!s || recent_fails(s, now_ms, &oldest) < STAFF_AUTH_MAX_FAILS)
        return 0;
    int64_t ms = oldest + STAFF_AUTH_WINDOW_MS - now_ms;
    return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

/* Caller holds mu. Record a failure for key. */
static void note_fail(staff_auth_t *a, const char *key, int64_t now_ms)
{
    fail_slot_t *s = slot_find(a, key);
    if(!s) {
        int victim = 0;
        for(int i = 0; i < KEYS_MAX; i++) {
            if(!a->slots[i].key[0]) {
                victim = i;
                break;
            }
            if(a->slots[i].last < a->slots[victim].last)
                victim = i;
        }
        s = &a->slots[victim];
        memset(s, 0, sizeof(*s));
        (void)snprintf(s->key, sizeof(s->key), "%s", key);
    }
    s->at[s->next] = now_ms;
    s->next = (s->next + 1) % STAFF_AUTH_MAX_FAILS;
    if(s->n < STAFF_AUTH_MAX_FAILS)
        s->n++;
    s->last = now_ms;
}

static void forget(staff_auth_t *a, const char *key)
{
    fail_slot_t *s = slot_find(a, key);
    if(s)
        memset(s, 0, sizeof(*s));
}

hk_err_t staff_auth_check(staff_auth_t *a, const config_t *cfg, const char *staff_id,
                          const char *pin, const char *source, int64_t now_ms, int *idx,
                          int *retry_after_s)
{
    char id_key[KEY_LEN], src_key[KEY_LEN];
    const char *hash;
    int i, wait_id, wait_src;
    bool ok;

    if(!staff_id)
        staff_id = "";
    if(!pin)
        pin = "";
    (void)snprintf(id_key, sizeof(id_key), "id:%.60s", staff_id);
    (void)snprintf(src_key, sizeof(src_key), "src:%.60s", source && source[0] ? source : "local");

    pthread_mutex_lock(&a->mu);
    wait_id = locked_for(a, id_key, now_ms);
    wait_src = locked_for(a, src_key, now_ms);
    pthread_mutex_unlock(&a->mu);
    if(wait_id || wait_src) {
        if(retry_after_s)
            *retry_after_s = wait_id > wait_src ? wait_id : wait_src;
        hk_log_warn("auth", "login for staff '%.32s' from %s refused: too many failures", staff_id,
                    source && source[0] ? source : "this screen");
        return HK_ERR_BUSY;
    }

    i = config_staff_index(cfg, staff_id);
    hash = i >= 0 && cfg->staff[i].pin_hash[0] ? cfg->staff[i].pin_hash : a->dummy_hash;
    /* outside the lock: a check takes tens of ms and must not serialise */
    ok = staff_auth_verify_pin(hash, pin) && i >= 0;

    pthread_mutex_lock(&a->mu);
    if(ok) {
        forget(a, id_key);
    } else {
        note_fail(a, id_key, now_ms);
        note_fail(a, src_key, now_ms);
    }
    pthread_mutex_unlock(&a->mu);
    if(!ok) {
        hk_log_warn("auth", "login for staff '%.32s' from %s refused: wrong id or PIN", staff_id,
                    source && source[0] ? source : "this screen");
        return HK_ERR_INVALID;
    }
    if(idx)
        *idx = i;
    return HK_OK;
}

bool staff_auth_verify_pin(const char *hash, const char *pin)
{
    if(!hash || !hash[0] || !pin || strlen(pin) > STAFF_AUTH_PIN_MAX || sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}
