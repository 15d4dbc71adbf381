/* spool_tz against glibc: for every zone file on the system, at times spread
 * over 1970..2037 and around each zone's own transitions, the offset it
 * gives (when it gives one) equals localtime_r's tm_gmtoff under TZ=":file".
 * Also the civil-date arithmetic against gmtime_r. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spool_tz.h"
#include "tcheck.h"

static unsigned long checked, decided, zones;
static unsigned long long seed = 88172645463325252ULL;

static unsigned long long rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static void check_at(const char *path, time_t t)
{
    struct tm tm;
    long off;
    checked++;
    if (spool_tz_offset_file(path, t, &off) < 0)
        return;
    decided++;
    localtime_r(&t, &tm);
    if (tm.tm_gmtoff != off)
        tcheck_fail(__FILE__, __LINE__, "%s at %lld: offset %ld, glibc %ld", path, (long long)t,
                    off, (long)tm.tm_gmtoff);
}

static int zone(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    char head[5] = "";
    char tz[4200];
    FILE *f;
    if (type != FTW_F || st->st_size < 44)
        return 0;
    f = fopen(path, "rb");
    if (!f)
        return 0;
    if (fread(head, 1, 4, f) != 4)
        head[0] = 0;
    fclose(f);
    if (memcmp(head, "TZif", 4) != 0 || strstr(path, "/right/") || strstr(path, "/posix/"))
        return 0;
    snprintf(tz, sizeof tz, ":%s", path);
    setenv("TZ", tz, 1);
    tzset();
    zones++;
    for (int i = 0; i < 60; i++)
        check_at(path, (time_t)(rnd() % 2145916800ULL));          /* 1970..2037 */
    /* Around the DST switches of a few recent years, to the second. */
    for (int y = 2020; y <= 2030; y += 5)
        for (int d = 0; d < 365; d += 7) {
            time_t t = (time_t)((y - 1970) * 31556952LL + d * 86400LL);
            for (int s = -1; s <= 1; s++)
                check_at(path, t + s * 3600 + 1);
        }
    return 0;
}

int main(void)
{
    struct tm a, b;
    for (int i = 0; i < 200000; i++) {
        time_t t = (time_t)(rnd() % 8000000000ULL) - 2000000000;
        gmtime_r(&t, &a);
        spool_tz_civil(t, &b);
        if (a.tm_year != b.tm_year || a.tm_mon != b.tm_mon || a.tm_mday != b.tm_mday ||
            a.tm_hour != b.tm_hour || a.tm_min != b.tm_min || a.tm_sec != b.tm_sec) {
            tcheck_fail(__FILE__, __LINE__, "civil(%lld) differs from gmtime", (long long)t);
            break;
        }
    }
    nftw("/usr/share/zoneinfo", zone, 16, FTW_PHYS);
    fprintf(stderr, "%lu zones, %lu times, %lu decided by spool_tz (rest: glibc)\n", zones,
            checked, decided);
    CHECK(zones == 0 || decided > checked / 2);
    CHECK_INT(spool_tz_offset_file("/nonexistent", 0, &(long){ 0 }), -1);
    CHECK_INT(spool_tz_offset_file("/etc/hostname", 0, &(long){ 0 }), -1);
    /* TZ set: always glibc's business. */
    setenv("TZ", "UTC0", 1);
    CHECK_INT(spool_tz_offset(0, &(long){ 0 }), -1);
    return tcheck_result();
}
