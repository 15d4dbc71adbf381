/* lt_prog: the program the libtrack tests run under LD_PRELOAD. argv[1]
 * selects how it runs and ends; it prints what it does on stdout and stderr
 * so that the tests can compare a tracked run with an untracked one byte for
 * byte. It carries a track watermark note (exe.signature in its records).
 *
 *   return N | exit N | _exit N          end that way with status N
 *   segv | bus | fpe | abort | term | kill-segv   die on that signal
 *   thread-exit N      exit(N) from a second thread while main waits
 *   concurrent-exit N  four threads call exit(N) at once
 *   main-pthread-exit  main calls pthread_exit; the last thread ends the process
 *   fork               a child that does not exec exits; parent waits
 *   fork-exec P A..    fork, child execs P; parent waits, exits with its status
 *   vfork-exec P A..   the same with vfork
 *   spawn P A..        posix_spawn P; exits with its status
 *   exec P A..         execv P (no fork)
 *   system CMD         system(CMD); exits with its status
 *   clearenv-spawn P   clearenv(), then posix_spawn P
 *   closefds N         close every fd (0..1023), exit(N)
 *   dup2-stderr N      dup2 /dev/null over stderr, write to it, exit(N)
 *   dlopen LIB         dlopen LIB, call lt_dso_value(), exit 0
 *   args ...           print the argument count, return 0
 *   xfsz-pending N     print whether SIGXFSZ is pending (it is blocked by
 *                      the test), exit(N)
 *   write-past FILE N  write N KiB to FILE: past a file-size limit the
 *                      kernel's SIGXFSZ ends the program */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Watermark: owner "track", type 1, 16-byte UUID, in an allocatable note
 * section so the linker maps it into a PT_NOTE segment. */
__asm__(".pushsection .note.track.signature,\"a\",@note\n"
        ".balign 4\n"
        ".long 6\n.long 16\n.long 1\n"
        ".asciz \"track\"\n.balign 4\n"
        ".byte 0x01,0x23,0x45,0x67,0x89,0xab,0x4d,0xef,0x80,0x01,0x02,0x03,0x04,0x05,0x06,0x07\n"
        ".popsection\n");

static int status_of(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return 128 + WTERMSIG(st);
}

static volatile int sink;

static void *exit_thread(void *arg)
{
    exit((int)(long)arg);
}

static pthread_barrier_t barrier;

static void *racing_exit(void *arg)
{
    pthread_barrier_wait(&barrier);
    exit((int)(long)arg);
}

static void *late_thread(void *arg)
{
    usleep(50000);
    printf("late thread done\n");
    fflush(stdout);
    return NULL;
}

static int spawn_wait(char **argv)
{
    pid_t pid;
    int st;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return 127;
    if (waitpid(pid, &st, 0) < 0)
        return 127;
    return status_of(st);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "return";
    int n = argc > 2 ? atoi(argv[2]) : 0;

    printf("lt_prog %s\n", mode);
    fprintf(stderr, "lt_prog stderr %s\n", mode);
    fflush(NULL);

    if (!strcmp(mode, "return"))
        return n;
    if (!strcmp(mode, "exit"))
        exit(n);
    if (!strcmp(mode, "_exit"))
        _exit(n);
    if (!strcmp(mode, "segv")) {
        /* Through a volatile so gcc -O2 sees no constant bad pointer to
         * warn about (-Warray-bounds); the fault is the point. */
        volatile uintptr_t bad = 16;
        sink = *(volatile int *)bad;
        return 0;
    }
    if (!strcmp(mode, "bus")) {
        /* A mapping beyond the end of a file: touching it is SIGBUS. */
        char path[] = "/tmp/lt_prog_busXXXXXX";
        int fd = mkstemp(path);
        volatile char *p;
        if (fd < 0)
            return 99;
        unlink(path);
        p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            return 98;
        sink = p[0];
        return 0;
    }
    if (!strcmp(mode, "fpe")) {
        /* The CPU must fault: in C, gcc folds 1 / x into a compare and
         * UBSan stops a division by zero before it happens. */
        volatile int zero = 0, seven = 7;
#if defined(__x86_64__) || defined(__i386__)
        int q, z = zero;
        __asm__ volatile("cltd\n\tidivl %2" : "=a"(q) : "a"(seven), "r"(z) : "edx");
        sink = q;
#else
        sink = seven / zero;
#endif
        return 0;
    }
    if (!strcmp(mode, "abort"))
        abort();
    if (!strcmp(mode, "term")) {
        kill(getpid(), SIGTERM);
        pause();
    }
    if (!strcmp(mode, "kill-segv")) {
        kill(getpid(), SIGSEGV);
        pause();
    }
    if (!strcmp(mode, "thread-exit")) {
        pthread_t t;
        pthread_create(&t, NULL, exit_thread, (void *)(long)n);
        for (;;)
            pause();
    }
    if (!strcmp(mode, "concurrent-exit")) {
        pthread_t t[4];
        pthread_barrier_init(&barrier, NULL, 5);
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, racing_exit, (void *)(long)n);
        pthread_barrier_wait(&barrier);
        exit(n);
    }
    if (!strcmp(mode, "main-pthread-exit")) {
        pthread_t t;
        pthread_create(&t, NULL, late_thread, NULL);
        pthread_exit(NULL);
    }
    if (!strcmp(mode, "fork")) {
        pid_t pid = fork();
        int st;
        if (pid == 0) {
            printf("child\n");
            exit(5);
        }
        waitpid(pid, &st, 0);
        printf("child status %d\n", status_of(st));
        return 0;
    }
    if (!strcmp(mode, "fork-exec") || !strcmp(mode, "vfork-exec")) {
        int st;
        pid_t pid = !strcmp(mode, "fork-exec") ? fork() : vfork();
        if (pid == 0) {
            execv(argv[2], argv + 2);
            _exit(127);
        }
        waitpid(pid, &st, 0);
        return status_of(st);
    }
    if (!strcmp(mode, "spawn"))
        return spawn_wait(argv + 2);
    if (!strcmp(mode, "exec")) {
        execv(argv[2], argv + 2);
        return 127;
    }
    if (!strcmp(mode, "system"))
        return status_of(system(argv[2]));
    if (!strcmp(mode, "clearenv-spawn")) {
        clearenv();
        return spawn_wait(argv + 2);
    }
    if (!strcmp(mode, "closefds")) {
        for (int fd = 0; fd < 1024; fd++)
            close(fd);
        exit(n);
    }
    if (!strcmp(mode, "dup2-stderr")) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        fprintf(stderr, "into /dev/null\n");
        exit(n);
    }
    if (!strcmp(mode, "dlopen")) {
        void *h = dlopen(argv[2], RTLD_NOW);
        int (*fn)(void);
        if (!h) {
            printf("dlopen failed\n");
            return 97;
        }
        fn = (int (*)(void))dlsym(h, "lt_dso_value");
        printf("value %d\n", fn ? fn() : -1);
        return 0;
    }
    if (!strcmp(mode, "xfsz-pending")) {
        sigset_t p;
        sigpending(&p);
        printf("SIGXFSZ pending: %d\n", sigismember(&p, SIGXFSZ));
        exit(n);
    }
    if (!strcmp(mode, "write-past") && argc > 3) {
        static char kib[1024];
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
        for (int i = 0; fd >= 0 && i < atoi(argv[3]); i++)
            if (write(fd, kib, sizeof kib) < 0)
                printf("write: error\n");
        return 0;
    }
    if (!strcmp(mode, "args")) {
        printf("%d args\n", argc);
        return 0;
    }
    fprintf(stderr, "lt_prog: unknown mode %s\n", mode);
    return 2;
}
