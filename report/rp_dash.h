/* rp_dash: the HTML pages of track-report: the dashboard (`dashboard -o
 * DIR`, DIR/index.html) and the job post-mortem page (`job N --format
 * html`). Both run report scripts of sql/reports/ through rp_db with the
 * parameters already bound by the caller, and write one self-contained page
 * (inline SVG from rp_svg, inline CSS, no script). */
#ifndef TRACK_RP_DASH_H
#define TRACK_RP_DASH_H

#include <stddef.h>
#include "rp_db.h"

/* Writes outdir/index.html (through outdir/.index.html.tmp and a rename,
 * so a web server never serves half a page) for the window and filters
 * bound in db. sqldir: the report scripts. Returns 0; -1 with err on a
 * database error, -2 on a write error (err names the file), -3 when a
 * script cannot be read (err). */
int rp_dash_write(struct rp_db *db, const char *sqldir, const char *outdir,
                  char *err, size_t errlen);

/* Writes the job page of the job bound in db (@job, @syshost...) to f.
 * Same return codes as rp_dash_write (-2: writing f failed). */
int rp_dash_job(struct rp_db *db, const char *sqldir, const char *job, FILE *f,
                char *err, size_t errlen);

#endif
