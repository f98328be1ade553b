/*
 * wav: reads RIFF/WAVE clips into WAV_RATE_HZ mono S16 and writes that
 * format back. It walks the chunk list (fmt and data may come in any order,
 * other chunks such as LIST are skipped), checks every size against the
 * bytes actually present (the input is an operator's file), and converts.
 * It does not stream: a clip is small (capped at WAV_MAX_SECONDS).
 */
#include "wav.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hk_mem.h"

#define FORMAT_PCM        1u
#define FORMAT_EXTENSIBLE 0xFFFEu
#define MIN_RATE_HZ       8000u
#define MAX_RATE_HZ       96000u
#define MAX_FILE_BYTES    (MAX_RATE_HZ * 2u * 2u * WAV_MAX_SECONDS + 4096u)

typedef struct fmt {
    unsigned format, channels, rate, bits;
} fmt_t;

static uint32_t rd32(const uint8_t *p);
static unsigned rd16(const uint8_t *p);
static void wr32(uint8_t *p, uint32_t v);
static void wr16(uint8_t *p, unsigned v);
static hk_err_t convert(const fmt_t *f, const uint8_t *data, size_t bytes, int16_t **pcm,
                        size_t *n);

hk_err_t wav_parse(const uint8_t *buf, size_t len, int16_t **pcm, size_t *n, hk_diag_t *diag)
{
    fmt_t f;
    const uint8_t *data = NULL;
    size_t data_len = 0, pos = 12;
    int have_fmt = 0;

    if(pcm)
        *pcm = NULL;
    if(n)
        *n = 0;
    if(!buf || !pcm || !n)
        return HK_ERR_INVALID;
    memset(&f, 0, sizeof(f));
    if(len < 12 || memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVE", 4) != 0) {
        hk_diag_set(diag, "not a RIFF/WAVE file");
        return HK_ERR_CORRUPT;
    }
    while(pos + 8 <= len) {
        const uint8_t *id = buf + pos;
        size_t size = rd32(buf + pos + 4);

        pos += 8;
        if(size > len - pos) {
            /* Some writers leave the data size at 0xFFFFFFFF or stop short
             * while streaming: take what is there for data, refuse others. */
            if(memcmp(id, "data", 4) != 0) {
                hk_diag_set(diag, "chunk %.4s runs past the end of the file", (const char *)id);
                return HK_ERR_CORRUPT;
            }
            size = len - pos;
        }
        if(memcmp(id, "fmt ", 4) == 0) {
            if(size < 16) {
                hk_diag_set(diag, "fmt chunk of %zu bytes (needs 16)", size);
                return HK_ERR_CORRUPT;
            }
            f.format = rd16(buf + pos);
            f.channels = rd16(buf + pos + 2);
            f.rate = rd32(buf + pos + 4);
            f.bits = rd16(buf + pos + 14);
            /* WAVE_FORMAT_EXTENSIBLE: the real format is the GUID's first word */
            if(f.format == FORMAT_EXTENSIBLE && size >= 26)
                f.format = rd16(buf + pos + 24);
            have_fmt = 1;
        } else if(memcmp(id, "data", 4) == 0 && !data) {
            data = buf + pos;
            data_len = size;
        }
        pos += size + (size & 1u); /* chunks are padded to even sizes */
    }
    if(!have_fmt || !data) {
        hk_diag_set(diag, "no %s chunk", have_fmt ? "data" : "fmt");
        return HK_ERR_CORRUPT;
    }
    if(f.format != FORMAT_PCM || f.bits != 16 || f.channels < 1 || f.channels > 2) {
        hk_diag_set(diag, "format %u, %u bits, %u channels: need PCM 16-bit mono or stereo",
                    f.format, f.bits, f.channels);
        return HK_ERR_INVALID;
    }
    if(f.rate < MIN_RATE_HZ || f.rate > MAX_RATE_HZ) {
        hk_diag_set(diag, "sample rate %u Hz: need %u..%u", f.rate, MIN_RATE_HZ, MAX_RATE_HZ);
        return HK_ERR_INVALID;
    }
    if(data_len / (2u * f.channels) > (size_t)f.rate * WAV_MAX_SECONDS) {
        hk_diag_set(diag, "longer than %d s", WAV_MAX_SECONDS);
        return HK_ERR_INVALID;
    }
    return convert(&f, data, data_len, pcm, n);
}

hk_err_t wav_read_file(const char *path, int16_t **pcm, size_t *n, hk_diag_t *diag)
{
    FILE *fp;
    struct stat st;
    uint8_t *buf = NULL;
    size_t len;
    hk_err_t rc;

    if(pcm)
        *pcm = NULL;
    if(n)
        *n = 0;
    if(!path || !pcm || !n)
        return HK_ERR_INVALID;
    fp = fopen(path, "rb");
    if(!fp) {
        hk_diag_set(diag, "%s", strerror(errno));
        return errno == ENOENT ? HK_ERR_NOT_FOUND : HK_ERR_IO;
    }
    if(fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        hk_diag_set(diag, "not a regular file");
        rc = HK_ERR_IO;
        goto out;
    }
    if(st.st_size > (off_t)MAX_FILE_BYTES) {
        hk_diag_set(diag, "file larger than %u bytes", (unsigned)MAX_FILE_BYTES);
        rc = HK_ERR_INVALID;
        goto out;
    }
    len = (size_t)st.st_size;
    buf = hk_malloc(len ? len : 1);
    if(!buf) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    if(fread(buf, 1, len, fp) != len) {
        hk_diag_set(diag, "short read");
        rc = HK_ERR_IO;
        goto out;
    }
    rc = wav_parse(buf, len, pcm, n, diag);
out:
    hk_free(buf);
    (void)fclose(fp); /* read-only: nothing to lose */
    return rc;
}

void wav_header(uint8_t hdr[WAV_HEADER_SIZE], size_t n)
{
    uint32_t data_bytes = (uint32_t)(n * 2u);

    memcpy(hdr, "RIFF", 4);
    wr32(hdr + 4, 36u + data_bytes);
    memcpy(hdr + 8, "WAVEfmt ", 8);
    wr32(hdr + 16, 16u);
    wr16(hdr + 20, FORMAT_PCM);
    wr16(hdr + 22, 1u);
    wr32(hdr + 24, WAV_RATE_HZ);
    wr32(hdr + 28, WAV_RATE_HZ * 2u);
    wr16(hdr + 32, 2u);
    wr16(hdr + 34, 16u);
    memcpy(hdr + 36, "data", 4);
    wr32(hdr + 40, data_bytes);
}

hk_err_t wav_write_file(const char *path, const int16_t *pcm, size_t n)
{
    uint8_t hdr[WAV_HEADER_SIZE];
    FILE *fp;
    size_t i;
    int ok;

    if(!path || (!pcm && n))
        return HK_ERR_INVALID;
    fp = fopen(path, "wb");
    if(!fp)
        return HK_ERR_IO;
    wav_header(hdr, n);
    ok = fwrite(hdr, 1, sizeof(hdr), fp) == sizeof(hdr);
    for(i = 0; ok && i < n; i++) {
        uint8_t s[2];

        wr16(s, (unsigned)(uint16_t)pcm[i]); /* little-endian on any host */
        ok = fwrite(s, 1, 2, fp) == 2;
    }
    if(fclose(fp) != 0)
        ok = 0;
    return ok ? HK_OK : HK_ERR_IO;
}

/* Mix down to mono, then resample linearly to WAV_RATE_HZ. */
static hk_err_t convert(const fmt_t *f, const uint8_t *data, size_t bytes, int16_t **pcm, size_t *n)
{
    size_t frames = bytes / (2u * f->channels), out_n, i;
    int16_t *out;

    out_n = (size_t)((uint64_t)frames * WAV_RATE_HZ / f->rate);
    out = hk_malloc(out_n ? out_n * sizeof(*out) : 1);
    if(!out)
        return HK_ERR_NOMEM;
    for(i = 0; i < out_n; i++) {
        /* source position of output sample i, in 1/65536 frames */
        uint64_t at = (uint64_t)i * f->rate * 65536u / WAV_RATE_HZ;
        size_t k = (size_t)(at >> 16), c;
        int32_t frac = (int32_t)(at & 0xFFFFu), a = 0, b = 0;

        for(c = 0; c < f->channels; c++) {
            size_t k2 = k + 1 < frames ? k + 1 : k;

            a += (int16_t)rd16(data + (k * f->channels + c) * 2u);
            b += (int16_t)rd16(data + (k2 * f->channels + c) * 2u);
        }
        a /= (int32_t)f->channels;
        b /= (int32_t)f->channels;
        out[i] = (int16_t)(a + (int32_t)(((int64_t)(b - a) * frac) >> 16));
    }
    *pcm = out;
    *n = out_n;
    return HK_OK;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned rd16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void wr16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
