/* rp_sql: finds and reads a report's SQL script, sql/reports/<REPORT>.sql.
 * Installed to <datadir>/track/sql/reports/; a track-report run from its
 * build tree reads the source tree's files instead, so tests and developers
 * see the SQL they edit. */
#ifndef TRACK_RP_SQL_H
#define TRACK_RP_SQL_H

#include <stddef.h>

#define RP_SQL_MAX (256 * 1024)  /* a script larger than this is refused */

/* The directory to read scripts from: dir_opt if given, else the source
 * tree when this executable lives in the build tree, else the installed
 * directory found relative to this executable (a relocated installation),
 * else the configured installed directory. Returns dir_opt, a constant or
 * a static buffer (not thread-safe; called once). */
const char *rp_sql_dir(const char *dir_opt);

/* Reads <dir>/<report>.sql into a malloc'd NUL-terminated buffer (*len bytes,
 * caller frees). NULL with a one-line reason naming the file on failure. */
char *rp_sql_read(const char *dir, const char *report, size_t *len, char *err, size_t errlen);

#endif
