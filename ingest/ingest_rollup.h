/* ingest_rollup: keeps the daily roll-up (sql/migrations/0012) current and
 * checks it. The SQL does the work (track_rollup_refresh and
 * track_rollup_verify); this module runs it through ingest_db and owns the
 * transactions around it. */
#ifndef TRACK_INGEST_ROLLUP_H
#define TRACK_INGEST_ROLLUP_H

#include <stdio.h>
#include "ingest_db.h"

/* Recomputes every day marked in track_rollup_dirty and clears the marks,
 * in one transaction of its own (committed here). *days gets the number of
 * days recomputed. 0, or -1 with db->err (the transaction rolled back: the
 * marks stay for the next run). */
int ingest_rollup_refresh(struct ingest_db *db, long *days);

/* Compares the roll-up with one recomputed from scratch inside a
 * transaction that is rolled back (nothing changes). Writes a summary line
 * and up to 20 differing (table, day) lines to out. Days still marked for a
 * refresh are not compared (their count is printed). Returns 0 when equal,
 * 1 when they differ, -1 with db->err on a database error. */
int ingest_rollup_verify(struct ingest_db *db, FILE *out);

/* track-ingest's hook after a load: ingest_rollup_refresh, logging the days
 * done (info) or the error. 0 or -1. */
int ingest_rollup_after_load(struct ingest_db *db);

/* --refresh-rollup (verify = 0) or --verify-rollup (verify = 1), the result
 * on stdout, errors logged. 0 done / equal, 1 differ, -1 database error. */
int ingest_rollup_main(struct ingest_db *db, int verify);

#endif
