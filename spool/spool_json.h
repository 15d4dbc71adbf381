/* spool_json: the JSON writer every record goes through, and the reversible
 * escaping of bytes that are not valid UTF-8 (docs/record-format.md).
 *
 * Writes into a caller-owned buffer and never allocates, never calls stdio:
 * libtrack uses it from a fatal-signal handler, so every function here is
 * async-signal-safe. Output that does not fit sets `overflow` and stops
 * growing; callers take a mark before an optional element and rewind to it
 * when the element did not fit (that is how records are truncated). */
#ifndef TRACK_SPOOL_JSON_H
#define TRACK_SPOOL_JSON_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_JSON_DEPTH 16

struct spool_json {
    char *buf;
    size_t cap;      /* bytes usable in buf, including room for a final NUL */
    size_t len;      /* bytes written */
    int overflow;    /* a write did not fit; len stayed <= cap - 1 */
    int depth;
    unsigned char first[SPOOL_JSON_DEPTH]; /* 1 = next item at that depth needs no comma */
};

struct spool_json_mark {
    size_t len;
    int overflow;
    int depth;
    unsigned char first;
};

void spool_json_init(struct spool_json *j, char *buf, size_t cap);
void spool_json_obj_open(struct spool_json *j);
void spool_json_obj_close(struct spool_json *j);
void spool_json_arr_open(struct spool_json *j);
void spool_json_arr_close(struct spool_json *j);
/* An object key (given as a C string of plain ASCII: keys are ours). */
void spool_json_key(struct spool_json *j, const char *key);
/* A string value of n bytes of arbitrary content, escaped per the format:
 * valid UTF-8 passes through, '"' '\\' and control characters are escaped,
 * every byte that is not part of a valid UTF-8 sequence becomes \udcXX
 * (XX = the byte, 80..ff). At most max_bytes input bytes are written
 * (0 = no limit); when cut, *cut (if non-NULL) is set to 1. The cut never
 * splits a UTF-8 sequence. */
void spool_json_strn(struct spool_json *j, const char *s, size_t n, size_t max_bytes, int *cut);
void spool_json_str(struct spool_json *j, const char *s); /* NUL-terminated, no limit */
void spool_json_int(struct spool_json *j, int64_t v);
void spool_json_uint(struct spool_json *j, uint64_t v);
void spool_json_bool(struct spool_json *j, int v);
void spool_json_null(struct spool_json *j);
/* Seconds with microseconds: "1732214400.123456". usec in 0..999999. */
void spool_json_time(struct spool_json *j, int64_t sec, long usec);
/* Key plus value shorthands. */
void spool_json_kstr(struct spool_json *j, const char *key, const char *s);
void spool_json_kint(struct spool_json *j, const char *key, int64_t v);

/* Appends n bytes of JSON the caller already produced with this writer (a
 * fragment copied from an earlier document). The fragment must start with
 * its own separator (',') if one is needed and leave the nesting as it found
 * it; the next item then gets a comma. Sets overflow when it does not fit,
 * like every other write. */
void spool_json_raw(struct spool_json *j, const char *s, size_t n);

/* Terminates the buffer with a NUL (not counted in len). Returns 0 if the
 * document is complete (depth 0, no overflow), -1 otherwise. */
int spool_json_finish(struct spool_json *j);

struct spool_json_mark spool_json_mark(const struct spool_json *j);
void spool_json_rewind(struct spool_json *j, struct spool_json_mark m);
/* Bytes still free (excluding the NUL). */
size_t spool_json_room(const struct spool_json *j);

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 if s[0] does
 * not start a valid, complete sequence within n bytes (overlong forms,
 * surrogates and code points above U+10FFFF are invalid). */
size_t spool_utf8_seq(const unsigned char *s, size_t n);

/* Undoes the escaping after a JSON parser has decoded a string: every \udcXX
 * escape reaches us as the 3 bytes ED B2..B3 xx (the parser's UTF-8 form of
 * the lone surrogate); each such triple becomes the single original byte.
 * Works in place; returns the new length. */
size_t spool_json_unescape_bytes(char *s, size_t n);

#endif
