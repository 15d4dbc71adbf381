/* Package records into track_py_* (see the header). A record has tens of
 * distributions and a Python run writes one record, so this is plain:
 * five statements per record, no caches. */
#include "ingest_pkg.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_sha256.h"
#include "spool_uuid.h"

/* The five sources, in the order of the ENUM in the migration. */
static const char *const sources[] = { "system", "user", "venv", "conda", "path" };

static unsigned source_code(const struct rec_str *s)
{
    for (unsigned i = 0; i < sizeof sources / sizeof sources[0]; i++)
        if (strcmp(s->s, sources[i]) == 0)
            return i + 1;
    return 5;   /* the parser admits nothing else */
}

struct member { uint32_t id; unsigned source; };

struct lookup { const struct rec *r; uint32_t *ids; };

/* A row (id, name, version) of track_py_package: the id of every package
 * of the record with that name and version. */
static int put_id(void *ctx, char **col, const unsigned long *len)
{
    struct lookup *lk = ctx;
    if (!col[0] || !col[1] || !col[2])
        return 0;
    uint32_t id = (uint32_t)strtoul(col[0], NULL, 10);
    for (size_t i = 0; i < lk->r->npkgs; i++) {
        const struct rec_pkg *p = &lk->r->pkgs[i];
        if (p->name.len == len[1] && p->version.len == len[2] &&
            memcmp(p->name.s, col[1], len[1]) == 0 && memcmp(p->version.s, col[2], len[2]) == 0)
            lk->ids[i] = id;
    }
    return 0;
}

static int cmp_member(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->source > y->source) - (x->source < y->source);
}

static int put_set(void *ctx, char **col, const unsigned long *len)
{
    (void)len;
    if (col[0])
        *(uint32_t *)ctx = (uint32_t)strtoul(col[0], NULL, 10);
    return 0;
}

static int run_sql(struct ingest_db *db, struct ingest_buf *b)
{
    int rc = ingest_db_exec_buf(db, b);
    ingest_buf_reset(b);
    return rc;
}

/* The ids of r's packages (inserted when new) into ids[]. */
static int package_ids(struct ingest_db *db, struct ingest_buf *b, const struct rec *r,
                       uint32_t *ids)
{
    struct lookup lk = { r, ids };
    ingest_buf_str(b, "INSERT IGNORE INTO track_py_package (name,version) VALUES ");
    for (size_t i = 0; i < r->npkgs; i++) {
        ingest_buf_str(b, i ? ",(" : "(");
        ingest_buf_text(b, r->pkgs[i].name.s, r->pkgs[i].name.len);
        ingest_buf_add(b, ",", 1);
        ingest_buf_text(b, r->pkgs[i].version.s, r->pkgs[i].version.len);
        ingest_buf_add(b, ")", 1);
    }
    if (run_sql(db, b) < 0)
        return -1;
    ingest_buf_str(b, "SELECT id,name,version FROM track_py_package WHERE (name,version) IN (");
    for (size_t i = 0; i < r->npkgs; i++) {
        ingest_buf_str(b, i ? ",(" : "(");
        ingest_buf_text(b, r->pkgs[i].name.s, r->pkgs[i].name.len);
        ingest_buf_add(b, ",", 1);
        ingest_buf_text(b, r->pkgs[i].version.s, r->pkgs[i].version.len);
        ingest_buf_add(b, ")", 1);
    }
    ingest_buf_add(b, ")", 1);
    if (b->oom)
        return ingest_db_oom(db);
    int q = ingest_db_select(db, b->s, b->len, put_id, &lk);
    ingest_buf_reset(b);
    if (q != 0)
        return -1;
    for (size_t i = 0; i < r->npkgs; i++)
        if (!ids[i])
            return ingest_db_fail(db, "track_py_package: a row inserted for a new package "
                                  "cannot be read back");
    return 0;
}

/* The set of m (sorted, unique) members: found by its key, or made. */
static int package_set(struct ingest_db *db, struct ingest_buf *b, const struct member *mem,
                       size_t m, uint32_t *set_id)
{
    unsigned char key[32];
    struct ingest_sha256 c;
    ingest_sha256_init(&c);
    for (size_t k = 0; k < m; k++) {
        unsigned char be[5] = { (unsigned char)(mem[k].id >> 24), (unsigned char)(mem[k].id >> 16),
                                (unsigned char)(mem[k].id >> 8), (unsigned char)mem[k].id,
                                (unsigned char)mem[k].source };
        ingest_sha256_update(&c, be, 5);
    }
    ingest_sha256_final(&c, key);
    ingest_buf_str(b, "INSERT IGNORE INTO track_py_package_set (skey,npackages) VALUES (");
    ingest_buf_hex(b, key, 32);
    ingest_buf_fmt(b, ",%zu)", m);
    if (run_sql(db, b) < 0)
        return -1;
    int fresh = ingest_db_affected(db) == 1;
    *set_id = 0;
    ingest_buf_str(b, "SELECT id FROM track_py_package_set WHERE skey=");
    ingest_buf_hex(b, key, 32);
    if (b->oom)
        return ingest_db_oom(db);
    int q = ingest_db_select(db, b->s, b->len, put_set, set_id);
    ingest_buf_reset(b);
    if (q != 0)
        return -1;
    if (!*set_id)
        return ingest_db_fail(db, "track_py_package_set: a new set cannot be read back");
    if (!fresh || m == 0)
        return 0;
    ingest_buf_str(b, "INSERT IGNORE INTO track_py_package_set_member (set_id,package_id,source) "
                      "VALUES ");
    for (size_t k = 0; k < m; k++)
        ingest_buf_fmt(b, "%s(%" PRIu32 ",%" PRIu32 ",'%s')", k ? "," : "", *set_id, mem[k].id,
                       sources[mem[k].source - 1]);
    return run_sql(db, b);
}

static int load_one(struct ingest_db *db, struct ingest_buf *b, const struct rec *r,
                    size_t *fresh, size_t *dups)
{
    uint32_t *ids = calloc(r->npkgs + 1, sizeof *ids);
    struct member *mem = calloc(r->npkgs + 1, sizeof *mem);
    unsigned char u[16];
    uint32_t set_id;
    size_t m = 0;
    int rc = -1;

    if (!ids || !mem) {
        ingest_db_oom(db);
        goto out;
    }
    if (r->npkgs && package_ids(db, b, r, ids) < 0)
        goto out;
    for (size_t i = 0; i < r->npkgs; i++) {
        mem[i].id = ids[i];
        mem[i].source = source_code(&r->pkgs[i].source);
    }
    qsort(mem, r->npkgs, sizeof *mem, cmp_member);
    for (size_t i = 0; i < r->npkgs; i++)
        if (m == 0 || cmp_member(&mem[m - 1], &mem[i]) != 0)
            mem[m++] = mem[i];
    if (package_set(db, b, mem, m, &set_id) < 0)
        goto out;
    if (spool_uuid_parse(r->run_uuid, u) != 0) {
        ingest_db_fail(db, "run_uuid '%s': not a uuid", r->run_uuid);
        goto out;
    }
    ingest_buf_str(b, "INSERT IGNORE INTO track_py_run (run_uuid,uid,job_id,syshost,host,time,"
                      "py_version,py_implementation,py_environment,py_executable,py_prefix,"
                      "package_set_id,npackages,truncated) VALUES (");
    ingest_buf_hex(b, u, 16);
    ingest_buf_fmt(b, ",%" PRId64 ",", r->uid);
    ingest_buf_text_or_null(b, r->job.id.s, r->job.id.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->syshost.s, r->syshost.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->host.s, r->host.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, r->start_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->py_version.s, r->py_version.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->py_impl.s, r->py_impl.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->py_env.s, r->py_env.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->py_exe.s, r->py_exe.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->py_prefix.s, r->py_prefix.len);
    ingest_buf_fmt(b, ",%" PRIu32 ",%zu,%d)", set_id, m, r->truncated ? 1 : 0);
    if (run_sql(db, b) < 0)
        goto out;
    if (ingest_db_affected(db) == 1)
        (*fresh)++;
    else
        (*dups)++;
    rc = 0;
out:
    ingest_buf_reset(b);
    free(ids);
    free(mem);
    return rc;
}

int ingest_pkg_load(struct ingest_db *db, struct ingest_buf *sql, struct rec *const *recs,
                    size_t n, size_t *fresh, size_t *dups)
{
    ingest_buf_reset(sql);
    for (size_t i = 0; i < n; i++)
        if (load_one(db, sql, recs[i], fresh, dups) < 0)
            return -1;
    return 0;
}
