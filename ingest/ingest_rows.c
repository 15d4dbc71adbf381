/* ingest_rows: the track_run and track_link rows of a batch
 * (ingest_rows.h, docs/schema.md "Merge"). */
#include "ingest_rows.h"

#include <inttypes.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_dict.h"
#include "spool_uuid.h"

/* The account name of uid, looked up once per uid; "" if it has none (or
 * one that does not fit the column). */
static const char *uid_name(struct ingest_loader *L, int64_t uid)
{
    for (size_t i = 0; i < L->nuids; i++)
        if (L->uids[i].uid == (uint32_t)uid)
            return L->uids[i].name;
    if (L->nuids == L->capuids) {
        size_t cap = L->capuids ? L->capuids * 2 : 64;
        struct ingest_uidname *u = realloc(L->uids, cap * sizeof *u);
        if (!u)
            return "";
        L->uids = u;
        L->capuids = cap;
    }
    struct ingest_uidname *e = &L->uids[L->nuids++];
    struct passwd pw, *res = NULL;
    char buf[4096];
    e->uid = (uint32_t)uid;
    e->name[0] = '\0';
    if (getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &res) == 0 && res &&
        strlen(res->pw_name) < sizeof e->name) {
        int ok = 1;
        for (const unsigned char *p = (const unsigned char *)res->pw_name; *p; p++)
            if (*p < 0x21 || *p >= 0x7f)
                ok = 0;   /* keep the column plain text */
        if (ok)
            strcpy(e->name, res->pw_name);
    }
    return e->name;
}

static void add_joined(struct ingest_buf *b, const struct rec_str *v, size_t n,
                       struct ingest_buf *tmp)
{
    ingest_buf_reset(tmp);
    for (size_t i = 0; i < n; i++) {
        if (i)
            ingest_buf_add(tmp, "", 1);   /* NUL separator */
        ingest_buf_add(tmp, v[i].s, v[i].len);
    }
    ingest_buf_hex(b, tmp->s ? tmp->s : "", tmp->len);
}

static void add_uuid(struct ingest_buf *b, const char *uuid)
{
    unsigned char u[16];
    if (uuid[0] && spool_uuid_parse(uuid, u) == 0)
        ingest_buf_hex(b, u, 16);
    else
        ingest_buf_add(b, "NULL", 4);
}

static const char RUN_COLS[] =
    "INSERT INTO track_run (run_uuid,parent_uuid,has_start,has_end,job_id,step_id,"
    "array_job_id,array_task_id,`partition`,account,uid,gid,user,user_claimed,syshost,host,"
    "exe_path,exe_object_id,pid,ppid,cwd,cmdline,start_time,end_time,run_time,exit_status,"
    "term_signal,utime,stime,maxrss_kb,num_nodes,num_tasks,cpus_per_task,num_cores,task_rank,"
    "truncated,object_set_id,module_set_id,env_set_id,mpi_launcher,mpi_rank,mpi_size,"
    "alloc_cpus) VALUES ";

/* First wins, for each half: an incoming start sets the identity columns
 * only if the row has no start yet, an incoming end the end columns only
 * if it has no end yet; so a record loaded again (or a second, different
 * record with the same uuid and kind) changes nothing, and the statement's
 * counts tell new, merged and duplicate apart (send_rows). The object list
 * is the end's once there is one, else the start's. MariaDB applies these
 * left to right, later ones seeing the new values: has_start/has_end come
 * last so that every condition sees the old row. */
#define NEW_START_ "VALUES(has_start)=1 AND has_start=0"
#define NEW_END_ "VALUES(has_end)=1 AND has_end=0"
#define ID_(c) c "=IF(" NEW_START_ ",VALUES(" c ")," c "),"
#define END_(c) c "=IF(" NEW_END_ ",VALUES(" c ")," c "),"
static const char RUN_UPDATE[] =
    " ON DUPLICATE KEY UPDATE "
    ID_("parent_uuid") ID_("job_id") ID_("step_id") ID_("array_job_id") ID_("array_task_id")
    ID_("`partition`") ID_("account") ID_("uid") ID_("gid") ID_("user") ID_("user_claimed")
    ID_("syshost") ID_("host") ID_("exe_path") ID_("exe_object_id") ID_("pid") ID_("ppid")
    ID_("cwd") ID_("cmdline") ID_("start_time") ID_("num_nodes") ID_("num_tasks")
    ID_("cpus_per_task") ID_("num_cores") ID_("task_rank") ID_("module_set_id")
    ID_("env_set_id") ID_("mpi_launcher") ID_("mpi_rank") ID_("mpi_size") ID_("alloc_cpus")
    END_("end_time") END_("run_time") END_("exit_status") END_("term_signal") END_("utime")
    END_("stime") END_("maxrss_kb") END_("object_set_id")
    "truncated=truncated|IF(" NEW_START_ ",VALUES(truncated)&1,0)"
    "|IF(" NEW_END_ ",VALUES(truncated)&2,0),"
    "has_start=has_start|VALUES(has_start),"
    "has_end=has_end|VALUES(has_end)";

static const char LINK_COLS[] =
    "INSERT IGNORE INTO track_link (link_uuid,syshost,host,user,uid,gid,time,cwd,output,"
    "output_build_id,linker,cmdline,object_set_id,truncated,"
    "compiler,compiler_version,compiler_wrapper,compiler_path) VALUES ";

/* One track_run row from a start (s), an end (e) or both halves of a run
 * found in the same batch (one INSERT instead of an INSERT and an UPDATE). */
static void add_run_row(struct ingest_loader *L, const struct rec *s,
                        const struct ingest_work *sw,
                        const struct rec *e, const struct ingest_work *ew, struct ingest_buf *tmp)
{
    struct ingest_buf *b = &L->sql;
    const struct rec *r = s ? s : e;          /* identity: the start wins */
    const struct ingest_work *w = s ? sw : ew;
    const struct ingest_work *ow = e ? ew : sw;      /* objects: the end's list wins */
    int is_end = e != NULL;
    const char *uname = uid_name(L, r->uid);
    const char *user = r->user.s;
    size_t ulen = r->user.len;
    int claimed = 0;
    if (uname[0] && strcmp(uname, r->user.s) != 0) {
        user = uname;
        ulen = strlen(uname);
        claimed = 1;
    }
    int64_t tasks = r->job.num_tasks > 0 ? r->job.num_tasks : 1;
    int64_t cpt = r->job.cpus_per_task > 0 ? r->job.cpus_per_task : 1;
    /* An MPI rank 0 stands for its whole world (the other ranks are not
     * tracked); else the step's tasks. docs/reports.md "Core-hours". */
    int64_t cores = (r->mpi.size > 0 ? r->mpi.size : tasks) * cpt;
    if (cores > UINT32_MAX)
        cores = UINT32_MAX;

    ingest_buf_add(b, "(", 1);
    add_uuid(b, r->run_uuid);
    ingest_buf_add(b, ",", 1);
    add_uuid(b, r->parent_uuid);
    ingest_buf_fmt(b, ",%d,%d,", s != NULL, e != NULL);
    ingest_buf_text_or_null(b, r->job.id.s, r->job.id.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.step.s, r->job.step.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.array_id.s, r->job.array_id.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.array_task.s, r->job.array_task.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.partition.s, r->job.partition.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->job.account.s, r->job.account.len);
    ingest_buf_fmt(b, ",%" PRId64 ",%" PRId64 ",", r->uid, r->gid);
    ingest_buf_text(b, user, ulen);
    ingest_buf_add(b, ",", 1);
    if (claimed)
        ingest_buf_text(b, r->user.s, r->user.len);
    else
        ingest_buf_add(b, "NULL", 4);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->syshost.s, r->syshost.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->host.s, r->host.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->exe.path.s, r->exe.path.len);
    ingest_buf_fmt(b, ",%" PRIu32 ",%" PRId64 ",%" PRId64 ",", w->exe_id, r->pid, r->ppid);
    ingest_buf_hex(b, r->cwd.s, r->cwd.len);
    ingest_buf_add(b, ",", 1);
    add_joined(b, r->cmdline, r->ncmdline, tmp);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, r->start_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, is_end ? e->end_us : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, is_end ? e->run_time_us : -1);
    if (is_end && e->has_exit_status && !e->has_signal)
        ingest_buf_fmt(b, ",%" PRId64, e->exit_status);
    else
        ingest_buf_add(b, ",NULL", 5);
    if (is_end && e->has_signal)
        ingest_buf_fmt(b, ",%" PRId64 ",", e->signal);
    else
        ingest_buf_add(b, ",NULL,", 6);
    ingest_buf_us(b, is_end ? e->utime_us : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, is_end ? e->stime_us : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_int_or_null(b, is_end ? e->maxrss_kb : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_int_or_null(b, r->job.num_nodes);
    ingest_buf_fmt(b, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",", tasks, cpt, cores);
    ingest_buf_int_or_null(b, r->job.rank);
    ingest_buf_fmt(b, ",%d,%" PRIu32 ",", (s && s->truncated ? 1 : 0) | (e && e->truncated ? 2 : 0),
                   ow->oset_id);
    if (w->has_mset)
        ingest_buf_fmt(b, "%" PRIu32 ",", w->mset_id);
    else
        ingest_buf_add(b, "NULL,", 5);
    if (w->has_eset)
        ingest_buf_fmt(b, "%" PRIu32 ",", w->eset_id);
    else
        ingest_buf_add(b, "NULL,", 5);
    ingest_buf_text_or_null(b, r->mpi.launcher.s, r->mpi.launcher.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_int_or_null(b, r->mpi.present ? r->mpi.rank : -1);
    ingest_buf_add(b, ",", 1);
    ingest_buf_int_or_null(b, r->mpi.size);
    ingest_buf_add(b, ",", 1);
    ingest_buf_int_or_null(b, r->job.alloc_cpus);
    ingest_buf_add(b, ")", 1);
}

static void add_link_row(struct ingest_loader *L, const struct rec *r,
                         const struct ingest_work *w,
                         struct ingest_buf *tmp)
{
    struct ingest_buf *b = &L->sql;
    ingest_buf_add(b, "(", 1);
    ingest_buf_text(b, r->run_uuid, strlen(r->run_uuid));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->syshost.s, r->syshost.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->host.s, r->host.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->user.s, r->user.len);
    ingest_buf_fmt(b, ",%" PRId64 ",", r->uid);
    ingest_buf_int_or_null(b, r->gid);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, r->start_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->cwd.s, r->cwd.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->link_output.s, r->link_output.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->output_build_id.s, r->output_build_id.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_hex(b, r->linker.s, r->linker.len);
    ingest_buf_add(b, ",", 1);
    add_joined(b, r->cmdline, r->ncmdline, tmp);
    ingest_buf_fmt(b, ",%" PRIu32 ",%d,", w->oset_id, r->truncated);
    /* the compiler (migration 0010): NULL when the record names none */
    ingest_buf_text_or_null(b, r->cc_name.s, r->cc_name.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->cc_version.s, r->cc_version.len);
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->cc_wrapper.s, r->cc_wrapper.len);
    ingest_buf_add(b, ",", 1);
    if (r->cc_path.len)
        ingest_buf_hex(b, r->cc_path.s, r->cc_path.len);
    else
        ingest_buf_add(b, "NULL", 4);
    ingest_buf_add(b, ")", 1);
}

enum { ROWS_PAIRED, ROWS_SINGLE, ROWS_LINK };   /* the statements, in sending order */
#define NO_MATE SIZE_MAX

/* Finishes and sends the statement in L->sql, `rows` rows of one kind, and
 * adds what it did to c. Without CLIENT_FOUND_ROWS the server counts 1
 * affected row per inserted row, 2 per changed row and 0 per row that
 * changed nothing; the info line's "Duplicates" counts the changed ones (and
 * is NULL for a single row, whose affected count alone tells). For a link
 * (INSERT IGNORE) only inserted or not. A changed run row is a merge:
 * first-wins means a row changes only when a missing half arrives. */
static int send_rows(struct ingest_loader *L, int kind, size_t rows, struct ingest_counts *c)
{
    if (kind != ROWS_LINK)
        ingest_buf_add(&L->sql, RUN_UPDATE, sizeof RUN_UPDATE - 1);
    if (ingest_db_exec_buf(L->db, &L->sql) < 0)
        return -1;
    unsigned long long affected = ingest_db_affected(L->db);
    const char *info = NULL;
    if (kind == ROWS_LINK) {
        if (affected > rows)
            goto odd;
        c->links += affected;
        c->dups += rows - affected;
        return 0;
    }
    unsigned long nrec = 0, changed = 0, warn = 0;
    info = ingest_db_info(L->db);
    if (info) {
        if (sscanf(info, "Records: %lu Duplicates: %lu Warnings: %lu", &nrec, &changed,
                   &warn) != 3 || nrec != rows)
            goto odd;
    } else if (rows == 1) {
        changed = affected == 2;
    } else {
        goto odd;
    }
    if (changed > rows || affected < 2 * (unsigned long long)changed ||
        affected - 2 * changed > rows - changed)
        goto odd;
    size_t fresh = (size_t)(affected - 2 * changed);
    size_t same = rows - fresh - changed;
    c->fresh += fresh;
    if (kind == ROWS_SINGLE) {
        c->merged += changed;
        c->dups += same;
    } else {     /* each row is a start and its end: the end merges unless a dup */
        c->merged += fresh + changed;
        c->dups += changed + 2 * same;
    }
    return 0;
odd:
    /* Never seen; the caller retries the batch one record at a time, where
     * the affected count alone decides. */
    return ingest_db_fail(L->db, "unexpected row counts from the server (%llu affected, info "
                          "\"%s\") for %zu rows", affected, info ? info : "", rows);
}

/* Pairs the halves of each run found in this batch: mate[i] is the index of
 * the other half that goes into the same row, or NO_MATE (the first start
 * with the first end: the first of each wins, as it does against rows
 * already loaded). halves: uuid + kind (byte 17) -> index + 1 of the first
 * such record. 0, or -1 when out of memory. */
static int pair_halves(struct rec *const *recs, size_t n, size_t *mate)
{
    struct ingest_dict halves = {0};
    int rc = -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char hk[32] = {0};
        mate[i] = NO_MATE;
        if (recs[i]->kind == SPOOL_KIND_LINK)
            continue;
        spool_uuid_parse(recs[i]->run_uuid, hk);
        hk[17] = (unsigned char)recs[i]->kind;
        if (ingest_dict_get(&halves, hk))
            continue;
        if (ingest_dict_put(&halves, hk, (uint32_t)i + 1) < 0)
            goto out;
        hk[17] = (unsigned char)(recs[i]->kind == SPOOL_KIND_START ? SPOOL_KIND_END
                                                                   : SPOOL_KIND_START);
        uint32_t j = ingest_dict_get(&halves, hk);
        if (j) {
            mate[i] = j - 1;
            mate[j - 1] = i;
        }
    }
    rc = 0;
out:
    ingest_dict_free(&halves);
    return rc;
}

int ingest_rows_send(struct ingest_loader *L, struct rec *const *recs,
                     const struct ingest_work *w, size_t n, struct ingest_counts *counts)
{
    size_t *mate = malloc((n ? n : 1) * sizeof *mate);  /* the other half in the same row */
    struct ingest_buf tmp = {0};   /* scratch */
    int rc = -1;
    if (!mate || pair_halves(recs, n, mate) < 0) {
        ingest_db_oom(L->db);
        goto out;
    }
    for (int pass = ROWS_PAIRED; pass <= ROWS_LINK; pass++) {
        struct ingest_buf *b = &L->sql;
        size_t rows = 0;
        ingest_buf_reset(b);
        for (size_t i = 0; i < n; i++) {
            const struct rec *r = recs[i];
            int kind = r->kind == SPOOL_KIND_LINK ? ROWS_LINK
                     : mate[i] != NO_MATE ? ROWS_PAIRED : ROWS_SINGLE;
            if (kind != pass || (kind == ROWS_PAIRED && r->kind != SPOOL_KIND_START))
                continue;
            if (b->len == 0)
                ingest_buf_str(b, pass == ROWS_LINK ? LINK_COLS : RUN_COLS);
            else
                ingest_buf_add(b, ",", 1);
            if (pass == ROWS_LINK)
                add_link_row(L, r, &w[i], &tmp);
            else if (pass == ROWS_PAIRED)
                add_run_row(L, r, &w[i], recs[mate[i]], &w[mate[i]], &tmp);
            else if (r->kind == SPOOL_KIND_START)
                add_run_row(L, r, &w[i], NULL, NULL, &tmp);
            else
                add_run_row(L, NULL, NULL, r, &w[i], &tmp);
            rows++;
            if (b->len > L->max_stmt) {
                if (send_rows(L, pass, rows, counts) < 0)
                    goto out;
                ingest_buf_reset(b);
                rows = 0;
            }
        }
        if (rows && send_rows(L, pass, rows, counts) < 0)
            goto out;
    }
    rc = 0;
out:
    free(mate);
    ingest_buf_free(&tmp);
    return rc;
}
