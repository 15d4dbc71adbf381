/* rec_same: field-by-field comparison of two parsed records, for tests and
 * the fuzz target (a record parsed with the object-list memo must equal the
 * same text parsed without it). */
#ifndef TRACK_REC_SAME_H
#define TRACK_REC_SAME_H

#include <stddef.h>

#include "rec_parse.h"

/* 1 when a and b hold the same values (strings compared as bytes), else 0
 * with the first differing field's name in what (what may be NULL). */
int rec_same(const struct rec *a, const struct rec *b, char *what, size_t whatlen);

#endif
