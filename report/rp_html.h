/* rp_html: the pieces the HTML pages share (dashboard, job page): a
 * self-contained page frame (inline CSS, no script, no external resource)
 * and a report result as an HTML table. Cell bytes go through rp_svg_text
 * (spool_text_escape, then XML escaping). Every function returns 0, or -1 on
 * a write error (errno set). */
#ifndef TRACK_RP_HTML_H
#define TRACK_RP_HTML_H

#include <stdio.h>
#include "rp_out.h"

int rp_html_begin(FILE *f, const char *title);
int rp_html_end(FILE *f);

/* A <table id="id"> of columns [c0, ncols) of the rows whose column 0
 * equals section (all rows when section is NULL), at most maxrows rows
 * (0 = all). Number columns are right-aligned; NULL shows as "-". */
int rp_html_table(FILE *f, const struct rp_result *r, const char *id, size_t c0,
                  const char *section, size_t maxrows);

/* Index of the column called name, or -1. */
int rp_html_col(const struct rp_result *r, const char *name);

/* Cell (row, col) as a number (0 for NULL or out of range). */
double rp_html_num(const struct rp_result *r, size_t row, int col);

#endif
