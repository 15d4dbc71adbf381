/* Atomic writes and safe reads: temp-then-rename, exact modes, never a
 * symlink, FIFO or device, bounded reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_file.h"
#include "tcheck.h"

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
