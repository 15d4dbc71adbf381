/* Unit tests of the software map parsers (sw_map.h): the name split, the
 * rules file (accepted forms, every error as FILE:LINE: reason, a failed
 * parse leaves the map as it was), Lmod's reverse map in both of spider's
 * forms, and the glob -> LIKE conversion. No server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_opts.h"
#include "rp_swload.h"
#include "sw_map.h"
#include "tcheck.h"

static void split(const char *s, const char *pkg, const char *ver, const char *base)
{
    size_t pl, bl;
    const char *v;
    sw_split(s, strlen(s), &pl, &v, &bl);
    CHECK_MEM(s, pl, pkg, strlen(pkg));
    if (ver)
        CHECK_STR(v, ver);
    else
        CHECK(v == NULL);
    CHECK_MEM(s, bl, base, strlen(base));
}

static void test_split(void)
{
    split("fftw/3.3.10", "fftw", "3.3.10", "fftw/3.3.10");
    split("openblas/0.3(gcc/12)", "openblas", "0.3(gcc/12)", "openblas/0.3");
    split("apps/gromacs/2023", "apps/gromacs", "2023", "apps/gromacs/2023");
    split("matlab", "matlab", NULL, "matlab");
    split("/x", "/x", NULL, "/x");
    split("x/", "x/", NULL, "x/");
    split("a(b)", "a(b)", NULL, "a");
}

static int parse(struct sw_map *m, const char *text, char *err, size_t errlen)
{
    return sw_rules_parse("R", text, strlen(text), m, err, errlen);
}

static void bad(const char *text, const char *expect)
{
    struct sw_map m = SW_MAP_INIT;
    char err[512] = "";
    CHECK_INT(sw_map_add(&m, SW_PREFIX, SW_RULE, "/keep", 5, "k", 1, 1), 0);
    CHECK_INT(parse(&m, text, err, sizeof err), -1);
    if (strncmp(err, expect, strlen(expect)) != 0)
        tcheck_fail(__FILE__, __LINE__, "error '%s', expected it to start with '%s'", err, expect);
    CHECK_INT(m.n, 1);
    sw_map_free(&m);
}

static void test_rules(void)
{
    struct sw_map m = SW_MAP_INIT;
    char err[512] = "";
    const char *text =
        "# a comment\n"
        "\n"
        "prefix /opt/apps/fftw/3.3.10/  fftw/3.3.10   # trailing comment\r\n"
        "prefix \"/opt/with space/\\x41\\\\\" pkg\n"
        "\texe  pmemd*  Amber\n"
        "exe a#b x/1\n"
        "prefix /opt/hier openblas/0.3(gcc/12)";
    CHECK_INT(parse(&m, text, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_INT(m.n, 5);
    CHECK_STR(m.e[0].key, "/opt/apps/fftw/3.3.10");
    CHECK_INT(m.e[0].keylen, 21);
    CHECK_STR(m.e[0].package, "fftw");
    CHECK_STR(m.e[0].version, "3.3.10");
    CHECK_INT(m.e[0].line, 3);
    CHECK(m.e[0].module == NULL);
    CHECK_INT(m.e[0].src, SW_RULE);
    CHECK_STR(m.e[1].key, "/opt/with space/A\\");
    CHECK(m.e[1].version == NULL);
    CHECK_INT(m.e[2].kind, SW_EXE);
    CHECK_STR(m.e[2].key, "pmemd*");
    CHECK_STR(m.e[2].package, "Amber");
    CHECK_STR(m.e[3].key, "a#b");
    sw_map_free(&m);

    bad("prefix rel x\n", "R:1: the prefix must be an absolute path");
    bad("\n\nprefix /a/./b x\n", "R:3: the prefix must be canonical");
    bad("prefix /a//b x\n", "R:1: the prefix must be canonical");
    bad("prefix /a/.. x\n", "R:1: the prefix must be canonical");
    bad("prefix / x\n", "R:1: the prefix '/' would claim every path");
    bad("prefix /a\n", "R:1: 'prefix' takes 2 fields");
    bad("prefix /a b c\n", "R:1: 'prefix' takes 2 fields");
    bad("prefix /a b c d e\n", "R:1: too many fields");
    bad("frob /a b\n", "R:1: unknown rule 'frob'");
    bad("prefix /a x/\n", "R:1: target starts or ends with '/'");
    bad("prefix /a /1\n", "R:1: target starts or ends with '/'");
    bad("prefix /a x//1\n", "R:1: package name");
    bad("prefix /a \"x y\"\n", "R:1: package name holds a blank");
    bad("prefix /a \xff\n", "R:1: package name is not valid UTF-8");
    bad("exe a/b x\n", "R:1: the pattern matches the executable's file name");
    bad("exe [ab] x\n", "R:1: '[' classes are not supported");
    bad("prefix \"/a x\n", "R:1: unterminated quoted string");
    bad("prefix \"/a\"x y\n", "R:1: a quoted string must be followed by a blank");
    bad("prefix /a\"b\" y\n", "R:1: a '\"' inside a word");
    bad("prefix \"/a\\n\" y\n", "R:1: bad escape");
    bad("prefix \"/a\\x00\" y\n", "R:1: \\x00 is not allowed");
    bad("prefix /a\x01 y\n", "R:1: control character 0x01");
    bad("prefix /a x\nexe p y\nprefix /a/ z\n", "R:3: prefix '/a' already given at line 1");
    bad("exe p y\nexe p z\n", "R:2: pattern 'p' already given at line 1");
    {
        char big[9000];
        memset(big, 'a', sizeof big);
        memcpy(big, "prefix /", 8);
        big[sizeof big - 1] = '\0';
        bad(big, "R:1: line longer than 8192 bytes");
    }
}

static int lmod(struct sw_map *m, const char *text, char *err, size_t errlen)
{
    return sw_lmod_parse("M", text, strlen(text), m, err, errlen);
}

static void lmod_bad(const char *text, const char *expect)
{
    struct sw_map m = SW_MAP_INIT;
    char err[512] = "";
    CHECK_INT(lmod(&m, text, err, sizeof err), -1);
    if (strncmp(err, expect, strlen(expect)) != 0 || strchr(err, '\n'))
        tcheck_fail(__FILE__, __LINE__, "error '%s', expected it to start with '%s'", err, expect);
    CHECK_INT(m.n, 0);
    sw_map_free(&m);
}

static void test_lmod(void)
{
    struct sw_map m = SW_MAP_INIT;
    char err[512] = "";
    CHECK_INT(lmod(&m, "{\"xlibmap\":[],\"reverseMapT\":{\"\\/a\\/fftw\\/bin\":\"fftw\\/3.3.10\","
                       "\"/b/lib/\":\"openblas\\/0.3(gcc\\/12)\",\"/\":\"root/1\"}}",
                   err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_INT(m.n, 2);
    CHECK_STR(m.e[0].key, "/a/fftw/bin");
    CHECK_STR(m.e[0].module, "fftw/3.3.10");
    CHECK_INT(m.e[0].src, SW_LMOD);
    CHECK_STR(m.e[1].key, "/b/lib");
    CHECK_STR(m.e[1].package, "openblas");
    CHECK_STR(m.e[1].version, "0.3(gcc/12)");
    CHECK_STR(m.e[1].module, "openblas/0.3");
    /* the jsonReverseMapT form appends */
    CHECK_INT(lmod(&m, "{\"timestampFn\":false,\"reverseMapT\":{\"/c/lib\":{\"moduleFn\":\"/m.lua\","
                       "\"flavor\":[\"default\",{\"x\":[1]}],\"kind\":\"lib\",\"pkg\":\"c/2\"}}}",
                   err, sizeof err), 0);
    CHECK_INT(m.n, 3);
    CHECK_STR(m.e[2].key, "/c/lib");
    CHECK_STR(m.e[2].module, "c/2");
    /* an empty tree */
    CHECK_INT(lmod(&m, "{\"xlibmap\":[],\"reverseMapT\":[]}", err, sizeof err), 0);
    CHECK_INT(m.n, 3);
    sw_map_free(&m);

    lmod_bad("[1]", "M: not a JSON object");
    lmod_bad("{\"a\":1}", "M: no \"reverseMapT\"");
    lmod_bad("{\"reverseMapT\":{\"x\":\"y\"}}", "M: reverseMapT: key 'x' is not an absolute path");
    lmod_bad("{\"reverseMapT\":{\"/x\":3}}", "M: reverseMapT: directory '/x' maps to neither");
    lmod_bad("{\"reverseMapT\":{\"/x\":{\"kind\":\"bin\"}}}", "M: reverseMapT: directory '/x' has no \"pkg\"");
    lmod_bad("{\"reverseMapT\":{\"/x\":\"\"}}", "M: reverseMapT: directory '/x' has an empty");
    lmod_bad("{\"reverseMapT\":{\"/x\":\"a\\u0000b\"}}", "M: reverseMapT: directory '/x' has an empty");
    lmod_bad("{\"reverseMapT\":{\"/ok\":\"a/1\",\"/x\":[]}}", "M: reverseMapT: directory '/x' maps to an array");
    lmod_bad("{\"reverseMapT\":{\"/x\":\"a/1\"", "M: not valid JSON");
    lmod_bad("{\"reverseMapT\":{}} {}", "M: not valid JSON");
    {
        char deep[300];
        memset(deep, '[', sizeof deep);
        memcpy(deep, "{\"a\":", 5);
        deep[sizeof deep - 1] = '\0';
        lmod_bad(deep, "M: nested deeper than 64");
    }
}

static void test_like(void)
{
    size_t n;
    char *s = sw_like("a*b?c%d_e|f", 11, &n);
    CHECK_STR(s, "a%b_c|%d|_e||f");
    CHECK_INT(n, strlen(s));
    free(s);
    CHECK(rp_swload_wanted("software"));
    CHECK(rp_swload_wanted("who-used"));
    CHECK(!rp_swload_wanted("summary"));
}

static void test_package_opt(void)
{
    struct rp_opts o;
    char err[256];
    char *a1[] = { "track-report", "who-used", "--package", "fftw/3.3.10", NULL };
    char *a2[] = { "track-report", "who-used", "--package", "openblas/0.3(gcc/12)", NULL };
    char *a3[] = { "track-report", "who-used", "--package", "fftw/", NULL };
    char *a4[] = { "track-report", "software", "--package", "fftw", NULL };
    CHECK_INT(rp_opts_parse(4, a1, &o, err, sizeof err), 0);
    CHECK_STR(o.package, "fftw");
    CHECK_STR(o.pkg_version, "3.3.10");
    CHECK_INT(rp_opts_parse(4, a2, &o, err, sizeof err), 0);
    CHECK_STR(o.package, "openblas");
    CHECK_STR(o.pkg_version, "0.3(gcc/12)");
    CHECK_INT(rp_opts_parse(4, a3, &o, err, sizeof err), -1);
    CHECK(strstr(err, "--package") != NULL);
    CHECK_INT(rp_opts_parse(4, a4, &o, err, sizeof err), -1);
    CHECK(strstr(err, "only the who-used report") != NULL);
}

int main(void)
{
    test_split();
    test_rules();
    test_lmod();
    test_like();
    test_package_opt();
    return tcheck_result();
}
