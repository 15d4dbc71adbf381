/* TZif reader (RFC 8536), just enough for "offset at time t". */
#include "spool_tz.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The largest zone file of tzdata 2025 is under 4 KiB. Larger files answer
 * -1 (glibc's localtime_r then decides): this buffer is on the stack of
 * every tracked process before main, where each fresh 4 KiB page costs a
 * page fault. */
#define TZ_FILE_MAX (8 * 1024)

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct counts { uint32_t isut, isstd, leap, time, type, chars; };

static void get_counts(const unsigned char *h, struct counts *c)
{
    c->isut = be32(h + 20);
    c->isstd = be32(h + 24);
    c->leap = be32(h + 28);
    c->time = be32(h + 32);
    c->type = be32(h + 36);
    c->chars = be32(h + 40);
}

/* Size of a data block whose times take tsz bytes; 0 if absurd. */
static size_t block_size(const struct counts *c, size_t tsz)
{
    if (c->time > TZ_FILE_MAX || c->type > 256 || c->chars > TZ_FILE_MAX ||
        c->leap > TZ_FILE_MAX || c->isstd > 256 || c->isut > 256)
        return 0;
    return (size_t)c->time * tsz + c->time + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * (tsz + 4) + c->isstd + c->isut;
}

static int lookup(const unsigned char *buf, size_t n, time_t t, long *off)
{
    struct counts c;
    const unsigned char *h = buf, *data, *times, *idx, *types, *footer;
    size_t tsz = 4, size, i;
    long type;

    if (n < 44 || memcmp(h, "TZif", 4) != 0)
        return -1;
    get_counts(h, &c);
    size = block_size(&c, 4);
    if (!size && (c.time || c.type))
        return -1;
    if (h[4] >= '2') {
        /* Skip the 32-bit block; use the 64-bit one after the second header. */
        if (44 + size + 44 > n)
            return -1;
        h = buf + 44 + size;
        if (memcmp(h, "TZif", 4) != 0)
            return -1;
        get_counts(h, &c);
        tsz = 8;
        size = block_size(&c, 8);
    }
    data = h + 44;
    if (!size || c.type == 0 || c.leap != 0 || (size_t)(data - buf) + size > n)
        return -1;
    times = data;
    idx = times + (size_t)c.time * tsz;
    types = idx + c.time;
    footer = data + size;

    type = 0;
    if (c.time > 0) {
        /* Last transition at or before t (binary search). */
        size_t lo = 0, hi = c.time;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int64_t tm = tsz == 8 ? be64(times + mid * 8) : (int32_t)be32(times + mid * 4);
            if (tm <= (int64_t)t)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0) {
            type = idx[lo - 1];
            if (type >= (long)c.type)
                return -1;
        }
        if (lo < c.time)
            goto found;
    }
    /* t is past the table (or there is none): a footer rule with daylight
     * saving time decides, and that is glibc's job. */
    if (tsz == 8) {
        const unsigned char *end = buf + n;
        if (footer < end && *footer == '\n') {
            for (i = 1; footer + i < end && footer[i] != '\n'; i++)
                if (footer[i] == ',')
                    return -1;
        }
    }
found:
    *off = (long)(int32_t)be32(types + (size_t)type * 6);
    return 0;
}

int spool_tz_offset_file(const char *path, time_t t, long *off)
{
    unsigned char buf[TZ_FILE_MAX];
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return -1;
    /* A short read is the end of the file: no second read for the 0 (one
     * system call less in every tracked process). Were it ever not, the
     * table would look cut and lookup() would answer -1. */
    for (;;) {
        ssize_t r = read(fd, buf + n, sizeof buf - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == sizeof buf || (size_t)r < sizeof buf - (n - (size_t)r))
            break;
    }
    close(fd);
    if (n == 0 || n == sizeof buf)
        return -1;
    return lookup(buf, n, t, off);
}

int spool_tz_offset(time_t t, long *off)
{
    const char *tz = getenv("TZ");
    if (tz)
        return -1;
    return spool_tz_offset_file("/etc/localtime", t, off);
}

void spool_tz_civil(time_t t, struct tm *tm)
{
    /* Days from civil, inverted (H. Hinnant's algorithm). */
    int64_t days = (int64_t)t / 86400, secs = (int64_t)t % 86400;
    int64_t z, era, doe, yoe, y, doy, mp, d, m;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    memset(tm, 0, sizeof *tm);
    tm->tm_year = (int)(y + (m <= 2) - 1900);
    tm->tm_mon = (int)m - 1;
    tm->tm_mday = (int)d;
    tm->tm_hour = (int)(secs / 3600);
    tm->tm_min = (int)(secs / 60 % 60);
    tm->tm_sec = (int)(secs % 60);
}
