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

#endif
