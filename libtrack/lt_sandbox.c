/* lt_sandbox: see lt_sandbox.h. */
#include "lt_sandbox.h"
#include "lt_signal.h"
#include "lt_sys.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VIS __attribute__((visibility("default")))

/* The pid of the process that installed a filter, 0 before: a vfork
 * child shares our memory, and its sandbox is not ours. */
static _Atomic pid_t lt_sandboxed;

int lt_sandbox_on(pid_t pid)
{
    pid_t p = atomic_load(&lt_sandboxed);

    return p != 0 && p == pid;
}

/* 1 if system call nr with first argument a1 installs a filter or enters
 * strict mode: seccomp(SET_MODE_STRICT | SET_MODE_FILTER, ...) or
 * prctl(PR_SET_SECCOMP, ...). seccomp's other operations only ask. */
static int installs(long nr, long a1)
{
    if (nr == SYS_seccomp)
        return a1 == SECCOMP_SET_MODE_STRICT || a1 == SECCOMP_SET_MODE_FILTER;
    return nr == SYS_prctl && a1 == PR_SET_SECCOMP;
}

/* Every system call of ours before the filter is in: the pid is noted
 * and the hidden handlers leave the kernel. errno is the caller's after. */
static pid_t before_filter(void)
{
    int e = errno;
    pid_t me = getpid();

    lt_sig_disarm();
    errno = e;
    return me;
}

/* System call nr with arguments a, for the prctl and syscall
 * interposers: one that installs a filter is preceded by before_filter
 * and, once it succeeded, marks the sandbox. */
static long watched(long nr, const long a[6])
{
    int in = installs(nr, a[0]);
    pid_t me = in ? before_filter() : 0;
    long rc = lt_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

    /* Only a filter that is in counts: programs probe for seccomp with
     * calls meant to fail (a NULL filter, for EFAULT). */
    if (in && rc == 0)
        atomic_store(&lt_sandboxed, me);
    return rc;
}

#ifdef LT_SYS_DIRECT
/* libc's syscall(): the number and six arguments as the caller left them
 * (glibc reads six whatever the call, and so does this). A filter the
 * program installs this way (seccomp(2) has no glibc wrapper) is seen as
 * through prctl. Not instrumented by ASan: the sixth argument is read from
 * the caller's stack whether or not the caller passed one (as glibc's
 * assembly does), and there ASan may have a redzone. */
VIS __attribute__((no_sanitize("address"))) long syscall(long nr, ...)
{
    long a[6];
    va_list ap;

    va_start(ap, nr);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    return watched(nr, a);
}
#endif

/* glibc's prctl is the bare system call with the four optional arguments
 * passed on as the caller left them (in registers on every ABI we build
 * for), and so is this. */
VIS int prctl(int option, ...)
{
    long a[6] = { option, 0, 0, 0, 0, 0 };
    va_list ap;

    va_start(ap, option);
    for (int i = 1; i < 5; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    return (int)watched(SYS_prctl, a);
}

typedef int (*lt_load_fn)(void *);

/* As <seccomp.h> declares it (scmp_filter_ctx is a void *); libseccomp's
 * headers are not a build dependency of libtrack. */
VIS int seccomp_load(void *ctx);

/* libseccomp's loader: it installs the filter from inside the library,
 * with seccomp(2) through syscall() (which the interposer above sees only
 * on x86_64 and aarch64) or with prctl. Returns what
 * libseccomp returns (0 or a negative errno); -ENOSYS if no later object
 * defines it, which cannot happen for a program that links it. */
VIS int seccomp_load(void *ctx)
{
    lt_load_fn real;
    void *p;
    int saved = errno, rc;
    pid_t me;

    p = dlsym(RTLD_NEXT, "seccomp_load");
    errno = saved;
    if (!p)
        return -ENOSYS;
    /* ISO C has no conversion between object and function pointers; POSIX
     * guarantees dlsym's result converts. */
    memcpy(&real, &p, sizeof real);
    me = before_filter();
    rc = real(ctx);
    if (rc == 0)
        atomic_store(&lt_sandboxed, me);
    return rc;
}
