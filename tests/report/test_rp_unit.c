/* Unit tests of track-report's pieces that need no server: display
 * escaping, JSON numbers, dates, option errors, CSV/JSON/table output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_opts.h"
#include "rp_svg.h"
#include "rp_out.h"
#include "rp_text.h"
#include "tcheck.h"

static void test_escape(void)
{
    size_t n;
    char *e = spool_text_escape("a\\b\xff\xc3\xa9\n\x7f", 8, &n);
    CHECK_STR(e, "a\\\\b\\xff\xc3\xa9\\x0a\\x7f");
    CHECK_INT(n, strlen(e));
    CHECK_INT(rp_text_width(e, n), 17);
    free(e);
    /* an overlong '/' and a UTF-8-encoded surrogate are not UTF-8 */
    e = spool_text_escape("\xc0\xaf\xed\xb2\x80", 5, &n);
    CHECK_STR(e, "\\xc0\\xaf\\xed\\xb2\\x80");
    free(e);
}

static void test_numbers(void)
{
    CHECK(rp_text_is_json_number("0", 1));
    CHECK(rp_text_is_json_number("-12.50", 6));
    CHECK(rp_text_is_json_number("1e10", 4));
    CHECK(!rp_text_is_json_number("012", 3));
    CHECK(!rp_text_is_json_number(".5", 2));
    CHECK(!rp_text_is_json_number("1.", 2));
    CHECK(!rp_text_is_json_number("", 0));
    CHECK(!rp_text_is_json_number("nan", 3));
}

static void test_dates(void)
{
    CHECK(rp_opts_date_ok("2024-02-29"));
    CHECK(!rp_opts_date_ok("2023-02-29"));
    CHECK(!rp_opts_date_ok("1900-02-28"));
    CHECK(!rp_opts_date_ok("2024-04-31"));
    CHECK(!rp_opts_date_ok("2024-4-01"));
    CHECK(!rp_opts_date_ok("2024-04-01x"));
    CHECK(rp_opts_date_ok("2000-02-29"));
}

static int parse(const char *line, struct rp_opts *o, char *err)
{
    char *argv[32], buf[512];
    int argc = 0;
    snprintf(buf, sizeof buf, "track-report %s", line);
    for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    err[0] = '\0';
    return rp_opts_parse(argc, argv, o, err, 256);
}

static void test_opts(void)
{
    struct rp_opts o;
    char err[256];
    CHECK_INT(parse("summary --since 2024-01-01 --until=2024-02-01 --limit 5 --format csv", &o, err), 0);
    CHECK_STR(o.since, "2024-01-01");
    CHECK_STR(o.until, "2024-02-01");
    CHECK_INT(o.limit, 5);
    CHECK_INT(o.format, RP_FORMAT_CSV);
    CHECK_INT(parse("who-used --build-id ABcd --signature 7D3C1E2A-4B5F-4C6D-8E9F-0A1B2C3D4E5F", &o, err), 0);
    CHECK_STR(o.build_id, "abcd");
    CHECK_STR(o.signature, "7d3c1e2a-4b5f-4c6d-8e9f-0a1b2c3d4e5f");
    CHECK_INT(parse("job 1234_5 --syshost alpha", &o, err), 0);
    CHECK_STR(o.arg, "1234_5");
    CHECK_INT(parse("env OMP_NUM_THREADS", &o, err), 0);
    CHECK_STR(o.arg, "OMP_NUM_THREADS");
    CHECK_INT(parse("summary --limit -1", &o, err), -1);
    CHECK(strstr(err, "--limit") != NULL);
    CHECK_INT(parse("summary --limit +1", &o, err), -1);
    CHECK_INT(parse("summary --limit 1000001", &o, err), -1);
    CHECK_INT(parse("who-used --build-id abc", &o, err), -1);
    CHECK(strstr(err, "--build-id") != NULL);
    CHECK_INT(parse("env A=B", &o, err), -1);
    CHECK_INT(parse("job", &o, err), -1);
    CHECK_INT(parse("summary --since 2024-02-01 --until 2024-01-01", &o, err), -1);
    CHECK(strstr(err, "--since") != NULL);
    CHECK_INT(parse("--help", &o, err), 0);
    CHECK(o.help);
}

/* Prints r into a memory stream and returns the text (caller frees). */
static char *render(enum rp_format fmt, const struct rp_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct rp_meta m = { "test", "2024-01-01", "2024-02-01" };
    CHECK(f != NULL);
    CHECK_INT(rp_out_print(f, fmt, &m, r), 0);
    fclose(f);
    return buf;
}

static void test_output(void)
{
    char *names[] = { "section", "path", "n" };
    int numeric[] = { 0, 0, 1 };
    struct rp_cell cells[] = {
        { "a", 1 }, { "x,\"y\"\xff", 6 }, { "12.50", 5 },
        { "b", 1 }, { NULL, 0 }, { "3", 1 },
    };
    struct rp_result r = { 3, 2, names, numeric, cells };
    char *s = render(RP_FORMAT_CSV, &r);
    CHECK_STR(s, "section,path,n\r\na,\"x,\"\"y\"\"\\xff\",12.50\r\nb,,3\r\n");
    free(s);
    s = render(RP_FORMAT_JSON, &r);
    CHECK_STR(s, "{\"report\":\"test\",\"since\":\"2024-01-01\",\"until\":\"2024-02-01\","
                 "\"columns\":[\"section\",\"path\",\"n\"],\"rows\":[\n"
                 "{\"section\":\"a\",\"path\":\"x,\\\"y\\\"\\udcff\",\"n\":12.50},\n"
                 "{\"section\":\"b\",\"path\":null,\"n\":3}]}\n");
    free(s);
    s = render(RP_FORMAT_TABLE, &r);
    CHECK(strstr(s, "== a\npath           n\n") != NULL);
    CHECK(strstr(s, "x,\"y\"\\xff  12.50\n") != NULL);
    CHECK(strstr(s, "== b\n") != NULL);
    free(s);
    r.nrows = 0;
    s = render(RP_FORMAT_TABLE, &r);
    CHECK(strstr(s, "(no runs)") != NULL);
    free(s);
    s = render(RP_FORMAT_JSON, &r);
    CHECK(strstr(s, "\"rows\":[]}") != NULL);
    free(s);
}

static void test_daily_dash_opts(void)
{
    struct rp_opts o;
    char err[256];
    CHECK_INT(parse("daily --by executable", &o, err), 0);
    CHECK_STR(o.by, "executable");
    CHECK_INT(parse("daily --by host", &o, err), -1);
    CHECK(strstr(err, "--by") != NULL);
    CHECK_INT(parse("users --by user", &o, err), -1);
    CHECK(strstr(err, "--by") != NULL);
    CHECK_INT(parse("dashboard -o /tmp/x --since 2024-01-01", &o, err), 0);
    CHECK_STR(o.outdir, "/tmp/x");
    CHECK_INT(parse("dashboard --output /tmp/y", &o, err), 0);
    CHECK_STR(o.outdir, "/tmp/y");
    CHECK_INT(parse("dashboard", &o, err), -1);
    CHECK(strstr(err, "-o DIR") != NULL);
    CHECK_INT(parse("summary -o /tmp/x", &o, err), -1);
    CHECK_INT(parse("job 12 --format html", &o, err), 0);
    CHECK_INT(o.format, RP_FORMAT_HTML);
    CHECK_INT(parse("summary --format html", &o, err), -1);
    CHECK(strstr(err, "--format") != NULL);
}

/* Charts are plain text: escaping, one <rect> per non-zero value, a legend
 * entry per series, numbers that are not finite drawn as nothing. */
static void test_svg(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *x[] = { "d1", "d2", "d3" };
    const char *sn[] = { "/bin/a<b>&\"c\"", "u\xff" };
    const double v[] = { 1, 0, 2, 3, -1, INFINITY };
    CHECK_INT(rp_svg_stacked(f, "t", "core-hours", 3, x, 2, sn, v), 0);
    fclose(f);
    CHECK(strncmp(buf, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
    CHECK(strstr(buf, "/bin/a&lt;b&gt;&amp;&quot;c&quot;") != NULL);
    CHECK(strstr(buf, "u\\xff") != NULL);            /* a byte that is not UTF-8 */
    CHECK(strstr(buf, "<b>") == NULL);
    int rects = 0;
    for (char *p = buf; (p = strstr(p, "<rect")); p++)
        rects++;
    CHECK_INT(rects, 3 + 2);                          /* non-zero values + legend */
    CHECK(strstr(buf, "</svg>") != NULL);
    free(buf);
    f = open_memstream(&buf, &len);
    const char *lab[] = { "x", "y" };
    const double hv[] = { 10, 5 };
    CHECK_INT(rp_svg_hbar(f, "t", "runs", 2, lab, hv), 0);
    fclose(f);
    CHECK(strstr(buf, ">10</text>") != NULL && strstr(buf, ">5</text>") != NULL);
    free(buf);
}

int main(void)
{
    test_escape();
    test_numbers();
    test_dates();
    test_opts();
    test_output();
    test_daily_dash_opts();
    test_svg();
    return tcheck_result();
}
