/* Unit tests of libtrack's pieces, in-process: the environment gate
 * (ranks, job directory) and record building with truncation. Every record
 * built here is read back with the tools' own parser (spool/rec_parse.h), so
 * writer and reader agree on the format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lt_env.h"
#include "lt_record.h"
#include "lt_run.h"
#include "rec_parse.h"
#include "spool_uuid.h"
#include "tcheck.h"

extern char **environ;

static void clear_job_env(void)
{
    static const char *const vars[] = {
        "SLURM_JOB_ID", "SLURM_PROCID", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", "PMIX_RANK",
        "PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE",
        "SLURM_STEP_ID", "SLURM_JOB_PARTITION", "LOADEDMODULES", "MV2_COMM_WORLD_RANK",
        "MV2_COMM_WORLD_SIZE", "PMIX_NAMESPACE", "SLURM_JOB_CPUS_PER_NODE", NULL };
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
}

static void test_long(void)
{
    long v = 0;
    CHECK_INT(lt_env_long("12", &v), 0);
    CHECK_INT(v, 12);
    CHECK_INT(lt_env_long("-3", &v), 0);
    CHECK_INT(v, -3);
    CHECK_INT(lt_env_long("", &v), -1);
    CHECK_INT(lt_env_long(NULL, &v), -1);
    CHECK_INT(lt_env_long("1x", &v), -1);
    CHECK_INT(lt_env_long(" 1", &v), -1);
    CHECK_INT(lt_env_long("+1", &v), -1);
    CHECK_INT(lt_env_long("-", &v), -1);
    CHECK_INT(lt_env_long("99999999999999999999999", &v), -1);
}

static void test_ranks(void)
{
    clear_job_env();
    CHECK_INT(lt_env_rank_excluded(0), 0);            /* no job at all */
    setenv("SLURM_PROCID", "1", 1);
    CHECK_INT(lt_env_rank_excluded(0), 0);            /* rank 1 of an unknown-size step */
    setenv("SLURM_NTASKS", "4", 1);
    CHECK_INT(lt_env_rank_excluded(0), 1);
    CHECK_INT(lt_env_rank_excluded(1), 0);            /* ranks = all */
    setenv("SLURM_STEP_NUM_TASKS", "1", 1);           /* the step's count wins */
    CHECK_INT(lt_env_rank_excluded(0), 0);
    setenv("SLURM_STEP_NUM_TASKS", "2", 1);
    setenv("SLURM_PROCID", "0", 1);
    CHECK_INT(lt_env_rank_excluded(0), 0);
    setenv("SLURM_PROCID", "junk", 1);                /* unparsable: no Slurm rank */
    CHECK_INT(lt_env_rank_excluded(0), 0);
    setenv("PMI_RANK", "3", 1);                       /* an MPI rank decides */
    CHECK_INT(lt_env_rank_excluded(0), 1);
    clear_job_env();
    setenv("PMI_SIZE", "8", 1);                       /* mpirun outside Slurm */
    setenv("PMIX_RANK", "2", 1);
    CHECK_INT(lt_env_rank_excluded(0), 1);
    setenv("PMIX_RANK", "0", 1);
    CHECK_INT(lt_env_rank_excluded(0), 0);
    clear_job_env();
}

/* mpirun -np 2 inside sbatch -n 2: every process has SLURM_PROCID 0 and
 * SLURM_NTASKS 2; only the launcher's variables tell the ranks apart. */
static void test_mpi(void)
{
    struct lt_mpi m;

    clear_job_env();
    CHECK_INT(lt_env_mpi(&m), 0);
    setenv("SLURM_JOB_ID", "9", 1);
    setenv("SLURM_NTASKS", "2", 1);
    setenv("SLURM_PROCID", "0", 1);
    setenv("OMPI_COMM_WORLD_RANK", "1", 1);
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    setenv("PMIX_RANK", "0", 1);                      /* Open MPI sets it too: OMPI wins */
    CHECK_INT(lt_env_mpi(&m), 1);
    CHECK_STR(m.launcher, "openmpi");
    CHECK_INT(m.rank, 1);
    CHECK_INT(m.size, 2);
    CHECK_INT(lt_env_rank_excluded(0), 1);
    CHECK_INT(lt_env_rank_excluded(1), 0);
    setenv("OMPI_COMM_WORLD_RANK", "0", 1);
    CHECK_INT(lt_env_rank_excluded(0), 0);
    /* The same under srun -n 2 of one mpirun each: the MPI rank 0 of task 1
     * is its own launch, tracked. */
    setenv("SLURM_PROCID", "1", 1);
    setenv("SLURM_STEP_NUM_TASKS", "2", 1);
    CHECK_INT(lt_env_rank_excluded(0), 0);
    unsetenv("OMPI_COMM_WORLD_RANK");
    unsetenv("OMPI_COMM_WORLD_SIZE");
    /* PMIx from srun --mpi=pmix: the world is the step. */
    setenv("PMIX_NAMESPACE", "slurm.pmix.9.0", 1);
    setenv("PMIX_RANK", "1", 1);
    CHECK_INT(lt_env_mpi(&m), 1);
    CHECK_STR(m.launcher, "pmix");
    CHECK_INT(m.rank, 1);
    CHECK_INT(m.size, 2);
    setenv("PMIX_NAMESPACE", "prterun-x-1234@1", 1);   /* another launcher: size unknown */
    CHECK_INT(lt_env_mpi(&m), 1);
    CHECK_INT(m.size, 0);
    /* Hydra (MPICH, Intel MPI) under Slurm: a one-task step per node,
     * PMI_RANK/PMI_SIZE per rank. PMI wins over an inherited PMIX_RANK. */
    setenv("SLURM_STEP_NUM_TASKS", "1", 1);
    setenv("SLURM_PROCID", "0", 1);
    setenv("PMI_RANK", "1", 1);
    setenv("PMI_SIZE", "2", 1);
    CHECK_INT(lt_env_mpi(&m), 1);
    CHECK_STR(m.launcher, "pmi");
    CHECK_INT(m.size, 2);
    CHECK_INT(lt_env_rank_excluded(0), 1);
    setenv("PMI_SIZE", "1", 1);                       /* a size not above the rank: unknown */
    CHECK_INT(lt_env_mpi(&m), 1);
    CHECK_INT(m.size, 0);
    setenv("MV2_COMM_WORLD_RANK", "0", 1);
    setenv("MV2_COMM_WORLD_SIZE", "4", 1);
    CHECK_INT(lt_env_mpi(&m), 1);
    CHECK_STR(m.launcher, "mvapich");
    CHECK_INT(m.size, 4);
    CHECK_INT(lt_env_rank_excluded(0), 0);
    setenv("MV2_COMM_WORLD_RANK", "-1", 1);           /* invalid: the next launcher */
    CHECK_INT(lt_env_mpi(&m), 1);
    CHECK_STR(m.launcher, "pmi");
    clear_job_env();
}

static void test_cpus_per_node(void)
{
    long v = 0;
    CHECK_INT(lt_env_cpus_per_node("2", &v), 0);
    CHECK_INT(v, 2);
    CHECK_INT(lt_env_cpus_per_node("4(x2),2", &v), 0);
    CHECK_INT(v, 10);
    CHECK_INT(lt_env_cpus_per_node("72(x3)", &v), 0);
    CHECK_INT(v, 216);
    CHECK_INT(lt_env_cpus_per_node(NULL, &v), -1);
    CHECK_INT(lt_env_cpus_per_node("", &v), -1);
    CHECK_INT(lt_env_cpus_per_node("4(x2", &v), -1);
    CHECK_INT(lt_env_cpus_per_node("4,", &v), -1);
    CHECK_INT(lt_env_cpus_per_node("4(2)", &v), -1);
    CHECK_INT(lt_env_cpus_per_node("99999999999999999999", &v), -1);
    CHECK_INT(lt_env_cpus_per_node("4611686018427387904(x4)", &v), -1);
}

static void test_job_dir(void)
{
    char d[24];
    clear_job_env();
    lt_env_job_dir(d, sizeof d);
    CHECK_STR(d, "nojob");
    setenv("SLURM_JOB_ID", "12345", 1);
    lt_env_job_dir(d, sizeof d);
    CHECK_STR(d, "12345");
    setenv("SLURM_JOB_ID", "../12", 1);
    lt_env_job_dir(d, sizeof d);
    CHECK_STR(d, "nojob");
    setenv("SLURM_JOB_ID", "123456789012345678901", 1);
    lt_env_job_dir(d, sizeof d);
    CHECK_STR(d, "nojob");
    clear_job_env();
}

static struct lt_run run;

static void setup(size_t cap)
{
    free(run.buf);
    memset(&run, 0, sizeof run);
    spool_config_defaults(&run.cfg);
    spool_globs_compile(&run.env, run.cfg.env);
    run.cfg.max_record_bytes = cap;
    run.cap = cap;
    run.maplen = 2 * cap;
    run.buf = malloc(run.maplen);
    run.pid = getpid();
    run.uid = getuid();
    clock_gettime(CLOCK_REALTIME, &run.start);
    spool_uuid_v7(run.run_uuid);
    strcpy(run.id.syshost, "unit");
    strcpy(run.id.host, "unit.example.org");
    strcpy(run.id.user, "tester");
    strcpy(run.exe_path, "/usr/bin/lt_unit");
}

/* Parses len bytes as a record; returns 0 and fills r, or fails the test. */
static int parse(const char *buf, size_t len, struct rec *r, int line)
{
    char err[256];
    if (rec_parse(buf, len, r, err, sizeof err) < 0) {
        tcheck_fail(__FILE__, line, "record does not parse: %s: %.300s", err, buf);
        return -1;
    }
    return 0;
}

static void test_record_plain(void)
{
    char *argv[] = { "prog", "-x", "caf\xc3\xa9", "\xff\xfe bytes", "ctl\x01\n\"\\", NULL };
    char *envp[] = { "OMP_NUM_THREADS=4", "SECRET=no", "PYTHONPATH=/a:\xff", "OMP_NUM_THREADS=9",
                     "BAD-NAME=1", NULL };
    struct rec r;
    size_t len;

    setup(256 * 1024);
    setenv("LOADEDMODULES", "gcc/12:openmpi/4.1::x", 1);
    setenv("SLURM_JOB_ID", "77", 1);
    setenv("SLURM_STEP_ID", "batch", 1);
    setenv("SLURM_NTASKS", "2", 1);
    setenv("SLURM_PROCID", "0", 1);
    CHECK_INT(lt_rec_start(&run, 5, argv, envp), 0);
    CHECK(run.start_len <= run.cap);
    CHECK(run.buf[run.start_len - 1] == '\n');
    if (parse(run.buf, run.start_len, &r, __LINE__) == 0) {
        CHECK_INT(r.kind, SPOOL_KIND_START);
        CHECK_STR(r.run_uuid, run.run_uuid);
        CHECK_INT(r.ncmdline, 5);
        for (size_t i = 0; i < r.ncmdline && i < 5; i++)
            CHECK_MEM(r.cmdline[i].s, r.cmdline[i].len, argv[i], strlen(argv[i]));
        CHECK_INT(r.nmodules, 3);
        if (r.nmodules == 3)
            CHECK_STR(r.modules[2].s, "x");
        /* Allowed names only, the first of duplicates, bytes round-trip. */
        CHECK_INT(r.nenv, 2);
        for (size_t i = 0; i < r.nenv; i++) {
            if (!strcmp(r.env[i].name.s, "OMP_NUM_THREADS"))
                CHECK_STR(r.env[i].value.s, "4");
            else
                CHECK_MEM(r.env[i].value.s, r.env[i].value.len, "/a:\xff", 4);
        }
        CHECK_INT(r.job.present, 1);
        CHECK_STR(r.job.id.s, "77");
        CHECK_STR(r.job.step.s, "batch");
        CHECK_INT(r.job.num_tasks, 2);
        CHECK_INT(r.job.rank, 0);
        CHECK_INT(r.truncated, 0);
        CHECK(r.nobjects >= 1);  /* libc at least */
        rec_free(&r);
    }

    len = lt_rec_end(&run, LT_END_EXIT, 3, 1);
    CHECK(len > 0 && len <= run.cap);
    if (len && parse(lt_rec_end_buf(&run), len, &r, __LINE__) == 0) {
        CHECK_INT(r.kind, SPOOL_KIND_END);
        CHECK_STR(r.run_uuid, run.run_uuid);
        CHECK_INT(r.has_exit_status, 1);
        CHECK_INT(r.exit_status, 3);
        CHECK_INT(r.has_signal, 0);
        CHECK_INT(r.ncmdline, 5);
        CHECK(r.maxrss_kb > 0);
        CHECK(r.end_us >= r.start_us);
        rec_free(&r);
    }
    len = lt_rec_end(&run, LT_END_SIGNAL, 11, 0);
    CHECK(len > 0 && len <= run.cap);
    if (len && parse(lt_rec_end_buf(&run), len, &r, __LINE__) == 0) {
        CHECK_INT(r.has_exit_status, 0);
        CHECK_INT(r.has_signal, 1);
        CHECK_INT(r.signal, 11);
        rec_free(&r);
    }
    clear_job_env();
}

/* A 1 MB argv and a big environment at every record size from the minimum
 * up: always a valid record within the cap, "truncated" set, the leading
 * arguments kept in order. */
static void test_truncation(void)
{
    enum { NARGS = 300, ARGLEN = 3500 };
    static char *argv[NARGS + 2];
    static char *envp[64];
    struct rec r;
    size_t caps[] = { 4096, 4500, 5000, 8192, 12000, 65536, 262144 };

    for (int i = 0; i < NARGS; i++) {
        argv[i] = malloc(ARGLEN + 1);
        memset(argv[i], 'a' + i % 26, ARGLEN);
        argv[i][ARGLEN] = '\0';
    }
    argv[NARGS] = malloc(100001);  /* one argument over the 4096-byte string cut */
    memset(argv[NARGS], 'z', 100000);
    argv[NARGS][100000] = '\0';
    for (int i = 0; i < 40; i++) {
        envp[i] = malloc(2100);
        snprintf(envp[i], 2100, "LT_%02d=", i);
        memset(envp[i] + 6, 'v', 2000);
        envp[i][2006] = '\0';
    }
    envp[0][0] = 'X'; /* "XT_00" is not allowed: 39 entries match */
    envp[40] = NULL;

    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        setup(caps[c]);
        strcpy(run.cfg.env, "LT_*");
        spool_globs_compile(&run.env, run.cfg.env);
        if (lt_rec_start(&run, NARGS + 1, argv, envp) < 0) {
            tcheck_fail(__FILE__, __LINE__, "no start record at cap %zu", caps[c]);
            continue;
        }
        CHECK(run.start_len <= caps[c]);
        if (parse(run.buf, run.start_len, &r, __LINE__) == 0) {
            CHECK_INT(r.truncated, 1);
            CHECK(r.ncmdline < NARGS + 1);
            for (size_t i = 0; i < r.ncmdline; i++)
                CHECK_MEM(r.cmdline[i].s, r.cmdline[i].len, argv[i], strlen(argv[i]));
            /* cmdline goes before env and objects: while it is cut, they are empty */
            CHECK_INT(r.nenv, 0);
            CHECK_INT(r.nobjects, 0);
            rec_free(&r);
        }
        for (int fresh = 0; fresh < 2; fresh++) {
            size_t len = lt_rec_end(&run, LT_END_EXIT, 0, fresh);
            CHECK(len > 0 && len <= caps[c]);
            if (len && parse(lt_rec_end_buf(&run), len, &r, __LINE__) == 0) {
                CHECK_INT(r.truncated, 1);
                rec_free(&r);
            }
        }
    }

    /* Only the 100 KB argument: cut at 4096 bytes, the rest intact. */
    setup(262144);
    strcpy(run.cfg.env, "LT_*");
    spool_globs_compile(&run.env, run.cfg.env);
    free(argv[0]);
    argv[0] = argv[NARGS];
    argv[NARGS] = NULL;
    CHECK_INT(lt_rec_start(&run, 1, argv, envp), 0);
    if (parse(run.buf, run.start_len, &r, __LINE__) == 0) {
        CHECK_INT(r.truncated, 1);
        CHECK_INT(r.ncmdline, 1);
        CHECK_INT(r.cmdline[0].len, 4096);
        CHECK_INT(r.nenv, 39);
        CHECK(r.nobjects >= 1);
        rec_free(&r);
    }

    /* Identity that cannot fit the smallest record: no record, no crash. */
    setup(4096);
    memset(run.exe_path, 'p', 4000);
    run.exe_path[0] = '/';
    run.exe_path[4000] = '\0';
    CHECK_INT(lt_rec_start(&run, 1, argv, envp), -1);

    for (int i = 0; i < NARGS; i++)
        free(argv[i]);
    for (int i = 0; i < 40; i++)
        free(envp[i]);
}

/* The batch script of sbatch -n 2 running an Open MPI rank: the step is the
 * batch step (one task), the job has 2 CPUs, the MPI world 2 ranks. */
static void test_record_mpi(void)
{
    char *argv[] = { "app", NULL };
    char *envp[] = { NULL };
    struct rec r;

    setup(256 * 1024);
    clear_job_env();
    setenv("SLURM_JOB_ID", "78", 1);
    setenv("SLURM_NTASKS", "2", 1);
    setenv("SLURM_PROCID", "0", 1);
    setenv("SLURM_JOB_CPUS_PER_NODE", "2", 1);
    setenv("OMPI_COMM_WORLD_RANK", "0", 1);
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    CHECK_INT(lt_rec_start(&run, 1, argv, envp), 0);
    CHECK(strstr(run.buf, "\"num_tasks\":1,") != NULL);
    CHECK(strstr(run.buf, "\"alloc_cpus\":2,") != NULL);
    CHECK(strstr(run.buf, "\"mpi\":{\"launcher\":\"openmpi\",\"rank\":0,\"size\":2}") != NULL);
    if (parse(run.buf, run.start_len, &r, __LINE__) == 0) {
        CHECK_INT(r.job.num_tasks, 1);
        CHECK_INT(r.job.rank, 0);
        CHECK_INT(r.job.alloc_cpus, 2);
        CHECK_INT(r.mpi.present, 1);
        CHECK_STR(r.mpi.launcher.s, "openmpi");
        CHECK_INT(r.mpi.rank, 0);
        CHECK_INT(r.mpi.size, 2);
        rec_free(&r);
    }
    /* The end record repeats the identity, mpi included. */
    size_t len = lt_rec_end(&run, LT_END_EXIT, 0, 0);
    CHECK(len > 0);
    static const char key[] = "\"mpi\":{\"launcher\":\"openmpi\"";
    CHECK(memmem(lt_rec_end_buf(&run), len, key, sizeof key - 1) != NULL);
    clear_job_env();
}

int main(void)
{
    test_long();
    test_ranks();
    test_mpi();
    test_cpus_per_node();
    test_job_dir();
    test_record_plain();
    test_record_mpi();
    test_truncation();
    free(run.buf);
    return tcheck_result();
}
