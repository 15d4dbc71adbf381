/* A compiler driver that misbehaves when asked its version, for
 * wrapper_compiler.sh: installed under a driver's name
 * (x86_64-linux-gnu-gcc-99), it runs the linker named by FAKECC_LD with its
 * own arguments as gcc would (a child it waits for, so it is the linker's
 * parent), and answers -dumpfullversion according to FAKECC_MODE: "ok"
 * prints 7.5.0, "garbage" prints text that is no version, "slow" sleeps 60 s,
 * "fail" prints 1.0 and exits 1. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    const char *mode = getenv("FAKECC_MODE"), *ld = getenv("FAKECC_LD");
    pid_t pid;
    int status;
    if (argc > 1 && strcmp(argv[1], "-dumpfullversion") == 0) {
        if (!mode || strcmp(mode, "ok") == 0)
            puts("7.5.0");
        else if (strcmp(mode, "garbage") == 0)
            puts("this is not a version; rm -rf /");
        else if (strcmp(mode, "slow") == 0)
            sleep(60);
        else {
            puts("1.0");
            return 1;
        }
        return 0;
    }
    if (!ld)
        return 2;
    argv[0] = (char *)ld;
    if (posix_spawn(&pid, ld, NULL, NULL, argv, environ) != 0 || waitpid(pid, &status, 0) < 0)
        return 2;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
