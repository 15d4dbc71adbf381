/* ingest_tally: tally records (docs/record-format.md "Tally records") into
 * track_tally (migration 0014), one row per entry, INSERT IGNORE on
 * (uid, tally_uuid, entry): a record loaded twice counts once. */
#ifndef TRACK_INGEST_TALLY_H
#define TRACK_INGEST_TALLY_H

#include <stddef.h>

#include "ingest_load.h"

/* Sends the rows of the tally records among recs[0..n) (kind
 * SPOOL_KIND_TALLY, r->tally set) in the current transaction; adds to
 * c->tallies the records that made new rows. 0, or -1 with the reason in
 * L->db->err. */
int ingest_tally_send(struct ingest_loader *L, struct rec *const *recs, size_t n,
                      struct ingest_counts *c);

#endif
