/* ingest_rows: the last phase of ingest_load_batch (internal to the
 * loader): both halves of a run found in the batch as one row, sent before
 * the single halves, then the links. No look at what is already there: the
 * statements are first-wins by themselves (docs/schema.md "Merge") and
 * their counts say what happened. */
#ifndef TRACK_INGEST_ROWS_H
#define TRACK_INGEST_ROWS_H

#include <stddef.h>

#include "ingest_load_priv.h"

/* Sends the rows of recs[0..n) (w[i]: recs[i]'s resolved ids) and adds what
 * they did to c. 0, or -1 with the reason in L->db->err. */
int ingest_rows_send(struct ingest_loader *L, struct rec *const *recs,
                     const struct ingest_work *w, size_t n, struct ingest_counts *c);

#endif
