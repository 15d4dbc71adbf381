/* track-report: runs one of the report scripts of sql/reports/ against the
 * track database with the command line bound as session variables, and
 * prints the result as a table, CSV or JSON (docs/reports.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rp_dash.h"
#include "rp_db.h"
#include "rp_opts.h"
#include "rp_out.h"
#include "rp_sql.h"
#include "rp_swload.h"
#include "sw_map.h"
#include "spool_config.h"
#include "spool_err.h"
#include "spool_log.h"


/* Binds every parameter the scripts read; unset ones become NULL so a
 * script's defaults apply. */
static int bind_params(struct rp_db *db, const struct rp_opts *o, const char *prefixes,
                       const char *not_apps, char *err, size_t errlen)
{
    const int job = strcmp(o->report, "job") == 0;
    const int env = strcmp(o->report, "env") == 0;
    struct { const char *name, *value; } s[] = {
        { "since", o->since },
        { "until", o->until },
        { "syshost", o->syshost },
        { "user", o->user },
        { "account", o->account },
        { "partition", o->partition },
        { "system_prefixes", prefixes },
        { "not_applications", not_apps },
        { "library", o->library },
        { "build_id", o->build_id[0] ? o->build_id : NULL },
        { "signature", o->signature[0] ? o->signature : NULL },
        { "job", job ? o->arg : NULL },
        { "env_name", env ? o->arg : NULL },
        { "package", o->package[0] ? o->package : NULL },
        { "pkg_version", o->pkg_version[0] ? o->pkg_version : NULL },
        { "by", o->by },
        { "py_package", o->py_package[0] ? o->py_package : NULL },
        { "py_version", o->py_version[0] ? o->py_version : NULL },
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (rp_db_set_str(db, s[i].name, s[i].value, err, errlen) < 0)
            return -1;
    if (o->limit > 0)
        return rp_db_set_int(db, "limit", o->limit, err, errlen);
    return rp_db_set_str(db, "limit", NULL, err, errlen);
}

/* The window the script used (@t0/@t1, set by every script), as dates. */
static void fetch_window(struct rp_db *db, char since[11], char until[11])
{
    static const char q[] =
        "SELECT DATE_FORMAT(FROM_UNIXTIME(@t0), '%Y-%m-%d'), DATE_FORMAT(FROM_UNIXTIME(@t1), '%Y-%m-%d')";
    struct rp_result r;
    char err[SPOOL_ERR_MAX];
    since[0] = until[0] = '\0';
    if (rp_db_run(db, q, sizeof q - 1, &r, err, sizeof err) < 0)
        return;
    if (r.nrows == 1 && r.ncols == 2) {
        if (r.cells[0].s && r.cells[0].len == 10)
            memcpy(since, r.cells[0].s, 11);
        if (r.cells[1].s && r.cells[1].len == 10)
            memcpy(until, r.cells[1].s, 11);
    }
    rp_result_free(&r);
}

/* dashboard -o DIR, or job N --format html on stdout (rp_dash.c): the exit
 * status, errors logged. */
static int write_page(struct rp_db *db, const struct rp_opts *o, const char *dir)
{
    char err[SPOOL_ERR_MAX];
    int r = o->format == RP_FORMAT_HTML ? rp_dash_job(db, dir, o->arg, stdout, err, sizeof err)
                                        : rp_dash_write(db, dir, o->outdir, err, sizeof err);
    if (r == 0 && fflush(stdout) != 0) {
        snprintf(err, sizeof err, "writing the page: %s", strerror(errno));
        r = -2;
    }
    if (r < 0)
        spool_log_err("%s", err);
    return r == 0 ? RP_EXIT_OK : r == -1 ? RP_EXIT_DB : r == -2 ? RP_EXIT_OUTPUT : RP_EXIT_CONFIG;
}

int main(int argc, char **argv)
{
    struct rp_opts o;
    struct spool_config cfg;
    struct rp_db *db = NULL;
    struct rp_result res = { 0 };
    struct sw_map swmap = SW_MAP_INIT;
    char err[SPOOL_ERR_MAX], since[11], until[11];
    const char *cfgpath, *optfile, *dir;
    char *script = NULL;
    size_t len;
    int rc = RP_EXIT_DB, want_sw;

    spool_log_init("track-report", 0, 0);
    if (rp_opts_parse(argc, argv, &o, err, sizeof err) < 0) {
        spool_log_err("%s", err);
        return RP_EXIT_USAGE;
    }
    if (o.help) {
        rp_opts_usage(stdout);
        return RP_EXIT_OK;
    }
    if (o.version) {
        printf("track-report %s\n", TRACK_VERSION);
        return RP_EXIT_OK;
    }

    spool_config_defaults(&cfg);
    cfgpath = o.config ? o.config : spool_config_default_path();
    if (spool_config_load(&cfg, cfgpath, SPOOL_CONF_STRICT | (o.config ? 0 : SPOOL_CONF_MISSING_OK),
                          err, sizeof err) < 0) {
        spool_log_err("%s", err);
        return RP_EXIT_CONFIG;
    }
    optfile = o.defaults_file ? o.defaults_file : cfg.db_option_file[0] ? cfg.db_option_file : NULL;
    if (optfile) {
        /* the client library silently skips an option file it cannot read */
        int fd = open(optfile, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            spool_log_err("%s: %s (%s)", optfile, strerror(errno),
                          o.defaults_file ? "--defaults-file" : "db_option_file in the config");
            return RP_EXIT_CONFIG;
        }
        close(fd);
    }
    dir = rp_sql_dir(o.sql_dir);
    /* the dashboard runs several scripts (rp_dash.c); the others one;
     * who-used of a Python package: another query, another table */
    const char *sqlname = o.py_package[0] ? "who-used-python" : o.report;
    script = strcmp(o.report, "dashboard") == 0 ? strdup("")
                                                : rp_sql_read(dir, sqlname, &len, err, sizeof err);
    if (!script) {
        spool_log_err("%s", err);
        return RP_EXIT_CONFIG;
    }

    /* the software map is read before connecting: a bad file is a
     * configuration error (exit 3) whatever the server says; who-used
     * needs it only for --package */
    want_sw = rp_swload_wanted(o.report) && (strcmp(o.report, "who-used") != 0 || o.package[0]);
    if (want_sw) {
        if ((cfg.software_map[0] && sw_map_load(cfg.software_map, 0, &swmap, err, sizeof err) < 0) ||
            (cfg.lmod_reverse_map[0] &&
             sw_map_load(cfg.lmod_reverse_map, 1, &swmap, err, sizeof err) < 0)) {
            spool_log_err("%s", err);
            rc = RP_EXIT_CONFIG;
            goto out;
        }
    }

    db = rp_db_connect(optfile, cfg.db_group, err, sizeof err);
    if (!db) {
        spool_log_err("%s", err);
        goto out;
    }
    if (bind_params(db, &o, o.system_prefixes ? o.system_prefixes : cfg.system_prefixes,
                    o.not_applications ? o.not_applications : cfg.not_applications,
                    err, sizeof err) < 0) {
        spool_log_err("%s", err);
        goto out;
    }
    if (want_sw && rp_swload_send(db, &swmap, err, sizeof err) < 0) {
        spool_log_err("loading the software map: %s", err);
        goto out;
    }
    if (strcmp(o.report, "dashboard") == 0 || o.format == RP_FORMAT_HTML) {
        rc = write_page(db, &o, dir);
        goto out;
    }
    if (rp_db_run(db, script, len, &res, err, sizeof err) < 0) {
        spool_log_err("%s/%s.sql: %s", dir, sqlname, err);
        goto out;
    }
    fetch_window(db, since, until);
    {
        char title[320];
        struct rp_meta m = { o.report, since[0] ? since : NULL, until[0] ? until : NULL };
        /* the table heading names the job or variable too ("job 1234") */
        if (o.arg && o.format == RP_FORMAT_TABLE) {
            snprintf(title, sizeof title, "%s %s", o.report, o.arg);
            m.report = title;
        }
        if (rp_out_print(stdout, o.format, &m, &res) < 0) {
            spool_log_err("writing the report: %s", strerror(errno));
            rc = RP_EXIT_OUTPUT;
            goto out;
        }
    }
    rc = RP_EXIT_OK;
out:
    rp_result_free(&res);
    sw_map_free(&swmap);
    rp_db_close(db);
    free(script);
    return rc;
}
