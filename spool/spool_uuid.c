/* UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, 12 random bits,
 * variant 10, 62 random bits. */
#include "spool_uuid.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const char hexdigits[] = "0123456789abcdef";

void spool_uuid_format(const unsigned char b[16], char out[37])
{
    int i, o = 0;
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hexdigits[b[i] >> 4];
        out[o++] = hexdigits[b[i] & 15];
    }
    out[o] = '\0';
}

/* splitmix64: only for the no-entropy fallback. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

int spool_uuid_v7(char out[37])
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return spool_uuid_v7_at(out, &ts);
}

int spool_uuid_v7_at(char out[37], const struct timespec *when)
{
    unsigned char b[16];
    struct timespec ts = *when;
    uint64_t ms;
    ssize_t got;

    ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    do
        got = getrandom(b + 6, 10, GRND_NONBLOCK);
    while (got < 0 && errno == EINTR);
    if (got != 10) {
        /* Early boot without entropy: unique in practice (time, pid, stack
         * address), not unpredictable; run ids need not be secret. */
        uint64_t x = mix((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
                         (uint64_t)(uintptr_t)&ts);
        uint64_t y = mix(x ^ (uint64_t)ts.tv_sec);
        memcpy(b + 6, &x, 8);
        memcpy(b + 14, &y, 2);
    }
    b[0] = (unsigned char)(ms >> 40);
    b[1] = (unsigned char)(ms >> 32);
    b[2] = (unsigned char)(ms >> 24);
    b[3] = (unsigned char)(ms >> 16);
    b[4] = (unsigned char)(ms >> 8);
    b[5] = (unsigned char)ms;
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
    spool_uuid_format(b, out);
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int spool_uuid_parse(const char *s, unsigned char b[16])
{
    int i, o = 0;
    unsigned char tmp[16];
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return -1;
            continue;
        }
        int hi = hexval(s[i]);
        if (hi < 0)
            return -1;
        i++;
        int lo = hexval(s[i]);
        if (lo < 0)
            return -1;
        tmp[o++] = (unsigned char)(hi << 4 | lo);
    }
    if (s[36] != '\0')
        return -1;
    if (b)
        memcpy(b, tmp, 16);
    return 0;
}
