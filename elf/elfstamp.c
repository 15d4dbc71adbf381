/* The watermark object, assembled by the toolchain for its own target. */
#include "spool_err.h"
#include "elfstamp.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elfinfo.h"
#include "spool_note.h"
#include "spool_uuid.h"

#ifndef TRACK_DEFAULT_AS
#define TRACK_DEFAULT_AS "as"
#endif

extern char **environ;

const char *elfstamp_assembler(void)
{
    const char *p = getenv("TRACK_AS");
    return (p && *p) ? p : TRACK_DEFAULT_AS;
}

/* The note in assembly every GNU-compatible assembler understands:
 * "%note" rather than "@note" because '@' starts a comment on ARM; .4byte
 * because .long is not 4 bytes everywhere. The empty .note.GNU-stack keeps
 * the object from asking for an executable stack. */
static int make_source(char *buf, size_t len, const unsigned char b[16])
{
    int n = snprintf(buf, len,
        "\t.section .note.track.signature,\"a\",%%note\n"
        "\t.balign 4\n"
        "\t.4byte %u\n\t.4byte 16\n\t.4byte %u\n"
        "\t.asciz \"%s\"\n"
        "\t.balign 4\n"
        "\t.byte %u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u\n"
        "\t.balign 4\n"
        "\t.section .note.GNU-stack,\"\",%%progbits\n",
        (unsigned)sizeof SPOOL_NOTE_OWNER_TRACK, (unsigned)SPOOL_NT_TRACK_SIGNATURE,
        SPOOL_NOTE_OWNER_TRACK,
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return n > 0 && (size_t)n < len ? n : -1;
}

int elfstamp_make(const char *as_cmd, const char *as_flag, const char *out_path,
                  const char *uuid, int quiet, int *elfclass, unsigned *machine,
                  char *err, size_t errlen)
{
    unsigned char b[16];
    char src[1024], why[SPOOL_ERR_MAX];
    char *argv[6];
    int argc = 0, pfd[2] = { -1, -1 }, fa_ok = 0, rc = -1, status, n, serr, spawned = 0;
    posix_spawn_file_actions_t fa;
    struct elfinfo info;
    sigset_t none;
    posix_spawnattr_t attr;
    int attr_ok = 0;
    pid_t pid;

    if (spool_uuid_parse(uuid, b) < 0) {
        spool_seterr(err, errlen, "not a canonical UUID: %s", uuid);
        return -1;
    }
    n = make_source(src, sizeof src, b);
    if (n < 0) {
        spool_seterr(err, errlen, "internal: assembly source does not fit");
        return -1;
    }
    argv[argc++] = (char *)as_cmd;
    if (as_flag)
        argv[argc++] = (char *)as_flag;
    argv[argc++] = "-o";
    argv[argc++] = (char *)out_path;
    argv[argc] = NULL;

    if (pipe2(pfd, O_CLOEXEC) < 0) {
        spool_seterr(err, errlen, "pipe: %s", strerror(errno));
        goto out;
    }
    if (posix_spawn_file_actions_init(&fa) != 0) {
        spool_seterr(err, errlen, "posix_spawn_file_actions_init failed");
        goto out;
    }
    fa_ok = 1;
    posix_spawn_file_actions_adddup2(&fa, pfd[0], 0);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    /* The caller may block signals (the linker wrapper does while it waits);
     * the assembler must start with an empty mask. */
    if (posix_spawnattr_init(&attr) == 0) {
        attr_ok = 1;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    }
    serr = posix_spawnp(&pid, as_cmd, &fa, attr_ok ? &attr : NULL, argv, environ);
    if (serr != 0) {
        spool_seterr(err, errlen, "cannot run assembler %s: %s", as_cmd, strerror(serr));
        goto out;
    }
    spawned = 1;
    close(pfd[0]);
    pfd[0] = -1;
    /* The source is far smaller than a pipe buffer: this write cannot block
     * on an assembler that does not read. SIGPIPE is not an issue either: a
     * dead assembler shows up in its exit status. */
    {
        struct sigaction ign = { .sa_handler = SIG_IGN }, old;
        sigaction(SIGPIPE, &ign, &old);
        if (write(pfd[1], src, (size_t)n) != n) {
            /* reported through the exit status below */
        }
        sigaction(SIGPIPE, &old, NULL);
    }
    close(pfd[1]);
    pfd[1] = -1;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            spool_seterr(err, errlen, "waiting for assembler %s: %s", as_cmd, strerror(errno));
            goto out;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFSIGNALED(status))
            spool_seterr(err, errlen, "assembler %s killed by signal %d", as_cmd, WTERMSIG(status));
        else
            spool_seterr(err, errlen, "assembler %s exited with status %d", as_cmd,
                   WEXITSTATUS(status));
        goto out;
    }
    if (elfinfo_file(out_path, &info, why, sizeof why) < 0) {
        spool_seterr(err, errlen, "assembler %s made an unreadable object %s: %s", as_cmd, out_path,
               why);
        goto out;
    }
    if (strcmp(info.ids.signature, uuid) != 0 || info.e_type != 1 /* ET_REL */) {
        spool_seterr(err, errlen, "assembler %s did not put the watermark note into %s (found \"%s\")",
               as_cmd, out_path, info.ids.signature);
        elfinfo_free(&info);
        goto out;
    }
    if (elfclass)
        *elfclass = info.elfclass;
    if (machine)
        *machine = info.machine;
    elfinfo_free(&info);
    rc = 0;
out:
    if (pfd[0] >= 0)
        close(pfd[0]);
    if (pfd[1] >= 0)
        close(pfd[1]);
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    if (rc < 0 && spawned)
        unlink(out_path);
    return rc;
}
