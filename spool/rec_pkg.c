/* The body of a Python package record (docs/python.md, "The record"): the
 * interpreter and the distributions a run imported. Everything here comes
 * from the user's process: names and versions are bounded text (they go
 * into VARCHAR columns), sources one of five words, counts bounded. */
#include "spool_err.h"
#include "rec_pkg.h"

#include <stdlib.h>
#include <string.h>

#include "rec_tree.h"
#include "spool_limits.h"

#define PKG_NAME_MAX     128      /* distribution and module names */
#define PKG_VERSION_MAX  64
#define PKG_ITEMS_MAX    65536    /* distributions in one record */
#define PKG_MODS_MAX     4096     /* modules of one distribution */

void rec_pkg_none(struct rec *r)
{
    r->py_version = r->py_impl = r->py_exe = r->py_prefix = r->py_env = rec_str_none;
    r->pkgs = NULL;
    r->npkgs = 0;
}

static int one_of(const struct rec_str *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s->s, *words) == 0)
            return 1;
    return 0;
}

static int get_python(struct ctx *c, yajl_val root, struct rec *r)
{
    static const char *const envs[] = { "system", "venv", "conda", NULL };
    yajl_val py = obj_get(root, "python");
    if (!py)
        return spool_seterr(c->err, c->errlen, "key 'python': missing");
    if (py->type != yajl_t_object)
        return spool_seterr(c->err, c->errlen, "key 'python': expected an object, got %s",
                            type_name(py));
    if (get_text(c, py, "version", "python.version", 1, PKG_VERSION_MAX, &r->py_version) < 0 ||
        get_text(c, py, "implementation", "python.implementation", 0, PKG_VERSION_MAX,
                 &r->py_impl) < 0 ||
        get_str(c, py, "executable", "python.executable", 0, SPOOL_STR_MAX, &r->py_exe) < 0 ||
        get_str(c, py, "prefix", "python.prefix", 0, SPOOL_STR_MAX, &r->py_prefix) < 0 ||
        get_text(c, py, "environment", "python.environment", 1, 16, &r->py_env) < 0)
        return -1;
    if (!one_of(&r->py_env, envs))
        return spool_seterr(c->err, c->errlen,
                            "key 'python.environment': expected system, venv or conda");
    return 0;
}

/* Checks the shape of "packages" and counts what the arrays need. */
static int count(struct ctx *c, yajl_val pk, size_t *nmods)
{
    *nmods = 0;
    if (pk->type != yajl_t_array)
        return spool_seterr(c->err, c->errlen, "key 'packages': expected an array, got %s",
                            type_name(pk));
    if (pk->u.array.len > PKG_ITEMS_MAX)
        return spool_seterr(c->err, c->errlen, "key 'packages': %zu elements, at most %d allowed",
                            pk->u.array.len, PKG_ITEMS_MAX);
    for (size_t i = 0; i < pk->u.array.len; i++) {
        yajl_val e = pk->u.array.values[i], mods;
        if (e->type != yajl_t_object) {
            spool_seterr(c->err, c->errlen, "key 'packages[*]': expected an object, got %s",
                         type_name(e));
            return fix_index(c, i);
        }
        mods = obj_get(e, "modules");
        if (!mods)
            continue;
        if (mods->type != yajl_t_array || mods->u.array.len > PKG_MODS_MAX) {
            spool_seterr(c->err, c->errlen, "key 'packages[*].modules': expected an array of at "
                         "most %d names", PKG_MODS_MAX);
            return fix_index(c, i);
        }
        *nmods += mods->u.array.len;
    }
    return 0;
}

static int get_pkg(struct ctx *c, yajl_val e, struct rec_pkg *p, struct rec_str *mods)
{
    static const char *const sources[] = { "system", "user", "venv", "conda", "path", NULL };
    yajl_val ma = obj_get(e, "modules");
    if (get_text(c, e, "name", "packages[*].name", 1, PKG_NAME_MAX, &p->name) < 0 ||
        get_text(c, e, "version", "packages[*].version", 0, PKG_VERSION_MAX, &p->version) < 0 ||
        get_text(c, e, "source", "packages[*].source", 1, 16, &p->source) < 0)
        return -1;
    if (!one_of(&p->source, sources))
        return spool_seterr(c->err, c->errlen, "key 'packages[*].source': expected system, user, "
                            "venv, conda or path");
    p->modules = mods;
    p->nmodules = ma ? ma->u.array.len : 0;
    for (size_t k = 0; k < p->nmodules; k++) {
        if (get_str_val(c, ma->u.array.values[k], "packages[*].modules[]", PKG_NAME_MAX,
                        &mods[k]) < 0 ||
            text_ok(c, &mods[k], "packages[*].modules[]") < 0)
            return -1;
        if (mods[k].len == 0)
            return spool_seterr(c->err, c->errlen, "key 'packages[*].modules[]': empty");
    }
    return 0;
}

int rec_pkg_body(struct ctx *c, yajl_val root, struct rec *r)
{
    struct rec_mem *m = r->mem_;
    yajl_val pk, t;
    size_t nmods;

    rec_pkg_none(r);
    r->end_us = r->run_time_us = r->utime_us = r->stime_us = r->maxrss_kb = -1;
    /* Not part of a package record: a key of that name (the common keys are
     * read for every kind) is ignored. */
    r->cwd = r->link_output = r->linker = r->output_build_id = rec_str_none;
    t = obj_get(root, "truncated");
    if (t && t->type != yajl_t_true && t->type != yajl_t_false)
        return spool_seterr(c->err, c->errlen, "key 'truncated': expected a boolean, got %s",
                            type_name(t));
    r->truncated = t && t->type == yajl_t_true;
    if (get_python(c, root, r) < 0)
        return -1;
    pk = obj_get(root, "packages");
    if (!pk)
        return spool_seterr(c->err, c->errlen, "key 'packages': missing");
    if (count(c, pk, &nmods) < 0)
        return -1;
    /* bounded above: at most 65536 packages of 4096 modules, no overflow */
    size_t bytes = pk->u.array.len * sizeof(struct rec_pkg) + nmods * sizeof(struct rec_str);
    m->arrays = malloc(bytes ? bytes : 1);
    if (!m->arrays)
        return spool_seterr(c->err, c->errlen, "out of memory (%zu bytes)", bytes);
    r->pkgs = m->arrays;
    r->npkgs = pk->u.array.len;
    struct rec_str *mods = (struct rec_str *)(r->pkgs + r->npkgs);
    for (size_t i = 0; i < r->npkgs; i++) {
        if (get_pkg(c, pk->u.array.values[i], &r->pkgs[i], mods) < 0)
            return fix_index(c, i);
        mods += r->pkgs[i].nmodules;
    }
    return 0;
}
