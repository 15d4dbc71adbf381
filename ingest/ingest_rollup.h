/* ingest_rollup: keeps the daily roll-up (sql/migrations/0012) and the
 * per-job roll-up (0020) current and checks them. The SQL does the work
 * (track_rollup_refresh, track_rollup_jobs_refresh and their _verify); this
 * module runs it through ingest_db and owns the transactions around it. */
#ifndef TRACK_INGEST_ROLLUP_H
#define TRACK_INGEST_ROLLUP_H

#include <stdio.h>
#include "ingest_db.h"
#include "sw_map.h"

/* Recomputes every day marked in track_rollup_dirty and every job marked in
 * track_rollup_job_dirty and clears the marks, in one transaction of its
 * own (committed here). apps: the config's not_applications (the jobs'
 * application core-seconds and types are stored for it; another value than
 * last time recomputes every job). *days and *jobs get the numbers recomputed. 0, or
 * -1 with db->err (the transaction rolled back: the marks stay for the next
 * run). */
int ingest_rollup_refresh(struct ingest_db *db, const char *apps, long *days, long *jobs);

/* Compares both roll-ups with ones recomputed from scratch inside a
 * transaction that is rolled back (nothing changes). Writes a summary line
 * per roll-up and up to 20 differing (table, day) and (table, job key)
 * lines to out. Days and jobs still marked for a refresh are not compared
 * (their counts are printed). Returns 0 when equal,
 * 1 when they differ, -1 with db->err on a database error. */
int ingest_rollup_verify(struct ingest_db *db, FILE *out);

/* track-ingest's hook after a load: ingest_rollup_refresh, then the
 * software roll-up's (ingest_sw_refresh with map; NULL: the configured map
 * could not be read, skipped), logging the days done (info) or the error.
 * 0 or -1. */
int ingest_rollup_after_load(struct ingest_db *db, const char *apps, const struct sw_map *map);

/* --refresh-rollup (verify = 0, apps and map as for
 * ingest_rollup_after_load) or --verify-rollup (verify = 1: the three
 * roll-ups; the software one only with a map), the result on stdout, errors
 * logged. 0 done / equal, 1 differ, -1 database error. */
int ingest_rollup_main(struct ingest_db *db, const char *apps, const struct sw_map *map,
                       int verify);

#endif
