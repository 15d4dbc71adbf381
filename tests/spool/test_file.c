/* Atomic writes and safe reads: temp-then-rename, exact modes, never a
 * symlink, FIFO or device, bounded reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool_file.h"
#include "tcheck.h"

/* Opens and reads root's /etc/passwd (the caller is not root): more than
 * 63 bytes, so a 63-byte read stops with EFBIG after reading. */
static int reads_foreign_file(void)
{
    char buf[64];
    size_t len;
    struct stat st;
    int fd = spool_open_regular(AT_FDCWD, "/etc/passwd", &st);
    int ok = fd >= 0 && st.st_uid != geteuid() &&
             spool_read_record(fd, buf, sizeof buf - 1, &len) < 0 && errno == EFBIG;
    if (fd >= 0)
        close(fd);
    return ok;
}

int main(void)
{
    char dir[] = "/tmp/track-test-file-XXXXXX";
    char buf[64];
    size_t len;
    struct stat st;
    int dfd, fd;

    if (!mkdtemp(dir))
        return 2;
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    umask(077);

    CHECK_INT(spool_write_atomic(dfd, "rec.json", "{\"a\":1}\n", 8, 0640, SPOOL_WRITE_SYNC), 0);
    CHECK_INT(fstatat(dfd, "rec.json", &st, 0), 0);
    CHECK_INT(st.st_mode & 07777, 0640);     /* exact, whatever the umask */
    CHECK_INT(st.st_size, 8);
    CHECK(fstatat(dfd, ".rec.json.tmp", &st, 0) < 0);   /* no temp left */

    /* A stale temp of the same name: the exclusive create fails, nothing
     * is written, the existing file is untouched. */
    close(openat(dfd, ".rec2.json.tmp", O_CREAT | O_WRONLY, 0600));
    CHECK_INT(spool_write_atomic(dfd, "rec2.json", "x", 1, 0600, 0), -1);
    CHECK_INT(errno, EEXIST);
    /* A symlink planted at the temp name is never followed. */
    CHECK_INT(symlinkat("/etc/passwd", dfd, ".rec3.json.tmp"), 0);
    CHECK_INT(spool_write_atomic(dfd, "rec3.json", "x", 1, 0600, 0), -1);
    CHECK(fstatat(dfd, "rec3.json", &st, AT_SYMLINK_NOFOLLOW) < 0);

    fd = spool_open_regular(dfd, "rec.json", &st);
    CHECK(fd >= 0);
    CHECK_INT(spool_read_record(fd, buf, sizeof buf - 1, &len), 0);
    CHECK_MEM(buf, len, "{\"a\":1}\n", 8);
    close(fd);
    fd = spool_open_regular(dfd, "rec.json", &st);
    CHECK_INT(spool_read_record(fd, buf, 7, &len), -1);   /* one byte too many */
    CHECK_INT(errno, EFBIG);
    close(fd);
    fd = spool_open_regular(dfd, "rec.json", &st);
    CHECK_INT(spool_read_record(fd, buf, 8, &len), 0);    /* exactly the cap */
    CHECK_INT(len, 8);
    close(fd);

    /* Reading leaves atime alone (O_NOATIME): under relatime an atime not
     * after mtime would otherwise be written by the first read. */
    {
        struct timespec ts[2] = { { 1000000000, 0 }, { 0, UTIME_OMIT } };
        struct stat after;
        CHECK_INT(utimensat(dfd, "rec.json", ts, 0), 0);
        fd = spool_open_regular(dfd, "rec.json", &st);
        CHECK_INT(spool_read_record(fd, buf, sizeof buf - 1, &len), 0);
        close(fd);
        CHECK_INT(fstatat(dfd, "rec.json", &after, 0), 0);
        CHECK_INT(after.st_atim.tv_sec, 1000000000);
    }
    /* Someone else's file: O_NOATIME is refused (EPERM) and dropped, the
     * file is read all the same (as root: in a child that became nobody). */
    if (geteuid() == 0) {
        int status = -1;
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
            _exit(setuid(65534) == 0 && reads_foreign_file() ? 0 : 1);
        CHECK_INT(waitpid(pid, &status, 0), pid);
        CHECK_INT(status, 0);
    } else {
        CHECK(reads_foreign_file());
    }

    CHECK_INT(symlinkat("rec.json", dfd, "link.json"), 0);
    CHECK_INT(spool_open_regular(dfd, "link.json", &st), -1);
    CHECK_INT(errno, ELOOP);
    CHECK_INT(mkfifoat(dfd, "fifo.json", 0600), 0);
    CHECK_INT(spool_open_regular(dfd, "fifo.json", &st), -1);   /* must not block */
    CHECK_INT(errno, EINVAL);
    CHECK_INT(mkdirat(dfd, "d.json", 0700), 0);
    CHECK_INT(spool_open_regular(dfd, "d.json", &st), -1);
    CHECK_INT(spool_open_regular(dfd, "missing.json", &st), -1);
    CHECK_INT(errno, ENOENT);

    /* The listed variant: only the inode that was listed, only a regular
     * file, never a symlink, and a FIFO does not block. */
    {
        struct stat ds, rs, fs;
        CHECK_INT(fstat(dfd, &ds), 0);
        CHECK_INT(fstatat(dfd, "rec.json", &rs, AT_SYMLINK_NOFOLLOW), 0);
        fd = spool_open_regular_known(dfd, "rec.json", ds.st_dev, rs.st_ino, &st);
        CHECK(fd >= 0);
        CHECK(st.st_ino == rs.st_ino);
        close(fd);
        CHECK_INT(spool_open_regular_known(dfd, "rec.json", ds.st_dev, rs.st_ino + 1, &st), -1);
        CHECK_INT(errno, ESTALE);
        CHECK_INT(spool_open_regular_known(dfd, "link.json", ds.st_dev, rs.st_ino, &st), -1);
        CHECK_INT(errno, ELOOP);
        CHECK_INT(fstatat(dfd, "fifo.json", &fs, AT_SYMLINK_NOFOLLOW), 0);
        CHECK_INT(spool_open_regular_known(dfd, "fifo.json", ds.st_dev, fs.st_ino, &st), -1);
        CHECK_INT(errno, ESTALE);
    }

    {
        char t[16];
        CHECK_INT(spool_tmpname(t, sizeof t, "abc"), 0);
        CHECK_STR(t, ".abc.tmp");
        CHECK_INT(spool_tmpname(t, sizeof t, "abcdefghijk"), -1);
    }

    close(dfd);
    snprintf(buf, sizeof buf, "rm -rf %s", dir);
    if (system(buf) != 0)
        return 2;
    return tcheck_result();
}
