/* HTML page frame and tables (see rp_html.h). */
#include "rp_html.h"

#include <stdlib.h>
#include <string.h>

#include "rp_svg.h"

static const char css[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222;background:#fff}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}"
    ".row{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}"
    "table{border-collapse:collapse;font-size:12px}"
    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
    "th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.bad{color:#b00;font-weight:bold}td.ok{color:#070}"
    ".note{color:#666;font-size:12px}";

int rp_html_begin(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
    rp_svg_text(f, title, strlen(title));
    fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>", css);
    rp_svg_text(f, title, strlen(title));
    fputs("</h1>\n", f);
    return ferror(f) ? -1 : 0;
}

int rp_html_end(FILE *f)
{
    fputs("<p class=\"note\">Written by track-report " TRACK_VERSION
          "; a static page: no script, nothing fetched.</p>\n</body></html>\n", f);
    return ferror(f) ? -1 : 0;
}

int rp_html_col(const struct rp_result *r, const char *name)
{
    for (size_t c = 0; c < r->ncols; c++)
        if (strcmp(r->names[c], name) == 0)
            return (int)c;
    return -1;
}

double rp_html_num(const struct rp_result *r, size_t row, int col)
{
    if (col < 0 || (size_t)col >= r->ncols || row >= r->nrows)
        return 0;
    const struct rp_cell *c = &r->cells[row * r->ncols + (size_t)col];
    return c->s ? strtod(c->s, NULL) : 0;
}

static int in_section(const struct rp_result *r, size_t row, const char *section)
{
    const struct rp_cell *c = &r->cells[row * r->ncols];
    return !section || (c->s && strcmp(c->s, section) == 0);
}

int rp_html_table(FILE *f, const struct rp_result *r, const char *id, size_t c0,
                  const char *section, size_t maxrows)
{
    size_t shown = 0;
    fprintf(f, "<table id=\"%s\"><thead><tr>", id);
    for (size_t c = c0; c < r->ncols; c++) {
        fputs("<th>", f);
        rp_svg_text(f, r->names[c], strlen(r->names[c]));
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (size_t i = 0; i < r->nrows && (!maxrows || shown < maxrows); i++) {
        if (!in_section(r, i, section))
            continue;
        shown++;
        fputs("<tr>", f);
        for (size_t c = c0; c < r->ncols; c++) {
            const struct rp_cell *cl = &r->cells[i * r->ncols + c];
            fputs(r->numeric[c] ? "<td class=\"n\">" : "<td>", f);
            if (cl->s)
                rp_svg_text(f, cl->s, cl->len);
            else
                fputs("-", f);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (!shown)
        fprintf(f, "<tr><td colspan=\"%zu\">(none)</td></tr>\n", r->ncols - c0);
    fputs("</tbody></table>\n", f);
    return ferror(f) ? -1 : 0;
}
