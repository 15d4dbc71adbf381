/* rec_access: the typed accessors of the record reader that rec_parse.c
 * and rec_pkg.c share (strings, text, lookups, messages). See
 * rec_access.h for the contracts. */
#include "spool_err.h"
#include "rec_access.h"

#include <stdio.h>
#include <string.h>

#include "spool_json.h"

/* Element paths are written "name[*]" while checking (formatting every
 * element's path was a large share of the parse time); a failure puts the
 * real index into the message. */
int fix_index(struct ctx *c, size_t i)
{
    char *p = c->err ? strstr(c->err, "[*]") : NULL;
    if (p) {
        char tail[256], num[24];
        snprintf(tail, sizeof tail, "%s", p + 3);
        snprintf(num, sizeof num, "[%zu]", i);
        snprintf(p, c->errlen - (size_t)(p - c->err), "%s%s", num, tail);
    }
    return -1;
}

yajl_val obj_get(yajl_val obj, const char *key)
{
    size_t n = obj->u.object.len;
    /* First byte before strcmp: the root has some 20 keys, looked up ~25
     * times per record. */
    for (size_t i = 0; i < n; i++)
        if (obj->u.object.keys[i][0] == key[0] && strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

const char *type_name(yajl_val v)
{
    switch (v->type) {
    case yajl_t_string: return "a string";
    case yajl_t_number: return "a number";
    case yajl_t_object: return "an object";
    case yajl_t_array:  return "an array";
    case yajl_t_true:
    case yajl_t_false:  return "a boolean";
    case yajl_t_null:   return "null";
    default:            return "something else";
    }
}

/* Decodes a yajl string in place into bytes. The tree's strings are
 * NUL-terminated and (after prescan) hold no NUL, so strlen is their length;
 * unescaping only shrinks them. */
int get_str_val(struct ctx *c, yajl_val v, const char *key, size_t max,
                       struct rec_str *out)
{
    if (v->type != yajl_t_string)
        return spool_seterr(c->err, c->errlen, "key '%s': expected a string, got %s", key, type_name(v));
    size_t n = strlen(v->u.string);
    n = spool_json_unescape_bytes(v->u.string, n);
    if (n > max)
        return spool_seterr(c->err, c->errlen, "key '%s': %zu bytes, at most %zu allowed", key, n, max);
    out->s = v->u.string;
    out->len = n;
    return 0;
}

/* Finds key in obj: 1 and *v when present; 0 when absent and optional;
 * -1 with "missing" when absent and required. */
int lookup(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
                  yajl_val *v)
{
    *v = obj_get(obj, key);
    if (*v)
        return 1;
    return required ? spool_seterr(c->err, c->errlen, "key '%s': missing", path) : 0;
}

/* required: 1 = must exist; absent (or null when allowed) leaves "" */
int get_str(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
                   size_t max, struct rec_str *out)
{
    yajl_val v;
    int found;
    out->s = "";
    out->len = 0;
    if ((found = lookup(c, obj, key, path, required, &v)) <= 0)
        return found;
    return get_str_val(c, v, path, max, out);
}

/* Text that goes into VARCHAR columns (syshost, user, host, job fields):
 * must be valid UTF-8 without control characters after decoding. */
int text_ok(struct ctx *c, const struct rec_str *s, const char *path)
{
    const unsigned char *p = (const unsigned char *)s->s;
    for (size_t i = 0; i < s->len;) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            return spool_seterr(c->err, c->errlen, "key '%s': control character 0x%02x", path, p[i]);
        size_t k = spool_utf8_seq(p + i, s->len - i);
        if (!k)
            return spool_seterr(c->err, c->errlen, "key '%s': not valid UTF-8 text", path);
        i += k;
    }
    return 0;
}

int get_text(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
                    size_t max, struct rec_str *out)
{
    if (get_str(c, obj, key, path, required, max, out) < 0)
        return -1;
    if (required && out->len == 0)
        return spool_seterr(c->err, c->errlen, "key '%s': empty", path);
    return text_ok(c, out, path);
}
