/* rec_prescan: the byte-level checks before yajl (rec_prescan.h says what
 * and why). */
#include "rec_prescan.h"

#include <stdint.h>
#include <string.h>

#include "spool_err.h"
#include "spool_json.h"

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Bytes that need no look inside a string: printable ASCII but '"' and
 * '\\' (most of a record). Control bytes are left to yajl as before. */
static int str_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* JSON whitespace as yajl's lexer has it (it adds \v and \f). */
static int json_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static size_t skip_space(const unsigned char *s, size_t n, size_t i)
{
    while (i < n && json_space(s[i]))
        i++;
    return i;
}

/* A root string [a, b] (its quotes) has just closed: a key if ':' follows. */
static void root_string(struct rec_span *sp, const unsigned char *s, size_t n, size_t a, size_t b)
{
    size_t j = skip_space(s, n, b + 1);
    if (j < n && (s[j] == ',' || s[j] == '}'))
        return;   /* a value */
    if (j >= n || s[j] != ':') {
        sp->unsure = 1;
        return;
    }
    if (memchr(s + a + 1, '\\', b - a - 1)) {
        sp->unsure = 1;
        return;
    }
    if (b - a - 1 != 7 || memcmp(s + a + 1, "objects", 7) != 0)
        return;
    sp->keys++;
    j = skip_space(s, n, j + 1);
    if (j < n && s[j] == '[' && sp->keys == 1) {
        sp->start = j;
        sp->open = 1;
    }
}

int rec_prescan(const unsigned char *s, size_t n, struct rec_span *sp, char *err, size_t errlen)
{
    int in_str = 0, depth = 0;
    size_t i = 0, str_at = 0;
    memset(sp, 0, sizeof *sp);
    while (i < n) {
        /* Inside a string, runs of plain bytes are skipped in a tight loop
         * (the per-byte checks below were a large share of the parse time). */
        if (in_str) {
            /* 8 bytes at a time while none is '"', '\\', < 0x20 or >= 0x80
             * (the usual "has a zero byte" bit tricks; exact as a test). */
            const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
            while (i + 8 <= n) {
                uint64_t x, q, b;
                memcpy(&x, s + i, 8);
                q = x ^ (ones * '"');
                b = x ^ (ones * '\\');
                if (((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) &
                     highs) != 0)
                    break;
                i += 8;
            }
            while (i < n && str_plain(s[i]))
                i++;
        }
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c == 0)
            return spool_seterr(err, errlen, "NUL byte at offset %zu", i);
        if (c >= 0x80) {
            size_t k = spool_utf8_seq(s + i, n - i);
            if (!k)
                return spool_seterr(err, errlen, "invalid UTF-8 byte 0x%02x at offset %zu", c, i);
            i += k;
            continue;
        }
        if (in_str) {
            if (c == '"') {
                in_str = 0;
                if (depth == 1)
                    root_string(sp, s, n, str_at, i);
            } else if (c == '\\' && i + 1 < n) {
                if (s[i + 1] == 'u') {
                    unsigned v = 0;
                    for (int d = 0; d < 4; d++) {
                        int h = (i + 2 + d < n) ? hexval(s[i + 2 + d]) : -1;
                        if (h < 0)
                            return spool_seterr(err, errlen, "bad \\u escape at offset %zu", i);
                        v = v << 4 | (unsigned)h;
                    }
                    if (v == 0)
                        return spool_seterr(err, errlen, "\\u0000 (NUL) escape at offset %zu", i);
                    if (v >= 0xd800 && v <= 0xdfff && !(v >= 0xdc80 && v <= 0xdcff))
                        return spool_seterr(err, errlen,
                                    "surrogate escape \\u%04x at offset %zu is not a byte escape",
                                    v, i);
                    i += 6;
                    continue;
                }
                i += 2;
                continue;
            }
        } else if (c == '"') {
            in_str = 1;
            str_at = i;
        } else if (c == '{' || c == '[') {
            if (++depth > SPOOL_JSON_DEPTH)
                return spool_seterr(err, errlen, "nesting deeper than %d at offset %zu",
                            SPOOL_JSON_DEPTH, i);
        } else if (c == '}' || c == ']') {
            if (--depth == 1 && sp->open) {
                sp->open = 0;
                sp->end = i + 1;
            }
        }
        i++;
    }
    return 0;
}
