/* rec_access: the typed accessors the parts of the record reader share
 * (rec_parse.c, rec_pkg.c): they check one value of the yajl tree and
 * decode strings in place. Not for other modules: the public interface is
 * rec_parse.h. */
#ifndef TRACK_REC_ACCESS_H
#define TRACK_REC_ACCESS_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "rec_parse.h"

struct rec_objmemo_ent;

/* The reader's short names, exported under the module's prefix. */
#define obj_get     rec_acc_obj_get
#define type_name   rec_acc_type_name
#define fix_index   rec_acc_fix_index
#define lookup      rec_acc_lookup
#define get_str_val rec_acc_get_str_val
#define get_str     rec_acc_get_str
#define text_ok     rec_acc_text_ok
#define get_text    rec_acc_get_text

/* Where messages go. Keys in messages are paths: "objects[3].path". */
struct ctx {
    char *err;
    size_t errlen;
    const struct rec_objmemo_ent *hit;   /* the objects, when the memo had them */
};

/* Each returns 0, or -1 with the one-line reason in c->err. Strings are
 * decoded in place in the record's storage. */
yajl_val obj_get(yajl_val obj, const char *key);            /* NULL when absent */
const char *type_name(yajl_val v);                          /* "a string", ... */
/* An element path written "name[*]" gets its index i put in; returns -1. */
int fix_index(struct ctx *c, size_t i);
/* Finds key in obj: 1 and *v when present; 0 when absent and optional;
 * -1 with "missing" when absent and required. */
int lookup(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
           yajl_val *v);
/* A string value v, at most max bytes after decoding. */
int get_str_val(struct ctx *c, yajl_val v, const char *key, size_t max, struct rec_str *out);
/* The string member key of obj ("" when absent and not required). */
int get_str(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
            size_t max, struct rec_str *out);
/* s is valid UTF-8 without control characters. */
int text_ok(struct ctx *c, const struct rec_str *s, const char *path);
/* get_str, then text_ok; required also means not empty. */
int get_text(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
             size_t max, struct rec_str *out);

#endif
