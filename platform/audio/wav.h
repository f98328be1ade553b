/*
 * wav: RIFF/WAVE in and out, in the one sample format of our audio path:
 * WAV_RATE_HZ mono signed 16-bit. Reading accepts what recordings usually
 * are (PCM 16-bit, mono or stereo, 8..96 kHz) and converts: stereo is
 * averaged, other rates are resampled linearly (fine for speech clips,
 * which is all this reads). Other encodings are refused with a reason.
 */
#ifndef HK_PLATFORM_AUDIO_WAV_H
#define HK_PLATFORM_AUDIO_WAV_H

#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"

#define WAV_RATE_HZ     22050
#define WAV_HEADER_SIZE 44
#define WAV_MAX_SECONDS 30 /* a clip longer than this is not a clip: refused */

/**
 * Parse a WAV image and convert it to WAV_RATE_HZ mono S16.
 * @param buf, len  the file's bytes; borrowed.
 * @param pcm       receives the samples; free with hk_free().
 * @param n         receives the sample count (may be 0).
 * @param diag      receives the reason for HK_ERR_CORRUPT/_INVALID; may be NULL.
 * @return HK_OK, HK_ERR_CORRUPT (not RIFF/WAVE, truncated chunks),
 *         HK_ERR_INVALID (an encoding we do not read, too long), HK_ERR_NOMEM.
 */
hk_err_t wav_parse(const uint8_t *buf, size_t len, int16_t **pcm, size_t *n, hk_diag_t *diag);

/** wav_parse() of a file; HK_ERR_NOT_FOUND when it does not exist, _IO on read errors. */
hk_err_t wav_read_file(const char *path, int16_t **pcm, size_t *n, hk_diag_t *diag);

/** The 44-byte header of a WAV_RATE_HZ mono S16 file holding n samples. */
void wav_header(uint8_t hdr[WAV_HEADER_SIZE], size_t n);

/** Write pcm as a WAV_RATE_HZ mono S16 file (replaces path). */
hk_err_t wav_write_file(const char *path, const int16_t *pcm, size_t n);

#endif
