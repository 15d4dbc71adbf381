/* ingest_db: the MariaDB connection of track-ingest: connect through an
 * option file, run statements with errors classified (connection lost or
 * not), schema version check and forward migrations. The only file of
 * track-ingest that uses the client library's API. */
#ifndef TRACK_INGEST_DB_H
#define TRACK_INGEST_DB_H

#include <stddef.h>

#include "ingest_buf.h"
#include "spool_err.h"

struct ingest_migration {
    int version;          /* from the file name's NNNN_ prefix */
    const char *name;     /* the file name in sql/migrations */
    const char *sql;      /* statements, each ending with ';' at a line end */
};
extern const struct ingest_migration ingest_migrations[];
extern const size_t ingest_nmigrations;

/* The version this binary loads into: the highest migration. */
int ingest_db_expected_version(void);

struct st_mysql;           /* the client library's MYSQL */

struct ingest_db {
    struct st_mysql *my;
    int lost;             /* the last failure was a lost/broken connection */
    char err[SPOOL_ERR_MAX];   /* last error, one line */
    double busy;          /* seconds spent waiting for the server (summary) */
};

/* Connects with the client library's option-file support: option_file
 * ("" = the library's default files) and group (db_group), which supply
 * host/socket/user/password/database. Sets utf8mb4, autocommit off and
 * READ COMMITTED (so INSERT IGNORE of a shared key by another ingester becomes
 * visible to the following SELECT). 0 or -1 with db->err. */
int ingest_db_connect(struct ingest_db *db, const char *option_file, const char *group);
void ingest_db_close(struct ingest_db *db);

/* Runs one statement (len bytes). 0, or -1 with db->err / db->lost. Results
 * are discarded. */
int ingest_db_exec(struct ingest_db *db, const char *sql, size_t len);

/* ingest_db_exec of b's text; when b ran out of memory while it was being
 * built, fails with ingest_db_oom instead of sending it. */
int ingest_db_exec_buf(struct ingest_db *db, const struct ingest_buf *b);

/* A failure that is not the connection's: the printf-style reason goes
 * into db->err and db->lost is 0. Returns -1. */
int ingest_db_fail(struct ingest_db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ingest_db_fail with "out of memory building SQL". Returns -1. */
int ingest_db_oom(struct ingest_db *db);
/* After a successful ingest_db_exec: the rows the statement affected as the
 * server counts them, and the server's info line for a multi-row INSERT
 * ("Records: N  Duplicates: D  Warnings: W"), NULL when it sent none (a
 * single row). The string lives until the next statement. */
unsigned long long ingest_db_affected(struct ingest_db *db);
const char *ingest_db_info(struct ingest_db *db);

/* Called for each row of ingest_db_select: col[i] is NULL for SQL NULL,
 * else len[i] bytes (NUL-terminated too). Returns 0 to go on, anything
 * else to stop. */
typedef int ingest_db_row_fn(void *ctx, char **col, const unsigned long *len);

/* Runs a query and calls row for each row of its result. Returns 0, -1
 * with db->err / db->lost, or what row returned when it stopped early. */
int ingest_db_select(struct ingest_db *db, const char *sql, size_t len, ingest_db_row_fn *row,
                     void *ctx);
/* A query of one row of n integers (procedures' session variables) into
 * v (NULL -> 0). 0, or -1 with db->err (also when it returns no row). */
int ingest_db_ints(struct ingest_db *db, const char *sql, size_t len, long *v, int n);
int ingest_db_commit(struct ingest_db *db);
void ingest_db_rollback(struct ingest_db *db);

/* Reads track_schema_version: the version, 0 if the schema does not exist
 * yet (no table / no row), -1 on error (db->err). */
int ingest_db_version(struct ingest_db *db);

/* Applies every migration newer than the database's version, in order.
 * Returns the resulting version, or -1 with db->err naming the migration and
 * statement at fault. */
int ingest_db_migrate(struct ingest_db *db, int *from);

#endif
