/*
 * golden: the pixel-exact comparison every golden screenshot test shares
 * (tests/ui, tests/ui_counter, tests/ui_board): the environment line the
 * goldens are valid for, loading PNGs as RGB, and one comparison that
 * writes the actual image and a diff next to each other on a mismatch.
 */
#include "golden.h"

#include <stdio.h>
#include <string.h>

#include <dirent.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "display.h"
#include "paths.h"

static unsigned long long fnv_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned long long h = 14695981039346656037ull;
    int c;

    if(!f)
        return 0;
    while((c = fgetc(f)) != EOF)
        h = (h ^ (unsigned long long)(unsigned char)c) * 1099511628211ull;
    fclose(f);
    return h;
}

void golden_env_line(char *buf, size_t size)
{
    font_set_t *fonts = NULL;
    hk_diag_t diag;
    SDL_version v;
    const SDL_version *t = TTF_Linked_Version();
    const char *path = "";
    unsigned long long h = 0;
    const char *base;

    if(font_set_open(NULL, &fonts, &diag) == HK_OK) {
        path = font_set_path(fonts);
        h = fnv_file(path);
    }
    base = strrchr(path, '/');
    SDL_GetVersion(&v);
    snprintf(buf, size, "font %016llx %s\nsdl %d.%d.%d\nttf %d.%d.%d\n", h, base ? base + 1 : path,
             v.major, v.minor, v.patch, t->major, t->minor, t->patch);
    font_set_destroy(fonts);
}

int golden_read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if(!f)
        return -1;
    n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    return (int)n;
}

int golden_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    if(!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

SDL_Surface *golden_load_rgb(const char *path)
{
    SDL_Surface *s = IMG_Load(path), *rgb;

    if(!s)
        return NULL;
    rgb = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGB24, 0);
    SDL_FreeSurface(s);
    return rgb;
}

int golden_copy_file(const char *from, const char *to)
{
    char buf[65536];
    FILE *in = fopen(from, "rb"), *out;
    size_t n;

    if(!in)
        return -1;
    out = fopen(to, "wb");
    if(!out) {
        fclose(in);
        return -1;
    }
    while((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    return fclose(out);
}

int golden_compare(const char *case_name, const char *name, const char *actual, const char *golden,
                   const char *fail_dir)
{
    SDL_Surface *a = golden_load_rgb(actual), *g = golden_load_rgb(golden), *diff = NULL;
    int x, y, first = 1, ndiff = 0, rc = 0;
    char path[1600];
    char stem[256];

    snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(name) - 4), name);
    if(!a || !g) {
        fprintf(stderr, "  %s/%s: cannot load %s\n", case_name, name, !a ? actual : golden);
        rc = 1;
        goto out;
    }
    if(a->w != g->w || a->h != g->h) {
        fprintf(stderr, "  %s/%s: size %dx%d, golden %dx%d\n", case_name, name, a->w, a->h, g->w,
                g->h);
        rc = 1;
    } else {
        diff = SDL_CreateRGBSurfaceWithFormat(0, a->w, a->h, 24, SDL_PIXELFORMAT_RGB24);
        for(y = 0; y < a->h; y++) {
            const uint8_t *pa = (const uint8_t *)a->pixels + y * a->pitch;
            const uint8_t *pg = (const uint8_t *)g->pixels + y * g->pitch;
            uint8_t *pd = diff ? (uint8_t *)diff->pixels + y * diff->pitch : NULL;
            for(x = 0; x < a->w; x++) {
                int same = !memcmp(pa + 3 * x, pg + 3 * x, 3);
                if(!same) {
                    if(first)
                        fprintf(stderr,
                                "  %s/%s: first difference at (%d,%d): actual #%02x%02x%02x "
                                "golden #%02x%02x%02x\n",
                                case_name, name, x, y, pa[3 * x], pa[3 * x + 1], pa[3 * x + 2],
                                pg[3 * x], pg[3 * x + 1], pg[3 * x + 2]);
                    first = 0;
                    ndiff++;
                }
                if(pd) {
                    uint8_t lum =
                        (uint8_t)(200 + (pg[3 * x] + pg[3 * x + 1] + pg[3 * x + 2]) / 3 / 5);
                    pd[3 * x] = same ? lum : 255;
                    pd[3 * x + 1] = same ? lum : 0;
                    pd[3 * x + 2] = same ? lum : 0;
                }
            }
        }
        rc = ndiff != 0;
        if(rc)
            fprintf(stderr, "  %s/%s: %d pixels differ\n", case_name, name, ndiff);
    }
    if(rc) {
        (void)paths_mkdir_p(fail_dir);
        snprintf(path, sizeof(path), "%s/%s_actual.png", fail_dir, stem);
        (void)golden_copy_file(actual, path);
        if(diff) {
            snprintf(path, sizeof(path), "%s/%s_diff.png", fail_dir, stem);
            IMG_SavePNG(diff, path);
        }
        fprintf(stderr, "  evidence: %s/%s_{actual,diff}.png\n", fail_dir, stem);
    }
out:
    SDL_FreeSurface(a);
    SDL_FreeSurface(g);
    SDL_FreeSurface(diff);
    return rc;
}

int golden_is_png(const char *n)
{
    size_t l = strlen(n);
    return l > 4 && !strcmp(n + l - 4, ".png");
}

/* engineer mode (issue 9.5): see golden.h */
int golden_check_dir(const char *case_name, const char *shots, const char *golden_dir,
                     const char *fail_dir, int update, int *compared)
{
    return golden_check_dir_skip(case_name, shots, golden_dir, fail_dir, update, compared, NULL,
                                 NULL);
}

int golden_check_dir_skip(const char *case_name, const char *shots, const char *golden_dir,
                          const char *fail_dir, int update, int *compared,
                          int (*skip)(const char *name, void *ctx), void *ctx)
{
    char a[1400], g[1400];
    DIR *d;
    struct dirent *e;
    int failures = 0, n = 0;

    if(update) {
        (void)paths_mkdir_p(golden_dir);
        d = opendir(golden_dir);
        while(d && (e = readdir(d)) != NULL)
            if(golden_is_png(e->d_name)) {
                snprintf(g, sizeof(g), "%s/%s", golden_dir, e->d_name);
                (void)unlink(g);
            }
        if(d)
            closedir(d);
    }
    d = opendir(shots);
    if(!d) {
        fprintf(stderr, "  %s: no screenshots in %s\n", case_name, shots);
        return 1;
    }
    while((e = readdir(d)) != NULL) {
        if(!golden_is_png(e->d_name) || (skip && skip(e->d_name, ctx)))
            continue;
        snprintf(a, sizeof(a), "%s/%s", shots, e->d_name);
        snprintf(g, sizeof(g), "%s/%s", golden_dir, e->d_name);
        n++;
        if(update) {
            failures += golden_copy_file(a, g) != 0;
        } else if(access(g, R_OK) != 0) {
            fprintf(stderr, "  %s/%s: no golden (HK_UPDATE_GOLDENS=1 makes it)\n", case_name,
                    e->d_name);
            failures++;
        } else {
            failures += golden_compare(case_name, e->d_name, a, g, fail_dir);
        }
    }
    closedir(d);
    d = update ? NULL : opendir(golden_dir);
    while(d && (e = readdir(d)) != NULL) {
        if(!golden_is_png(e->d_name) || (skip && skip(e->d_name, ctx)))
            continue;
        snprintf(a, sizeof(a), "%s/%s", shots, e->d_name);
        if(access(a, R_OK) != 0) {
            fprintf(stderr, "  %s/%s: golden exists but the journey no longer produces it\n",
                    case_name, e->d_name);
            failures++;
        }
    }
    if(d)
        closedir(d);
    if(compared)
        *compared = n;
    return failures;
}

int golden_run(const char *const *argv, const char *const *env, const char *log_path, int append)
{
    pid_t pid = fork();
    int status;

    if(pid == 0) {
        FILE *e = freopen(log_path, append ? "a" : "w", stderr);
        (void)e;
        for(int i = 0; env && env[i]; i++) {
            char *kv = strdup(env[i]);
            if(kv)
                (void)putenv(kv); /* the child's copy: it execs at once */
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if(pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int golden_env_ok(void)
{
    char here[512], recorded[512], env_path[1024];

    golden_env_line(here, sizeof(here));
    snprintf(env_path, sizeof(env_path), "%s/tests/ui/golden/ENV", HK_SOURCE_DIR);
    if(golden_read_file(env_path, recorded, sizeof(recorded)) < 0 || strcmp(recorded, here)) {
        printf("SKIP: goldens were made with\n%sthis machine has\n%s", recorded, here);
        return 0;
    }
    return 1;
}
