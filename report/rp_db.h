/* rp_db: the database side of track-report. Connects with the client
 * library's own option-file support, binds the report's parameters as
 * session variables through prepared statements (user input never becomes
 * SQL text), runs a report's SQL script and copies its result out. */
#ifndef TRACK_RP_DB_H
#define TRACK_RP_DB_H

#include <stddef.h>
#include "rp_out.h"

struct rp_db;

/* Connects reading option_file (NULL = the client library's default files)
 * and the groups [client] and `group`. Returns a handle or NULL with a
 * one-line reason in err. */
struct rp_db *rp_db_connect(const char *option_file, const char *group, char *err, size_t errlen);

/* SET @name = value (a string; NULL sets SQL NULL) through a prepared
 * statement. name must be a plain identifier (ours, not user input).
 * 0, or -1 with reason. */
int rp_db_set_str(struct rp_db *db, const char *name, const char *value, char *err, size_t errlen);

/* SET @name = v (an integer). 0, or -1 with reason. */
int rp_db_set_int(struct rp_db *db, const char *name, long long v, char *err, size_t errlen);

/* Runs the statements of script (len bytes; multi-statement) and copies the
 * last result set that has columns into *out (caller frees with
 * rp_result_free). A script without any result set is an error. 0, or -1
 * with the server's message in err. */
int rp_db_run(struct rp_db *db, const char *script, size_t len, struct rp_result *out,
              char *err, size_t errlen);

/* Runs statements that return no rows (DDL, DML; several separated by
 * ';'). Any result set is discarded. 0, or -1 with the server's message. */
int rp_db_exec(struct rp_db *db, const char *sql, char *err, size_t errlen);

/* A value for rp_db_insert: bytes (s, len), an integer (s NULL, is_int 1),
 * or SQL NULL (s NULL, is_int 0). */
struct rp_db_val {
    const char *s;
    size_t len;
    long long i;
    int is_int;
};

/* Inserts nrows rows of ncols values (vals is row-major) with
 * "<head> VALUES (?,...),(?,...)" prepared statements of up to 256 rows
 * each, so values never become SQL text. head names the table and its
 * columns ("INSERT INTO t (a, b)"; ours, not user input). 0, or -1 with
 * the server's message. */
int rp_db_insert(struct rp_db *db, const char *head, size_t ncols, size_t nrows,
                 const struct rp_db_val *vals, char *err, size_t errlen);

void rp_db_close(struct rp_db *db);

#endif
