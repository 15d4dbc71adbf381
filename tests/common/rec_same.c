/* rec_same: every field of struct rec, in declaration order. */
#include "rec_same.h"

#include <stdio.h>
#include <string.h>

/* Fields that do not apply to a kind (a run's output_build_id, a link's exe
 * build_id) may be left NULL: both sides must agree on that too. */
static int str_eq(const struct rec_str *x, const struct rec_str *y)
{
    if (!x->s || !y->s)
        return x->s == y->s && x->len == 0 && y->len == 0;
    return x->len == y->len && memcmp(x->s, y->s, x->len) == 0 && x->s[x->len] == '\0' &&
           y->s[y->len] == '\0';
}

static int obj_eq(const struct rec_object *x, const struct rec_object *y)
{
    return str_eq(&x->path, &y->path) && str_eq(&x->build_id, &y->build_id) &&
           str_eq(&x->signature, &y->signature);
}

static int differ(char *what, size_t whatlen, const char *field)
{
    if (what && whatlen)
        snprintf(what, whatlen, "%s", field);
    return 0;
}

#define SAME_INT(f) if (a->f != b->f) return differ(what, whatlen, #f)
#define SAME_STR(f) if (!str_eq(&a->f, &b->f)) return differ(what, whatlen, #f)

int rec_same(const struct rec *a, const struct rec *b, char *what, size_t whatlen)
{
    SAME_INT(schema); SAME_INT(kind);
    if (strcmp(a->run_uuid, b->run_uuid) != 0)
        return differ(what, whatlen, "run_uuid");
    if (strcmp(a->parent_uuid, b->parent_uuid) != 0)
        return differ(what, whatlen, "parent_uuid");
    SAME_STR(syshost); SAME_STR(host); SAME_STR(user); SAME_STR(cwd);
    SAME_INT(uid); SAME_INT(gid); SAME_INT(pid); SAME_INT(ppid); SAME_INT(start_us);
    if (!obj_eq(&a->exe, &b->exe))
        return differ(what, whatlen, "exe");
    SAME_INT(ncmdline); SAME_INT(nmodules); SAME_INT(nenv); SAME_INT(nobjects);
    for (size_t i = 0; i < a->ncmdline; i++)
        if (!str_eq(&a->cmdline[i], &b->cmdline[i]))
            return differ(what, whatlen, "cmdline[]");
    for (size_t i = 0; i < a->nmodules; i++)
        if (!str_eq(&a->modules[i], &b->modules[i]))
            return differ(what, whatlen, "modules[]");
    for (size_t i = 0; i < a->nenv; i++)
        if (!str_eq(&a->env[i].name, &b->env[i].name) || !str_eq(&a->env[i].value, &b->env[i].value))
            return differ(what, whatlen, "env[]");
    for (size_t i = 0; i < a->nobjects; i++)
        if (!obj_eq(&a->objects[i], &b->objects[i]))
            return differ(what, whatlen, "objects[]");
    SAME_INT(job.present);
    SAME_STR(job.scheduler); SAME_STR(job.id); SAME_STR(job.step); SAME_STR(job.array_id);
    SAME_STR(job.array_task); SAME_STR(job.partition); SAME_STR(job.account);
    SAME_INT(job.num_nodes); SAME_INT(job.num_tasks); SAME_INT(job.cpus_per_task);
    SAME_INT(job.rank); SAME_INT(job.alloc_cpus); SAME_INT(truncated);
    SAME_INT(mpi.present); SAME_STR(mpi.launcher); SAME_INT(mpi.rank); SAME_INT(mpi.size);
    SAME_INT(end_us); SAME_INT(run_time_us); SAME_INT(has_exit_status); SAME_INT(exit_status);
    SAME_INT(has_signal); SAME_INT(signal); SAME_INT(utime_us); SAME_INT(stime_us);
    SAME_INT(maxrss_kb);
    SAME_STR(link_output); SAME_STR(linker); SAME_STR(output_build_id);
    SAME_STR(cc_name); SAME_STR(cc_path); SAME_STR(cc_version); SAME_STR(cc_wrapper);
    SAME_STR(py_version); SAME_STR(py_impl); SAME_STR(py_exe); SAME_STR(py_prefix);
    SAME_STR(py_env); SAME_INT(npkgs);
    for (size_t i = 0; i < a->npkgs; i++) {
        const struct rec_pkg *x = &a->pkgs[i], *y = &b->pkgs[i];
        if (!str_eq(&x->name, &y->name) || !str_eq(&x->version, &y->version) ||
            !str_eq(&x->source, &y->source) || x->nmodules != y->nmodules)
            return differ(what, whatlen, "pkgs[]");
        for (size_t k = 0; k < x->nmodules; k++)
            if (!str_eq(&x->modules[k], &y->modules[k]))
                return differ(what, whatlen, "pkgs[].modules[]");
    }
    return 1;
}
