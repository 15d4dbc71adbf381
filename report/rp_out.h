/* rp_out: prints a report's result as an aligned table, RFC 4180 CSV or
 * JSON. The result is copied out of the client library first (rp_db.c), so
 * this file knows nothing of MariaDB. */
#ifndef TRACK_RP_OUT_H
#define TRACK_RP_OUT_H

#include <stdio.h>
#include <stddef.h>

/* RP_FORMAT_HTML: only the job report (a page, rp_html.h), not rp_out_print */
enum rp_format { RP_FORMAT_TABLE = 0, RP_FORMAT_CSV, RP_FORMAT_JSON, RP_FORMAT_HTML };

struct rp_cell {
    char *s;        /* bytes, NUL-terminated too; NULL for SQL NULL */
    size_t len;
};

struct rp_result {
    size_t ncols, nrows;
    char **names;          /* column names (UTF-8) */
    int *numeric;          /* 1 = a number column (right-aligned, bare in JSON) */
    struct rp_cell *cells; /* nrows * ncols, row-major */
};

/* The report and its window, for the table heading and the JSON envelope.
 * since/until are "YYYY-MM-DD" or NULL when the report has no window. */
struct rp_meta {
    const char *report;
    const char *since, *until;
};

/* Writes r to f in the given format. Table: a heading line, then the rows;
 * when the first column is named "section", rows are grouped under one
 * heading per section value and the column is not repeated; a one-row result
 * with more than 3 columns is shown vertically (name: value). CSV: a header
 * line, CRLF line ends, fields quoted when they hold a comma, quote, CR or
 * LF. JSON: {"report","since","until","columns":[...],"rows":[{...}]}.
 * Returns 0, or -1 on a write error / ENOMEM (errno set). */
int rp_out_print(FILE *f, enum rp_format fmt, const struct rp_meta *m, const struct rp_result *r);

/* Frees everything r owns and zeroes it. */
void rp_result_free(struct rp_result *r);

#endif
