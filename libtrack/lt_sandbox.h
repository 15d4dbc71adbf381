/* lt_sandbox: programs that put themselves in a seccomp sandbox.
 *
 * A seccomp filter the program installs after start may kill (or trap) the
 * system calls libtrack makes to write the end record at exit or on a fatal
 * signal: openat, renameat, mkdir... Without libtrack the program would have
 * exited normally; with it, it would die of SIGSYS at its very end. So
 * libtrack watches the libc entry points through which C programs install
 * a filter, prctl(PR_SET_SECCOMP), syscall(SYS_seccomp or SYS_prctl; on
 * x86_64 and aarch64) and libseccomp's seccomp_load, and from the first
 * one that succeeds on, writes nothing more for this
 * process image (its start record stays; ingest shows the run without an
 * end). Before any of these calls, libtrack's hidden fatal-signal handler is taken
 * out of the kernel (lt_sig_disarm) and the pid noted: after it, a signal
 * ends the program as without libtrack, and no code of ours makes a
 * system call. A call that fails (a probe) keeps the end record at exit,
 * not the one on a fatal signal. A filter installed by inline assembly (as
 * in Chromium's sandbox) is not seen (docs/libtrack.md). The interposers
 * behave exactly as the calls they wrap: same arguments, result and errno
 * (syscall: see docs/libtrack.md for a clone onto a new stack). */
#ifndef TRACK_LT_SANDBOX_H
#define TRACK_LT_SANDBOX_H

#include <sys/types.h>

/* 1 once process pid has installed a seccomp filter (or entered strict
 * mode) through prctl or seccomp_load, else 0 (a vfork child's filter is
 * not its parent's). No system call; async-signal-safe. */
int lt_sandbox_on(pid_t pid);

#endif
