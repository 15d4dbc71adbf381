/* Record file names. Building is async-signal-safe (no stdio): the end
 * record's name is built from values computed at start. */
#include "spool_name.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "spool_tz.h"
#include "spool_uuid.h"

static int comp_char_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '+' || c == '@';
}

void spool_name_component(char dst[SPOOL_NAME_COMP_MAX], const char *src)
{
    size_t i;
    for (i = 0; src[i] && i < SPOOL_NAME_COMP_MAX - 1; i++)
        dst[i] = comp_char_ok((unsigned char)src[i]) ? src[i] : '_';
    if (i == 0)
        dst[i++] = '_';
    dst[i] = '\0';
}

static void put_num(char *p, unsigned v, int width)
{
    while (width-- > 0) {
        p[width] = (char)('0' + v % 10);
        v /= 10;
    }
}

int spool_name_date(char out[SPOOL_DATE_LEN + 1], time_t sec, long usec)
{
    struct tm tm;
    long off;
    /* Local time without tzset where the zone file allows (spool_tz.h). */
    if (spool_tz_offset(sec, &off) == 0)
        spool_tz_civil(sec + (time_t)off, &tm);
    else if (!localtime_r(&sec, &tm))
        tm.tm_year = -1900;
    if (tm.tm_year + 1900 < 1970 || tm.tm_year + 1900 > 9999) {
        errno = EINVAL;
        return -1;
    }
    if (usec < 0 || usec > 999999)
        usec = 0;
    put_num(out, (unsigned)(tm.tm_year + 1900), 4);
    out[4] = '_';
    put_num(out + 5, (unsigned)tm.tm_mon + 1, 2);
    out[7] = '_';
    put_num(out + 8, (unsigned)tm.tm_mday, 2);
    out[10] = '_';
    put_num(out + 11, (unsigned)tm.tm_hour, 2);
    out[13] = '_';
    put_num(out + 14, (unsigned)tm.tm_min, 2);
    out[16] = '_';
    put_num(out + 17, (unsigned)tm.tm_sec, 2);
    out[19] = '_';
    put_num(out + 20, (unsigned)(usec / 100), 4);
    out[24] = '\0';
    return 0;
}

/* Parses n digits at p; -1 if any is not a digit. */
static int get_num(const char *p, int n)
{
    int v = 0;
    while (n-- > 0) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p++ - '0');
    }
    return v;
}

static int date_ok(const char *d)
{
    static const int seps[] = { 4, 7, 10, 13, 16, 19 };
    size_t i;
    int y, mo, da, h, mi, s;
    for (i = 0; i < sizeof seps / sizeof seps[0]; i++)
        if (d[seps[i]] != '_')
            return 0;
    y = get_num(d, 4);
    mo = get_num(d + 5, 2);
    da = get_num(d + 8, 2);
    h = get_num(d + 11, 2);
    mi = get_num(d + 14, 2);
    s = get_num(d + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || da < 1 || da > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || s < 0 || s > 60 || get_num(d + 20, 4) < 0)
        return 0;
    return d[SPOOL_DATE_LEN] == '\0' || d[SPOOL_DATE_LEN] == '.';
}

static char *append(char *p, char *end, const char *s)
{
    size_t n = strlen(s);
    if (!p || (size_t)(end - p) <= n)
        return NULL;
    memcpy(p, s, n);
    return p + n;
}

int spool_name_build(char out[SPOOL_NAME_MAX], enum spool_kind kind, const char *syshost,
                     const char *date, const char *user, const char *uuid)
{
    char host_c[SPOOL_NAME_COMP_MAX], user_c[SPOOL_NAME_COMP_MAX];
    char *p = out, *end = out + SPOOL_NAME_MAX;

    if (strlen(date) != SPOOL_DATE_LEN || !date_ok(date) || spool_uuid_parse(uuid, NULL) < 0) {
        errno = EINVAL;
        return -1;
    }
    spool_name_component(host_c, syshost);
    spool_name_component(user_c, user);
    p = append(p, end, kind == SPOOL_KIND_LINK ? "link." : kind == SPOOL_KIND_PKG ? "pkg."
                       : kind == SPOOL_KIND_TALLY ? "tally." : "run.");
    p = append(p, end, host_c);
    p = append(p, end, ".");
    p = append(p, end, date);
    p = append(p, end, ".");
    p = append(p, end, user_c);
    if (kind == SPOOL_KIND_START)
        p = append(p, end, ".aaa.");
    else if (kind == SPOOL_KIND_END)
        p = append(p, end, ".zzz.");
    else
        p = append(p, end, ".");
    p = append(p, end, uuid);
    p = append(p, end, ".json");
    if (!p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    *p = '\0';
    return 0;
}

/* Copies the component that starts at *p and ends at the next '.', if it is
 * 1..64 valid component characters; advances *p past the dot. */
static int take_comp(const char **p, char dst[SPOOL_NAME_COMP_MAX])
{
    size_t n = 0;
    const char *s = *p;
    while (s[n] && s[n] != '.') {
        if (!comp_char_ok((unsigned char)s[n]) || n >= SPOOL_NAME_COMP_MAX - 1)
            return -1;
        dst[n] = s[n];
        n++;
    }
    if (n == 0 || s[n] != '.')
        return -1;
    dst[n] = '\0';
    *p = s + n + 1;
    return 0;
}

int spool_name_parse(const char *name, struct spool_name *out)
{
    const char *p = name;
    struct spool_name n;

    memset(&n, 0, sizeof n);
    if (strncmp(p, "run.", 4) == 0) {
        p += 4;
        n.kind = SPOOL_KIND_START;
    } else if (strncmp(p, "link.", 5) == 0) {
        p += 5;
        n.kind = SPOOL_KIND_LINK;
    } else if (strncmp(p, "pkg.", 4) == 0) {
        p += 4;
        n.kind = SPOOL_KIND_PKG;
    } else if (strncmp(p, "tally.", 6) == 0) {
        p += 6;
        n.kind = SPOOL_KIND_TALLY;
    } else {
        return -1;
    }
    if (take_comp(&p, n.syshost) < 0)
        return -1;
    if (strnlen(p, SPOOL_DATE_LEN + 1) < SPOOL_DATE_LEN + 1 || !date_ok(p))
        return -1;
    memcpy(n.date, p, SPOOL_DATE_LEN);
    p += SPOOL_DATE_LEN + 1;
    if (take_comp(&p, n.user) < 0)
        return -1;
    if (n.kind == SPOOL_KIND_START) {
        if (strncmp(p, "aaa.", 4) == 0)
            n.kind = SPOOL_KIND_START;
        else if (strncmp(p, "zzz.", 4) == 0)
            n.kind = SPOOL_KIND_END;
        else
            return -1;
        p += 4;
    }
    if (strnlen(p, SPOOL_UUID_LEN + 1) < SPOOL_UUID_LEN)
        return -1;
    memcpy(n.uuid, p, SPOOL_UUID_LEN);
    if (spool_uuid_parse(n.uuid, NULL) < 0 || strcmp(p + SPOOL_UUID_LEN, ".json") != 0)
        return -1;
    memcpy(n.yyyymm, n.date, 4);
    memcpy(n.yyyymm + 4, n.date + 5, 2);
    n.yyyymm[6] = '\0';
    if (out)
        *out = n;
    return 0;
}

int spool_name_is_temp(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && name[0] == '.' && strcmp(name + n - 4, ".tmp") == 0;
}
