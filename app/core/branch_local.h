/*
 * branch_local: the branch interface implemented by the hub itself, over
 * queue and rating (and through them the journal) on the hub's own SQLite
 * store. Each
 * operation runs at once on the calling thread (one SQLite transaction,
 * ~0.15 ms with synchronous=FULL) and posts its result to the mailbox, so
 * callers treat it exactly like a remote branch.
 */
#ifndef HK_APP_CORE_BRANCH_LOCAL_H
#define HK_APP_CORE_BRANCH_LOCAL_H

#include "branch.h"
#include "store.h"

/** Wall-clock milliseconds (UTC) for the operation being made. */
typedef int64_t (*branch_now_fn)(void *user);

/**
 * @param store  borrowed; must outlive the branch. Used only on the thread
 *               that calls the branch operations.
 * @param cfg    copied (replace with branch_local_set_config()).
 * @param mb     borrowed; where results and journal notices are posted.
 * @param out    filled on success; free with branch_destroy().
 */
hk_err_t branch_local_create(store_t *store, const config_t *cfg, mailbox_t *mb, branch_now_fn now,
                             void *now_user, branch_t *out);

/** Put a new config in force for later operations (same thread). */
void branch_local_set_config(branch_t *b, const config_t *cfg);

/** Operations whose result could not be posted (mailbox full); logged. */
uint64_t branch_local_undelivered(const branch_t *b);

#endif
