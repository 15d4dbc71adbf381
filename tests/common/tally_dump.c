/* tally_dump FILE: reads a job's tally file (spool/spool_tally.h) with the
 * tools' parser and prints its totals, one "key value" per line:
 * runs, unknown, runs_<class>, wall_us, cpu_us, core_us, slots, then one
 * "slot N PATH runs" line per used slot. Exit 1 when it does not parse. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "spool_tally.h"

int main(int argc, char **argv)
{
    static char buf[SPOOL_TALLY_SIZE + 1];
    struct spool_tally t;
    unsigned long long cls[SPOOL_TALLY_CLASSES] = { 0 }, wall = 0, cpu = 0, core = 0;
    char err[256];
    ssize_t n;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: tally_dump FILE\n");
        return 2;
    }
    fd = open(argv[1], O_RDONLY);
    if (fd < 0 || (n = read(fd, buf, sizeof buf)) < 0) {
        perror(argv[1]);
        return 2;
    }
    if (spool_tally_parse(buf, (size_t)n, &t, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", argv[1], err);
        return 1;
    }
    for (size_t i = 0; i < t.n; i++)
        for (int c = 0; c < SPOOL_TALLY_CLASSES; c++) {
            const uint64_t *v = t.e[i].acc.v[c];
            cls[c] += v[SPOOL_TALLY_RUNS];
            wall += v[SPOOL_TALLY_WALL];
            cpu += v[SPOOL_TALLY_UTIME] + v[SPOOL_TALLY_STIME];
            core += v[SPOOL_TALLY_CORE];
        }
    printf("runs %llu\nunknown %llu\n", (unsigned long long)t.runs,
           (unsigned long long)t.unknown);
    for (int c = 0; c < SPOOL_TALLY_CLASSES; c++)
        printf("runs_%s %llu\n", spool_tally_class_name(c), cls[c]);
    printf("wall_us %llu\ncpu_us %llu\ncore_us %llu\nslots %zu\n", wall, cpu, core, t.n);
    for (size_t i = 0; i < t.n; i++) {
        unsigned long long r = 0;
        for (int c = 0; c < SPOOL_TALLY_CLASSES; c++)
            r += t.e[i].acc.v[c][SPOOL_TALLY_RUNS];
        printf("slot %u %.*s %llu\n", t.e[i].slot, t.e[i].overflow ? 10 : (int)t.e[i].path_len,
               t.e[i].overflow ? "(overflow)" : t.e[i].path, r);
    }
    return 0;
}
