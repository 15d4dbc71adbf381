/* JSON writer. Everything here must stay async-signal-safe (libtrack's
 * fatal-signal handler writes its end record through it): no stdio, no
 * malloc, no locale. */
#include "spool_json.h"

#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

void spool_json_init(struct spool_json *j, char *buf, size_t cap)
{
    j->buf = buf;
    j->cap = cap;
    j->len = 0;
    j->overflow = cap == 0;
    j->depth = 0;
    j->first[0] = 1;
    if (cap)
        buf[0] = '\0';
}

size_t spool_json_room(const struct spool_json *j)
{
    /* One byte is always kept for the terminating NUL. */
    return j->cap > j->len + 1 ? j->cap - j->len - 1 : 0;
}

static void put(struct spool_json *j, const char *s, size_t n)
{
    if (j->overflow)
        return;
    if (n > spool_json_room(j)) {
        j->overflow = 1;
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

static void putc1(struct spool_json *j, char c)
{
    put(j, &c, 1);
}

/* Emits the comma that separates this value from the previous one. Keys
 * handle the comma for object members, so a value after a key adds none. */
static void sep(struct spool_json *j)
{
    if (j->first[j->depth])
        j->first[j->depth] = 0;
    else
        putc1(j, ',');
}

static void open_(struct spool_json *j, char c)
{
    sep(j);
    putc1(j, c);
    if (j->depth + 1 >= SPOOL_JSON_DEPTH) {
        j->overflow = 1;
        return;
    }
    j->depth++;
    j->first[j->depth] = 1;
}

static void close_(struct spool_json *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    putc1(j, c);
}

void spool_json_obj_open(struct spool_json *j) { open_(j, '{'); }
void spool_json_obj_close(struct spool_json *j) { close_(j, '}'); }
void spool_json_arr_open(struct spool_json *j) { open_(j, '['); }
void spool_json_arr_close(struct spool_json *j) { close_(j, ']'); }

void spool_json_key(struct spool_json *j, const char *key)
{
    sep(j);
    putc1(j, '"');
    put(j, key, strlen(key));
    put(j, "\":", 2);
    /* The value that follows is part of this member: no comma before it. */
    j->first[j->depth] = 1;
}

size_t spool_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        if (n >= 2 && (s[1] & 0xc0) == 0x80)
            return 2;
        return 0;
    }
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xe0)
            lo = 0xa0;          /* overlong */
        else if (c == 0xed)
            hi = 0x9f;          /* UTF-16 surrogates */
        if (n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80)
            return 3;
        return 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xf0)
            lo = 0x90;          /* overlong */
        else if (c == 0xf4)
            hi = 0x8f;          /* above U+10FFFF */
        if (n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
            (s[3] & 0xc0) == 0x80)
            return 4;
        return 0;
    }
    return 0;
}

void spool_json_strn(struct spool_json *j, const char *str, size_t n, size_t max_bytes, int *cut)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

    sep(j);
    putc1(j, '"');
    if (max_bytes && n > max_bytes) {
        /* Back off to the start of a valid sequence that would straddle
         * the cut, so the cut never splits a character. */
        size_t k = max_bytes;
        while (k > 0 && max_bytes - k < 3 && (s[k] & 0xc0) == 0x80)
            k--;
        if (spool_utf8_seq(s + k, n - k) > max_bytes - k)
            max_bytes = k;
        n = max_bytes;
        if (cut)
            *cut = 1;
    }
    while (i < n && !j->overflow) {
        unsigned char c = s[i];
        size_t k;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            run++;
            continue;
        }
        /* Flush the plain run before handling the special byte. */
        put(j, (const char *)s + i - run, run);
        run = 0;
        if (c < 0x80) {
            switch (c) {
            case '"': put(j, "\\\"", 2); break;
            case '\\': put(j, "\\\\", 2); break;
            case '\n': put(j, "\\n", 2); break;
            case '\t': put(j, "\\t", 2); break;
            case '\r': put(j, "\\r", 2); break;
            case '\b': put(j, "\\b", 2); break;
            case '\f': put(j, "\\f", 2); break;
            default:
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = hexdigits[c >> 4];
                esc[5] = hexdigits[c & 15];
                put(j, esc, 6);
            }
            i++;
            continue;
        }
        k = spool_utf8_seq(s + i, n - i);
        if (k) {
            put(j, (const char *)s + i, k);
            i += k;
            continue;
        }
        /* Not UTF-8: the reversible surrogate escape. */
        esc[2] = 'd';
        esc[3] = 'c';
        esc[4] = hexdigits[c >> 4];
        esc[5] = hexdigits[c & 15];
        put(j, esc, 6);
        i++;
    }
    put(j, (const char *)s + i - run, run);
    putc1(j, '"');
}

void spool_json_raw(struct spool_json *j, const char *s, size_t n)
{
    put(j, s, n);
    j->first[j->depth] = 0;
}

void spool_json_str(struct spool_json *j, const char *s)
{
    spool_json_strn(j, s, strlen(s), 0, NULL);
}

/* Formats v's decimal digits right-aligned into buf[24]; returns the start. */
static char *fmt_u64(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void spool_json_uint(struct spool_json *j, uint64_t v)
{
    char buf[24], *p = fmt_u64(buf + sizeof buf, v);
    sep(j);
    put(j, p, (size_t)(buf + sizeof buf - p));
}

void spool_json_int(struct spool_json *j, int64_t v)
{
    char buf[24], *p;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    p = fmt_u64(buf + sizeof buf, u);
    if (v < 0)
        *--p = '-';
    sep(j);
    put(j, p, (size_t)(buf + sizeof buf - p));
}

void spool_json_time(struct spool_json *j, int64_t sec, long usec)
{
    char buf[32], *end = buf + sizeof buf, *p = end;
    int neg = sec < 0;
    uint64_t s = neg ? (uint64_t)0 - (uint64_t)sec : (uint64_t)sec;
    int k;
    if (usec < 0 || usec > 999999)
        usec = 0;
    for (k = 0; k < 6; k++) {
        *--p = (char)('0' + usec % 10);
        usec /= 10;
    }
    *--p = '.';
    p = fmt_u64(p, s);
    if (neg)
        *--p = '-';
    sep(j);
    put(j, p, (size_t)(end - p));
}

void spool_json_bool(struct spool_json *j, int v)
{
    sep(j);
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
}

void spool_json_null(struct spool_json *j)
{
    sep(j);
    put(j, "null", 4);
}

void spool_json_kstr(struct spool_json *j, const char *key, const char *s)
{
    spool_json_key(j, key);
    spool_json_str(j, s);
}

void spool_json_kint(struct spool_json *j, const char *key, int64_t v)
{
    spool_json_key(j, key);
    spool_json_int(j, v);
}

int spool_json_finish(struct spool_json *j)
{
    if (j->cap)
        j->buf[j->len < j->cap ? j->len : j->cap - 1] = '\0';
    return (j->overflow || j->depth != 0) ? -1 : 0;
}

struct spool_json_mark spool_json_mark(const struct spool_json *j)
{
    struct spool_json_mark m;
    m.len = j->len;
    m.overflow = j->overflow;
    m.depth = j->depth;
    m.first = j->first[j->depth];
    return m;
}

void spool_json_rewind(struct spool_json *j, struct spool_json_mark m)
{
    j->len = m.len;
    j->overflow = m.overflow;
    j->depth = m.depth;
    j->first[j->depth] = m.first;
}

size_t spool_json_unescape_bytes(char *str, size_t n)
{
    unsigned char *s = (unsigned char *)str;
    /* Nearly every string holds no escaped byte (no 0xED at all): one
     * memchr instead of copying it onto itself byte by byte. */
    const unsigned char *e = memchr(s, 0xed, n);
    if (!e)
        return n;
    size_t r = (size_t)(e - s), w = r;
    while (r < n) {
        if (r + 2 < n && s[r] == 0xed && (s[r + 1] == 0xb2 || s[r + 1] == 0xb3) &&
            (s[r + 2] & 0xc0) == 0x80) {
            /* U+DC80..U+DCFF: ED B2 80 .. ED B3 BF -> byte 0x80 .. 0xFF */
            s[w++] = (unsigned char)(((s[r + 1] & 0x01) << 6) | (s[r + 2] & 0x3f) | 0x80);
            r += 3;
        } else {
            s[w++] = s[r++];
        }
    }
    if (w < n)
        s[w] = '\0';
    return w;
}
