/*
 * audio_private: what the files of platform/audio share and nothing outside
 * uses: condition variables on the monotonic clock (a wall-clock step at
 * boot, NTP, must not stretch or cut a wait) and their deadlines.
 */
#ifndef HK_PLATFORM_AUDIO_AUDIO_PRIVATE_H
#define HK_PLATFORM_AUDIO_AUDIO_PRIVATE_H

#include <pthread.h>
#include <time.h>

/** pthread_cond_init() with CLOCK_MONOTONIC; 0 or an errno. */
int audio_cond_init(pthread_cond_t *cv);

/** *ts = CLOCK_MONOTONIC now + ms, for pthread_cond_timedwait(). */
void audio_deadline_after(struct timespec *ts, long ms);

#endif
