/*
 * voice: a player thread that owns an audio device and a bounded FIFO of
 * announcements (print_spool's shape). voice_say() checks the announcement
 * against the pack, queues a copy and returns; the player renders it with
 * voice_pack_render() (the code path the tests render to WAV through) and
 * plays it to the end before taking the next, so announcements never
 * overlap and never cut each other off. It does not decide what to say
 * (announce.c) or when (the display's controller).
 *
 * Design notes
 * ------------
 * Voice states (under v->lock):
 *   RUNNING   the player waits for or plays announcements; say() accepts.
 *   STOPPING  set by voice_destroy(), which also cancels the device so the
 *             one playing returns early; say() refuses (HK_ERR_BUSY); the
 *             player drops the queue, reporting each one.
 *   JOINED    player exited and was joined; memory freed.
 * Announcement states:
 *   QUEUED    in v->head..v->tail                       (voice_say)
 *   PLAYING   popped, v->busy = 1, STARTED reported     (player_main)
 *   DONE      played, DONE(rc) reported, freed, busy = 0 (player_main)
 *   DROPPED   popped while STOPPING, or marked by voice_drop_waiting()
 *             (the kiosk's guidance: a new screen makes the old words
 *             moot): DONE(HK_ERR_BUSY) on the player thread, freed
 * Invariants:
 *   - v->queued == length of the list, <= VOICE_QUEUE_MAX.
 *   - Every accepted announcement gets exactly one DONE, in say() order, on
 *     the player thread with no lock held; one STARTED before it if played.
 *   - Only the player touches v->dev after create, except audio_cancel()
 *     from destroy (the ops contract allows it from any thread).
 *   - Idle (voice_wait_idle) = list empty && !busy; cond_idle is broadcast
 *     whenever that becomes true.
 */
#include "voice.h"

#include <errno.h>
#include <pthread.h>

#include "audio_private.h"
#include "hk_log.h"
#include "hk_mem.h"

typedef struct voice_item {
    struct voice_item *next;
    uint64_t tag;
    int dropped; /* voice_drop_waiting(): reported DONE(HK_ERR_BUSY), not played */
    announce_t a;
} voice_item_t;

struct voice {
    audio_t *dev; /* owned; player thread only (and cancel) */
    const voice_pack_t *pack;
    voice_notify_fn notify;
    void *user;

    pthread_mutex_t lock;
    pthread_cond_t cond_work; /* queued or stopping */
    pthread_cond_t cond_idle; /* list empty and nothing playing */
    pthread_t player;

    /* under lock */
    voice_item_t *head, *tail;
    int queued;
    int busy;
    int stopping;
};

static void *player_main(void *arg);
static void play_one(voice_t *v, const voice_item_t *it);
static void notify(voice_t *v, voice_event_t ev, uint64_t tag, hk_err_t rc);

hk_err_t voice_create(audio_t *dev, const voice_pack_t *pack, voice_notify_fn notify_fn, void *user,
                      voice_t **out)
{
    voice_t *v;

    if(out)
        *out = NULL;
    if(!dev || !pack || !out)
        return HK_ERR_INVALID;
    v = hk_calloc(1, sizeof(*v));
    if(!v)
        return HK_ERR_NOMEM;
    v->dev = dev;
    v->pack = pack;
    v->notify = notify_fn;
    v->user = user;
    pthread_mutex_init(&v->lock, NULL);
    /* cond_work is waited on without a deadline: the default clock is fine */
    pthread_cond_init(&v->cond_work, NULL);
    if(audio_cond_init(&v->cond_idle) != 0) {
        pthread_cond_destroy(&v->cond_work);
        pthread_mutex_destroy(&v->lock);
        hk_free(v);
        return HK_ERR_NOMEM;
    }
    if(pthread_create(&v->player, NULL, player_main, v) != 0) {
        pthread_cond_destroy(&v->cond_idle);
        pthread_cond_destroy(&v->cond_work);
        pthread_mutex_destroy(&v->lock);
        hk_free(v);
        return HK_ERR_IO;
    }
    *out = v;
    return HK_OK;
}

void voice_destroy(voice_t *v)
{
    if(!v)
        return;
    pthread_mutex_lock(&v->lock);
    v->stopping = 1;
    pthread_cond_broadcast(&v->cond_work);
    pthread_mutex_unlock(&v->lock);
    audio_cancel(v->dev);
    pthread_join(v->player, NULL);
    audio_destroy(v->dev);
    pthread_cond_destroy(&v->cond_idle);
    pthread_cond_destroy(&v->cond_work);
    pthread_mutex_destroy(&v->lock);
    hk_free(v);
}

hk_err_t voice_say(voice_t *v, const announce_t *a, uint64_t tag)
{
    voice_item_t *it;
    size_t samples;
    hk_err_t rc;

    if(!v || !a || a->count < 0 || a->count > ANNOUNCE_MAX_ITEMS)
        return HK_ERR_INVALID;
    /* a missing clip is the caller's error now, not a gap later */
    rc = voice_pack_measure(v->pack, a, &samples);
    if(rc != HK_OK)
        return rc;
    it = hk_malloc(sizeof(*it));
    if(!it)
        return HK_ERR_NOMEM;
    it->next = NULL;
    it->tag = tag;
    it->dropped = 0;
    it->a = *a;
    pthread_mutex_lock(&v->lock);
    if(v->stopping || v->queued >= VOICE_QUEUE_MAX) {
        int full = !v->stopping;

        pthread_mutex_unlock(&v->lock);
        hk_free(it);
        if(full)
            hk_log_warn("voice", "%d announcements waiting: refused tag %llu", VOICE_QUEUE_MAX,
                        (unsigned long long)tag);
        return HK_ERR_BUSY;
    }
    if(v->tail)
        v->tail->next = it;
    else
        v->head = it;
    v->tail = it;
    v->queued++;
    pthread_cond_signal(&v->cond_work);
    pthread_mutex_unlock(&v->lock);
    return HK_OK;
}

hk_err_t voice_call(voice_t *v, const char *ticket, int counter, const announce_opts_t *opts,
                    uint64_t tag)
{
    announce_t *a;
    hk_err_t rc;

    /* ~2 KB: off the caller's stack (the UI thread) */
    a = hk_malloc(sizeof(*a));
    if(!a)
        return HK_ERR_NOMEM;
    rc = announce_build(ticket, counter, opts, a);
    if(rc == HK_OK)
        rc = voice_say(v, a, tag);
    hk_free(a);
    return rc;
}

int voice_drop_waiting(voice_t *v)
{
    voice_item_t *it;
    int n = 0;

    if(!v)
        return 0;
    pthread_mutex_lock(&v->lock);
    for(it = v->head; it; it = it->next)
        if(!it->dropped) {
            it->dropped = 1;
            n++;
        }
    pthread_mutex_unlock(&v->lock);
    return n;
}

bool voice_wait_idle(voice_t *v, int timeout_ms)
{
    struct timespec deadline;
    bool idle;

    if(!v)
        return true;
    if(timeout_ms >= 0)
        audio_deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&v->lock);
    while(v->head || v->busy) {
        if(timeout_ms < 0) {
            pthread_cond_wait(&v->cond_idle, &v->lock);
        } else if(pthread_cond_timedwait(&v->cond_idle, &v->lock, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    idle = !v->head && !v->busy;
    pthread_mutex_unlock(&v->lock);
    return idle;
}

static void *player_main(void *arg)
{
    voice_t *v = arg;

    pthread_mutex_lock(&v->lock);
    for(;;) {
        voice_item_t *it;
        int dropping;

        while(!v->head && !v->stopping)
            pthread_cond_wait(&v->cond_work, &v->lock);
        it = v->head;
        if(!it)
            break; /* stopping and nothing left */
        v->head = it->next;
        if(!v->head)
            v->tail = NULL;
        v->queued--;
        v->busy = 1;
        dropping = v->stopping || it->dropped;
        pthread_mutex_unlock(&v->lock);

        if(dropping)
            notify(v, VOICE_DONE, it->tag, HK_ERR_BUSY);
        else
            play_one(v, it);
        hk_free(it);

        pthread_mutex_lock(&v->lock);
        v->busy = 0;
        if(!v->head)
            pthread_cond_broadcast(&v->cond_idle);
    }
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

static void play_one(voice_t *v, const voice_item_t *it)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    hk_err_t rc;

    rc = voice_pack_render(v->pack, &it->a, &pcm, &n);
    if(rc != HK_OK) {
        hk_log_error("voice", "announcement %llu not rendered: %s", (unsigned long long)it->tag,
                     hk_err_str(rc));
        notify(v, VOICE_DONE, it->tag, rc);
        return;
    }
    notify(v, VOICE_STARTED, it->tag, HK_OK);
    rc = audio_play(v->dev, pcm, n);
    if(rc == HK_ERR_HW)
        hk_log_error("voice", "announcement %llu: the audio device failed",
                     (unsigned long long)it->tag);
    hk_free(pcm);
    notify(v, VOICE_DONE, it->tag, rc);
}

static void notify(voice_t *v, voice_event_t ev, uint64_t tag, hk_err_t rc)
{
    if(v->notify)
        v->notify(v->user, ev, tag, rc);
}
