/* Plain SVG charts (see rp_svg.h). */
#include "rp_svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rp_text.h"

/* Distinguishable on white, the last for "other". */
static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
#define NPAL (sizeof palette / sizeof palette[0])

int rp_svg_text(FILE *f, const char *s, size_t n)
{
    size_t len;
    char *e = spool_text_escape(s, n, &len);
    if (!e)
        return -1;
    for (size_t i = 0; i < len; i++) {
        switch (e[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(e[i], f);
        }
    }
    free(e);
    return ferror(f) ? -1 : 0;
}

static double clean(double x)
{
    return isfinite(x) && x > 0 ? x : 0;
}

/* A "nice" axis maximum >= m: 1, 2 or 5 times a power of ten. */
static double nice_max(double m)
{
    if (m <= 0)
        return 1;
    double p = pow(10, floor(log10(m)));
    for (int k = 0; k < 3; k++) {
        double c = p * (k == 0 ? 1 : k == 1 ? 2 : 5);
        if (c >= m)
            return c;
    }
    return p * 10;
}

static void str(FILE *f, const char *s)
{
    rp_svg_text(f, s, strlen(s));
}

/* The tail of a long label says more than its head (paths). */
static void short_label(FILE *f, const char *nm, size_t max)
{
    size_t n = strlen(nm);
    if (n > max) {
        fputs("...", f);
        nm += n - (max - 3);
    }
    str(f, nm);
}

int rp_svg_stacked(FILE *f, const char *title, const char *unit, size_t nx,
                   const char *const *xlab, size_t ns, const char *const *sname,
                   const double *v)
{
    const double left = 60, top = 20, ph = 220, colw = nx > 40 ? 12 : 20;
    const double pw = colw * (double)(nx ? nx : 1);
    const double legend = 18.0 * (double)((ns + 2) / 3);
    const double w = left + pw + 20, h = top + ph + 70 + legend;
    double m = 0;
    for (size_t x = 0; x < nx; x++) {
        double t = 0;
        for (size_t s = 0; s < ns; s++)
            t += clean(v[s * nx + x]);
        if (t > m)
            m = t;
    }
    const double ymax = nice_max(m);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\"><title>",
            w < 360 ? 360 : w, h, w < 360 ? 360 : w, h);
    str(f, title);
    fputs("</title>\n", f);
    for (int k = 0; k <= 4; k++) {   /* grid and value axis */
        double y = top + ph - ph * k / 4.0;
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.6g</text>\n",
                left, y, left + pw, y, left - 4, y + 4, ymax * k / 4.0);
    }
    fprintf(f, "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" text-anchor=\"middle\">",
            top + ph / 2, top + ph / 2);
    str(f, unit);
    fputs("</text>\n", f);
    for (size_t x = 0; x < nx; x++) {
        double y = top + ph;
        for (size_t s = 0; s < ns; s++) {
            double hh = ph * clean(v[s * nx + x]) / ymax;
            if (hh <= 0)
                continue;
            y -= hh;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" height=\"%.2f\" fill=\"%s\"><title>",
                    left + colw * (double)x + 1, y, colw - 2, hh, palette[s % NPAL]);
            str(f, xlab[x]);
            fputs(" ", f);
            str(f, sname[s]);
            fprintf(f, ": %.2f</title></rect>\n", clean(v[s * nx + x]));
        }
        /* every label when there is room, else every 7th */
        if (nx <= 14 || x % 7 == 0) {
            double cx = left + colw * ((double)x + 0.5);
            fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" transform=\"rotate(-60 %.1f %.0f)\" "
                    "text-anchor=\"end\">", cx, top + ph + 12, cx, top + ph + 12);
            str(f, xlab[x]);
            fputs("</text>\n", f);
        }
    }
    for (size_t s = 0; s < ns; s++) {   /* legend: three per line */
        double lx = 10 + 200.0 * (double)(s % 3), ly = top + ph + 70 + 18.0 * (double)(s / 3);
        fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                "<text x=\"%.0f\" y=\"%.0f\">", lx, ly - 9, palette[s % NPAL], lx + 14, ly);
        short_label(f, sname[s], 30);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

int rp_svg_hbar(FILE *f, const char *title, const char *unit, size_t n,
                const char *const *label, const double *v)
{
    const double lw = 190, left = lw + 10, top = 10, bh = 18, pw = 260;
    const double h = top + bh * (double)(n ? n : 1) + 30;
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (clean(v[i]) > m)
            m = clean(v[i]);
    const double xmax = nice_max(m);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\"><title>",
            left + pw + 70, h, left + pw + 70, h);
    str(f, title);
    fputs("</title>\n", f);
    for (size_t i = 0; i < n; i++) {
        double y = top + bh * (double)i, bw = pw * clean(v[i]) / xmax;
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", lw, y + bh - 5);
        short_label(f, label[i], 32);
        fprintf(f, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\"><title>",
                left, y + 2, bw, bh - 4, palette[i % NPAL]);
        str(f, label[i]);
        fprintf(f, ": %.2f</title></rect><text x=\"%.2f\" y=\"%.1f\">%.6g</text>\n",
                clean(v[i]), left + bw + 4, y + bh - 5, clean(v[i]));
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">", left, h - 8);
    str(f, unit);
    fputs("</text></svg>\n", f);
    return ferror(f) ? -1 : 0;
}
