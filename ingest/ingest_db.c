/* ingest_db: connection, statements, schema version and migrations. */
#include "ingest_db.h"

#include <errno.h>
#include <stdarg.h>
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int ingest_db_expected_version(void)
{
    int v = 0;
    for (size_t i = 0; i < ingest_nmigrations; i++)
        if (ingest_migrations[i].version > v)
            v = ingest_migrations[i].version;
    return v;
}

static int is_lost(unsigned e)
{
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONN_HOST_ERROR ||
           e == CR_CONNECTION_ERROR || e == CR_COMMANDS_OUT_OF_SYNC ||
           e == ER_CONNECTION_KILLED || e == ER_SERVER_SHUTDOWN || e == ER_QUERY_INTERRUPTED;
}

static int set_err(struct ingest_db *db, const char *what)
{
    unsigned e = mysql_errno(db->my);
    db->lost = is_lost(e);
    snprintf(db->err, sizeof db->err, "%s: %s (%u)", what, mysql_error(db->my), e);
    for (char *p = db->err; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return -1;
}

int ingest_db_connect(struct ingest_db *db, const char *option_file, const char *group)
{
    memset(db, 0, sizeof *db);
    db->my = mysql_init(NULL);
    if (!db->my) {
        snprintf(db->err, sizeof db->err, "mysql_init: out of memory");
        return -1;
    }
    if (option_file && option_file[0])
        mysql_options(db->my, MYSQL_READ_DEFAULT_FILE, option_file);
    mysql_options(db->my, MYSQL_READ_DEFAULT_GROUP, group && group[0] ? group : "track");
    mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* Everything (host, socket, user, password, database) comes from the
     * option file: nothing on the command line, nothing in the environment
     * that ps could show. */
    if (!mysql_real_connect(db->my, NULL, NULL, NULL, NULL, 0, NULL, 0)) {
        char what[SPOOL_ERR_MAX];
        snprintf(what, sizeof what, "cannot connect (option file %s, group [%s])",
                 option_file && option_file[0] ? option_file : "(client defaults)",
                 group && group[0] ? group : "track");
        return set_err(db, what);
    }
    static const char setup[] =
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    if (mysql_real_query(db->my, setup, sizeof setup - 1) != 0)
        return set_err(db, "session setup");
    if (mysql_autocommit(db->my, 0) != 0)
        return set_err(db, "autocommit off");
    if (mysql_real_query(db->my, "SELECT DATABASE()", 17) == 0) {
        MYSQL_RES *res = mysql_store_result(db->my);
        MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
        int none = !row || !row[0];
        if (res)
            mysql_free_result(res);
        if (none) {
            snprintf(db->err, sizeof db->err,
                     "no database selected: set database= in group [%s] of %s",
                     group && group[0] ? group : "track",
                     option_file && option_file[0] ? option_file : "the option file");
            return -1;
        }
    }
    return 0;
}

void ingest_db_close(struct ingest_db *db)
{
    if (db->my)
        mysql_close(db->my);
    db->my = NULL;
}

int ingest_db_exec(struct ingest_db *db, const char *sql, size_t len)
{
    double t = mono();
    int q = mysql_real_query(db->my, sql, (unsigned long)len);
    db->busy += mono() - t;
    if (q != 0)
        return set_err(db, "query failed");
    MYSQL_RES *res = mysql_store_result(db->my);
    if (res)
        mysql_free_result(res);
    else if (mysql_field_count(db->my) != 0)
        return set_err(db, "reading result");
    return 0;
}

int ingest_db_exec_buf(struct ingest_db *db, const struct ingest_buf *b)
{
    if (b->oom)
        return ingest_db_oom(db);
    return ingest_db_exec(db, b->s, b->len);
}

int ingest_db_fail(struct ingest_db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    db->lost = 0;
    return -1;
}

int ingest_db_oom(struct ingest_db *db)
{
    return ingest_db_fail(db, "out of memory building SQL");
}

unsigned long long ingest_db_affected(struct ingest_db *db)
{
    return mysql_affected_rows(db->my);
}

const char *ingest_db_info(struct ingest_db *db)
{
    return mysql_info(db->my);
}

int ingest_db_select(struct ingest_db *db, const char *sql, size_t len, ingest_db_row_fn *row,
                     void *ctx)
{
    double t = mono();
    if (mysql_real_query(db->my, sql, (unsigned long)len) != 0) {
        db->busy += mono() - t;
        return set_err(db, "query failed");
    }
    MYSQL_RES *res = mysql_store_result(db->my);
    db->busy += mono() - t;
    if (!res)
        return set_err(db, "reading result");
    MYSQL_ROW r;
    int rc = 0;
    while (rc == 0 && (r = mysql_fetch_row(res)))
        rc = row(ctx, r, mysql_fetch_lengths(res));
    mysql_free_result(res);
    return rc;
}

struct ints {
    long *v;
    int n, rows;
};

static int read_ints(void *ctx, char **col, const unsigned long *len)
{
    struct ints *x = ctx;
    (void)len;
    for (int i = 0; i < x->n && x->rows == 0; i++)
        x->v[i] = col[i] ? strtol(col[i], NULL, 10) : 0;
    x->rows++;
    return 0;
}

int ingest_db_ints(struct ingest_db *db, const char *sql, size_t len, long *v, int n)
{
    struct ints x = { v, n, 0 };
    if (ingest_db_select(db, sql, len, read_ints, &x) != 0)
        return -1;
    if (x.rows != 1)
        return ingest_db_fail(db, "no result from '%.*s'", (int)len, sql);
    return 0;
}

int ingest_db_commit(struct ingest_db *db)
{
    double t = mono();
    int c = mysql_commit(db->my);
    db->busy += mono() - t;
    if (c != 0)
        return set_err(db, "commit failed");
    return 0;
}

void ingest_db_rollback(struct ingest_db *db)
{
    if (db->my)
        (void)mysql_rollback(db->my);
}

int ingest_db_version(struct ingest_db *db)
{
    static const char q[] = "SELECT MAX(version) FROM track_schema_version";
    if (mysql_real_query(db->my, q, sizeof q - 1) != 0) {
        if (mysql_errno(db->my) == ER_NO_SUCH_TABLE)
            return 0;
        return set_err(db, "reading track_schema_version");
    }
    MYSQL_RES *res = mysql_store_result(db->my);
    if (!res)
        return set_err(db, "reading track_schema_version");
    MYSQL_ROW row = mysql_fetch_row(res);
    int v = (row && row[0]) ? atoi(row[0]) : 0;
    mysql_free_result(res);
    (void)mysql_commit(db->my);  /* end the read's transaction */
    return v;
}

/* Runs the statements of one migration: each ends with ';' at the end of a
 * line; '--' comment lines are dropped. */
static int run_script(struct ingest_db *db, const struct ingest_migration *m)
{
    const char *p = m->sql;
    char *stmt = malloc(strlen(p) + 1);
    size_t n = 0;
    int rc = 0, lineno = 1, first = 1;
    if (!stmt) {
        snprintf(db->err, sizeof db->err, "%s: out of memory", m->name);
        return -1;
    }
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t ll = eol ? (size_t)(eol - p) : strlen(p);
        const char *q = p;
        while (q < p + ll && (*q == ' ' || *q == '\t'))
            q++;
        if (!(q + 1 < p + ll && q[0] == '-' && q[1] == '-') && q < p + ll) {
            if (n == 0)
                first = lineno;
            memcpy(stmt + n, p, ll);
            n += ll;
            stmt[n++] = '\n';
            size_t e = ll;
            while (e > 0 && (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == '\r'))
                e--;
            if (e > 0 && p[e - 1] == ';') {
                if (ingest_db_exec(db, stmt, n) < 0) {
                    char tmp[sizeof db->err];
                    memcpy(tmp, db->err, sizeof tmp);
                    int k = snprintf(db->err, sizeof db->err, "%s: statement at line %d: ",
                                     m->name, first);
                    if (k > 0 && (size_t)k < sizeof db->err)
                        snprintf(db->err + k, sizeof db->err - (size_t)k, "%.*s",
                                 (int)(sizeof db->err - (size_t)k - 1), tmp);
                    rc = -1;
                    break;
                }
                n = 0;
            }
        }
        p += ll + (eol ? 1 : 0);
        lineno++;
    }
    free(stmt);
    return rc;
}

int ingest_db_migrate(struct ingest_db *db, int *from)
{
    int v = ingest_db_version(db);
    if (v < 0)
        return -1;
    if (from)
        *from = v;
    if (v > ingest_db_expected_version()) {
        snprintf(db->err, sizeof db->err,
                 "database schema version %d is newer than this track-ingest knows (%d)", v,
                 ingest_db_expected_version());
        return -1;
    }
    for (size_t i = 0; i < ingest_nmigrations; i++) {
        const struct ingest_migration *m = &ingest_migrations[i];
        if (m->version <= v)
            continue;
        if (run_script(db, m) < 0 || ingest_db_commit(db) < 0)
            return -1;
        v = m->version;
    }
    return v;
}
