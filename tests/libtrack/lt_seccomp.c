/* lt_seccomp: a program that puts itself in a seccomp sandbox, for the
 * libtrack tests (lt_test.py, group sandbox). It prints what it does, then
 * installs a filter whose action for openat is argv[1]'s, and ends as
 * argv[2] says:
 *
 *   kill | trap | errno    filter installed with prctl(PR_SET_SECCOMP):
 *                          openat kills the process, raises SIGSYS, or
 *                          fails with EPERM
 *   strict                 every system call libtrack makes at the end
 *                          (openat, renameat, getpid, gettid, tgkill,
 *                          rt_sigprocmask, rt_sigaction, prlimit64,
 *                          getrusage, clock_gettime) kills the process
 *   libseccomp             the same kill filter through libseccomp's
 *                          seccomp_load
 *   syscall                the kill filter through syscall(SYS_seccomp)
 *   syscall-prctl          the kill filter through syscall(SYS_prctl)
 *   syscall-probe          syscall(SYS_seccomp, SET_MODE_FILTER, 0, NULL):
 *                          fails with EFAULT, no filter
 *   syscall-calls          no filter: syscall() results and errno (getpid,
 *                          an unknown number, seccomp's GET_ACTION_AVAIL,
 *                          a six-argument call whose sixth argument counts)
 *   probe                  prctl(PR_SET_SECCOMP, FILTER, NULL): fails with
 *                          EFAULT, no filter (programs probe so)
 *   prctl-calls            no filter: PR_SET_NAME, PR_GET_NAME and an
 *                          unknown option, results and errno printed
 *
 *   argv[2]: exit N | _exit N | segv | fault | term    how it ends
 *                          afterwards (segv: raise(SIGSEGV); fault: a
 *                          store at address N; term: kill(2) of its own
 *                          pid, taken before the filter, with SIGTERM) */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* libseccomp's API as <seccomp.h> declares it: the runtime library is on
 * every Debian system (apt needs it), its headers need not be. */
void *seccomp_init(uint32_t def_action);
int seccomp_rule_add(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, ...);
int seccomp_load(void *ctx);
void seccomp_release(void *ctx);
#define LT_SCMP_ACT_ALLOW 0x7fff0000U
#define LT_SCMP_ACT_KILL_PROCESS 0x80000000U

#define LT_DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

enum via { VIA_PRCTL, VIA_SYSCALL, VIA_SYSCALL_PRCTL };
static enum via lt_via = VIA_PRCTL;

static int install(struct sock_filter *f, unsigned short n)
{
    struct sock_fprog p = { n, f };

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    if (lt_via == VIA_SYSCALL)
        return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p);
    if (lt_via == VIA_SYSCALL_PRCTL)
        return (int)syscall(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p);
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p);
}

/* syscall() as a program uses it without a filter: each result and errno */
static void syscall_calls(void)
{
    char src[] = "six", dst[4] = "";
    struct iovec l = { dst, 3 }, r = { src, 3 };
    unsigned action = SECCOMP_RET_KILL_PROCESS;
    long rc;

    errno = EXDEV;
    rc = syscall(SYS_getpid);
    printf("getpid: %d, errno kept: %d\n", rc == (long)getpid(), errno == EXDEV);
    errno = 0;
    rc = syscall(99999, 1, 2, 3);
    printf("unknown: %ld %s\n", rc, strerror(errno));
    errno = 0;
    rc = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action);
    printf("action avail: %ld %d\n", rc, errno);
    /* process_vm_readv's sixth argument, flags, must be 0 */
    rc = syscall(SYS_process_vm_readv, getpid(), &l, 1UL, &r, 1UL, 0UL);
    printf("six arguments: %ld %s\n", rc, dst);
    errno = 0;
    rc = syscall(SYS_process_vm_readv, getpid(), &l, 1UL, &r, 1UL, 1UL);
    printf("sixth argument 1: %ld %s\n", rc, strerror(errno));
}

static int strict(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        LT_DENY(__NR_openat), LT_DENY(__NR_renameat), LT_DENY(__NR_getpid), LT_DENY(__NR_gettid),
        LT_DENY(__NR_tgkill), LT_DENY(__NR_rt_sigprocmask), LT_DENY(__NR_rt_sigaction),
        LT_DENY(__NR_prlimit64), LT_DENY(__NR_getrusage), LT_DENY(__NR_clock_gettime),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    return install(f, sizeof f / sizeof f[0]);
}

static int filter(unsigned action)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, action),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };

    return install(f, sizeof f / sizeof f[0]);
}

static int with_libseccomp(void)
{
    void *ctx = seccomp_init(LT_SCMP_ACT_ALLOW);
    int rc;

    if (!ctx)
        return -1;
    rc = seccomp_rule_add(ctx, LT_SCMP_ACT_KILL_PROCESS, __NR_openat, 0);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "kill", *end = argc > 2 ? argv[2] : "exit";
    int n = argc > 3 ? atoi(argv[3]) : 0, rc = 0;
    char name[16] = "";
    pid_t me = getpid();

    printf("lt_seccomp %s %s\n", how, end);
    fflush(stdout);
    if (!strcmp(how, "kill"))
        rc = filter(SECCOMP_RET_KILL_PROCESS);
    else if (!strcmp(how, "trap"))
        rc = filter(SECCOMP_RET_TRAP);
    else if (!strcmp(how, "strict"))
        rc = strict();
    else if (!strcmp(how, "errno"))
        rc = filter(SECCOMP_RET_ERRNO | EPERM);
    else if (!strcmp(how, "libseccomp"))
        rc = with_libseccomp();
    else if (!strcmp(how, "syscall")) {
        lt_via = VIA_SYSCALL;
        rc = filter(SECCOMP_RET_KILL_PROCESS);
    } else if (!strcmp(how, "syscall-prctl")) {
        lt_via = VIA_SYSCALL_PRCTL;
        rc = filter(SECCOMP_RET_KILL_PROCESS);
    } else if (!strcmp(how, "syscall-probe")) {
        errno = 0;
        rc = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL);
        printf("probe: %d %s\n", rc, strerror(errno));
        rc = 0;
    } else if (!strcmp(how, "syscall-calls")) {
        syscall_calls();
        rc = 0;
    }
    else if (!strcmp(how, "probe")) {
        errno = 0;
        rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL);
        printf("probe: %d %s\n", rc, strerror(errno));
        rc = 0;
    } else if (!strcmp(how, "prctl-calls")) {
        printf("set name: %d\n", prctl(PR_SET_NAME, "lt-named", 0, 0, 0));
        printf("get name: %d %s\n", prctl(PR_GET_NAME, name, 0, 0, 0), name);
        errno = 0;
        rc = prctl(0x7fff1234, 0, 0, 0, 0);
        printf("unknown option: %d %s\n", rc, strerror(errno));
        rc = 0;
    }
    if (rc != 0) {
        printf("no filter: %d\n", rc);
        return 90;
    }
    printf("in the sandbox\n");
    fflush(stdout);
    if (!strcmp(end, "_exit"))
        _exit(n);
    if (!strcmp(end, "segv"))
        raise(SIGSEGV);
    if (!strcmp(end, "term"))
        syscall(SYS_kill, me, SIGTERM);
    if (!strcmp(end, "fault"))
        *(volatile int *)(uintptr_t)n = 1;
    exit(n);
}
