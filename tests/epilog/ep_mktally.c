/* ep_mktally FILE UID JOB [FLAW]: writes a tally file (spool/spool_tally.h)
 * as libtrack would after 3 runs of /bin/true and 1 of /usr/bin/false,
 * started now, or with one FLAW a user could forge: "job" (another job in
 * the head), "uid" (another uid in the head), "cpu" (CPU time far above
 * wall time), "wall" (a run longer than the job could be), "early" (a
 * start in 2001), "garbage" (a broken head). Mode 0600. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "spool_tally.h"

static char buf[SPOOL_TALLY_SIZE];

static void add(unsigned i, const char *path, struct spool_tally_run *run)
{
    struct spool_tally_head *h = (void *)buf;
    struct spool_tally_slot *s = (void *)(buf + (size_t)SPOOL_TALLY_PAGE * (i + 1));
    s->path_len = (uint32_t)strlen(path);
    memcpy(s->path, path, s->path_len);
    h->key[i] = spool_tally_key(path, s->path_len);
    s->acc[(s->seq + 1) & 1] = s->acc[s->seq & 1];
    spool_tally_acc_add(&s->acc[(s->seq + 1) & 1], run);
    s->seq++;
    s->begun++;
}

int main(int argc, char **argv)
{
    struct spool_tally_head *h = (void *)buf;
    const char *flaw = argc > 4 ? argv[4] : "";
    struct timeval tv;
    int fd;

    if (argc < 4) {
        fprintf(stderr, "usage: ep_mktally FILE UID JOB [FLAW]\n");
        return 2;
    }
    gettimeofday(&tv, NULL);
    uint64_t now = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
    h->magic = SPOOL_TALLY_MAGIC;
    h->version = SPOOL_TALLY_VERSION;
    h->slots = SPOOL_TALLY_SLOTS;
    h->page = SPOOL_TALLY_PAGE;
    h->uid = (uint32_t)strtoul(argv[2], NULL, 10) + (strcmp(flaw, "uid") == 0);
    snprintf(h->job, sizeof h->job, "%s", strcmp(flaw, "job") == 0 ? "88" : argv[3]);
    for (int k = 0; k < 3; k++) {
        struct spool_tally_run r = { SPOOL_TALLY_OK, 1500, 400, 300, 3000, now - 5000000 + k };
        if (strcmp(flaw, "cpu") == 0)
            r.utime_us = 3600000000ULL;
        if (strcmp(flaw, "wall") == 0)
            r.wall_us = r.core_us = 86400ULL * 1000000 * 400;
        if (strcmp(flaw, "early") == 0)
            r.start_us = 1000000000ULL * 1000000;
        add(7, "/bin/true", &r);
    }
    struct spool_tally_run f = { SPOOL_TALLY_ERROR, 2000, 500, 500, 4000, now - 4000000 };
    add(12, "/usr/bin/false", &f);
    if (strcmp(flaw, "garbage") == 0)
        memset(buf + 8, 0xff, 64);
    fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || close(fd) < 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
