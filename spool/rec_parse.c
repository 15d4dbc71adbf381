/* rec_parse: strict reading of run and link records (docs/record-format.md,
 * docs/ingest.md "Validation"). Three steps, three files: rec_prescan.c
 * checks the bytes (what yajl would accept but alter), rec_tree.c builds the
 * yajl_val tree in the parser's arena, and this file checks every key, type,
 * range and size of the tree and turns strings back into the bytes the
 * writer saw.
 *
 * prescan also finds the root's "objects" array; when its text is in the
 * parser's memo (rec_objmemo.h), yajl reads the record without it and the
 * objects come from the memo (docs/ingest.md "Validation"). */
#include "spool_err.h"
#include "rec_parse.h"
#include "rec_tally.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "rec_objmemo.h"
#include "rec_access.h"
#include "rec_pkg.h"
#include "rec_prescan.h"
#include "rec_tree.h"
#include "spool_hash.h"
#include "spool_json.h"
#include "spool_limits.h"
#include "spool_uuid.h"

/* Limits (documented in docs/ingest.md). Writers cut every string at 4096
 * bytes; identity strings are far shorter and must fit the database columns. */
#define REC_STR_MAX      SPOOL_STR_MAX     /* any string, after decoding */
#define REC_NAME_MAX     SPOOL_ID_MAX      /* syshost, user, job ids */
#define REC_HOST_MAX     SPOOL_HOST_MAX    /* host */
#define REC_JOBTEXT_MAX  SPOOL_JOBTEXT_MAX /* partition, account */
#define REC_ITEMS_MAX    1048576   /* elements of one array / members of env */
#define REC_TIME_MAX     32503680000LL /* year 3000, in seconds */
#define REC_JOBNUM_MAX   100000000LL
#define REC_CC_MAX       SPOOL_ID_MAX      /* compiler name, version, wrapper (VARCHAR(64)) */

/* ---- typed accessors (the string ones: rec_access.c) -------------------- */

/* An integer in [lo, hi]. absent -> *out = dflt (error if required). */
const struct rec_str rec_str_none = { "", 0 };

static int get_int(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
                   int64_t lo, int64_t hi, int64_t dflt, int64_t *out)
{
    yajl_val v;
    int found;
    *out = dflt;
    if ((found = lookup(c, obj, key, path, required, &v)) <= 0)
        return found;
    if (v->type != yajl_t_number)
        return spool_seterr(c->err, c->errlen, "key '%s': expected an integer, got %s", path, type_name(v));
    if (!(v->u.number.flags & YAJL_NUMBER_INT_VALID) ||
        strpbrk(v->u.number.r, ".eE") != NULL)
        return spool_seterr(c->err, c->errlen, "key '%s': expected an integer, got %.40s", path,
                    v->u.number.r);
    long long i = v->u.number.i;
    if (i < lo || i > hi)
        return spool_seterr(c->err, c->errlen, "key '%s': %lld out of range %" PRId64 "..%" PRId64,
                    path, i, lo, hi);
    *out = i;
    return 0;
}

/* Seconds with up to microsecond precision, from the number's text so that
 * no binary rounding creeps in: [-]digits[.digits]. Extra decimals beyond six
 * are cut (writers write exactly six). Range 0..REC_TIME_MAX. */
static int get_time(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
                    int64_t *out_us)
{
    yajl_val v;
    int found;
    *out_us = -1;
    if ((found = lookup(c, obj, key, path, required, &v)) <= 0)
        return found;
    if (v->type != yajl_t_number)
        return spool_seterr(c->err, c->errlen, "key '%s': expected a number of seconds, got %s", path,
                    type_name(v));
    const char *r = v->u.number.r;
    int64_t sec = 0, us = 0;
    size_t i = 0, nd = 0;
    if (r[0] == '-')
        return spool_seterr(c->err, c->errlen, "key '%s': negative time %.40s", path, r);
    for (; r[i] >= '0' && r[i] <= '9'; i++) {
        if (++nd > 12)
            return spool_seterr(c->err, c->errlen, "key '%s': time %.40s out of range", path, r);
        sec = sec * 10 + (r[i] - '0');
    }
    if (nd == 0)
        return spool_seterr(c->err, c->errlen, "key '%s': bad number %.40s", path, r);
    if (r[i] == '.') {
        int fd = 0;
        for (i++; r[i] >= '0' && r[i] <= '9'; i++, fd++)
            if (fd < 6)
                us = us * 10 + (r[i] - '0');
        for (; fd < 6; fd++)
            us *= 10;
    }
    if (r[i] != '\0')
        return spool_seterr(c->err, c->errlen, "key '%s': expected plain decimal seconds, got %.40s",
                    path, r);
    if (sec > REC_TIME_MAX)
        return spool_seterr(c->err, c->errlen, "key '%s': time %.40s out of range", path, r);
    *out_us = sec * 1000000 + us;
    return 0;
}

/* A uuid as a reference into the record's strings: required, or optional
 * ("" when absent or "": writers may emit "" for none). */
static int get_uuid_str(struct ctx *c, yajl_val obj, const char *key, const char *path,
                        int required, struct rec_str *out)
{
    if (get_str(c, obj, key, path, required, 64, out) < 0)
        return -1;
    if (!required && out->len == 0)
        return 0;
    if (out->len != 36 || spool_uuid_parse(out->s, NULL) != 0)
        return spool_seterr(c->err, c->errlen, "key '%s': not a canonical lowercase uuid", path);
    return 0;
}

/* The same into a fixed array (the record's own uuids). */
static int get_uuid(struct ctx *c, yajl_val obj, const char *key, const char *path, int required,
                    char out[37])
{
    struct rec_str s;
    out[0] = '\0';
    if (get_uuid_str(c, obj, key, path, required, &s) < 0)
        return -1;
    memcpy(out, s.s, s.len + 1);
    return 0;
}

static int get_build_id(struct ctx *c, yajl_val obj, const char *key, const char *path,
                        struct rec_str *out)
{
    struct rec_str s;
    if (get_str(c, obj, key, path, 0, 128, out) < 0)
        return -1;
    s = *out;
    if (s.len % 2)
        return spool_seterr(c->err, c->errlen, "key '%s': odd number of hex digits", path);
    /* '0'-'9' or 'a'-'f' in two unsigned compares, combined without a
     * branch per byte: digits and letters alternate at random, and the
     * mispredicted branch dominated this loop. */
    unsigned bad = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.s[i];
        bad |= ((unsigned char)(ch - '0') > 9) & ((unsigned char)(ch - 'a') > 5);
    }
    if (bad)
        return spool_seterr(c->err, c->errlen, "key '%s': not lowercase hex", path);
    return 0;
}

/* path: "exe" or "objects[*]"; the paths of its keys are spelled out so
 * that nothing is formatted unless there is an error. */
static int get_object(struct ctx *c, yajl_val v, const char *path, struct rec_object *o)
{
    int exe = path[0] == 'e';
    if (v->type != yajl_t_object)
        return spool_seterr(c->err, c->errlen, "key '%s': expected an object, got %s", path, type_name(v));
    const char *pp = exe ? "exe.path" : "objects[*].path";
    if (get_str(c, v, "path", pp, 1, REC_STR_MAX, &o->path) < 0)
        return -1;
    if (o->path.len == 0)
        return spool_seterr(c->err, c->errlen, "key '%s': empty", pp);
    if (get_build_id(c, v, "build_id", exe ? "exe.build_id" : "objects[*].build_id",
                     &o->build_id) < 0)
        return -1;
    return get_uuid_str(c, v, "signature", exe ? "exe.signature" : "objects[*].signature", 0,
                        &o->signature);
}

/* A link record's optional "compiler" object (the linker wrapper's ldcc):
 * name required and non-empty, path bytes, version and wrapper short text.
 * Absent leaves all four "". */
static int get_compiler(struct ctx *c, yajl_val root, struct rec *r)
{
    yajl_val cc = obj_get(root, "compiler");
    r->cc_name.s = r->cc_path.s = r->cc_version.s = r->cc_wrapper.s = "";
    r->cc_name.len = r->cc_path.len = r->cc_version.len = r->cc_wrapper.len = 0;
    if (!cc)
        return 0;
    if (cc->type != yajl_t_object)
        return spool_seterr(c->err, c->errlen, "key 'compiler': expected an object, got %s",
                            type_name(cc));
    if (get_text(c, cc, "name", "compiler.name", 1, REC_CC_MAX, &r->cc_name) < 0 ||
        get_str(c, cc, "path", "compiler.path", 0, REC_STR_MAX, &r->cc_path) < 0 ||
        get_text(c, cc, "version", "compiler.version", 0, REC_CC_MAX, &r->cc_version) < 0 ||
        get_text(c, cc, "wrapper", "compiler.wrapper", 0, REC_CC_MAX, &r->cc_wrapper) < 0)
        return -1;
    return 0;
}

/* An array of strings: each decoded, each at most REC_STR_MAX bytes. */
static int get_str_array(struct ctx *c, yajl_val obj, const char *key, int required,
                         yajl_val *arr)
{
    yajl_val v;
    int found;
    *arr = NULL;
    if ((found = lookup(c, obj, key, key, required, &v)) <= 0)
        return found;
    if (v->type != yajl_t_array)
        return spool_seterr(c->err, c->errlen, "key '%s': expected an array, got %s", key, type_name(v));
    if (v->u.array.len > REC_ITEMS_MAX)
        return spool_seterr(c->err, c->errlen, "key '%s': %zu elements, at most %d allowed", key,
                    v->u.array.len, REC_ITEMS_MAX);
    *arr = v;
    return 0;
}

/* key: "cmdline[*]" or "modules[*]" */
static int fill_strs(struct ctx *c, yajl_val arr, const char *key, struct rec_str *out)
{
    for (size_t i = 0; arr && i < arr->u.array.len; i++)
        if (get_str_val(c, arr->u.array.values[i], key, REC_STR_MAX, &out[i]) < 0)
            return fix_index(c, i);
    return 0;
}

static void job_absent(struct rec_job *j)
{
    memset(j, 0, sizeof *j);
    j->num_nodes = j->num_tasks = j->cpus_per_task = j->rank = j->alloc_cpus = -1;
    j->scheduler = j->id = j->step = j->array_id = j->array_task = j->partition = j->account =
        rec_str_none;
}

static int get_job(struct ctx *c, yajl_val root, struct rec_job *j)
{
    yajl_val v = obj_get(root, "job");
    job_absent(j);
    if (!v || v->type == yajl_t_null)
        return 0;
    if (v->type != yajl_t_object)
        return spool_seterr(c->err, c->errlen, "key 'job': expected an object, got %s", type_name(v));
    j->present = 1;
    if (get_text(c, v, "scheduler", "job.scheduler", 0, 16, &j->scheduler) < 0 ||
        get_text(c, v, "id", "job.id", 0, REC_NAME_MAX, &j->id) < 0 ||
        get_text(c, v, "step", "job.step", 0, REC_NAME_MAX, &j->step) < 0 ||
        get_text(c, v, "array_id", "job.array_id", 0, REC_NAME_MAX, &j->array_id) < 0 ||
        get_text(c, v, "array_task", "job.array_task", 0, REC_NAME_MAX, &j->array_task) < 0 ||
        get_text(c, v, "partition", "job.partition", 0, REC_JOBTEXT_MAX, &j->partition) < 0 ||
        get_text(c, v, "account", "job.account", 0, REC_JOBTEXT_MAX, &j->account) < 0 ||
        get_int(c, v, "num_nodes", "job.num_nodes", 0, 1, REC_JOBNUM_MAX, -1, &j->num_nodes) < 0 ||
        get_int(c, v, "num_tasks", "job.num_tasks", 0, 1, REC_JOBNUM_MAX, -1, &j->num_tasks) < 0 ||
        get_int(c, v, "cpus_per_task", "job.cpus_per_task", 0, 1, REC_JOBNUM_MAX, -1,
                &j->cpus_per_task) < 0 ||
        get_int(c, v, "rank", "job.rank", 0, 0, REC_JOBNUM_MAX, -1, &j->rank) < 0 ||
        get_int(c, v, "alloc_cpus", "job.alloc_cpus", 0, 1, REC_JOBNUM_MAX, -1, &j->alloc_cpus) < 0)
        return -1;
    return 0;
}

static void mpi_absent(struct rec_mpi *m)
{
    memset(m, 0, sizeof *m);
    m->rank = m->size = -1;
    m->launcher = rec_str_none;
}

static int get_mpi(struct ctx *c, yajl_val root, struct rec_mpi *m)
{
    yajl_val v = obj_get(root, "mpi");
    mpi_absent(m);
    if (!v || v->type == yajl_t_null)
        return 0;
    if (v->type != yajl_t_object)
        return spool_seterr(c->err, c->errlen, "key 'mpi': expected an object, got %s", type_name(v));
    if (get_text(c, v, "launcher", "mpi.launcher", 1, 16, &m->launcher) < 0 ||
        get_int(c, v, "rank", "mpi.rank", 1, 0, REC_JOBNUM_MAX - 1, -1, &m->rank) < 0 ||
        get_int(c, v, "size", "mpi.size", 0, 1, REC_JOBNUM_MAX, -1, &m->size) < 0)
        return -1;
    if (m->launcher.len == 0)
        return spool_seterr(c->err, c->errlen, "key 'mpi.launcher': empty");
    for (size_t i = 0; i < m->launcher.len; i++) {
        char ch = m->launcher.s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return spool_seterr(c->err, c->errlen, "key 'mpi.launcher': not a launcher name");
    }
    if (m->size >= 0 && m->size <= m->rank)
        return spool_seterr(c->err, c->errlen, "key 'mpi.size': %" PRId64 " not above the rank %" PRId64,
                            m->size, m->rank);
    m->present = 1;
    return 0;
}

/* ---- the record --------------------------------------------------------- */

/* schema, kind, ids, identity, and exe and job (run) or the link's keys. */
static int parse_head(struct ctx *c, yajl_val root, struct rec *r)
{
    struct rec_str kind;
    int64_t v;

    if (root->type != yajl_t_object)
        return spool_seterr(c->err, c->errlen, "record is %s, not a JSON object", type_name(root));
    if (get_int(c, root, "schema", "schema", 1, INT32_MIN, INT32_MAX, 0, &v) < 0)
        return -1;
    if (v != 1)
        return spool_seterr(c->err, c->errlen, "key 'schema': version %" PRId64 " not supported (1)", v);
    r->schema = 1;
    if (get_str(c, root, "kind", "kind", 1, 16, &kind) < 0)
        return -1;
    if (strcmp(kind.s, "start") == 0)
        r->kind = SPOOL_KIND_START;
    else if (strcmp(kind.s, "end") == 0)
        r->kind = SPOOL_KIND_END;
    else if (strcmp(kind.s, "link") == 0)
        r->kind = SPOOL_KIND_LINK;
    else if (strcmp(kind.s, "packages") == 0)
        r->kind = SPOOL_KIND_PKG;
    else
        return spool_seterr(c->err, c->errlen, "key 'kind': expected start, end, link or packages");
    int is_link = r->kind == SPOOL_KIND_LINK;

    if (get_uuid(c, root, is_link ? "link_uuid" : "run_uuid", is_link ? "link_uuid" : "run_uuid",
                 1, r->run_uuid) < 0)
        return -1;
    if (!is_link && get_uuid(c, root, "parent_uuid", "parent_uuid", 0, r->parent_uuid) < 0)
        return -1;
    if (get_text(c, root, "syshost", "syshost", 1, REC_NAME_MAX, &r->syshost) < 0 ||
        get_text(c, root, "host", "host", 1, REC_HOST_MAX, &r->host) < 0 ||
        get_text(c, root, "user", "user", 1, REC_NAME_MAX, &r->user) < 0 ||
        get_str(c, root, "cwd", "cwd", 0, REC_STR_MAX, &r->cwd) < 0 ||
        get_int(c, root, "uid", "uid", 1, 0, UINT32_MAX - 1, -1, &r->uid) < 0 ||
        get_int(c, root, "gid", "gid", !is_link, 0, UINT32_MAX - 1, -1, &r->gid) < 0)
        return -1;
    if (is_link) {
        r->pid = r->ppid = -1;
        if (get_time(c, root, "time", "time", 1, &r->start_us) < 0 ||
            get_str(c, root, "output", "output", 1, REC_STR_MAX, &r->link_output) < 0 ||
            get_build_id(c, root, "output_build_id", "output_build_id", &r->output_build_id) < 0 ||
            get_str(c, root, "linker", "linker", 1, REC_STR_MAX, &r->linker) < 0)
            return -1;
        if (r->link_output.len == 0)
            return spool_seterr(c->err, c->errlen, "key 'output': empty");
        if (get_compiler(c, root, r) < 0)
            return -1;
    } else if (r->kind == SPOOL_KIND_PKG) {
        /* written by the Python hook at exit: its own time, the run's job */
        r->ppid = -1;
        if (get_int(c, root, "pid", "pid", 1, 1, INT32_MAX, -1, &r->pid) < 0 ||
            get_time(c, root, "time", "time", 1, &r->start_us) < 0 || get_job(c, root, &r->job) < 0)
            return -1;
        mpi_absent(&r->mpi);
    } else {
        if (get_int(c, root, "pid", "pid", 1, 1, INT32_MAX, -1, &r->pid) < 0 ||
            get_int(c, root, "ppid", "ppid", 1, 0, INT32_MAX, -1, &r->ppid) < 0 ||
            get_time(c, root, "start_time", "start_time", 1, &r->start_us) < 0)
            return -1;
        yajl_val exe = obj_get(root, "exe");
        if (!exe)
            return spool_seterr(c->err, c->errlen, "key 'exe': missing");
        if (get_object(c, exe, "exe", &r->exe) < 0 || get_job(c, root, &r->job) < 0 ||
            get_mpi(c, root, &r->mpi) < 0)
            return -1;
    }
    /* Fields a kind does not have. */
    if (r->kind == SPOOL_KIND_PKG)
        r->exe.path = r->exe.build_id = r->exe.signature = rec_str_none;
    if (!is_link) {
        r->link_output = r->linker = rec_str_none;
        r->cc_name = r->cc_path = r->cc_version = r->cc_wrapper = rec_str_none;
    } else {
        r->exe.path = rec_str_none;
        job_absent(&r->job);
        mpi_absent(&r->mpi);
    }
    return 0;
}

/* truncated and the four arrays, in one block that r->mem_ owns. */
static int parse_lists(struct ctx *c, yajl_val root, struct rec *r)
{
    int is_link = r->kind == SPOOL_KIND_LINK;
    yajl_val cmd, mods, objs, env;

    yajl_val t = obj_get(root, "truncated");
    if (t && t->type != yajl_t_true && t->type != yajl_t_false)
        return spool_seterr(c->err, c->errlen, "key 'truncated': expected a boolean, got %s", type_name(t));
    r->truncated = t && t->type == yajl_t_true;

    if (get_str_array(c, root, "cmdline", 1, &cmd) < 0 ||
        get_str_array(c, root, "modules", 0, &mods) < 0)
        return -1;
    if (is_link)
        mods = NULL;
    objs = obj_get(root, "objects");
    if (!objs)
        return spool_seterr(c->err, c->errlen, "key 'objects': missing");
    if (objs->type != yajl_t_array)
        return spool_seterr(c->err, c->errlen, "key 'objects': expected an array, got %s", type_name(objs));
    if (objs->u.array.len > REC_ITEMS_MAX)
        return spool_seterr(c->err, c->errlen, "key 'objects': %zu elements, at most %d allowed",
                    objs->u.array.len, REC_ITEMS_MAX);
    env = is_link ? NULL : obj_get(root, "env");
    if (env && env->type == yajl_t_null)
        env = NULL;
    if (env && env->type != yajl_t_object)
        return spool_seterr(c->err, c->errlen, "key 'env': expected an object, got %s", type_name(env));
    if (env && env->u.object.len > REC_ITEMS_MAX)
        return spool_seterr(c->err, c->errlen, "key 'env': %zu members, at most %d allowed",
                    env->u.object.len, REC_ITEMS_MAX);

    /* One block for the four arrays (sizes are bounded above, so no overflow). */
    r->ncmdline = cmd->u.array.len;
    r->nmodules = mods ? mods->u.array.len : 0;
    r->nenv = env ? env->u.object.len : 0;
    r->nobjects = c->hit ? rec_objmemo_count(c->hit) : objs->u.array.len;
    size_t bytes = (r->ncmdline + r->nmodules) * sizeof(struct rec_str) +
                   r->nenv * sizeof(struct rec_env) + r->nobjects * sizeof(struct rec_object);
    struct rec_mem *m = r->mem_;
    m->arrays = malloc(bytes ? bytes : 1);
    if (!m->arrays)
        return spool_seterr(c->err, c->errlen, "out of memory (%zu bytes)", bytes);
    char *p = m->arrays;
    r->objects = (struct rec_object *)p;  /* largest alignment first */
    p += r->nobjects * sizeof(struct rec_object);
    r->env = (struct rec_env *)p;
    p += r->nenv * sizeof(struct rec_env);
    r->cmdline = (struct rec_str *)p;
    p += r->ncmdline * sizeof(struct rec_str);
    r->modules = (struct rec_str *)p;

    if (fill_strs(c, cmd, "cmdline[*]", r->cmdline) < 0 ||
        fill_strs(c, mods, "modules[*]", r->modules) < 0)
        return -1;
    if (c->hit) {
        /* Room: the memo's strings are what a full parse of the same bytes
         * put into m, and yajl did not see those bytes this time. */
        size_t sb = rec_objmemo_strbytes(c->hit);
        if (m->cap - m->used < sb)
            return spool_seterr(c->err, c->errlen, "out of memory (%zu bytes)", sb);
        rec_objmemo_copy(c->hit, r->objects, m->data + m->used);
        m->used += sb;
    }
    for (size_t i = 0; !c->hit && i < r->nobjects; i++)
        if (get_object(c, objs->u.array.values[i], "objects[*]", &r->objects[i]) < 0)
            return fix_index(c, i);
    for (size_t i = 0; i < r->nenv; i++) {
        const char *path = "env[*]";
        /* Keys are decoded like values: a name may hold any byte but '='.
         * The tree's keys are its own scratch copies (rec_tree.c), so
         * decoding in place is fine despite the const in yajl's struct. */
        char *name = (char *)env->u.object.keys[i];
        size_t nl = spool_json_unescape_bytes(name, strlen(name));
        if (nl == 0 || nl > REC_STR_MAX || memchr(name, '=', nl)) {
            spool_seterr(c->err, c->errlen, "key '%s': bad variable name (empty, too long or "
                 "holding '=')", path);
            return fix_index(c, i);
        }
        /* the key is scratch (the tree's): the record keeps a copy */
        if (!(r->env[i].name.s = rec_mem_str(m, name, nl)))
            return spool_seterr(c->err, c->errlen, "out of memory (%zu bytes)", nl);
        r->env[i].name.len = nl;
        if (get_str_val(c, env->u.object.values[i], path, REC_STR_MAX, &r->env[i].value) < 0)
            return fix_index(c, i);
    }
    return 0;
}

/* The end record's times, resources and exit. */
static int parse_end(struct ctx *c, yajl_val root, struct rec *r)
{
    r->end_us = r->run_time_us = -1;
    r->utime_us = r->stime_us = r->maxrss_kb = -1;
    if (r->kind == SPOOL_KIND_END) {
        if (get_time(c, root, "end_time", "end_time", 1, &r->end_us) < 0 ||
            get_time(c, root, "run_time", "run_time", 1, &r->run_time_us) < 0 ||
            get_time(c, root, "utime", "utime", 0, &r->utime_us) < 0 ||
            get_time(c, root, "stime", "stime", 0, &r->stime_us) < 0 ||
            get_int(c, root, "maxrss_kb", "maxrss_kb", 0, 0, INT64_MAX / 2, -1, &r->maxrss_kb) < 0)
            return -1;
        r->has_exit_status = obj_get(root, "exit_status") != NULL;
        r->has_signal = obj_get(root, "signal") != NULL;
        if (!r->has_exit_status && !r->has_signal)
            return spool_seterr(c->err, c->errlen, "key 'exit_status': missing (and no 'signal')");
        if (get_int(c, root, "exit_status", "exit_status", 0, INT32_MIN, INT32_MAX, 0,
                    &r->exit_status) < 0 ||
            get_int(c, root, "signal", "signal", 0, 1, 127, 0, &r->signal) < 0)
            return -1;
        if (r->end_us < r->start_us)
            return spool_seterr(c->err, c->errlen, "key 'end_time': before start_time");
    }
    return 0;
}

static int parse_tree(struct ctx *c, yajl_val root, struct rec *r)
{
    if (parse_head(c, root, r) < 0)
        return -1;
    if (r->kind == SPOOL_KIND_PKG)
        return rec_pkg_body(c, root, r);
    if (parse_lists(c, root, r) < 0 || parse_end(c, root, r) < 0)
        return -1;
    rec_pkg_none(r);
    return 0;
}

/* One parse of buf into r. With a memo hit, yajl reads the text with the
 * "objects" array (sp) replaced by [] and parse_tree takes the objects from
 * the memo; the text around it is read and checked as always. */
static int parse_once(struct rec_parser *p, const char *buf, size_t len,
                      const struct rec_span *sp, const struct rec_objmemo_ent *hit,
                      struct rec *r, char *err, size_t errlen)
{
    struct ctx c = { err, errlen, hit };
    struct rec_mem *m = NULL;
    yajl_val root;
    int rc = -1;

    memset(r, 0, sizeof *r);
    m = rec_mem_new(len);
    if (!m) {
        spool_seterr(err, errlen, "out of memory (%zu bytes)", len);
        goto out;
    }
    if (rec_tree_parse(p, m, buf, len, hit ? sp->start : 0, hit ? sp->end : 0, &root, err,
                       errlen) < 0)
        goto out;
    r->mem_ = m;
    if (parse_tree(&c, root, r) < 0)
        goto out;
    rc = 0;
out:
    rec_tree_reset(p);
    if (rc < 0) {
        rec_mem_free(m);
        memset(r, 0, sizeof *r);
    }
    return rc;
}

/* use_memo: consult and fill p's memo (a one-off parser has no use for it). */
static int parse_with(struct rec_parser *p, const char *buf, size_t len, int use_memo,
                      struct rec *r, char *err, size_t errlen)
{
    struct rec_span sp;
    const struct rec_objmemo_ent *hit = NULL;
    uint64_t h = 0;

    memset(r, 0, sizeof *r);
    if (len == 0)
        return spool_seterr(err, errlen, "empty record");
    if (rec_prescan((const unsigned char *)buf, len, &sp, err, errlen) < 0)
        return -1;
    int memo = use_memo && sp.keys == 1 && sp.end && !sp.unsure;
    if (memo) {
        h = spool_hash(buf + sp.start, sp.end - sp.start);
        hit = rec_objmemo_find(p->memo_, h, buf + sp.start, sp.end - sp.start);
    }
    /* A hit that fails anywhere is parsed again in full: the reason given
     * is always the full parse's. */
    if (hit && parse_once(p, buf, len, &sp, hit, r, err, errlen) == 0) {
        p->memo_hits++;
        return 0;
    }
    if (parse_once(p, buf, len, &sp, NULL, r, err, errlen) < 0)
        return -1;
    /* Only a parse that validated the array may vouch for its text: a
     * package record never reads "objects" (rec_pkg_body), so its accepting
     * says nothing about them, and remembering its empty list would let a
     * start record with the same (invalid) text through. */
    if (memo && !hit && r->kind != SPOOL_KIND_PKG) {
        struct rec_objmemo *mm = p->memo_;   /* not a cast of &p->memo_: aliasing */
        (void)rec_objmemo_put(&mm, h, buf + sp.start, sp.end - sp.start, r->objects,
                              r->nobjects);
        p->memo_ = mm;
    }
    return 0;
}

int rec_parse_with(struct rec_parser *p, const char *buf, size_t len, struct rec *r, char *err,
                   size_t errlen)
{
    return parse_with(p, buf, len, 1, r, err, errlen);
}

void rec_parser_free(struct rec_parser *p)
{
    rec_tree_free(p);
    rec_objmemo_free(p->memo_);
    memset(p, 0, sizeof *p);
}

int rec_parse(const char *buf, size_t len, struct rec *r, char *err, size_t errlen)
{
    struct rec_parser p = REC_PARSER_INIT;
    int rc = parse_with(&p, buf, len, 0, r, err, errlen);
    rec_parser_free(&p);
    return rc;
}

void rec_free(struct rec *r)
{
    rec_mem_free(r->mem_);
    rec_tally_free(r->tally);
    memset(r, 0, sizeof *r);
}

/* ---- name check --------------------------------------------------------- */

int rec_check_name(const struct rec *r, const struct spool_name *n, char *err, size_t errlen)
{
    char comp[SPOOL_NAME_COMP_MAX];
    static const char *const kinds[] = { "?", "start", "end", "link", "packages" };

    if (n->kind != r->kind)
        return spool_seterr(err, errlen, "name says kind %s, record says %s",
                    kinds[n->kind <= 4 ? n->kind : 0], kinds[r->kind <= 4 ? r->kind : 0]);
    if (strcmp(n->uuid, r->run_uuid) != 0)
        return spool_seterr(err, errlen, "name has uuid %s, record has %s '%s'", n->uuid,
                    r->kind == SPOOL_KIND_LINK ? "link_uuid" : "run_uuid", r->run_uuid);
    spool_name_component(comp, r->syshost.s);
    if (strcmp(comp, n->syshost) != 0)
        return spool_seterr(err, errlen, "name has syshost '%s', record has '%s'", n->syshost, comp);
    spool_name_component(comp, r->user.s);
    if (strcmp(comp, n->user) != 0)
        return spool_seterr(err, errlen, "name has user '%s', record has '%s'", n->user, comp);

    /* The name's date is the writer's local time: read it as if it were UTC
     * and allow any zone offset (-12..+14 h) plus slack. */
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (sscanf(n->date, "%4d_%2d_%2d_%2d_%2d_%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return spool_seterr(err, errlen, "name has a bad date '%s'", n->date);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    int64_t start = r->start_us / 1000000;
    int64_t d = (int64_t)t - start;
    if (d < 0)
        d = -d;
    if (d > 26 * 3600)
        return spool_seterr(err, errlen, "name date %s is %" PRId64 " h away from %s %" PRId64,
                    n->date, d / 3600, r->kind >= SPOOL_KIND_LINK ? "time" : "start_time", start);
    return 0;
}
