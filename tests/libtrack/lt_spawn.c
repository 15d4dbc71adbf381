/* lt_spawn LOOPS N: LOOPS parallel loops, each starting N short programs
 * one after the other with LD_PRELOAD=$LT_SPAWN_PRELOAD (this process
 * itself is not tracked), like shell loops over input files. Run i of a
 * loop is /bin/false when i % 20 == 1, a program killed by SIGTERM
 * (this binary, "lt_spawn --term") when i % 50 == 2, else /bin/true.
 * Prints what it saw, one "key value" per line: runs, runs_ok, runs_error,
 * runs_signal (by wait status), wall_us (sum of fork-to-wait times, an
 * upper bound of what the runs measure themselves). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char **child_env(void)
{
    size_t n = 0;
    char **env;
    const char *pre = getenv("LT_SPAWN_PRELOAD");
    static char entry[4096];

    while (environ[n])
        n++;
    env = calloc(n + 2, sizeof *env);
    if (!env)
        exit(2);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            env[k++] = environ[i];
    if (pre && *pre) {
        snprintf(entry, sizeof entry, "LD_PRELOAD=%s", pre);
        env[k++] = entry;
    }
    env[k] = NULL;
    return env;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--term") == 0) {
        raise(SIGTERM);
        return 3;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: lt_spawn LOOPS N\n");
        return 2;
    }
    long loops = atol(argv[1]), n = atol(argv[2]);
    unsigned long long *tot = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char **env = child_env();
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);

    if (tot == MAP_FAILED || sl < 0)
        return 2;
    self[sl] = '\0';
    for (long l = 0; l < loops; l++) {
        if (fork() != 0)
            continue;
        unsigned long long ok = 0, error = 0, sig = 0, wall = 0;
        for (long i = 0; i < n; i++) {
            struct timespec a, b;
            int st;
            pid_t p;
            clock_gettime(CLOCK_REALTIME, &a);
            p = fork();
            if (p == 0) {
                if (i % 50 == 2)
                    execve(self, (char *[]){ self, "--term", NULL }, env);
                else if (i % 20 == 1)
                    execve("/bin/false", (char *[]){ "false", NULL }, env);
                else
                    execve("/bin/true", (char *[]){ "true", NULL }, env);
                _exit(127);
            }
            if (p < 0 || waitpid(p, &st, 0) < 0)
                _exit(2);
            clock_gettime(CLOCK_REALTIME, &b);
            wall += (unsigned long long)((b.tv_sec - a.tv_sec) * 1000000LL +
                                         (b.tv_nsec - a.tv_nsec) / 1000);
            if (WIFSIGNALED(st))
                sig++;
            else if (WEXITSTATUS(st) == 0)
                ok++;
            else
                error++;
        }
        __atomic_fetch_add(&tot[0], ok, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&tot[1], error, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&tot[2], sig, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&tot[3], wall, __ATOMIC_SEQ_CST);
        _exit(0);
    }
    int bad = 0, st;
    while (wait(&st) > 0)
        bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    printf("runs %llu\nruns_ok %llu\nruns_error %llu\nruns_signal %llu\nwall_us %llu\n",
           tot[0] + tot[1] + tot[2], tot[0], tot[1], tot[2], tot[3]);
    return bad ? 1 : 0;
}
