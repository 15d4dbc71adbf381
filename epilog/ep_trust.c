/* A record's claims checked against what root knows about the job whose
 * directory it was collected from (docs/trust.md). The file owner (fstat)
 * proves who wrote a record, but its content is the writer's word: a user
 * can write any well-formed JSON into their own job directory. Everything
 * a record says about where and when it ran, and that reports use to put
 * it next to other users' or other jobs' runs, must therefore be what root
 * knows: the job id (the directory's name, from slurmd's environment), the
 * array ids, partition and account (slurmd's environment or the Prolog's
 * stamp), the cluster (config or slurmd's environment), this node, and the
 * job's lifetime on this node (the stamp's start, this run's time). What
 * root does not know is not checked; docs/trust.md lists what that leaves
 * an attacker. */
#include "ep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool_log.h"

static void set_known(struct ep_known *k, const char *v)
{
    k->known = 1;
    snprintf(k->v, sizeof k->v, "%s", v);
}

void ep_job_init(struct ep_ctx *ctx, struct ep_job *j, const char *job)
{
    struct spool_ident id;

    memset(j, 0, sizeof *j);
    if (job && strcmp(job, "nojob") != 0) {
        snprintf(j->id, sizeof j->id, "%s", job);
        snprintf(j->where, sizeof j->where, "job %.30s", job);
    } else {
        snprintf(j->where, sizeof j->where, "nojob/");
    }
    spool_ident_get(&ctx->cfg, 0, &id);
    memcpy(j->syshost, id.syshost, sizeof j->syshost);
    memcpy(j->host, id.host, sizeof j->host);
    j->syshost_known = ctx->cfg.syshost[0] ||
                       (getenv("SLURM_CLUSTER_NAME") && getenv("SLURM_CLUSTER_NAME")[0]);
    j->end = ctx->now;
}

/* 1 if s is a job id as Slurm gives it (digits, 1..20). */
static int is_id(const char *s)
{
    size_t i;
    for (i = 0; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return i > 0 && i <= 20;
}

static int given_text(struct ep_known *k, const char *opt, const char *env, const char *what)
{
    const char *v = opt ? opt : getenv(env);
    if (!v)
        return 0;
    if (strlen(v) > SPOOL_JOBTEXT_MAX || strchr(v, '\n')) {
        spool_log_err("%s '%.40s...': longer than %d bytes or not one line (%s)", what, v,
                      SPOOL_JOBTEXT_MAX, opt ? "command line" : env);
        return -1;
    }
    set_known(k, v);
    return 0;
}

int ep_job_array(struct ep_job *j, const char *array, const char *what)
{
    char aj[SPOOL_JOBTEXT_MAX + 1];
    const char *us = strchr(array, '_');

    if (!array[0]) {
        set_known(&j->array_job, "");
        set_known(&j->array_task, "");
        return 0;
    }
    if (!us || (size_t)(us - array) >= sizeof aj)
        goto bad;
    memcpy(aj, array, (size_t)(us - array));
    aj[us - array] = '\0';
    if (!is_id(aj) || !is_id(us + 1))
        goto bad;
    set_known(&j->array_job, aj);
    set_known(&j->array_task, us + 1);
    return 0;
bad:
    spool_log_err("%s: array '%.40s': expected JOB_TASK (e.g. 1234_7) or '' (not an array job)",
                  what, array);
    return -1;
}

int ep_job_given(struct ep_job *j, const char *array, const char *partition,
                 const char *account)
{
    const char *aj = getenv("SLURM_ARRAY_JOB_ID"), *at = getenv("SLURM_ARRAY_TASK_ID");
    int rc = 0;

    if (array) {
        rc |= ep_job_array(j, array, "--array");
    } else if (aj && at) {
        /* Newer Slurm gives them to the Prolog and Epilog; 22.05 does not
         * (the Prolog script asks squeue then, docs/slurm.md). Their absence
         * says nothing: only a value counts. */
        if (is_id(aj) && is_id(at)) {
            set_known(&j->array_job, aj);
            set_known(&j->array_task, at);
        } else {
            spool_log_err("SLURM_ARRAY_JOB_ID/SLURM_ARRAY_TASK_ID '%.30s'/'%.30s': not job ids",
                          aj, at);
            rc = -1;
        }
    }
    rc |= given_text(&j->partition, partition, "SLURM_JOB_PARTITION", "partition");
    rc |= given_text(&j->account, account, "SLURM_JOB_ACCOUNT", "account");
    return rc ? -1 : 0;
}

/* A claimed string against the known value: equal, or the writer's cut of
 * it (writers cut at the size limit and mark the record truncated). */
static int same_text(const struct rec_str *claim, const char *known, size_t limit)
{
    size_t n = strlen(known);
    if (n > limit)
        n = limit;
    return claim->len == n && memcmp(claim->s, known, n) == 0;
}

/* One known job attribute: a claim (non-empty) must equal it. */
static int check_known(const struct ep_job *j, const char *key, const struct rec_str *claim,
                       const struct ep_known *k, char *why, size_t whylen)
{
    if (!k->known || claim->len == 0 || same_text(claim, k->v, SPOOL_JOBTEXT_MAX))
        return 0;
    if (k->v[0])
        snprintf(why, whylen, "%s: record claims '%.64s', %s's is '%.64s'", key, claim->s,
                 j->where, k->v);
    else
        snprintf(why, whylen, "%s: record claims '%.64s', %s has none", key, claim->s,
                 j->where);
    return -1;
}

/* Seconds of a microsecond time, for messages. */
static long long secs(int64_t us)
{
    return (long long)(us / 1000000);
}

static int check_time(const struct ep_job *j, const char *key, int64_t us, char *why,
                      size_t whylen)
{
    int64_t lo = ((int64_t)j->start - EP_TRUST_SLACK) * 1000000;
    int64_t hi = ((int64_t)j->end + EP_TRUST_SLACK) * 1000000;

    if (j->start > 0 && us < lo) {
        snprintf(why, whylen, "%s: record claims %lld, %lld s before %s started (%lld, from %s; "
                 "slack %d s)", key, secs(us), (long long)j->start - secs(us), j->where,
                 (long long)j->start, j->start_from, EP_TRUST_SLACK);
        return -1;
    }
    if (us > hi) {
        snprintf(why, whylen, "%s: record claims %lld, %lld s after this collection (%lld; "
                 "slack %d s)", key, secs(us), secs(us) - (long long)j->end,
                 (long long)j->end, EP_TRUST_SLACK);
        return -1;
    }
    return 0;
}

int ep_trust_check(const struct ep_job *j, const struct rec *r, char *why, size_t whylen)
{
    const struct rec_job *rj = &r->job;

    /* Link records carry no job (the format has none); run records always
     * do inside a job directory and never outside one (libtrack writes the
     * job object exactly when SLURM_JOB_ID names its directory). */
    if (r->kind != SPOOL_KIND_LINK) {
        if (j->id[0] && !rj->present) {
            snprintf(why, whylen, "job.id: record claims no job, but lies in %s's directory",
                     j->where);
            return -1;
        }
        if (!j->id[0] && rj->present) {
            snprintf(why, whylen, "job.id: record claims job '%.64s', but lies in %s (no job)",
                     rj->id.s, j->where);
            return -1;
        }
        if (j->id[0] && !same_text(&rj->id, j->id, SPOOL_ID_MAX)) {
            snprintf(why, whylen, "job.id: record claims job '%.64s', collected from %s",
                     rj->id.s, j->where);
            return -1;
        }
        if (j->id[0] &&
            (check_known(j, "job.array_id", &rj->array_id, &j->array_job, why, whylen) < 0 ||
             check_known(j, "job.array_task", &rj->array_task, &j->array_task, why, whylen) < 0 ||
             check_known(j, "job.partition", &rj->partition, &j->partition, why, whylen) < 0 ||
             check_known(j, "job.account", &rj->account, &j->account, why, whylen) < 0))
            return -1;
    }
    if (!same_text(&r->syshost, j->syshost, SPOOL_ID_MAX)) {
        snprintf(why, whylen, "syshost: record claims '%.64s', this cluster is '%.64s'",
                 r->syshost.s, j->syshost);
        return -1;
    }
    if (!same_text(&r->host, j->host, SPOOL_HOST_MAX)) {
        snprintf(why, whylen, "host: record claims '%.64s', this node is '%.64s'", r->host.s,
                 j->host);
        return -1;
    }
    if (check_time(j, r->kind == SPOOL_KIND_LINK || r->kind == SPOOL_KIND_PKG ? "time" : "start_time", r->start_us, why,
                   whylen) < 0)
        return -1;
    if (r->kind == SPOOL_KIND_END && check_time(j, "end_time", r->end_us, why, whylen) < 0)
        return -1;
    return 0;
}
