/* rec_parse unit tests: records written by the real writer (spool_json) and
 * literal JSON for what no writer produces. Every rejection must name the key
 * (or offset) at fault. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_objmemo.h"
#include "rec_parse.h"
#include "rec_same.h"
#include "spool_json.h"
#include "spool_name.h"
#include "tcheck.h"

#define UUID1 "0192f0c4-5a6b-7c8d-9e0f-a1b2c3d4e5f6"
#define UUID2 "0192f0c4-5a6b-7c8d-9e0f-000000000002"
#define SIG   "4f1c2b3a-1111-4222-8333-944455556666"
#define BID   "3c5a0d9e1f2b4c6d8e0a1b2c3d4e5f607182a3b4"

static char buf[65536];

/* Bytes that are not UTF-8, a quote, a backslash, a control char and SQL
 * metacharacters: all must come back exactly. */
static const char weird[] = "a\"b\\c\n\x80\xff\xed\xb2\x80'; DROP TABLE track_run; --\xc3\xa9";

static size_t write_run(int kind, int with_job)
{
    struct spool_json j;
    spool_json_init(&j, buf, sizeof buf);
    spool_json_obj_open(&j);
    spool_json_kint(&j, "schema", 1);
    spool_json_kstr(&j, "kind", kind == SPOOL_KIND_END ? "end" : "start");
    spool_json_kstr(&j, "run_uuid", UUID1);
    spool_json_kstr(&j, "parent_uuid", UUID2);
    spool_json_kstr(&j, "syshost", "cluster1");
    spool_json_kstr(&j, "host", "node001.example");
    spool_json_kint(&j, "uid", 1000);
    spool_json_kint(&j, "gid", 100);
    spool_json_kstr(&j, "user", "alice");
    spool_json_kint(&j, "pid", 4242);
    spool_json_kint(&j, "ppid", 1);
    spool_json_key(&j, "start_time");
    spool_json_time(&j, 1732214400, 123456);
    spool_json_key(&j, "exe");
    spool_json_obj_open(&j);
    spool_json_kstr(&j, "path", "/usr/bin/prog");
    spool_json_kstr(&j, "build_id", BID);
    spool_json_kstr(&j, "signature", SIG);
    spool_json_obj_close(&j);
    spool_json_key(&j, "cmdline");
    spool_json_arr_open(&j);
    spool_json_str(&j, "prog");
    spool_json_strn(&j, weird, sizeof weird - 1, 0, NULL);
    spool_json_str(&j, "");
    spool_json_arr_close(&j);
    spool_json_key(&j, "cwd");
    spool_json_strn(&j, weird, sizeof weird - 1, 0, NULL);
    if (with_job) {
        spool_json_key(&j, "job");
        spool_json_obj_open(&j);
        spool_json_kstr(&j, "scheduler", "slurm");
        spool_json_kstr(&j, "id", "123456");
        spool_json_kstr(&j, "step", "batch");
        spool_json_kstr(&j, "partition", "compute");
        spool_json_kint(&j, "num_nodes", 2);
        spool_json_kint(&j, "num_tasks", 8);
        spool_json_kint(&j, "cpus_per_task", 4);
        spool_json_kint(&j, "rank", 0);
        spool_json_kint(&j, "alloc_cpus", 64);
        spool_json_obj_close(&j);
        spool_json_key(&j, "mpi");
        spool_json_obj_open(&j);
        spool_json_kstr(&j, "launcher", "openmpi");
        spool_json_kint(&j, "rank", 0);
        spool_json_kint(&j, "size", 16);
        spool_json_obj_close(&j);
    }
    spool_json_key(&j, "modules");
    spool_json_arr_open(&j);
    spool_json_str(&j, "gcc/12.2");
    spool_json_str(&j, "openmpi/4.1");
    spool_json_arr_close(&j);
    spool_json_key(&j, "env");
    spool_json_obj_open(&j);
    spool_json_kstr(&j, "OMP_NUM_THREADS", "4");
    spool_json_key(&j, "WEIRD");
    spool_json_strn(&j, weird, sizeof weird - 1, 0, NULL);
    spool_json_obj_close(&j);
    spool_json_key(&j, "objects");
    spool_json_arr_open(&j);
    for (int i = 0; i < 3; i++) {
        char p[64];
        snprintf(p, sizeof p, "/lib/x86_64-linux-gnu/lib%d.so.6", i);
        spool_json_obj_open(&j);
        spool_json_kstr(&j, "path", p);
        spool_json_kstr(&j, "build_id", i == 1 ? "" : BID);
        if (i == 2)
            spool_json_kstr(&j, "signature", SIG);
        spool_json_obj_close(&j);
    }
    spool_json_arr_close(&j);
    if (kind == SPOOL_KIND_END) {
        spool_json_key(&j, "end_time");
        spool_json_time(&j, 1732214460, 5);
        spool_json_key(&j, "run_time");
        spool_json_time(&j, 59, 876549);
        spool_json_kint(&j, "exit_status", 3);
        spool_json_key(&j, "utime");
        spool_json_time(&j, 10, 500000);
        spool_json_key(&j, "stime");
        spool_json_time(&j, 0, 250);
        spool_json_kint(&j, "maxrss_kb", 123456);
    }
    spool_json_obj_close(&j);
    CHECK_INT(spool_json_finish(&j), 0);
    return j.len;
}

static void test_start(void)
{
    struct rec r;
    char err[256] = "";
    size_t n = write_run(SPOOL_KIND_START, 1);
    int rc = rec_parse(buf, n, &r, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "unexpected: %s\n", err);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    CHECK_INT(r.schema, 1);
    CHECK_INT(r.kind, SPOOL_KIND_START);
    CHECK_STR(r.run_uuid, UUID1);
    CHECK_STR(r.parent_uuid, UUID2);
    CHECK_STR(r.syshost.s, "cluster1");
    CHECK_STR(r.host.s, "node001.example");
    CHECK_STR(r.user.s, "alice");
    CHECK_INT(r.uid, 1000);
    CHECK_INT(r.gid, 100);
    CHECK_INT(r.pid, 4242);
    CHECK_INT(r.ppid, 1);
    CHECK_INT(r.start_us, 1732214400123456LL);
    CHECK_STR(r.exe.path.s, "/usr/bin/prog");
    CHECK_STR(r.exe.build_id.s, BID);
    CHECK_STR(r.exe.signature.s, SIG);
    CHECK_INT(r.ncmdline, 3);
    CHECK_MEM(r.cmdline[1].s, r.cmdline[1].len, weird, sizeof weird - 1);
    CHECK_INT(r.cmdline[2].len, 0);
    CHECK_MEM(r.cwd.s, r.cwd.len, weird, sizeof weird - 1);
    CHECK_INT(r.job.present, 1);
    CHECK_STR(r.job.id.s, "123456");
    CHECK_STR(r.job.step.s, "batch");
    CHECK_STR(r.job.array_id.s, "");
    CHECK_INT(r.job.num_tasks, 8);
    CHECK_INT(r.job.cpus_per_task, 4);
    CHECK_INT(r.job.alloc_cpus, 64);
    CHECK_INT(r.mpi.present, 1);
    CHECK_STR(r.mpi.launcher.s, "openmpi");
    CHECK_INT(r.mpi.rank, 0);
    CHECK_INT(r.mpi.size, 16);
    CHECK_INT(r.nmodules, 2);
    CHECK_STR(r.modules[1].s, "openmpi/4.1");
    CHECK_INT(r.nenv, 2);
    CHECK_STR(r.env[0].name.s, "OMP_NUM_THREADS");
    CHECK_STR(r.env[0].value.s, "4");
    CHECK_MEM(r.env[1].value.s, r.env[1].value.len, weird, sizeof weird - 1);
    CHECK_INT(r.nobjects, 3);
    CHECK_STR(r.objects[1].build_id.s, "");
    CHECK_STR(r.objects[0].build_id.s, BID);
    CHECK_STR(r.objects[2].signature.s, SIG);
    CHECK_STR(r.objects[0].signature.s, "");
    CHECK(r.objects[0].build_id.len == strlen(BID) && r.objects[2].signature.len == 36);
    CHECK(r.objects[1].build_id.len == 0 && r.objects[0].signature.len == 0);
    CHECK_INT(r.truncated, 0);
    CHECK_INT(r.end_us, -1);
    rec_free(&r);
    CHECK(r.mem_ == NULL);
}

static void test_end_and_nojob(void)
{
    struct rec r;
    char err[256] = "";
    size_t n = write_run(SPOOL_KIND_END, 0);
    int rc = rec_parse(buf, n, &r, err, sizeof err);
    if (rc)
        fprintf(stderr, "unexpected: %s\n", err);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    CHECK_INT(r.kind, SPOOL_KIND_END);
    CHECK_INT(r.job.present, 0);
    CHECK_INT(r.job.num_tasks, -1);
    CHECK_INT(r.mpi.present, 0);
    CHECK_INT(r.mpi.size, -1);
    CHECK_STR(r.mpi.launcher.s, "");
    CHECK_INT(r.end_us, 1732214460000005LL);
    CHECK_INT(r.run_time_us, 59876549LL);
    CHECK_INT(r.has_exit_status, 1);
    CHECK_INT(r.exit_status, 3);
    CHECK_INT(r.has_signal, 0);
    CHECK_INT(r.utime_us, 10500000);
    CHECK_INT(r.stime_us, 250);
    CHECK_INT(r.maxrss_kb, 123456);
    rec_free(&r);
}

static void expect_literal_fails(const char *json, size_t len, const char *want);

static void test_link(void)
{
    static const char link[] =
        "{\"schema\":1,\"kind\":\"link\",\"link_uuid\":\"" SIG "\",\"syshost\":\"c1\","
        "\"host\":\"login1\",\"user\":\"bob\",\"uid\":1001,\"gid\":1001,"
        "\"time\":1732214400.5,\"cwd\":\"/home/bob/src\",\"output\":\"a.out\","
        "\"output_build_id\":\"" BID "\",\"linker\":\"/usr/bin/ld\","
        "\"cmdline\":[\"ld\",\"-o\",\"a.out\",\"main.o\"],"
        "\"objects\":[{\"path\":\"main.o\",\"build_id\":\"\"},{\"path\":\"/usr/lib/libm.so.6\","
        "\"build_id\":\"" BID "\"}]}\n";
    struct rec r;
    char err[256] = "";
    int rc = rec_parse(link, sizeof link - 1, &r, err, sizeof err);
    if (rc)
        fprintf(stderr, "unexpected: %s\n", err);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    CHECK_INT(r.kind, SPOOL_KIND_LINK);
    CHECK_STR(r.run_uuid, SIG);
    CHECK_INT(r.start_us, 1732214400500000LL);
    CHECK_STR(r.link_output.s, "a.out");
    CHECK_STR(r.linker.s, "/usr/bin/ld");
    CHECK_STR(r.output_build_id.s, BID);
    CHECK_INT(r.ncmdline, 4);
    CHECK_INT(r.nobjects, 2);
    CHECK_INT(r.pid, -1);
    CHECK_STR(r.cwd.s, "/home/bob/src");
    CHECK_STR(r.cc_name.s, "");
    rec_free(&r);

    /* the optional "compiler" object (issue 19) */
    static char withcc[2048];
    const char *cc_ok = ",\"compiler\":{\"name\":\"gfortran\",\"path\":\"/usr/bin/gfortran-12\","
                        "\"version\":\"12.2.0\",\"wrapper\":\"mpif90\"}}\n";
    size_t base = sizeof link - 3; /* without the closing "}\n" */
    memcpy(withcc, link, base);
    strcpy(withcc + base, cc_ok);
    rc = rec_parse(withcc, strlen(withcc), &r, err, sizeof err);
    if (rc)
        fprintf(stderr, "unexpected: %s\n", err);
    CHECK_INT(rc, 0);
    if (rc == 0) {
        CHECK_STR(r.cc_name.s, "gfortran");
        CHECK_STR(r.cc_path.s, "/usr/bin/gfortran-12");
        CHECK_STR(r.cc_version.s, "12.2.0");
        CHECK_STR(r.cc_wrapper.s, "mpif90");
        rec_free(&r);
    }
    static const struct { const char *cc, *want; } bad[] = {
        { ",\"compiler\":\"gcc\"}\n", "key 'compiler': expected an object" },
        { ",\"compiler\":{\"path\":\"/x\"}}\n", "key 'compiler.name': missing" },
        { ",\"compiler\":{\"name\":\"\"}}\n", "key 'compiler.name': empty" },
        { ",\"compiler\":{\"name\":\"gcc\",\"version\":\"1\\n2\"}}\n", "key 'compiler.version': control" },
        { ",\"compiler\":{\"name\":\"gcc\",\"wrapper\":7}}\n", "key 'compiler.wrapper': expected a string" },
        { ",\"compiler\":{\"name\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}}\n",
          "key 'compiler.name': 70 bytes, at most 64" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strcpy(withcc + base, bad[i].cc);
        expect_literal_fails(withcc, strlen(withcc), bad[i].want);
    }
}

/* Replaces the first occurrence of `from` in the start record by `to` and
 * expects a rejection whose reason contains `want`. */
/* A parser whose memo holds the object list of write_run's records (main
 * primes it): every rejection must read the same through it, since a memo
 * hit that fails anywhere is parsed again in full. */
static struct rec_parser primed = REC_PARSER_INIT;

static void expect_same_via_primed(const char *json, size_t len, const char *err)
{
    struct rec r;
    char err2[256] = "";
    if (rec_parse_with(&primed, json, len, &r, err2, sizeof err2) == 0) {
        tcheck_fail(__FILE__, __LINE__, "accepted through the memo: %.60s", json);
        rec_free(&r);
        return;
    }
    if (strcmp(err, err2) != 0)
        tcheck_fail(__FILE__, __LINE__, "reason \"%s\" became \"%s\" through the memo", err, err2);
}

/* buf with its first occurrence of from replaced by to, into out (size n
 * in, new size returned); 0 when from is not there. */
static size_t edited(const char *from, const char *to, size_t n, char *out)
{
    char *p = memmem(buf, n, from, strlen(from));
    if (!p)
        return 0;
    size_t pre = (size_t)(p - buf), fl = strlen(from), tl = strlen(to);
    memcpy(out, buf, pre);
    memcpy(out + pre, to, tl);
    memcpy(out + pre + tl, p + fl, n - pre - fl);
    return n - fl + tl;
}

static void expect_edit_fails(const char *from, const char *to, const char *want)
{
    static char tmp[70000];
    struct rec r;
    char err[256] = "";
    size_t n = edited(from, to, write_run(SPOOL_KIND_END, 1), tmp);
    if (!n) {
        tcheck_fail(__FILE__, __LINE__, "test bug: '%s' not in record", from);
        return;
    }
    int rc = rec_parse(tmp, n, &r, err, sizeof err);
    if (rc == 0) {
        tcheck_fail(__FILE__, __LINE__, "edit '%s' -> '%s' was accepted", from, to);
        rec_free(&r);
        return;
    }
    if (!strstr(err, want))
        tcheck_fail(__FILE__, __LINE__, "edit '%s' -> '%s': reason \"%s\" lacks \"%s\"", from,
                    to, err, want);
    if (strchr(err, '\n'))
        tcheck_fail(__FILE__, __LINE__, "reason spans lines: %s", err);
    expect_same_via_primed(tmp, n, err);
}

static void expect_literal_fails(const char *json, size_t len, const char *want)
{
    struct rec r;
    char err[256] = "";
    int rc = rec_parse(json, len, &r, err, sizeof err);
    if (rc == 0) {
        tcheck_fail(__FILE__, __LINE__, "literal accepted: %.60s", json);
        rec_free(&r);
        return;
    }
    if (!strstr(err, want))
        tcheck_fail(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"", err, want);
    if (strchr(err, '\n'))
        tcheck_fail(__FILE__, __LINE__, "reason spans lines: %s", err);
    expect_same_via_primed(json, len, err);
}

static void test_rejections(void)
{
    expect_edit_fails("\"schema\":1", "\"schema\":2", "schema");
    expect_edit_fails("\"schema\":1", "\"schema\":\"1\"", "schema");
    expect_edit_fails("\"kind\":\"end\"", "\"kind\":\"middle\"", "kind");
    expect_edit_fails("\"run_uuid\"", "\"run_uuidx\"", "run_uuid");
    expect_edit_fails(UUID1, "0192F0C4-5A6B-7C8D-9E0F-A1B2C3D4E5F6", "run_uuid");
    expect_edit_fails(UUID2, "xyz", "parent_uuid");
    expect_edit_fails("\"uid\":1000", "\"uid\":-1", "uid");
    expect_edit_fails("\"uid\":1000", "\"uid\":1000.5", "uid");
    expect_edit_fails("\"uid\":1000", "\"uid\":99999999999999999999999", "uid");
    expect_edit_fails("\"pid\":4242", "\"pid\":\"4242\"", "pid");
    expect_edit_fails("\"user\":\"alice\"", "\"user\":\"\"", "user");
    expect_edit_fails("\"user\":\"alice\"", "\"user\":\"al\\udcffice\"", "user");
    expect_edit_fails("\"user\":\"alice\"", "\"user\":\"al\\nice\"", "user");
    expect_edit_fails("\"host\":", "\"hostx\":", "host");
    expect_edit_fails("\"start_time\":1732214400.123456", "\"start_time\":1.7e9", "start_time");
    expect_edit_fails("\"start_time\":1732214400.123456", "\"start_time\":-5", "start_time");
    expect_edit_fails("\"start_time\":1732214400.123456", "\"start_time\":\"now\"", "start_time");
    expect_edit_fails("\"exe\":{", "\"exe\":7,\"e\":{", "exe");
    expect_edit_fails("\"path\":\"/usr/bin/prog\"", "\"path\":7", "exe.path");
    expect_edit_fails("\"build_id\":\"" BID "\"", "\"build_id\":\"ABCD\"", "exe.build_id");
    expect_edit_fails("\"build_id\":\"" BID "\"", "\"build_id\":\"abc\"", "exe.build_id");
    expect_edit_fails("\"signature\":\"" SIG "\"", "\"signature\":\"nope\"", "exe.signature");
    expect_edit_fails("\"cmdline\":[\"prog\"", "\"cmdline\":[7", "cmdline[0]");
    expect_edit_fails("\"cmdline\":[", "\"cmdlinx\":[", "cmdline");
    expect_edit_fails("\"modules\":[", "\"modules\":\"x\",\"m\":[", "modules");
    expect_edit_fails("\"OMP_NUM_THREADS\":\"4\"", "\"OMP_NUM_THREADS\":4", "env[0]");
    expect_edit_fails("\"OMP_NUM_THREADS\"", "\"OMP=X\"", "env[0]");
    expect_edit_fails("\"objects\":[", "\"objects\":[7,", "objects[0]");
    expect_edit_fails("\"path\":\"/lib/x86_64-linux-gnu/lib1.so.6\"", "\"pat\":\"x\"",
                      "objects[1].path");
    expect_edit_fails("\"num_tasks\":8", "\"num_tasks\":0", "job.num_tasks");
    expect_edit_fails("\"id\":\"123456\"", "\"id\":123456", "job.id");
    expect_edit_fails("\"job\":{", "\"job\":7,\"j\":{", "job");
    expect_edit_fails("\"alloc_cpus\":64", "\"alloc_cpus\":0", "job.alloc_cpus");
    expect_edit_fails("\"mpi\":{", "\"mpi\":[],\"m\":{", "mpi");
    expect_edit_fails("\"launcher\":\"openmpi\"", "\"launcher\":\"Open MPI\"", "mpi.launcher");
    expect_edit_fails("\"launcher\":\"openmpi\"", "\"launcher\":\"\"", "mpi.launcher");
    expect_edit_fails("\"launcher\":\"openmpi\",", "", "mpi.launcher");
    expect_edit_fails("\"rank\":0,\"size\":16", "\"rank\":-1,\"size\":16", "mpi.rank");
    expect_edit_fails("\"rank\":0,\"size\":16", "\"rank\":16,\"size\":16", "mpi.size");
    expect_edit_fails("\"rank\":0,\"size\":16", "\"rank\":0,\"size\":0", "mpi.size");
    expect_edit_fails("\"exit_status\":3", "\"exit_statux\":3", "exit_status");
    expect_edit_fails("\"exit_status\":3", "\"exit_status\":3,\"signal\":0", "signal");
    expect_edit_fails("\"end_time\":1732214460.000005", "\"end_time\":1000.5", "end_time");
    expect_edit_fails("\"run_time\":", "\"run_timex\":", "run_time");
    expect_edit_fails("\"maxrss_kb\":123456", "\"maxrss_kb\":-3", "maxrss_kb");
}

static void test_rejections_raw(void)
{
    size_t n = write_run(SPOOL_KIND_START, 1);
    /* truncated at every 97th byte: never accepted, never a crash */
    for (size_t cut = 0; cut < n - 2; cut += 97) {
        struct rec r;
        char err[256];
        if (rec_parse(buf, cut, &r, err, sizeof err) == 0) {
            tcheck_fail(__FILE__, __LINE__, "truncated at %zu accepted", cut);
            rec_free(&r);
        }
    }
    expect_literal_fails("", 0, "empty");
    expect_literal_fails("[1,2]", 5, "not a JSON object");
    expect_literal_fails("{\"schema\":1} x", 14, "invalid JSON");
    expect_literal_fails("{\"schema\":1,\"kind\":\"st\0rt\"}", 26, "NUL byte");
    expect_literal_fails("{\"kind\":\"a\\u0000b\"}", 19, "\\u0000");
    expect_literal_fails("{\"kind\":\"a\xed\xb2\x80\"}", 14, "invalid UTF-8");
    expect_literal_fails("{\"kind\":\"a\xc0\xaf\"}", 13, "invalid UTF-8");
    expect_literal_fails("{\"kind\":\"a\\ud800\\udc80\"}", 24, "surrogate");
    expect_literal_fails("{\"kind\":\"a\\udc10\"}", 18, "surrogate");
    expect_literal_fails("{\"kind\":\"a\\\\u0000\",\"schema\":2}", 30, "schema");
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    expect_literal_fails(deep, sizeof deep, "nesting");
    /* A huge string: more than 4096 bytes in one cmdline element. */
    static char big[20000];
    int k = snprintf(big, sizeof big, "{\"schema\":1,\"kind\":\"start\",\"run_uuid\":\"" UUID1
                     "\",\"syshost\":\"c\",\"host\":\"h\",\"user\":\"u\",\"uid\":1,\"gid\":1,"
                     "\"pid\":1,\"ppid\":0,\"start_time\":1.5,\"exe\":{\"path\":\"/x\"},"
                     "\"objects\":[],\"cmdline\":[\"");
    memset(big + k, 'A', 5000);
    memcpy(big + k + 5000, "\"]}", 3);
    expect_literal_fails(big, (size_t)k + 5003, "cmdline[0]");
}

static void test_minimal_and_escape_forms(void)
{
    static const char min[] =
        "{\"schema\":1,\"kind\":\"start\",\"run_uuid\":\"" UUID1 "\",\"syshost\":\"c\","
        "\"host\":\"h\",\"user\":\"u\",\"uid\":0,\"gid\":0,\"pid\":1,\"ppid\":0,"
        "\"start_time\":7,\"exe\":{\"path\":\"/a\\udcff\\u00e9\\\\u0000\"},\"cmdline\":[],"
        "\"objects\":[],\"truncated\":true,\"future_key\":{\"x\":[1,2]}}";
    struct rec r;
    char err[256] = "";
    int rc = rec_parse(min, sizeof min - 1, &r, err, sizeof err);
    if (rc)
        fprintf(stderr, "unexpected: %s\n", err);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    CHECK_INT(r.start_us, 7000000);
    CHECK_MEM(r.exe.path.s, r.exe.path.len, "/a\xff\xc3\xa9\\u0000", 11);
    CHECK_INT(r.truncated, 1);
    CHECK_INT(r.nenv, 0);
    CHECK_INT(r.nmodules, 0);
    CHECK_STR(r.parent_uuid, "");
    CHECK_STR(r.cwd.s, "");
    rec_free(&r);
}

static void test_check_name(void)
{
    struct rec r;
    struct spool_name n;
    char err[256] = "", date[SPOOL_DATE_LEN + 1], name[SPOOL_NAME_MAX];
    size_t len = write_run(SPOOL_KIND_END, 1);
    CHECK_INT(rec_parse(buf, len, &r, err, sizeof err), 0);
    CHECK_INT(spool_name_date(date, 1732214400, 123456), 0);
    CHECK_INT(spool_name_build(name, SPOOL_KIND_END, "cluster1", date, "alice", UUID1), 0);
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(rec_check_name(&r, &n, err, sizeof err), 0);

    CHECK_INT(spool_name_build(name, SPOOL_KIND_START, "cluster1", date, "alice", UUID1), 0);
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(rec_check_name(&r, &n, err, sizeof err), -1);
    CHECK(strstr(err, "kind") != NULL);

    CHECK_INT(spool_name_build(name, SPOOL_KIND_END, "cluster1", date, "alice", UUID2), 0);
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(rec_check_name(&r, &n, err, sizeof err), -1);
    CHECK(strstr(err, "uuid") != NULL);

    CHECK_INT(spool_name_build(name, SPOOL_KIND_END, "cluster2", date, "alice", UUID1), 0);
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(rec_check_name(&r, &n, err, sizeof err), -1);
    CHECK(strstr(err, "syshost") != NULL);

    CHECK_INT(spool_name_build(name, SPOOL_KIND_END, "cluster1", date, "mallory", UUID1), 0);
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(rec_check_name(&r, &n, err, sizeof err), -1);
    CHECK(strstr(err, "user") != NULL);

    CHECK_INT(spool_name_date(date, 1732214400 + 3 * 86400, 0), 0);
    CHECK_INT(spool_name_build(name, SPOOL_KIND_END, "cluster1", date, "alice", UUID1), 0);
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(rec_check_name(&r, &n, err, sizeof err), -1);
    CHECK(strstr(err, "date") != NULL);
    rec_free(&r);
}

/* Parses json with p and without a memo: both must accept it and agree
 * field by field; hit says whether p must have used its memo. Returns the
 * number of objects. */
static size_t same_both_ways(struct rec_parser *p, const char *json, size_t len, int hit)
{
    struct rec a, b;
    char err[256] = "", what[64] = "";
    size_t hits = p->memo_hits, nobj = 0;
    if (rec_parse(json, len, &a, err, sizeof err) != 0) {
        tcheck_fail(__FILE__, __LINE__, "rejected: %s", err);
        return 0;
    }
    if (rec_parse_with(p, json, len, &b, err, sizeof err) != 0) {
        tcheck_fail(__FILE__, __LINE__, "rejected through the memo: %s", err);
        rec_free(&a);
        return 0;
    }
    if (!rec_same(&a, &b, what, sizeof what))
        tcheck_fail(__FILE__, __LINE__, "memo changed field %s", what);
    CHECK_INT((int)(p->memo_hits - hits), hit);
    nobj = b.nobjects;
    rec_free(&a);
    rec_free(&b);
    return nobj;
}

/* The object-list memo: a record whose "objects" text was seen before gets
 * its objects from the memo, with exactly the result of a full parse; when
 * a byte-level reading of the text could disagree with yajl's (a second
 * "objects" key, an escaped one), the memo stays out. */
static void test_memo(void)
{
    static char t[70000];
    struct rec_parser p = REC_PARSER_INIT;
    size_t n, k;

    n = write_run(SPOOL_KIND_START, 1);
    CHECK_INT((int)same_both_ways(&p, buf, n, 0), 3);            /* miss: remembered */
    CHECK_INT((int)same_both_ways(&p, buf, n, 1), 3);            /* the same text */
    n = write_run(SPOOL_KIND_END, 0);
    CHECK_INT((int)same_both_ways(&p, buf, n, 1), 3);            /* another record */
    k = edited("\"objects\":[", "\"objects\" \t:\r\n [", n, t);
    CHECK(k > 0);
    CHECK_INT((int)same_both_ways(&p, t, k, 1), 3);              /* spaced key */

    /* A second key that yajl decodes to "objects": the first one counts. */
    k = edited("{\"schema\"", "{\"obj\\u0065cts\":[],\"schema\"", n, t);
    CHECK(k > 0);
    CHECK_INT((int)same_both_ways(&p, t, k, 0), 0);
    k = edited("{\"schema\"", "{\"objects\":[],\"schema\"", n, t);
    CHECK_INT((int)same_both_ways(&p, t, k, 0), 0);
    k = edited("\"objects\":[", "\"objects\":[],\"obj\\u0065cts\":[", n, t);
    CHECK_INT((int)same_both_ways(&p, t, k, 0), 0);
    /* Any escape in a root key keeps the memo out. */
    k = edited("\"cwd\":", "\"c\\u0077d\":", n, t);
    CHECK_INT((int)same_both_ways(&p, t, k, 0), 3);

    /* A known list inside a broken text: the full parse's reason. */
    k = edited("\"exit_status\":3", "\"exit_status\":3,", n, t);
    CHECK(k > 0);
    expect_literal_fails(t, k, "invalid JSON");
    t[k - 1] = ']';
    expect_literal_fails(t, k, "invalid JSON");
    /* Comments are not JSON (and would hide a string from prescan). */
    k = edited("\"kind\"", "/* \" */\"kind\"", n, t);
    expect_literal_fails(t, k, "invalid JSON");
    rec_parser_free(&p);
}

/* Colliding hashes (the hash is not keyed: a user could collide lists on
 * purpose) give at most 16 probes: the 17th list with one hash is not kept,
 * and all 16 kept ones are still found, each only by its own text. */
static void test_memo_collisions(void)
{
    struct rec_objmemo *m = NULL;
    struct rec_object o = { { "/lib/a.so", 9 }, { "", 0 }, { "", 0 } };
    char span[17][32];
    for (int i = 0; i < 17; i++) {
        snprintf(span[i], sizeof span[i], "[{\"path\":\"/lib/a.so\"}%02d]", i);
        CHECK_INT(rec_objmemo_put(&m, 42, span[i], strlen(span[i]), &o, 1), i < 16 ? 0 : -1);
    }
    for (int i = 0; i < 17; i++) {
        const struct rec_objmemo_ent *e = rec_objmemo_find(m, 42, span[i], strlen(span[i]));
        CHECK((e != NULL) == (i < 16));
        if (e)
            CHECK_INT((int)rec_objmemo_count(e), 1);
    }
    CHECK(rec_objmemo_find(m, 43, span[0], strlen(span[0])) == NULL);
    rec_objmemo_free(m);
}

int main(void)
{
    size_t n;
    char err[256];
    struct rec r;
    n = write_run(SPOOL_KIND_END, 1);
    CHECK_INT(rec_parse_with(&primed, buf, n, &r, err, sizeof err), 0);
    rec_free(&r);
    test_memo();
    test_memo_collisions();
    test_start();
    test_end_and_nojob();
    test_link();
    test_rejections();
    test_rejections_raw();
    test_minimal_and_escape_forms();
    test_check_name();
    rec_parser_free(&primed);
    return tcheck_result();
}
