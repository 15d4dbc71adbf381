/* gen_records: writes realistic start/end record pairs (and link records)
 * into <archive>/<YYYYMM>/ with the real writer (spool_json, spool_name,
 * spool_write_atomic), for the ingest benchmark and tests.
 *
 *   gen_records DIR RUNS [--exes N] [--seed S] [--links N] [--weird]
 *                        [--start-only PCT] [--end-only PCT]
 *
 * Workload: N distinct executables (default 300), each with its own fixed
 * list of about 40 libraries with build-ids (a common base plus its own);
 * one run in ten loads 2-4 more with dlopen (in its end record only); 12
 * environment variables with few distinct values; 6 modules from the
 * executable's module list; 50 users, about 10 runs per job. --weird puts
 * bytes that are not UTF-8, quotes, backslashes and SQL metacharacters into
 * every byte string. Deterministic for a seed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_file.h"
#include "spool_json.h"
#include "spool_name.h"
#include "spool_uuid.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void hexid(char *out, uint64_t a, uint64_t b, int n)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        uint64_t v = i < 16 ? a : b;
        out[i] = hx[(v >> (4 * (i % 16))) & 15];
    }
    out[n] = '\0';
}

static void uuid_from(char out[37], uint64_t a, uint64_t b)
{
    unsigned char u[16];
    for (int i = 0; i < 8; i++) {
        u[i] = (unsigned char)(a >> (8 * i));
        u[8 + i] = (unsigned char)(b >> (8 * i));
    }
    u[6] = (u[6] & 0x0f) | 0x70;
    u[8] = (u[8] & 0x3f) | 0x80;
    spool_uuid_format(u, out);
}

static int weird;
static const char WEIRD[] = "\x80\xff'\"\\;--%_\xc3\xa9";

static void str_w(struct spool_json *j, const char *s)
{
    if (!weird) {
        spool_json_str(j, s);
        return;
    }
    char tmp[4200];
    int n = snprintf(tmp, sizeof tmp, "%s%s", s, WEIRD);
    spool_json_strn(j, tmp, (size_t)n, 0, NULL);
}

static void object(struct spool_json *j, const char *path, const char *bid, const char *sig)
{
    spool_json_obj_open(j);
    spool_json_key(j, "path");
    str_w(j, path);
    spool_json_kstr(j, "build_id", bid);
    if (sig)
        spool_json_kstr(j, "signature", sig);
    spool_json_obj_close(j);
}

#define NBASE 12

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_records DIR RUNS [--exes N] [--seed S] [--links N] [--weird] "
                        "[--start-only PCT] [--end-only PCT]\n");
        return 1;
    }
    const char *dir = argv[1];
    long runs = atol(argv[2]), nexe = 300, links = 0, start_only = 0, end_only = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--exes") && i + 1 < argc) nexe = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng += strtoull(argv[++i], 0, 10) * 0x9e3779b97f4a7c15ULL;
        else if (!strcmp(argv[i], "--links") && i + 1 < argc) links = atol(argv[++i]);
        else if (!strcmp(argv[i], "--start-only") && i + 1 < argc) start_only = atol(argv[++i]);
        else if (!strcmp(argv[i], "--end-only") && i + 1 < argc) end_only = atol(argv[++i]);
        else if (!strcmp(argv[i], "--weird")) weird = 1;
        else { fprintf(stderr, "gen_records: unknown option %s\n", argv[i]); return 1; }
    }
    if (nexe < 1)
        nexe = 1;
    mkdir(dir, 02770);
    static char buf[1 << 18];
    const time_t t0 = 1732000000;  /* 2024-11-19 */
    long job = 500000;
    for (long i = 0; i < runs + links; i++) {
        int is_link = i >= runs;
        uint64_t e = rnd() % (uint64_t)nexe, user = rnd() % 50;
        if (i % 10 == 0)
            job++;
        time_t st = t0 + i * 7;
        long usec = (long)(rnd() % 1000000);
        char date[SPOOL_DATE_LEN + 1], name[SPOOL_NAME_MAX], uuid[37], uname[32], mdir[1100];
        char path[256], bid[41], tmp[256];
        snprintf(uname, sizeof uname, "user%02d", (int)user);
        uuid_from(uuid, (uint64_t)i * 0x9e3779b97f4a7c15ULL + rng, rnd());
        spool_name_date(date, st, usec);
        snprintf(mdir, sizeof mdir, "%s/%.4s%.2s", dir, date, date + 5);
        mkdir(mdir, 02770);
        int dfd = open(mdir, O_RDONLY | O_DIRECTORY);
        if (dfd < 0) {
            perror(mdir);
            return 1;
        }
        if (is_link) {
            struct spool_json j;
            spool_json_init(&j, buf, sizeof buf);
            spool_json_obj_open(&j);
            spool_json_kint(&j, "schema", 1);
            spool_json_kstr(&j, "kind", "link");
            spool_json_kstr(&j, "link_uuid", uuid);
            spool_json_kstr(&j, "syshost", "bench");
            spool_json_kstr(&j, "host", "login1");
            spool_json_kstr(&j, "user", uname);
            spool_json_kint(&j, "uid", 2000 + (int64_t)user);
            spool_json_kint(&j, "gid", 2000);
            spool_json_key(&j, "time");
            spool_json_time(&j, st, usec);
            spool_json_key(&j, "cwd");
            str_w(&j, "/home/src");
            spool_json_key(&j, "output");
            str_w(&j, "a.out");
            hexid(bid, rnd(), rnd(), 40);
            spool_json_kstr(&j, "output_build_id", bid);
            spool_json_kstr(&j, "linker", "/usr/bin/ld");
            spool_json_key(&j, "cmdline");
            spool_json_arr_open(&j);
            spool_json_str(&j, "ld");
            spool_json_str(&j, "-o");
            str_w(&j, "a.out");
            spool_json_arr_close(&j);
            spool_json_key(&j, "objects");
            spool_json_arr_open(&j);
            object(&j, "main.o", "", NULL);
            object(&j, "/lib/x86_64-linux-gnu/libm.so.6", "aabbccdd00112233445566778899aabbccddeeff", NULL);
            spool_json_arr_close(&j);
            spool_json_obj_close(&j);
            spool_json_finish(&j);
            spool_name_build(name, SPOOL_KIND_LINK, "bench", date, uname, uuid);
            if (spool_write_atomic(dfd, name, buf, j.len, 0640, 0) != 0) {
                perror(name);
                return 1;
            }
            close(dfd);
            continue;
        }
        int extra = (rnd() % 10) == 0 ? 2 + (int)(rnd() % 3) : 0;
        uint64_t pick = rnd() % 100;
        int want_start = !(pick < (uint64_t)end_only);
        int want_end = !(pick >= (uint64_t)end_only && pick < (uint64_t)(end_only + start_only));
        for (int kind = SPOOL_KIND_START; kind <= SPOOL_KIND_END; kind++) {
            if ((kind == SPOOL_KIND_START && !want_start) || (kind == SPOOL_KIND_END && !want_end))
                continue;
            struct spool_json j;
            spool_json_init(&j, buf, sizeof buf);
            spool_json_obj_open(&j);
            spool_json_kint(&j, "schema", 1);
            spool_json_kstr(&j, "kind", kind == SPOOL_KIND_START ? "start" : "end");
            spool_json_kstr(&j, "run_uuid", uuid);
            spool_json_kstr(&j, "syshost", "bench");
            snprintf(tmp, sizeof tmp, "node%03d", (int)(job % 64));
            spool_json_kstr(&j, "host", tmp);
            spool_json_kint(&j, "uid", 2000 + (int64_t)user);
            spool_json_kint(&j, "gid", 2000);
            spool_json_kstr(&j, "user", uname);
            spool_json_kint(&j, "pid", 1000 + i % 30000);
            spool_json_kint(&j, "ppid", 999);
            spool_json_key(&j, "start_time");
            spool_json_time(&j, st, usec);
            snprintf(path, sizeof path, "/apps/%s/prog%03d/bin/prog%03d", e % 3 ? "sw" : "home",
                     (int)e, (int)e);
            hexid(bid, e * 7919 + 1, e * 104729 + 3, 40);
            spool_json_key(&j, "exe");
            object(&j, path, bid, e % 7 == 0 ? "4f1c2b3a-1111-4222-8333-944455556666" : NULL);
            spool_json_key(&j, "cmdline");
            spool_json_arr_open(&j);
            str_w(&j, path);
            spool_json_str(&j, "-i");
            snprintf(tmp, sizeof tmp, "input_%ld.dat", i % 1000);
            str_w(&j, tmp);
            spool_json_str(&j, "--threads=4");
            spool_json_arr_close(&j);
            spool_json_key(&j, "cwd");
            snprintf(tmp, sizeof tmp, "/scratch/%s/job%ld", uname, job);
            str_w(&j, tmp);
            spool_json_key(&j, "job");
            spool_json_obj_open(&j);
            spool_json_kstr(&j, "scheduler", "slurm");
            snprintf(tmp, sizeof tmp, "%ld", job);
            spool_json_kstr(&j, "id", tmp);
            spool_json_kstr(&j, "step", "batch");
            spool_json_kstr(&j, "partition", job % 3 ? "compute" : "gpu");
            spool_json_kstr(&j, "account", "proj1");
            spool_json_kint(&j, "num_nodes", 1 + job % 4);
            spool_json_kint(&j, "num_tasks", 1 + job % 16);
            spool_json_kint(&j, "cpus_per_task", 1 + job % 2);
            spool_json_kint(&j, "rank", 0);
            spool_json_obj_close(&j);
            spool_json_key(&j, "modules");
            spool_json_arr_open(&j);
            for (int m = 0; m < 6; m++) {
                snprintf(tmp, sizeof tmp, "mod%d/%d.%d", (int)((e + m) % 40), m, (int)(e % 3));
                str_w(&j, tmp);
            }
            spool_json_arr_close(&j);
            spool_json_key(&j, "env");
            spool_json_obj_open(&j);
            static const char *names[12] = { "OMP_NUM_THREADS", "OMP_PROC_BIND", "MKL_NUM_THREADS",
                "I_MPI_PIN", "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "PATH_HINT", "FI_PROVIDER",
                "UCX_TLS", "SLURM_CPU_BIND", "TMPDIR", "LANG" };
            for (int v = 0; v < 12; v++) {
                snprintf(tmp, sizeof tmp, "%s%d", v == 5 ? "/apps/lib:/opt/lib" : "v",
                         (int)((e + (uint64_t)v) % (v < 2 ? 4 : 2)));
                spool_json_key(&j, names[v]);
                str_w(&j, tmp);
            }
            spool_json_obj_close(&j);
            spool_json_key(&j, "objects");
            spool_json_arr_open(&j);
            for (int o = 0; o < 40; o++) {
                if (o < NBASE) {
                    snprintf(path, sizeof path, "/lib/x86_64-linux-gnu/libbase%02d.so.%d", o, o % 3 + 1);
                    hexid(bid, (uint64_t)o * 31 + 7, (uint64_t)o * 131 + 5, 40);
                } else {
                    /* own libraries, shared by neighbouring executables */
                    uint64_t lib = (e / 4) * 64 + (uint64_t)o;
                    snprintf(path, sizeof path, "/apps/sw/lib%03d/lib%03d_%02d.so", (int)(e / 4),
                             (int)(e / 4), o);
                    hexid(bid, lib * 2654435761ULL + 11, lib * 40503 + 13, 40);
                }
                object(&j, path, bid, NULL);
            }
            if (kind == SPOOL_KIND_END)
                for (int x = 0; x < extra; x++) {
                    snprintf(path, sizeof path, "/apps/plugins/plugin%02d.so", (int)((e + (uint64_t)x) % 20));
                    hexid(bid, e + (uint64_t)x + 99, 77, 40);
                    object(&j, path, bid, NULL);
                }
            spool_json_arr_close(&j);
            if (kind == SPOOL_KIND_END) {
                int64_t rt = (int64_t)(rnd() % 3600000000ULL);
                int64_t end = (int64_t)st * 1000000 + usec + rt;
                spool_json_key(&j, "end_time");
                spool_json_time(&j, end / 1000000, (long)(end % 1000000));
                spool_json_key(&j, "run_time");
                spool_json_time(&j, rt / 1000000, (long)(rt % 1000000));
                if (i % 50 == 7)
                    spool_json_kint(&j, "signal", 11);
                else
                    spool_json_kint(&j, "exit_status", i % 20 == 3 ? 1 : 0);
                spool_json_key(&j, "utime");
                spool_json_time(&j, rt / 2000000, 5);
                spool_json_key(&j, "stime");
                spool_json_time(&j, 0, 120000);
                spool_json_kint(&j, "maxrss_kb", 10000 + (int64_t)(rnd() % 1000000));
            }
            spool_json_obj_close(&j);
            if (spool_json_finish(&j) != 0) {
                fprintf(stderr, "gen_records: record too large\n");
                return 1;
            }
            spool_name_build(name, kind, "bench", date, uname, uuid);
            if (spool_write_atomic(dfd, name, buf, j.len, 0640, 0) != 0) {
                perror(name);
                return 1;
            }
        }
        close(dfd);
    }
    return 0;
}
