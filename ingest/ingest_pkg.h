/* ingest_pkg: loads Python package records (kind PKG, docs/python.md) in
 * the current transaction. Each distinct (name, version) is one
 * track_py_package row; each distinct list of (package, source) one
 * track_py_package_set (SHA-256 key, like object sets); each run one
 * track_py_run row, first wins (INSERT IGNORE on run_uuid), so loading a
 * file again changes nothing. */
#ifndef TRACK_INGEST_PKG_H
#define TRACK_INGEST_PKG_H

#include <stddef.h>

#include "ingest_buf.h"
#include "ingest_db.h"
#include "rec_parse.h"

/* Loads the n package records recs[i] (each kind PKG). *fresh counts the
 * new track_py_run rows, *dups the runs already there. sql is scratch.
 * Runs statements only; the caller commits. 0, or -1 with db->err. */
int ingest_pkg_load(struct ingest_db *db, struct ingest_buf *sql, struct rec *const *recs,
                    size_t n, size_t *fresh, size_t *dups);

#endif
