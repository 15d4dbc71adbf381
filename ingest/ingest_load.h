/* ingest_load: turns a batch of parsed records into a few multi-row SQL
 * statements inside the current transaction (the caller commits).
 *
 * Objects, modules, environment names and (name, value) pairs, and the sets
 * of them that runs reference, are looked up in in-memory dicts first; only
 * the ones never seen go to the database, in bulk (INSERT IGNORE of all, then
 * one SELECT of their ids). Runs are merged by run_uuid with a first-wins
 * INSERT ... ON DUPLICATE KEY UPDATE (docs/schema.md "Merge"), links with
 * INSERT IGNORE, without first asking what is there. */
#ifndef TRACK_INGEST_LOAD_H
#define TRACK_INGEST_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ingest_buf.h"
#include "ingest_ccache.h"
#include "ingest_db.h"
#include "ingest_dict.h"
#include "rec_parse.h"

/* What a batch did, counted by record (a start and its end sent as one row
 * are two records). */
struct ingest_counts {
    size_t fresh;    /* records that made a new track_run row */
    size_t merged;   /* the other half of a run, loaded before or in this batch */
    size_t dups;     /* runs and links already loaded: nothing changed */
    size_t links;    /* new track_link rows */
    size_t pkgs;     /* new track_py_run rows (package records, ingest_pkg.h) */
    size_t tallies;  /* tally records that made new track_tally rows */
};

struct ingest_uidname { uint32_t uid; char name[65]; };

struct ingest_loader {
    struct ingest_db *db;
    struct ingest_dict obj, oset, mod, mset, ename, epair, eset;
    /* content -> id: c_exe one object (an exe, or a member of a list the
     * list cache missed), c_oset object lists, c_mset module lists, c_eset
     * env lists */
    struct ingest_ccache c_exe, c_oset, c_mset, c_eset;
    struct ingest_buf sql;
    struct ingest_uidname *uids; size_t nuids, capuids;
    size_t max_stmt;     /* bytes per statement before it is sent */
};

/* What the content caches are probed with for one record: the fast hash
 * and serialized length of its exe, object list, module list and env list.
 * The serialized form (strings NUL-terminated in order; record strings
 * hold no NUL) is never built for a probe: a hit is verified against the
 * record's own strings, and only a miss is serialized, once, to be
 * remembered. Made by ingest_load_prep where the record was just parsed
 * and is still in the CPU cache (track-ingest's reader thread), so the
 * loader, which talks to the database, only probes. Depends on the record
 * alone, not on the loader; owns no memory. */
struct ingest_prep {
    uint64_t h[4];           /* [0] exe, [1] objects, [2] modules, [3] env */
    size_t len[4];
};

/* Fills p for r. Cannot fail. */
void ingest_load_prep(const struct rec *r, struct ingest_prep *p);

void ingest_load_init(struct ingest_loader *L, struct ingest_db *db);
void ingest_load_free(struct ingest_loader *L);
/* Forget every cached id: after a rollback they may name rows that no
 * longer exist. */
void ingest_load_forget(struct ingest_loader *L);

/* Loads n records (recs[i]; package records go to ingest_pkg_load) and
 * sets *c to what they did (meaningful once
 * the caller's commit succeeds). preps is NULL or preps[i] is recs[i]'s
 * ingest_load_prep (NULL entries are made here). Runs statements only; the
 * caller commits or rolls back. 0, or -1 with the reason in L->db->err
 * (L->db->lost says whether the connection is gone). */
int ingest_load_batch(struct ingest_loader *L, struct rec *const *recs,
                      const struct ingest_prep *const *preps, size_t n,
                      struct ingest_counts *c);

#endif
