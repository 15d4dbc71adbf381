/* rp_text: how report cells are shown. Paths, command lines and environment
 * values are bytes (VARBINARY): a table or CSV shows valid UTF-8 as it is
 * and every other byte as \xNN, so output is always valid UTF-8 and a
 * terminal never receives raw control bytes. JSON uses the record format's
 * reversible \udcXX escaping instead (spool_json). */
#ifndef TRACK_RP_TEXT_H
#define TRACK_RP_TEXT_H

#include <stdio.h>
#include <stddef.h>
#include "spool_text.h"   /* spool_text_escape: the escaping */


/* Display width of a valid UTF-8 string: its number of code points. */
size_t rp_text_width(const char *s, size_t n);

/* Writes n bytes of s as one JSON string (spool_json escaping: non-UTF-8
 * bytes as \udcXX). Returns 0, or -1 on ENOMEM or a write error. */
int rp_text_json_str(FILE *f, const char *s, size_t n);

/* Returns 1 if s (n bytes) is a JSON number (RFC 8259 grammar), else 0. */
int rp_text_is_json_number(const char *s, size_t n);

#endif
