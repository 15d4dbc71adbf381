/* Tool logging: stderr always, syslog when asked. */
#include "spool_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <syslog.h>

#include "spool_err.h"

static const char *log_prog = "track";
static int log_syslog;
static int log_quiet;
/* Atomic: track-epilog logs from two threads. */
static atomic_uint log_nerr, log_nwarn;

void spool_log_init(const char *prog, int use_syslog, int quiet)
{
    log_prog = prog;
    log_syslog = use_syslog;
    log_quiet = quiet;
    if (use_syslog)
        openlog(prog, LOG_PID, LOG_DAEMON);
}

static void emit(int prio, const char *level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void emit(int prio, const char *level, const char *fmt, va_list ap)
{
    char msg[SPOOL_ERR_MAX + 512];   /* a message: context and an error buffer */
    int e = errno;    /* callers log a failure, then hand its errno on */
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(stderr, "%s: %s%s\n", log_prog, level, msg);
    if (log_syslog)
        syslog(prio, "%s%s", level, msg);
    errno = e;
}

void spool_log_err(const char *fmt, ...)
{
    va_list ap;
    log_nerr++;
    va_start(ap, fmt);
    emit(LOG_ERR, "error: ", fmt, ap);
    va_end(ap);
}

void spool_log_warn(const char *fmt, ...)
{
    va_list ap;
    log_nwarn++;
    va_start(ap, fmt);
    emit(LOG_WARNING, "warning: ", fmt, ap);
    va_end(ap);
}

void spool_log_info(const char *fmt, ...)
{
    va_list ap;
    if (log_quiet)
        return;
    va_start(ap, fmt);
    emit(LOG_INFO, "", fmt, ap);
    va_end(ap);
}

unsigned spool_log_errors(void) { return atomic_load(&log_nerr); }
unsigned spool_log_warnings(void) { return atomic_load(&log_nwarn); }
