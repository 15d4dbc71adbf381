/* lt_libc: libtrack's own copies of the libc functions on its common path.
 *
 * Why: in a short process the cost of libtrack is mostly first touches. A
 * tracked /bin/true calls about thirty libc functions that the program
 * itself never calls; each lies in a part of libc's text the process has
 * not faulted in yet (a page fault, about 7 us in the benchmark VM, maps
 * 64 KiB around it) and each first call goes through the loader's lazy
 * binding. The same functions here sit in libtrack's own text, which the
 * loader has already mapped (docs/performance.md "Issue 14, round 8").
 *
 * How: these definitions carry libc's names and prototypes, and the
 * version script (libtrack.map, "local: *") keeps them out of the dynamic
 * symbol table. The static linker therefore binds every call inside
 * libtrack.so, spool's code included, to them directly, while the program
 * and every other library keep libc's: nothing outside libtrack can see or
 * call them (tests/libtrack check the exported symbols).
 *
 * Contract: each behaves as its libc namesake for the arguments libtrack
 * passes (documented below where narrower), sets errno as libc does on
 * failure and leaves it untouched on success. The system-call wrappers
 * exist only where lt_sys makes direct calls (x86_64, aarch64); elsewhere
 * libc's serve. They are not cancellation points (libtrack never runs with
 * cancellation enabled in a thread of its own). Built with -fno-builtin
 * and without loop-to-call rewriting (CMakeLists.txt), so that the
 * compiler does not turn these loops back into calls to themselves.
 * LT_LIBC_NAME lets tests/libtrack/lt_libc_test.c build the same code
 * under other names and compare it with libc. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lt_sys.h"

#ifndef LT_LIBC_NAME
#define LT_LIBC_NAME(f) f
#endif
#define N(f) LT_LIBC_NAME(f)

/* Unaligned 8-byte loads and stores without memcpy. */
typedef uint64_t __attribute__((may_alias, aligned(1))) lt_u64u;

size_t N(strlen)(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t N(strnlen)(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

char *N(strchr)(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

void *N(memchr)(const void *s, int c, size_t n)
{
    const unsigned char *p = s;

    for (; n; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}

int N(strcmp)(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    while (*x && *x == *y) {
        x++;
        y++;
    }
    return *x - *y;
}

int N(strncmp)(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x - *y;
        if (!*x)
            return 0;
    }
    return 0;
}

int N(memcmp)(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

/* Records are copied whole (the end record repeats the start's identity
 * and objects: tens of KiB for a Python run), hence words, not bytes. */
void *N(memcpy)(void *restrict d, const void *restrict s, size_t n)
{
    unsigned char *o = d;
    const unsigned char *i = s;

    for (; n >= 8; n -= 8, o += 8, i += 8)
        *(lt_u64u *)o = *(const lt_u64u *)i;
    while (n--)
        *o++ = *i++;
    return d;
}

size_t N(strcspn)(const char *s, const char *reject)
{
    size_t n = 0;

    for (; s[n]; n++)
        for (const char *r = reject; *r; r++)
            if (s[n] == *r)
                return n;
    return n;
}

/* As glibc's: the value of the first entry of environ that starts with
 * name and '=', NULL for an empty name. */
char *N(getenv)(const char *name)
{
    extern char **environ;
    size_t len = N(strlen)(name);

    if (!environ || !len)
        return NULL;
    for (char **e = environ; *e; e++)
        if (N(strncmp)(*e, name, len) == 0 && (*e)[len] == '=')
            return *e + len + 1;
    return NULL;
}

#ifdef LT_SYS_DIRECT
#define SC0(nr) lt_sys((nr), 0, 0, 0, 0, 0, 0)
#define SC(nr, a, b, c, d) lt_sys((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* open and openat take a mode only with O_CREAT or O_TMPFILE, as libc. */
static int open_va(int dirfd, const char *path, int flags, va_list ap)
{
    int mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, int) : 0;

    return (int)SC(SYS_openat, dirfd, path, flags, mode);
}

int N(open)(const char *path, int flags, ...)
{
    va_list ap;
    int fd;

    va_start(ap, flags);
    fd = open_va(AT_FDCWD, path, flags, ap);
    va_end(ap);
    return fd;
}

int N(openat)(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    int fd;

    va_start(ap, flags);
    fd = open_va(dirfd, path, flags, ap);
    va_end(ap);
    return fd;
}

ssize_t N(read)(int fd, void *buf, size_t n)
{
    return SC(SYS_read, fd, buf, n, 0);
}

ssize_t N(write)(int fd, const void *buf, size_t n)
{
    return SC(SYS_write, fd, buf, n, 0);
}

int N(close)(int fd)
{
    return (int)SC(SYS_close, fd, 0, 0, 0);
}

/* struct stat is the kernel's on x86_64 and aarch64. */
int N(fstat)(int fd, struct stat *st)
{
    return (int)SC(SYS_newfstatat, fd, "", st, AT_EMPTY_PATH);
}

int N(fstatat)(int dirfd, const char *path, struct stat *st, int flags)
{
    return (int)SC(SYS_newfstatat, dirfd, path, st, flags);
}

ssize_t N(readlink)(const char *path, char *buf, size_t n)
{
    return SC(SYS_readlinkat, AT_FDCWD, path, buf, n);
}

int N(mkdirat)(int dirfd, const char *path, mode_t mode)
{
    return (int)SC(SYS_mkdirat, dirfd, path, mode, 0);
}

int N(fchmod)(int fd, mode_t mode)
{
    return (int)SC(SYS_fchmod, fd, mode, 0, 0);
}

int N(unlinkat)(int dirfd, const char *path, int flags)
{
    return (int)SC(SYS_unlinkat, dirfd, path, flags, 0);
}

/* renameat where the kernel has it (x86_64: renameat2 is only 3.15 and
 * later), else renameat2 with no flags (aarch64 has no renameat). */
int N(renameat)(int olddir, const char *oldpath, int newdir, const char *newpath)
{
#ifdef SYS_renameat
    return (int)SC(SYS_renameat, olddir, oldpath, newdir, newpath);
#else
    return (int)lt_sys(SYS_renameat2, olddir, (long)oldpath, newdir, (long)newpath, 0, 0);
#endif
}

pid_t N(getpid)(void)
{
    return (pid_t)SC0(SYS_getpid);
}

pid_t N(getppid)(void)
{
    return (pid_t)SC0(SYS_getppid);
}

uid_t N(getuid)(void)
{
    return (uid_t)SC0(SYS_getuid);
}

gid_t N(getgid)(void)
{
    return (gid_t)SC0(SYS_getgid);
}

#ifdef SYS_getrandom /* else libc's, which says ENOSYS as the kernel would */
ssize_t N(getrandom)(void *buf, size_t n, unsigned int flags)
{
    return SC(SYS_getrandom, buf, n, flags, 0);
}
#endif

int N(uname)(struct utsname *u)
{
    return (int)SC(SYS_uname, u, 0, 0, 0);
}

int N(getrlimit)(__rlimit_resource_t r, struct rlimit *rl)
{
    return (int)SC(SYS_prlimit64, 0, r, NULL, rl);
}

int N(getrusage)(__rusage_who_t who, struct rusage *ru)
{
    return (int)SC(SYS_getrusage, who, ru, 0, 0);
}

/* buf is never NULL in libtrack (glibc would allocate). Like glibc, a
 * directory the kernel cannot reach from the root ("(unreachable)...") is
 * ENOENT. */
char *N(getcwd)(char *buf, size_t size)
{
    if (SC(SYS_getcwd, buf, size, 0, 0) < 0)
        return NULL;
    if (buf[0] != '/') {
        errno = ENOENT;
        return NULL;
    }
    return buf;
}
#endif
