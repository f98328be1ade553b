/*
 * voice: the hall display's announcer. Takes announcements (announce.h),
 * plays them one at a time in call order on a device (audio.h) from its own
 * thread, and reports each one's start and end through a callback the
 * caller turns into mailbox posts. Calling never blocks on audio.
 */
#ifndef HK_PLATFORM_AUDIO_VOICE_H
#define HK_PLATFORM_AUDIO_VOICE_H

#include <stdbool.h>
#include <stdint.h>

#include "announce.h"
#include "audio.h"
#include "hk_err.h"
#include "voice_pack.h"

#define VOICE_QUEUE_MAX 16 /* announcements waiting at most (a busy hall: ~1 a second) */

typedef enum voice_event {
    VOICE_STARTED, /* its first sample goes to the device now (show the call) */
    VOICE_DONE     /* finished: rc HK_OK, HK_ERR_HW (device failed) or
                      HK_ERR_BUSY (not or not fully played: voice destroyed) */
} voice_event_t;

/**
 * Progress of an announcement, called on the player thread, never under a
 * lock of ours: post to the loop's mailbox from here, do not touch UI state.
 * For each accepted voice_say() exactly one VOICE_DONE follows (also when
 * the voice is destroyed first); VOICE_STARTED precedes it when it played.
 */
typedef void (*voice_notify_fn)(void *user, voice_event_t ev, uint64_t tag, hk_err_t rc);

typedef struct voice voice_t;

/**
 * Start the player thread.
 * @param dev     the output; owned by the voice on success (destroyed with it).
 * @param pack    the clips; borrowed, must outlive the voice.
 * @param notify  may be NULL; user is passed to it.
 * @param out     free with voice_destroy().
 * @return HK_OK, HK_ERR_NOMEM, HK_ERR_INVALID, HK_ERR_IO (no thread).
 */
hk_err_t voice_create(audio_t *dev, const voice_pack_t *pack, voice_notify_fn notify, void *user,
                      voice_t **out);

/**
 * Stop: the announcement playing is cut off, the waiting ones are dropped,
 * each reported VOICE_DONE with HK_ERR_BUSY; joins the thread, destroys the
 * device. NULL ok. Not from the notify callback.
 */
void voice_destroy(voice_t *v);

/**
 * Queue an announcement (copied) behind those already waiting. Returns at
 * once; a recall is simply the same call said again.
 * @param tag  the caller's id for it, echoed to notify.
 * @return HK_OK; HK_ERR_NOT_FOUND (it needs a clip the pack lacks: logged
 *         with the clip's name); HK_ERR_BUSY (VOICE_QUEUE_MAX waiting);
 *         HK_ERR_NOMEM; HK_ERR_INVALID. Any thread.
 */
hk_err_t voice_say(voice_t *v, const announce_t *a, uint64_t tag);

/**
 * announce_build() + voice_say(): announce ticket to counter.
 * @return as voice_say(), and HK_ERR_INVALID for a malformed ticket/counter.
 */
hk_err_t voice_call(voice_t *v, const char *ticket, int counter, const announce_opts_t *opts,
                    uint64_t tag);

/**
 * Drop the announcements waiting (not the one playing): each is reported
 * VOICE_DONE with HK_ERR_BUSY on the player thread, in order. The kiosk's
 * voice guidance calls it when the customer moves on, so the words of a
 * screen already left are not said. Any thread.
 * @return how many were dropped.
 */
int voice_drop_waiting(voice_t *v);

/**
 * Wait until nothing is playing or waiting, up to timeout_ms (-1 = forever).
 * @return true when idle. Not from the notify callback.
 */
bool voice_wait_idle(voice_t *v, int timeout_ms);

#endif
