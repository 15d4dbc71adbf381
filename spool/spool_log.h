/* spool_log: how the tools (never libtrack) report problems: one line per
 * problem on stderr, "<prog>: <level>: <message>", and the same to syslog
 * when enabled (the epilog runs under slurmd, whose stderr nobody reads). */
#ifndef TRACK_SPOOL_LOG_H
#define TRACK_SPOOL_LOG_H

/* prog: the command name; use_syslog: also openlog(prog, LOG_PID, LOG_DAEMON);
 * quiet: drop info messages (warnings and errors still go out). */
void spool_log_init(const char *prog, int use_syslog, int quiet);
void spool_log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void spool_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void spool_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Count of errors and warnings logged so far (for exit codes and summaries). */
unsigned spool_log_errors(void);
unsigned spool_log_warnings(void);

#endif
