/* A job's tally file (spool/spool_tally.h) turned into one tally record
 * in the archive (docs/epilog.md "Tallies", docs/trust.md "Tallies").
 *
 * tally.slots is the user's word like a record: it is read through the fd
 * handle_entry opened (O_NOFOLLOW, regular, dev/ino checked), at most
 * SPOOL_TALLY_SIZE + 1 bytes, parsed by spool_tally_parse (structure and
 * arithmetic), then its claims are checked against what root knows: owner
 * (fstat) = directory owner = the file's uid = the job's uid, its job =
 * the job collected, starts within the job's lifetime, each class's wall
 * time within its runs' possible lifetimes, CPU time within wall time x
 * this node's CPUs. What passes becomes a JSON record whose identity
 * (syshost, host, uid, job) is root's; what fails is quarantined whole with
 * its reason. The record's name and uuid depend only on root's facts and
 * the file (inode), so a rerun after a crash writes identical bytes under
 * the same name: the archive keeps one. */
#include "ep.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_file.h"
#include "spool_json.h"
#include "spool_log.h"
#include "spool_name.h"
#include "spool_tally.h"

#define EP_TALLY_JSON_MAX EP_TALLY_BYTES_MAX
_Static_assert(EP_TALLY_BYTES_MAX >= 64 * (SPOOL_TALLY_PATH_MAX * 6 + 4 * 400) + 4096 &&
               EP_TALLY_BYTES_MAX > SPOOL_TALLY_SIZE, "tally records fit");

/* CPU seconds a run may show beyond wall x CPUs: its process time includes
 * the exec and loading before libtrack's constructor reads the clock. */
#define EP_TALLY_CPU_SLACK_US 1000000ULL

int ep_tally_name(const char *name)
{
    return strcmp(name, SPOOL_TALLY_NAME) == 0 ? 1
         : strcmp(name, SPOOL_TALLY_COUNT) == 0 ? 2 : 0;
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* The claims of t against j and the job's uid. 0, or -1 with the reason
 * (starting with the claim). */
static int check_claims(const struct ep_job *j, const struct spool_tally *t, const struct stat *st,
                        const struct ep_scan *s, char *why, size_t whylen)
{
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    int64_t lo = ((int64_t)j->start - EP_TRUST_SLACK) * 1000000;
    int64_t hi = ((int64_t)j->end + EP_TRUST_SLACK) * 1000000;

    if (ncpu < 1)
        ncpu = 1;
    if (st->st_uid != s->uid || s->dir_owner != s->uid || t->uid != (uint32_t)s->uid) {
        snprintf(why, whylen, "owners disagree: file owner uid %lu, directory owner uid %lu, "
                 "tally uid %lu, job uid %lu", (unsigned long)st->st_uid,
                 (unsigned long)s->dir_owner, (unsigned long)t->uid, (unsigned long)s->uid);
        return -1;
    }
    if (!j->id[0]) {
        snprintf(why, whylen, "job: a tally file for job '%s' in %s, which is no job's",
                 t->job, j->where);
        return -1;
    }
    if (strcmp(t->job, j->id) != 0) {
        snprintf(why, whylen, "job: tally claims job '%s', collected from %s", t->job, j->where);
        return -1;
    }
    if (t->runs && j->start > 0 && (int64_t)t->first_us < lo) {
        snprintf(why, whylen, "first_start: tally claims %llu us, before %s started (%lld, "
                 "from %s; slack %d s)", (unsigned long long)t->first_us, j->where,
                 (long long)j->start, j->start_from, EP_TRUST_SLACK);
        return -1;
    }
    if (t->runs && (t->last_us > (uint64_t)INT64_MAX || (int64_t)t->last_us > hi)) {
        snprintf(why, whylen, "last_start: tally claims %llu us, after this collection (%lld; "
                 "slack %d s)", (unsigned long long)t->last_us, (long long)j->end,
                 EP_TRUST_SLACK);
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        for (int c = 0; c < SPOOL_TALLY_CLASSES; c++) {
            const uint64_t *v = t->e[i].acc.v[c];
            uint64_t runs = v[SPOOL_TALLY_RUNS], cpu, life;
            if (!runs)
                continue;
            /* No run can last longer than from the first start to now. */
            life = (uint64_t)hi > v[SPOOL_TALLY_FIRST] ? (uint64_t)hi - v[SPOOL_TALLY_FIRST] : 0;
            if (v[SPOOL_TALLY_WALL] > mul_sat(runs, life)) {
                snprintf(why, whylen, "wall: slot %u class %s claims %llu us for %llu runs "
                         "started after %llu us", t->e[i].slot, spool_tally_class_name(c),
                         (unsigned long long)v[SPOOL_TALLY_WALL], (unsigned long long)runs,
                         (unsigned long long)v[SPOOL_TALLY_FIRST]);
                return -1;
            }
            cpu = v[SPOOL_TALLY_UTIME] + v[SPOOL_TALLY_STIME];
            if (cpu < v[SPOOL_TALLY_UTIME] ||
                cpu > mul_sat(v[SPOOL_TALLY_WALL], (uint64_t)ncpu) +
                          mul_sat(runs, EP_TALLY_CPU_SLACK_US)) {
                snprintf(why, whylen, "cpu: slot %u class %s claims %llu us of CPU for %llu us "
                         "of wall time on a node of %ld CPUs", t->e[i].slot,
                         spool_tally_class_name(c), (unsigned long long)cpu,
                         (unsigned long long)v[SPOOL_TALLY_WALL], ncpu);
                return -1;
            }
            if (v[SPOOL_TALLY_CORE] > mul_sat(v[SPOOL_TALLY_WALL], 0xffffffffULL)) {
                snprintf(why, whylen, "core: slot %u class %s claims more than 2^32 cores",
                         t->e[i].slot, spool_tally_class_name(c));
                return -1;
            }
        }
    }
    return 0;
}

static void ktime_us(struct spool_json *w, const char *key, uint64_t us)
{
    spool_json_key(w, key);
    spool_json_time(w, (int64_t)(us / 1000000), (long)(us % 1000000));
}

static void kuint(struct spool_json *w, const char *key, uint64_t v)
{
    spool_json_key(w, key);
    spool_json_uint(w, v);
}

static void entry_head(struct spool_json *w, const struct spool_tally_entry *e, const char *cls)
{
    spool_json_obj_open(w);
    spool_json_key(w, "path");
    spool_json_strn(w, e->overflow ? "" : e->path, e->overflow ? 0 : e->path_len,
                    SPOOL_TALLY_PATH_MAX, NULL);
    if (e->overflow) {
        spool_json_key(w, "overflow");
        spool_json_bool(w, 1);
    }
    spool_json_kstr(w, "class", cls);
}

/* The tally record (docs/record-format.md "Tally records"). */
static size_t build_json(char *buf, size_t cap, const struct spool_tally *t,
                         const struct ep_job *j, const char *user, uid_t uid,
                         const char *uuid, time_t mtime)
{
    struct spool_json w;

    spool_json_init(&w, buf, cap);
    spool_json_obj_open(&w);
    spool_json_kint(&w, "schema", 1);
    spool_json_kstr(&w, "kind", "tally");
    spool_json_kstr(&w, "tally_uuid", uuid);
    spool_json_kstr(&w, "syshost", j->syshost);
    spool_json_kstr(&w, "host", j->host);
    spool_json_kstr(&w, "user", user);
    spool_json_kint(&w, "uid", (int64_t)uid);
    spool_json_key(&w, "job");
    spool_json_obj_open(&w);
    spool_json_kstr(&w, "scheduler", "slurm");
    spool_json_kstr(&w, "id", j->id);
    /* Root's (Slurm's) account and partition: reports filter tallied runs
     * by them as they do recorded ones. */
    if (j->account.known)
        spool_json_kstr(&w, "account", j->account.v);
    if (j->partition.known)
        spool_json_kstr(&w, "partition", j->partition.v);
    spool_json_obj_close(&w);
    ktime_us(&w, "time", t->runs ? t->first_us : (uint64_t)mtime * 1000000);
    kuint(&w, "runs", t->runs);
    kuint(&w, "unknown", t->unknown);
    spool_json_key(&w, "tallies");
    spool_json_arr_open(&w);
    for (size_t i = 0; i < t->n; i++) {
        const struct spool_tally_entry *e = &t->e[i];
        for (int c = 0; c < SPOOL_TALLY_CLASSES; c++) {
            const uint64_t *v = e->acc.v[c];
            if (!v[SPOOL_TALLY_RUNS])
                continue;
            entry_head(&w, e, spool_tally_class_name(c));
            kuint(&w, "runs", v[SPOOL_TALLY_RUNS]);
            kuint(&w, "wall_us", v[SPOOL_TALLY_WALL]);
            kuint(&w, "utime_us", v[SPOOL_TALLY_UTIME]);
            kuint(&w, "stime_us", v[SPOOL_TALLY_STIME]);
            kuint(&w, "core_us", v[SPOOL_TALLY_CORE]);
            ktime_us(&w, "first_start", v[SPOOL_TALLY_FIRST]);
            ktime_us(&w, "last_start", v[SPOOL_TALLY_LAST]);
            spool_json_obj_close(&w);
        }
        if (e->unknown) {
            entry_head(&w, e, "unknown");
            kuint(&w, "runs", e->unknown);
            spool_json_obj_close(&w);
        }
    }
    spool_json_arr_close(&w);
    spool_json_obj_close(&w);
    if (spool_json_finish(&w) < 0 || w.len + 1 > cap)
        return 0;
    buf[w.len] = '\n';
    return w.len + 1;
}

/* A uuid (v8 layout) from root's facts and the file: the same on a rerun,
 * different for another node, job, user or file. */
static void tally_uuid(char out[37], const struct ep_job *j, uid_t uid, const struct stat *st)
{
    char key[512];
    int n = snprintf(key, sizeof key, "%s|%s|%s|%lu|%lu|%lu|%lld", j->syshost, j->host, j->id,
                     (unsigned long)uid, (unsigned long)st->st_dev, (unsigned long)st->st_ino,
                     (long long)st->st_ctime);
    uint64_t a = spool_tally_key(key, (size_t)n), b;
    key[0] ^= 0x5a;
    b = spool_tally_key(key, (size_t)n) ^ (a >> 7);
    snprintf(out, 37, "%08x-%04x-8%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             0x8000 | ((unsigned)(b >> 48) & 0x3fff), (unsigned long long)(b & 0xffffffffffffULL));
}

static void user_name(uid_t uid, char *out, size_t outlen)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name[0])
        snprintf(out, outlen, "%s", res->pw_name);
    else
        snprintf(out, outlen, "%lu", (unsigned long)uid);
}

int ep_tally_handle(struct ep_ctx *ctx, struct ep_batch *b, const char *path, struct ep_scan *s,
                    const char *name, int fd, const struct stat *st)
{
    static char raw[SPOOL_TALLY_SIZE + 1];
    static char json[EP_TALLY_JSON_MAX];
    char why[1024], perr[512], uuid[37], user[256], date[SPOOL_DATE_LEN + 1], dst[SPOOL_NAME_MAX];
    char month[8];
    const char *reason = NULL;
    struct spool_tally t;
    size_t len = 0, jlen;
    time_t now = ctx->now;
    struct tm tm;
    int rc;

    rc = spool_read_record(fd, raw, SPOOL_TALLY_SIZE, &len);
    close(fd);
    localtime_r(&now, &tm);
    strftime(month, sizeof month, "%Y%m", &tm);
    if (rc < 0 && errno != EFBIG) {
        spool_log_err("%s/%s: read: %s; left in place", path, name, strerror(errno));
        s->left++;
        ctx->failed++;
        return -1;
    }
    if (rc < 0) {
        len = SPOOL_TALLY_SIZE;
        snprintf(why, sizeof why, "tally file larger than %zu bytes; the quarantined copy holds "
                 "its first %zu", SPOOL_TALLY_SIZE, len);
        reason = why;
    } else if (st->st_nlink > 1) {
        snprintf(why, sizeof why, "file has %lu links", (unsigned long)st->st_nlink);
        reason = why;
    } else if (spool_tally_parse(raw, len, &t, perr, sizeof perr) < 0) {
        snprintf(why, sizeof why, "not a valid tally file: %s", perr);
        reason = why;
    } else if (t.n == 0) {
        /* Created, never counted into (or only zeros): nothing to keep. */
        if (!ctx->dry_run && ep_spool_unlink_same(b->spool_fd, name, st->st_dev, st->st_ino) == 0)
            ctx->removed++;
        spool_log_info("%s/%s: removed: an empty tally file", path, name);
        return 0;
    } else if (s->job && check_claims(s->job, &t, st, s, why, sizeof why) < 0) {
        reason = why;
    }
    if (reason) {
        spool_log_warn("%s/%s: quarantined: %s", path, name, reason);
        rc = ep_batch_add(b, name, st, raw, len, month, reason);
        if (rc < 0)
            s->left++;
        return rc;
    }
    tally_uuid(uuid, s->job, s->uid, st);
    user_name(s->uid, user, sizeof user);
    {
        /* Not the collection's time: a rerun must write the same name. */
        uint64_t at = t.runs ? t.first_us : (uint64_t)st->st_mtime * 1000000;
        if (spool_name_date(date, (time_t)(at / 1000000), (long)(at % 1000000)) < 0 ||
            spool_name_build(dst, SPOOL_KIND_TALLY, s->job->syshost, date, user, uuid) < 0) {
            spool_log_err("%s/%s: cannot name the tally record; left in place", path, name);
            s->left++;
            ctx->failed++;
            return -1;
        }
    }
    jlen = build_json(json, sizeof json, &t, s->job, user, s->uid, uuid, st->st_mtime);
    if (!jlen) {
        spool_log_err("%s/%s: tally record does not fit %zu bytes; left in place", path, name,
                      sizeof json);
        s->left++;
        ctx->failed++;
        return -1;
    }
    memcpy(month, date, 4);
    memcpy(month + 4, date + 5, 2);
    month[6] = '\0';
    spool_log_info("%s/%s: %llu runs tallied (%llu unknown) -> %s", path, name,
                   (unsigned long long)t.runs, (unsigned long long)t.unknown, dst);
    rc = ep_batch_add_as(b, name, dst, st, json, jlen, month, NULL);
    if (rc < 0)
        s->left++;
    return rc;
}
