/* lt_sandbox: see lt_sandbox.h. */
#include "lt_sandbox.h"
#include "lt_signal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
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

/* glibc's prctl is the bare system call with the four optional arguments
 * passed on as the caller left them (in registers on every ABI we build
 * for), and so is this. */
VIS int prctl(int option, ...)
{
    unsigned long a2, a3, a4, a5;
    va_list ap;
    pid_t me = 0;
    long rc;

    va_start(ap, option);
    a2 = va_arg(ap, unsigned long);
    a3 = va_arg(ap, unsigned long);
    a4 = va_arg(ap, unsigned long);
    a5 = va_arg(ap, unsigned long);
    va_end(ap);
    /* Every system call of ours before the filter is in. */
    if (option == PR_SET_SECCOMP) {
        me = getpid();
        lt_sig_disarm();
    }
    rc = syscall(SYS_prctl, option, a2, a3, a4, a5);
    /* Only a filter that is in counts: programs probe for seccomp with
     * calls meant to fail (a NULL filter, for EFAULT). */
    if (option == PR_SET_SECCOMP && rc == 0)
        atomic_store(&lt_sandboxed, me);
    return (int)rc;
}

typedef int (*lt_load_fn)(void *);

/* As <seccomp.h> declares it (scmp_filter_ctx is a void *); libseccomp's
 * headers are not a build dependency of libtrack. */
VIS int seccomp_load(void *ctx);

/* libseccomp's loader (it installs the filter with seccomp(2) or prctl
 * from inside the library, where no interposer sees it). Returns what
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
    me = getpid();
    lt_sig_disarm();
    rc = real(ctx);
    if (rc == 0)
        atomic_store(&lt_sandboxed, me);
    return rc;
}
