/* rec_objmemo: the record parser's memo of validated "objects" arrays
 * (internal to rec_parse; see docs/ingest.md "Validation").
 *
 * Most records repeat an object list seen before, byte for byte: the same
 * executable loads the same libraries, and a run's end record repeats its
 * start record's list. That array is most of a record (figures in
 * docs/performance.md "Figures behind comments"). The memo maps
 * the exact JSON text of an array that was fully parsed and validated to its
 * decoded objects, so that the next record carrying the same bytes skips
 * lexing and checking them again. A hit is decided by comparing every byte
 * (the hash only finds the candidate), so what a hit returns is what a full
 * parse of those bytes returned.
 *
 * Bounded: arrays longer than REC_OBJMEMO_SPAN_MAX bytes are not kept, and
 * when the entries' total would pass REC_OBJMEMO_BYTES the memo is emptied
 * (a month's distinct lists fit many times over; emptying is simpler than
 * an eviction order and costs one more full parse per list). */
#ifndef TRACK_REC_OBJMEMO_H
#define TRACK_REC_OBJMEMO_H

#include <stddef.h>
#include <stdint.h>

#include "rec_parse.h"

#define REC_OBJMEMO_SPAN_MAX (256 * 1024)
#define REC_OBJMEMO_BYTES    (16 * 1024 * 1024)

struct rec_objmemo;        /* opaque; NULL is an empty memo */
struct rec_objmemo_ent;

/* The entry whose text is exactly the n bytes at span (hash h =
 * spool_hash(span, n)), or NULL. */
const struct rec_objmemo_ent *rec_objmemo_find(const struct rec_objmemo *m, uint64_t h,
                                               const char *span, size_t n);

/* Remembers that the n bytes at span (hash h) decode to the nobj objects
 * at objs (their strings are copied). *mp is created on first use. Returns
 * 0, or -1 when nothing was kept (too large, no free slot within 16 probes
 * of h's home, or out of memory: the memo is only an optimisation, so
 * callers carry on). Lookups give up after as many probes. */
int rec_objmemo_put(struct rec_objmemo **mp, uint64_t h, const char *span, size_t n,
                    const struct rec_object *objs, size_t nobj);

/* Number of objects of e, and the bytes their strings take (NULs included). */
size_t rec_objmemo_count(const struct rec_objmemo_ent *e);
size_t rec_objmemo_strbytes(const struct rec_objmemo_ent *e);

/* Fills out[0..count) with e's objects; their strings are copied to dst,
 * which must have room for rec_objmemo_strbytes(e) bytes and outlives out
 * (empty strings point to a static ""). */
void rec_objmemo_copy(const struct rec_objmemo_ent *e, struct rec_object *out, char *dst);

/* Frees the memo and every entry; m may be NULL. */
void rec_objmemo_free(struct rec_objmemo *m);

#endif
