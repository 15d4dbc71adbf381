/* ingest_load: batch -> SQL. See ingest_load.h and docs/schema.md; the
 * content caches are in ingest_content.c, the run and link rows in
 * ingest_rows.c. */
#include "ingest_load.h"
#include "ingest_tally.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_content.h"
#include "ingest_days.h"
#include "ingest_load_priv.h"
#include "ingest_pkg.h"
#include "ingest_rows.h"
#include "ingest_sha256.h"
#include "spool_json.h"

/* ---- pending rows: keys the dicts do not know yet ----------------------- */

struct pend {
    struct ingest_dict seen;     /* key -> index + 1, dedupes within a batch */
    unsigned char *keys;         /* n * 32 */
    size_t n, cap;
    struct ingest_buf vals;      /* per row: the SQL after the key, ",a,b" */
    size_t *voff;                /* n + 1 offsets into vals */
    uint32_t *mem;               /* set members, moff[i]..moff[i+1] */
    size_t nmem, capmem;
    size_t *moff;                /* n + 1 */
    int oom;
};

static void pend_reset(struct pend *p)
{
    ingest_dict_clear(&p->seen);
    ingest_buf_reset(&p->vals);
    p->n = 0;
    p->nmem = 0;
    p->oom = 0;
}

static void pend_free(struct pend *p)
{
    ingest_dict_free(&p->seen);
    ingest_buf_free(&p->vals);
    free(p->keys);
    free(p->voff);
    free(p->mem);
    free(p->moff);
    memset(p, 0, sizeof *p);
}

/* Adds a row unless its key is already pending. The value fragment is
 * whatever the caller appended to p->vals since `mark`; it is dropped again
 * for a duplicate. */
static void pend_commit(struct pend *p, const unsigned char key[32], size_t mark,
                        const uint32_t *members, size_t nmembers)
{
    if (ingest_dict_get(&p->seen, key)) {
        p->vals.len = mark;
        return;
    }
    if (p->n + 2 > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        unsigned char *k = realloc(p->keys, cap * 32);
        if (k)
            p->keys = k;
        size_t *v = realloc(p->voff, (cap + 1) * sizeof *v);
        if (v)
            p->voff = v;
        size_t *m = realloc(p->moff, (cap + 1) * sizeof *m);
        if (m)
            p->moff = m;
        if (!k || !v || !m) {
            p->oom = 1;
            return;
        }
        p->cap = cap;
    }
    if (p->nmem + nmembers > p->capmem) {
        size_t cap = p->capmem ? p->capmem : 1024;
        while (cap < p->nmem + nmembers)
            cap *= 2;
        uint32_t *m = realloc(p->mem, cap * sizeof *m);
        if (!m) {
            p->oom = 1;
            return;
        }
        p->mem = m;
        p->capmem = cap;
    }
    if (p->n == 0) {
        p->voff[0] = 0;
        p->moff[0] = 0;
    }
    memcpy(p->keys + 32 * p->n, key, 32);
    if (nmembers)   /* members may be NULL (and p->mem still unallocated) */
        memcpy(p->mem + p->nmem, members, nmembers * sizeof *members);
    p->nmem += nmembers;
    p->n++;
    p->voff[p->n] = p->vals.len;
    p->moff[p->n] = p->nmem;
    if (ingest_dict_put(&p->seen, key, (uint32_t)p->n) < 0)
        p->oom = 1;
}

/* One row of "SELECT id,key": the id of key into the dict. */
static int put_id(void *ctx, char **col, const unsigned long *len)
{
    struct ingest_dict *dict = ctx;
    if (col[0] && col[1] && len[1] == 32 &&
        ingest_dict_put(dict, (const unsigned char *)col[1],
                        (uint32_t)strtoul(col[0], NULL, 10)) < 0)
        return 1;   /* out of memory */
    return 0;
}

/* INSERT IGNORE the pending rows, SELECT their ids into dict, then (for
 * sets) INSERT IGNORE the members. */
static int flush(struct ingest_loader *L, struct pend *p, const char *table, const char *cols,
                 const char *keycol, struct ingest_dict *dict, const char *mtable,
                 const char *mcol)
{
    struct ingest_buf *b = &L->sql;
    if (p->oom)
        return ingest_db_oom(L->db);
    if (p->n == 0)
        return 0;
    /* rows */
    ingest_buf_reset(b);
    for (size_t i = 0; i < p->n; i++) {
        if (b->len == 0)
            ingest_buf_fmt(b, "INSERT IGNORE INTO %s (%s,%s) VALUES ", table, keycol, cols);
        else
            ingest_buf_add(b, ",", 1);
        ingest_buf_add(b, "(", 1);
        ingest_buf_hex(b, p->keys + 32 * i, 32);
        ingest_buf_add(b, p->vals.s + p->voff[i], p->voff[i + 1] - p->voff[i]);
        ingest_buf_add(b, ")", 1);
        if (b->len > L->max_stmt || i + 1 == p->n) {
            if (ingest_db_exec_buf(L->db, &L->sql) < 0)
                return -1;
            ingest_buf_reset(b);
        }
    }
    /* ids */
    for (size_t i = 0; i < p->n; i++) {
        if (b->len == 0)
            ingest_buf_fmt(b, "SELECT id,%s FROM %s WHERE %s IN (", keycol, table, keycol);
        else
            ingest_buf_add(b, ",", 1);
        ingest_buf_hex(b, p->keys + 32 * i, 32);
        if (b->len > L->max_stmt || i + 1 == p->n) {
            ingest_buf_add(b, ")", 1);
            if (b->oom)
                return ingest_db_oom(L->db);
            int q = ingest_db_select(L->db, b->s, b->len, put_id, dict);
            if (q < 0)
                return -1;
            if (q > 0)
                return ingest_db_oom(L->db);
            ingest_buf_reset(b);
        }
    }
    for (size_t i = 0; i < p->n; i++)
        if (!ingest_dict_get(dict, p->keys + 32 * i)) {
            return ingest_db_fail(L->db, "%s: a row inserted for a new key cannot be read "
                                  "back", table);
        }
    /* members */
    if (mtable && p->nmem) {
        for (size_t i = 0; i < p->n; i++) {
            uint32_t sid = ingest_dict_get(dict, p->keys + 32 * i);
            for (size_t k = p->moff[i]; k < p->moff[i + 1]; k++) {
                if (b->len == 0)
                    ingest_buf_fmt(b, "INSERT IGNORE INTO %s (set_id,%s) VALUES ", mtable, mcol);
                else
                    ingest_buf_add(b, ",", 1);
                ingest_buf_fmt(b, "(%" PRIu32 ",%" PRIu32 ")", sid, p->mem[k]);
            }
            if (b->len > L->max_stmt || (i + 1 == p->n && b->len)) {
                if (ingest_db_exec_buf(L->db, &L->sql) < 0)
                    return -1;
                ingest_buf_reset(b);
            }
        }
    }
    pend_reset(p);
    return 0;
}

/* ---- keys --------------------------------------------------------------- */

static void key_object(const struct rec_object *o, unsigned char out[32])
{
    struct ingest_sha256 c;
    ingest_sha256_init(&c);
    ingest_sha256_update(&c, o->path.s, o->path.len);
    ingest_sha256_update(&c, "", 1);
    ingest_sha256_update(&c, o->build_id.s, o->build_id.len);
    ingest_sha256_update(&c, "", 1);
    ingest_sha256_update(&c, o->signature.s, o->signature.len);
    ingest_sha256_final(&c, out);
}

static void key_bytes(const void *p, size_t n, unsigned char out[32])
{
    struct ingest_sha256 c;
    ingest_sha256_init(&c);
    ingest_sha256_update(&c, p, n);
    ingest_sha256_final(&c, out);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts and dedupes ids in place, returns the new count and the set key. */
static size_t key_set(uint32_t *ids, size_t n, unsigned char out[32])
{
    struct ingest_sha256 c;
    size_t w = 0;
    qsort(ids, n, sizeof *ids, cmp_u32);
    ingest_sha256_init(&c);
    for (size_t i = 0; i < n; i++) {
        if (i && ids[i] == ids[i - 1])
            continue;
        ids[w++] = ids[i];
        unsigned char be[4] = { (unsigned char)(ids[i] >> 24), (unsigned char)(ids[i] >> 16),
                                (unsigned char)(ids[i] >> 8), (unsigned char)ids[i] };
        ingest_sha256_update(&c, be, 4);
    }
    ingest_sha256_final(&c, out);
    return w;
}

static void work_free(struct ingest_work *w, size_t n)
{
    for (size_t i = 0; w && i < n; i++)
        free(w[i].okeys);   /* one block with mkeys, nkeys, pkeys, oids, skip */
    free(w);
}

void ingest_load_init(struct ingest_loader *L, struct ingest_db *db)
{
    memset(L, 0, sizeof *L);
    L->db = db;
    L->max_stmt = 1 << 20;
    L->c_exe.max_bytes = L->c_oset.max_bytes = L->c_mset.max_bytes = L->c_eset.max_bytes =
        64u << 20;
}

void ingest_load_prep(const struct rec *r, struct ingest_prep *p)
{
    ingest_content_prep(r, p);
}

void ingest_load_forget(struct ingest_loader *L)
{
    ingest_ccache_clear(&L->c_exe);
    ingest_ccache_clear(&L->c_oset);
    ingest_ccache_clear(&L->c_mset);
    ingest_ccache_clear(&L->c_eset);
    ingest_dict_clear(&L->obj);
    ingest_dict_clear(&L->oset);
    ingest_dict_clear(&L->mod);
    ingest_dict_clear(&L->mset);
    ingest_dict_clear(&L->ename);
    ingest_dict_clear(&L->epair);
    ingest_dict_clear(&L->eset);
}

void ingest_load_free(struct ingest_loader *L)
{
    ingest_dict_free(&L->obj);
    ingest_dict_free(&L->oset);
    ingest_dict_free(&L->mod);
    ingest_dict_free(&L->mset);
    ingest_dict_free(&L->ename);
    ingest_dict_free(&L->epair);
    ingest_dict_free(&L->eset);
    ingest_ccache_free(&L->c_exe);
    ingest_ccache_free(&L->c_oset);
    ingest_ccache_free(&L->c_mset);
    ingest_ccache_free(&L->c_eset);
    ingest_buf_free(&L->sql);
    free(L->uids);
    memset(L, 0, sizeof *L);
}

/* ---- the batch ---------------------------------------------------------- */

/* One batch on its way through the four phases below: each phase sends
 * what the next one needs the ids of. */
struct batch {
    struct ingest_loader *L;
    struct rec *const *recs;
    const struct ingest_prep *const *preps;
    size_t n;
    struct ingest_work *w;
    /* rows the dicts do not know yet, per table */
    struct pend pobj, pmod, pname, poset, pmset, ppair, peset;
    struct ingest_buf tmp;       /* scratch */
    uint32_t *ids;               /* scratch: the member ids of one set */
    size_t capids;
};

/* Room for need ids in B->ids. 0, or -1 when out of memory. */
static int ids_room(struct batch *B, size_t need)
{
    if (need <= B->capids)
        return 0;
    free(B->ids);
    B->capids = need;
    B->ids = malloc(B->capids * sizeof *B->ids);
    return B->ids ? 0 : -1;
}

/* Phase 1 for record i: its content-cache lookups, and on a miss the keys
 * of its objects, modules and variable names (pending when unknown). */
static int keys_of_record(struct batch *B, size_t i)
{
    struct ingest_loader *L = B->L;
    const struct rec *r = B->recs[i];
    struct ingest_work *x = &B->w[i];
    /* one block per record (sizes bounded by rec_parse: no overflow) */
    size_t nk = r->nobjects + 1 + r->nmodules + 2 * r->nenv;
    size_t zero = (r->nobjects + 1) * sizeof *x->oids + r->nenv + 1;
    if (!(x->okeys = malloc(nk * 32 + zero)))
        return -1;
    x->mkeys = x->okeys + (r->nobjects + 1) * 32;
    x->nkeys = x->mkeys + r->nmodules * 32;
    x->pkeys = x->nkeys + r->nenv * 32;
    x->oids = (uint32_t *)(void *)(x->pkeys + r->nenv * 32);   /* 32-byte multiples: aligned */
    x->skip = (unsigned char *)(x->oids + r->nobjects + 1);
    memset(x->oids, 0, zero);
    const struct ingest_prep *pp = B->preps ? B->preps[i] : NULL;
    if (!pp) {
        ingest_load_prep(r, &x->own);
        pp = &x->own;
    }
    if (r->kind != SPOOL_KIND_LINK)
        x->exe_id = ingest_content_lookup(&L->c_exe, r, pp, 0, &x->missed);
    x->oset_id = ingest_content_lookup(&L->c_oset, r, pp, 1, &x->missed);
    if (r->nmodules) {
        x->has_mset = 1;
        x->mset_id = ingest_content_lookup(&L->c_mset, r, pp, 2, &x->missed);
    }
    if (r->nenv) {
        x->has_eset = 1;
        x->eset_id = ingest_content_lookup(&L->c_eset, r, pp, 3, &x->missed);
    }
    /* A list never seen (a new executable, or one that loaded extra
     * libraries) mostly holds objects seen before: the object cache
     * (the exe cache: same serialization) answers them without SHA-256. */
    if (!x->oset_id)
        for (size_t k = 0; k < r->nobjects; k++)
            x->oids[k + 1] = ingest_content_object(&L->c_exe, &r->objects[k]);

    for (size_t k = 0; k <= r->nobjects; k++) {
        const struct rec_object *o = k == 0 ? &r->exe : &r->objects[k - 1];
        if (k == 0 ? (r->kind == SPOOL_KIND_LINK || x->exe_id) : (x->oset_id || x->oids[k]))
            continue;
        key_object(o, x->okeys + 32 * k);
        if (ingest_dict_get(&L->obj, x->okeys + 32 * k))
            continue;
        size_t mark = B->pobj.vals.len;
        ingest_buf_add(&B->pobj.vals, ",", 1);
        ingest_buf_hex(&B->pobj.vals, o->path.s, o->path.len);
        ingest_buf_add(&B->pobj.vals, ",", 1);
        ingest_buf_text(&B->pobj.vals, o->build_id.s, o->build_id.len);
        ingest_buf_add(&B->pobj.vals, ",", 1);
        ingest_buf_text(&B->pobj.vals, o->signature.s, o->signature.len);
        pend_commit(&B->pobj, x->okeys + 32 * k, mark, NULL, 0);
    }
    for (size_t k = 0; k < r->nmodules && !x->mset_id; k++) {
        key_bytes(r->modules[k].s, r->modules[k].len, x->mkeys + 32 * k);
        if (ingest_dict_get(&L->mod, x->mkeys + 32 * k))
            continue;
        size_t mark = B->pmod.vals.len;
        ingest_buf_add(&B->pmod.vals, ",", 1);
        ingest_buf_hex(&B->pmod.vals, r->modules[k].s, r->modules[k].len);
        pend_commit(&B->pmod, x->mkeys + 32 * k, mark, NULL, 0);
    }
    for (size_t k = 0; k < r->nenv && !x->eset_id; k++) {
        key_bytes(r->env[k].name.s, r->env[k].name.len, x->nkeys + 32 * k);
        /* getenv sees the first of repeated names: so do we. Quadratic,
         * but env holds the few variables the site selects. */
        for (size_t j = 0; j < k && !x->skip[k]; j++)
            if (!x->skip[j] && memcmp(x->nkeys + 32 * j, x->nkeys + 32 * k, 32) == 0)
                x->skip[k] = 1;
        if (x->skip[k] || ingest_dict_get(&L->ename, x->nkeys + 32 * k))
            continue;
        size_t mark = B->pname.vals.len;
        ingest_buf_add(&B->pname.vals, ",", 1);
        ingest_buf_hex(&B->pname.vals, r->env[k].name.s, r->env[k].name.len);
        pend_commit(&B->pname, x->nkeys + 32 * k, mark, NULL, 0);
    }
    return 0;
}

/* 1. content caches first; on a miss, objects, modules and variable names
 * by SHA-256 key. 0 or -1 (L->db->err). */
static int phase_objects(struct batch *B)
{
    struct ingest_loader *L = B->L;
    for (size_t i = 0; i < B->n; i++)
        if (keys_of_record(B, i) < 0)
            return ingest_db_oom(L->db);
    if (flush(L, &B->pobj, "track_object", "path,build_id,signature", "hkey", &L->obj, NULL,
              NULL) < 0 ||
        flush(L, &B->pmod, "track_module", "name", "hkey", &L->mod, NULL, NULL) < 0 ||
        flush(L, &B->pname, "track_env_name", "name", "hkey", &L->ename, NULL, NULL) < 0)
        return -1;
    return 0;
}

/* Phase 2 for record i: its object set, module set and (name, value) pairs
 * (pending when unknown). */
static int sets_of_record(struct batch *B, size_t i)
{
    struct ingest_loader *L = B->L;
    const struct rec *r = B->recs[i];
    struct ingest_work *x = &B->w[i];
    size_t need = r->nobjects > r->nmodules ? r->nobjects : r->nmodules;
    if (ids_room(B, need + 1) < 0)
        return -1;
    uint32_t *ids = B->ids;
    if (r->kind != SPOOL_KIND_LINK && !x->exe_id)
        x->exe_id = ingest_dict_get(&L->obj, x->okeys);
    if (!x->oset_id) {
        for (size_t k = 0; k < r->nobjects; k++) {
            ids[k] = x->oids[k + 1];
            if (!ids[k]) {
                ids[k] = ingest_dict_get(&L->obj, x->okeys + 32 * (k + 1));
                if (ids[k])   /* remembered until a rollback, like the others */
                    ingest_content_object_remember(&L->c_exe, &r->objects[k], ids[k], &B->tmp);
            }
        }
        size_t m = key_set(ids, r->nobjects, x->oskey);
        if (!ingest_dict_get(&L->oset, x->oskey)) {
            size_t mark = B->poset.vals.len;
            ingest_buf_fmt(&B->poset.vals, ",%zu", m);
            pend_commit(&B->poset, x->oskey, mark, ids, m);
        }
    }
    if (r->nmodules && !x->mset_id) {
        for (size_t k = 0; k < r->nmodules; k++)
            ids[k] = ingest_dict_get(&L->mod, x->mkeys + 32 * k);
        size_t m = key_set(ids, r->nmodules, x->mskey);
        if (!ingest_dict_get(&L->mset, x->mskey)) {
            size_t mark = B->pmset.vals.len;
            ingest_buf_fmt(&B->pmset.vals, ",%zu", m);
            pend_commit(&B->pmset, x->mskey, mark, ids, m);
        }
    }
    for (size_t k = 0; k < r->nenv && !x->eset_id; k++) {
        if (x->skip[k])
            continue;
        uint32_t nid = ingest_dict_get(&L->ename, x->nkeys + 32 * k);
        unsigned char be[4] = { (unsigned char)(nid >> 24), (unsigned char)(nid >> 16),
                                (unsigned char)(nid >> 8), (unsigned char)nid };
        struct ingest_sha256 c;
        ingest_sha256_init(&c);
        ingest_sha256_update(&c, be, 4);
        ingest_sha256_update(&c, r->env[k].value.s, r->env[k].value.len);
        ingest_sha256_final(&c, x->pkeys + 32 * k);
        if (ingest_dict_get(&L->epair, x->pkeys + 32 * k))
            continue;
        size_t mark = B->ppair.vals.len;
        ingest_buf_fmt(&B->ppair.vals, ",%" PRIu32 ",", nid);
        ingest_buf_hex(&B->ppair.vals, r->env[k].value.s, r->env[k].value.len);
        pend_commit(&B->ppair, x->pkeys + 32 * k, mark, NULL, 0);
    }
    return 0;
}

/* 2. object sets, module sets, (name, value) pairs of the misses. */
static int phase_sets(struct batch *B)
{
    struct ingest_loader *L = B->L;
    for (size_t i = 0; i < B->n; i++)
        if (sets_of_record(B, i) < 0)
            return ingest_db_oom(L->db);
    if (flush(L, &B->poset, "track_object_set", "nobjects", "skey", &L->oset,
              "track_object_set_member", "object_id") < 0 ||
        flush(L, &B->pmset, "track_module_set", "nmodules", "skey", &L->mset,
              "track_module_set_member", "module_id") < 0 ||
        flush(L, &B->ppair, "track_env_pair", "name_id,value", "hkey", &L->epair, NULL,
              NULL) < 0)
        return -1;
    return 0;
}

/* 3. env sets of the misses; then every id is known, and the misses'
 * contents are remembered (valid until a rollback). */
static int phase_env_sets(struct batch *B)
{
    struct ingest_loader *L = B->L;
    for (size_t i = 0; i < B->n; i++) {
        const struct rec *r = B->recs[i];
        struct ingest_work *x = &B->w[i];
        size_t m = 0;
        if (!x->oset_id)
            x->oset_id = ingest_dict_get(&L->oset, x->oskey);
        if (x->has_mset && !x->mset_id)
            x->mset_id = ingest_dict_get(&L->mset, x->mskey);
        if (!x->has_eset || x->eset_id)
            continue;
        if (ids_room(B, r->nenv + 1) < 0)
            return ingest_db_oom(L->db);
        for (size_t k = 0; k < r->nenv; k++)
            if (!x->skip[k])
                B->ids[m++] = ingest_dict_get(&L->epair, x->pkeys + 32 * k);
        m = key_set(B->ids, m, x->eskey);
        if (!ingest_dict_get(&L->eset, x->eskey)) {
            size_t mark = B->peset.vals.len;
            ingest_buf_fmt(&B->peset.vals, ",%zu", m);
            pend_commit(&B->peset, x->eskey, mark, B->ids, m);
        }
    }
    if (flush(L, &B->peset, "track_env_set", "nvars", "skey", &L->eset, "track_env_set_member",
              "pair_id") < 0)
        return -1;
    for (size_t i = 0; i < B->n; i++) {
        struct ingest_work *x = &B->w[i];
        const struct rec *r = B->recs[i];
        if (x->has_eset && !x->eset_id)
            x->eset_id = ingest_dict_get(&L->eset, x->eskey);
        uint32_t idv[4] = { x->exe_id, x->oset_id, x->mset_id, x->eset_id };
        struct ingest_ccache *cc[4] = { &L->c_exe, &L->c_oset, &L->c_mset, &L->c_eset };
        const struct ingest_prep *pp = B->preps && B->preps[i] ? B->preps[i] : &x->own;
        for (int k = 0; k < 4; k++)
            if ((x->missed & (1u << k)) && idv[k])
                ingest_content_remember(cc[k], r, pp, k, idv[k], &B->tmp);
        if ((r->kind != SPOOL_KIND_LINK && !x->exe_id) || !x->oset_id ||
            (x->has_mset && !x->mset_id) || (x->has_eset && !x->eset_id)) {
            return ingest_db_fail(L->db, "internal: unresolved id for run %s", r->run_uuid);
        }
    }
    return 0;
}

/* Four phases, each sending what the next needs the ids of: 1. objects,
 * modules, variable names; 2. their sets and the (name, value) pairs; 3.
 * env sets; 4. the run and link rows (ingest_rows.c), between the marks of
 * the roll-up days they change before and after (ingest_days.c). */
static int load_runs(struct ingest_loader *L, struct rec *const *recs,
                     const struct ingest_prep *const *preps, size_t n,
                     struct ingest_counts *counts)
{
    struct batch B;
    struct rec **runs = NULL;
    const struct ingest_prep **rpreps = NULL;
    size_t nruns = 0;
    int rc = -1;

    memset(&B, 0, sizeof B);
    /* Tally records have their own table (ingest_tally); the rest is runs
     * and links. */
    runs = malloc((n ? n : 1) * sizeof *runs);
    rpreps = malloc((n ? n : 1) * sizeof *rpreps);
    if (!runs || !rpreps) {
        ingest_db_oom(L->db);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (recs[i]->kind == SPOOL_KIND_TALLY)
            continue;
        runs[nruns] = recs[i];
        rpreps[nruns++] = preps ? preps[i] : NULL;
    }
    if (nruns < n && ingest_tally_send(L, recs, n, counts) < 0)
        goto out;
    recs = runs;
    preps = rpreps;
    n = nruns;
    B.L = L;
    B.recs = recs;
    B.preps = preps;
    B.n = n;
    B.w = calloc(n ? n : 1, sizeof *B.w);
    if (!B.w) {
        ingest_db_oom(L->db);
        goto out;
    }
    if (n && (phase_objects(&B) < 0 || phase_sets(&B) < 0 || phase_env_sets(&B) < 0 ||
        ingest_days_mark(L, recs, n, 1) < 0 ||
        ingest_rows_send(L, recs, B.w, n, counts) < 0 ||
        ingest_days_mark(L, recs, n, 0) < 0))
        goto out;
    rc = 0;
out:
    pend_free(&B.pobj);
    pend_free(&B.pmod);
    pend_free(&B.pname);
    pend_free(&B.poset);
    pend_free(&B.pmset);
    pend_free(&B.ppair);
    pend_free(&B.peset);
    ingest_buf_free(&B.tmp);
    free(B.ids);
    work_free(B.w, n);
    free(runs);
    free(rpreps);
    return rc;
}

/* Package records have their own tables (ingest_pkg.c): the batch is split,
 * run and link records keep their order. */
int ingest_load_batch(struct ingest_loader *L, struct rec *const *recs,
                      const struct ingest_prep *const *preps, size_t n,
                      struct ingest_counts *counts)
{
    size_t npkg = 0, nrun = 0, dups = 0;
    int rc = -1;

    memset(counts, 0, sizeof *counts);
    for (size_t i = 0; i < n; i++)
        npkg += recs[i]->kind == SPOOL_KIND_PKG;
    if (npkg == 0)
        return load_runs(L, recs, preps, n, counts);
    struct rec **runs = malloc((n + 1) * sizeof *runs), **pkgs = malloc((npkg + 1) * sizeof *pkgs);
    const struct ingest_prep **rp = malloc((n + 1) * sizeof *rp);
    if (!runs || !pkgs || !rp) {
        ingest_db_oom(L->db);
        goto out;
    }
    npkg = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i]->kind == SPOOL_KIND_PKG) {
            pkgs[npkg++] = recs[i];
        } else {
            rp[nrun] = preps ? preps[i] : NULL;
            runs[nrun++] = recs[i];
        }
    }
    if ((nrun && load_runs(L, runs, rp, nrun, counts) < 0) ||
        ingest_pkg_load(L->db, &L->sql, pkgs, npkg, &counts->pkgs, &dups) < 0)
        goto out;
    counts->dups += dups;
    rc = 0;
out:
    free(runs);
    free(pkgs);
    free(rp);
    return rc;
}
