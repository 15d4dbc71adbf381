/* lt_env: what the environment says about the job this process belongs to
 * (Slurm and PMI variables): the rank filter and the record's "job" object.
 * Reads with getenv only: no allocation, usable before main. */
#ifndef TRACK_LT_ENV_H
#define TRACK_LT_ENV_H

#include "spool_json.h"

/* Parses a whole decimal integer (optional '-'); 0 and *out on success, -1
 * if s is NULL, empty, has other characters or is out of range. */
int lt_env_long(const char *s, long *out);

/* This process's rank: SLURM_PROCID, else PMIX_RANK, PMI_RANK,
 * OMPI_COMM_WORLD_RANK. Returns 1 and sets *rank when one is set and valid,
 * else 0. */
int lt_env_rank(long *rank);

/* Number of tasks of the step: SLURM_STEP_NUM_TASKS, else SLURM_NTASKS;
 * outside Slurm PMI_SIZE, else OMPI_COMM_WORLD_SIZE. 0 when unknown. */
long lt_env_ntasks(void);

/* 1 if the rank filter excludes this process: a parallel step (more than one
 * task), a known rank other than 0, and ranks_all not set. Else 0. */
int lt_env_rank_excluded(int ranks_all);

/* The job directory name: SLURM_JOB_ID when it is a valid name (digits),
 * else "nojob". Writes into out (outlen >= 24). */
void lt_env_job_dir(char *out, size_t outlen);

/* Writes the member "job":{...} when SLURM_JOB_ID is set; nothing
 * otherwise. Ids (id, step, array_id, array_task) are cut at max_id bytes,
 * partition and account at max_text; *cut is set to 1 if one was. Absent
 * variables are absent keys. */
void lt_env_job_json(struct spool_json *j, size_t max_id, size_t max_text, int *cut);

#endif
