/* ingest_buf: a growable byte buffer for building SQL text. Appends never
 * fail visibly: on allocation failure the buffer is marked `oom` and stops
 * growing; callers check it once before sending the statement. */
#ifndef TRACK_INGEST_BUF_H
#define TRACK_INGEST_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ingest_buf {
    char *s;     /* NUL-terminated while !oom; owned, freed by ingest_buf_free */
    size_t len, cap;
    int oom;
};

void ingest_buf_reset(struct ingest_buf *b);            /* len = 0, keeps memory */
void ingest_buf_free(struct ingest_buf *b);
void ingest_buf_add(struct ingest_buf *b, const char *s, size_t n);
void ingest_buf_str(struct ingest_buf *b, const char *s); /* NUL-terminated */
void ingest_buf_fmt(struct ingest_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* X'hex' literal of n bytes: exact for any bytes, no charset involved. */
void ingest_buf_hex(struct ingest_buf *b, const void *p, size_t n);
/* 'text' literal for validated UTF-8 text without control characters: only
 * ' and \ need escaping (NO_BACKSLASH_ESCAPES is not set by the ingester). */
void ingest_buf_text(struct ingest_buf *b, const char *s, size_t n);
/* 'text' or NULL when n == 0. */
void ingest_buf_text_or_null(struct ingest_buf *b, const char *s, size_t n);
/* Seconds with 6 decimals from microseconds; NULL when us < 0. */
void ingest_buf_us(struct ingest_buf *b, int64_t us);
/* Integer, NULL when v < 0. */
void ingest_buf_int_or_null(struct ingest_buf *b, int64_t v);

#endif
