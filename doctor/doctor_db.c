/* track-doctor's database check, the only file of track-doctor that talks to
 * MariaDB: connects exactly as track-ingest does (option file and group from
 * the config, nothing on the command line), then compares the schema version
 * with the newest migration this build knows (DOCTOR_SCHEMA_VERSION, counted
 * from sql/migrations at build time). */
#include "doctor.h"

#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

/* The option file holds the password: others must not read it. */
static void check_option_file(struct doc_report *r, const char *path)
{
    struct stat st;
    char own[96];
    if (stat(path, &st) < 0) {
        doc_problem(r, "option file %s: %s", path, strerror(errno));
        return;
    }
    if (st.st_mode & 0007)
        doc_problem(r, "option file %s: mode %04o, others may read the password (chmod o-rwx)",
                    path, (unsigned)(st.st_mode & 07777));
    else
        doc_fact(r, "option file %s: owner %s, mode %04o", path,
                 doc_user(st.st_uid, own, sizeof own), (unsigned)(st.st_mode & 07777));
}

void doc_check_database(struct doc_report *r, const struct doc_ctx *c)
{
    const char *opt = c->defaults_file ? c->defaults_file : c->cfg.db_option_file;
    const char *grp = c->cfg.db_group[0] ? c->cfg.db_group : "track";
    MYSQL *my = NULL;
    MYSQL_RES *res = NULL;
    MYSQL_ROW row;
    char err[1024];
    long have;

    doc_section(r, "database");
    if (opt[0])
        check_option_file(r, opt);
    if (!(my = mysql_init(NULL))) {
        doc_problem(r, "mysql_init: out of memory");
        return;
    }
    if (opt[0])
        mysql_options(my, MYSQL_READ_DEFAULT_FILE, opt);
    mysql_options(my, MYSQL_READ_DEFAULT_GROUP, grp);
    mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(my, NULL, NULL, NULL, NULL, 0, NULL, 0)) {
        snprintf(err, sizeof err, "%s", mysql_error(my));
        one_line(err);
        doc_problem(r, "cannot connect with option file %s, group [%s]: %s (%u)",
                    opt[0] ? opt : "(client defaults)", grp, err, mysql_errno(my));
        goto out;
    }
    if (mysql_query(my, "SELECT DATABASE(), CURRENT_USER(), VERSION()") == 0 &&
        (res = mysql_store_result(my)) != NULL && (row = mysql_fetch_row(res)) != NULL) {
        if (!row[0]) {
            doc_problem(r, "connected, but no database selected: set database= in group [%s] "
                           "of %s", grp, opt[0] ? opt : "the option file");
            goto out;
        }
        doc_fact(r, "connected as %s to database %s (server %s, %s)", row[1] ? row[1] : "?",
                 row[0], row[2] ? row[2] : "?", mysql_get_host_info(my));
    }
    if (res)
        mysql_free_result(res);
    res = NULL;
    if (mysql_query(my, "SELECT MAX(version) FROM track_schema_version") != 0) {
        if (mysql_errno(my) == ER_NO_SUCH_TABLE)
            doc_problem(r, "no track schema in this database: run track-ingest --migrate");
        else {
            snprintf(err, sizeof err, "%s", mysql_error(my));
            one_line(err);
            doc_problem(r, "reading track_schema_version: %s (%u)", err, mysql_errno(my));
        }
        goto out;
    }
    res = mysql_store_result(my);
    row = res ? mysql_fetch_row(res) : NULL;
    have = row && row[0] ? strtol(row[0], NULL, 10) : 0;
    if (have < DOCTOR_SCHEMA_VERSION)
        doc_problem(r, "schema version %ld, this track expects %d: run track-ingest --migrate",
                    have, DOCTOR_SCHEMA_VERSION);
    else if (have > DOCTOR_SCHEMA_VERSION)
        doc_problem(r, "schema version %ld is newer than this track's %d: upgrade the track "
                       "packages on this host", have, DOCTOR_SCHEMA_VERSION);
    else
        doc_fact(r, "schema version %ld (current)", have);
out:
    if (res)
        mysql_free_result(res);
    mysql_close(my);
}
