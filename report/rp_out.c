/* Output formats of track-report (see rp_out.h). */
#include "rp_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rp_text.h"

static const struct rp_cell *cell(const struct rp_result *r, size_t row, size_t col)
{
    return &r->cells[row * r->ncols + col];
}

void rp_result_free(struct rp_result *r)
{
    if (r->cells)
        for (size_t i = 0; i < r->nrows * r->ncols; i++)
            free(r->cells[i].s);
    if (r->names)
        for (size_t c = 0; c < r->ncols; c++)
            free(r->names[c]);
    free(r->cells);
    free(r->names);
    free(r->numeric);
    memset(r, 0, sizeof *r);
}

/* ---- table ---------------------------------------------------------- */

struct disp {
    char *s;     /* escaped text */
    size_t len, width;
};

static void pad(FILE *f, size_t n)
{
    while (n--)
        fputc(' ', f);
}

static void put_field(FILE *f, const struct disp *d, size_t width, int right, int last)
{
    if (right)
        pad(f, width - d->width);
    fwrite(d->s, 1, d->len, f);
    if (!right && !last)
        pad(f, width - d->width);
}

/* Prints rows [from, to) with columns [c0, ncols) under a header line. */
static void print_block(FILE *f, const struct rp_result *r, struct disp *d, struct disp *hd,
                        size_t c0, size_t from, size_t to)
{
    size_t *w = calloc(r->ncols, sizeof *w);
    if (!w)
        return;
    for (size_t c = c0; c < r->ncols; c++) {
        w[c] = hd[c].width;
        for (size_t i = from; i < to; i++)
            if (d[i * r->ncols + c].width > w[c])
                w[c] = d[i * r->ncols + c].width;
    }
    for (size_t c = c0; c < r->ncols; c++) {
        put_field(f, &hd[c], w[c], r->numeric[c], c + 1 == r->ncols);
        if (c + 1 < r->ncols)
            fputs("  ", f);
    }
    fputc('\n', f);
    for (size_t c = c0; c < r->ncols; c++) {
        for (size_t k = 0; k < w[c]; k++)
            fputc('-', f);
        if (c + 1 < r->ncols)
            fputs("  ", f);
    }
    fputc('\n', f);
    for (size_t i = from; i < to; i++) {
        for (size_t c = c0; c < r->ncols; c++) {
            put_field(f, &d[i * r->ncols + c], w[c], r->numeric[c], c + 1 == r->ncols);
            if (c + 1 < r->ncols)
                fputs("  ", f);
        }
        fputc('\n', f);
    }
    free(w);
}

static int fill_disp(struct disp *d, const char *s, size_t n)
{
    d->s = spool_text_escape(s, n, &d->len);
    if (!d->s)
        return -1;
    d->width = rp_text_width(d->s, d->len);
    return 0;
}

static int print_table(FILE *f, const struct rp_meta *m, const struct rp_result *r)
{
    size_t n = r->nrows * r->ncols;
    struct disp *d = calloc(n ? n : 1, sizeof *d);
    struct disp *hd = calloc(r->ncols ? r->ncols : 1, sizeof *hd);
    int rc = -1;
    if (!d || !hd)
        goto out;
    for (size_t c = 0; c < r->ncols; c++)
        if (fill_disp(&hd[c], r->names[c], strlen(r->names[c])) < 0)
            goto out;
    for (size_t i = 0; i < n; i++) {
        const struct rp_cell *x = &r->cells[i];
        if (fill_disp(&d[i], x->s ? x->s : "-", x->s ? x->len : 1) < 0)
            goto out;
    }
    fprintf(f, "%s", m->report);
    if (m->since && m->until)
        fprintf(f, ": %s to %s (until exclusive)", m->since, m->until);
    else if (m->since || m->until)
        fprintf(f, ": %s %s", m->since ? "since" : "until", m->since ? m->since : m->until);
    fprintf(f, "\n\n");
    if (r->nrows == 0) {
        fprintf(f, "(no runs)\n");
    } else if (r->nrows == 1 && r->ncols > 3) {
        size_t w = 0;
        for (size_t c = 0; c < r->ncols; c++)
            if (hd[c].width > w)
                w = hd[c].width;
        for (size_t c = 0; c < r->ncols; c++) {
            fwrite(hd[c].s, 1, hd[c].len, f);
            fputc(':', f);
            pad(f, w - hd[c].width + 1);
            fwrite(d[c].s, 1, d[c].len, f);
            fputc('\n', f);
        }
    } else if (r->ncols > 1 && strcmp(r->names[0], "section") == 0) {
        size_t from = 0;
        while (from < r->nrows) {
            size_t to = from + 1;
            while (to < r->nrows && d[to * r->ncols].len == d[from * r->ncols].len &&
                   memcmp(d[to * r->ncols].s, d[from * r->ncols].s, d[from * r->ncols].len) == 0)
                to++;
            if (from > 0)
                fputc('\n', f);
            fprintf(f, "== %s\n", d[from * r->ncols].s);
            print_block(f, r, d, hd, 1, from, to);
            from = to;
        }
    } else {
        print_block(f, r, d, hd, 0, 0, r->nrows);
    }
    rc = 0;
out:
    if (d)
        for (size_t i = 0; i < n; i++)
            free(d[i].s);
    if (hd)
        for (size_t c = 0; c < r->ncols; c++)
            free(hd[c].s);
    free(d);
    free(hd);
    if (rc < 0)
        errno = ENOMEM;
    return rc;
}

/* ---- CSV (RFC 4180) --------------------------------------------------- */

static int csv_field(FILE *f, const char *s, size_t n)
{
    size_t len;
    char *e = spool_text_escape(s, n, &len);
    if (!e)
        return -1;
    if (strpbrk(e, ",\"\r\n")) {
        fputc('"', f);
        for (size_t i = 0; i < len; i++) {
            if (e[i] == '"')
                fputc('"', f);
            fputc(e[i], f);
        }
        fputc('"', f);
    } else {
        fwrite(e, 1, len, f);
    }
    free(e);
    return 0;
}

static int print_csv(FILE *f, const struct rp_result *r)
{
    for (size_t c = 0; c < r->ncols; c++) {
        if (c)
            fputc(',', f);
        if (csv_field(f, r->names[c], strlen(r->names[c])) < 0)
            return -1;
    }
    fputs("\r\n", f);
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t c = 0; c < r->ncols; c++) {
            const struct rp_cell *x = cell(r, i, c);
            if (c)
                fputc(',', f);
            /* SQL NULL is the empty field */
            if (x->s && csv_field(f, x->s, x->len) < 0)
                return -1;
        }
        fputs("\r\n", f);
    }
    return 0;
}

/* ---- JSON -------------------------------------------------------------- */

static int json_cstr(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return 0;
    }
    return rp_text_json_str(f, s, strlen(s));
}

static int print_json(FILE *f, const struct rp_meta *m, const struct rp_result *r)
{
    fputs("{\"report\":", f);
    if (json_cstr(f, m->report) < 0)
        return -1;
    fputs(",\"since\":", f);
    if (json_cstr(f, m->since) < 0)
        return -1;
    fputs(",\"until\":", f);
    if (json_cstr(f, m->until) < 0)
        return -1;
    fputs(",\"columns\":[", f);
    for (size_t c = 0; c < r->ncols; c++) {
        if (c)
            fputc(',', f);
        if (json_cstr(f, r->names[c]) < 0)
            return -1;
    }
    fputs("],\"rows\":[", f);
    for (size_t i = 0; i < r->nrows; i++) {
        fputs(i ? ",\n{" : "\n{", f);
        for (size_t c = 0; c < r->ncols; c++) {
            const struct rp_cell *x = cell(r, i, c);
            if (c)
                fputc(',', f);
            if (json_cstr(f, r->names[c]) < 0)
                return -1;
            fputc(':', f);
            if (!x->s)
                fputs("null", f);
            else if (r->numeric[c] && rp_text_is_json_number(x->s, x->len))
                fwrite(x->s, 1, x->len, f);
            else if (rp_text_json_str(f, x->s, x->len) < 0)
                return -1;
        }
        fputc('}', f);
    }
    fputs("]}\n", f);
    return 0;
}

int rp_out_print(FILE *f, enum rp_format fmt, const struct rp_meta *m, const struct rp_result *r)
{
    int rc;
    switch (fmt) {
    case RP_FORMAT_CSV:
        rc = print_csv(f, r);
        break;
    case RP_FORMAT_JSON:
        rc = print_json(f, m, r);
        break;
    default:
        rc = print_table(f, m, r);
        break;
    }
    if (rc < 0)
        errno = ENOMEM;
    if (fflush(f) != 0 || ferror(f))
        return -1;
    return rc;
}
