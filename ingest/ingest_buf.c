/* ingest_buf: SQL text building. */
#include "ingest_buf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct ingest_buf *b, size_t need)
{
    if (b->oom)
        return -1;
    if (b->len + need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void ingest_buf_reset(struct ingest_buf *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->s)
        b->s[0] = '\0';
}

void ingest_buf_free(struct ingest_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

void ingest_buf_add(struct ingest_buf *b, const char *s, size_t n)
{
    if (grow(b, n) < 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ingest_buf_str(struct ingest_buf *b, const char *s)
{
    ingest_buf_add(b, s, strlen(s));
}

void ingest_buf_fmt(struct ingest_buf *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[256];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        ingest_buf_add(b, tmp, (size_t)n);
        return;
    }
    if (grow(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ingest_buf_hex(struct ingest_buf *b, const void *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    const unsigned char *u = p;
    if (grow(b, 2 * n + 3) < 0)
        return;
    char *w = b->s + b->len;
    *w++ = 'X';
    *w++ = '\'';
    for (size_t i = 0; i < n; i++) {
        *w++ = hx[u[i] >> 4];
        *w++ = hx[u[i] & 15];
    }
    *w++ = '\'';
    b->len = (size_t)(w - b->s);
    b->s[b->len] = '\0';
}

void ingest_buf_text(struct ingest_buf *b, const char *s, size_t n)
{
    if (grow(b, 2 * n + 2) < 0)
        return;
    char *w = b->s + b->len;
    *w++ = '\'';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\')
            *w++ = '\\';
        *w++ = s[i];
    }
    *w++ = '\'';
    b->len = (size_t)(w - b->s);
    b->s[b->len] = '\0';
}

void ingest_buf_text_or_null(struct ingest_buf *b, const char *s, size_t n)
{
    if (n == 0)
        ingest_buf_add(b, "NULL", 4);
    else
        ingest_buf_text(b, s, n);
}

void ingest_buf_us(struct ingest_buf *b, int64_t us)
{
    if (us < 0)
        ingest_buf_add(b, "NULL", 4);
    else
        ingest_buf_fmt(b, "%" PRId64 ".%06" PRId64, us / 1000000, us % 1000000);
}

void ingest_buf_int_or_null(struct ingest_buf *b, int64_t v)
{
    if (v < 0)
        ingest_buf_add(b, "NULL", 4);
    else
        ingest_buf_fmt(b, "%" PRId64, v);
}
