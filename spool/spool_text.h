/* spool_text: how untrusted bytes are shown to a person (report cells,
 * parser messages naming a token): valid UTF-8 as it is, everything else
 * escaped, so that output is always valid UTF-8 and a terminal never
 * receives raw control bytes. */
#ifndef TRACK_SPOOL_TEXT_H
#define TRACK_SPOOL_TEXT_H

#include <stddef.h>

/* Escapes n bytes of s for display: valid UTF-8 sequences of printable
 * characters pass through, '\\' becomes "\\\\", control characters (C0, DEL)
 * and bytes that are not valid UTF-8 become "\xNN". Returns a malloc'd
 * NUL-terminated string (caller frees) and sets *outlen; NULL on ENOMEM. */
char *spool_text_escape(const char *s, size_t n, size_t *outlen);

#endif
