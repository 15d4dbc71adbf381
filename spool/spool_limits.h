/* spool_limits: the size limits writers and readers of records share. A
 * writer cuts to them (and says "truncated": true); rec_parse rejects what
 * exceeds them. Keeping both sides on these names is what guarantees that
 * nothing a writer produces is ever quarantined for its length. */
#ifndef TRACK_SPOOL_LIMITS_H
#define TRACK_SPOOL_LIMITS_H

#define SPOOL_STR_MAX     4096  /* any single string (argv element, path, env value) */
#define SPOOL_ID_MAX      64    /* syshost, user, job ids (database VARCHAR(64)) */
#define SPOOL_HOST_MAX    255   /* host name */
#define SPOOL_JOBTEXT_MAX 128   /* partition, account */

#endif
