/* rec_tree: a record's JSON as a yajl_val tree (internal to rec_parse,
 * tools only).
 *
 * yajl's event parser does the JSON and the callbacks in rec_tree.c build
 * the same yajl_val tree that yajl_tree_parse would, but inside one arena
 * per record: yajl_tree_parse mallocs every value, key, string and array
 * separately (hundreds per record) and frees them one by one, which costs
 * more than the parse itself (docs/performance.md).
 *
 * Two kinds of memory per record:
 *  - the parse tree (yajl_val nodes, keys, numbers' text, pointer arrays)
 *    is scratch: it lives in an arena of the rec_parser, reset for the next
 *    record, so it stays in the cache and is never faulted in again;
 *  - what the struct rec keeps (struct rec_mem): the decoded strings, in one
 *    block of len bytes (a string's decoded bytes plus its NUL never exceed
 *    its JSON token, quotes included, so all of them fit), and the four
 *    arrays in a second block. rec_free frees both. */
#ifndef TRACK_REC_TREE_H
#define TRACK_REC_TREE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "rec_parse.h"

/* What a struct rec owns (r->mem_): the strings, in data[], and the arrays. */
struct rec_mem {
    void *arrays;   /* one block for cmdline, modules, env, objects */
    size_t cap, used;
    char data[];
};

/* A rec_mem with room for cap bytes of strings and no arrays; NULL when out
 * of memory. rec_mem_free(NULL) does nothing. */
struct rec_mem *rec_mem_new(size_t cap);
void rec_mem_free(struct rec_mem *m);

/* A copy of s (n bytes, NUL added) in m; NULL if it does not fit, which the
 * size bound above rules out for what the tree holds. */
char *rec_mem_str(struct rec_mem *m, const void *s, size_t n);

/* Parses the len bytes at buf (checked by rec_prescan first) into a tree in
 * p's scratch memory; string values go into m. With skip_end > 0 the bytes
 * [skip_start, skip_end) are read as "[]" (the memo's objects array), and a
 * failure is reported without yajl's detail (the caller parses again in
 * full). Returns 0 and *root, or -1 with a one-line reason in err. The tree
 * lives until rec_tree_reset(p). */
int rec_tree_parse(struct rec_parser *p, struct rec_mem *m, const char *buf, size_t len,
                   size_t skip_start, size_t skip_end, yajl_val *root, char *err,
                   size_t errlen);

/* Empties p's scratch memory for the next record (keeps it allocated). */
void rec_tree_reset(struct rec_parser *p);

/* Frees p's scratch memory. */
void rec_tree_free(struct rec_parser *p);

#endif
