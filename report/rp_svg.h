/* rp_svg: the dashboard's and the job page's charts as plain inline SVG,
 * written by the program (no script, no network, no chart library): a
 * stacked column chart (one column per day) and a horizontal bar chart.
 * Labels are escaped for XML here; values must be finite and >= 0 (others
 * are drawn as 0). */
#ifndef TRACK_RP_SVG_H
#define TRACK_RP_SVG_H

#include <stdio.h>
#include <stddef.h>

/* Columns x = 0..nx-1 (labels xlab[x], e.g. days), each a stack of ns
 * series (v[s * nx + x], names sname[s], legend below the chart); unit names
 * the value axis. title is the SVG's <title>. Returns 0, or -1 on a write
 * error (errno set). */
int rp_svg_stacked(FILE *f, const char *title, const char *unit, size_t nx,
                   const char *const *xlab, size_t ns, const char *const *sname,
                   const double *v);

/* One bar per item (label[i], value v[i]), longest first as given. Returns
 * 0, or -1 on a write error. */
int rp_svg_hbar(FILE *f, const char *title, const char *unit, size_t n,
                const char *const *label, const double *v);

/* Writes n bytes of s escaped for XML/HTML text and attributes (& < > " ')
 * after spool_text_escape (bytes that are not UTF-8 become \xNN). 0 or -1. */
int rp_svg_text(FILE *f, const char *s, size_t n);

#endif
