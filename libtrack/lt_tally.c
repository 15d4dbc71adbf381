/* lt_tally: the per-job budget and the tally of runs past it.
 *
 * The budget costs a recorded run four system calls (open with O_APPEND,
 * fstat, a one-byte write, fstat) and a tallied one three at start; no
 * directory listing. The tally update at the end (open, fstat, mmap, one
 * or two OFD locks, close) replaces the end record's write, and the start
 * record is not written at all. Exactness (spool_tally.h): every update of
 * a slot holds its lock, the kernel drops the lock of a process killed
 * holding it, and the only commit is the store of seq + 1 after the new
 * totals are in the other half. */
#include "lt_tally.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lt_debug.h"
#include "lt_env.h"
#include "lt_record.h"
#include "spool_dir.h"
#include "spool_tally.h"

/* "<jobpath>/<name>" into out (size of jobpath + 16). 0 or -1. */
static int file_path(const struct lt_run *r, const char *name, char *out, size_t outlen)
{
    size_t d = strlen(r->jobpath), n = strlen(name);

    if (!d || d + 1 + n + 1 > outlen)
        return -1;
    memcpy(out, r->jobpath, d);
    out[d] = '/';
    memcpy(out + d + 1, name, n + 1);
    return 0;
}

/* Opens a file of ours in the judged job directory: never through a
 * symlink, never a FIFO (O_NONBLOCK), and only a regular file of this uid
 * with one link is used. fd or -1. */
static int open_own(const struct lt_run *r, const char *name, int flags, struct stat *st)
{
    char path[sizeof r->jobpath + 16];
    int fd;

    if (file_path(r, name, path, sizeof path) < 0)
        return -1;
    fd = open(path, flags | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_uid != r->uid ||
        st->st_nlink != 1) {
        close(fd);
        errno = EPERM;
        return -1;
    }
    return fd;
}

unsigned long lt_tally_cores(void)
{
    struct lt_mpi m;
    long tasks = 1, cpt = 1, v;

    if (lt_env_long(getenv("SLURM_STEP_NUM_TASKS"), &v) == 0)
        tasks = v;
    else if (getenv("SLURM_STEP_ID") && lt_env_long(getenv("SLURM_NTASKS"), &v) == 0)
        tasks = v;
    if (lt_env_long(getenv("SLURM_CPUS_PER_TASK"), &v) == 0)
        cpt = v;
    if (tasks < 1)
        tasks = 1;
    if (cpt < 1)
        cpt = 1;
    if (lt_env_mpi(&m) && m.size > 0)
        tasks = m.size;
    /* The ingester caps a record's cores at 2^32 - 1 too. */
    if ((unsigned long)tasks > 0xffffffffUL / (unsigned long)cpt)
        return 0xffffffffUL;
    return (unsigned long)tasks * (unsigned long)cpt;
}

int lt_budget_over(struct lt_run *r)
{
    unsigned long max = r->cfg.job_max_records;
    char err[256];
    struct stat st;
    int fd, over = 0;

    if (!max || strcmp(r->job, "nojob") == 0)
        return 0;
    if (spool_job_path(r->cfg.spool_dir, r->uid, r->job, 1, r->jobpath, sizeof r->jobpath, err,
                       sizeof err) < 0) {
        r->jobpath[0] = '\0';
        return 0;
    }
    fd = open_own(r, SPOOL_TALLY_COUNT, O_WRONLY | O_APPEND, &st);
    if (fd < 0) {
        lt_debug(r->debug, "%s/%s: %s; no budget", r->jobpath, SPOOL_TALLY_COUNT,
                 strerror(errno));
        return 0;
    }
    /* Our byte's offset is unique and the size seen after our write is at
     * least that offset, so at most `max` runs ever see a size <= max. */
    if ((unsigned long long)st.st_size >= max)
        over = 1;
    else if (write(fd, "x", 1) == 1 && fstat(fd, &st) == 0 &&
             (unsigned long long)st.st_size > max)
        over = 1;
    close(fd);
    if (over) {
        r->cores = lt_tally_cores();
        lt_debug(r->debug, "job_max_records = %lu reached: this run is tallied in %s/%s", max,
                 r->jobpath, SPOOL_TALLY_NAME);
    }
    return over;
}

/* OFD lock (F_OFD_SETLKW; with F_UNLCK, F_OFD_SETLK) on the byte at off.
 * A wait interrupted by a signal is tried again a few times. */
static int lock_at(int fd, off_t off, short type)
{
    struct flock fl;
    int tries = 0;

    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = off;
    fl.l_len = 1;
    while (fcntl(fd, type == F_UNLCK ? F_OFD_SETLK : F_OFD_SETLKW, &fl) < 0) {
        if (errno != EINTR || ++tries > 100)
            return -1;
    }
    return 0;
}

static off_t slot_off(unsigned i)
{
    return (off_t)SPOOL_TALLY_PAGE * (i + 1);
}

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
    return pread(fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

static int pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
    return pwrite(fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

/* The head as far as it matters (everything but its page's padding). */
#define HEAD_LEN sizeof(struct spool_tally_head)

/* Checks that the head h is this job's and this layout. */
static int head_ours(const struct lt_run *r, const struct spool_tally_head *h)
{
    return h->magic == SPOOL_TALLY_MAGIC && h->version == SPOOL_TALLY_VERSION &&
           h->slots == SPOOL_TALLY_SLOTS && h->page == SPOOL_TALLY_PAGE &&
           h->uid == (uint32_t)r->uid && strncmp(h->job, r->job, sizeof h->job) == 0;
}

/* Index in h of key along path's probe chain, or -1; *free_at = the first
 * free index of the chain (-1: none). */
static int probe(const struct spool_tally_head *h, uint64_t key, unsigned from, int *free_at)
{
    unsigned n = SPOOL_TALLY_OVERFLOW;

    *free_at = -1;
    for (unsigned j = from; j < n; j++) {
        unsigned i = (unsigned)((key + j) % n);
        if (h->key[i] == key)
            return (int)j;
        if (h->key[i] == 0) {
            *free_at = (int)i;
            return -1;
        }
    }
    return -1;
}

/* Under the head's lock: initialises a new file's head, then finds path's
 * slot again (a claim may have raced ours) or claims the chain's first
 * free one: path first, key (the claim) last. Keys change only under this
 * lock, so what a lock-free reader saw half-written is settled here.
 * Slot index, SPOOL_TALLY_OVERFLOW when the chain is full, -1 on failure. */
static int claim(const struct lt_run *r, int fd, struct spool_tally_head *h, const char *path,
                 size_t len, uint64_t key)
{
    int i = -1, j, free_at;

    if (lock_at(fd, 0, F_WRLCK) < 0)
        return -1;
    if (pread_full(fd, h, HEAD_LEN, 0) < 0)
        goto out;
    if (h->magic == 0) {
        memset(h, 0, HEAD_LEN);
        h->version = SPOOL_TALLY_VERSION;
        h->slots = SPOOL_TALLY_SLOTS;
        h->page = SPOOL_TALLY_PAGE;
        h->uid = (uint32_t)r->uid;
        memcpy(h->job, r->job, strnlen(r->job, sizeof h->job - 1));
        h->magic = SPOOL_TALLY_MAGIC;
        if (pwrite_full(fd, h, HEAD_LEN, 0) < 0)
            goto out;
    }
    if (!head_ours(r, h))
        goto out;
    if (!path) {
        i = SPOOL_TALLY_OVERFLOW;
        goto out;
    }
    j = probe(h, key, 0, &free_at);
    if (j >= 0) {
        i = (int)((key + (unsigned)j) % SPOOL_TALLY_OVERFLOW);
        goto out;
    }
    if (free_at < 0) {
        i = SPOOL_TALLY_OVERFLOW;
        goto out;
    }
    uint32_t l32 = (uint32_t)len;
    if (pwrite_full(fd, path, len, slot_off((unsigned)free_at) +
                    (off_t)offsetof(struct spool_tally_slot, path)) < 0 ||
        pwrite_full(fd, &l32, sizeof l32, slot_off((unsigned)free_at) +
                    (off_t)offsetof(struct spool_tally_slot, path_len)) < 0 ||
        pwrite_full(fd, &key, sizeof key, (off_t)offsetof(struct spool_tally_head, key) +
                    (off_t)(free_at * (int)sizeof key)) < 0)
        goto out;
    h->key[free_at] = key;
    i = free_at;
out:
    lock_at(fd, 0, F_UNLCK);
    return i;
}

/* The slot part an update reads and writes: seq, begun, path_len and the
 * two halves, then as much of the path as a comparison needs. */
#define SLOT_HEAD offsetof(struct spool_tally_slot, path)

/* Locks slot i and reads it with len bytes of its path into *s. 0, -1. */
static int slot_lock_read(int fd, unsigned i, struct spool_tally_slot *s, size_t len)
{
    if (lock_at(fd, slot_off(i), F_WRLCK) < 0)
        return -1;
    if (pread_full(fd, s, SLOT_HEAD + len, slot_off(i)) < 0) {
        lock_at(fd, slot_off(i), F_UNLCK);
        return -1;
    }
    return 0;
}

/* Finds (or claims) path's slot and returns its index with its lock held
 * and its content in *s. The overflow slot takes what has no slot. -1 on
 * failure. */
static int slot_for(const struct lt_run *r, int fd, const char *path, size_t len,
                    struct spool_tally_slot *s)
{
    struct spool_tally_head h;
    uint64_t key = spool_tally_key(path, len);
    int j = 0, free_at, i;

    if (len >= SPOOL_TALLY_PATH_MAX)
        path = NULL;
    if (pread_full(fd, &h, HEAD_LEN, 0) < 0)
        return -1;
    if (!path || h.magic == 0 || !head_ours(r, &h))
        goto locked_search;
    for (;;) {
        j = probe(&h, key, (unsigned)j, &free_at);
        if (j < 0)
            goto locked_search;
        i = (int)((key + (unsigned)j) % SPOOL_TALLY_OVERFLOW);
        if (slot_lock_read(fd, (unsigned)i, s, len) < 0)
            return -1;
        if (s->path_len == len && memcmp(s->path, path, len) == 0)
            return i;
        lock_at(fd, slot_off((unsigned)i), F_UNLCK);   /* another path, same key */
        j++;
    }
locked_search:
    i = claim(r, fd, &h, path, len, key);
    if (i < 0)
        return -1;
    if (slot_lock_read(fd, (unsigned)i, s, path ? len : 0) < 0)
        return -1;
    if (i != SPOOL_TALLY_OVERFLOW && (s->path_len != len || memcmp(s->path, path, len) != 0)) {
        /* Only a hash collision along the chain gets here: overflow. */
        lock_at(fd, slot_off((unsigned)i), F_UNLCK);
        i = SPOOL_TALLY_OVERFLOW;
        if (slot_lock_read(fd, (unsigned)i, s, 0) < 0)
            return -1;
    }
    return i;
}

static uint64_t tv_us(const struct timeval *tv)
{
    return (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
}

/* The run's numbers, as its end record would carry them. */
static void run_numbers(const struct lt_run *r, int how, int value, struct spool_tally_run *run)
{
    struct timespec now;
    struct rusage ru;
    int64_t sec, nsec;

    lt_now(&now);   /* as the end record reads it (lt_run.h) */
    sec = (int64_t)now.tv_sec - (int64_t)r->start.tv_sec;
    nsec = now.tv_nsec - r->start.tv_nsec;
    if (nsec < 0) {
        nsec += 1000000000L;
        sec--;
    }
    if (sec < 0)
        sec = nsec = 0;
    memset(run, 0, sizeof *run);
    run->cls = how == LT_END_SIGNAL ? SPOOL_TALLY_SIGNAL
                                    : (value == 0 ? SPOOL_TALLY_OK : SPOOL_TALLY_ERROR);
    run->wall_us = (uint64_t)sec * 1000000u + (uint64_t)(nsec / 1000);
    run->core_us = run->wall_us * (r->cores ? r->cores : 1);
    if (r->cores && run->core_us / r->cores != run->wall_us)
        run->core_us = UINT64_MAX;
    run->start_us = (uint64_t)r->start.tv_sec * 1000000u + (uint64_t)(r->start.tv_nsec / 1000);
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        run->utime_us = tv_us(&ru.ru_utime);
        run->stime_us = tv_us(&ru.ru_stime);
    }
}

int lt_tally_end(struct lt_run *r, int how, int value, int judge, int msg)
{
    struct spool_tally_run run;

    run_numbers(r, how, value, &run);
    return lt_tally_add(r, &run, judge, msg);
}

int lt_tally_add(struct lt_run *r, const struct spool_tally_run *run, int judge, int msg)
{
    struct spool_tally_slot s;
    struct stat st;
    const off_t body = (off_t)offsetof(struct spool_tally_slot, begun);
    const size_t body_len = offsetof(struct spool_tally_slot, path) - (size_t)body;
    int fd, i = -1, rc = -1;

    fd = open_own(r, SPOOL_TALLY_NAME, O_RDWR, &st);
    if (fd < 0 && errno == ENOENT && judge &&
        spool_job_path(r->cfg.spool_dir, r->uid, r->job, 1, r->jobpath, sizeof r->jobpath, NULL,
                       0) == 0)
        fd = open_own(r, SPOOL_TALLY_NAME, O_RDWR, &st);
    if (fd < 0)
        goto out;
    if (st.st_size == 0 && ftruncate(fd, (off_t)SPOOL_TALLY_SIZE) < 0)
        goto out;
    if (st.st_size != 0 && (size_t)st.st_size != SPOOL_TALLY_SIZE) {
        errno = EINVAL;
        goto out;
    }
    i = slot_for(r, fd, r->exe_path, strlen(r->exe_path), &s);
    if (i < 0)
        goto out;
    /* One write of begun and both halves (the current one unchanged: a
     * kill mid-write leaves it as it was), then the commit: seq + 1, an
     * aligned 8-byte write. A kill between the two leaves this run as
     * "unknown" (begun without a commit), never as a wrong total. */
    s.begun++;
    s.acc[(s.seq + 1) & 1] = s.acc[s.seq & 1];
    spool_tally_acc_add(&s.acc[(s.seq + 1) & 1], run);
    s.seq++;
    if (pwrite_full(fd, (const char *)&s + body, body_len, slot_off((unsigned)i) + body) < 0 ||
        pwrite_full(fd, &s.seq, sizeof s.seq, slot_off((unsigned)i)) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0 && msg)
        lt_debug(r->debug, "%s/%s: %s; run not tallied", r->jobpath, SPOOL_TALLY_NAME,
                 strerror(errno));
    if (i >= 0)
        lock_at(fd, slot_off((unsigned)i), F_UNLCK);
    if (fd >= 0)
        close(fd);
    return rc;
}
