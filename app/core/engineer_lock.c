/*
 * engineer_lock: see engineer_lock.h.
 *
 * Design notes
 *   States: OPEN (fails < 5, until = 0), LOCKED (until > now).
 *     OPEN --fail (5th in a row)--> LOCKED, locks += 1, until = now +
 *       duration(locks), fails = 0                         (engineer_lock_fail)
 *     LOCKED --time passes--> OPEN, locks kept (the next lock doubles)
 *                                                  (engineer_lock_remaining_ms)
 *     any --right PIN--> OPEN, fails = locks = 0           (engineer_lock_success)
 *   A failure while LOCKED is not counted: the caller does not check a PIN
 *   while the pad is locked.
 *   The file is {"v":1,"fails":N,"locks":K,"until_ms":T}; every change is
 *   written with hk_file_write_atomic (temporary file, fsync, rename, fsync
 *   of the directory) before the call returns.
 *   Invariant: remaining <= duration(locks) whatever the wall clock did.
 */
#include "engineer_lock.h"

#include <stdio.h>
#include <string.h>

#include "hk_file.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"

#define FILE_MAX 512

static const char *const lock_keys[] = { "v", "fails", "locks", "until_ms", NULL };

static hk_err_t save(const engineer_lock_t *lk)
{
    char buf[160];
    int n = snprintf(buf, sizeof(buf), "{\"v\":1,\"fails\":%d,\"locks\":%d,\"until_ms\":%lld}\n",
                     lk->fails, lk->locks, (long long)lk->until_wall_ms);

    if(hk_file_write_atomic(lk->dir, lk->path, buf, (size_t)n) != HK_OK) {
        hk_log_error("engineer", "%s not written: the lockout holds in memory only", lk->path);
        return HK_ERR_IO;
    }
    return HK_OK;
}

/* Parse the file's text; HK_ERR_INVALID with the field in diag. */
static hk_err_t parse(engineer_lock_t *lk, const char *text, size_t len, hk_diag_t *diag)
{
    cJSON *root = NULL;
    int v = 0;
    hk_err_t rc = hk_json_parse(text, len, NULL, &root, diag);

    if(rc == HK_OK && !cJSON_IsObject(root)) {
        hk_diag_set(diag, "expected an object");
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        rc = hk_json_check_keys(root, "", lock_keys, diag);
    if(rc == HK_OK)
        rc = hk_json_get_int(cJSON_GetObjectItemCaseSensitive(root, "v"), "v", 1, 1, &v, diag);
    if(rc == HK_OK)
        rc = hk_json_get_int(cJSON_GetObjectItemCaseSensitive(root, "fails"), "fails", 0,
                             ENGINEER_LOCK_MAX_FAILS - 1, &lk->fails, diag);
    if(rc == HK_OK)
        rc = hk_json_get_int(cJSON_GetObjectItemCaseSensitive(root, "locks"), "locks", 0, 1000000,
                             &lk->locks, diag);
    if(rc == HK_OK)
        rc = hk_json_get_i64(cJSON_GetObjectItemCaseSensitive(root, "until_ms"), "until_ms", 0,
                             (1LL << 53) - 1, &lk->until_wall_ms, diag);
    if(rc == HK_OK && lk->until_wall_ms > 0 && lk->locks < 1) {
        hk_diag_set(diag, "until_ms: a lock without a lock count");
        rc = HK_ERR_INVALID;
    }
    cJSON_Delete(root);
    return rc;
}

int64_t engineer_lock_duration_ms(int n)
{
    int64_t d = ENGINEER_LOCK_BASE_MS;

    for(int i = 1; i < n && d < ENGINEER_LOCK_CAP_MS; i++)
        d *= 2;
    return d < ENGINEER_LOCK_CAP_MS ? d : ENGINEER_LOCK_CAP_MS;
}

/* Start lock number locks + 1 now. */
static void impose(engineer_lock_t *lk, int64_t wall_ms, int64_t mono_ms)
{
    int64_t d;

    lk->locks++;
    d = engineer_lock_duration_ms(lk->locks);
    lk->fails = 0;
    lk->until_wall_ms = wall_ms + d;
    lk->until_mono_ms = mono_ms + d;
}

hk_err_t engineer_lock_load(engineer_lock_t *lk, const char *dir, int64_t wall_ms, int64_t mono_ms)
{
    char *text = NULL;
    size_t len = 0;
    hk_diag_t diag;
    hk_err_t rc;

    memset(lk, 0, sizeof(*lk));
    if(!dir || strlen(dir) >= sizeof(lk->dir))
        return HK_ERR_INVALID;
    snprintf(lk->dir, sizeof(lk->dir), "%s", dir);
    snprintf(lk->path, sizeof(lk->path), "%s/%s", dir, ENGINEER_LOCK_FILE);
    rc = hk_file_read(lk->path, FILE_MAX, &text, &len);
    if(rc == HK_ERR_NOT_FOUND)
        return HK_OK; /* never locked on this device */
    if(rc == HK_OK) {
        hk_diag_clear(&diag);
        rc = parse(lk, text, len, &diag);
        hk_free(text);
        if(rc == HK_OK) {
            int64_t left = lk->until_wall_ms - wall_ms, d = engineer_lock_duration_ms(lk->locks);
            if(left > d)
                left = d; /* a clock stepped backwards: see engineer_lock_remaining_ms */
            lk->until_mono_ms = left > 0 ? mono_ms + left : 0;
            (void)engineer_lock_remaining_ms(lk, wall_ms, mono_ms); /* caps a clock jump */
            return HK_OK;
        }
        hk_log_error("engineer", "%s refused (%s): treated as locked", lk->path, diag.msg);
    } else if(rc == HK_ERR_CORRUPT) {
        hk_log_error("engineer", "%s is oversized: treated as locked", lk->path);
    } else {
        hk_log_error("engineer", "%s unreadable (%s): treated as locked", lk->path, hk_err_str(rc));
    }
    /* corrupt or unreadable: a fresh lock of the next level, written back */
    lk->fails = 0;
    if(lk->locks < 0 || lk->locks >= 1000000)
        lk->locks = 0; /* what parse() read before it refused may be anything */
    lk->until_wall_ms = lk->until_mono_ms = 0;
    lk->corrupt = true;
    impose(lk, wall_ms, mono_ms);
    (void)save(lk); /* logged; the lock holds in memory either way */
    return HK_OK;
}

int64_t engineer_lock_remaining_ms(engineer_lock_t *lk, int64_t wall_ms, int64_t mono_ms)
{
    int64_t by_wall, by_mono, d, left;

    if(!lk->until_wall_ms && !lk->until_mono_ms)
        return 0;
    d = engineer_lock_duration_ms(lk->locks);
    by_wall = lk->until_wall_ms - wall_ms;
    if(by_wall > d) {
        /* the wall clock went backwards: one full period from now, no more */
        lk->until_wall_ms = wall_ms + d;
        by_wall = d;
        (void)save(lk);
    }
    by_mono = lk->until_mono_ms ? lk->until_mono_ms - mono_ms : 0;
    left = by_wall > by_mono ? by_wall : by_mono;
    if(left <= 0) {
        /* over: a new count of failures; the next lock doubles */
        lk->until_wall_ms = lk->until_mono_ms = 0;
        lk->fails = 0;
        return 0;
    }
    return left;
}

hk_err_t engineer_lock_fail(engineer_lock_t *lk, int64_t wall_ms, int64_t mono_ms,
                            int64_t *remaining_ms)
{
    int64_t left = engineer_lock_remaining_ms(lk, wall_ms, mono_ms);

    if(left == 0) {
        if(++lk->fails >= ENGINEER_LOCK_MAX_FAILS)
            impose(lk, wall_ms, mono_ms);
        left = engineer_lock_remaining_ms(lk, wall_ms, mono_ms);
    }
    if(remaining_ms)
        *remaining_ms = left;
    return save(lk);
}

hk_err_t engineer_lock_success(engineer_lock_t *lk)
{
    bool was_clear = !lk->fails && !lk->locks && !lk->until_wall_ms;

    lk->fails = lk->locks = 0;
    lk->until_wall_ms = lk->until_mono_ms = 0;
    lk->corrupt = false;
    return was_clear ? HK_OK : save(lk);
}
