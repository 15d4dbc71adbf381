/* ingest_load_priv: what the parts of the loader share about one batch
 * (internal to ingest_load.c and ingest_rows.c): the work per record. */
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

#endif
