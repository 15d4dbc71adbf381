/* lt_sys: libtrack's own system calls, made directly.
 *
 * libtrack exports a `syscall` of its own (lt_sandbox.c: it watches for
 * seccomp filters), so a call to syscall() from libtrack would go through
 * that interposer. libtrack's own calls (the clock, rt_sigaction,
 * exit_group, rt_sigqueueinfo) come here instead: on x86_64 and aarch64 a
 * few instructions of inline assembly, elsewhere libc's syscall(), which
 * libtrack does not interpose there. */
#ifndef TRACK_LT_SYS_H
#define TRACK_LT_SYS_H

#if defined(__x86_64__) || defined(__aarch64__)
#define LT_SYS_DIRECT 1
#endif

#ifdef LT_SYS_DIRECT
/* System call nr with six arguments (the unused ones are ignored by the
 * kernel, as with glibc's syscall()). Returns the result, or -1 with errno
 * set for a kernel error. No other system call; async-signal-safe; errno
 * untouched on success. */
long lt_sys(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
#else
#include <unistd.h>
#define lt_sys(nr, a1, a2, a3, a4, a5, a6) syscall((nr), (a1), (a2), (a3), (a4), (a5), (a6))
#endif

#endif
