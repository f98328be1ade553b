/*
 * golden: shared by the golden screenshot tests (see golden.c).
 */
#ifndef HK_TESTS_SUPPORT_GOLDEN_H
#define HK_TESTS_SUPPORT_GOLDEN_H

#include <stddef.h>

#include <SDL.h>

/** "font <hash> <file>\nsdl <ver>\nttf <ver>\n" for this machine: the
 *  goldens are only meaningful for the one recorded in golden/ENV. */
void golden_env_line(char *buf, size_t size);
/** Whether this machine is the one tests/ui/golden/ENV names (font, SDL,
 *  SDL_ttf); when not, says so ("SKIP: ...") and returns 0: a golden
 *  test then exits 77. */
int golden_env_ok(void);
/** Read a text file into buf (NUL-terminated); bytes read, -1 if none. */
int golden_read_file(const char *path, char *buf, size_t size);
int golden_write_file(const char *path, const char *text);
int golden_copy_file(const char *from, const char *to);
/** A PNG as an RGB24 surface; NULL when it cannot be read. */
SDL_Surface *golden_load_rgb(const char *path);
/**
 * Compare actual with golden pixel for pixel; on a difference, log the
 * first one and write <fail_dir>/<name>_actual.png and _diff.png.
 * @return 0 equal, 1 different (or unreadable).
 */
int golden_compare(const char *case_name, const char *name, const char *actual, const char *golden,
                   const char *fail_dir);
/** Whether a file name ends in .png. */
int golden_is_png(const char *n);

/**
 * Compare every PNG of shots with golden_dir/<same name> (engineer mode,
 * issue 9.5: the loop of tests/ui_submit, shared): a missing golden fails,
 * and so does a golden the journey no longer produces. With update, the
 * goldens are replaced by the shots instead (old ones removed first).
 * @param compared  receives the number of images compared or written; may be NULL.
 * @return the number of failures.
 */
int golden_check_dir(const char *case_name, const char *shots, const char *golden_dir,
                     const char *fail_dir, int update, int *compared);

/** golden_check_dir() leaving out the names for which skip(name, ctx) is
 *  true: such a shot needs no golden, and such a golden no shot. */
int golden_check_dir_skip(const char *case_name, const char *shots, const char *golden_dir,
                          const char *fail_dir, int update, int *compared,
                          int (*skip)(const char *name, void *ctx), void *ctx);

/**
 * Run a program (the hallkiosk under test) and wait for it: stderr into
 * log_path (appended when append), each "NAME=value" of env set in the
 * child only.
 * @param argv  NULL-terminated; argv[0] is the program's path.
 * @param env   NULL-terminated; may be NULL.
 * @return its exit status; -1 when it did not exit normally.
 */
int golden_run(const char *const *argv, const char *const *env, const char *log_path, int append);

#endif
