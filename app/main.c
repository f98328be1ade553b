/*
 * main: picks the role and wires the modules together; no logic of its own
 * beyond reading the command line. Roles: kiosk (the customer terminal,
 * app/ui/kiosk.c, hosting the branch in-process) and hub (screenless,
 * app/net/hub.c). Counter and display are refused with a clear message
 * until their issue lands.
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
#include "script.h"
#include "hk_log.h"
#include "hub.h"
#include "i18n.h"
#include "kiosk.h"

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
    int headless, fullscreen, window;
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
          "  --script FILE          drive the UI from a script (see docs/architecture.md)\n"
          "  --screenshot-dir DIR   where script screenshots and ticket images go\n"
          "  --data-dir DIR         override the data directory\n"
          "  --orientation portrait|landscape\n"
          "  --role kiosk|hub       override the config's role\n"
          "  --listen HOST:PORT     hub: serve the LAN API there (loopback only for now;\n"
          "                         port 0 = any free port, logged at start)\n"
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
    display_cfg_t dcfg;
    kiosk_opts_t opts;
    char data_dir[CONFIG_PATH_LEN * 2], shots[CONFIG_PATH_LEN * 2 + 16];
    char script_dir[CONFIG_PATH_LEN * 2] = "";
    int64_t start_ms;
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
    err = a.config
              ? config_load_file(a.config, &cfg, &diag)
              : config_parse((const char *)hk_sample_config, hk_sample_config_len, &cfg, &diag);
    if(err != HK_OK) {
        hk_log_error("main", "config %s refused: %s", a.config ? a.config : "(bundled)", diag.msg);
        rc = 1;
        goto out;
    }
    if(a.role)
        cfg.role = !strcmp(a.role, "hub")       ? CONFIG_ROLE_HUB
                   : !strcmp(a.role, "counter") ? CONFIG_ROLE_COUNTER
                   : !strcmp(a.role, "display") ? CONFIG_ROLE_DISPLAY
                                                : CONFIG_ROLE_KIOSK;
    if(cfg.role == CONFIG_ROLE_COUNTER || cfg.role == CONFIG_ROLE_DISPLAY) {
        hk_log_error("main", "role %s is not built yet (kiosk and hub are)",
                     cfg.role == CONFIG_ROLE_COUNTER ? "counter" : "display");
        rc = 1;
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
    if(a.listen && cfg.role != CONFIG_ROLE_HUB) {
        hk_log_error("main", "--listen is for the hub role (--role hub)");
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
    dcfg.title = "HallKiosk";
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
    } else if(display_is_headless(display)) {
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
    if(script && display_is_headless(display)) {
        /* scripted and invisible: time is the script's, not the wall's */
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
    memset(&opts, 0, sizeof(opts));
    opts.live = live;
    opts.script_dir = script_dir[0] ? script_dir : NULL;
    opts.display = display;
    opts.fonts = fonts;
    opts.clock = clock;
    opts.data_dir = data_dir;
    opts.screenshot_dir = a.screenshot_dir;
    opts.start_mono_ms = hk_clock_is_stepped(clock) ? 0 : start_ms;
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
    config_live_destroy(live);
    script_destroy(script);
    display_destroy(display);
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
