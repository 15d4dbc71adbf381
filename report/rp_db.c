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
