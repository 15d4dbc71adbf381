/* Link records: formatted with spool_json, named with spool_name, written
 * with spool_write_atomic, like libtrack's run records. */
#include "linkrec.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "spool_limits.h"
#include "spool_file.h"
#include "spool_json.h"
#include "spool_name.h"

#define STR_CUT SPOOL_STR_MAX   /* the reader's limit (spool_limits.h) */

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void copy_cut(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src);
}

/* The same derivation as libtrack's (libtrack/lt_main.c hosts()). */
void linkrec_syshost(const struct spool_config *cfg, char *out, size_t len)
{
    const char *cluster = getenv("SLURM_CLUSTER_NAME");
    struct utsname u;

    if (cfg->syshost[0]) {
        copy_cut(out, len, cfg->syshost);
        return;
    }
    if (cluster && *cluster) {
        copy_cut(out, len, cluster);
        return;
    }
    if (uname(&u) < 0)
        copy_cut(u.nodename, sizeof u.nodename, "unknown");
    copy_cut(out, len, u.nodename);
    out[strcspn(out, ".")] = '\0';
}

static void kstr_cut(struct spool_json *j, const char *key, const char *s, int *cut)
{
    spool_json_key(j, key);
    spool_json_strn(j, s, strlen(s), STR_CUT, cut);
}

/* One attempt at the document with at most nobj objects and ncmd cmdline
 * words. Returns spool_json_finish's result. */
static int format(struct spool_json *j, const struct linkrec *r, const char *syshost,
                  const char *host, const char *user, const char *cwd, size_t nobj,
                  size_t ncmd)
{
    int cut = 0;
    size_t i;

    spool_json_obj_open(j);
    spool_json_kint(j, "schema", 1);
    spool_json_kstr(j, "kind", "link");
    spool_json_kstr(j, "link_uuid", r->uuid);
    kstr_cut(j, "syshost", syshost, &cut);
    kstr_cut(j, "host", host, &cut);
    kstr_cut(j, "user", user, &cut);
    spool_json_kint(j, "uid", (int64_t)getuid());
    spool_json_kint(j, "gid", (int64_t)getgid());
    spool_json_key(j, "time");
    spool_json_time(j, (int64_t)r->time.tv_sec, (long)r->time.tv_usec);
    kstr_cut(j, "cwd", cwd, &cut);
    kstr_cut(j, "output", r->output, &cut);
    spool_json_kstr(j, "output_build_id", r->output_build_id);
    kstr_cut(j, "linker", r->linker, &cut);
    spool_json_key(j, "cmdline");
    spool_json_arr_open(j);
    for (i = 0; i < ncmd && i < (size_t)r->argc; i++)
        spool_json_strn(j, r->argv[i], strlen(r->argv[i]), STR_CUT, &cut);
    spool_json_arr_close(j);
    spool_json_key(j, "objects");
    spool_json_arr_open(j);
    for (i = 0; i < nobj && i < r->nobjects; i++) {
        spool_json_obj_open(j);
        kstr_cut(j, "path", r->objects[i].path, &cut);
        spool_json_kstr(j, "build_id", r->objects[i].ids.build_id);
        spool_json_kstr(j, "signature", r->objects[i].ids.signature);
        spool_json_obj_close(j);
    }
    spool_json_arr_close(j);
    if (cut || nobj < r->nobjects || ncmd < (size_t)r->argc) {
        spool_json_key(j, "truncated");
        spool_json_bool(j, 1);
    }
    spool_json_obj_close(j);
    return spool_json_finish(j);
}

int linkrec_write(const struct spool_config *cfg, int dirfd, const struct linkrec *r,
                  char *err, size_t errlen)
{
    char syshost[SPOOL_CONF_NAME_MAX], host[256], cwd[PATH_MAX], user[64];
    char date[SPOOL_DATE_LEN + 1], name[SPOOL_NAME_MAX];
    const char *envuser = getenv("USER");
    size_t cap = cfg->max_record_bytes, nobj = r->nobjects, ncmd = (size_t)r->argc;
    struct utsname u;
    struct spool_json j;
    char *buf = NULL;
    int rc = -1, saved = 0;

    linkrec_syshost(cfg, syshost, sizeof syshost);
    if (uname(&u) < 0)
        copy_cut(u.nodename, sizeof u.nodename, "unknown");
    copy_cut(host, sizeof host, u.nodename);
    if (envuser && *envuser)
        copy_cut(user, sizeof user, envuser);
    else
        snprintf(user, sizeof user, "%lu", (unsigned long)getuid());
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    if (spool_name_date(date, r->time.tv_sec, (long)r->time.tv_usec) < 0 ||
        spool_name_build(name, SPOOL_KIND_LINK, syshost, date, user, r->uuid) < 0) {
        saved = EINVAL;
        seterr(err, errlen, "cannot build a link record name (uuid %s)", r->uuid);
        goto out;
    }
    buf = malloc(cap);
    if (!buf) {
        saved = ENOMEM;
        seterr(err, errlen, "out of memory (%zu bytes)", cap);
        goto out;
    }
    /* Halve what can go until it fits: objects first, then the command line
     * (docs/record-format.md, truncation order). */
    for (;;) {
        spool_json_init(&j, buf, cap);
        if (format(&j, r, syshost, host, user, cwd, nobj, ncmd) == 0)
            break;
        if (nobj > 0)
            nobj /= 2;
        else if (ncmd > 0)
            ncmd /= 2;
        else {
            saved = EFBIG;
            seterr(err, errlen, "link record does not fit in max_record_bytes = %zu", cap);
            goto out;
        }
    }
    if (j.len < cap - 1)
        buf[j.len++] = '\n';
    if (spool_write_atomic(dirfd, name, buf, j.len, 0600, 0) < 0) {
        saved = errno;
        seterr(err, errlen, "cannot write %s: %s", name, strerror(saved));
        goto out;
    }
    rc = 0;
out:
    free(buf);
    if (rc < 0)
        errno = saved;
    return rc;
}
