/* The dashboard and the job page (see rp_dash.h). */
#include "rp_dash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rp_html.h"
#include "rp_sql.h"
#include "rp_svg.h"

#define TOPN 8          /* series of a stacked chart before "other" */
#define TOPLIST 10      /* rows of the top-N lists */
#define MAXDAYS 3700    /* about ten years of columns */

/* Runs sqldir/name.sql with @by and @limit set (NULL / 0 = unset). */
static int run(struct rp_db *db, const char *sqldir, const char *name, const char *by,
               long limit, struct rp_result *out, char *err, size_t errlen)
{
    size_t len;
    char *script = rp_sql_read(sqldir, name, &len, err, errlen);
    int rc;
    if (!script)
        return -3;
    rc = rp_db_set_str(db, "by", by, err, errlen) < 0 ||
         (limit > 0 ? rp_db_set_int(db, "limit", limit, err, errlen)
                    : rp_db_set_str(db, "limit", NULL, err, errlen)) < 0 ||
         rp_db_run(db, script, len, out, err, errlen) < 0 ? -1 : 0;
    if (rc < 0) {
        char why[512];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "%s/%s.sql: %s", sqldir, name, why);
    }
    free(script);
    return rc;
}

/* The window as days: day[i] = "YYYY-MM-DD" for since + i; returns n. */
static size_t window_days(const char *since, const char *until, char (*day)[11], size_t max)
{
    struct tm a = { 0 }, b = { 0 };
    size_t n = 0;
    if (sscanf(since, "%d-%d-%d", &a.tm_year, &a.tm_mon, &a.tm_mday) != 3 ||
        sscanf(until, "%d-%d-%d", &b.tm_year, &b.tm_mon, &b.tm_mday) != 3)
        return 0;
    a.tm_year -= 1900, a.tm_mon -= 1, b.tm_year -= 1900, b.tm_mon -= 1;
    for (time_t t = timegm(&a), e = timegm(&b); t < e && n < max; t += 86400) {
        struct tm d;
        gmtime_r(&t, &d);
        strftime(day[n++], 11, "%Y-%m-%d", &d);
    }
    return n;
}

static long day_index(char (*day)[11], size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)   /* n is small: a month or a year */
        if (strcmp(day[i], s) == 0)
            return (long)i;
    return -1;
}

/* A stacked chart of core-hours per day by group column gcol of res (the
 * daily report with --by), top TOPN groups by total, the rest "other",
 * with its table of totals beside it. */
static int stacked_section(FILE *f, const char *id, const char *heading, const struct rp_result *res,
                           const char *gcol, char (*day)[11], size_t nd)
{
    int gc = rp_html_col(res, gcol), hc = rp_html_col(res, "core_hours"),
        dc = rp_html_col(res, "day");
    size_t ng = 0;
    const char **gname = calloc(res->nrows + 1, sizeof *gname);
    double *gtot = calloc(res->nrows + 1, sizeof *gtot);
    double *v = calloc((TOPN + 1) * (nd ? nd : 1), sizeof *v);
    const char *sname[TOPN + 1];
    int rc = -1;
    if (!gname || !gtot || !v || gc < 0 || hc < 0 || dc < 0)
        goto out;
    for (size_t i = 0; i < res->nrows; i++) {   /* totals per group */
        const char *g = res->cells[i * res->ncols + (size_t)gc].s;
        size_t k = 0;
        g = g ? g : "-";
        while (k < ng && strcmp(gname[k], g) != 0)
            k++;
        if (k == ng)
            gname[ng++] = g;
        gtot[k] += rp_html_num(res, i, hc);
    }
    for (size_t a = 0; a < ng; a++)   /* by total, descending (few groups) */
        for (size_t b = a + 1; b < ng; b++)
            if (gtot[b] > gtot[a]) {
                double t = gtot[a]; gtot[a] = gtot[b]; gtot[b] = t;
                const char *s = gname[a]; gname[a] = gname[b]; gname[b] = s;
            }
    size_t ns = ng > TOPN ? TOPN + 1 : ng;
    for (size_t s = 0; s < ns; s++)
        sname[s] = s < TOPN ? gname[s] : "other";
    for (size_t i = 0; i < res->nrows; i++) {
        const char *g = res->cells[i * res->ncols + (size_t)gc].s;
        long d = day_index(day, nd, res->cells[i * res->ncols + (size_t)dc].s);
        size_t s = 0;
        g = g ? g : "-";
        while (s < TOPN && s < ng && strcmp(gname[s], g) != 0)
            s++;
        if (d >= 0 && s < ns)
            v[s * nd + (size_t)d] += rp_html_num(res, i, hc);
    }
    fprintf(f, "<section id=\"%s\"><h2>%s</h2><div class=\"row\"><div>\n", id, heading);
    const char *xl[MAXDAYS];
    for (size_t d = 0; d < nd; d++)
        xl[d] = day[d];
    if (rp_svg_stacked(f, heading, "core-hours", nd, xl, ns, sname, v) < 0)
        goto out;
    fprintf(f, "</div><div><table id=\"%s-table\"><thead><tr><th>%s</th><th>core-hours</th>"
            "</tr></thead><tbody>\n", id, gcol);
    for (size_t s = 0; s < ns; s++) {
        double t = 0;
        for (size_t d = 0; d < nd; d++)
            t += v[s * nd + d];
        fputs("<tr><td>", f);
        rp_svg_text(f, sname[s], strlen(sname[s]));
        fprintf(f, "</td><td class=\"n\">%.2f</td></tr>\n", t);
    }
    fputs("</tbody></table></div></div></section>\n", f);
    rc = ferror(f) ? -1 : 0;
out:
    free(gname);
    free(gtot);
    free(v);
    return rc;
}

/* A top list: bar chart of column vcol by label column lcol (rows of one
 * section, or all), the report's table beside it. */
static int top_section(FILE *f, const char *id, const char *heading, const struct rp_result *res,
                       const char *section, const char *lcol, const char *vcol)
{
    int lc = rp_html_col(res, lcol), vc = rp_html_col(res, vcol);
    const char *lab[TOPLIST];
    double v[TOPLIST];
    size_t n = 0;
    for (size_t i = 0; i < res->nrows && n < TOPLIST && lc >= 0 && vc >= 0; i++) {
        const char *s0 = res->cells[i * res->ncols].s;
        if (section && (!s0 || strcmp(s0, section) != 0))
            continue;
        const char *l = res->cells[i * res->ncols + (size_t)lc].s;
        lab[n] = l ? l : "-";
        v[n++] = rp_html_num(res, i, vc);
    }
    fprintf(f, "<section id=\"%s\"><h2>%s</h2><div class=\"row\"><div>\n", id, heading);
    if (rp_svg_hbar(f, heading, vcol, n, lab, v) < 0)
        return -1;
    fputs("</div><div>\n", f);
    char tid[64];
    snprintf(tid, sizeof tid, "%s-table", id);
    if (rp_html_table(f, res, tid, section ? 1 : 0, section, TOPLIST) < 0)
        return -1;
    fputs("</div></div></section>\n", f);
    return ferror(f) ? -1 : 0;
}

/* The window the scripts used (@t0/@t1) as dates. */
static void window_of(struct rp_db *db, char since[11], char until[11])
{
    static const char q[] = "SELECT DATE_FORMAT(FROM_UNIXTIME(@t0), '%Y-%m-%d'), "
                            "DATE_FORMAT(FROM_UNIXTIME(@t1), '%Y-%m-%d')";
    struct rp_result r;
    char err[256];
    since[0] = until[0] = '\0';
    if (rp_db_run(db, q, sizeof q - 1, &r, err, sizeof err) < 0)
        return;
    if (r.nrows == 1 && r.ncols == 2 && r.cells[0].s && r.cells[1].s &&
        r.cells[0].len == 10 && r.cells[1].len == 10) {
        memcpy(since, r.cells[0].s, 11);
        memcpy(until, r.cells[1].s, 11);
    }
    rp_result_free(&r);
}

enum { R_SUM, R_DAY, R_DEXE, R_DUSER, R_EXE, R_LIB, R_MOD, R_USR, NRES };

static int dash_page(FILE *f, struct rp_result *res, const char *since, const char *until)
{
    static char day[MAXDAYS][11];
    size_t nd = window_days(since, until, day, MAXDAYS);
    char title[128];
    const struct rp_result *s = &res[R_SUM], *d = &res[R_DAY];
    snprintf(title, sizeof title, "track: %s to %s (until exclusive)", since, until);
    if (rp_html_begin(f, title) < 0)
        return -1;
    /* the totals, as the summary report prints them */
    fputs("<section id=\"summary\"><h2>Summary</h2><table id=\"summary-table\"><tbody>\n", f);
    for (size_t c = 0; s->nrows == 1 && c < s->ncols; c++) {
        fprintf(f, "<tr><th>%s</th><td class=\"n\" id=\"total-%s\">", s->names[c], s->names[c]);
        if (s->cells[c].s)
            rp_svg_text(f, s->cells[c].s, s->cells[c].len);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
    if (stacked_section(f, "core-hours-by-executable", "Core-hours per day by executable",
                        &res[R_DEXE], "executable", day, nd) < 0 ||
        stacked_section(f, "core-hours-by-user", "Core-hours per day by user",
                        &res[R_DUSER], "user", day, nd) < 0)
        return -1;
    /* failures per day: one series, the daily table beside it */
    {
        double *fv = calloc(nd ? nd : 1, sizeof *fv);
        const char *xl[MAXDAYS], *nm[1] = { "failed runs" };
        int fc = rp_html_col(d, "failures"), dc = rp_html_col(d, "day");
        if (!fv)
            return -1;
        for (size_t i = 0; i < d->nrows; i++) {
            long k = day_index(day, nd, dc >= 0 ? d->cells[i * d->ncols + (size_t)dc].s : NULL);
            if (k >= 0)
                fv[k] = rp_html_num(d, i, fc);
        }
        for (size_t k = 0; k < nd; k++)
            xl[k] = day[k];
        fputs("<section id=\"failures-per-day\"><h2>Failed runs per day</h2><div class=\"row\"><div>\n", f);
        int rc = rp_svg_stacked(f, "Failed runs per day", "failed runs", nd, xl, 1, nm, fv);
        free(fv);
        if (rc < 0)
            return -1;
        fputs("</div><div>\n", f);
        if (rp_html_table(f, d, "daily-table", 0, NULL, 0) < 0)
            return -1;
        fputs("</div></div></section>\n", f);
    }
    if (top_section(f, "top-executables", "Top executables by core-hours", &res[R_EXE],
                    "all runs by core-hours", "executable", "core_hours") < 0 ||
        top_section(f, "top-users", "Top users by core-hours", &res[R_USR], NULL, "user",
                    "core_hours") < 0 ||
        top_section(f, "top-libraries", "Top libraries by runs", &res[R_LIB], "by path",
                    "library", "runs") < 0 ||
        top_section(f, "top-modules", "Top modules by users", &res[R_MOD], NULL, "module",
                    "users") < 0)
        return -1;
    return rp_html_end(f);
}

int rp_dash_write(struct rp_db *db, const char *sqldir, const char *outdir,
                  char *err, size_t errlen)
{
    static const struct { const char *name, *by; long limit; } q[NRES] = {
        [R_SUM] = { "summary", NULL, 0 }, [R_DAY] = { "daily", NULL, 0 },
        [R_DEXE] = { "daily", "executable", 0 }, [R_DUSER] = { "daily", "user", 0 },
        [R_EXE] = { "executables", NULL, TOPLIST }, [R_LIB] = { "libraries", NULL, TOPLIST },
        [R_MOD] = { "modules", NULL, TOPLIST }, [R_USR] = { "users", NULL, TOPLIST },
    };
    struct rp_result res[NRES];
    char since[11], until[11], tmp[4096], dst[4096];
    FILE *f = NULL;
    int rc = 0;
    memset(res, 0, sizeof res);
    tmp[0] = '\0';
    for (int i = 0; i < NRES && rc == 0; i++)
        rc = run(db, sqldir, q[i].name, q[i].by, q[i].limit, &res[i], err, errlen);
    if (rc)
        goto out;
    window_of(db, since, until);
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/.index.html.tmp", outdir) >= sizeof tmp ||
        (size_t)snprintf(dst, sizeof dst, "%s/index.html", outdir) >= sizeof dst) {
        snprintf(err, errlen, "-o %s: path too long", outdir);
        rc = -2;
        goto out;
    }
    f = fopen(tmp, "we");
    if (!f || dash_page(f, res, since, until) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        rc = -2;
        goto out;
    }
    int cl = fclose(f);
    f = NULL;
    if (cl != 0 || rename(tmp, dst) != 0) {
        snprintf(err, errlen, "%s: %s", dst, strerror(errno));
        rc = -2;
    }
out:
    if (f)
        fclose(f);
    if (rc && tmp[0])
        unlink(tmp);
    for (int i = 0; i < NRES; i++)
        rp_result_free(&res[i]);
    return rc;
}

static int bad_end(const char *e)
{
    return !e || !(strcmp(e, "exit 0") == 0 || strcmp(e, "exec") == 0);
}

/* The process tree with each program's end, run and CPU time. */
static int job_tree(FILE *f, const struct rp_result *t)
{
    static const char *const cols[] = { "program", "pid", "host", "start", "run_time",
                                        "cpu_time", "end", "exe_path", "cmdline" };
    int ci[9];
    for (int k = 0; k < 9; k++)
        ci[k] = rp_html_col(t, cols[k]);
    fputs("<table id=\"tree\"><thead><tr>", f);
    for (int k = 0; k < 9; k++)
        fprintf(f, "<th>%s</th>", cols[k]);
    fputs("</tr></thead><tbody>\n", f);
    for (size_t i = 0; i < t->nrows; i++) {
        fputs("<tr>", f);
        for (int k = 0; k < 9; k++) {
            const struct rp_cell *c = ci[k] >= 0 ? &t->cells[i * t->ncols + (size_t)ci[k]] : NULL;
            const char *cls = k == 0 ? " style=\"white-space:pre\""
                            : k == 6 ? (bad_end(c ? c->s : NULL) ? " class=\"bad\"" : " class=\"ok\"")
                            : (k == 1 || k == 4 || k == 5) ? " class=\"n\"" : "";
            fprintf(f, "<td%s>", cls);
            if (c && c->s)
                rp_svg_text(f, c->s, c->len);
            else
                fputs("-", f);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (!t->nrows)
        fputs("<tr><td colspan=\"9\">(no runs)</td></tr>\n", f);
    fputs("</tbody></table>\n", f);
    return ferror(f) ? -1 : 0;
}

static int job_page(FILE *f, const char *job, const struct rp_result *t, const struct rp_result *o)
{
    char title[160], lab[64][96];
    const char *lp[64];
    double rt[64], tot_rt = 0, tot_cpu = 0;
    size_t failed = 0, n = 0;
    int ec = rp_html_col(t, "end"), rc_ = rp_html_col(t, "run_time"), cc = rp_html_col(t, "cpu_time"),
        pc = rp_html_col(t, "program"), pidc = rp_html_col(t, "pid"), sc = rp_html_col(t, "syshost");
    const char *sys = t->nrows && sc >= 0 && t->cells[(size_t)sc].s ? t->cells[(size_t)sc].s : NULL;
    snprintf(title, sizeof title, "track: job %s%s%s", job, sys ? " on " : "", sys ? sys : "");
    if (rp_html_begin(f, title) < 0)
        return -1;
    for (size_t i = 0; i < t->nrows; i++) {
        failed += ec >= 0 && bad_end(t->cells[i * t->ncols + (size_t)ec].s);
        tot_rt += rp_html_num(t, i, rc_);
        tot_cpu += rp_html_num(t, i, cc);
        if (n < 64) {
            const char *p = pc >= 0 && t->cells[i * t->ncols + (size_t)pc].s
                                ? t->cells[i * t->ncols + (size_t)pc].s : "?";
            while (*p == ' ')
                p++;
            snprintf(lab[n], sizeof lab[n], "%.70s (pid %.12s)", p,
                     pidc >= 0 && t->cells[i * t->ncols + (size_t)pidc].s
                         ? t->cells[i * t->ncols + (size_t)pidc].s : "?");
            lp[n] = lab[n];
            rt[n++] = rp_html_num(t, i, rc_);
        }
    }
    fprintf(f, "<section id=\"job-summary\"><table id=\"job-summary-table\"><tbody>\n"
            "<tr><th>runs</th><td class=\"n\" id=\"job-runs\">%zu</td></tr>\n"
            "<tr><th>runs that failed</th><td class=\"n\" id=\"job-failed\">%zu</td></tr>\n"
            "<tr><th>run time (s)</th><td class=\"n\">%.2f</td></tr>\n"
            "<tr><th>CPU time (s)</th><td class=\"n\">%.2f</td></tr>\n"
            "</tbody></table><p class=\"note\">failed: ended on a signal, with a non-zero "
            "status, or without an end record (not replaced by exec).</p></section>\n",
            t->nrows, failed, tot_rt, tot_cpu);
    fputs("<section id=\"process-tree\"><h2>Process tree</h2>\n", f);
    if (job_tree(f, t) < 0)
        return -1;
    fputs("</section>\n<section id=\"run-times\"><h2>Run time per program</h2>\n", f);
    if (rp_svg_hbar(f, "Run time per program", "seconds", n, lp, rt) < 0)
        return -1;
    fputs("</section>\n<section id=\"libraries\"><h2>Libraries</h2>\n", f);
    if (rp_html_table(f, o, "libraries-table", 1, "library", 0) < 0)
        return -1;
    fputs("</section>\n<section id=\"modules\"><h2>Modules</h2>\n", f);
    if (rp_html_table(f, o, "modules-table", 1, "module", 0) < 0)
        return -1;
    fputs("</section>\n", f);
    return rp_html_end(f);
}

int rp_dash_job(struct rp_db *db, const char *sqldir, const char *job, FILE *f,
                char *err, size_t errlen)
{
    struct rp_result t = { 0 }, o = { 0 };
    int rc = run(db, sqldir, "job", NULL, 0, &t, err, errlen);
    if (!rc)
        rc = run(db, sqldir, "job-objects", NULL, 0, &o, err, errlen);
    if (!rc && job_page(f, job, &t, &o) < 0) {
        snprintf(err, errlen, "writing the page: %s", strerror(errno));
        rc = -2;
    }
    rp_result_free(&t);
    rp_result_free(&o);
    return rc;
}
