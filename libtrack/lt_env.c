#include "lt_env.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "spool_dir.h"

int lt_env_long(const char *s, long *out)
{
    char *end;
    long v;

    if (!s || !*s)
        return -1;
    /* strtol alone would accept blanks and a '+'; Slurm never writes them. */
    if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* The first of the variables that holds a valid integer. */
static int first_long(const char *const *names, long *out)
{
    for (; *names; names++)
        if (lt_env_long(getenv(*names), out) == 0)
            return 1;
    return 0;
}

int lt_env_mpi(struct lt_mpi *m)
{
    /* Most specific first: Open MPI's mpirun also sets PMIX_RANK, and a
     * launcher nested in an srun --mpi=pmi2 step inherits PMI_RANK. */
    static const struct { const char *rank, *size, *name; } launchers[] = {
        { "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "openmpi" },
        { "MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE", "mvapich" },
        { "PMI_RANK", "PMI_SIZE", "pmi" },
        { "PMIX_RANK", NULL, "pmix" },
    };
    long rank, size;

    for (size_t i = 0; i < sizeof launchers / sizeof launchers[0]; i++) {
        if (lt_env_long(getenv(launchers[i].rank), &rank) < 0 || rank < 0)
            continue;
        size = 0;
        if (launchers[i].size) {
            if (lt_env_long(getenv(launchers[i].size), &size) < 0 || size <= rank)
                size = 0;
        } else {
            /* PMIx has no size variable; srun's PMIx plugin names its
             * namespaces "slurm.pmix.<job>.<step>", and then the world is
             * the step. */
            const char *ns = getenv("PMIX_NAMESPACE");
            if (!ns || strncmp(ns, "slurm.pmix.", 11) != 0 ||
                lt_env_long(getenv("SLURM_STEP_NUM_TASKS"), &size) < 0 || size <= rank)
                size = 0;
        }
        m->launcher = launchers[i].name;
        m->rank = rank;
        m->size = size;
        return 1;
    }
    return 0;
}

int lt_env_rank(long *rank)
{
    return lt_env_long(getenv("SLURM_PROCID"), rank) == 0;
}

long lt_env_ntasks(void)
{
    static const char *const slurm[] = { "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", NULL };
    long n;

    return first_long(slurm, &n) ? n : 0;
}

int lt_env_rank_excluded(int ranks_all)
{
    struct lt_mpi m;
    long rank;

    if (ranks_all)
        return 0;
    /* Inside a batch script every process mpirun starts has SLURM_PROCID 0:
     * only the launcher knows the ranks. */
    if (lt_env_mpi(&m))
        return m.rank != 0;
    if (lt_env_ntasks() <= 1)
        return 0;
    return lt_env_rank(&rank) && rank != 0;
}

/* A run of decimal digits at *s (advanced past it): 0, or -1 if there is
 * none or it overflows. */
static int digits(const char **s, long *out)
{
    const char *p = *s;
    long n = 0;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, *p - '0', &n))
            return -1;
    *s = p;
    *out = n;
    return 0;
}

int lt_env_cpus_per_node(const char *s, long *out)
{
    long total = 0, n, times;

    if (!s)
        return -1;
    for (;;) {
        times = 1;
        if (digits(&s, &n) < 0)
            return -1;
        if (s[0] == '(' && s[1] == 'x') {
            s += 2;
            if (digits(&s, &times) < 0 || *s++ != ')')
                return -1;
        }
        if (__builtin_mul_overflow(n, times, &n) || __builtin_add_overflow(total, n, &total))
            return -1;
        if (!*s)
            break;
        if (*s++ != ',')
            return -1;
    }
    *out = total;
    return 0;
}

void lt_env_job_dir(char *out, size_t outlen)
{
    const char *id = getenv("SLURM_JOB_ID");
    const char *name = (id && spool_job_name_ok(id) && strlen(id) < outlen) ? id : "nojob";
    size_t n = strlen(name);

    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, name, n);
    out[n] = '\0';
}

static void kenv_str(struct spool_json *j, const char *key, const char *var, size_t max_str,
                     int *cut)
{
    const char *v = getenv(var);
    if (!v)
        return;
    spool_json_key(j, key);
    spool_json_strn(j, v, strlen(v), max_str, cut);
}

static void kenv_int(struct spool_json *j, const char *key, const char *var1, const char *var2)
{
    long v;
    if (lt_env_long(getenv(var1), &v) == 0 || (var2 && lt_env_long(getenv(var2), &v) == 0))
        spool_json_kint(j, key, v);
}

void lt_env_job_json(struct spool_json *j, size_t max_id, size_t max_text, int *cut)
{
    long v;

    if (!getenv("SLURM_JOB_ID"))
        return;
    spool_json_key(j, "job");
    spool_json_obj_open(j);
    spool_json_kstr(j, "scheduler", "slurm");
    kenv_str(j, "id", "SLURM_JOB_ID", max_id, cut);
    kenv_str(j, "step", "SLURM_STEP_ID", max_id, cut);
    kenv_str(j, "array_id", "SLURM_ARRAY_JOB_ID", max_id, cut);
    kenv_str(j, "array_task", "SLURM_ARRAY_TASK_ID", max_id, cut);
    kenv_str(j, "partition", "SLURM_JOB_PARTITION", max_text, cut);
    kenv_str(j, "account", "SLURM_JOB_ACCOUNT", max_text, cut);
    kenv_int(j, "num_nodes", "SLURM_STEP_NUM_NODES", "SLURM_JOB_NUM_NODES");
    /* The batch script (and an salloc shell) is one task whatever
     * SLURM_NTASKS says: that is the job's count, for the steps to come. */
    if (lt_env_long(getenv("SLURM_STEP_NUM_TASKS"), &v) == 0)
        spool_json_kint(j, "num_tasks", v);
    else if (!getenv("SLURM_STEP_ID"))
        spool_json_kint(j, "num_tasks", 1);
    else
        kenv_int(j, "num_tasks", "SLURM_NTASKS", NULL);
    kenv_int(j, "cpus_per_task", "SLURM_CPUS_PER_TASK", NULL);
    if (lt_env_cpus_per_node(getenv("SLURM_JOB_CPUS_PER_NODE"), &v) == 0 && v > 0)
        spool_json_kint(j, "alloc_cpus", v);
    if (lt_env_rank(&v))
        spool_json_kint(j, "rank", v);
    spool_json_obj_close(j);
}

void lt_env_mpi_json(struct spool_json *j)
{
    struct lt_mpi m;

    if (!lt_env_mpi(&m))
        return;
    spool_json_key(j, "mpi");
    spool_json_obj_open(j);
    spool_json_kstr(j, "launcher", m.launcher);
    spool_json_kint(j, "rank", m.rank);
    if (m.size > 0)
        spool_json_kint(j, "size", m.size);
    spool_json_obj_close(j);
}
