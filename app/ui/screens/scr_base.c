/*
 * scr_base: the allocation and model bookkeeping every screen shares.
 */
#include "screens.h"

#include <string.h>

#include "hk_mem.h"

hk_err_t scr_base_create(size_t size, gfx_t *g, void **out)
{
    scr_base_t *b;

    *out = NULL;
    if(size < sizeof(scr_base_t))
        return HK_ERR_INVALID;
    b = hk_calloc(1, size);
    if(!b)
        return HK_ERR_NOMEM;
    b->g = g;
    *out = b;
    return HK_OK;
}

void scr_base_destroy(void *s)
{
    hk_free(s);
}

bool scr_base_take_model(scr_base_t *b, const ui_model_t *m)
{
    if(!memcmp(&b->m, m, sizeof(*m)))
        return false;
    b->m = *m;
    return true;
}
