/*
 * Full screen fills the display: the real hallkiosk, full screen, on a
 * private X server with no window manager (how a kiosk's bare X runs) whose
 * screen is 1366x768 while the config's layout is 1080x1920. The frame the
 * app drew must be the monitor's size, and the X server's own framebuffer
 * (Xvfb -fbdir writes it as an XWD file) must show exactly that frame, from
 * the top-left pixel to the bottom-right one: no black bars, nothing cut off
 * or shifted. Skips (77) when Xvfb is not installed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "hk_mem.h"
#include "hk_test.h"

#define SCREEN_W 1366
#define SCREEN_H 768

static void stop_xvfb(void);

static pid_t xvfb_pid;
static int xvfb_num;
static int xvfb_fd = -1; /* read end of -displayfd, open while Xvfb runs */
static char fb_dir[1024];

static const char *xvfb_path(void)
{
    static const char *const paths[] = { "/usr/bin/Xvfb", "/usr/local/bin/Xvfb" };
    size_t i;

    for(i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if(access(paths[i], X_OK) == 0)
            return paths[i];
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Start Xvfb on a free display number; true once it accepts clients.
 * Xvfb writes its number to -displayfd when ready; a number taken meanwhile
 * by someone else's server makes it exit (EOF on the pipe): try the next. */
static int start_xvfb(const char *bin)
{
    char screen[32];
    int tries;

    snprintf(fb_dir, sizeof(fb_dir), "%s/fb", hk_test_tmpdir());
    if(mkdir(fb_dir, 0755) != 0 && errno != EEXIST)
        return 0;
    snprintf(screen, sizeof(screen), "%dx%dx24", SCREEN_W, SCREEN_H);
    for(tries = 0, xvfb_num = 90 + getpid() % 100; tries < 20; tries++, xvfb_num++) {
        char lock[64], sock[64], num[16], fdarg[16], buf[16];
        struct pollfd pfd;
        ssize_t got = 0;
        int fds[2];

        snprintf(lock, sizeof(lock), "/tmp/.X%d-lock", xvfb_num);
        snprintf(sock, sizeof(sock), "/tmp/.X11-unix/X%d", xvfb_num);
        if(access(lock, F_OK) == 0 || access(sock, F_OK) == 0)
            continue; /* someone else's display */
        if(pipe(fds) != 0)
            return 0;
        snprintf(num, sizeof(num), ":%d", xvfb_num);
        snprintf(fdarg, sizeof(fdarg), "%d", fds[1]);
        xvfb_pid = fork();
        if(xvfb_pid == 0) {
            close(fds[0]);
            /* no window manager: nobody will move or resize our window */
            execl(bin, bin, num, "-screen", "0", screen, "-fbdir", fb_dir, "-nolisten", "tcp",
                  "-noreset", "-displayfd", fdarg, (char *)NULL);
            _exit(127);
        }
        close(fds[1]);
        if(xvfb_pid < 0) {
            close(fds[0]);
            xvfb_pid = 0;
            return 0;
        }
        pfd.fd = fds[0];
        pfd.events = POLLIN;
        if(poll(&pfd, 1, 10000) > 0)
            got = read(fds[0], buf, sizeof(buf) - 1);
        /* keep the pipe open: Xvfb may write the number in two pieces, and
         * a write to a closed pipe is fatal to it */
        xvfb_fd = fds[0];
        if(got > 0)
            return 1;
        stop_xvfb();
    }
    return 0;
}

static void stop_xvfb(void)
{
    if(xvfb_pid > 0) {
        kill(xvfb_pid, SIGTERM);
        waitpid(xvfb_pid, NULL, 0);
        xvfb_pid = 0;
    }
    if(xvfb_fd >= 0) {
        close(xvfb_fd);
        xvfb_fd = -1;
    }
}

void setUp(void)
{
}

void tearDown(void)
{
    stop_xvfb(); /* also after a failed assertion */
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int shift_of(uint32_t mask)
{
    int s = 0;

    while(mask && !(mask & 1)) {
        mask >>= 1;
        s++;
    }
    return s;
}

/* The X server's screen as 0xRRGGBB pixels (hk_malloc'd, w*h), read from
 * the XWD file Xvfb keeps for screen 0. NULL when it cannot be read. */
static uint32_t *read_screen(int *w, int *h)
{
    char path[1100];
    FILE *f;
    uint8_t hdr[100];
    uint32_t hsize, fmt, width, height, order, bpp, bpl, rmask, gmask, bmask, ncolors;
    uint32_t *px = NULL;
    uint8_t *row = NULL;
    uint32_t x, y;

    snprintf(path, sizeof(path), "%s/Xvfb_screen0", fb_dir);
    f = fopen(path, "rb");
    if(!f)
        return NULL;
    if(fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
        goto out;
    hsize = be32(hdr);
    fmt = be32(hdr + 8);
    width = be32(hdr + 16);
    height = be32(hdr + 20);
    order = be32(hdr + 28);
    bpp = be32(hdr + 44);
    bpl = be32(hdr + 48);
    rmask = be32(hdr + 56);
    gmask = be32(hdr + 60);
    bmask = be32(hdr + 64);
    ncolors = be32(hdr + 76);
    if(fmt != 2 /* ZPixmap */ || bpp != 32 || width > 8192 || height > 8192 || bpl < width * 4)
        goto out;
    if(fseek(f, (long)hsize + (long)ncolors * 12, SEEK_SET) != 0)
        goto out;
    px = hk_malloc((size_t)width * height * sizeof(*px));
    row = hk_malloc(bpl);
    if(!px || !row)
        goto fail;
    for(y = 0; y < height; y++) {
        if(fread(row, 1, bpl, f) != bpl)
            goto fail;
        for(x = 0; x < width; x++) {
            const uint8_t *p = row + 4 * x;
            uint32_t v = order == 0 /* LSBFirst */
                             ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                                   ((uint32_t)p[3] << 24)
                             : be32(p);
            uint32_t r = (v & rmask) >> shift_of(rmask), g = (v & gmask) >> shift_of(gmask),
                     b = (v & bmask) >> shift_of(bmask);
            px[y * width + x] = (r << 16) | (g << 8) | b;
        }
    }
    *w = (int)width;
    *h = (int)height;
    goto out;
fail:
    hk_free(px);
    px = NULL;
out:
    hk_free(row);
    fclose(f);
    return px;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    HK_ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
}

static void test_fullscreen_fills_a_monitor_of_another_size(void)
{
    char script[1024], shots[1024], data[1024], png[1100], bin[1024], config[1024], disp[32];
    uint32_t *screen = NULL;
    SDL_Surface *frame = NULL, *rgb = NULL;
    int sw = 0, sh = 0, x, y, tries, status = 0, mismatches = 0, black_edge = 0;
    pid_t kiosk;

    HK_ASSERT_MSG(start_xvfb(xvfb_path()), "Xvfb did not start");
    snprintf(script, sizeof(script), "%s/fullscreen.txt", hk_test_tmpdir());
    snprintf(shots, sizeof(shots), "%s/shots", hk_test_tmpdir());
    snprintf(data, sizeof(data), "%s/data", hk_test_tmpdir());
    snprintf(png, sizeof(png), "%s/full.png", shots);
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(config, sizeof(config), "%s/tests/ui/fixtures/branch.json", HK_SOURCE_DIR);
    snprintf(disp, sizeof(disp), ":%d", xvfb_num);
    /* the app's screenshot is written after the frame is presented; the
     * test reads the X screen while the app waits, then it quits */
    write_text(script, "wait 300\nscreenshot full\nwait 4000\nquit\n");
    kiosk = fork();
    if(kiosk == 0) {
        setenv("DISPLAY", disp, 1);
        unsetenv("SDL_VIDEODRIVER"); /* CTest's offscreen default: use x11 */
        unsetenv("WAYLAND_DISPLAY");
        setenv("HK_DATA_DIR", data, 1);
        execl(bin, bin, "--fullscreen", "--config", config, "--script", script, "--screenshot-dir",
              shots, (char *)NULL);
        _exit(127);
    }
    HK_ASSERT(kiosk > 0);
    for(tries = 0; tries < 2000 && access(png, R_OK) != 0; tries++) {
        if(waitpid(kiosk, &status, WNOHANG) == kiosk)
            break;
        sleep_ms(10);
    }
    sleep_ms(100); /* the PNG is complete once it is there and closed */
    screen = read_screen(&sw, &sh);
    if(waitpid(kiosk, &status, WNOHANG) == 0) {
        kill(kiosk, SIGTERM);
        waitpid(kiosk, &status, 0);
    }
    HK_ASSERT_MSG(access(png, R_OK) == 0,
                  "hallkiosk wrote no screenshot (exit status %d) on Xvfb :%d (%s)", status,
                  xvfb_num, waitpid(xvfb_pid, NULL, WNOHANG) == 0 ? "running" : "gone");
    HK_ASSERT_MSG(screen != NULL, "cannot read Xvfb's framebuffer in %s", fb_dir);
    HK_ASSERT_INT(SCREEN_W, sw);
    HK_ASSERT_INT(SCREEN_H, sh);

    frame = IMG_Load(png);
    HK_ASSERT(frame != NULL);
    rgb = SDL_ConvertSurfaceFormat(frame, SDL_PIXELFORMAT_RGB24, 0);
    HK_ASSERT(rgb != NULL);
    /* the UI drew at the monitor's size, not the config's 1080x1920 */
    HK_ASSERT_INT(SCREEN_W, rgb->w);
    HK_ASSERT_INT(SCREEN_H, rgb->h);
    /* and the monitor shows that frame exactly, edge to edge */
    for(y = 0; y < sh; y++)
        for(x = 0; x < sw; x++) {
            const uint8_t *p = (const uint8_t *)rgb->pixels + y * rgb->pitch + 3 * x;
            uint32_t want = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
            uint32_t got = screen[y * sw + x];
            if(got != want && mismatches++ == 0)
                fprintf(stderr, "  first difference at (%d,%d): screen #%06x frame #%06x\n", x, y,
                        (unsigned)got, (unsigned)want);
            if((x == 0 || y == 0 || x == sw - 1 || y == sh - 1) && got == 0)
                black_edge++;
        }
    HK_ASSERT_MSG(black_edge == 0, "%d black pixels on the screen's edges (bars)", black_edge);
    HK_ASSERT_MSG(mismatches == 0, "%d screen pixels differ from the app's frame", mismatches);
    /* the attract screen is brand blue to the corners */
    HK_ASSERT_INT(0x0B5CAD, screen[0]);
    HK_ASSERT_INT(0x0B5CAD, screen[(sh - 1) * sw]);
    SDL_FreeSurface(frame);
    SDL_FreeSurface(rgb);
    hk_free(screen);
}

int main(void)
{
    const char *bin = xvfb_path();

    if(!bin) {
        printf("SKIP: Xvfb is not installed (Debian: xvfb)\n");
        return 77;
    }
    HK_RUN(test_fullscreen_fills_a_monitor_of_another_size);
    return hk_test_end();
}
