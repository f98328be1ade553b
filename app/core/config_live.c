/*
 * config_live: the configuration in force, shared between the thread that
 * replaces it (sync, engineer mode) and the threads that read it (UI, hub
 * loop). See config_live.h for the calls and the threading rule.
 *
 * Design notes
 * ------------
 * State: `cur`, a reference-counted snapshot (config_t + its generation),
 * and `gen`, an atomic copy of cur's generation.
 *
 *   config_live_create   cur = snapshot(initial), gen 1
 *   config_live_acquire  cur->refs + 1; hand out &cur->cfg     (under mu)
 *   config_live_release  snap->refs - 1; free it if it is no longer cur
 *                        and nobody holds it                    (under mu)
 *   config_live_replace  build the new snapshot outside the lock (copy,
 *                        allocation), then under mu: cur = new, gen + 1;
 *                        the old snapshot is freed now if unheld, else by
 *                        its last release
 *   config_live_destroy  frees cur (every snapshot must be released)
 *
 * Invariants:
 *   - a snapshot is never written after it is published: readers need no
 *     lock while they hold it, and never see a half-copied config;
 *   - gen == cur->gen whenever mu is free; gen only grows;
 *   - a snapshot is freed exactly once: when it is not cur and refs == 0.
 *
 * Why a lock and refcounts rather than RCU or a double buffer: replacements
 * are rare (a config push, an engineer's edit) and readers take the lock
 * once per change, not per frame, because config_live_generation() is a
 * lock-free atomic load. A double buffer would need the reader to finish
 * before the second replace; refcounts remove that timing assumption.
 * Allocation and the ~20 KB copy happen outside the lock, so a reader never
 * waits on them.
 */
#include "config_live.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk_log.h"
#include "hk_mem.h"

/* Types -------------------------------------------------------------------*/

typedef struct snapshot {
    config_t cfg; /* first member: a config_t * is a snapshot * */
    uint64_t gen;
    long refs; /* acquisitions not yet released; guarded by mu */
} snapshot_t;

struct config_live {
    pthread_mutex_t mu;
    snapshot_t *cur; /* guarded by mu */
    _Atomic uint64_t gen;
};

/* Static prototypes -------------------------------------------------------*/
static snapshot_t *snapshot_new(const config_t *cfg);

/* Public functions --------------------------------------------------------*/

hk_err_t config_live_create(const config_t *initial, config_live_t **out)
{
    config_live_t *live;

    if(out)
        *out = NULL;
    if(!initial || !out)
        return HK_ERR_INVALID;
    live = hk_calloc(1, sizeof(*live));
    if(!live)
        return HK_ERR_NOMEM;
    live->cur = snapshot_new(initial);
    if(!live->cur) {
        hk_free(live);
        return HK_ERR_NOMEM;
    }
    if(pthread_mutex_init(&live->mu, NULL) != 0) {
        /* Only fails when the system is out of resources. */
        hk_free(live->cur);
        hk_free(live);
        return HK_ERR_NOMEM;
    }
    live->cur->gen = 1;
    atomic_init(&live->gen, 1);
    *out = live;
    return HK_OK;
}

void config_live_destroy(config_live_t *live)
{
    if(!live)
        return;
    /* A held snapshot here is a use-after-free waiting to happen. */
    (void)HK_NEVER(live->cur->refs != 0);
    (void)pthread_mutex_destroy(&live->mu); /* unlocked: cannot fail */
    hk_free(live->cur);
    hk_free(live);
}

hk_err_t config_live_replace(config_live_t *live, const config_t *cfg)
{
    snapshot_t *snap, *old;

    if(!live || !cfg)
        return HK_ERR_INVALID;
    snap = snapshot_new(cfg);
    if(!snap)
        return HK_ERR_NOMEM;
    (void)pthread_mutex_lock(&live->mu); /* default mutex: fails only on misuse */
    old = live->cur;
    snap->gen = old->gen + 1;
    live->cur = snap;
    atomic_store_explicit(&live->gen, snap->gen, memory_order_release);
    if(old->refs != 0)
        old = NULL; /* its last release frees it */
    (void)pthread_mutex_unlock(&live->mu);
    hk_free(old);
    return HK_OK;
}

hk_err_t config_live_load_file(config_live_t *live, const char *path, hk_diag_t *diag)
{
    config_t *cfg;
    hk_err_t rc;

    hk_diag_clear(diag);
    if(!live || !path) {
        hk_diag_set(diag, "config: no path");
        return HK_ERR_INVALID;
    }
    /* config_t is ~20 KB: too big for a thread's stack comfort. */
    cfg = hk_malloc(sizeof(*cfg));
    if(!cfg) {
        hk_diag_set(diag, "config: out of memory");
        return HK_ERR_NOMEM;
    }
    rc = config_load_file(path, cfg, diag);
    if(rc == HK_OK) {
        rc = config_live_replace(live, cfg);
        if(rc != HK_OK)
            hk_diag_set(diag, "config: out of memory");
    }
    if(rc == HK_OK)
        hk_log_info("config", "%s in force (generation %llu)", path,
                    (unsigned long long)config_live_generation(live));
    else
        hk_log_warn("config", "kept the config in force: %s", diag ? diag->msg : hk_err_str(rc));
    hk_free(cfg);
    return rc;
}

uint64_t config_live_generation(const config_live_t *live)
{
    /* const in spirit: C11 atomics want a non-const object to load from. */
    return atomic_load_explicit(&((config_live_t *)live)->gen, memory_order_acquire);
}

const config_t *config_live_acquire(config_live_t *live, uint64_t *gen_out)
{
    snapshot_t *snap;

    (void)pthread_mutex_lock(&live->mu);
    snap = live->cur;
    snap->refs++;
    (void)pthread_mutex_unlock(&live->mu);
    if(gen_out)
        *gen_out = snap->gen; /* immutable once published */
    return &snap->cfg;
}

void config_live_release(config_live_t *live, const config_t *cfg)
{
    snapshot_t *snap = (snapshot_t *)(void *)(uintptr_t)cfg;
    bool last;

    if(!live || !cfg)
        return;
    (void)pthread_mutex_lock(&live->mu);
    (void)HK_NEVER(snap->refs <= 0); /* released more often than acquired */
    snap->refs--;
    last = snap->refs == 0 && snap != live->cur;
    (void)pthread_mutex_unlock(&live->mu);
    if(last)
        hk_free(snap);
}

/* Static functions --------------------------------------------------------*/

static snapshot_t *snapshot_new(const config_t *cfg)
{
    snapshot_t *snap = hk_malloc(sizeof(*snap));

    if(!snap)
        return NULL;
    snap->cfg = *cfg;
    snap->gen = 0;
    snap->refs = 0;
    return snap;
}
