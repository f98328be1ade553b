/*
 * announce: what the hall display says for a call, as a list of clip names
 * and pauses. "A023" to counter 3 in Chinese is
 *   chime ~ 请 A 零 二 三 号 到 三 号 窗口 办理
 * and in English "Number A 0 2 3, please go to counter three". Ticket
 * numbers are read character by character (letters as letters, 零 not 〇),
 * counters as cardinal numbers (12 -> 十二, "twelve"). Pure: no I/O, no
 * allocation; platform/audio turns the list into samples.
 */
#ifndef HK_APP_CORE_ANNOUNCE_H
#define HK_APP_CORE_ANNOUNCE_H

#include <stddef.h>

#include "hk_err.h"

#define ANNOUNCE_MAX_ITEMS       128
#define ANNOUNCE_TICKET_MAX      8  /* characters of a ticket number */
#define ANNOUNCE_COUNTER_MAX     99 /* config_counter_t.number is 1..99 */
#define ANNOUNCE_REPEAT_MAX      3
#define ANNOUNCE_LANG_ZH         1u
#define ANNOUNCE_LANG_EN         2u
#define ANNOUNCE_CHIME_PAUSE_MS  300 /* after the chime, before the first word */
#define ANNOUNCE_LANG_PAUSE_MS   500 /* between the Chinese and the English phrase */
#define ANNOUNCE_REPEAT_PAUSE_MS 800 /* between repetitions */

/* One step: a clip (clip != NULL) or a pause of pause_ms (clip == NULL). */
typedef struct announce_item {
    const char *clip; /* static string: a clip name of the voice pack */
    int pause_ms;
} announce_item_t;

typedef struct announce {
    int count;
    announce_item_t items[ANNOUNCE_MAX_ITEMS];
} announce_t;

typedef struct announce_opts {
    unsigned langs; /* ANNOUNCE_LANG_ZH and/or _EN; Chinese is said first */
    int repeat;     /* how many times the phrase(s) are said, 1..ANNOUNCE_REPEAT_MAX */
} announce_opts_t;

/**
 * Build the announcement of a call: the chime, then `repeat` times the
 * Chinese phrase and/or the English one, with the pauses named above.
 * @param ticket   the ticket number, letters A-Z (any case) and digits,
 *                 1..ANNOUNCE_TICKET_MAX characters ("A023"); borrowed.
 * @param counter  the counter's number, 1..ANNOUNCE_COUNTER_MAX.
 * @param opts     languages and repeat count; borrowed.
 * @param out      written only on success.
 * @return HK_OK, or HK_ERR_INVALID for a malformed ticket, counter or opts.
 */
hk_err_t announce_build(const char *ticket, int counter, const announce_opts_t *opts,
                        announce_t *out);

/**
 * Every clip name announcements in langs can use (the chime included), so a
 * voice pack can be loaded and checked whole at start.
 * @param names  receives up to cap static strings; may be NULL with cap 0.
 * @return how many names there are in total (may exceed cap).
 */
size_t announce_clip_names(unsigned langs, const char **names, size_t cap);

#endif
