/* rp_swload: hands the software map (sw_map.h) to the server as the
 * session temporary tables the attribution SQL joins (docs/software.md):
 *
 *   rp_sw_prefix(hk, prefix, src, package, version, module, line)
 *       one row per directory prefix; src 2 = site rule, 1 = Lmod map;
 *       hk = UNHEX(MD5(prefix)), the join key
 *   rp_sw_exe(ord, pattern, package, version, line)
 *       executable-name rules in file order; pattern is a LIKE pattern
 *       with '|' as the escape character
 *
 * and sets @sw_rules / @sw_lmod to the number of rule and Lmod entries.
 * The report scripts then attribute with track_sw_attribute() (migration
 * 0007). Nothing is written to a persistent table: the map applies to the
 * whole history at every report and is gone with the session. */
#ifndef TRACK_RP_SWLOAD_H
#define TRACK_RP_SWLOAD_H

#include <stddef.h>
#include "rp_db.h"
#include "sw_map.h"

/* 1 if the report's SQL attributes software (needs the tables), else 0. */
int rp_swload_wanted(const char *report);

/* (Re)creates the temporary tables and fills them from map. 0, or -1 with
 * the server's message in err. */
int rp_swload_send(struct rp_db *db, const struct sw_map *map, char *err, size_t errlen);

#endif
