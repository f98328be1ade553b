/*
 * main: picks the role and wires the modules together; no logic of its own
 * beyond reading the command line. Roles: kiosk (the customer terminal,
 * app/ui/kiosk.c; by default it hosts the branch in-process and serves the
 * LAN API from a hub thread, else it is a client of the hub), counter
 * (app/ui/counter.c), display (the hall board, app/ui/board.c) and hub
 * (screenless, app/net/hub.c). Counter and display reach the hub over the
 * LAN API (app/net/branch_lan.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "config_live.h"
#include "display.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"
#include "provision.h"
#include "script.h"
#include "hk_log.h"
#include "hub.h"
#include "i18n.h"
#include "board.h"
#include "branch_lan.h"
#include "counter.h"
#include "kiosk.h"
#include "lockdown.h"

#ifndef HK_VERSION
#define HK_VERSION "0.0.0"
#endif

extern const unsigned char hk_sample_config[];
extern const size_t hk_sample_config_len;
extern const unsigned char hk_journey_script[];
extern const size_t hk_journey_script_len;

typedef struct args {
    const char *config;
    const char *script;
    const char *screenshot_dir;
    const char *data_dir;
    const char *orientation;
    const char *check;
    const char *role;
    const char *size;
    const char *rotate;
    const char *listen;
    const char *hub;
    const char *device;
    const char *counter;
    int headless, fullscreen, window, no_voice, lockdown;
    int w, h; /* --size */
} args_t;

static void usage(FILE *f)
{
    fputs("usage: hallkiosk [options]\n"
          "  --config FILE          branch config (default: the bundled sample branch)\n"
          "  --check-config FILE    validate a config, print the first error, exit\n"
          "  --headless             draw offscreen (SDL offscreen driver), no window\n"
          "  --fullscreen           fullscreen (KMSDRM on a device without X)\n"
          "  --window               a desktop window even if the config says fullscreen\n"
          "  --kiosk-lockdown       as a service on a device (the systemd units pass it): no\n"
          "                         key, window close or terminal signal ends the program\n"
          "                         (SIGTERM does), VT switching locked (platform/lockdown)\n"
          "  --script FILE          drive the UI from a script (see docs/architecture.md)\n"
          "  --screenshot-dir DIR   where script screenshots and ticket images go\n"
          "  --data-dir DIR         override the data directory\n"
          "  --orientation portrait|landscape\n"
          "  --role kiosk|counter|display|hub   override the config's role\n"
          "  --hub URL              the hub to use (default: the config's hub.url); on a kiosk\n"
          "                         it means this kiosk does not host the hub itself\n"
          "  --device ID            this device's id from the config's devices[] (its token\n"
          "                         and, on a kiosk, its offline number block)\n"
          "  --counter ID           counter role: which counter (default: device.counter)\n"
          "  --no-voice             display role: no announcements; kiosk: no voice guidance\n"
          "  --listen HOST:PORT     hub, or a kiosk hosting it: serve the LAN API there\n"
          "                         (default: the config's hub.listen; off loopback it needs\n"
          "                         hub.tls_cert and hub.tls_key; port 0 = any free port)\n"
          "  --size WxH             window/headless size in pixels (full screen: the monitor's)\n"
          "  --rotate 0|90|180|270  turn the picture clockwise for a panel mounted on its side\n"
          "                         that neither X nor KMS rotates (the UI lays out turned)\n"
          "  --version, --help\n"
          "With no display and no script, runs the take-a-number journey once headless.\n",
          f);
}

static int parse_args(int argc, char **argv, args_t *a)
{
    int i;

    memset(a, 0, sizeof(*a));
    for(i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **dst = NULL;
        if(!strcmp(s, "--help")) {
            usage(stdout);
            exit(0);
        } else if(!strcmp(s, "--version")) {
            printf("hallkiosk %s\n", HK_VERSION);
            exit(0);
        } else if(!strcmp(s, "--headless")) {
            a->headless = 1;
        } else if(!strcmp(s, "--fullscreen")) {
            a->fullscreen = 1;
        } else if(!strcmp(s, "--window")) {
            a->window = 1;
        } else if(!strcmp(s, "--kiosk-lockdown")) {
            a->lockdown = 1;
        } else if(!strcmp(s, "--no-voice")) {
            a->no_voice = 1;
        } else if(!strcmp(s, "--hub")) {
            dst = &a->hub;
        } else if(!strcmp(s, "--device")) {
            dst = &a->device;
        } else if(!strcmp(s, "--counter")) {
            dst = &a->counter;
        } else if(!strcmp(s, "--config")) {
            dst = &a->config;
        } else if(!strcmp(s, "--check-config")) {
            dst = &a->check;
        } else if(!strcmp(s, "--script")) {
            dst = &a->script;
        } else if(!strcmp(s, "--screenshot-dir")) {
            dst = &a->screenshot_dir;
        } else if(!strcmp(s, "--data-dir")) {
            dst = &a->data_dir;
        } else if(!strcmp(s, "--orientation")) {
            dst = &a->orientation;
        } else if(!strcmp(s, "--role")) {
            dst = &a->role;
        } else if(!strcmp(s, "--size")) {
            dst = &a->size;
        } else if(!strcmp(s, "--rotate")) {
            dst = &a->rotate;
        } else if(!strcmp(s, "--listen")) {
            dst = &a->listen;
        } else {
            hk_log_error("main", "unknown option %s", s);
            usage(stderr);
            return 2;
        }
        if(dst) {
            if(i + 1 >= argc) {
                hk_log_error("main", "%s needs a value", s);
                return 2;
            }
            *dst = argv[++i];
        }
    }
    if(a->orientation && strcmp(a->orientation, "portrait") &&
       strcmp(a->orientation, "landscape")) {
        hk_log_error("main", "--orientation: expected portrait or landscape");
        return 2;
    }
    if(a->role && strcmp(a->role, "kiosk") && strcmp(a->role, "hub") &&
       strcmp(a->role, "counter") && strcmp(a->role, "display")) {
        hk_log_error("main", "--role: expected kiosk, counter, display or hub");
        return 2;
    }
    if(a->rotate && strcmp(a->rotate, "0") && strcmp(a->rotate, "90") && strcmp(a->rotate, "180") &&
       strcmp(a->rotate, "270")) {
        fprintf(stderr, "hallkiosk: --rotate: expected 0, 90, 180 or 270\n");
        return 2;
    }
    if(a->size && (sscanf(a->size, "%dx%d", &a->w, &a->h) != 2 || a->w < 240 || a->h < 240 ||
                   a->w > 7680 || a->h > 7680)) {
        hk_log_error("main", "--size: expected WxH, 240..7680 each");
        return 2;
    }
    return 0;
}

static int run_hub(const config_t *cfg, hk_clock_t *clock, const char *data_dir, const char *listen)
{
    hub_opts_t ho;
    hub_t *hub = NULL;
    hk_diag_t diag;
    int rc;

    /* before any thread exists, so every thread inherits the mask */
    hub_block_signals();
    memset(&ho, 0, sizeof(ho));
    ho.cfg = cfg;
    ho.clock = clock;
    ho.data_dir = data_dir;
    ho.listen = listen;
    hk_diag_clear(&diag);
    if(hub_create(&ho, &hub, &diag) != HK_OK) {
        hk_log_error("main", "%s", diag.msg);
        return 1;
    }
    rc = hub_run(hub);
    hub_destroy(hub);
    return rc;
}

/* ---- a kiosk hosting the hub ------------------------------------------------ */

static hk_clock_t *hub_clock; /* the hosted hub's own (the kiosk's may be stepped) */

typedef struct hosted {
    const config_t *cfg;
    config_live_t *live; /* pushed configuration from head office goes here */
    const char *data_dir;
    const char *listen; /* --listen, or NULL for hub.listen */
    hub_t *hub;         /* once started */
} hosted_t;

static hub_t *start_hosted_hub(const config_t *cfg, config_live_t *live, const char *data_dir,
                               const char *listen);

static void hosted_start(void *user)
{
    hosted_t *h = user;

    h->hub = start_hosted_hub(h->cfg, h->live, h->data_dir, h->listen);
}

/* The header's offline indicator: the hosted hub's sync with head office. */
static int central_state(void *user)
{
    hosted_t *h = user;
    sync_t *s = h->hub ? hub_sync(h->hub) : NULL;

    return s ? (sync_offline(s) ? 0 : 1) : -1;
}

/* The FAQ content head office pushed: its generation, for the kiosk to reload. */
static uint64_t content_gen(void *user)
{
    hosted_t *h = user;

    return sync_content_generation(h->hub ? hub_sync(h->hub) : NULL);
}

static void poke_hub(void *user, int64_t seq)
{
    hosted_t *h = user;

    if(h->hub)
        hub_poke(h->hub, seq);
}

/* The hub on a thread of this kiosk, serving the LAN API. A failure (the
 * port taken, a TLS file missing) is logged and the kiosk runs on: its
 * customers are served either way, the other devices are not. */
static hub_t *start_hosted_hub(const config_t *cfg, config_live_t *live, const char *data_dir,
                               const char *listen)
{
    hub_opts_t ho;
    hub_t *hub = NULL;
    hk_diag_t diag;

    if(hk_clock_system_create(&hub_clock) != HK_OK)
        return NULL;
    memset(&ho, 0, sizeof(ho));
    ho.cfg = cfg;
    ho.clock = hub_clock;
    ho.data_dir = data_dir;
    ho.listen = listen;
    ho.live = live;
    hk_diag_clear(&diag);
    if(hub_create(&ho, &hub, &diag) != HK_OK || hub_start_thread(hub) != HK_OK) {
        hk_log_error("main",
                     "the branch's LAN API is not served (%s): this kiosk works, counters and "
                     "displays cannot reach it",
                     diag.msg[0] ? diag.msg : "cannot start the hub thread");
        hub_destroy(hub);
        hk_clock_destroy(hub_clock);
        hub_clock = NULL;
        return NULL;
    }
    return hub;
}

/* ---- display role: the hall board ----------------------------------------- */

typedef struct lan_target {
    const config_t *cfg;
    const char *hub_url;  /* NULL = the config's */
    config_live_t *live;  /* follows the hub's branch document */
    const char *data_dir; /* where its last good one is kept */
} lan_target_t;

static hk_err_t open_lan_branch(void *user, mailbox_t *mb, branch_t *out, hk_diag_t *diag)
{
    const lan_target_t *t = user;
    hk_err_t rc = branch_lan_create(t->cfg, t->hub_url, NULL, mb, out);

    if(rc == HK_OK)
        (void)branch_lan_follow_config(out, t->live, t->data_dir); /* a refusal is logged */
    if(rc != HK_OK)
        hk_diag_set(diag, "cannot use the hub %s: %s", t->hub_url ? t->hub_url : t->cfg->hub.url,
                    hk_err_str(rc));
    return rc;
}

static int run_board(const args_t *a, config_live_t *live, display_t *display, font_set_t *fonts,
                     hk_clock_t *clock, const char *data_dir, const char *script_dir,
                     int64_t start_ms, const script_t *script)
{
    const config_t *cfg = config_live_acquire(live, NULL);
    char wav[CONFIG_PATH_LEN * 2 + 32];
    lan_target_t target = { cfg, a->hub, live, data_dir };
    board_opts_t bo;
    board_t *board = NULL;
    hk_diag_t diag;
    int rc;

    memset(&bo, 0, sizeof(bo));
    bo.live = live;
    bo.display = display;
    bo.fonts = fonts;
    bo.clock = clock;
    bo.data_dir = data_dir;
    bo.screenshot_dir = a->screenshot_dir;
    bo.script_dir = script_dir[0] ? script_dir : NULL;
    bo.start_mono_ms = hk_clock_is_stepped(clock) ? 0 : start_ms;
    bo.open_branch = open_lan_branch;
    bo.branch_user = &target;
    if(!a->no_voice && display_is_headless(display)) {
        /* nobody hears a headless board: the voice goes to a file */
        snprintf(wav, sizeof(wav), "%s/board-voice.wav", data_dir);
        bo.audio_kind = "wav";
        bo.audio_target = wav;
    } else if(!a->no_voice) {
        bo.audio_kind = "sdl";
        bo.audio_target = "";
    }
    hk_diag_clear(&diag);
    if(board_create(&bo, &board, &diag) == HK_ERR_HW && bo.audio_kind) {
        hk_log_warn("main", "no loudspeaker (%s): the board runs without announcements", diag.msg);
        bo.audio_kind = NULL;
        hk_diag_clear(&diag);
        (void)board_create(&bo, &board, &diag);
    }
    if(!board) {
        hk_log_error("main", "%s", diag.msg);
        config_live_release(live, cfg);
        return 1;
    }
    rc = board_run(board, script);
    board_destroy(board); /* before the display: the voice's audio closes first */
    config_live_release(live, cfg);
    return rc;
}

/* ---- counter role ----------------------------------------------------------- */

static int run_counter(const args_t *a, const config_t *cfg, const display_cfg_t *dcfg,
                       config_live_t *live, display_t *display, font_set_t *fonts,
                       hk_clock_t *clock, const char *data_dir, const char *script_dir,
                       int64_t start_ms, const script_t *script)
{
    counter_opts_t co;
    counter_t *counter = NULL;
    display_t *customer = NULL;
    branch_t branch;
    hk_diag_t diag;
    int rc;

    memset(&co, 0, sizeof(co));
    memset(&branch, 0, sizeof(branch));
    hk_diag_clear(&diag);
    if(cfg->device.second_screen) {
        /* the customer's own screen: a second window, or offscreen */
        display_cfg_t c2 = *dcfg;
        c2.title = "HallKiosk counter (customer)";
        if(display_create(&c2, fonts, &customer, &diag) != HK_OK) {
            hk_log_warn("main", "no second screen (%s): the customer side follows 'finish'",
                        diag.msg);
            customer = NULL;
        }
    }
    co.live = live;
    co.script_dir = script_dir[0] ? script_dir : NULL;
    co.display = display;
    co.fonts = fonts;
    co.clock = clock;
    co.data_dir = data_dir;
    co.screenshot_dir = a->screenshot_dir;
    co.start_mono_ms = hk_clock_is_stepped(clock) ? 0 : start_ms;
    co.branch = &branch;
    co.counter_id = a->counter;
    co.customer_display = customer;
    if(counter_create(&co, &counter, &diag) != HK_OK ||
       branch_lan_create(cfg, a->hub, NULL, counter_mailbox(counter), &branch) != HK_OK) {
        hk_log_error("main", "%s", diag.msg[0] ? diag.msg : "cannot reach the hub's address");
        counter_destroy(counter);
        display_destroy(customer);
        return 1;
    }
    (void)branch_lan_follow_config(&branch, live, data_dir); /* a refusal is logged */
    rc = counter_run(counter, script);
    branch_destroy(&branch); /* its threads post to the counter's mailbox */
    counter_destroy(counter);
    display_destroy(customer);
    return rc;
}

int main(int argc, char **argv)
{
    static config_t cfg; /* large; not on the stack */
    args_t a;
    hk_diag_t diag;
    hk_clock_t *clock = NULL;
    font_set_t *fonts = NULL;
    display_t *display = NULL;
    script_t *script = NULL;
    kiosk_t *kiosk = NULL;
    config_live_t *live = NULL;
    lockdown_t *lock = NULL;
    static hosted_t hosted; /* the hub this kiosk hosts, started after the first frame */
    display_cfg_t dcfg;
    kiosk_opts_t opts;
    char data_dir[CONFIG_PATH_LEN * 2], shots[CONFIG_PATH_LEN * 2 + 16];
    char script_dir[CONFIG_PATH_LEN * 2] = "";
    char kiosk_wav[CONFIG_PATH_LEN * 2 + 32]; /* voice guidance of a headless kiosk */
    int64_t start_ms;
    bool provisioned = false;
    int rc = parse_args(argc, argv, &a);
    hk_err_t err;

    if(rc)
        return rc;
    if(hk_clock_system_create(&clock) != HK_OK)
        return 1;
    start_ms = hk_clock_mono_ms(clock);
    hk_diag_clear(&diag);
    if(i18n_init(&diag) != HK_OK) {
        /* the catalogues are built in: a refusal is a broken build, say so */
        hk_log_error("main", "string catalogue refused: %s", diag.msg);
        hk_clock_destroy(clock);
        return 1;
    }
    if(a.check) {
        err = config_load_file(a.check, &cfg, &diag);
        printf("%s: %s\n", a.check, err == HK_OK ? "ok" : diag.msg);
        hk_clock_destroy(clock);
        return err == HK_OK ? 0 : 1;
    }
    /* PROVISION: the config file, with DATA_DIR/provision.json's identity
     * over it when the device was provisioned; a bad overlay stops the
     * start (provision.h says why) */
    err = provision_config_load(a.config, (const char *)hk_sample_config, hk_sample_config_len,
                                a.data_dir, &cfg, data_dir, sizeof(data_dir), &provisioned, &diag);
    if(err != HK_OK) {
        hk_log_error("main", "config %s refused: %s", a.config ? a.config : "(bundled)", diag.msg);
        rc = 1;
        goto out;
    }
    if(provisioned)
        hk_log_info("main", "provisioned identity from %s/" PROVISION_FILE, data_dir);
    if(a.role)
        cfg.role = !strcmp(a.role, "hub")       ? CONFIG_ROLE_HUB
                   : !strcmp(a.role, "counter") ? CONFIG_ROLE_COUNTER
                   : !strcmp(a.role, "display") ? CONFIG_ROLE_DISPLAY
                                                : CONFIG_ROLE_KIOSK;
    if(a.device) {
        int d = config_device_index(&cfg, a.device);
        if(d < 0) {
            hk_log_error("main", "--device %s: not in the config's devices[]", a.device);
            rc = 2;
            goto out;
        }
        snprintf(cfg.device.id, sizeof(cfg.device.id), "%s", cfg.devices[d].id);
        snprintf(cfg.device.token, sizeof(cfg.device.token), "%s", cfg.devices[d].token);
    }
    if(a.counter && config_counter_index(&cfg, a.counter) < 0) {
        hk_log_error("main", "--counter %s: not in the config's counters[]", a.counter);
        rc = 2;
        goto out;
    }
    if(a.size) {
        /* a panel size: the orientation follows its shape */
        cfg.display.width = a.w;
        cfg.display.height = a.h;
        bool turned = a.rotate && (!strcmp(a.rotate, "90") || !strcmp(a.rotate, "270"));
        cfg.display.orientation =
            (turned ? a.h > a.w : a.w > a.h) ? CONFIG_ORIENT_LANDSCAPE : CONFIG_ORIENT_PORTRAIT;
    }
    if(a.orientation) {
        int lo = cfg.display.width < cfg.display.height ? cfg.display.width : cfg.display.height;
        int hi = cfg.display.width < cfg.display.height ? cfg.display.height : cfg.display.width;
        int land = !strcmp(a.orientation, "landscape");
        cfg.display.width = land ? hi : lo;
        cfg.display.height = land ? lo : hi;
    }
    if(a.listen && cfg.role != CONFIG_ROLE_HUB && cfg.role != CONFIG_ROLE_KIOSK) {
        hk_log_error("main", "--listen is for the hub, or a kiosk hosting it");
        rc = 2;
        goto out;
    }
    if(a.listen && a.hub) {
        hk_log_error("main", "--listen and --hub: a kiosk either hosts the hub or uses one");
        rc = 2;
        goto out;
    }
    if(a.data_dir)
        snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", a.data_dir);
    err = paths_data_dir(&cfg, data_dir, sizeof(data_dir), &diag);
    if(err != HK_OK) {
        hk_log_error("main", "%s", diag.msg);
        rc = 1;
        goto out;
    }
    if(cfg.role == CONFIG_ROLE_HUB) {
        rc = run_hub(&cfg, clock, data_dir, a.listen);
        goto out;
    }

    memset(&dcfg, 0, sizeof(dcfg));
    dcfg.mode = a.headless     ? DISPLAY_MODE_OFFSCREEN
                : a.fullscreen ? DISPLAY_MODE_FULLSCREEN
                : a.window     ? DISPLAY_MODE_WINDOW
                               : DISPLAY_MODE_AUTO;
    dcfg.width = cfg.display.width;
    dcfg.height = cfg.display.height;
    dcfg.rotation = a.rotate ? atoi(a.rotate) : 0;
    /* before the display: SDL leaves an ignored SIGINT ignored */
    if(a.lockdown && lockdown_enter(&lock) != HK_OK) {
        rc = 1;
        goto out;
    }
    dcfg.lockdown = a.lockdown != 0;
    dcfg.title = cfg.role == CONFIG_ROLE_COUNTER   ? "HallKiosk counter"
                 : cfg.role == CONFIG_ROLE_DISPLAY ? "HallKiosk hall display"
                                                   : "HallKiosk";
    if(font_set_open(NULL, &fonts, &diag) != HK_OK ||
       display_create(&dcfg, fonts, &display, &diag) != HK_OK) {
        hk_log_error("main", "%s", diag.msg);
        rc = 1;
        goto out;
    }
    if((display_gfx(display)->width > display_gfx(display)->height) !=
       (cfg.display.orientation == CONFIG_ORIENT_LANDSCAPE))
        /* the layout follows the panel; a panel mounted the other way
         * round is turned by xrandr, or by us with --rotate */
        hk_log_warn("main",
                    "display.orientation is %s but the panel is %dx%d: laid out for the panel "
                    "(a panel mounted on its side needs --rotate)",
                    cfg.display.orientation == CONFIG_ORIENT_LANDSCAPE ? "landscape" : "portrait",
                    display_gfx(display)->width, display_gfx(display)->height);
    if(a.script) {
        const char *slash = strrchr(a.script, '/');
        err = script_load_file(a.script, &script, &diag);
        if(slash)
            snprintf(script_dir, sizeof(script_dir), "%.*s", (int)(slash - a.script), a.script);
        else
            snprintf(script_dir, sizeof(script_dir), ".");
    } else if(display_is_headless(display) && cfg.role == CONFIG_ROLE_KIOSK) {
        /* nobody can see us: walk the journey once and say where it went */
        err = script_parse((const char *)hk_journey_script, hk_journey_script_len, &script, &diag);
        if(!a.screenshot_dir) {
            snprintf(shots, sizeof(shots), "%s/journey", data_dir);
            (void)paths_mkdir_p(shots); /* checked by the first screenshot */
            a.screenshot_dir = shots;
        }
        hk_log_info("main", "no display; running the take-a-number journey headless");
    } else {
        err = HK_OK;
    }
    if(err != HK_OK) {
        hk_log_error("main", "%s", diag.msg);
        rc = 1;
        goto out;
    }
    if(script && display_is_headless(display) && cfg.role == CONFIG_ROLE_KIOSK && !a.hub &&
       cfg.hub.hosted) {
        /* scripted and invisible: time is the script's, not the wall's
         * (not for a client of a hub: the network runs on the wall's) */
        int64_t now = hk_clock_wall_ms(clock);
        hk_clock_destroy(clock);
        clock = NULL;
        if(hk_clock_stepped_create(now, &clock) != HK_OK) {
            rc = 1;
            goto out;
        }
    }
    if(a.screenshot_dir && paths_mkdir_p(a.screenshot_dir) != HK_OK) {
        hk_log_error("main", "cannot create %s", a.screenshot_dir);
        rc = 1;
        goto out;
    }

    if(config_live_create(&cfg, &live) != HK_OK) {
        rc = 1;
        goto out;
    }
    if(cfg.role == CONFIG_ROLE_DISPLAY) {
        rc = run_board(&a, live, display, fonts, clock, data_dir, script_dir, start_ms, script);
        goto out;
    }
    if(cfg.role == CONFIG_ROLE_COUNTER) {
        rc = run_counter(&a, &cfg, &dcfg, live, display, fonts, clock, data_dir, script_dir,
                         start_ms, script);
        goto out;
    }
    /* a kiosk hosting the branch serves it to the other devices; a scripted
     * headless run (a test, a demo) only when --listen asks */
    memset(&opts, 0, sizeof(opts));
    opts.live = live;
    opts.hub_url = a.hub ? a.hub : cfg.hub.hosted ? NULL : "";
    /* ... and syncs with head office when central.url is set */
    if(!a.hub && cfg.hub.hosted &&
       (a.listen || cfg.central.url[0] ||
        (cfg.hub.listen[0] && !(script && display_is_headless(display))))) {
        hosted.cfg = &cfg;
        hosted.live = live;
        hosted.data_dir = data_dir;
        hosted.listen = a.listen;
        opts.on_started = hosted_start;
        opts.on_journal = poke_hub;
        opts.central_state = cfg.central.url[0] ? central_state : NULL;
        opts.content_gen = cfg.central.url[0] ? content_gen : NULL;
        opts.hook_user = &hosted;
    }
    opts.script_dir = script_dir[0] ? script_dir : NULL;
    opts.display = display;
    opts.fonts = fonts;
    opts.clock = clock;
    opts.data_dir = data_dir;
    opts.screenshot_dir = a.screenshot_dir;
    opts.start_mono_ms = hk_clock_is_stepped(clock) ? 0 : start_ms;
    /* voice guidance (issue 8.6, SELFHELP): offered unless --no-voice; a
     * headless kiosk says it into a file nobody hears but tests read */
    if(!a.no_voice && display_is_headless(display)) {
        snprintf(kiosk_wav, sizeof(kiosk_wav), "%s/kiosk-voice.wav", data_dir);
        opts.voice_audio_kind = "wav";
        opts.voice_audio_target = kiosk_wav;
    } else if(!a.no_voice) {
        opts.voice_audio_kind = "sdl";
        opts.voice_audio_target = "";
    }
    if(kiosk_create(&opts, &kiosk, &diag) != HK_OK) {
        hk_log_error("main", "%s", diag.msg);
        rc = 1;
        goto out;
    }
    rc = kiosk_run(kiosk, script);
    if(rc == 0 && a.screenshot_dir)
        printf("hallkiosk: screenshots and ticket images are in %s\n", a.screenshot_dir);
    printf("hallkiosk: data (database, printer output) is in %s\n", data_dir);
out:
    kiosk_destroy(kiosk);
    if(hosted.hub) {
        hub_destroy(hosted.hub); /* stops its thread */
        hk_clock_destroy(hub_clock);
    }
    config_live_destroy(live);
    script_destroy(script);
    display_destroy(display);
    lockdown_leave(lock); /* after the display: SDL gave the VT back */
    font_set_destroy(fonts);
    hk_clock_destroy(clock);
    if(hk_mem_live() != 0) {
        /* every module frees what it allocates; a count left over is a leak */
        hk_log_error("main", "%ld allocations not freed at exit", hk_mem_live());
        if(rc == 0)
            rc = 3;
    }
    return rc;
}
