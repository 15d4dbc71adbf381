/* Package records (spool/rec_pkg.c, docs/python.md): a record as the hook
 * writes it is read back field by field; every hostile variant is refused
 * with a one-line reason naming the key; names of kind pkg build and parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_parse.h"
#include "spool_name.h"
#include "tcheck.h"

#define UUID "0192f0c4-5a6b-7c8d-9e0f-a1b2c3d4e5f6"
#define HEAD "{\"schema\":1,\"kind\":\"packages\",\"run_uuid\":\"" UUID "\",\"syshost\":\"c1\"," \
             "\"host\":\"n1\",\"user\":\"alice\",\"uid\":1000,\"gid\":100,\"pid\":77," \
             "\"time\":1732214400.500000,"
#define PY   "\"python\":{\"version\":\"3.11.2\",\"implementation\":\"cpython\"," \
             "\"executable\":\"/usr/bin/python3\",\"prefix\":\"/usr\",\"environment\":\"system\"},"
#define PKGS "\"packages\":[{\"name\":\"numpy\",\"version\":\"1.24.2\",\"source\":\"system\"," \
             "\"modules\":[\"numpy\"]},{\"name\":\"PyYAML\",\"version\":\"6.0\",\"source\":\"venv\"," \
             "\"modules\":[\"yaml\",\"_yaml\"]},{\"name\":\"x\",\"source\":\"path\"}]"

static void test_valid(void)
{
    static const char json[] = HEAD "\"job\":{\"scheduler\":\"slurm\",\"id\":\"77\"}," PY PKGS
                               ",\"truncated\":true,\"future_key\":[1]}";
    struct rec r;
    char err[256] = "";
    int rc = rec_parse(json, sizeof json - 1, &r, err, sizeof err);
    if (rc)
        fprintf(stderr, "unexpected: %s\n", err);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    CHECK_INT(r.kind, SPOOL_KIND_PKG);
    CHECK_STR(r.run_uuid, UUID);
    CHECK_STR(r.user.s, "alice");
    CHECK_INT(r.pid, 77);
    CHECK_INT(r.ppid, -1);
    CHECK_INT(r.start_us, 1732214400500000LL);
    CHECK_INT(r.end_us, -1);
    CHECK_INT(r.job.present, 1);
    CHECK_STR(r.job.id.s, "77");
    CHECK_INT(r.truncated, 1);
    CHECK_STR(r.py_version.s, "3.11.2");
    CHECK_STR(r.py_impl.s, "cpython");
    CHECK_STR(r.py_exe.s, "/usr/bin/python3");
    CHECK_STR(r.py_env.s, "system");
    CHECK_STR(r.exe.path.s, "");
    CHECK_INT(r.ncmdline + r.nobjects + r.nenv + r.nmodules, 0);
    CHECK_INT(r.npkgs, 3);
    CHECK_STR(r.pkgs[0].name.s, "numpy");
    CHECK_STR(r.pkgs[0].version.s, "1.24.2");
    CHECK_STR(r.pkgs[0].source.s, "system");
    CHECK_INT(r.pkgs[0].nmodules, 1);
    CHECK_STR(r.pkgs[0].modules[0].s, "numpy");
    CHECK_INT(r.pkgs[1].nmodules, 2);
    CHECK_STR(r.pkgs[1].modules[1].s, "_yaml");
    CHECK_STR(r.pkgs[1].source.s, "venv");
    CHECK_STR(r.pkgs[2].version.s, "");
    CHECK_INT(r.pkgs[2].nmodules, 0);

    struct spool_name n;
    char name[SPOOL_NAME_MAX];
    CHECK_INT(spool_name_build(name, SPOOL_KIND_PKG, "c1", "2024_11_21_19_00_00_5000", "alice",
                               UUID), 0);
    CHECK_STR(name, "pkg.c1.2024_11_21_19_00_00_5000.alice." UUID ".json");
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(n.kind, SPOOL_KIND_PKG);
    CHECK_STR(n.uuid, UUID);
    CHECK_STR(n.yyyymm, "202411");
    CHECK_INT(rec_check_name(&r, &n, err, sizeof err), 0);
    CHECK_INT(spool_name_parse("pkg.c1.2024_11_21_19_00_00_5000.alice.aaa." UUID ".json", &n), -1);
    CHECK_INT(spool_name_parse("run.c1.2024_11_21_19_00_00_5000.alice.pkg." UUID ".json", &n), -1);
    CHECK_INT(spool_name_build(name, SPOOL_KIND_START, "c1", "2024_11_21_19_00_00_5000", "alice",
                               UUID), 0);
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(rec_check_name(&r, &n, err, sizeof err), -1);
    CHECK(strstr(err, "name says kind start, record says packages") != NULL);
    rec_free(&r);
}

static void expect_fails(const char *json, const char *want)
{
    struct rec r;
    char err[256] = "";
    if (rec_parse(json, strlen(json), &r, err, sizeof err) == 0) {
        tcheck_fail(__FILE__, __LINE__, "accepted: %.200s", json);
        rec_free(&r);
        return;
    }
    if (!strstr(err, want))
        tcheck_fail(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"", err, want);
    if (strchr(err, '\n'))
        tcheck_fail(__FILE__, __LINE__, "reason spans lines: %s", err);
}

static void test_rejections(void)
{
    char big[1024], json[2048];
    memset(big, 'n', 129);
    big[129] = '\0';

    expect_fails(HEAD PKGS "}", "key 'python': missing");
    expect_fails(HEAD PY "\"x\":1}", "key 'packages': missing");
    expect_fails(HEAD "\"python\":[]," PKGS "}", "key 'python': expected an object");
    expect_fails(HEAD "\"python\":{\"environment\":\"system\"}," PKGS "}",
                 "key 'python.version': missing");
    expect_fails(HEAD "\"python\":{\"version\":\"3\",\"environment\":\"docker\"}," PKGS "}",
                 "key 'python.environment': expected system, venv or conda");
    expect_fails(HEAD PY "\"packages\":{}}", "key 'packages': expected an array");
    expect_fails(HEAD PY "\"packages\":[1]}", "key 'packages[0]': expected an object");
    expect_fails(HEAD PY "\"packages\":[{\"version\":\"1\",\"source\":\"system\"}]}",
                 "key 'packages[0].name': missing");
    expect_fails(HEAD PY "\"packages\":[{\"name\":\"\",\"source\":\"system\"}]}",
                 "key 'packages[0].name': empty");
    expect_fails(HEAD PY "\"packages\":[{\"name\":\"a\",\"source\":\"pypi\"}]}",
                 "key 'packages[0].source': expected system, user, venv, conda or path");
    expect_fails(HEAD PY "\"packages\":[{\"name\":\"a\"},{\"name\":\"a\",\"source\":\"x\"}]}",
                 "key 'packages[0].source': missing");
    expect_fails(HEAD PY "\"packages\":[{\"name\":\"a\\udcff\",\"source\":\"user\"}]}",
                 "key 'packages[0].name': not valid UTF-8 text");
    expect_fails(HEAD PY "\"packages\":[{\"name\":\"a\\n\",\"source\":\"user\"}]}",
                 "key 'packages[0].name': control character 0x0a");
    snprintf(json, sizeof json, HEAD PY "\"packages\":[{\"name\":\"%s\",\"source\":\"user\"}]}", big);
    expect_fails(json, "key 'packages[0].name': 129 bytes, at most 128 allowed");
    big[65] = '\0';
    snprintf(json, sizeof json, HEAD PY "\"packages\":[{\"name\":\"a\",\"version\":\"%s\","
             "\"source\":\"user\"}]}", big);
    expect_fails(json, "key 'packages[0].version': 65 bytes, at most 64 allowed");
    expect_fails(HEAD PY "\"packages\":[{\"name\":\"a\",\"source\":\"user\",\"modules\":\"a\"}]}",
                 "key 'packages[0].modules': expected an array");
    expect_fails(HEAD PY "\"packages\":[{\"name\":\"a\",\"source\":\"user\",\"modules\":[\"\"]}]}",
                 "key 'packages[0].modules[]': empty");
    expect_fails(HEAD PY "\"packages\":[{\"name\":\"a\",\"source\":\"user\",\"modules\":[7]}]}",
                 "key 'packages[0].modules[]': expected a string");
    expect_fails(HEAD PY PKGS ",\"truncated\":1}", "key 'truncated': expected a boolean");
    expect_fails("{\"schema\":1,\"kind\":\"packages\",\"run_uuid\":\"" UUID "\",\"syshost\":\"c1\","
                 "\"host\":\"n1\",\"user\":\"alice\",\"uid\":1000,\"gid\":100,\"pid\":77," PY PKGS "}",
                 "key 'time': missing");
    expect_fails("{\"schema\":1,\"kind\":\"packages\",\"run_uuid\":\"" UUID "\",\"syshost\":\"c1\","
                 "\"host\":\"n1\",\"user\":\"alice\",\"uid\":1000,\"gid\":100,"
                 "\"time\":1732214400.5," PY PKGS "}",
                 "key 'pid': missing");
    expect_fails(HEAD "\"job\":7," PY PKGS "}", "key 'job': expected an object");
}

/* A package record has no cwd: a "cwd" key is ignored, length and all (it
 * once kept the key's length with an empty pointer: fuzz_rec_parse). */
static void test_foreign_keys(void)
{
    static const char json[] = HEAD "\"cwd\":\"/home/alice\",\"job\":{\"scheduler\":\"slurm\","
                               "\"id\":\"77\"}," PY PKGS "}";
    struct rec r;
    char err[256] = "";
    int rc = rec_parse(json, sizeof json - 1, &r, err, sizeof err);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    CHECK_STR(r.cwd.s, "");
    CHECK_INT(r.cwd.len, 0);
    CHECK_INT(r.exe.path.len, 0);
    CHECK_INT(r.link_output.len + r.linker.len + r.output_build_id.len, 0);
    rec_free(&r);
}

/* A package record does not read "objects", so accepting one that carries
 * them must not vouch for that text in the parser's memo: a start record
 * with the same invalid list is rejected through the memo as without it
 * (found by fuzz_rec_parse). */
static void test_memo_not_vouched(void)
{
    static const char pkg[] = HEAD PY PKGS ",\"objects\":[\"prog\"]}";
    static const char start[] =
        "{\"schema\":1,\"kind\":\"start\",\"run_uuid\":\"" UUID "\",\"syshost\":\"c1\","
        "\"host\":\"n1\",\"uid\":1000,\"gid\":100,\"user\":\"alice\",\"pid\":42,\"ppid\":1,"
        "\"start_time\":1732215600.123456,\"exe\":{\"path\":\"/usr/bin/prog\"},"
        "\"cmdline\":[\"prog\"],\"cwd\":\"/home/alice\",\"objects\":[\"prog\"]}";
    struct rec_parser p = REC_PARSER_INIT;
    struct rec r;
    char err[256] = "", err2[256] = "";

    CHECK_INT(rec_parse_with(&p, pkg, sizeof pkg - 1, &r, err, sizeof err), 0);
    rec_free(&r);
    CHECK_INT(rec_parse(start, sizeof start - 1, &r, err, sizeof err), -1);
    CHECK(strstr(err, "objects[0]") != NULL);
    CHECK_INT(rec_parse_with(&p, start, sizeof start - 1, &r, err2, sizeof err2), -1);
    CHECK(strcmp(err, err2) == 0);
    rec_parser_free(&p);
}

int main(void)
{
    test_valid();
    test_foreign_keys();
    test_rejections();
    test_memo_not_vouched();
    return tcheck_result();
}
