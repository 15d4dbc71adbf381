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

int lt_env_rank(long *rank)
{
    static const char *const names[] = { "SLURM_PROCID", "PMIX_RANK", "PMI_RANK",
                                         "OMPI_COMM_WORLD_RANK", NULL };
    return first_long(names, rank);
}

long lt_env_ntasks(void)
{
    static const char *const slurm[] = { "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", NULL };
    static const char *const pmi[] = { "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", NULL };
    long n;

    /* Slurm's count wins when present: in a step launched by srun the PMI
     * variables describe the same step. */
    if (first_long(slurm, &n) || first_long(pmi, &n))
        return n;
    return 0;
}

int lt_env_rank_excluded(int ranks_all)
{
    long rank;

    if (ranks_all)
        return 0;
    if (lt_env_ntasks() <= 1)
        return 0;
    return lt_env_rank(&rank) && rank != 0;
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
    long rank;

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
    kenv_int(j, "num_tasks", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS");
    kenv_int(j, "cpus_per_task", "SLURM_CPUS_PER_TASK", NULL);
    if (lt_env_rank(&rank))
        spool_json_kint(j, "rank", rank);
    spool_json_obj_close(j);
}
