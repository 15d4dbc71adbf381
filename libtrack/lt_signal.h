/* lt_signal: libtrack's fatal-signal handler, hidden behind a virtual
 * disposition (docs/libtrack.md, "Signal dispositions").
 *
 * libtrack installs its handler only on signals that are SIG_DFL at start.
 * From then on the program must not be able to tell: lt_signal.c interposes
 * every libc entry point that sets or queries a disposition (sigaction,
 * __sigaction, signal, bsd_signal, ssignal, sysv_signal, __sysv_signal,
 * sigset, sigignore, siginterrupt). Where the kernel holds libtrack's
 * handler they report the SIG_DFL action the program would see without us;
 * a program that installs its own handler or SIG_IGN owns the signal; a
 * program that puts SIG_DFL back gets libtrack's handler re-armed behind it,
 * so a death at the default disposition still writes an end record.
 *
 * Everything here is async-signal-safe once lt_sig_arm has run (programs call
 * sigaction and signal from their handlers). */
#ifndef TRACK_LT_SIGNAL_H
#define TRACK_LT_SIGNAL_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

typedef void (*lt_sig_handler_fn)(int, siginfo_t *, void *);

/* Installs handler (SA_SIGINFO|SA_RESETHAND|SA_ONSTACK, empty mask) on every
 * signal n with bit (1 << n) in mask whose default action ends the process
 * and whose disposition is SIG_DFL now; signals ignored or handled at start
 * keep their disposition. Re-arming after the program puts SIG_DFL back
 * happens only in process pid (a fork or vfork child has another pid and
 * writes no record). Call once, from the constructor, before main. Returns
 * the number of signals armed, -1 if libc's sigaction cannot be found. */
int lt_sig_arm(uint64_t mask, lt_sig_handler_fn handler, pid_t pid);

/* Takes libtrack's handler out of the kernel for good: every signal that
 * still holds it gets the program's SIG_DFL action back, exactly, and none
 * is re-armed later. For a process about to sandbox itself (lt_sandbox.h),
 * whose filter may forbid what the handler would do. Preserves errno. */
void lt_sig_disarm(void);

#endif
