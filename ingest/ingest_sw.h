/* ingest_sw: keeps the software roll-up (sql/migrations/0023) current;
 * its check is ingest_rollup.c's, with the other roll-ups'. The map
 * (config software_map and lmod_reverse_map, read with spool's
 * sw_map_load, as track-report reads it) goes to the server as the
 * session tables rp_sw_prefix and rp_sw_exe, row for row what track-report
 * sends (report/rp_swload.c), so that both compute the same fingerprint
 * (track_sw_fingerprint); the SQL does the rest. */
#ifndef TRACK_INGEST_SW_H
#define TRACK_INGEST_SW_H

#include "ingest_db.h"
#include "sw_map.h"

/* Sends map and runs track_sw_refresh in transactions of their own, a
 * few days each (committed here): the days marked in track_sw_dirty (and
 * those of the jobs in track_sw_job_dirty) are recomputed; with another map
 * or time zone than the stored one, everything is. *days gets the days
 * recomputed, *all 1 when everything was. 0, or -1 with db->err (the
 * failing step rolled back: its marks stay for the next run). */
int ingest_sw_refresh(struct ingest_db *db, const struct sw_map *map, long *days, int *all);

/* (Re)creates the session tables rp_sw_prefix and rp_sw_exe
 * (track_sw_tables) and fills them from map, in the current transaction:
 * what track_sw_refresh and track_sw_verify attribute with. 0, or -1 with
 * db->err. */
int ingest_sw_send(struct ingest_db *db, const struct sw_map *map);

#endif
