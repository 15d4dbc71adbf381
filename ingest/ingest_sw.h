/* ingest_sw: keeps the software roll-up (sql/migrations/0023) current and
 * checks it. The map (config software_map and lmod_reverse_map, read with
 * spool's sw_map_load, as track-report reads it) goes to the server as the
 * session tables rp_sw_prefix and rp_sw_exe, row for row what track-report
 * sends (report/rp_swload.c), so that both compute the same fingerprint
 * (track_sw_fingerprint); the SQL does the rest. */
#ifndef TRACK_INGEST_SW_H
#define TRACK_INGEST_SW_H

#include <stdio.h>
#include "ingest_db.h"
#include "sw_map.h"

/* Sends map and runs track_sw_refresh in transactions of their own, a
 * few days each (committed here): the days marked in track_sw_dirty (and
 * those of the jobs in track_sw_job_dirty) are recomputed; with another map
 * or time zone than the stored one, everything is. *days gets the days
 * recomputed, *all 1 when everything was. 0, or -1 with db->err (the
 * failing step rolled back: its marks stay for the next run). */
int ingest_sw_refresh(struct ingest_db *db, const struct sw_map *map, long *days, int *all);

/* Sends map and compares the software roll-up with one recomputed from
 * scratch, in a transaction that is rolled back. Writes a summary line and
 * up to 20 differing (table, day) lines to out. Returns 0 when equal (or
 * when the stored roll-up was made with another map: said on out, the next
 * refresh recomputes it), 1 when it differs, -1 with db->err. */
int ingest_sw_verify(struct ingest_db *db, const struct sw_map *map, FILE *out);

#endif
