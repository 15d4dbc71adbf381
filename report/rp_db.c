/* MariaDB access for track-report (see rp_db.h). */
#include "rp_db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

struct rp_db {
    MYSQL *m;
};

struct rp_db *rp_db_connect(const char *option_file, const char *group, char *err, size_t errlen)
{
    struct rp_db *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    db->m = mysql_init(NULL);
    if (!db->m) {
        snprintf(err, errlen, "mysql_init failed (out of memory)");
        free(db);
        return NULL;
    }
    if (option_file)
        mysql_options(db->m, MYSQL_READ_DEFAULT_FILE, option_file);
    /* the group makes the library read [client] and [group] */
    mysql_options(db->m, MYSQL_READ_DEFAULT_GROUP, group);
    mysql_options(db->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(db->m, NULL, NULL, NULL, NULL, 0, NULL, CLIENT_MULTI_STATEMENTS)) {
        snprintf(err, errlen, "cannot connect to the database (option file %s, group [%s]): %s",
                 option_file ? option_file : "client default", group, mysql_error(db->m));
        rp_db_close(db);
        return NULL;
    }
    return db;
}

void rp_db_close(struct rp_db *db)
{
    if (!db)
        return;
    if (db->m)
        mysql_close(db->m);
    free(db);
}

/* Prepares "SET @name = ?" and executes it with one bound parameter. */
static int set_var(struct rp_db *db, const char *name, MYSQL_BIND *b, char *err, size_t errlen)
{
    char sql[128];
    int rc = -1;
    MYSQL_STMT *st = mysql_stmt_init(db->m);
    if (!st) {
        snprintf(err, errlen, "@%s: out of memory", name);
        return -1;
    }
    snprintf(sql, sizeof sql, "SET @%s = ?", name);
    if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0 || mysql_stmt_bind_param(st, b) != 0 ||
        mysql_stmt_execute(st) != 0) {
        snprintf(err, errlen, "setting @%s: %s", name, mysql_stmt_error(st));
        goto out;
    }
    rc = 0;
out:
    mysql_stmt_close(st);
    return rc;
}

int rp_db_set_str(struct rp_db *db, const char *name, const char *value, char *err, size_t errlen)
{
    MYSQL_BIND b;
    unsigned long len = value ? (unsigned long)strlen(value) : 0;
    my_bool isnull = value == NULL;
    memset(&b, 0, sizeof b);
    b.buffer_type = value ? MYSQL_TYPE_STRING : MYSQL_TYPE_NULL;
    b.buffer = (void *)value;
    b.buffer_length = len;
    b.length = &len;
    b.is_null = &isnull;
    return set_var(db, name, &b, err, errlen);
}

int rp_db_set_int(struct rp_db *db, const char *name, long long v, char *err, size_t errlen)
{
    MYSQL_BIND b;
    memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_LONGLONG;
    b.buffer = &v;
    return set_var(db, name, &b, err, errlen);
}

/* Copies a stored result into out. 0, or -1 (ENOMEM). */
static int copy_result(MYSQL_RES *res, struct rp_result *out)
{
    MYSQL_FIELD *f = mysql_fetch_fields(res);
    size_t ncols = mysql_num_fields(res), nrows = (size_t)mysql_num_rows(res);
    MYSQL_ROW row;
    size_t i = 0;
    memset(out, 0, sizeof *out);
    out->ncols = ncols;
    out->names = calloc(ncols, sizeof *out->names);
    out->numeric = calloc(ncols, sizeof *out->numeric);
    out->cells = calloc(nrows * ncols + 1, sizeof *out->cells);
    if (!out->names || !out->numeric || !out->cells)
        goto fail;
    for (size_t c = 0; c < ncols; c++) {
        out->names[c] = strdup(f[c].name);
        if (!out->names[c])
            goto fail;
        out->numeric[c] = IS_NUM(f[c].type) ? 1 : 0;
    }
    while ((row = mysql_fetch_row(res)) != NULL) {
        unsigned long *lens = mysql_fetch_lengths(res);
        for (size_t c = 0; c < ncols; c++) {
            struct rp_cell *x = &out->cells[i * ncols + c];
            if (!row[c])
                continue;
            x->s = malloc(lens[c] + 1);
            if (!x->s)
                goto fail;
            memcpy(x->s, row[c], lens[c]);
            x->s[lens[c]] = '\0';
            x->len = lens[c];
        }
        i++;
        out->nrows = i;
    }
    return 0;
fail:
    rp_result_free(out);
    errno = ENOMEM;
    return -1;
}

int rp_db_run(struct rp_db *db, const char *script, size_t len, struct rp_result *out,
              char *err, size_t errlen)
{
    int have = 0, status, rc = -1;
    memset(out, 0, sizeof *out);
    if (mysql_real_query(db->m, script, (unsigned long)len) != 0) {
        snprintf(err, errlen, "%s", mysql_error(db->m));
        return -1;
    }
    do {
        MYSQL_RES *res = mysql_store_result(db->m);
        if (res) {
            if (have)
                rp_result_free(out);
            if (copy_result(res, out) < 0) {
                snprintf(err, errlen, "out of memory copying the result");
                mysql_free_result(res);
                /* drain the remaining results so the connection stays usable */
                while (mysql_next_result(db->m) == 0)
                    mysql_free_result(mysql_store_result(db->m));
                return -1;
            }
            have = 1;
            mysql_free_result(res);
        } else if (mysql_field_count(db->m) != 0) {
            snprintf(err, errlen, "%s", mysql_error(db->m));
            goto out;
        }
        status = mysql_next_result(db->m);
        if (status > 0) {
            snprintf(err, errlen, "%s", mysql_error(db->m));
            goto out;
        }
    } while (status == 0);
    if (!have) {
        snprintf(err, errlen, "the script returned no result");
        goto out;
    }
    rc = 0;
out:
    if (rc < 0 && have)
        rp_result_free(out);
    return rc;
}

int rp_db_exec(struct rp_db *db, const char *sql, char *err, size_t errlen)
{
    int status;
    if (mysql_real_query(db->m, sql, (unsigned long)strlen(sql)) != 0) {
        snprintf(err, errlen, "%s", mysql_error(db->m));
        return -1;
    }
    do {
        MYSQL_RES *res = mysql_store_result(db->m);
        if (res)
            mysql_free_result(res);
        else if (mysql_field_count(db->m) != 0) {
            snprintf(err, errlen, "%s", mysql_error(db->m));
            return -1;
        }
        status = mysql_next_result(db->m);
        if (status > 0) {
            snprintf(err, errlen, "%s", mysql_error(db->m));
            return -1;
        }
    } while (status == 0);
    return 0;
}

#define INSERT_BATCH 256

/* Prepares head + nrows placeholder tuples. NULL with err on failure. */
static MYSQL_STMT *prepare_insert(struct rp_db *db, const char *head, size_t ncols, size_t nrows,
                                  char *err, size_t errlen)
{
    size_t hl = strlen(head), tl = 2 * ncols + 2, len = hl + 8 + nrows * tl;
    char *sql = malloc(len + 1), *p;
    MYSQL_STMT *st = NULL;
    if (!sql) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p = sql + sprintf(sql, "%s VALUES ", head);
    for (size_t r = 0; r < nrows; r++) {
        if (r)
            *p++ = ',';
        *p++ = '(';
        for (size_t c = 0; c < ncols; c++) {
            if (c)
                *p++ = ',';
            *p++ = '?';
        }
        *p++ = ')';
    }
    *p = '\0';
    st = mysql_stmt_init(db->m);
    if (!st)
        snprintf(err, errlen, "out of memory");
    else if (mysql_stmt_prepare(st, sql, (unsigned long)(p - sql)) != 0) {
        snprintf(err, errlen, "%s", mysql_stmt_error(st));
        mysql_stmt_close(st);
        st = NULL;
    }
    free(sql);
    return st;
}

int rp_db_insert(struct rp_db *db, const char *head, size_t ncols, size_t nrows,
                 const struct rp_db_val *vals, char *err, size_t errlen)
{
    MYSQL_STMT *full = NULL, *st = NULL;
    MYSQL_BIND *b = NULL;
    unsigned long *lens = NULL;
    my_bool *nulls = NULL;
    int rc = -1;
    size_t max = ncols * INSERT_BATCH;
    b = calloc(max, sizeof *b);
    lens = calloc(max, sizeof *lens);
    nulls = calloc(max, sizeof *nulls);
    if (!b || !lens || !nulls) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t done = 0; done < nrows;) {
        size_t k = nrows - done < INSERT_BATCH ? nrows - done : INSERT_BATCH;
        if (k == INSERT_BATCH) {
            if (!full && !(full = prepare_insert(db, head, ncols, k, err, errlen)))
                goto out;
            st = full;
        } else if (!(st = prepare_insert(db, head, ncols, k, err, errlen)))
            goto out;
        memset(b, 0, max * sizeof *b);
        for (size_t i = 0; i < k * ncols; i++) {
            const struct rp_db_val *v = &vals[done * ncols + i];
            b[i].is_null = &nulls[i];
            nulls[i] = !v->s && !v->is_int;
            if (v->s) {
                b[i].buffer_type = MYSQL_TYPE_STRING;
                b[i].buffer = (void *)v->s;
                lens[i] = (unsigned long)v->len;
                b[i].buffer_length = lens[i];
                b[i].length = &lens[i];
            } else if (v->is_int) {
                b[i].buffer_type = MYSQL_TYPE_LONGLONG;
                b[i].buffer = (void *)&v->i;
            } else
                b[i].buffer_type = MYSQL_TYPE_NULL;
        }
        if (mysql_stmt_bind_param(st, b) != 0 || mysql_stmt_execute(st) != 0) {
            snprintf(err, errlen, "%s", mysql_stmt_error(st));
            if (st != full)
                mysql_stmt_close(st);
            goto out;
        }
        if (st != full)
            mysql_stmt_close(st);
        done += k;
    }
    rc = 0;
out:
    if (full)
        mysql_stmt_close(full);
    free(b);
    free(lens);
    free(nulls);
    return rc;
}
