/* Link records: formatted with spool_json, named with spool_name, written
 * with spool_write_atomic, like libtrack's run records. */
#include "spool_err.h"
#include "linkrec.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_ident.h"
#include "spool_limits.h"
#include "spool_file.h"
#include "spool_json.h"
#include "spool_name.h"

#define STR_CUT SPOOL_STR_MAX   /* the reader's limit (spool_limits.h) */

/* The same derivation as libtrack's (libtrack/lt_main.c hosts()). */
static void kstr_cut(struct spool_json *j, const char *key, const char *s, size_t max, int *cut)
{
    spool_json_key(j, key);
    spool_json_strn(j, s, strlen(s), max, cut);
}

/* One attempt at the document with at most nobj objects and ncmd cmdline
 * words. Returns spool_json_finish's result. */
static int format(struct spool_json *j, const struct linkrec *r, const struct spool_ident *id,
                  const char *cwd, size_t nobj, size_t ncmd)
{
    int cut = 0;
    size_t i;

    spool_json_obj_open(j);
    spool_json_kint(j, "schema", 1);
    spool_json_kstr(j, "kind", "link");
    spool_json_kstr(j, "link_uuid", r->uuid);
    kstr_cut(j, "syshost", id->syshost, SPOOL_ID_MAX, &cut);
    kstr_cut(j, "host", id->host, SPOOL_HOST_MAX, &cut);
    kstr_cut(j, "user", id->user, SPOOL_ID_MAX, &cut);
    spool_json_kint(j, "uid", (int64_t)getuid());
    spool_json_kint(j, "gid", (int64_t)getgid());
    spool_json_key(j, "time");
    spool_json_time(j, (int64_t)r->time.tv_sec, (long)r->time.tv_usec);
    kstr_cut(j, "cwd", cwd, STR_CUT, &cut);
    kstr_cut(j, "output", r->output, STR_CUT, &cut);
    spool_json_kstr(j, "output_build_id", r->output_build_id);
    kstr_cut(j, "linker", r->linker, STR_CUT, &cut);
    if (r->cc_name) {
        spool_json_key(j, "compiler");
        spool_json_obj_open(j);
        kstr_cut(j, "name", r->cc_name, SPOOL_ID_MAX, &cut);
        kstr_cut(j, "path", r->cc_path ? r->cc_path : "", STR_CUT, &cut);
        kstr_cut(j, "version", r->cc_version ? r->cc_version : "", SPOOL_ID_MAX, &cut);
        kstr_cut(j, "wrapper", r->cc_wrapper ? r->cc_wrapper : "", SPOOL_ID_MAX, &cut);
        spool_json_obj_close(j);
    }
    spool_json_key(j, "cmdline");
    spool_json_arr_open(j);
    for (i = 0; i < ncmd && i < (size_t)r->argc; i++)
        spool_json_strn(j, r->argv[i], strlen(r->argv[i]), STR_CUT, &cut);
    spool_json_arr_close(j);
    spool_json_key(j, "objects");
    spool_json_arr_open(j);
    for (i = 0; i < nobj && i < r->nobjects; i++) {
        spool_json_obj_open(j);
        kstr_cut(j, "path", r->objects[i].path, STR_CUT, &cut);
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
    char cwd[PATH_MAX];
    char date[SPOOL_DATE_LEN + 1], name[SPOOL_NAME_MAX];
    size_t cap = cfg->max_record_bytes, nobj = r->nobjects, ncmd = (size_t)r->argc;
    struct spool_ident id;
    struct spool_json j;
    char *buf = NULL;
    int rc = -1, saved = 0;

    spool_ident_get(cfg, getuid(), &id);
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    if (spool_name_date(date, r->time.tv_sec, (long)r->time.tv_usec) < 0 ||
        spool_name_build(name, SPOOL_KIND_LINK, id.syshost, date, id.user, r->uuid) < 0) {
        saved = EINVAL;
        spool_seterr(err, errlen, "cannot build a link record name (uuid %s)", r->uuid);
        goto out;
    }
    buf = malloc(cap);
    if (!buf) {
        saved = ENOMEM;
        spool_seterr(err, errlen, "out of memory (%zu bytes)", cap);
        goto out;
    }
    /* Halve what can go until it fits: objects first, then the command line
     * (docs/record-format.md, truncation order). */
    for (;;) {
        spool_json_init(&j, buf, cap);
        if (format(&j, r, &id, cwd, nobj, ncmd) == 0)
            break;
        if (nobj > 0)
            nobj /= 2;
        else if (ncmd > 0)
            ncmd /= 2;
        else {
            saved = EFBIG;
            spool_seterr(err, errlen, "link record does not fit in max_record_bytes = %zu", cap);
            goto out;
        }
    }
    if (j.len < cap - 1)
        buf[j.len++] = '\n';
    if (spool_write_atomic(dirfd, name, buf, j.len, 0600, 0) < 0) {
        saved = errno;
        spool_seterr(err, errlen, "cannot write %s: %s", name, strerror(saved));
        goto out;
    }
    rc = 0;
out:
    free(buf);
    if (rc < 0)
        errno = saved;
    return rc;
}
