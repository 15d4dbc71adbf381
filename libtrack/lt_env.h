/* lt_env: what the environment says about the job this process belongs to
 * (Slurm and PMI variables): the rank filter and the record's "job" object.
 * Reads with getenv only: no allocation, usable before main. */
#ifndef TRACK_LT_ENV_H
#define TRACK_LT_ENV_H

#include "spool_json.h"

/* Parses a whole decimal integer (optional '-'); 0 and *out on success, -1
 * if s is NULL, empty, has other characters or is out of range. */
int lt_env_long(const char *s, long *out);

/* What an MPI launcher says about this process (docs/libtrack.md,
 * "Ranks"): the first of Open MPI (OMPI_COMM_WORLD_RANK/SIZE), MVAPICH
 * (MV2_COMM_WORLD_RANK/SIZE), PMI-1/2 as Hydra, Intel MPI and srun
 * --mpi=pmi2 set it (PMI_RANK/PMI_SIZE), PMIx (PMIX_RANK; the size is the
 * step's SLURM_STEP_NUM_TASKS when srun's PMIx plugin started it, else
 * unknown) whose rank variable holds a valid integer. */
struct lt_mpi {
    const char *launcher;  /* "openmpi", "mvapich", "pmi", "pmix" (static) */
    long rank;
    long size;             /* 0 = unknown */
};

/* Fills *m and returns 1 when an MPI launcher's rank is set, else 0 (m
 * untouched). */
int lt_env_mpi(struct lt_mpi *m);

/* The Slurm task rank of this process in its step: SLURM_PROCID. Returns 1
 * and sets *rank when it is set and valid, else 0. */
int lt_env_rank(long *rank);

/* Number of tasks of the step for the rank filter: SLURM_STEP_NUM_TASKS,
 * else SLURM_NTASKS. 0 when unknown. */
long lt_env_ntasks(void);

/* 1 if the rank filter excludes this process, else 0. Never with ranks_all.
 * Under an MPI launcher (lt_env_mpi) the MPI rank decides: every rank but 0
 * is excluded. Otherwise Slurm's: a step of more than one task and a
 * SLURM_PROCID other than 0. */
int lt_env_rank_excluded(int ranks_all);

/* The job directory name: SLURM_JOB_ID when it is a valid name (digits),
 * else "nojob". Writes into out (outlen >= 24). */
void lt_env_job_dir(char *out, size_t outlen);

/* Writes the member "job":{...} when SLURM_JOB_ID is set; nothing
 * otherwise. Ids (id, step, array_id, array_task) are cut at max_id bytes,
 * partition and account at max_text; *cut is set to 1 if one was. Absent
 * variables are absent keys. num_tasks is the step's task count
 * (SLURM_STEP_NUM_TASKS; 1 in the batch script or an allocation's shell,
 * which have no SLURM_STEP_ID); alloc_cpus the job's CPUs, the sum of
 * SLURM_JOB_CPUS_PER_NODE ("4(x2),2" is 10); rank is SLURM_PROCID. */
void lt_env_job_json(struct spool_json *j, size_t max_id, size_t max_text, int *cut);

/* Writes the member "mpi":{"launcher","rank"[,"size"]} when lt_env_mpi
 * finds a launcher; nothing otherwise. */
void lt_env_mpi_json(struct spool_json *j);

/* The sum of a SLURM_JOB_CPUS_PER_NODE value ("2", "4(x2),2"): 0 and *out,
 * or -1 when s is NULL or malformed. */
int lt_env_cpus_per_node(const char *s, long *out);

#endif
