/* rec_pkg: the body of a Python package record (docs/python.md "The
 * record"), for rec_parse.c. */
#ifndef TRACK_REC_PKG_H
#define TRACK_REC_PKG_H

#include <yajl/yajl_tree.h>

#include "rec_access.h"
#include "rec_parse.h"

/* The body of a package record (after parse_head): "python",
 * "packages", "truncated"; the run-record fields stay empty. 0 or -1. */
int rec_pkg_body(struct ctx *c, yajl_val root, struct rec *r);
/* The package fields of a record of another kind: "" and none. */
void rec_pkg_none(struct rec *r);

#endif
