/* lt_bench: per-process overhead of libtrack.
 *
 *   lt_bench [-n N] [-e VAR=VALUE]... LIBTRACK EMPTY_LIB PROG [ARGS...]
 *
 * -c CONF uses that config file instead of a generated one (its spool_dir
 * is not swept). -e adds a variable to the libtrack mode's environment only (for example
 * TRACK_DISABLE=1 to measure the gate alone).
 * posix_spawns PROG N times in each of three modes, interleaved (untracked,
 * empty preload library, libtrack writing start and end records into a
 * private spool under /dev/shm), and prints the median wall time per spawn
 * (spawn to reaped), ratios, the median max RSS of the child per mode, and
 * the median size of a start record. Interleaving keeps drift (frequency
 * scaling, other load) out of the ratios. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { UNTRACKED, EMPTY, TRACKED, NMODES };
static const char *const mode_name[NMODES] = { "untracked", "empty preload", "libtrack" };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Removes the records below dir (one level of uid, one of job) so the job
 * directory stays small; collects the sizes of start records. final: also
 * remove the uid and job directories. */
static void sweep(const char *dir, int depth, double *sizes, size_t *nsizes, size_t cap,
                  int final)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    if (!d)
        return;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        /* A path that does not fit is skipped, not truncated: a truncated
         * name could be another file. */
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof path)
            continue;
        if (depth < 2) {
            sweep(path, depth + 1, sizes, nsizes, cap, final);
            if (final)
                rmdir(path);
            continue;
        }
        if (strstr(e->d_name, ".aaa.") && stat(path, &st) == 0 && *nsizes < cap)
            sizes[(*nsizes)++] = (double)st.st_size;
        unlink(path);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    double cpu[NMODES];
    int n = 1000, opt;
    char dir[] = "/dev/shm/lt_bench.XXXXXX", spool[256], conf[256], cfgenv[300];
    char pre_empty[4200], pre_track[4200];
    char *env[NMODES][10];
    char *extra[4];
    int nextra = 0;
    const char *user_conf = NULL;
    double *t[NMODES], *rss[NMODES], *sizes;
    size_t nsizes = 0;
    FILE *f;

    /* "+": options end at PROG, whose own options (python3 -c) stay its own. */
    while ((opt = getopt(argc, argv, "+n:e:c:")) != -1) {
        if (opt == 'n')
            n = atoi(optarg);
        else if (opt == 'c')
            user_conf = optarg;
        else if (opt == 'e' && nextra < 4)
            extra[nextra++] = optarg;
        else
            return 2;
    }
    if (argc - optind < 3 || n < 1) {
        fprintf(stderr, "usage: lt_bench [-n N] [-c CONF] [-e VAR=VALUE]... LIBTRACK EMPTY_LIB PROG [ARGS...]\n");
        return 2;
    }
    for (int k = 0; k < 3; k++) {
        if (access(argv[optind + k], k < 2 ? R_OK : X_OK) != 0) {
            fprintf(stderr, "lt_bench: %s: %s\n", argv[optind + k], strerror(errno));
            return 1;
        }
    }
    if (!mkdtemp(dir)) {
        perror("lt_bench: mkdtemp");
        return 1;
    }
    snprintf(spool, sizeof spool, "%s/spool", dir);
    snprintf(conf, sizeof conf, "%s/track.conf", dir);
    if (mkdir(spool, 0755) < 0 || chmod(spool, 01777) < 0 || !(f = fopen(conf, "w"))) {
        perror("lt_bench: spool");
        return 1;
    }
    fprintf(f, "spool_dir = %s\n", spool);
    fclose(f);
    snprintf(cfgenv, sizeof cfgenv, "TRACK_CONFIG=%s", user_conf ? user_conf : conf);
    snprintf(pre_empty, sizeof pre_empty, "LD_PRELOAD=%s", argv[optind + 1]);
    snprintf(pre_track, sizeof pre_track, "LD_PRELOAD=%s", argv[optind]);
    for (int m = 0; m < NMODES; m++) {
        /* The same small environment in every mode; a typical login
         * environment would add the same cost to all three. */
        env[m][0] = "PATH=/usr/bin:/bin";
        env[m][1] = "HOME=/tmp";
        env[m][2] = "USER=bench";
        env[m][3] = cfgenv;
        env[m][4] = m == UNTRACKED ? NULL : m == EMPTY ? pre_empty : pre_track;
        env[m][5] = NULL;
        for (int k = 0; m == TRACKED && k < nextra; k++) {
            env[m][5 + k] = extra[k];
            env[m][6 + k] = NULL;
        }
        t[m] = calloc((size_t)n, sizeof(double));
        rss[m] = calloc((size_t)n, sizeof(double));
    }
    sizes = calloc((size_t)n, sizeof(double));
    for (int m = 0; m < NMODES; m++)
        cpu[m] = 0;

    for (int i = 0; i < n; i++) {
        for (int m = 0; m < NMODES; m++) {
            pid_t pid;
            int st;
            struct rusage ru;
            double t0 = now();
            if (posix_spawn(&pid, argv[optind + 2], NULL, NULL, argv + optind + 2, env[m]) != 0) {
                fprintf(stderr, "lt_bench: cannot spawn %s\n", argv[optind + 2]);
                return 1;
            }
            if (wait4(pid, &st, 0, &ru) < 0) {
                perror("lt_bench: wait4");
                return 1;
            }
            t[m][i] = now() - t0;
            rss[m][i] = (double)ru.ru_maxrss;
            cpu[m] += (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        }
        sweep(spool, 0, sizes, &nsizes, (size_t)n, 0);
    }

    {
        double med[NMODES], mrss[NMODES];
        printf("program: %s, %d spawns per mode, interleaved\n", argv[optind + 2], n);
        for (int m = 0; m < NMODES; m++) {
            med[m] = median(t[m], (size_t)n);
            mrss[m] = median(rss[m], (size_t)n);
            printf("  %-14s median %9.1f us   max RSS median %6.0f KiB\n", mode_name[m],
                   med[m] * 1e6, mrss[m]);
        }
        printf("  libtrack/untracked     %.3f\n", med[TRACKED] / med[UNTRACKED]);
        printf("  libtrack/empty preload %.3f\n", med[TRACKED] / med[EMPTY]);
        printf("  empty/untracked        %.3f\n", med[EMPTY] / med[UNTRACKED]);
        printf("  libtrack cost          %.1f us per process (vs empty preload)\n",
               (med[TRACKED] - med[EMPTY]) * 1e6);
        /* CPU time of the children (wait4 rusage): far less disturbed by
         * other load on the machine than wall time. */
        printf("  CPU per process        untracked %.1f us, empty %.1f us, libtrack %.1f us\n",
               cpu[UNTRACKED] / n * 1e6, cpu[EMPTY] / n * 1e6, cpu[TRACKED] / n * 1e6);
        printf("  CPU libtrack/untracked %.3f, libtrack/empty %.3f\n",
               cpu[TRACKED] / cpu[UNTRACKED], cpu[TRACKED] / cpu[EMPTY]);
        printf("  max RSS delta          %+.0f KiB (libtrack - untracked), %+.0f KiB (vs empty)\n",
               mrss[TRACKED] - mrss[UNTRACKED], mrss[TRACKED] - mrss[EMPTY]);
        if (nsizes)
            printf("  start record           median %.0f bytes (%zu records)\n",
                   median(sizes, nsizes), nsizes);
        else
            printf("  start record           none written: is the spool usable?\n");
    }
    sweep(spool, 0, sizes, &nsizes, 0, 1);
    rmdir(spool);
    unlink(conf);
    rmdir(dir);
    return 0;
}
