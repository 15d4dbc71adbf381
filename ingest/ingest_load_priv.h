/* ingest_load_priv: what the parts of the loader share about one batch
 * (internal to ingest_load.c and ingest_rows.c): the work per record and
 * the way a statement fails before the server sees it. */
#ifndef TRACK_INGEST_LOAD_PRIV_H
#define TRACK_INGEST_LOAD_PRIV_H

#include <stdint.h>

#include "ingest_load.h"

/* One record's keys and ids through the phases of ingest_load_batch. */
struct ingest_work {
    unsigned char *okeys;     /* (1 + nobjects) * 32: exe first (runs) */
    uint32_t *oids;           /* 1 + nobjects: ids the object cache knew (0: look up okeys) */
    unsigned char *mkeys;     /* nmodules * 32 */
    unsigned char *nkeys;     /* nenv * 32: variable names */
    unsigned char *pkeys;     /* nenv * 32: (name, value) pairs */
    unsigned char *skip;      /* nenv: a repeated name (first one wins) */
    unsigned char oskey[32], mskey[32], eskey[32];
    int has_mset, has_eset;
    uint32_t exe_id, oset_id, mset_id, eset_id;  /* 0 = not resolved yet */
    /* which of [0] exe, [1] objects, [2] modules, [3] env missed the
     * content caches (bit k), to remember them once resolved */
    unsigned missed;
    struct ingest_prep own;   /* when the caller passed none */
};

/* Sets "out of memory building SQL" in L->db->err; returns -1. */
int ingest_load_oom(struct ingest_loader *L);

/* Sends the statement in L->sql (ingest_load_oom if building it ran out of
 * memory). 0 or -1 with L->db->err. */
int ingest_load_send(struct ingest_loader *L);

#endif
