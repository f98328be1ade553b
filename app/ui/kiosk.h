/*
 * kiosk: the customer terminal's controller on the screen loop (ui_loop):
 * attract -> home -> choose a service -> ticket confirmation (printed),
 * plus the "not available yet" screen for tiles whose issue has not
 * landed. It turns screen intents into branch operations and branch
 * results into the model screens draw. It never touches the queue: the
 * branch (local when this kiosk hosts the hub) does, and answers through
 * the loop's mailbox.
 */
#ifndef HK_APP_UI_KIOSK_H
#define HK_APP_UI_KIOSK_H

#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "config_live.h"
#include "display.h"
#include "script.h"

typedef struct kiosk_opts {
    config_live_t *live;        /* borrowed; outlives the kiosk; the kiosk follows
                                   its replacements (MAILBOX_CONFIG_CHANGED) */
    const char *script_dir;     /* where a script's "config NAME" files are */
    display_t *display;         /* borrowed */
    font_set_t *fonts;          /* borrowed */
    hk_clock_t *clock;          /* borrowed; stepped when headless + script */
    const char *data_dir;       /* resolved, exists */
    const char *screenshot_dir; /* NULL = no screenshots or ticket PNGs */
    int64_t start_mono_ms;      /* process start, for the first-frame log; 0 = none */
    /* The branch: NULL = this kiosk hosts it (branch_local over its store);
     * else the hub's URL ("" = config hub.url) and the LAN client
     * (branch_lan, with this device's offline block). */
    const char *hub_url;
    /* Hooks for the hub this kiosk hosts, on the loop thread (NULL = none):
     * on_started once the first frame is up and the store is open (the
     * hub starts then, so it never delays the first frame); on_journal
     * after each commit of the hosted branch (the hub's hub_poke). */
    void (*on_started)(void *user);
    void (*on_journal)(void *user, int64_t seq);
    /* Head office (sync.h), looked at every few seconds on the loop
     * thread: 1 online, 0 offline (the header shows a discreet
     * indicator), -1 no sync. NULL = no sync. */
    int (*central_state)(void *user);
    /* Head office's self-help content (sync_content_generation()): when it
     * changes the kiosk reloads the FAQ and triage, the pushed copy first
     * (faq_content_load_current), once no FAQ screen is showing. NULL = none. */
    uint64_t (*content_gen)(void *user);
    void *hook_user;
    /* FAQ/triage (issue 8): the directory holding faq.json and triage.json;
     * NULL = $HK_FAQ_DIR, else the shipped assets/faq */
    const char *faq_dir;
    /* Voice guidance (issue 8.6): where the customer's toggle sends the
     * words (audio_open()'s kind and target: "sdl" "" on a device, "wav" and
     * a file headless); NULL kind = not offered (no toggle). The clips come
     * from voice_dir (NULL = voice_pack_default_dir(), the board's pack). */
    const char *voice_audio_kind;
    const char *voice_audio_target;
    const char *voice_dir;
} kiosk_opts_t;

typedef struct kiosk kiosk_t;

/** Create the loop and the screens; the store opens after the first frame. */
hk_err_t kiosk_create(const kiosk_opts_t *o, kiosk_t **out, hk_diag_t *diag);
void kiosk_destroy(kiosk_t *k); /* NULL ok; waits for the printer */

/**
 * Run until the window closes, or the script ends (script != NULL).
 * @return 0; 1 when a script step failed; 2 when the store cannot open.
 */
int kiosk_run(kiosk_t *k, const script_t *script);

#endif
