/* track-doctor's libtrack check: a real program (/bin/true) runs with
 * libtrack.so preloaded, and the records it leaves are read back with the
 * readers' own parser (rec_parse). As root the program writes into a private
 * spool (a copy of the config with spool_dir pointing there), so the test
 * record never reaches the archive; as another user it writes into the real
 * spool's <uid>/nojob, and the doctor removes exactly the files it made. In
 * both cases include/exclude are left out, so the test program is tracked. */
#include "doctor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rec_parse.h"
#include "spool_config_show.h"
#include "spool_file.h"
#include "spool_name.h"

#define TEST_PROGRAM "/bin/true"
#define MAX_BEFORE 4096

struct run {
    char tmp[64];                         /* private directory */
    char spool[SPOOL_CONF_PATH_MAX];      /* spool root the program writes into */
    char jobdir[SPOOL_CONF_PATH_MAX + 64];
    char conf[128], errfile[128];
    char *before[MAX_BEFORE];             /* names in jobdir before the run */
    size_t nbefore;
    pid_t pid;
    int starts, ends;
    char uuid[SPOOL_UUID_LEN + 1];
    size_t bytes;
};

static int write_conf(const struct doc_ctx *c, struct run *u)
{
    FILE *f = fopen(u->conf, "w");
    char val[SPOOL_CONF_LIST_MAX + 64];
    size_t i;

    if (!f)
        return -1;
    for (i = 0; i < spool_config_nkeys(); i++) {
        const char *k = spool_config_key(i);
        if (!strcmp(k, "spool_dir") || !strcmp(k, "include") || !strcmp(k, "exclude"))
            continue;
        spool_config_get(&c->cfg, k, val, sizeof val);
        if (val[0])
            fprintf(f, "%s = %s\n", k, val);
    }
    fprintf(f, "spool_dir = %s\n", u->spool);
    return fclose(f);
}

static int seen_before(const struct run *u, const char *name)
{
    for (size_t i = 0; i < u->nbefore; i++)
        if (!strcmp(u->before[i], name))
            return 1;
    return 0;
}

static void list_before(struct run *u)
{
    DIR *d = opendir(u->jobdir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL && u->nbefore < MAX_BEFORE)
        if ((u->before[u->nbefore] = strdup(e->d_name)) != NULL)
            u->nbefore++;
    closedir(d);
}

/* Runs the test program; returns its wait status, or -1 (reason in r). */
static int spawn(struct doc_report *r, const struct doc_ctx *c, struct run *u)
{
    static const char *pass[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "USER" };
    char *env[16], *argv[] = { TEST_PROGRAM, NULL };
    char e_pre[4200], e_conf[200], *extra[4];
    posix_spawn_file_actions_t fa;
    size_t n = 0, i;
    int st = -1, rc;

    snprintf(e_pre, sizeof e_pre, "LD_PRELOAD=%s", c->preload);
    snprintf(e_conf, sizeof e_conf, "TRACK_CONFIG=%s", u->conf);
    env[n++] = e_pre;
    env[n++] = e_conf;
    env[n++] = "TRACK_DEBUG=1";
    env[n++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    for (i = 0; i < sizeof pass / sizeof pass[0]; i++) {
        const char *v = getenv(pass[i]);
        extra[i] = NULL;
        if (v && asprintf(&extra[i], "%s=%s", pass[i], v) >= 0)
            env[n++] = extra[i];
    }
    env[n] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, u->errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    rc = posix_spawn(&u->pid, TEST_PROGRAM, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        doc_problem(r, "cannot run %s: %s", TEST_PROGRAM, strerror(rc));
        goto out;
    }
    while (waitpid(u->pid, &st, 0) < 0) {
        if (errno != EINTR) {
            doc_problem(r, "waiting for %s: %s", TEST_PROGRAM, strerror(errno));
            st = -1;
            goto out;
        }
    }
out:
    for (i = 0; i < sizeof pass / sizeof pass[0]; i++)
        free(extra[i]);
    return st;
}

/* Reads back what the run wrote; removes those files. */
static void collect(struct doc_report *r, const struct doc_ctx *c, struct run *u)
{
    DIR *d = opendir(u->jobdir);
    struct dirent *e;
    size_t cap = c->cfg.max_record_bytes;
    char *buf = malloc(cap + 1), err[512];

    if (!d || !buf)
        goto out;
    while ((e = readdir(d)) != NULL) {
        struct spool_name nm;
        struct rec rec;
        size_t len = 0;
        int fd;
        if (spool_name_parse(e->d_name, &nm) < 0 || seen_before(u, e->d_name))
            continue;
        fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (spool_read_record(fd, buf, cap, &len) < 0) {
            close(fd);
            continue;
        }
        close(fd);
        if (rec_parse(buf, len, &rec, err, sizeof err) < 0) {
            doc_problem(r, "%s/%s: the readers refuse it: %s", u->jobdir, e->d_name, err);
        } else {
            if (rec.pid == u->pid) {
                u->starts += rec.kind == SPOOL_KIND_START;
                u->ends += rec.kind == SPOOL_KIND_END;
                snprintf(u->uuid, sizeof u->uuid, "%s", rec.run_uuid);
                u->bytes += len;
            }
            rec_free(&rec);
        }
        if (unlinkat(dirfd(d), e->d_name, 0) < 0)
            doc_problem(r, "%s/%s: cannot remove the test record: %s", u->jobdir, e->d_name,
                        strerror(errno));
    }
out:
    if (d)
        closedir(d);
    free(buf);
}

static void debug_line(const struct run *u, char *out, size_t len)
{
    FILE *f = fopen(u->errfile, "r");
    out[0] = '\0';
    if (f) {
        if (fgets(out, (int)len, f))
            out[strcspn(out, "\n")] = '\0';
        fclose(f);
    }
}

void doc_check_libtrack(struct doc_report *r, const struct doc_ctx *c)
{
    struct run u;
    struct stat st;
    const char *lib = strrchr(c->preload, ':');
    char why[512];
    int status, root = geteuid() == 0;

    lib = lib ? lib + 1 : c->preload;
    memset(&u, 0, sizeof u);
    doc_section(r, "libtrack");
    if (stat(lib, &st) < 0) {
        doc_problem(r, "%s: %s", lib, strerror(errno));
        return;
    }
    snprintf(u.tmp, sizeof u.tmp, "/tmp/track-doctor.XXXXXX");
    if (!mkdtemp(u.tmp)) {
        doc_problem(r, "cannot make a private directory in /tmp: %s", strerror(errno));
        return;
    }
    snprintf(u.conf, sizeof u.conf, "%s/track.conf", u.tmp);
    snprintf(u.errfile, sizeof u.errfile, "%s/stderr", u.tmp);
    if (root) {
        /* libtrack accepts only a root-owned sticky spool root. */
        snprintf(u.spool, sizeof u.spool, "%s/spool", u.tmp);
        if (mkdir(u.spool, 0700) < 0 || chmod(u.spool, 01777) < 0) {
            doc_problem(r, "%s: %s", u.spool, strerror(errno));
            goto out;
        }
    } else {
        snprintf(u.spool, sizeof u.spool, "%s", c->cfg.spool_dir);
    }
    snprintf(u.jobdir, sizeof u.jobdir, "%s/%lu/nojob", u.spool, (unsigned long)getuid());
    if (write_conf(c, &u) < 0) {
        doc_problem(r, "%s: cannot write: %s", u.conf, strerror(errno));
        goto out;
    }
    list_before(&u);
    status = spawn(r, c, &u);
    if (status == -1)
        goto out;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        doc_problem(r, "%s with %s preloaded did not exit 0 (wait status %d): libtrack "
                       "changed the program's behaviour", TEST_PROGRAM, lib, status);
    collect(r, c, &u);
    if (u.starts == 1 && u.ends == 1) {
        doc_fact(r, "%s: %s wrote a start and an end record (run %s, %zu bytes, read back "
                    "with the ingester's parser)%s", lib, TEST_PROGRAM, u.uuid, u.bytes,
                 root ? "" : " into the real spool; removed again");
    } else {
        debug_line(&u, why, sizeof why);
        doc_problem(r, "%s: %s left %d start and %d end records in %s, expected one each%s%s",
                    lib, TEST_PROGRAM, u.starts, u.ends, u.jobdir, why[0] ? ": " : "", why);
    }
out:
    if (root) {
        /* Only what this check made: the uid and nojob directories. */
        char p[SPOOL_CONF_PATH_MAX + 64];
        rmdir(u.jobdir);
        snprintf(p, sizeof p, "%s/%lu", u.spool, (unsigned long)getuid());
        rmdir(p);
        rmdir(u.spool);
    }
    unlink(u.conf);
    unlink(u.errfile);
    rmdir(u.tmp);
    for (size_t i = 0; i < u.nbefore; i++)
        free(u.before[i]);
}
