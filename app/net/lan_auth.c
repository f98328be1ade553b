/*
 * lan_auth: see lan_auth.h.
 *
 * Design notes
 *   Session table: a fixed array of max_sessions slots, each the
 *   BLAKE2b hash (crypto_generichash, 32 bytes) of a session token, the
 *   staff member and the time of its last use. A lookup hashes the
 *   presented token and compares hashes in constant time
 *   (sodium_memcmp). States of a slot: free (used_ms 0) -> live (login)
 *   -> free (logout, idle for LAN_AUTH_IDLE_MS when next looked at, or
 *   the least recently used slot taken by a new login when all are live).
 *   Locking: `mu` guards the table only; the PIN check (staff_auth, which
 *   has its own lock) runs before it is taken, so a slow Argon2id never
 *   holds up other callers.
 *   Device tokens are compared in constant time too, against every
 *   devices[] entry.
 */
#include "lan_auth.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "staff_auth.h"

#define HASH_LEN crypto_generichash_BYTES /* 32 */
#define RAW_LEN  32

typedef struct slot {
    unsigned char hash[HASH_LEN];
    int staff_idx;
    int64_t used_ms; /* 0 = free */
} slot_t;

struct lan_auth {
    const config_t *cfg;
    staff_auth_t *pins;
    pthread_mutex_t mu; /* guards slots */
    int n_slots;
    slot_t *slots;
};

static void token_hash(const char *token, unsigned char out[HASH_LEN]);
static void fill_staff(const lan_auth_t *a, int idx, int64_t used_ms, lan_principal_t *who);

hk_err_t lan_auth_create(const config_t *cfg, int max_sessions, lan_auth_t **out)
{
    lan_auth_t *a;
    hk_err_t rc;

    *out = NULL;
    if(sodium_init() < 0)
        return HK_ERR_INVALID;
    a = hk_calloc(1, sizeof(*a));
    if(!a)
        return HK_ERR_NOMEM;
    a->cfg = cfg;
    a->n_slots = max_sessions > 0 ? max_sessions : LAN_AUTH_MAX_SESSIONS;
    a->slots = hk_calloc((size_t)a->n_slots, sizeof(*a->slots));
    rc = a->slots ? staff_auth_create(&a->pins) : HK_ERR_NOMEM;
    if(rc != HK_OK) {
        hk_free(a->slots);
        hk_free(a);
        return rc;
    }
    pthread_mutex_init(&a->mu, NULL);
    *out = a;
    return HK_OK;
}

void lan_auth_destroy(lan_auth_t *a)
{
    if(!a)
        return;
    staff_auth_destroy(a->pins);
    sodium_memzero(a->slots, (size_t)a->n_slots * sizeof(*a->slots));
    hk_free(a->slots);
    pthread_mutex_destroy(&a->mu);
    hk_free(a);
}

hk_err_t lan_auth_login(lan_auth_t *a, const char *staff_id, const char *pin, const char *source,
                        int64_t now_ms, char session[LAN_AUTH_SESSION_LEN], lan_principal_t *who,
                        int *retry_after_s)
{
    unsigned char raw[RAW_LEN];
    slot_t *slot = NULL;
    int idx = -1, i;
    hk_err_t rc;

    const config_t *cfg;

    pthread_mutex_lock(&a->mu);
    cfg = a->cfg; /* lan_auth_set_config may swap it (the old one stays valid) */
    pthread_mutex_unlock(&a->mu);
    rc = staff_auth_check(a->pins, cfg, staff_id, pin, source, now_ms, &idx, retry_after_s);
    if(rc != HK_OK)
        return rc;
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(session, LAN_AUTH_SESSION_LEN, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    pthread_mutex_lock(&a->mu);
    for(i = 0; i < a->n_slots; i++) {
        slot_t *s = &a->slots[i];
        if(s->used_ms && now_ms - s->used_ms > LAN_AUTH_IDLE_MS)
            s->used_ms = 0; /* expired: free it */
        if(!s->used_ms) {
            slot = s;
            break;
        }
        if(!slot || s->used_ms < slot->used_ms)
            slot = s; /* all live: the least recently used gives way */
    }
    if(a->cfg != cfg) { /* replaced during the check: its index there */
        idx = config_staff_index(a->cfg, staff_id);
        if(idx < 0) {
            pthread_mutex_unlock(&a->mu);
            sodium_memzero(session, LAN_AUTH_SESSION_LEN);
            return HK_ERR_INVALID; /* as a wrong id */
        }
    }
    token_hash(session, slot->hash);
    slot->staff_idx = idx;
    slot->used_ms = now_ms > 0 ? now_ms : 1;
    fill_staff(a, idx, slot->used_ms, who);
    pthread_mutex_unlock(&a->mu);
    return HK_OK;
}

void lan_auth_resolve(lan_auth_t *a, const char *token, int64_t now_ms, lan_principal_t *who)
{
    unsigned char h[HASH_LEN];
    size_t len = token ? strlen(token) : 0;
    int i, dev = -1;

    const config_t *cfg;

    memset(who, 0, sizeof(*who));
    who->staff_idx = -1;
    if(!len || len > LAN_AUTH_TOKEN_MAX)
        return;
    pthread_mutex_lock(&a->mu);
    cfg = a->cfg; /* lan_auth_set_config may swap it (the old one stays valid) */
    pthread_mutex_unlock(&a->mu);
    for(i = 0; i < cfg->n_devices; i++) {
        const char *t = cfg->devices[i].token;
        /* every entry is compared, so the time says nothing about which */
        if(t[0] && strlen(t) == len && sodium_memcmp(t, token, len) == 0)
            dev = i;
    }
    if(dev >= 0) {
        who->kind = LAN_PRINCIPAL_DEVICE;
        memcpy(who->device_id, cfg->devices[dev].id, sizeof(who->device_id));
        return;
    }
    if(len != LAN_AUTH_SESSION_LEN - 1)
        return;
    token_hash(token, h);
    pthread_mutex_lock(&a->mu);
    for(i = 0; i < a->n_slots; i++) {
        slot_t *s = &a->slots[i];
        if(!s->used_ms || sodium_memcmp(s->hash, h, HASH_LEN) != 0)
            continue;
        if(now_ms - s->used_ms > LAN_AUTH_IDLE_MS) {
            s->used_ms = 0; /* idle too long: gone */
            break;
        }
        if(now_ms > s->used_ms)
            s->used_ms = now_ms;
        fill_staff(a, s->staff_idx, s->used_ms, who);
        break;
    }
    pthread_mutex_unlock(&a->mu);
}

void lan_auth_set_config(lan_auth_t *a, const config_t *cfg)
{
    int i, dropped = 0;

    pthread_mutex_lock(&a->mu);
    for(i = 0; i < a->n_slots; i++) {
        slot_t *s = &a->slots[i];
        int idx;
        if(!s->used_ms)
            continue;
        idx = config_staff_index(cfg, a->cfg->staff[s->staff_idx].id);
        if(idx < 0) {
            memset(s, 0, sizeof(*s)); /* no longer staff here: logged out */
            dropped++;
        } else {
            s->staff_idx = idx;
        }
    }
    a->cfg = cfg;
    pthread_mutex_unlock(&a->mu);
    if(dropped)
        hk_log_info("lan", "%d staff session(s) ended: not in the new configuration", dropped);
}

bool lan_auth_logout(lan_auth_t *a, const char *token)
{
    unsigned char h[HASH_LEN];
    bool found = false;
    int i;

    if(!token || strlen(token) != LAN_AUTH_SESSION_LEN - 1)
        return false;
    token_hash(token, h);
    pthread_mutex_lock(&a->mu);
    for(i = 0; i < a->n_slots; i++) {
        slot_t *s = &a->slots[i];
        if(s->used_ms && sodium_memcmp(s->hash, h, HASH_LEN) == 0) {
            memset(s, 0, sizeof(*s));
            found = true;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return found;
}

int lan_auth_session_count(lan_auth_t *a)
{
    int i, n = 0;

    pthread_mutex_lock(&a->mu);
    for(i = 0; i < a->n_slots; i++)
        n += a->slots[i].used_ms != 0;
    pthread_mutex_unlock(&a->mu);
    return n;
}

bool lan_auth_parse_bearer(const char *header, char *dst, size_t cap)
{
    static const char token68[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-._~+/";
    const char *p = header;
    size_t n;

    if(cap)
        dst[0] = '\0';
    if(!p || !cap)
        return false;
    p += strspn(p, " \t");
    for(n = 0; n < 6; n++)
        if(!p[n] || (p[n] | 0x20) != "bearer"[n])
            return false; /* the scheme is case-insensitive (RFC 9110) */
    if(p[6] != ' ' && p[6] != '\t')
        return false;
    p += 6;
    p += strspn(p, " \t");
    n = strspn(p, token68);
    n += strspn(p + n, "="); /* token68 may end in padding */
    if(n == 0 || n > LAN_AUTH_TOKEN_MAX || n >= cap || p[n + strspn(p + n, " \t")] != '\0')
        return false;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return true;
}

bool lan_auth_permit(const lan_principal_t *who, lan_access_t access, lan_error_t *err)
{
    if(access == LAN_ACCESS_PUBLIC)
        return true;
    if(who->kind == LAN_PRINCIPAL_NONE) {
        lan_api_error(err, 401, "unauthorized",
                      "send Authorization: Bearer with a device token or a staff session");
        return false;
    }
    if(access == LAN_ACCESS_STAFF && who->kind != LAN_PRINCIPAL_STAFF) {
        lan_api_error(err, 403, "staff_session_required",
                      "a member of staff must log in (POST /api/v1/sessions) for this");
        return false;
    }
    if(access == LAN_ACCESS_DEVICE_ONLY && who->kind != LAN_PRINCIPAL_DEVICE) {
        lan_api_error(err, 403, "forbidden", "only a device's own token may do this");
        return false;
    }
    return true;
}

/* ---- static ------------------------------------------------------------------ */

static void token_hash(const char *token, unsigned char out[HASH_LEN])
{
    crypto_generichash(out, HASH_LEN, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* (caller holds mu or owns idx's slot) */
static void fill_staff(const lan_auth_t *a, int idx, int64_t used_ms, lan_principal_t *who)
{
    memset(who, 0, sizeof(*who));
    who->kind = LAN_PRINCIPAL_STAFF;
    who->staff_idx = idx;
    memcpy(who->staff_id, a->cfg->staff[idx].id, sizeof(who->staff_id));
    who->expires_ms = used_ms + LAN_AUTH_IDLE_MS;
}
