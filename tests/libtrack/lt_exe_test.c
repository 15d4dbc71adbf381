/* libtrack/lt_exe.c against the kernel: lt_exe_resolve against realpath(3)
 * on a tree of links made here (relative and absolute links, chains, links
 * to directories followed by "..", ".", "//", loops, dangling links, paths
 * that do not fit the scratch); lt_exe_same_image on this program, another
 * ELF program and a script; lt_exe_path against /proc/self/exe. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lt_exe.h"
#include "tcheck.h"

static char root[PATH_MAX];

static void mk(const char *fmt, const char *rel)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    if (fmt[0] == 'd')
        CHECK(mkdir(p, 0755) == 0);
    else {
        FILE *f = fopen(p, "w");
        CHECK(f != NULL);
        if (f) {
            fputs("#!/bin/sh\nexit 0\n", f);
            fclose(f);
        }
    }
}

static void ln(const char *target, const char *rel)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    CHECK(symlink(target, p) == 0);
}

/* lt_exe_resolve(root/rel) must equal realpath(root/rel), or both fail. */
static void same_as_realpath(const char *rel, size_t slen)
{
    char in[PATH_MAX * 2], want[PATH_MAX], out[PATH_MAX], scratch[8192];
    char *rp;
    ssize_t n;

    snprintf(in, sizeof in, "%s/%s", root, rel);
    rp = realpath(in, want);
    n = lt_exe_resolve(in, out, sizeof out, scratch, slen);
    if (rp) {
        if (n < 0)
            tcheck_fail(__FILE__, __LINE__, "%s: failed (%s), realpath says %s", rel, strerror(errno), want);
        else
            CHECK_STR(out, want);
        CHECK(n < 0 || (size_t)n == strlen(out));
    } else if (n >= 0)
        tcheck_fail(__FILE__, __LINE__, "%s: gave %s, realpath fails (%s)", rel, out, strerror(errno));
}

static void test_resolve(void)
{
    char cwd[PATH_MAX], out[PATH_MAX], scratch[8192], want[PATH_MAX];
    char longrel[3000];
    static const char *const cases[] = {
        "real/bin/prog", "real//bin/./prog", "real/bin/../bin/prog", "rel", "abs", "chain",
        "dirlink/prog", "dirlink/../x", "dirlink/../bin/prog", "up/prog", "updir/bin/prog",
        "dangling", "loop", "real/bin/..", "real/.", "dirlink/..", "real/bin/missing", "real/bin/prog/x",
        "real/../real/bin/../../real/bin/prog", "../../../../../../../../../bin",
        "selfdir/selfdir/selfdir/real/bin/prog", NULL };

    snprintf(root, sizeof root, "/tmp/lt_exe_test.XXXXXX");
    CHECK(mkdtemp(root) != NULL);
    mk("d", "real");
    mk("d", "real/bin");
    mk("f", "real/bin/prog");
    mk("f", "real/x");
    ln("real/bin/prog", "rel");
    {
        char t[PATH_MAX * 2];
        snprintf(t, sizeof t, "%s/real/bin/prog", root);
        ln(t, "abs");
    }
    ln("rel", "chain");
    ln("real/bin", "dirlink");
    ln("real/bin/../bin", "up");
    ln(".", "selfdir");
    ln("real", "updir");
    ln("nowhere", "dangling");
    ln("loop", "loop");
    for (int i = 0; cases[i]; i++)
        same_as_realpath(cases[i], sizeof scratch);

    /* relative to the working directory, as AT_EXECFN is for ./prog */
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(root) == 0);
    CHECK(realpath("dirlink/prog", want) != NULL);
    CHECK(lt_exe_resolve("dirlink/prog", out, sizeof out, scratch, sizeof scratch) > 0);
    CHECK_STR(out, want);
    CHECK(lt_exe_resolve("./rel", out, sizeof out, scratch, sizeof scratch) > 0);
    CHECK_STR(out, want);
    CHECK(chdir("/") == 0);
    CHECK(lt_exe_resolve("..", out, sizeof out, scratch, sizeof scratch) == 1);
    CHECK_STR(out, "/");
    CHECK(chdir(cwd) == 0);

    /* what does not fit fails with ENAMETOOLONG: the path, a link target,
     * the result */
    errno = 0;
    CHECK(lt_exe_resolve("/usr/bin/true", out, sizeof out, scratch, 16) < 0 && errno == ENAMETOOLONG);
    CHECK(out[0] == '\0');
    /* a link whose target (1,300 bytes: six directories of 200) is longer
     * than half of 1 KiB of scratch */
    {
        char t[PATH_MAX * 2];
        size_t off = 0;
        for (int d = 0; d < 6; d++) {
            longrel[off++] = d ? '/' : 'l';
            memset(longrel + off, 'a' + d, 199);
            off += 199;
            longrel[off] = '\0';
            mk("d", longrel);
        }
        snprintf(t, sizeof t, "%s/%s/../../../../../../real/bin/prog", root, longrel);
        ln(t, "longlink");
        same_as_realpath("longlink", sizeof scratch); /* fits 8 KiB */
        errno = 0;
        snprintf(t, sizeof t, "%s/longlink", root);
        CHECK(lt_exe_resolve(t, out, sizeof out, scratch, 1024) < 0 && errno == ENAMETOOLONG);
        errno = 0;
        CHECK(lt_exe_resolve(t, out, 32, scratch, sizeof scratch) < 0 && errno == ENAMETOOLONG);
    }
    errno = 0;
    {
        char t[PATH_MAX * 2];
        snprintf(t, sizeof t, "%s/loop", root);
        CHECK(lt_exe_resolve(t, out, sizeof out, scratch, sizeof scratch) < 0 && errno == ELOOP);
    }
}

/* Random trees of links and random paths over them (a fixed seed): where
 * both succeed, the walk agrees with realpath; with every scratch size
 * from tiny to large, so that the bounds are exercised under the
 * sanitizers. */
static void test_random(void)
{
    static const char *const parts[] = { "a", "b", "..", ".", "", "l0", "l1", "l2", "l3", "d" };
    char dir[PATH_MAX + 8], p[PATH_MAX * 2], tgt[256], rel[256], want[PATH_MAX], out[PATH_MAX];
    char scratch[2048];
    unsigned seed = 12345;

    snprintf(dir, sizeof dir, "%s/rnd", root);
    CHECK(mkdir(dir, 0755) == 0);
    snprintf(p, sizeof p, "%s/a", dir);
    CHECK(mkdir(p, 0755) == 0);
    snprintf(p, sizeof p, "%s/a/b", dir);
    CHECK(mkdir(p, 0755) == 0);
    snprintf(p, sizeof p, "%s/a/b/d", dir);
    CHECK(mkdir(p, 0755) == 0);
    for (int round = 0; round < 300; round++) {
        /* four links with random targets, in a and in a/b */
        for (int l = 0; l < 4; l++) {
            size_t off = 0;
            int nparts = 1 + (int)(rand_r(&seed) % 5);
            if (rand_r(&seed) % 3 == 0)
                off += (size_t)snprintf(tgt, sizeof tgt, "%s", dir);
            for (int k = 0; k < nparts; k++)
                off += (size_t)snprintf(tgt + off, sizeof tgt - off, "%s%s", k || off ? "/" : "",
                                        parts[rand_r(&seed) % 10]);
            snprintf(p, sizeof p, "%s/%sl%d", dir, l % 2 ? "a/b/" : "a/", l);
            unlink(p);
            CHECK(symlink(tgt[0] ? tgt : ".", p) == 0);
        }
        for (int q = 0; q < 10; q++) {
            size_t off = 0;
            int nparts = 1 + (int)(rand_r(&seed) % 6);
            for (int k = 0; k < nparts; k++)
                off += (size_t)snprintf(rel + off, sizeof rel - off, "/%s", parts[rand_r(&seed) % 10]);
            snprintf(p, sizeof p, "%s%s", dir, rel);
            size_t slen = 4 + rand_r(&seed) % (sizeof scratch - 4);
            ssize_t n = lt_exe_resolve(p, out, sizeof out, scratch, slen);
            char *rp = realpath(p, want);
            if (n >= 0 && rp && strcmp(out, want) != 0)
                tcheck_fail(__FILE__, __LINE__, "%s: %s, realpath %s", p, out, want);
            if (n >= 0 && !rp && errno != ENOTDIR)
                tcheck_fail(__FILE__, __LINE__, "%s: %s, realpath fails", p, out);
            if (n >= 0)
                CHECK((size_t)n == strlen(out));
        }
    }
}

static void test_same_image(void)
{
    char self[PATH_MAX], scratch[4096], p[PATH_MAX * 2];
    const void *phdr = (const void *)getauxval(AT_PHDR);
    size_t phnum = getauxval(AT_PHNUM), phent = getauxval(AT_PHENT);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    CHECK(n > 0);
    self[n > 0 ? n : 0] = '\0';
    CHECK_INT(lt_exe_same_image(self, phdr, phnum, phent, scratch, sizeof scratch), 1);
    /* another program, a script, a link as the last component, nothing */
    CHECK(realpath("/bin/sh", p) != NULL);
    CHECK_INT(lt_exe_same_image(p, phdr, phnum, phent, scratch, sizeof scratch), 0);
    snprintf(p, sizeof p, "%s/real/bin/prog", root);
    CHECK_INT(lt_exe_same_image(p, phdr, phnum, phent, scratch, sizeof scratch), 0);
    snprintf(p, sizeof p, "%s/rel", root);
    errno = 0;
    CHECK(lt_exe_same_image(p, phdr, phnum, phent, scratch, sizeof scratch) < 0 && errno == ELOOP);
    CHECK(lt_exe_same_image("/nonexistent", phdr, phnum, phent, scratch, sizeof scratch) < 0);
    /* headers that do not fit the scratch: not the same (the caller asks
     * /proc) */
    CHECK_INT(lt_exe_same_image(self, phdr, phnum, phent, scratch, 64), 0);
}

/* A regular file on a file system with a device, as stat says; tmpfs
 * (major 0, as NFS and Lustre), a directory, nothing: not. */
static void test_local_file(void)
{
    char self[PATH_MAX], shm[] = "/dev/shm/lt_exe_test.XXXXXX";
    struct stat st;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    int fd;

    CHECK(n > 0);
    self[n > 0 ? n : 0] = '\0';
    CHECK(stat(self, &st) == 0);
    CHECK_INT(lt_exe_local_file(self), major(st.st_dev) != 0);
    fd = mkstemp(shm);
    CHECK(fd >= 0);
    CHECK_INT(lt_exe_local_file(shm), 0);
    close(fd);
    unlink(shm);
    CHECK_INT(lt_exe_local_file(root), 0);
    errno = EBADF;
    CHECK_INT(lt_exe_local_file("/nonexistent"), 0);
    CHECK(errno == EBADF);
}

static void test_path(void)
{
    char want[PATH_MAX], out[PATH_MAX], scratch[1024];
    ssize_t w = readlink("/proc/self/exe", want, sizeof want - 1);

    CHECK(w > 0);
    want[w > 0 ? w : 0] = '\0';
    CHECK_INT(lt_exe_path(out, sizeof out, scratch, sizeof scratch), w);
    CHECK_STR(out, want);
    /* too little scratch: /proc answers, the same */
    CHECK_INT(lt_exe_path(out, sizeof out, scratch, 16), w);
    CHECK_STR(out, want);
}

static void cleanup(void)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "lt_exe_test: could not remove %s\n", root);
}

int main(void)
{
    test_resolve();
    test_random();
    test_same_image();
    test_local_file();
    test_path();
    cleanup();
    return tcheck_result();
}
