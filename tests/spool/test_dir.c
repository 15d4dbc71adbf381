/* Verified directories: one check per way a spool can be hostile. The
 * ownership cases need root (they chown to another uid); as non-root they
 * are reported as skipped. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_dir.h"
#include "tcheck.h"

static char root[256];

static int open_job(uid_t uid, const char *job, int create)
{
    char err[256] = "";
    int fd = spool_open_job_dir(root, uid, job, create, err, sizeof err);
    if (fd < 0 && !err[0])
        tcheck_fail(__FILE__, __LINE__, "failure without a reason");
    if (fd >= 0)
        close(fd);
    return fd >= 0 ? 0 : -1;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        tcheck_fail(__FILE__, __LINE__, "command failed: %s", cmd);
}

int main(void)
{
    char base[] = "/tmp/track-test-dir-XXXXXX";
    char err[256];
    uid_t me = getuid();
    struct stat st;

    if (!mkdtemp(base))
        return 2;
    snprintf(root, sizeof root, "%s/spool", base);
    umask(022);

    /* Missing root: nothing is created above the user level. */
    CHECK_INT(open_job(me, "nojob", 1), -1);
    mkdir(root, 0777);
    chmod(root, 01777);
    if (me == 0) {
        CHECK_INT(open_job(0, "nojob", 1), 0);
        CHECK_INT(stat(root, &st), 0);
        CHECK_INT(open_job(0, "123", 1), 0);
        {
            char p[300];
            snprintf(p, sizeof p, "%s/0/123", root);
            CHECK_INT(stat(p, &st), 0);
            CHECK_INT(st.st_mode & 07777, 0700);
        }
        CHECK_INT(open_job(0, "123", 0), 0);
        CHECK_INT(open_job(0, "124", 0), -1);    /* no create: must exist */
        CHECK_INT(open_job(0, "../x", 1), -1);
        CHECK_INT(open_job(0, "12a", 1), -1);
        CHECK_INT(open_job(0, "", 1), -1);
        CHECK_INT(open_job(0, "123456789012345678901", 1), -1);

        /* A user dir owned by someone else. */
        sh("mkdir -p %s/spool/4242 && chown 4343 %s/spool/4242", base, base);
        CHECK_INT(open_job(4242, "nojob", 1), -1);
        /* A user dir that is a symlink to a directory the user owns. */
        sh("mkdir -p %s/elsewhere && chown 4444 %s/elsewhere && ln -s %s/elsewhere %s/spool/4444", base, base, base, base);
        CHECK_INT(open_job(4444, "nojob", 1), -1);
        /* A user dir open to the group. */
        sh("mkdir -p %s/spool/4545 && chown 4545 %s/spool/4545 && chmod 0750 %s/spool/4545", base, base, base);
        CHECK_INT(open_job(4545, "nojob", 1), -1);
        /* A job dir that is a symlink. */
        sh("mkdir -p -m 0700 %s/spool/0 && ln -s /tmp %s/spool/0/777", base, base);
        CHECK_INT(open_job(0, "777", 1), -1);
        /* Root not sticky, then root owned by a user. */
        chmod(root, 0777);
        CHECK_INT(open_job(0, "nojob", 1), -1);
        chmod(root, 01777);
        CHECK_INT(chown(root, 4646, 0), 0);
        CHECK_INT(open_job(0, "nojob", 1), -1);
        CHECK_INT(chown(root, 0, 0), 0);
        CHECK_INT(open_job(0, "nojob", 1), 0);
    } else {
        fprintf(stderr, "not root: ownership cases skipped\n");
    }
    /* Root a symlink to a good directory: refused all the same. */
    {
        char l[300];
        snprintf(l, sizeof l, "%s/link", base);
        CHECK_INT(symlink(root, l), 0);
        CHECK_INT(spool_open_job_dir(l, me, "nojob", 1, err, sizeof err), -1);
        CHECK(strstr(err, "symbolic link") != NULL);
    }

    /* The MUNGE-style walk over the archive path. */
    {
        char a[300];
        snprintf(a, sizeof a, "%s/archive", base);
        sh("mkdir -p %s/archive && chmod 2770 %s/archive", base, base);
        chmod(base, 0755);
        CHECK_INT(spool_path_is_secure(a, me, err, sizeof err), 0);   /* group-writable self ok */
        chmod(a, 0777);
        CHECK_INT(spool_path_is_secure(a, me, err, sizeof err), -1);  /* world-writable */
        chmod(a, 0750);
        chmod(base, 0775);                                            /* ancestor group-writable */
        CHECK_INT(spool_path_is_secure(a, me, err, sizeof err), -1);
        CHECK(strstr(err, base) != NULL);
        chmod(base, 0755);
        if (me == 0) {
            CHECK_INT(chown(base, 4747, 0), 0);                       /* ancestor owned by a user */
            CHECK_INT(spool_path_is_secure(a, 0, err, sizeof err), -1);
            CHECK(strstr(err, "4747") != NULL);
            CHECK_INT(chown(base, 0, 0), 0);
        }
        CHECK_INT(spool_path_is_secure("/nonexistent/x", me, err, sizeof err), -1);
    }

    sh("rm -rf %s", base);
    return tcheck_result();
}
