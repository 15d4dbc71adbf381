#include "lt_record.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include "lt_env.h"
#include "lt_json.h"
#include "lt_objects.h"
#include "spool_list.h"
#include "spool_note.h"

static void kstrn(struct spool_json *j, const char *key, const char *s, size_t max, int *cut)
{
    spool_json_key(j, key);
    spool_json_strn(j, s, strlen(s), max, cut);
}

/* Keys known before main that never get dropped. */
static void identity(struct lt_run *r, struct spool_json *j, int *cut)
{
    struct spool_note_ids ids;
    char cwd[PATH_MAX];

    spool_json_kstr(j, "run_uuid", r->run_uuid);
    if (r->parent_uuid[0])
        spool_json_kstr(j, "parent_uuid", r->parent_uuid);
    kstrn(j, "syshost", r->id.syshost, LT_NAME_MAX, cut);
    kstrn(j, "host", r->id.host, LT_HOST_MAX, cut);
    spool_json_kint(j, "uid", (int64_t)r->uid);
    spool_json_kint(j, "gid", (int64_t)getgid());
    kstrn(j, "user", r->id.user, LT_NAME_MAX, cut);
    spool_json_kint(j, "pid", (int64_t)r->pid);
    spool_json_kint(j, "ppid", (int64_t)getppid());
    spool_json_key(j, "start_time");
    spool_json_time(j, (int64_t)r->start.tv_sec, r->start.tv_nsec / 1000);

    lt_obj_exe_ids(&ids);
    spool_json_key(j, "exe");
    spool_json_obj_open(j);
    kstrn(j, "path", r->exe_path, LT_STR_MAX, cut);
    spool_json_kstr(j, "build_id", ids.build_id);
    spool_json_kstr(j, "signature", ids.signature);
    spool_json_obj_close(j);

    /* An unreachable or too long working directory is recorded as "". */
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    kstrn(j, "cwd", cwd, LT_STR_MAX, cut);
    lt_env_job_json(j, LT_NAME_MAX, LT_JOBTEXT_MAX, cut);
    lt_env_mpi_json(j);
}

/* Appends one string element if it fits below the current budget and no
 * element of a higher-priority array was dropped; returns 0, or -1 (element
 * dropped, *dropped and *cut set). */
static int element(struct spool_json *j, const char *s, size_t n, int *dropped, int *cut)
{
    struct spool_json_mark m = spool_json_mark(j);
    if (!*dropped) {
        spool_json_strn(j, s, n, LT_STR_MAX, cut);
        if (!j->overflow)
            return 0;
        spool_json_rewind(j, m);
    }
    *dropped = 1;
    *cut = 1;
    return -1;
}

static void cmdline(struct spool_json *j, size_t full, int argc, char **argv, int *dropped,
                    int *cut)
{
    lt_json_budget(j, full, LT_RESERVE_END);
    spool_json_key(j, "cmdline");
    spool_json_arr_open(j);
    lt_json_budget(j, full, LT_RESERVE_END + LT_RESERVE_STRUCT);
    for (int i = 0; argv && i < argc && argv[i]; i++)
        if (element(j, argv[i], strlen(argv[i]), dropped, cut) < 0)
            break;
    lt_json_budget(j, full, LT_RESERVE_END);
    spool_json_arr_close(j);
}

static void modules(struct spool_json *j, size_t full, int *dropped, int *cut)
{
    const char *p = getenv("LOADEDMODULES");

    lt_json_budget(j, full, LT_RESERVE_END);
    spool_json_key(j, "modules");
    spool_json_arr_open(j);
    lt_json_budget(j, full, LT_RESERVE_END + LT_RESERVE_STRUCT);
    while (p && *p) {
        size_t n = strcspn(p, ":");
        if (n && element(j, p, n, dropped, cut) < 0)
            break;
        p += n;
        if (*p == ':')
            p++;
    }
    lt_json_budget(j, full, LT_RESERVE_END);
    spool_json_arr_close(j);
}

/* A name we can write as a JSON key unescaped (spool_json_key takes keys
 * verbatim): the portable shell variable names. Others are not recorded. */
static size_t env_name_len(const char *entry)
{
    size_t n = 0;
    for (; entry[n] && entry[n] != '='; n++) {
        char c = entry[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
              (n > 0 && c >= '0' && c <= '9')))
            return 0;
    }
    return entry[n] == '=' && n < 128 ? n : 0;
}

/* 1 if an entry before envp[i] has the same name: getenv() returns the
 * first, so that is the one recorded. */
static int env_seen(char **envp, int i, const char *name, size_t n)
{
    for (int k = 0; k < i; k++)
        if (strncmp(envp[k], name, n) == 0 && envp[k][n] == '=')
            return 1;
    return 0;
}

static void env(struct lt_run *r, struct spool_json *j, size_t full, char **envp, int *dropped,
                int *cut)
{
    lt_json_budget(j, full, LT_RESERVE_END);
    spool_json_key(j, "env");
    spool_json_obj_open(j);
    lt_json_budget(j, full, LT_RESERVE_END + LT_RESERVE_STRUCT);
    for (int i = 0; r->env.n && envp && envp[i]; i++) {
        const char *e = envp[i];
        char name[128];
        size_t n = env_name_len(e);
        struct spool_json_mark m;

        if (!n || !spool_globs_match(&r->env, e, n, 0) || env_seen(envp, i, e, n))
            continue;
        if (*dropped) {
            *cut = 1;
            break;
        }
        memcpy(name, e, n);
        name[n] = '\0';
        m = spool_json_mark(j);
        spool_json_key(j, name);
        spool_json_strn(j, e + n + 1, strlen(e + n + 1), LT_STR_MAX, cut);
        if (j->overflow) {
            spool_json_rewind(j, m);
            *dropped = 1;
            *cut = 1;
            break;
        }
    }
    lt_json_budget(j, full, LT_RESERVE_END);
    spool_json_obj_close(j);
}

int lt_rec_start(struct lt_run *r, int argc, char **argv, char **envp)
{
    struct spool_json j;
    size_t full = r->cap;
    int cut = 0, ocut = 0, dropped = 0;

    spool_json_init(&j, r->buf, full);
    lt_json_budget(&j, full, LT_RESERVE_END + LT_RESERVE_STRUCT);
    spool_json_obj_open(&j);
    spool_json_kint(&j, "schema", 1);
    spool_json_kstr(&j, "kind", "start");
    r->ident_off = j.len;
    identity(r, &j, &cut);
    if (j.overflow)
        return -1;
    cmdline(&j, full, argc, argv, &dropped, &cut);
    modules(&j, full, &dropped, &cut);
    env(r, &j, full, envp, &dropped, &cut);
    r->ident_end = j.len;
    r->ident_dropped = dropped;
    r->objs_off = j.len;
    r->obj_gen = lt_obj_generation();
    lt_obj_json(&j, full, LT_RESERVE_END, LT_STR_MAX, dropped, &ocut);
    r->objs_end = j.len;
    r->ident_truncated = cut;
    r->objs_truncated = ocut;
    lt_json_budget(&j, full, 0);
    if (cut || ocut) {
        spool_json_key(&j, "truncated");
        spool_json_bool(&j, 1);
    }
    spool_json_obj_close(&j);
    if (spool_json_finish(&j) < 0)
        return -1;
    r->buf[j.len] = '\n';
    r->start_len = j.len + 1;
    return 0;
}

static void ktv(struct spool_json *j, const char *key, const struct timeval *tv)
{
    spool_json_key(j, key);
    spool_json_time(j, (int64_t)tv->tv_sec, (long)tv->tv_usec);
}

size_t lt_rec_end(struct lt_run *r, enum lt_end_how how, int value, int fresh_objects)
{
    struct spool_json j;
    struct timespec now;
    struct rusage ru;
    int64_t sec;
    long nsec;
    int ocut = 0;
    size_t full = r->cap;
    char *b = lt_rec_end_buf(r);

    lt_now(&now);
    spool_json_init(&j, b, full);
    spool_json_obj_open(&j);
    spool_json_kint(&j, "schema", 1);
    spool_json_kstr(&j, "kind", "end");
    spool_json_raw(&j, r->buf + r->ident_off, r->ident_end - r->ident_off);
    /* The same list with the same budget gives the same array: walk the
     * loader's list again only if dlopen or dlclose changed it. */
    if (fresh_objects && lt_obj_generation() != r->obj_gen) {
        lt_obj_json(&j, full, LT_RESERVE_END, LT_STR_MAX, r->ident_dropped, &ocut);
    } else {
        spool_json_raw(&j, r->buf + r->objs_off, r->objs_end - r->objs_off);
        ocut = r->objs_truncated;
    }
    lt_json_budget(&j, full, 0);

    spool_json_key(&j, "end_time");
    spool_json_time(&j, (int64_t)now.tv_sec, now.tv_nsec / 1000);
    sec = (int64_t)now.tv_sec - (int64_t)r->start.tv_sec;
    nsec = now.tv_nsec - r->start.tv_nsec;
    if (nsec < 0) {
        nsec += 1000000000L;
        sec--;
    }
    if (sec < 0) /* the clock was stepped back: a run takes no negative time */
        sec = nsec = 0;
    spool_json_key(&j, "run_time");
    spool_json_time(&j, sec, nsec / 1000);
    if (how == LT_END_SIGNAL)
        spool_json_kint(&j, "signal", value);
    else
        spool_json_kint(&j, "exit_status", value);
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        ktv(&j, "utime", &ru.ru_utime);
        ktv(&j, "stime", &ru.ru_stime);
        spool_json_kint(&j, "maxrss_kb", (int64_t)ru.ru_maxrss);
    }
    if (r->ident_truncated || ocut) {
        spool_json_key(&j, "truncated");
        spool_json_bool(&j, 1);
    }
    spool_json_obj_close(&j);
    if (spool_json_finish(&j) < 0)
        return 0;
    b[j.len] = '\n';
    return j.len + 1;
}
