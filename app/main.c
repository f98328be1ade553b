/*
 * main: picks the role and wires the modules together; no logic of its own
 * beyond reading the command line. Only the kiosk role exists so far; the
 * other roles are refused with a clear message.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "display.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"
#include "script.h"
#include "ui_app.h"

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
    const char *size;
    const char *rotate;
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
        } else if(!strcmp(s, "--size")) {
            dst = &a->size;
        } else if(!strcmp(s, "--rotate")) {
            dst = &a->rotate;
        } else {
            fprintf(stderr, "hallkiosk: unknown option %s\n", s);
            usage(stderr);
            return 2;
        }
        if(dst) {
            if(i + 1 >= argc) {
                fprintf(stderr, "hallkiosk: %s needs a value\n", s);
                return 2;
            }
            *dst = argv[++i];
        }
    }
    if(a->orientation && strcmp(a->orientation, "portrait") &&
       strcmp(a->orientation, "landscape")) {
        fprintf(stderr, "hallkiosk: --orientation: expected portrait or landscape\n");
        return 2;
    }
    if(a->rotate && strcmp(a->rotate, "0") && strcmp(a->rotate, "90") && strcmp(a->rotate, "180") &&
       strcmp(a->rotate, "270")) {
        fprintf(stderr, "hallkiosk: --rotate: expected 0, 90, 180 or 270\n");
        return 2;
    }
    if(a->size && (sscanf(a->size, "%dx%d", &a->w, &a->h) != 2 || a->w < 240 || a->h < 240 ||
                   a->w > 7680 || a->h > 7680)) {
        fprintf(stderr, "hallkiosk: --size: expected WxH, 240..7680 each\n");
        return 2;
    }
    return 0;
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
    ui_app_t *app = NULL;
    display_cfg_t dcfg;
    ui_app_opts_t opts;
    char data_dir[CONFIG_PATH_LEN * 2], shots[CONFIG_PATH_LEN * 2 + 16];
    int64_t start_ms;
    int rc = parse_args(argc, argv, &a);
    hk_err_t err;

    if(rc)
        return rc;
    if(hk_clock_system_create(&clock) != HK_OK)
        return 1;
    start_ms = hk_clock_mono_ms(clock);
    hk_diag_clear(&diag);
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
        fprintf(stderr, "hallkiosk: config %s refused: %s\n", a.config ? a.config : "(bundled)",
                diag.msg);
        rc = 1;
        goto out;
    }
    if(cfg.role != CONFIG_ROLE_KIOSK) {
        fprintf(stderr, "hallkiosk: role in config is not \"kiosk\"; only the kiosk role is "
                        "built so far\n");
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
    if(a.data_dir)
        snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", a.data_dir);
    err = paths_data_dir(&cfg, data_dir, sizeof(data_dir), &diag);
    if(err != HK_OK) {
        fprintf(stderr, "hallkiosk: %s\n", diag.msg);
        rc = 1;
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
        fprintf(stderr, "hallkiosk: %s\n", diag.msg);
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
        err = script_load_file(a.script, &script, &diag);
    } else if(display_is_headless(display)) {
        /* nobody can see us: walk the journey once and say where it went */
        err = script_parse((const char *)hk_journey_script, hk_journey_script_len, &script, &diag);
        if(!a.screenshot_dir) {
            snprintf(shots, sizeof(shots), "%s/journey", data_dir);
            (void)paths_mkdir_p(shots); /* checked by the first screenshot */
            a.screenshot_dir = shots;
        }
        fprintf(stderr, "hallkiosk: no display; running the take-a-number journey headless\n");
    } else {
        err = HK_OK;
    }
    if(err != HK_OK) {
        fprintf(stderr, "hallkiosk: %s\n", diag.msg);
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
        fprintf(stderr, "hallkiosk: cannot create %s\n", a.screenshot_dir);
        rc = 1;
        goto out;
    }

    memset(&opts, 0, sizeof(opts));
    opts.cfg = &cfg;
    opts.display = display;
    opts.fonts = fonts;
    opts.clock = clock;
    opts.data_dir = data_dir;
    opts.screenshot_dir = a.screenshot_dir;
    opts.script = script;
    opts.start_mono_ms = hk_clock_is_stepped(clock) ? 0 : start_ms;
    if(ui_app_create(&opts, &app, &diag) != HK_OK) {
        fprintf(stderr, "hallkiosk: %s\n", diag.msg);
        rc = 1;
        goto out;
    }
    rc = ui_app_run(app);
    if(rc == 0 && a.screenshot_dir)
        printf("hallkiosk: screenshots and ticket images are in %s\n", a.screenshot_dir);
    printf("hallkiosk: data (database, printer output) is in %s\n", data_dir);
out:
    ui_app_destroy(app);
    script_destroy(script);
    display_destroy(display);
    font_set_destroy(fonts);
    hk_clock_destroy(clock);
    if(hk_mem_live() != 0) {
        /* every module frees what it allocates; a count left over is a leak */
        fprintf(stderr, "hallkiosk: %ld allocations not freed at exit\n", hk_mem_live());
        if(rc == 0)
            rc = 3;
    }
    return rc;
}
