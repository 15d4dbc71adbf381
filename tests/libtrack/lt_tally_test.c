/* lt_tally_test: the tally update (lt_tally_add, the code libtrack runs at
 * the end of a run past the budget) against a real tally file on a real
 * spool, by concurrent processes, and by processes killed with SIGKILL at
 * random instants while they update. Every run adds fixed numbers, so the
 * totals are known exactly.
 *
 *   lt_tally_test SPOOL_ROOT concurrent PROCS ADDS   exact totals
 *   lt_tally_test SPOOL_ROOT kill PROCS SECONDS      kill -9 at random instants
 *
 * SPOOL_ROOT must be a root-owned sticky directory (the test runs as root).
 * Prints one summary line; exit 0 when every check holds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lt_run.h"
#include "lt_tally.h"
#include "spool_dir.h"
#include "spool_tally.h"

#define NPATHS 80   /* more than the slots: the overflow slot is used */

static struct lt_run R;

static void path_of(unsigned k, char *out, size_t len)
{
    snprintf(out, len, "/opt/app%u/bin/prog", (k + k / 65536u) % NPATHS);
}

static void run_of(unsigned k, struct spool_tally_run *run)
{
    memset(run, 0, sizeof *run);
    run->cls = (int)(k % 3);
    run->wall_us = 1000 + k % 7;
    run->utime_us = 300;
    run->stime_us = 200;
    run->core_us = run->wall_us * 2;
    run->start_us = 1700000000000000ULL + k;
}

/* A worker: adds runs k = base, base + step, ... and counts each finished
 * add in done[slot] (shared), so the parent knows what completed. */
static void worker(unsigned base, unsigned step, unsigned long adds, volatile unsigned long *done)
{
    for (unsigned long n = 0; !adds || n < adds; n++) {
        unsigned k = base + (unsigned)n * step;
        struct spool_tally_run run;

        path_of(k, R.exe_path, sizeof R.exe_path);
        run_of(k, &run);
        if (lt_tally_add(&R, &run, 1, 1) < 0) {
            fprintf(stderr, "lt_tally_add failed: %s\n", strerror(errno));
            _exit(2);
        }
        __atomic_store_n(done, n + 1, __ATOMIC_RELEASE);
    }
    _exit(0);
}

static int load(struct spool_tally *t, char *buf)
{
    char path[sizeof R.jobpath + 16], err[256];
    int fd;
    ssize_t n;

    snprintf(path, sizeof path, "%s/%s", R.jobpath, SPOOL_TALLY_NAME);
    fd = open(path, O_RDONLY);
    if (fd < 0 || (n = read(fd, buf, SPOOL_TALLY_SIZE + 1)) < 0) {
        perror(path);
        return -1;
    }
    close(fd);
    if (spool_tally_parse(buf, (size_t)n, t, err, sizeof err) < 0) {
        fprintf(stderr, "FAIL: tally file does not parse: %s\n", err);
        return -1;
    }
    return 0;
}

/* Sums the expected totals of runs k in [base, base + step * n). */
static void expect(struct spool_tally_acc *a, unsigned base, unsigned step, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        struct spool_tally_run run;
        run_of(base + (unsigned)i * step, &run);
        spool_tally_acc_add(a, &run);
    }
}

int main(int argc, char **argv)
{
    static char buf[SPOOL_TALLY_SIZE + 1];
    struct spool_tally t;
    struct spool_tally_acc got, want;
    volatile unsigned long *done;
    unsigned long procs, arg, killed = 0, spawned = 0, completed = 0, maxc = 0;
    pid_t *pids;
    unsigned *base;
    int kill_mode, fails = 0;

    if (argc != 5) {
        fprintf(stderr, "usage: lt_tally_test SPOOL_ROOT concurrent|kill PROCS ADDS|SECONDS\n");
        return 2;
    }
    kill_mode = strcmp(argv[2], "kill") == 0;
    procs = strtoul(argv[3], NULL, 10);
    arg = strtoul(argv[4], NULL, 10);
    strcpy(R.cfg.spool_dir, argv[1]);
    R.uid = getuid();
    snprintf(R.job, sizeof R.job, "%d", 4242);
    R.debug = 1;
    snprintf(R.jobpath, sizeof R.jobpath, "%s/%lu/%s", argv[1], (unsigned long)R.uid, R.job);
    if (spool_job_path(argv[1], R.uid, R.job, 1, R.jobpath, sizeof R.jobpath, NULL, 0) < 0) {
        perror("spool_job_path");
        return 2;
    }
    /* A slot per process that was ever started: done counts of the dead. */
    done = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pids = calloc(procs, sizeof *pids);
    base = calloc(1 << 17, sizeof *base);
    if (done == MAP_FAILED || !pids || !base)
        return 2;

    /* Process j adds runs base_j, base_j + 1<<16, ...: disjoint k sets. */
    unsigned step = 1u << 16, next = 0;
    for (unsigned long j = 0; j < procs; j++, next++) {
        base[next] = next;
        if ((pids[j] = fork()) == 0)
            worker(next, step, kill_mode ? 0 : arg, &done[next]);
        spawned++;
    }
    if (kill_mode) {
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        srand((unsigned)getpid());
        for (;;) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - t0.tv_sec >= (time_t)arg || next >= (1u << 16) - 1)
                break;
            struct timespec d = { 0, (long)(rand() % 3000) * 1000 };
            nanosleep(&d, NULL);
            unsigned long j = (unsigned long)rand() % procs;
            kill(pids[j], SIGKILL);
            waitpid(pids[j], NULL, 0);
            killed++;
            base[next] = next;
            if ((pids[j] = fork()) == 0)
                worker(next, step, 0, &done[next]);
            spawned++;
            next++;
        }
        for (unsigned long j = 0; j < procs; j++) {
            kill(pids[j], SIGKILL);
            waitpid(pids[j], NULL, 0);
            killed++;
        }
    } else {
        for (unsigned long j = 0; j < procs; j++) {
            int st;
            waitpid(pids[j], &st, 0);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "FAIL: worker %lu ended with status %d\n", j, st);
                fails++;
            }
        }
    }
    if (load(&t, buf) < 0) {
        free(pids);
        free(base);
        return 1;
    }

    /* Completed adds are exactly known; a killed process may have
     * committed one more than it reported (killed after the commit). */
    memset(&got, 0, sizeof got);
    memset(&want, 0, sizeof want);
    for (unsigned i = 0; i < next; i++) {
        unsigned long c = done[i];
        completed += c;
        expect(&want, base[i], step, c);
        if (c > maxc)
            maxc = c;
    }
    for (size_t i = 0; i < t.n; i++)
        for (int c = 0; c < SPOOL_TALLY_CLASSES; c++)
            for (int f = 0; f < SPOOL_TALLY_FIELDS; f++) {
                uint64_t v = t.e[i].acc.v[c][f];
                if (f == SPOOL_TALLY_FIRST)
                    got.v[c][f] = (!got.v[c][f] || (v && v < got.v[c][f])) ? v : got.v[c][f];
                else if (f == SPOOL_TALLY_LAST)
                    got.v[c][f] = v > got.v[c][f] ? v : got.v[c][f];
                else
                    got.v[c][f] += v;
            }
    int overflow_used = 0;
    for (size_t i = 0; i < t.n; i++)
        overflow_used |= t.e[i].overflow;
    if (!overflow_used) {
        fprintf(stderr, "FAIL: the overflow slot was never used\n");
        fails++;
    }
    if (!kill_mode) {
        if (memcmp(&got, &want, sizeof got) != 0 || t.unknown || t.runs != completed) {
            fprintf(stderr, "FAIL: totals differ: %llu runs counted, %lu made, %llu unknown\n",
                    (unsigned long long)t.runs, completed, (unsigned long long)t.unknown);
            fails++;
        }
    } else {
        /* Each killed process can add at most one run beyond its count
         * (committed, not yet reported); recompute want with those extra
         * runs where the counts say so. */
        unsigned long extra = t.runs - completed;
        if (t.runs < completed || extra > killed || t.runs + t.unknown > completed + killed) {
            fprintf(stderr, "FAIL: %llu runs counted and %llu unknown; %lu completed, %lu killed\n",
                    (unsigned long long)t.runs, (unsigned long long)t.unknown, completed,
                    killed);
            fails++;
        }
        /* Sums: every counted run adds the numbers of exactly one k, so a
         * total holding part of a run's update cannot be whole runs:
         * utime = 300 and stime = 200 per run exactly, core = 2 x wall. */
        for (int c = 0; c < SPOOL_TALLY_CLASSES; c++) {
            uint64_t runs = got.v[c][SPOOL_TALLY_RUNS];
            if (got.v[c][SPOOL_TALLY_UTIME] != runs * 300 ||
                got.v[c][SPOOL_TALLY_STIME] != runs * 200 ||
                got.v[c][SPOOL_TALLY_CORE] != 2 * got.v[c][SPOOL_TALLY_WALL] ||
                got.v[c][SPOOL_TALLY_WALL] < runs * 1000 ||
                got.v[c][SPOOL_TALLY_WALL] > runs * 1006 ||
                got.v[c][SPOOL_TALLY_WALL] < want.v[c][SPOOL_TALLY_WALL]) {
                fprintf(stderr, "FAIL: class %s: a partial update is in the totals\n",
                        spool_tally_class_name(c));
                fails++;
            }
        }
    }
    printf("%s: %lu processes (%lu killed), %lu adds completed, %llu counted, %llu unknown "
           "(killed mid-update), %zu slots used\n", argv[2], spawned, killed, completed,
           (unsigned long long)t.runs, (unsigned long long)t.unknown, t.n);
    free(pids);
    free(base);
    munmap((void *)done, 1 << 20);
    return fails ? 1 : 0;
}
