/* spool_ident: who and where a record comes from, the same way for every
 * writer (libtrack's run records, the linker wrapper's link records).
 *
 *   syshost  config `syshost`, else SLURM_CLUSTER_NAME, else the node name
 *            up to its first '.'
 *   host     the node name (uname)
 *   user     $USER if set and non-empty, else the uid as text: never an NSS
 *            lookup, which could block inside every program
 *
 * Values are kept whole (up to 255 bytes); writers cut them to the limits
 * of spool_limits.h and mark the record truncated. */
#ifndef TRACK_SPOOL_IDENT_H
#define TRACK_SPOOL_IDENT_H

#include <sys/types.h>

#include "spool_config.h"

#define SPOOL_IDENT_MAX 256

struct spool_ident {
    char syshost[SPOOL_IDENT_MAX];
    char host[SPOOL_IDENT_MAX];
    char user[SPOOL_IDENT_MAX];
};

/* Fills id. Never fails: an unknown node name becomes "unknown". One uname
 * call, two getenv; no allocation. */
void spool_ident_get(const struct spool_config *cfg, uid_t uid, struct spool_ident *id);

#endif
