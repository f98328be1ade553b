/*
 * offline_block: the numbers a kiosk issues from its own block while the
 * hub is unreachable (issue 6 section 3), in a small SQLite file of its
 * own (offline.db in the data dir; WAL, synchronous=FULL), so a number is
 * never issued twice in a business day, also across a crash or restart:
 * a number is returned only after its row is durably committed.
 *
 * Numbering: per business day and service prefix, the next number after
 * the highest one this device issued that day, from block_from to
 * block_to ("A900".."A949": the prefix and three digits). Each row waits
 * as pending until the hub took it (imported) or refused it for good
 * (rejected: logged, never retried).
 *
 * Not thread-safe: one thread (branch_lan's worker) owns it.
 */
#ifndef HK_APP_NET_OFFLINE_BLOCK_H
#define HK_APP_NET_OFFLINE_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "hk_err.h"
#include "queue.h"

#define OFFLINE_BLOCK_FILE "offline.db"

typedef struct offline_block offline_block_t;

/**
 * Open (creating) the block file.
 * @param path        the SQLite file.
 * @param device_id   this kiosk (stamped on its tickets).
 * @param block_from  first number of the block, 1..999.
 * @param block_to    last, block_from..999.
 * @return HK_OK; HK_ERR_INVALID bad block or id; HK_ERR_IO/CORRUPT the file.
 */
hk_err_t offline_block_open(const char *path, const char *device_id, int block_from, int block_to,
                            offline_block_t **out);
void offline_block_close(offline_block_t *ob); /* NULL ok */

/**
 * Issue the next number of the block and commit it before returning.
 * *out: a waiting ticket (id 0: the hub has no row for it yet) with
 * number, day, service, issued_ms and device_id.
 * @return HK_ERR_INVALID the block is used up for that prefix today.
 */
hk_err_t offline_block_issue(offline_block_t *ob, const char *day, char prefix,
                             const char *service_id, int64_t issued_ms, ticket_t *out);

/** The oldest pending tickets (issue-time order), at most cap. */
hk_err_t offline_block_pending(offline_block_t *ob, ticket_t *out, int cap, int *n_out);

/** Tickets still pending. */
hk_err_t offline_block_pending_count(offline_block_t *ob, int *n_out);

/** The hub took it (imported true) or refused it for good (false). */
hk_err_t offline_block_mark(offline_block_t *ob, const char *day, const char *number,
                            bool imported);

#endif
