/*
 * clock: system and stepped clocks behind one small type. The stepped clock
 * exists so that tests, golden screenshots and scripted runs are
 * deterministic; it never reads the system time.
 */
#include "clock.h"

#include <time.h>

#include "hk_mem.h"

struct hk_clock {
    int stepped;
    int64_t mono_ms; /* stepped only */
    int64_t wall_ms; /* stepped only */
};

hk_err_t hk_clock_system_create(hk_clock_t **out)
{
    hk_clock_t *c = hk_calloc(1, sizeof(*c));

    *out = c;
    return c ? HK_OK : HK_ERR_NOMEM;
}

hk_err_t hk_clock_stepped_create(int64_t wall_start_ms, hk_clock_t **out)
{
    hk_clock_t *c = hk_calloc(1, sizeof(*c));

    *out = c;
    if(!c)
        return HK_ERR_NOMEM;
    c->stepped = 1;
    c->mono_ms = 1000;
    c->wall_ms = wall_start_ms;
    return HK_OK;
}

void hk_clock_destroy(hk_clock_t *c)
{
    hk_free(c);
}

static int64_t read_clock(clockid_t id)
{
    struct timespec ts;

    (void)clock_gettime(id, &ts); /* cannot fail for these clock ids */
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t hk_clock_mono_ms(const hk_clock_t *c)
{
    return c->stepped ? c->mono_ms : read_clock(CLOCK_MONOTONIC);
}

int64_t hk_clock_wall_ms(const hk_clock_t *c)
{
    return c->stepped ? c->wall_ms : read_clock(CLOCK_REALTIME);
}

int hk_clock_is_stepped(const hk_clock_t *c)
{
    return c->stepped;
}

void hk_clock_advance(hk_clock_t *c, int64_t ms)
{
    if(!c->stepped || ms < 0)
        return;
    c->mono_ms += ms;
    c->wall_ms += ms;
}

void hk_clock_set_wall(hk_clock_t *c, int64_t wall_ms)
{
    if(c->stepped)
        c->wall_ms = wall_ms;
}
