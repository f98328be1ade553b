/*
 * hk_mem: counting allocator with fail-the-Nth-call injection for tests.
 * It wraps libc malloc; it does not pool or track sizes. An injected failure
 * behaves exactly like a real NULL from malloc.
 */
#include "hk_mem.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long live_cnt;
static atomic_long attempt_cnt;
static atomic_long fail_at;

static int should_fail(void)
{
    long n = atomic_fetch_add(&attempt_cnt, 1) + 1;
    long f = atomic_load(&fail_at);
    return f > 0 && n == f;
}

void *hk_malloc(size_t size)
{
    void *p;

    if(should_fail())
        return NULL;
    p = malloc(size ? size : 1);
    if(p)
        atomic_fetch_add(&live_cnt, 1);
    return p;
}

void *hk_calloc(size_t n, size_t size)
{
    void *p;

    if(should_fail())
        return NULL;
    p = calloc(n ? n : 1, size ? size : 1);
    if(p)
        atomic_fetch_add(&live_cnt, 1);
    return p;
}

void *hk_realloc(void *ptr, size_t size)
{
    void *p;

    if(!ptr)
        return hk_malloc(size);
    if(should_fail())
        return NULL;
    p = realloc(ptr, size ? size : 1);
    return p;
}

char *hk_strdup(const char *s)
{
    size_t len;
    char *p;

    if(!s)
        return NULL;
    len = strlen(s);
    p = hk_malloc(len + 1);
    if(p)
        memcpy(p, s, len + 1);
    return p;
}

void hk_free(void *ptr)
{
    if(!ptr)
        return;
    atomic_fetch_sub(&live_cnt, 1);
    free(ptr);
}

long hk_mem_live(void)
{
    return atomic_load(&live_cnt);
}

void hk_mem_fail_nth(long n)
{
    atomic_store(&attempt_cnt, 0);
    atomic_store(&fail_at, n);
}

long hk_mem_attempts(void)
{
    return atomic_load(&attempt_cnt);
}
