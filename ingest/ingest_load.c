/* ingest_load: batch -> SQL. See ingest_load.h and docs/schema.md. */
#include "ingest_load.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_sha256.h"
#include "spool_json.h"
#include "spool_uuid.h"

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

static int oom(struct ingest_loader *L)
{
    snprintf(L->db->err, sizeof L->db->err, "out of memory building SQL");
    L->db->lost = 0;
    return -1;
}

static int send(struct ingest_loader *L)
{
    if (L->sql.oom)
        return oom(L);
    return ingest_db_exec(L->db, L->sql.s, L->sql.len);
}

/* INSERT IGNORE the pending rows, SELECT their ids into dict, then (for
 * sets) INSERT IGNORE the members. */
static int flush(struct ingest_loader *L, struct pend *p, const char *table, const char *cols,
                 const char *keycol, struct ingest_dict *dict, const char *mtable,
                 const char *mcol)
{
    struct ingest_buf *b = &L->sql;
    if (p->oom)
        return oom(L);
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
            if (send(L) < 0)
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
                return oom(L);
            MYSQL_RES *res = ingest_db_query(L->db, b->s, b->len);
            if (!res)
                return -1;
            MYSQL_ROW row;
            while ((row = mysql_fetch_row(res))) {
                unsigned long *len = mysql_fetch_lengths(res);
                if (row[0] && row[1] && len[1] == 32 &&
                    ingest_dict_put(dict, (const unsigned char *)row[1],
                                    (uint32_t)strtoul(row[0], NULL, 10)) < 0) {
                    mysql_free_result(res);
                    return oom(L);
                }
            }
            mysql_free_result(res);
            ingest_buf_reset(b);
        }
    }
    for (size_t i = 0; i < p->n; i++)
        if (!ingest_dict_get(dict, p->keys + 32 * i)) {
            snprintf(L->db->err, sizeof L->db->err, "%s: a row inserted for a new key "
                     "cannot be read back", table);
            L->db->lost = 0;
            return -1;
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
                if (send(L) < 0)
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

/* ---- per-record work ---------------------------------------------------- */

struct work {
    unsigned char *okeys;     /* (1 + nobjects) * 32: exe first (runs) */
    uint32_t *oids;           /* 1 + nobjects: ids the object cache knew (0: look up okeys) */
    unsigned char *mkeys;     /* nmodules * 32 */
    unsigned char *nkeys;     /* nenv * 32: variable names */
    unsigned char *pkeys;     /* nenv * 32: (name, value) pairs */
    unsigned char *skip;      /* nenv: a repeated name (first one wins) */
    unsigned char oskey[32], mskey[32], eskey[32];
    int has_mset, has_eset;
    uint32_t exe_id, oset_id, mset_id, eset_id;  /* 0 = not resolved yet */
    /* which of [0] exe, [1] objects, [2] modules, [3] env missed the
     * content caches (bit k), to remember them once resolved */
    unsigned missed;
    struct ingest_prep own;   /* when the caller passed none */
};

static void work_free(struct work *w, size_t n)
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

/* ---- content of a record's slots (see struct ingest_prep) ---------------
 * Slot 0 is the exe (one object), 1 the object list, 2 the module list, 3
 * the env list. The serialized form of a slot is its strings in order, each
 * NUL-terminated; its hash mixes the same strings one by one. A probe is
 * compared against the record's strings directly, so a hit copies nothing. */

static size_t ser_object_len(const struct rec_object *o)
{
    return o->path.len + o->build_id.len + o->signature.len + 3;
}

/* Seeds of the four slots' hashes. The object cache (c_exe) holds exes and
 * members of lists alike, so both are hashed from SEED_OBJECT. */
enum { SEED_OBJECT = 1, SEED_OBJECTS = 2, SEED_MODULES = 3, SEED_ENV = 4 };

static uint64_t hash_object(uint64_t h, const struct rec_object *o)
{
    h = ingest_ccache_mix(h, o->path.s, o->path.len);
    h = ingest_ccache_mix(h, o->build_id.s, o->build_id.len);
    return ingest_ccache_mix(h, o->signature.s, o->signature.len);
}

/* Does the serialized piece at *q equal s? Advances *q past it. */
static int eq_piece(const char **q, const char *s, size_t n)
{
    const char *p = *q;
    *q = p + n + 1;
    return memcmp(p, s, n) == 0 && p[n] == '\0';
}

static int eq_object(const char **q, const struct rec_object *o)
{
    return eq_piece(q, o->path.s, o->path.len) && eq_piece(q, o->build_id.s, o->build_id.len) &&
           eq_piece(q, o->signature.s, o->signature.len);
}

/* ingest_ccache_get's comparisons; the length was checked by the cache, so
 * the pieces cannot run past the stored bytes (every piece ends in a NUL
 * that must match). */
static int eq_one_object(const char *b, const void *ctx)
{
    return eq_object(&b, ctx);
}

static int eq_objects(const char *b, const void *ctx)
{
    const struct rec *r = ctx;
    for (size_t k = 0; k < r->nobjects; k++)
        if (!eq_object(&b, &r->objects[k]))
            return 0;
    return 1;
}

static int eq_modules(const char *b, const void *ctx)
{
    const struct rec *r = ctx;
    for (size_t k = 0; k < r->nmodules; k++)
        if (!eq_piece(&b, r->modules[k].s, r->modules[k].len))
            return 0;
    return 1;
}

static int eq_env(const char *b, const void *ctx)
{
    const struct rec *r = ctx;
    for (size_t k = 0; k < r->nenv; k++)
        if (!eq_piece(&b, r->env[k].name.s, r->env[k].name.len) ||
            !eq_piece(&b, r->env[k].value.s, r->env[k].value.len))
            return 0;
    return 1;
}

static int eq_mem(const char *b, const void *ctx)
{
    const struct ingest_buf *m = ctx;
    return memcmp(b, m->s, m->len) == 0;
}

void ingest_load_prep(const struct rec *r, struct ingest_prep *p)
{
    uint64_t h[4] = { SEED_OBJECT, SEED_OBJECTS, SEED_MODULES, SEED_ENV };
    size_t len[4] = { 0, 0, 0, 0 };
    if (r->kind != SPOOL_KIND_LINK) {
        h[0] = hash_object(h[0], &r->exe);
        len[0] = ser_object_len(&r->exe);
    }
    for (size_t k = 0; k < r->nobjects; k++) {
        h[1] = hash_object(h[1], &r->objects[k]);
        len[1] += ser_object_len(&r->objects[k]);
    }
    for (size_t k = 0; k < r->nmodules; k++) {
        h[2] = ingest_ccache_mix(h[2], r->modules[k].s, r->modules[k].len);
        len[2] += r->modules[k].len + 1;
    }
    for (size_t k = 0; k < r->nenv; k++) {
        h[3] = ingest_ccache_mix(h[3], r->env[k].name.s, r->env[k].name.len);
        h[3] = ingest_ccache_mix(h[3], r->env[k].value.s, r->env[k].value.len);
        len[3] += r->env[k].name.len + r->env[k].value.len + 2;
    }
    memcpy(p->h, h, sizeof h);
    memcpy(p->len, len, sizeof len);
}

static void ser_piece(struct ingest_buf *b, const char *s, size_t n)
{
    ingest_buf_add(b, s, n);
    ingest_buf_add(b, "", 1);
}

static void ser_object(struct ingest_buf *b, const struct rec_object *o)
{
    ser_piece(b, o->path.s, o->path.len);
    ser_piece(b, o->build_id.s, o->build_id.len);
    ser_piece(b, o->signature.s, o->signature.len);
}

/* The serialized form of slot k of r into b (reset first). */
static void ser_slot(struct ingest_buf *b, const struct rec *r, int k)
{
    ingest_buf_reset(b);
    if (k == 0)
        ser_object(b, &r->exe);
    for (size_t i = 0; k == 1 && i < r->nobjects; i++)
        ser_object(b, &r->objects[i]);
    for (size_t i = 0; k == 2 && i < r->nmodules; i++)
        ser_piece(b, r->modules[i].s, r->modules[i].len);
    for (size_t i = 0; k == 3 && i < r->nenv; i++) {
        ser_piece(b, r->env[i].name.s, r->env[i].name.len);
        ser_piece(b, r->env[i].value.s, r->env[i].value.len);
    }
}

/* Looks slot k of r (prep p) up in cache c; a miss is noted in w. Returns
 * the id or 0. */
static uint32_t content_lookup(struct ingest_ccache *c, const struct rec *r,
                               const struct ingest_prep *p, int k, struct work *w)
{
    static int (*const eq[4])(const char *, const void *) = { eq_one_object, eq_objects,
                                                              eq_modules, eq_env };
    uint32_t id = ingest_ccache_get(c, p->h[k], p->len[k], eq[k],
                                    k == 0 ? (const void *)&r->exe : (const void *)r);
    if (!id)
        w->missed |= 1u << k;
    return id;
}

/* Remembers slot k of r (prep p) -> id; tmp is scratch. */
static void content_remember(struct ingest_ccache *c, const struct rec *r,
                             const struct ingest_prep *p, int k, uint32_t id,
                             struct ingest_buf *tmp)
{
    ser_slot(tmp, r, k);
    if (tmp->oom || tmp->len != p->len[k])
        return;   /* just not remembered */
    if (!ingest_ccache_get(c, p->h[k], tmp->len, eq_mem, tmp))
        ingest_ccache_put(c, p->h[k], tmp->s, tmp->len, id);
}

/* The object cache (c_exe) for one member of a list the list cache missed:
 * same hash and form as an exe. */
static uint32_t object_lookup(struct ingest_ccache *c, const struct rec_object *o)
{
    return ingest_ccache_get(c, hash_object(SEED_OBJECT, o), ser_object_len(o), eq_one_object, o);
}

static void object_remember(struct ingest_ccache *c, const struct rec_object *o, uint32_t id,
                            struct ingest_buf *tmp)
{
    uint64_t h = hash_object(SEED_OBJECT, o);
    ingest_buf_reset(tmp);
    ser_object(tmp, o);
    if (!tmp->oom && !ingest_ccache_get(c, h, tmp->len, eq_mem, tmp))
        ingest_ccache_put(c, h, tmp->s, tmp->len, id);
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

/* The account name of uid, looked up once per uid; "" if it has none (or
 * one that does not fit the column). */
static const char *uid_name(struct ingest_loader *L, int64_t uid)
{
    for (size_t i = 0; i < L->nuids; i++)
        if (L->uids[i].uid == (uint32_t)uid)
            return L->uids[i].name;
    if (L->nuids == L->capuids) {
        size_t cap = L->capuids ? L->capuids * 2 : 64;
        struct ingest_uidname *u = realloc(L->uids, cap * sizeof *u);
        if (!u)
            return "";
        L->uids = u;
        L->capuids = cap;
    }
    struct ingest_uidname *e = &L->uids[L->nuids++];
    struct passwd pw, *res = NULL;
    char buf[4096];
    e->uid = (uint32_t)uid;
    e->name[0] = '\0';
    if (getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &res) == 0 && res &&
        strlen(res->pw_name) < sizeof e->name) {
        int ok = 1;
        for (const unsigned char *p = (const unsigned char *)res->pw_name; *p; p++)
            if (*p < 0x21 || *p >= 0x7f)
                ok = 0;   /* keep the column plain text */
        if (ok)
            strcpy(e->name, res->pw_name);
    }
    return e->name;
}

static void add_joined(struct ingest_buf *b, const struct rec_str *v, size_t n,
                       struct ingest_buf *tmp)
{
    ingest_buf_reset(tmp);
    for (size_t i = 0; i < n; i++) {
        if (i)
            ingest_buf_add(tmp, "", 1);   /* NUL separator */
        ingest_buf_add(tmp, v[i].s, v[i].len);
    }
    ingest_buf_hex(b, tmp->s ? tmp->s : "", tmp->len);
}

static void add_uuid(struct ingest_buf *b, const char *uuid)
{
    unsigned char u[16];
    if (uuid[0] && spool_uuid_parse(uuid, u) == 0)
        ingest_buf_hex(b, u, 16);
    else
        ingest_buf_add(b, "NULL", 4);
}

static const char RUN_COLS[] =
    "INSERT INTO track_run (run_uuid,parent_uuid,has_start,has_end,job_id,step_id,"
    "array_job_id,array_task_id,`partition`,account,uid,gid,user,user_claimed,syshost,host,"
    "exe_path,exe_object_id,pid,ppid,cwd,cmdline,start_time,end_time,run_time,exit_status,"
    "term_signal,utime,stime,maxrss_kb,num_nodes,num_tasks,cpus_per_task,num_cores,task_rank,"
    "truncated,object_set_id,module_set_id,env_set_id) VALUES ";

/* First wins, for each half: an incoming start sets the identity columns
 * only if the row has no start yet, an incoming end the end columns only
 * if it has no end yet; so a record loaded again (or a second, different
 * record with the same uuid and kind) changes nothing, and the statement's
 * counts tell new, merged and duplicate apart (send_rows). The object list
 * is the end's once there is one, else the start's. MariaDB applies these
 * left to right, later ones seeing the new values: has_start/has_end come
 * last so that every condition sees the old row. */
#define NEW_START_ "VALUES(has_start)=1 AND has_start=0"
#define NEW_END_ "VALUES(has_end)=1 AND has_end=0"
#define ID_(c) c "=IF(" NEW_START_ ",VALUES(" c ")," c "),"
#define END_(c) c "=IF(" NEW_END_ ",VALUES(" c ")," c "),"
static const char RUN_UPDATE[] =
    " ON DUPLICATE KEY UPDATE "
    ID_("parent_uuid") ID_("job_id") ID_("step_id") ID_("array_job_id") ID_("array_task_id")
    ID_("`partition`") ID_("account") ID_("uid") ID_("gid") ID_("user") ID_("user_claimed")
    ID_("syshost") ID_("host") ID_("exe_path") ID_("exe_object_id") ID_("pid") ID_("ppid")
    ID_("cwd") ID_("cmdline") ID_("start_time") ID_("num_nodes") ID_("num_tasks")
    ID_("cpus_per_task") ID_("num_cores") ID_("task_rank") ID_("module_set_id")
    ID_("env_set_id")
    END_("end_time") END_("run_time") END_("exit_status") END_("term_signal") END_("utime")
    END_("stime") END_("maxrss_kb") END_("object_set_id")
    "truncated=truncated|IF(" NEW_START_ ",VALUES(truncated)&1,0)"
    "|IF(" NEW_END_ ",VALUES(truncated)&2,0),"
    "has_start=has_start|VALUES(has_start),"
    "has_end=has_end|VALUES(has_end)";

static const char LINK_COLS[] =
    "INSERT IGNORE INTO track_link (link_uuid,syshost,host,user,uid,gid,time,cwd,output,"
    "output_build_id,linker,cmdline,object_set_id,truncated) VALUES ";

/* One track_run row from a start (s), an end (e) or both halves of a run
 * found in the same batch (one INSERT instead of an INSERT and an UPDATE). */
static void add_run_row(struct ingest_loader *L, const struct rec *s, const struct work *sw,
                        const struct rec *e, const struct work *ew, struct ingest_buf *tmp)
{
    struct ingest_buf *b = &L->sql;
    const struct rec *r = s ? s : e;          /* identity: the start wins */
    const struct work *w = s ? sw : ew;
    const struct work *ow = e ? ew : sw;      /* objects: the end's list wins */
    int is_end = e != NULL;
    const char *uname = uid_name(L, r->uid);
    const char *user = r->user.s;
    size_t ulen = r->user.len;
    int claimed = 0;
    if (uname[0] && strcmp(uname, r->user.s) != 0) {
        user = uname;
        ulen = strlen(uname);
        claimed = 1;
    }
    int64_t tasks = r->job.num_tasks > 0 ? r->job.num_tasks : 1;
    int64_t cpt = r->job.cpus_per_task > 0 ? r->job.cpus_per_task : 1;
    int64_t cores = tasks * cpt;
    if (cores > UINT32_MAX)
        cores = UINT32_MAX;

    ingest_buf_add(b, "(", 1);
    add_uuid(b, r->run_uuid);
    ingest_buf_add(b, ",", 1);
    add_uuid(b, r->parent_uuid);
    ingest_buf_fmt(b, ",%d,%d,", s != NULL, e != NULL);
    ingest_buf_text_or_null(b, r->job.id.s, r->job.id.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.step.s, r->job.step.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.array_id.s, r->job.array_id.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.array_task.s, r->job.array_task.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.partition.s, r->job.partition.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.account.s, r->job.account.len);
    ingest_buf_fmt(b, ",%" PRId64 ",%" PRId64 ",", r->uid, r->gid);
    ingest_buf_text(b, user, ulen);
    ingest_buf_add(b, ",", 1);
    if (claimed)
        ingest_buf_text(b, r->user.s, r->user.len);
    else
        ingest_buf_add(b, "NULL", 4);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->syshost.s, r->syshost.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->host.s, r->host.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->exe.path.s, r->exe.path.len);
    ingest_buf_fmt(b, ",%" PRIu32 ",%" PRId64 ",%" PRId64 ",", w->exe_id, r->pid, r->ppid);
    ingest_buf_hex(b, r->cwd.s, r->cwd.len);
    ingest_buf_add(b, ",", 1);
    add_joined(b, r->cmdline, r->ncmdline, tmp);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, r->start_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, is_end ? e->end_us : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, is_end ? e->run_time_us : -1);
    if (is_end && e->has_exit_status && !e->has_signal)
        ingest_buf_fmt(b, ",%" PRId64, e->exit_status);
    else
        ingest_buf_add(b, ",NULL", 5);
    if (is_end && e->has_signal)
        ingest_buf_fmt(b, ",%" PRId64 ",", e->signal);
    else
        ingest_buf_add(b, ",NULL,", 6);
    ingest_buf_us(b, is_end ? e->utime_us : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, is_end ? e->stime_us : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_int_or_null(b, is_end ? e->maxrss_kb : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_int_or_null(b, r->job.num_nodes);
    ingest_buf_fmt(b, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",", tasks, cpt, cores);
    ingest_buf_int_or_null(b, r->job.rank);
    ingest_buf_fmt(b, ",%d,%" PRIu32 ",", (s && s->truncated ? 1 : 0) | (e && e->truncated ? 2 : 0),
                   ow->oset_id);
    if (w->has_mset)
        ingest_buf_fmt(b, "%" PRIu32 ",", w->mset_id);
    else
        ingest_buf_add(b, "NULL,", 5);
    if (w->has_eset)
        ingest_buf_fmt(b, "%" PRIu32 ")", w->eset_id);
    else
        ingest_buf_add(b, "NULL)", 5);
}

static void add_link_row(struct ingest_loader *L, const struct rec *r, const struct work *w,
                         struct ingest_buf *tmp)
{
    struct ingest_buf *b = &L->sql;
    ingest_buf_add(b, "(", 1);
    ingest_buf_text(b, r->run_uuid, strlen(r->run_uuid));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->syshost.s, r->syshost.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->host.s, r->host.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->user.s, r->user.len);
    ingest_buf_fmt(b, ",%" PRId64 ",", r->uid);
    ingest_buf_int_or_null(b, r->gid);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, r->start_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->cwd.s, r->cwd.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->link_output.s, r->link_output.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->output_build_id.s, r->output_build_id.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->linker.s, r->linker.len);
    ingest_buf_add(b, ",", 1);
    add_joined(b, r->cmdline, r->ncmdline, tmp);
    ingest_buf_fmt(b, ",%" PRIu32 ",%d)", w->oset_id, r->truncated);
}

/* ---- the batch ---------------------------------------------------------- */

enum { ROWS_PAIRED, ROWS_SINGLE, ROWS_LINK };   /* the statements, in sending order */
#define NO_MATE SIZE_MAX

/* Finishes and sends the statement in L->sql, `rows` rows of one kind, and
 * adds what it did to c. Without CLIENT_FOUND_ROWS the server counts 1
 * affected row per inserted row, 2 per changed row and 0 per row that
 * changed nothing; mysql_info's "Duplicates" counts the changed ones (and
 * is NULL for a single row, whose affected count alone tells). For a link
 * (INSERT IGNORE) only inserted or not. A changed run row is a merge:
 * first-wins means a row changes only when a missing half arrives. */
static int send_rows(struct ingest_loader *L, int kind, size_t rows, struct ingest_counts *c)
{
    if (kind != ROWS_LINK)
        ingest_buf_add(&L->sql, RUN_UPDATE, sizeof RUN_UPDATE - 1);
    if (send(L) < 0)
        return -1;
    unsigned long long affected = mysql_affected_rows(L->db->my);
    const char *info = NULL;
    if (kind == ROWS_LINK) {
        if (affected > rows)
            goto odd;
        c->links += affected;
        c->dups += rows - affected;
        return 0;
    }
    unsigned long nrec = 0, changed = 0, warn = 0;
    info = mysql_info(L->db->my);
    if (info) {
        if (sscanf(info, "Records: %lu Duplicates: %lu Warnings: %lu", &nrec, &changed,
                   &warn) != 3 || nrec != rows)
            goto odd;
    } else if (rows == 1) {
        changed = affected == 2;
    } else {
        goto odd;
    }
    if (changed > rows || affected < 2 * (unsigned long long)changed ||
        affected - 2 * changed > rows - changed)
        goto odd;
    size_t fresh = (size_t)(affected - 2 * changed);
    size_t same = rows - fresh - changed;
    c->fresh += fresh;
    if (kind == ROWS_SINGLE) {
        c->merged += changed;
        c->dups += same;
    } else {     /* each row is a start and its end: the end merges unless a dup */
        c->merged += fresh + changed;
        c->dups += changed + 2 * same;
    }
    return 0;
odd:
    /* Never seen; the caller retries the batch one record at a time, where
     * the affected count alone decides. */
    snprintf(L->db->err, sizeof L->db->err,
             "unexpected row counts from the server (%llu affected, info \"%s\") for %zu rows",
             affected, info ? info : "", rows);
    L->db->lost = 0;
    return -1;
}

int ingest_load_batch(struct ingest_loader *L, struct rec *const *recs,
                      const struct ingest_prep *const *preps, size_t n,
                      struct ingest_counts *counts)
{
    struct pend pobj = {0}, pmod = {0}, pname = {0}, poset = {0}, pmset = {0}, ppair = {0}, peset = {0};
    struct ingest_dict halves = {0};
    struct ingest_buf tmp = {0};
    size_t *mate = NULL;      /* index of the other half sent in the same row */
    struct work *w = calloc(n ? n : 1, sizeof *w);
    uint32_t *ids = NULL;
    size_t capids = 0;
    int rc = -1;

    memset(counts, 0, sizeof *counts);
    if (!w)
        goto nomem;

    /* 1. content caches first; on a miss, objects, modules and variable
     * names by SHA-256 key */
    for (size_t i = 0; i < n; i++) {
        const struct rec *r = recs[i];
        struct work *x = &w[i];
        /* one block per record (sizes bounded by rec_parse: no overflow) */
        size_t nk = r->nobjects + 1 + r->nmodules + 2 * r->nenv;
        size_t zero = (r->nobjects + 1) * sizeof *x->oids + r->nenv + 1;
        if (!(x->okeys = malloc(nk * 32 + zero)))
            goto nomem;
        x->mkeys = x->okeys + (r->nobjects + 1) * 32;
        x->nkeys = x->mkeys + r->nmodules * 32;
        x->pkeys = x->nkeys + r->nenv * 32;
        x->oids = (uint32_t *)(void *)(x->pkeys + r->nenv * 32);   /* 32-byte multiples: aligned */
        x->skip = (unsigned char *)(x->oids + r->nobjects + 1);
        memset(x->oids, 0, zero);
        const struct ingest_prep *pp = preps ? preps[i] : NULL;
        if (!pp) {
            ingest_load_prep(r, &x->own);
            pp = &x->own;
        }
        if (r->kind != SPOOL_KIND_LINK)
            x->exe_id = content_lookup(&L->c_exe, r, pp, 0, x);
        x->oset_id = content_lookup(&L->c_oset, r, pp, 1, x);
        if (r->nmodules) {
            x->has_mset = 1;
            x->mset_id = content_lookup(&L->c_mset, r, pp, 2, x);
        }
        if (r->nenv) {
            x->has_eset = 1;
            x->eset_id = content_lookup(&L->c_eset, r, pp, 3, x);
        }
        /* A list never seen (a new executable, or one that loaded extra
         * libraries) mostly holds objects seen before: the object cache
         * (the exe cache: same serialization) answers them without SHA-256. */
        if (!x->oset_id)
            for (size_t k = 0; k < r->nobjects; k++)
                x->oids[k + 1] = object_lookup(&L->c_exe, &r->objects[k]);

        for (size_t k = 0; k <= r->nobjects; k++) {
            const struct rec_object *o = k == 0 ? &r->exe : &r->objects[k - 1];
            if (k == 0 ? (r->kind == SPOOL_KIND_LINK || x->exe_id) : (x->oset_id || x->oids[k]))
                continue;
            key_object(o, x->okeys + 32 * k);
            if (ingest_dict_get(&L->obj, x->okeys + 32 * k))
                continue;
            size_t mark = pobj.vals.len;
            ingest_buf_add(&pobj.vals, ",", 1);
            ingest_buf_hex(&pobj.vals, o->path.s, o->path.len);
            ingest_buf_add(&pobj.vals, ",", 1);
            ingest_buf_text(&pobj.vals, o->build_id.s, o->build_id.len);
            ingest_buf_add(&pobj.vals, ",", 1);
            ingest_buf_text(&pobj.vals, o->signature.s, o->signature.len);
            pend_commit(&pobj, x->okeys + 32 * k, mark, NULL, 0);
        }
        for (size_t k = 0; k < r->nmodules && !x->mset_id; k++) {
            key_bytes(r->modules[k].s, r->modules[k].len, x->mkeys + 32 * k);
            if (ingest_dict_get(&L->mod, x->mkeys + 32 * k))
                continue;
            size_t mark = pmod.vals.len;
            ingest_buf_add(&pmod.vals, ",", 1);
            ingest_buf_hex(&pmod.vals, r->modules[k].s, r->modules[k].len);
            pend_commit(&pmod, x->mkeys + 32 * k, mark, NULL, 0);
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
            size_t mark = pname.vals.len;
            ingest_buf_add(&pname.vals, ",", 1);
            ingest_buf_hex(&pname.vals, r->env[k].name.s, r->env[k].name.len);
            pend_commit(&pname, x->nkeys + 32 * k, mark, NULL, 0);
        }
    }
    if (flush(L, &pobj, "track_object", "path,build_id,signature", "hkey", &L->obj, NULL, NULL) < 0 ||
        flush(L, &pmod, "track_module", "name", "hkey", &L->mod, NULL, NULL) < 0 ||
        flush(L, &pname, "track_env_name", "name", "hkey", &L->ename, NULL, NULL) < 0)
        goto out;

    /* 2. object sets, module sets, (name, value) pairs of the misses */
    for (size_t i = 0; i < n; i++) {
        const struct rec *r = recs[i];
        struct work *x = &w[i];
        size_t need = r->nobjects > r->nmodules ? r->nobjects : r->nmodules;
        if (need + 1 > capids) {
            free(ids);
            capids = need + 1;
            ids = malloc(capids * sizeof *ids);
            if (!ids)
                goto nomem;
        }
        if (r->kind != SPOOL_KIND_LINK && !x->exe_id)
            x->exe_id = ingest_dict_get(&L->obj, x->okeys);
        if (!x->oset_id) {
            for (size_t k = 0; k < r->nobjects; k++) {
                ids[k] = x->oids[k + 1];
                if (!ids[k]) {
                    ids[k] = ingest_dict_get(&L->obj, x->okeys + 32 * (k + 1));
                    if (ids[k])   /* remembered until a rollback, like the others */
                        object_remember(&L->c_exe, &r->objects[k], ids[k], &tmp);
                }
            }
            size_t m = key_set(ids, r->nobjects, x->oskey);
            if (!ingest_dict_get(&L->oset, x->oskey)) {
                size_t mark = poset.vals.len;
                ingest_buf_fmt(&poset.vals, ",%zu", m);
                pend_commit(&poset, x->oskey, mark, ids, m);
            }
        }
        if (r->nmodules && !x->mset_id) {
            for (size_t k = 0; k < r->nmodules; k++)
                ids[k] = ingest_dict_get(&L->mod, x->mkeys + 32 * k);
            size_t m = key_set(ids, r->nmodules, x->mskey);
            if (!ingest_dict_get(&L->mset, x->mskey)) {
                size_t mark = pmset.vals.len;
                ingest_buf_fmt(&pmset.vals, ",%zu", m);
                pend_commit(&pmset, x->mskey, mark, ids, m);
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
            size_t mark = ppair.vals.len;
            ingest_buf_fmt(&ppair.vals, ",%" PRIu32 ",", nid);
            ingest_buf_hex(&ppair.vals, r->env[k].value.s, r->env[k].value.len);
            pend_commit(&ppair, x->pkeys + 32 * k, mark, NULL, 0);
        }
    }
    if (flush(L, &poset, "track_object_set", "nobjects", "skey", &L->oset,
              "track_object_set_member", "object_id") < 0 ||
        flush(L, &pmset, "track_module_set", "nmodules", "skey", &L->mset,
              "track_module_set_member", "module_id") < 0 ||
        flush(L, &ppair, "track_env_pair", "name_id,value", "hkey", &L->epair, NULL, NULL) < 0)
        goto out;

    /* 3. env sets of the misses; then every id is known */
    for (size_t i = 0; i < n; i++) {
        const struct rec *r = recs[i];
        struct work *x = &w[i];
        size_t m = 0;
        if (!x->oset_id)
            x->oset_id = ingest_dict_get(&L->oset, x->oskey);
        if (x->has_mset && !x->mset_id)
            x->mset_id = ingest_dict_get(&L->mset, x->mskey);
        if (!x->has_eset || x->eset_id)
            continue;
        if (r->nenv + 1 > capids) {
            free(ids);
            capids = r->nenv + 1;
            ids = malloc(capids * sizeof *ids);
            if (!ids)
                goto nomem;
        }
        for (size_t k = 0; k < r->nenv; k++)
            if (!x->skip[k])
                ids[m++] = ingest_dict_get(&L->epair, x->pkeys + 32 * k);
        m = key_set(ids, m, x->eskey);
        if (!ingest_dict_get(&L->eset, x->eskey)) {
            size_t mark = peset.vals.len;
            ingest_buf_fmt(&peset.vals, ",%zu", m);
            pend_commit(&peset, x->eskey, mark, ids, m);
        }
    }
    if (flush(L, &peset, "track_env_set", "nvars", "skey", &L->eset, "track_env_set_member",
              "pair_id") < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct work *x = &w[i];
        if (x->has_eset && !x->eset_id)
            x->eset_id = ingest_dict_get(&L->eset, x->eskey);
        /* Remember the misses' contents (valid until a rollback). */
        uint32_t idv[4] = { x->exe_id, x->oset_id, x->mset_id, x->eset_id };
        struct ingest_ccache *cc[4] = { &L->c_exe, &L->c_oset, &L->c_mset, &L->c_eset };
        const struct ingest_prep *pp = preps && preps[i] ? preps[i] : &x->own;
        for (int k = 0; k < 4; k++)
            if ((x->missed & (1u << k)) && idv[k])
                content_remember(cc[k], recs[i], pp, k, idv[k], &tmp);
        if ((recs[i]->kind != SPOOL_KIND_LINK && !x->exe_id) || !x->oset_id ||
            (x->has_mset && !x->mset_id) || (x->has_eset && !x->eset_id)) {
            snprintf(L->db->err, sizeof L->db->err, "internal: unresolved id for run %s",
                     recs[i]->run_uuid);
            L->db->lost = 0;
            goto out;
        }
    }

    /* 4. rows: both halves of a run found in this batch as one row (the
     * first start with the first end: the first of each wins, as it does
     * against rows already loaded), sent before the single halves; then
     * the links. No look at what is already there: the statements are
     * first-wins by themselves (RUN_UPDATE) and their counts say what
     * happened. halves: uuid + kind (byte 17) -> index + 1 of the first
     * such record. */
    mate = malloc((n ? n : 1) * sizeof *mate);
    if (!mate)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        unsigned char hk[32] = {0};
        mate[i] = NO_MATE;
        if (recs[i]->kind == SPOOL_KIND_LINK)
            continue;
        spool_uuid_parse(recs[i]->run_uuid, hk);
        hk[17] = (unsigned char)recs[i]->kind;
        if (ingest_dict_get(&halves, hk))
            continue;
        if (ingest_dict_put(&halves, hk, (uint32_t)i + 1) < 0)
            goto nomem;
        hk[17] = (unsigned char)(recs[i]->kind == SPOOL_KIND_START ? SPOOL_KIND_END
                                                                   : SPOOL_KIND_START);
        uint32_t j = ingest_dict_get(&halves, hk);
        if (j) {
            mate[i] = j - 1;
            mate[j - 1] = i;
        }
    }
    for (int pass = ROWS_PAIRED; pass <= ROWS_LINK; pass++) {
        struct ingest_buf *b = &L->sql;
        size_t rows = 0;
        ingest_buf_reset(b);
        for (size_t i = 0; i < n; i++) {
            const struct rec *r = recs[i];
            int kind = r->kind == SPOOL_KIND_LINK ? ROWS_LINK
                     : mate[i] != NO_MATE ? ROWS_PAIRED : ROWS_SINGLE;
            if (kind != pass || (kind == ROWS_PAIRED && r->kind != SPOOL_KIND_START))
                continue;
            if (b->len == 0)
                ingest_buf_str(b, pass == ROWS_LINK ? LINK_COLS : RUN_COLS);
            else
                ingest_buf_add(b, ",", 1);
            if (pass == ROWS_LINK)
                add_link_row(L, r, &w[i], &tmp);
            else if (pass == ROWS_PAIRED)
                add_run_row(L, r, &w[i], recs[mate[i]], &w[mate[i]], &tmp);
            else if (r->kind == SPOOL_KIND_START)
                add_run_row(L, r, &w[i], NULL, NULL, &tmp);
            else
                add_run_row(L, NULL, NULL, r, &w[i], &tmp);
            rows++;
            if (b->len > L->max_stmt) {
                if (send_rows(L, pass, rows, counts) < 0)
                    goto out;
                ingest_buf_reset(b);
                rows = 0;
            }
        }
        if (rows && send_rows(L, pass, rows, counts) < 0)
            goto out;
    }
    rc = 0;
    goto out;
nomem:
    oom(L);
out:
    pend_free(&pobj);
    pend_free(&pmod);
    pend_free(&pname);
    pend_free(&poset);
    pend_free(&pmset);
    pend_free(&ppair);
    pend_free(&peset);
    ingest_dict_free(&halves);
    free(mate);
    ingest_buf_free(&tmp);
    free(ids);
    work_free(w, n);
    return rc;
}
