/* ep_mkrec: writes valid run records into a directory, the way libtrack
 * does (spool_json + spool_name + spool_write_atomic), for the epilog tests
 * and the benchmark. Not installed.
 *
 *   ep_mkrec DIR COUNT [--uid N] [--json-uid N] [--syshost S] [--user U]
 *            [--pad BYTES] [--time EPOCH] [--owner UID:GID] [--job ID|-]
 *            [--host H] [--array JOB_TASK] [--partition P] [--account A]
 *
 * Prints each file name written, one per line. --json-uid forges the uid in
 * the content; --owner fchowns the files (root only); --pad adds an env
 * value of that many bytes (to make oversize records). --job sets job.id
 * (default 77; "-" writes no job object, as libtrack outside a job), --host
 * the host (default: this node's name, as libtrack writes it), --array,
 * --partition and --account the job's other claims (default: absent). Exit
 * 0, or 1 with a one-line error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "spool_file.h"
#include "spool_json.h"
#include "spool_name.h"
#include "spool_uuid.h"

/* The job and host claims a record makes (see the usage above). */
struct claims {
    const char *job, *host, *array, *partition, *account;
};

static int write_one(int dirfd, long uid, long json_uid, const char *syshost, const char *user,
                     size_t pad, long t, int kind, const char *uuid, char *buf, size_t cap,
                     long owner_uid, long owner_gid, const struct claims *cl)
{
    struct spool_json j;
    char date[SPOOL_DATE_LEN + 1], name[SPOOL_NAME_MAX];
    long usec = 123456;

    if (spool_name_date(date, (time_t)t, usec) < 0 ||
        spool_name_build(name, kind, syshost, date, user, uuid) < 0) {
        fprintf(stderr, "ep_mkrec: cannot build a name\n");
        return -1;
    }
    spool_json_init(&j, buf, cap);
    spool_json_obj_open(&j);
    spool_json_kint(&j, "schema", 1);
    spool_json_kstr(&j, "kind", kind == SPOOL_KIND_START ? "start" : "end");
    spool_json_kstr(&j, "run_uuid", uuid);
    spool_json_kstr(&j, "syshost", syshost);
    spool_json_kstr(&j, "host", cl->host);
    spool_json_kint(&j, "uid", json_uid);
    spool_json_kint(&j, "gid", uid);
    spool_json_kstr(&j, "user", user);
    spool_json_kint(&j, "pid", 4242);
    spool_json_kint(&j, "ppid", 1);
    spool_json_key(&j, "start_time");
    spool_json_time(&j, t, usec);
    spool_json_key(&j, "exe");
    spool_json_obj_open(&j);
    spool_json_kstr(&j, "path", "/usr/bin/true");
    spool_json_kstr(&j, "build_id", "0123456789abcdef0123456789abcdef01234567");
    spool_json_obj_close(&j);
    spool_json_key(&j, "cmdline");
    spool_json_arr_open(&j);
    spool_json_str(&j, "true");
    spool_json_str(&j, "--flag");
    spool_json_arr_close(&j);
    spool_json_kstr(&j, "cwd", "/home/x");
    if (strcmp(cl->job, "-") != 0) {
        spool_json_key(&j, "job");
        spool_json_obj_open(&j);
        spool_json_kstr(&j, "scheduler", "slurm");
        spool_json_kstr(&j, "id", cl->job);
        if (cl->array) {
            char aj[64];
            const char *us = strchr(cl->array, '_');
            snprintf(aj, sizeof aj, "%.*s", us ? (int)(us - cl->array) : 0, cl->array);
            spool_json_kstr(&j, "array_id", aj);
            spool_json_kstr(&j, "array_task", us ? us + 1 : "");
        }
        if (cl->partition)
            spool_json_kstr(&j, "partition", cl->partition);
        if (cl->account)
            spool_json_kstr(&j, "account", cl->account);
        spool_json_obj_close(&j);
    }
    spool_json_key(&j, "modules");
    spool_json_arr_open(&j);
    spool_json_arr_close(&j);
    spool_json_key(&j, "env");
    spool_json_obj_open(&j);
    if (pad) {
        char *p = malloc(pad + 1);
        if (!p)
            return -1;
        memset(p, 'x', pad);
        p[pad] = '\0';
        spool_json_kstr(&j, "PAD", p);
        free(p);
    }
    spool_json_obj_close(&j);
    spool_json_key(&j, "objects");
    spool_json_arr_open(&j);
    spool_json_obj_open(&j);
    spool_json_kstr(&j, "path", "/lib/x86_64-linux-gnu/libc.so.6");
    spool_json_kstr(&j, "build_id", "89abcdef0123456789abcdef0123456789abcdef");
    spool_json_obj_close(&j);
    spool_json_arr_close(&j);
    if (kind == SPOOL_KIND_END) {
        spool_json_key(&j, "end_time");
        spool_json_time(&j, t + 2, usec);
        spool_json_key(&j, "run_time");
        spool_json_time(&j, 2, 0);
        spool_json_kint(&j, "exit_status", 0);
        spool_json_key(&j, "utime");
        spool_json_time(&j, 0, 1000);
        spool_json_key(&j, "stime");
        spool_json_time(&j, 0, 2000);
        spool_json_kint(&j, "maxrss_kb", 1024);
    }
    spool_json_obj_close(&j);
    if (spool_json_finish(&j) < 0) {
        fprintf(stderr, "ep_mkrec: record does not fit in %zu bytes\n", cap);
        return -1;
    }
    buf[j.len++] = '\n';
    if (spool_write_atomic(dirfd, name, buf, j.len, 0600, 0) < 0) {
        fprintf(stderr, "ep_mkrec: %s: %s\n", name, strerror(errno));
        return -1;
    }
    if (owner_uid >= 0 && fchownat(dirfd, name, (uid_t)owner_uid, (gid_t)owner_gid,
                                   AT_SYMLINK_NOFOLLOW) < 0) {
        fprintf(stderr, "ep_mkrec: chown %s: %s\n", name, strerror(errno));
        return -1;
    }
    printf("%s\n", name);
    return 0;
}

int main(int argc, char **argv)
{
    long uid = (long)getuid(), json_uid = -1, t = 1732214400, owner_uid = -1, owner_gid = -1;
    const char *syshost = "testhost", *user = "tester";
    struct claims cl = { "77", NULL, NULL, NULL, NULL };
    struct utsname un;
    size_t pad = 0, cap;
    char *buf;
    long count;
    int dirfd, i;

    if (argc < 3) {
        fprintf(stderr, "usage: ep_mkrec DIR COUNT [--uid N] [--json-uid N] [--syshost S] "
                        "[--user U] [--pad BYTES] [--time EPOCH] [--owner UID:GID] "
                        "[--job ID|-] [--host H] [--array JOB_TASK] [--partition P] "
                        "[--account A]\n");
        return 1;
    }
    count = strtol(argv[2], NULL, 10);
    for (i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--uid"))
            uid = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--json-uid"))
            json_uid = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--syshost"))
            syshost = argv[i + 1];
        else if (!strcmp(argv[i], "--user"))
            user = argv[i + 1];
        else if (!strcmp(argv[i], "--pad"))
            pad = (size_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--job"))
            cl.job = argv[i + 1];
        else if (!strcmp(argv[i], "--host"))
            cl.host = argv[i + 1];
        else if (!strcmp(argv[i], "--array"))
            cl.array = argv[i + 1];
        else if (!strcmp(argv[i], "--partition"))
            cl.partition = argv[i + 1];
        else if (!strcmp(argv[i], "--account"))
            cl.account = argv[i + 1];
        else if (!strcmp(argv[i], "--time"))
            t = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--owner")) {
            if (sscanf(argv[i + 1], "%ld:%ld", &owner_uid, &owner_gid) != 2) {
                fprintf(stderr, "ep_mkrec: --owner wants UID:GID\n");
                return 1;
            }
        } else {
            fprintf(stderr, "ep_mkrec: unknown option %s\n", argv[i]);
            return 1;
        }
    }
    if (i != argc) {
        fprintf(stderr, "ep_mkrec: option %s needs a value\n", argv[i]);
        return 1;
    }
    if (json_uid < 0)
        json_uid = uid;
    if (!cl.host)
        cl.host = uname(&un) == 0 ? un.nodename : "unknown";
    dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        fprintf(stderr, "ep_mkrec: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    cap = pad + 8192;
    buf = malloc(cap);
    if (!buf)
        return 1;
    for (i = 0; i < count; i++) {
        char uuid[37];
        spool_uuid_v7(uuid);
        /* Alternate start and end records; each its own run. */
        if (write_one(dirfd, uid, json_uid, syshost, user, pad, t + i % 7,
                      i % 2 ? SPOOL_KIND_END : SPOOL_KIND_START, uuid, buf, cap,
                      owner_uid, owner_gid, &cl) < 0) {
            free(buf);
            close(dirfd);
            return 1;
        }
    }
    free(buf);
    close(dirfd);
    return 0;
}
