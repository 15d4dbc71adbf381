/* lt_sig: signal dispositions as a program sees them, for the libtrack
 * tests (tests/libtrack/lt_test.py, group "signals"). Every mode prints
 * what the program observes; a tracked run must print the same bytes and
 * end the same way as an untracked one. argv[1] selects:
 *
 *   query                 every signal's disposition (handler, flags, mask)
 *   calls SIG             every libc call that sets or queries a
 *                         disposition, in turn, each leaving SIG_DFL; then
 *                         kill(self, SIG): death at the default disposition
 *   owns SIG              the program's handler catches SIG and exits 3
 *   ignored               SIGTERM inherited ignored: kill(self, SIGTERM),
 *                         still alive, exit 0
 *   wait                  prints "ready", sleeps 1.5 s (a SIGTERM sent
 *                         meanwhile must not end it when ignored), exit 0
 *   fork                  a child queries and changes SIGTERM and dies of
 *                         it; the parent still sees SIG_DFL, dies of SIGTERM
 *   vfork                 the same with a vfork child that execs /bin/true
 *   threads               4 threads toggle SIGTERM handler/SIG_DFL and
 *                         query it 20000 times; then a thread kills the
 *                         process with SIGTERM
 *   altstack              stack overflow with an alternate stack: SIGSEGV
 *   overflow              stack overflow without one: SIGSEGV
 *   exec SIG              set a handler on SIG, exec self "query"
 *   raw-dfl               SIGTERM set to SIG_DFL by a raw rt_sigaction
 *                         system call, then kill(self, SIGTERM) */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* sigset, sigignore and siginterrupt are deprecated in glibc's headers;
 * programs still call them, and calling them is what this tests. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

/* Not declared by <signal.h> in this mode, exported by glibc. */
extern sighandler_t bsd_signal(int, sighandler_t);
extern sighandler_t __sysv_signal(int, sighandler_t);
extern int __sigaction(int, const struct sigaction *, struct sigaction *);

static void handler(int sig)
{
    (void)sig;
}

static void exit3(int sig)
{
    static const char msg[] = "caught\n";
    (void)sig;
    if (write(1, msg, sizeof msg - 1) < 0)
        _exit(4);
    _exit(3);
}

static const char *hname(sighandler_t h)
{
    if (h == SIG_DFL)
        return "DFL";
    if (h == SIG_IGN)
        return "IGN";
    if (h == SIG_ERR)
        return "ERR";
    if (h == SIG_HOLD)
        return "HOLD";
    if (h == handler)
        return "handler";
    if (h == exit3)
        return "exit3";
    return "OTHER";
}

/* One line per query: what the program can see of a disposition. */
static void show(const char *what, int sig)
{
    struct sigaction sa;
    unsigned long mask = 0;

    memset(&sa, 0x5a, sizeof sa); /* bytes glibc leaves alone must stay so */
    if (sigaction(sig, NULL, &sa) < 0) {
        printf("%s %d: error %d\n", what, sig, errno);
        return;
    }
    memcpy(&mask, &sa.sa_mask, sizeof mask);
    printf("%s %d: %s flags=%#x mask=%#lx restorer=%s tail=%02x\n", what, sig,
           (sa.sa_flags & SA_SIGINFO) ? "siginfo-handler" : hname(sa.sa_handler),
           (unsigned)sa.sa_flags, mask, sa.sa_restorer ? "set" : "null",
           ((unsigned char *)&sa.sa_mask)[sizeof sa.sa_mask - 1]);
}

static void calls(int sig)
{
    struct sigaction act, old, saved;

    show("start", sig);
    printf("signal h: old %s\n", hname(signal(sig, handler)));
    printf("signal dfl: old %s\n", hname(signal(sig, SIG_DFL)));
    show("after signal", sig);
    printf("bsd_signal h: old %s\n", hname(bsd_signal(sig, handler)));
    printf("bsd_signal dfl: old %s\n", hname(bsd_signal(sig, SIG_DFL)));
    printf("ssignal h: old %s\n", hname(ssignal(sig, handler)));
    printf("ssignal dfl: old %s\n", hname(ssignal(sig, SIG_DFL)));
    printf("sysv_signal h: old %s\n", hname(sysv_signal(sig, handler)));
    show("sysv handler", sig);
    printf("__sysv_signal dfl: old %s\n", hname(__sysv_signal(sig, SIG_DFL)));
    show("after sysv", sig);

    /* save / replace / restore with sigaction, the common library pattern */
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART | SA_ONSTACK;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, SIGUSR2);
    memset(&saved, 0, sizeof saved);
    if (sigaction(sig, &act, &saved) < 0)
        printf("sigaction failed\n");
    printf("sigaction h: old %s flags=%#x\n", hname(saved.sa_handler), (unsigned)saved.sa_flags);
    show("sigaction handler", sig);
    memset(&old, 0, sizeof old);
    __sigaction(sig, &saved, &old);
    printf("__sigaction restore: old %s\n", hname(old.sa_handler));
    show("restored", sig);

    printf("sigset h: old %s\n", hname(sigset(sig, handler)));
    printf("sigset hold: old %s\n", hname(sigset(sig, SIG_HOLD)));
    printf("sigset dfl: old %s\n", hname(sigset(sig, SIG_DFL)));
    printf("sigset hold again: old %s\n", hname(sigset(sig, SIG_HOLD)));
    printf("sigset dfl again: old %s\n", hname(sigset(sig, SIG_DFL)));
    printf("sigignore: %d\n", sigignore(sig));
    show("ignored", sig);
    printf("signal dfl after ignore: old %s\n", hname(signal(sig, SIG_DFL)));
    printf("siginterrupt 1: %d\n", siginterrupt(sig, 1));
    show("interrupt", sig);
    printf("signal h after siginterrupt: old %s\n", hname(signal(sig, handler)));
    show("interrupt handler", sig);
    printf("siginterrupt 0: %d\n", siginterrupt(sig, 0));
    show("restart handler", sig);
    printf("signal dfl: old %s\n", hname(signal(sig, SIG_DFL)));
    show("end", sig);
    printf("bad: signal(0) %s errno %d, signal(SIGKILL) %s errno %d\n",
           hname(signal(0, handler)), errno, hname(signal(SIGKILL, handler)), errno);
    fflush(stdout);
    kill(getpid(), sig);
    for (;;)
        pause();
}

static void *toggler(void *arg)
{
    int bad = 0;

    for (int i = 0; i < 5000; i++) {
        sighandler_t h = signal(SIGTERM, (i & 1) ? SIG_DFL : handler);
        struct sigaction sa;
        if (h != SIG_DFL && h != handler)
            bad++;
        if (sigaction(SIGTERM, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
            sa.sa_handler != handler)
            bad++;
    }
    return (void *)(intptr_t)bad;
}

static void *killer(void *arg)
{
    kill(getpid(), SIGTERM);
    return NULL;
}

static volatile int depth_sink;

/* Recurses until the stack runs out; the depth bound is never reached,
 * it only tells the compiler that the recursion ends. */
static int recurse(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    depth_sink = pad[0];
    if (n > 100000000)
        return n;
    return recurse(n + 1) + pad[0];
}

static int run_child(pid_t pid)
{
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "query";
    int sig = argc > 2 ? atoi(argv[2]) : SIGTERM;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(mode, "query")) {
        for (int s = 1; s < NSIG; s++)
            show("query", s);
        return 0;
    }
    if (!strcmp(mode, "calls"))
        calls(sig);
    if (!strcmp(mode, "owns")) {
        show("before", sig);
        signal(sig, exit3);
        show("owned", sig);
        if (sig == SIGSEGV) {
            /* Not NULL: UBSan would stop a null load before it faults. */
            volatile uintptr_t bad = 16;
            depth_sink = *(volatile int *)bad;
        }
        kill(getpid(), sig);
        return 0;
    }
    if (!strcmp(mode, "ignored")) {
        show("inherited", SIGTERM);
        kill(getpid(), SIGTERM);
        printf("survived kill -TERM\n");
        return 0;
    }
    if (!strcmp(mode, "wait")) {
        struct timespec ts = { 1, 500000000 };
        printf("ready\n");
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        printf("survived\n");
        return 0;
    }
    if (!strcmp(mode, "fork")) {
        pid_t pid = fork();
        if (pid == 0) {
            show("child", SIGTERM);
            printf("child signal h: old %s\n", hname(signal(SIGTERM, handler)));
            printf("child signal dfl: old %s\n", hname(signal(SIGTERM, SIG_DFL)));
            show("child after", SIGTERM);
            kill(getpid(), SIGTERM);
            _exit(9);
        }
        printf("child status %d\n", run_child(pid));
        show("parent", SIGTERM);
        kill(getpid(), SIGTERM);
        for (;;)
            pause();
    }
    if (!strcmp(mode, "vfork")) {
        pid_t pid = vfork();
        if (pid == 0) {
            /* Only async-signal-safe calls in a vfork child: it borrows
             * the parent's memory and libtrack's state with it. */
            struct sigaction sa;
            signal(SIGTERM, handler);
            signal(SIGTERM, SIG_DFL);
            signal(SIGSEGV, SIG_IGN);
            sigaction(SIGINT, NULL, &sa);
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        printf("child status %d\n", run_child(pid));
        show("parent", SIGTERM);
        show("parent", SIGSEGV);
        kill(getpid(), SIGTERM);
        for (;;)
            pause();
    }
    if (!strcmp(mode, "threads")) {
        pthread_t t[4];
        long bad = 0;
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, toggler, NULL);
        for (int i = 0; i < 4; i++) {
            void *r;
            pthread_join(t[i], &r);
            bad += (long)(intptr_t)r;
        }
        printf("foreign dispositions seen: %ld\n", bad);
        signal(SIGTERM, SIG_DFL);
        show("after threads", SIGTERM);
        pthread_create(&t[0], NULL, killer, NULL);
        for (;;)
            pause();
    }
    if (!strcmp(mode, "altstack") || !strcmp(mode, "overflow")) {
        if (!strcmp(mode, "altstack")) {
            stack_t ss = { .ss_sp = malloc(64 * 1024), .ss_size = 64 * 1024, .ss_flags = 0 };
            if (!ss.ss_sp || sigaltstack(&ss, NULL) < 0)
                return 98;
        }
        printf("recursing\n");
        return recurse(0);
    }
    if (!strcmp(mode, "exec")) {
        signal(sig, handler);
        show("before exec", sig);
        execl("/proc/self/exe", argv[0], "query", (char *)NULL);
        return 127;
    }
    if (!strcmp(mode, "raw-dfl")) {
        /* The kernel's struct: handler, flags, restorer, mask. */
        unsigned long k[4] = { 0, 0, 0, 0 };
        if (syscall(SYS_rt_sigaction, SIGTERM, k, NULL, 8) < 0)
            return 97;
        show("after raw", SIGTERM);
        kill(getpid(), SIGTERM);
        for (;;)
            pause();
    }
    fprintf(stderr, "lt_sig: unknown mode %s\n", mode);
    return 2;
}
