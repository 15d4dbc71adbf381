/* lt_record: the start and end records (docs/record-format.md), built in the
 * regions of struct lt_run's buffer.
 *
 * Truncation: the identity keys must fit below cap - LT_RESERVE_END -
 * LT_RESERVE_STRUCT or there is no record. Then the arrays are filled in
 * priority order, each element only while it fits: cmdline, modules, env,
 * objects. So when space runs out the trailing objects go first, then env,
 * then modules, then cmdline, each array keeping its leading elements. Any
 * single string is cut at LT_STR_MAX bytes. The start record always leaves
 * LT_RESERVE_END bytes, so the end record (the same identity section plus
 * objects and the end keys) fits too. */
#ifndef TRACK_LT_RECORD_H
#define TRACK_LT_RECORD_H

#include <stddef.h>

#include "lt_run.h"

/* Builds the start record into region A from the filled-in identity fields
 * of r, argv and envp (the env allow-list r->cfg.env). Sets r->start_len,
 * the section offsets and truncation flags. Returns 0, or -1 if the identity
 * keys alone do not fit. Uses dl_iterate_phdr and getcwd: not for a signal
 * handler. */
int lt_rec_start(struct lt_run *r, int argc, char **argv, char **envp);

enum lt_end_how { LT_END_EXIT = 0, LT_END_SIGNAL = 1 };

/* Region B: where lt_rec_end builds the end record (lt_run.h). */
static inline char *lt_rec_end_buf(const struct lt_run *r)
{
    return r->buf + r->start_len;
}

/* Builds the end record into region B: the start's identity section, the
 * objects (fresh_objects: walk the loader's list now if an object was
 * loaded or unloaded since the start, else copy the start's array), then
 * the end keys: exit_status = value (LT_END_EXIT) or signal =
 * value (LT_END_SIGNAL), end_time, run_time, utime, stime, maxrss_kb.
 * Returns the record's length (newline included), 0 on failure.
 * Async-signal-safe when fresh_objects is 0. */
size_t lt_rec_end(struct lt_run *r, enum lt_end_how how, int value, int fresh_objects);

#endif
