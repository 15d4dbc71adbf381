/* lt_fsize: see lt_fsize.h. */
#include "lt_fsize.h"
#include "lt_sys.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void lt_fsize_hold(struct lt_fsize *g)
{
    int saved = errno;
    struct rlimit rl;
    sigset_t set, pend;

    g->held = 0;
    g->was_pending = 0;
    if (getrlimit(RLIMIT_FSIZE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
        goto out;
    sigemptyset(&set);
    sigaddset(&set, SIGXFSZ);
    if (sigprocmask(SIG_BLOCK, &set, &g->old) < 0)
        goto out;
    g->held = 1;
    g->was_pending = sigpending(&pend) == 0 && sigismember(&pend, SIGXFSZ) == 1;
out:
    errno = saved;
}

void lt_fsize_release(struct lt_fsize *g)
{
    int saved = errno;
    struct timespec zero = { 0, 0 };
    siginfo_t si;
    sigset_t set, pend;

    if (!g->held)
        goto out;
    sigemptyset(&set);
    sigaddset(&set, SIGXFSZ);
    if (!g->was_pending && sigpending(&pend) == 0 && sigismember(&pend, SIGXFSZ) == 1) {
        /* The kernel raises it for the writing thread (taken first) as if
         * the process had sent it to itself (SI_USER, our pid). Anything
         * else arrived from outside while we held the signal: the
         * program must still get it. */
        memset(&si, 0, sizeof si);
        if (sigtimedwait(&set, &si, &zero) == SIGXFSZ &&
            (si.si_code != SI_USER || si.si_pid != getpid()))
            lt_sys(SYS_rt_sigqueueinfo, getpid(), SIGXFSZ, (long)&si, 0, 0, 0);
    }
    sigprocmask(SIG_SETMASK, &g->old, NULL);
    g->held = 0;
out:
    errno = saved;
}
