/* rec_tree: the arena and the yajl callbacks that build a record's tree
 * (rec_tree.h says why). */
#include "rec_tree.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "spool_err.h"
#include "spool_json.h"

/* The scratch arena: a chain of blocks, newest first. */
struct arena_blk {
    struct arena_blk *next;
    size_t cap, used;
    max_align_t data[];
};

struct arena {
    struct arena_blk *blk;   /* current block first */
    size_t first;            /* capacity of a first block */
};

/* n bytes aligned to al (a power of two <= max_align_t). */
static void *arena_take(struct arena *a, size_t n, size_t al)
{
    struct arena_blk *b = a->blk;
    size_t off = b ? (b->used + al - 1) & ~(al - 1) : 0;
    if (!b || off > b->cap || b->cap - off < n) {
        size_t cap = b ? b->cap * 2 : (a->first ? a->first : 16384);
        if (cap < n)
            cap = n;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->next = a->blk;
        a->blk = b;
        off = 0;
    }
    b->used = off + n;
    return (char *)b->data + off;
}

static void *arena_alloc(struct arena *a, size_t n)
{
    return arena_take(a, n, sizeof(max_align_t));
}

static void arena_free(struct arena *a)
{
    for (struct arena_blk *b = a->blk, *nx; b; b = nx) {
        nx = b->next;
        free(b);
    }
    a->blk = NULL;
}

/* Empties a for the next record; a chain of blocks becomes one block of
 * their total size (allocated on first use), so the next record fits. */
static void arena_reset(struct arena *a)
{
    if (a->blk && a->blk->next) {
        size_t total = 0;
        for (struct arena_blk *b = a->blk; b; b = b->next)
            total += b->cap;
        arena_free(a);
        a->first = total;
    } else if (a->blk) {
        a->blk->used = 0;
    }
}

struct rec_mem *rec_mem_new(size_t cap)
{
    struct rec_mem *m = malloc(sizeof *m + cap);
    if (!m)
        return NULL;
    m->arrays = NULL;
    m->cap = cap;
    m->used = 0;
    return m;
}

char *rec_mem_str(struct rec_mem *m, const void *s, size_t n)
{
    if (m->cap - m->used < n + 1)
        return NULL;
    char *p = m->data + m->used;
    memcpy(p, s, n);
    p[n] = '\0';
    m->used += n + 1;
    return p;
}

void rec_mem_free(struct rec_mem *m)
{
    if (!m)
        return;
    free(m->arrays);
    free(m);
}

/* ---- tree builder (yajl callbacks) ---------------------------------------
 * Children of open containers wait on one pointer stack (for objects: key,
 * value, key, value...); closing a container copies its children into the
 * arena. Depth is bounded by prescan; the bound is checked again here. */
struct build {
    struct arena *tree;      /* scratch: nodes, keys, numbers, arrays */
    struct rec_mem *m;       /* the record's: string values */
    void **stk;
    size_t n, cap;
    yajl_val open[SPOOL_JSON_DEPTH + 2];
    size_t base[SPOOL_JSON_DEPTH + 2];
    int depth;
    yajl_val root;
    int oom;
};

static int b_push(struct build *b, void *p)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        void **s = realloc(b->stk, cap * sizeof *s);
        if (!s) {
            b->oom = 1;
            return 0;
        }
        b->stk = s;
        b->cap = cap;
    }
    b->stk[b->n++] = p;
    return 1;
}

static yajl_val b_new(struct build *b, yajl_type t)
{
    yajl_val v = arena_alloc(b->tree, sizeof *v);
    if (!v) {
        b->oom = 1;
        return NULL;
    }
    memset(v, 0, sizeof *v);
    v->type = t;
    return v;
}

/* A finished value: the root, or the next child of the open container. */
static int b_add(struct build *b, yajl_val v)
{
    if (!v)
        return 0;
    if (b->depth == 0) {
        b->root = v;
        return 1;
    }
    return b_push(b, v);
}

/* Keys and numbers' text: scratch, gone with the tree. */
static char *b_strdup(struct build *b, const unsigned char *s, size_t len)
{
    char *p = arena_take(b->tree, len + 1, 1);
    if (!p) {
        b->oom = 1;
        return NULL;
    }
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static int cb_null(void *ctx)
{
    struct build *b = ctx;
    return b_add(b, b_new(b, yajl_t_null));
}

static int cb_boolean(void *ctx, int val)
{
    struct build *b = ctx;
    return b_add(b, b_new(b, val ? yajl_t_true : yajl_t_false));
}

/* As yajl_tree: the raw text, and i when it is an integer that fits (the
 * validator only reads r, i and YAJL_NUMBER_INT_VALID). */
static int cb_number(void *ctx, const char *s, size_t len)
{
    struct build *b = ctx;
    yajl_val v = b_new(b, yajl_t_number);
    if (!v)
        return 0;
    v->u.number.r = b_strdup(b, (const unsigned char *)s, len);
    if (!v->u.number.r)
        return 0;
    const char *p = v->u.number.r;
    int neg = *p == '-';
    unsigned long long acc = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    int ok = 1;
    p += neg;
    if (!*p)
        ok = 0;
    for (; *p && ok; p++) {
        if (*p < '0' || *p > '9' || acc > (lim - (unsigned)(*p - '0')) / 10) {
            ok = 0;
            break;
        }
        acc = acc * 10 + (unsigned)(*p - '0');
    }
    if (ok) {
        v->u.number.i = neg ? (long long)(0 - acc) : (long long)acc;
        v->u.number.flags = YAJL_NUMBER_INT_VALID;
    }
    return b_add(b, v);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    struct build *b = ctx;
    yajl_val v = b_new(b, yajl_t_string);
    if (!v)
        return 0;
    /* String values are what the record keeps: straight into its block. */
    if (!(v->u.string = rec_mem_str(b->m, s, len))) {
        b->oom = 1;
        return 0;
    }
    return b_add(b, v);
}

static int cb_open(struct build *b, yajl_type t)
{
    if (b->depth > SPOOL_JSON_DEPTH)
        return 0;
    yajl_val v = b_new(b, t);
    if (!v)
        return 0;
    b->open[b->depth] = v;
    b->base[b->depth] = b->n;
    b->depth++;
    return 1;
}

static int cb_start_map(void *ctx)
{
    return cb_open(ctx, yajl_t_object);
}

static int cb_start_array(void *ctx)
{
    return cb_open(ctx, yajl_t_array);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    struct build *b = ctx;
    char *k = b_strdup(b, s, len);
    return k && b_push(b, k);
}

static int cb_close(struct build *b)
{
    if (b->depth == 0)
        return 0;
    b->depth--;
    yajl_val v = b->open[b->depth];
    size_t base = b->base[b->depth], k = b->n - base;
    if (v->type == yajl_t_object) {
        size_t np = k / 2;
        const char **keys = arena_alloc(b->tree, (np ? np : 1) * sizeof *keys);
        yajl_val *vals = arena_alloc(b->tree, (np ? np : 1) * sizeof *vals);
        if (!keys || !vals) {
            b->oom = 1;
            return 0;
        }
        for (size_t i = 0; i < np; i++) {
            keys[i] = b->stk[base + 2 * i];
            vals[i] = b->stk[base + 2 * i + 1];
        }
        v->u.object.keys = keys;
        v->u.object.values = vals;
        v->u.object.len = np;
    } else {
        yajl_val *vals = arena_alloc(b->tree, (k ? k : 1) * sizeof *vals);
        if (!vals) {
            b->oom = 1;
            return 0;
        }
        if (k)
            memcpy(vals, b->stk + base, k * sizeof *vals);
        v->u.array.values = vals;
        v->u.array.len = k;
    }
    b->n = base;
    return b_add(b, v);
}

static int cb_end(void *ctx)
{
    return cb_close(ctx);
}

static const yajl_callbacks build_cbs = {
    cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end
};

/* yajl's own memory (handle, lexer, buffers) from the same scratch arena:
 * a handle per record no longer means a handful of malloc/free pairs. Each
 * block carries its size for realloc; free is a no-op (the arena is reset
 * after the record). */
static void *y_malloc(void *ctx, size_t n)
{
    size_t *p = arena_alloc(ctx, n + sizeof(max_align_t));
    if (!p)
        return NULL;
    *p = n;
    return (char *)p + sizeof(max_align_t);
}

static void *y_realloc(void *ctx, void *old, size_t n)
{
    void *p = y_malloc(ctx, n);
    if (p && old) {
        size_t was = *(size_t *)(void *)((char *)old - sizeof(max_align_t));
        memcpy(p, old, was < n ? was : n);
    }
    return p;
}

static void y_free(void *ctx, void *p)
{
}

/* ---- error reporting ---------------------------------------------------- */

/* yajl's verbose message spans lines and quotes raw input: flatten it to one
 * printable line. */
static void one_line(char *s)
{
    char *w = s;
    int space = 0;
    for (char *r = s; *r; r++) {
        unsigned char c = (unsigned char)*r;
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = (w != s);
            continue;
        }
        if (space) {
            *w++ = ' ';
            space = 0;
        }
        *w++ = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    *w = '\0';
}

/* ---- one record --------------------------------------------------------- */

int rec_tree_parse(struct rec_parser *p, struct rec_mem *m, const char *buf, size_t len,
                   size_t skip_start, size_t skip_end, yajl_val *root, char *err,
                   size_t errlen)
{
    struct arena tree = { p->blk_, p->first_ };
    struct build b;
    yajl_handle h = NULL;
    int rc = -1;

    *root = NULL;
    memset(&b, 0, sizeof b);
    b.stk = p->stk_;
    b.cap = p->stk_cap_;
    b.tree = &tree;
    b.m = m;
    yajl_alloc_funcs af = { y_malloc, y_realloc, y_free, &tree };
    h = yajl_alloc(&build_cbs, &af, &b);
    if (!h) {
        spool_seterr(err, errlen, "out of memory (%zu bytes)", len);
        goto out;
    }
    /* Strict JSON: no comments (no writer emits one, and prescan's reading
     * of strings and brackets relies on it). Strings need no second UTF-8
     * check: prescan has checked every byte strictly. */
    yajl_config(h, yajl_dont_validate_strings, 1);
    const unsigned char *u = (const unsigned char *)buf;
    yajl_status st;
    if (skip_end) {
        /* yajl is a stream parser: three pieces read as one text. */
        st = yajl_parse(h, u, skip_start);
        if (st == yajl_status_ok)
            st = yajl_parse(h, (const unsigned char *)"[]", 2);
        if (st == yajl_status_ok)
            st = yajl_parse(h, u + skip_end, len - skip_end);
    } else {
        st = yajl_parse(h, u, len);
    }
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (b.oom) {
        spool_seterr(err, errlen, "out of memory (%zu bytes)", len);
        goto out;
    }
    if (st != yajl_status_ok || !b.root) {
        char ybuf[256] = "";
        if (!skip_end) {   /* a shortened text's failure is reported by the full parse */
            unsigned char *ye = yajl_get_error(h, 1, u, len);
            snprintf(ybuf, sizeof ybuf, "%s", ye ? (const char *)ye : "");
            if (ye)
                yajl_free_error(h, ye);
            one_line(ybuf);
        }
        spool_seterr(err, errlen, "invalid JSON: %s", ybuf[0] ? ybuf : "parse error");
        goto out;
    }
    *root = b.root;
    rc = 0;
out:
    /* The handle's memory is the arena's (y_free does nothing): the tree
     * outlives it. */
    if (h)
        yajl_free(h);
    p->blk_ = tree.blk;
    p->first_ = tree.first;
    p->stk_ = b.stk;
    p->stk_cap_ = b.cap;
    return rc;
}

void rec_tree_reset(struct rec_parser *p)
{
    struct arena tree = { p->blk_, p->first_ };
    arena_reset(&tree);
    p->blk_ = tree.blk;
    p->first_ = tree.first;
}

void rec_tree_free(struct rec_parser *p)
{
    struct arena tree = { p->blk_, p->first_ };
    arena_free(&tree);
    free(p->stk_);
    p->blk_ = NULL;
    p->first_ = 0;
    p->stk_ = NULL;
    p->stk_cap_ = 0;
}
