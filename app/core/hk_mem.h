/*
 * hk_mem: the allocator every module of ours goes through. Counts live
 * allocations (tests require zero at teardown) and can be told to fail the
 * Nth call (fault-injection tests loop N = 1, 2, ... like curl's torture
 * mode). Not thread-safe for the fail-nth switch; the counters are atomic.
 */
#ifndef HK_APP_CORE_HK_MEM_H
#define HK_APP_CORE_HK_MEM_H

#include <stddef.h>

/** malloc; returns NULL on failure (or injected failure). */
void *hk_malloc(size_t size);
/** calloc-like, zeroed; NULL on failure. */
void *hk_calloc(size_t n, size_t size);
/** realloc; on failure returns NULL and the old block is still valid. */
void *hk_realloc(void *ptr, size_t size);
/** strdup through hk_malloc; NULL in -> NULL out. */
char *hk_strdup(const char *s);
/** free; NULL is a no-op. */
void hk_free(void *ptr);

/* Free and NULL the pointer (curl's curlx_safefree). */
#define HK_SAFEFREE(p) \
    do {               \
        hk_free(p);    \
        (p) = NULL;    \
    } while(0)

/** Number of live allocations made through hk_* right now. */
long hk_mem_live(void);

/**
 * Make the n-th allocation from now fail (1 = the next one); 0 disables.
 * Only allocations after this call count.
 */
void hk_mem_fail_nth(long n);

/** How many allocations were attempted since the last hk_mem_fail_nth(). */
long hk_mem_attempts(void);

#endif
