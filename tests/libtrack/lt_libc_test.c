/* lt_libc_test: libtrack's copies of libc functions (libtrack/lt_libc.c),
 * built here under other names, against libc's on the same inputs: edge
 * cases first, then random strings and buffers at every alignment. For the
 * system-call wrappers, the same results and errno as libc's on real files,
 * directories and failures. Prints one line per difference; exit 1 if any. */
#define LT_LIBC_NAME(f) tl_##f
/* The copies are defined here under test names that no header declares;
 * in libtrack.so libc's headers declare them. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "lt_libc.c"

#include <limits.h>
#include <sys/time.h>

static int failures;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            failures++;                                                        \
            if (failures < 20) {                                               \
                fprintf(stderr, "lt_libc_test:%d: ", __LINE__);                \
                fprintf(stderr, __VA_ARGS__);                                  \
                fputc('\n', stderr);                                           \
            }                                                                  \
        }                                                                      \
    } while (0)

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static unsigned rnd_state = 12345;

static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* Bytes from a small alphabet (with 0x80-0xff), so that matches and
 * mismatches both happen. */
static void fill(unsigned char *b, size_t n)
{
    static const unsigned char alpha[] = "ab=/\x80\xff";
    for (size_t i = 0; i < n; i++)
        b[i] = alpha[rnd() % (sizeof alpha - 1)];
}

static void strings(void)
{
    static const char *const cases[] = {"", "a", "ab", "abc", "a=b", "\x80", "\xff\x01", "abcdefghijklmnopq"};
    size_t nc = sizeof cases / sizeof cases[0];

    for (size_t i = 0; i < nc; i++) {
        const char *s = cases[i];
        CHECK(tl_strlen(s) == strlen(s), "strlen(\"%s\")", s);
        for (size_t m = 0; m < 20; m++)
            CHECK(tl_strnlen(s, m) == strnlen(s, m), "strnlen(\"%s\", %zu)", s, m);
        for (int c = 0; c < 256; c += 17)
            CHECK(tl_strchr(s, c) == strchr(s, c), "strchr(\"%s\", %d)", s, c);
        CHECK(tl_strchr(s, 0) == strchr(s, 0), "strchr(\"%s\", 0)", s);
        CHECK(tl_strchr(s, 'a' + 256) == strchr(s, 'a' + 256), "strchr(\"%s\", 'a' + 256)", s);
        for (size_t j = 0; j < nc; j++) {
            const char *t = cases[j];
            CHECK(sign(tl_strcmp(s, t)) == sign(strcmp(s, t)), "strcmp(\"%s\", \"%s\")", s, t);
            for (size_t n = 0; n < 6; n++)
                CHECK(sign(tl_strncmp(s, t, n)) == sign(strncmp(s, t, n)), "strncmp(\"%s\", \"%s\", %zu)", s, t, n);
            CHECK(tl_strcspn(s, t) == strcspn(s, t), "strcspn(\"%s\", \"%s\")", s, t);
        }
    }
}

static void buffers(void)
{
    unsigned char a[300], b[300], d1[320], d2[320];

    for (int round = 0; round < 4000; round++) {
        size_t off = rnd() % 16, n = rnd() % 260, cut = n ? rnd() % n : 0;
        int c = (int)(rnd() % 256) - (round % 3 == 0 ? 256 : 0);

        fill(a, sizeof a);
        memcpy(b, a, sizeof b);
        if (n && round % 2)
            b[off + cut] ^= (unsigned char)(1 + rnd() % 255);
        CHECK(sign(tl_memcmp(a + off, b + off, n)) == sign(memcmp(a + off, b + off, n)),
              "memcmp round %d n %zu", round, n);
        CHECK(tl_memchr(a + off, c, n) == memchr(a + off, c, n), "memchr round %d c %d n %zu", round, c, n);

        memset(d1, 0x55, sizeof d1);
        memset(d2, 0x55, sizeof d2);
        CHECK(tl_memcpy(d1 + (off ^ 5), a + off, n) == d1 + (off ^ 5), "memcpy return");
        memcpy(d2 + (off ^ 5), a + off, n);
        CHECK(memcmp(d1, d2, sizeof d1) == 0, "memcpy round %d off %zu n %zu", round, off, n);

        a[off + n] = 0;
        b[off + n] = 0;
        CHECK(tl_strlen((char *)a + off) == strlen((char *)a + off), "strlen round %d", round);
        CHECK(sign(tl_strcmp((char *)a + off, (char *)b + off)) == sign(strcmp((char *)a + off, (char *)b + off)),
              "strcmp round %d", round);
    }
}

static void env(void)
{
    setenv("LT_LIBC_A", "1", 1);
    setenv("LT_LIBC_AB", "", 1);
    unsetenv("LT_LIBC_X");
    putenv((char *)"LT_LIBC_B=x=y");
    static const char *const names[] = {"LT_LIBC_A", "LT_LIBC_AB", "LT_LIBC", "LT_LIBC_X", "", "LT_LIBC_A=1", "LT_LIBC_B=x", "LT_LIBC_B", "PATH", "="};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK(tl_getenv(names[i]) == getenv(names[i]), "getenv(\"%s\")", names[i]);
}

#ifdef LT_SYS_DIRECT
/* Result and errno of a call, compared between the copy and libc. */
#define SAME(call_tl, call_libc, what)                                         \
    do {                                                                       \
        long r1, r2;                                                           \
        int e1, e2;                                                            \
        errno = 0;                                                             \
        r1 = (long)(call_tl);                                                  \
        e1 = errno;                                                            \
        errno = 0;                                                             \
        r2 = (long)(call_libc);                                                \
        e2 = errno;                                                            \
        CHECK(r1 == r2 && e1 == e2, "%s: %ld errno %d, libc %ld errno %d", what, r1, e1, r2, e2); \
    } while (0)

static void calls(void)
{
    char dir[] = "/tmp/lt_libc_test.XXXXXX", p[PATH_MAX], b1[PATH_MAX], b2[PATH_MAX];
    struct stat s1, s2;
    struct utsname u1, u2;
    struct rlimit l1, l2;
    struct rusage ru;
    int fd, dfd;

    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    snprintf(p, sizeof p, "%s/f", dir);

    fd = tl_open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    CHECK(fd >= 0, "open O_CREAT: %s", strerror(errno));
    CHECK(fstat(fd, &s1) == 0 && (s1.st_mode & 07777) == (0640 & ~umask(umask(0))), "open's mode");
    SAME(tl_write(fd, "hello", 5), 5, "write");
    SAME(tl_fstat(fd, &s1), fstat(fd, &s2), "fstat");
    CHECK(s1.st_ino == s2.st_ino && s1.st_size == 5 && s2.st_size == 5, "fstat fields");
    SAME(tl_fchmod(fd, 0600), 0, "fchmod");
    SAME(tl_close(fd), 0, "close");
    SAME(tl_close(fd), close(fd), "close twice");
    SAME(tl_open(p, O_WRONLY | O_CREAT | O_EXCL, 0600), open(p, O_WRONLY | O_CREAT | O_EXCL, 0600), "open O_EXCL");

    fd = tl_openat(dfd, "f", O_RDONLY);
    CHECK(fd >= 0, "openat: %s", strerror(errno));
    memset(b1, 0, sizeof b1);
    SAME(tl_read(fd, b1, sizeof b1), 5, "read");
    CHECK(memcmp(b1, "hello", 5) == 0, "read's bytes");
    SAME(tl_read(fd, b1, sizeof b1), 0, "read at the end");
    close(fd);
    SAME(tl_read(-1, b1, 1), read(-1, b1, 1), "read bad fd");
    SAME(tl_write(-1, b1, 1), write(-1, b1, 1), "write bad fd");

    SAME(tl_fstatat(dfd, "f", &s1, AT_SYMLINK_NOFOLLOW), fstatat(dfd, "f", &s2, AT_SYMLINK_NOFOLLOW), "fstatat");
    CHECK(s1.st_ino == s2.st_ino && s1.st_mode == s2.st_mode, "fstatat fields");
    SAME(tl_fstatat(dfd, "none", &s1, 0), fstatat(dfd, "none", &s2, 0), "fstatat missing");
    SAME(tl_mkdirat(dfd, "d", 0700), 0, "mkdirat");
    SAME(tl_mkdirat(dfd, "d", 0700), mkdirat(dfd, "d", 0700), "mkdirat exists");
    CHECK(symlinkat("f", dfd, "l") == 0, "symlinkat");
    snprintf(p, sizeof p, "%s/l", dir);
    memset(b1, 0, sizeof b1);
    memset(b2, 0, sizeof b2);
    SAME(tl_readlink(p, b1, sizeof b1), readlink(p, b2, sizeof b2), "readlink");
    CHECK(strcmp(b1, b2) == 0, "readlink's text");
    SAME(tl_readlink(p, b1, 0), readlink(p, b2, 0), "readlink size 0");
    SAME(tl_readlink(dir, b1, sizeof b1), readlink(dir, b2, sizeof b2), "readlink not a link");
    SAME(tl_renameat(dfd, "f", dfd, "g"), 0, "renameat");
    SAME(tl_renameat(dfd, "f", dfd, "g"), renameat(dfd, "f", dfd, "g"), "renameat missing");
    SAME(tl_unlinkat(dfd, "g", 0), 0, "unlinkat");
    SAME(tl_unlinkat(dfd, "g", 0), unlinkat(dfd, "g", 0), "unlinkat missing");
    SAME(tl_unlinkat(dfd, "d", 0), unlinkat(dfd, "d", 0), "unlinkat a directory");

    SAME(tl_getpid(), getpid(), "getpid");
    SAME(tl_getppid(), getppid(), "getppid");
    SAME(tl_getuid(), getuid(), "getuid");
    SAME(tl_getgid(), getgid(), "getgid");
#ifdef SYS_getrandom
    SAME(tl_getrandom(b1, 16, GRND_NONBLOCK), 16, "getrandom");
#endif
    SAME(tl_uname(&u1), uname(&u2), "uname");
    CHECK(strcmp(u1.nodename, u2.nodename) == 0 && strcmp(u1.release, u2.release) == 0, "uname fields");
    SAME(tl_getrlimit(RLIMIT_NOFILE, &l1), getrlimit(RLIMIT_NOFILE, &l2), "getrlimit");
    CHECK(l1.rlim_cur == l2.rlim_cur && l1.rlim_max == l2.rlim_max, "getrlimit fields");
    SAME(tl_getrlimit((__rlimit_resource_t)999, &l1), getrlimit((__rlimit_resource_t)999, &l2), "getrlimit bad");
    SAME(tl_getrusage(RUSAGE_SELF, &ru), 0, "getrusage");
    SAME(tl_getrusage((__rusage_who_t)99, &ru), getrusage((__rusage_who_t)99, &ru), "getrusage bad");

    SAME(tl_getcwd(b1, sizeof b1) == b1, getcwd(b2, sizeof b2) == b2, "getcwd");
    CHECK(strcmp(b1, b2) == 0, "getcwd's text");
    SAME(tl_getcwd(b1, 2) == NULL, getcwd(b2, 2) == NULL, "getcwd short buffer");
    /* A directory removed under us: the kernel says "(unreachable)" or
     * ENOENT, libc says ENOENT, and so must the copy. */
    snprintf(p, sizeof p, "%s/gone", dir);
    if (mkdir(p, 0700) == 0 && chdir(p) == 0 && rmdir(p) == 0)
        SAME(tl_getcwd(b1, sizeof b1) == NULL, getcwd(b2, sizeof b2) == NULL, "getcwd of a removed directory");
    CHECK(chdir("/") == 0, "chdir /");
    unlinkat(dfd, "d", AT_REMOVEDIR);
    close(dfd);
    snprintf(p, sizeof p, "%s/l", dir);
    unlink(p);
    CHECK(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
}
#endif

int main(void)
{
    strings();
    buffers();
    env();
#ifdef LT_SYS_DIRECT
    calls();
#endif
    if (failures) {
        fprintf(stderr, "lt_libc_test: %d differences from libc\n", failures);
        return 1;
    }
    printf("lt_libc_test: same as libc\n");
    return 0;
}
