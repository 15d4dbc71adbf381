/* rec_prescan: one pass over a record's text before yajl sees it (internal
 * to rec_parse, tools only).
 *
 * It rejects what yajl would accept but silently alter, or could not survive:
 *  - a NUL byte (yajl_tree_parse stops at it) and a \u0000 escape (yajl's
 *    tree keeps strings NUL-terminated without a length: the tail would be
 *    lost; no writer can produce one from C strings);
 *  - bytes that are not strict UTF-8 (yajl only checks the shape, so raw
 *    ED B2 80 would pass and then be "unescaped" into a byte no writer sent);
 *  - \uD800..\uDBFF (yajl turns a lone high surrogate into '?', and pairs it
 *    with whatever \u follows) and lone surrogates other than \uDC80..\uDCFF,
 *    which are the only ones the writer's byte escape produces;
 *  - nesting deeper than SPOOL_JSON_DEPTH (yajl_tree_free recurses).
 * What remains decodes losslessly: spool_json_unescape_bytes maps each
 * ED B2..B3 xx back to its byte.
 *
 * It also finds the root's "objects" array, for the parser's memo
 * (rec_objmemo.h, docs/ingest.md "Validation"). */
#ifndef TRACK_REC_PRESCAN_H
#define TRACK_REC_PRESCAN_H

#include <stddef.h>

/* Where the root's "objects" array lies, for the memo (rec_objmemo.h). Set
 * only when nothing could make a byte-level reading disagree with yajl's:
 * exactly one root key spelled "objects", no root key with an escape (yajl
 * would decode "obj\u0065cts" to a second one), and every root string
 * followed by what valid JSON allows there. */
struct rec_span {
    size_t start, end;   /* the array's '[' and one past its ']'; end 0: none */
    int keys;            /* root keys spelled "objects" */
    int unsure;          /* something the reading above does not cover */
    int open;            /* inside the array */
};

/* Checks the n bytes at s as described above and fills *sp. Returns 0, or
 * -1 with a one-line reason naming the offset in err. */
int rec_prescan(const unsigned char *s, size_t n, struct rec_span *sp, char *err, size_t errlen);

#endif
