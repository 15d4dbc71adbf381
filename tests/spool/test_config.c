/* Config parsing: defaults, every key, and bad input giving one clear line
 * naming file, line and reason. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_config.h"
#include "tcheck.h"

static char dir[] = "/tmp/track-test-config-XXXXXX";

static const char good_conf[] =
    "# site config\n"
    "syshost = frontier\n"
    "  spool_dir=/tmp/spool   # trailing comment\n"
    "archive_dir = /srv/track/archive\n"
    "archive_group = hpcstaff\n"
    "after_ingest = delete\n"
    "ranks = all\n"
    "include = /opt/*, /home/*\n"
    "exclude = /usr/bin/*,/bin/*\n"
    "env = OMP_*,FOO#1\n"
    "max_record_bytes = 65536\n"
    "db_option_file = /etc/track/my.cnf\n"
    "db_group = trackdb\n"
    "signals = SIGSEGV, TERM\n"
    "epilog_max_files = 500\n"
    "job_max_records = 0\n"
    "system_prefixes = /usr,/opt/cray\r\n"
    "\n";

static const char *write_conf(const char *name, const char *text, size_t len)
{
    static char path[256];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    fwrite(text, 1, len, f);
    fclose(f);
    return path;
}

/* Loads text strictly and expects an error containing every fragment. */
static void expect_error(const char *text, const char *frag1, const char *frag2)
{
    struct spool_config c;
    char err[512] = "";
    const char *path = write_conf("bad.conf", text, strlen(text));
    spool_config_defaults(&c);
    CHECK_INT(spool_config_load(&c, path, SPOOL_CONF_STRICT, err, sizeof err), -1);
    if (!strstr(err, path) || !strstr(err, frag1) || (frag2 && !strstr(err, frag2)))
        tcheck_fail(__FILE__, __LINE__, "error '%s' lacks '%s'/'%s' for input '%s'", err, frag1,
                    frag2 ? frag2 : "", text);
    if (strchr(err, '\n'))
        tcheck_fail(__FILE__, __LINE__, "error is not one line: '%s'", err);
    /* Lenient loading (libtrack) skips the bad line instead. */
    spool_config_defaults(&c);
    CHECK_INT(spool_config_load(&c, path, 0, err, sizeof err), 0);
}

int main(void)
{
    struct spool_config c;
    char err[512];
    char sigs[128];
    const char *path;

    if (!mkdtemp(dir))
        return 2;
    spool_config_defaults(&c);
    CHECK_STR(c.spool_dir, "/dev/shm/track");
    CHECK_INT(c.max_record_bytes, 262144);
    CHECK(c.signals & (1ULL << SIGSEGV));
    CHECK(!(c.signals & (1ULL << SIGINT)));

    path = write_conf("good.conf", good_conf, strlen(good_conf));
    spool_config_defaults(&c);
    CHECK_INT(spool_config_load(&c, path, SPOOL_CONF_STRICT, err, sizeof err), 0);
    CHECK_STR(c.syshost, "frontier");
    CHECK_STR(c.spool_dir, "/tmp/spool");
    CHECK_STR(c.archive_dir, "/srv/track/archive");
    CHECK_STR(c.archive_group, "hpcstaff");
    CHECK_INT(c.after_ingest, SPOOL_AFTER_DELETE);
    CHECK_INT(c.ranks_all, 1);
    CHECK_STR(c.include, "/opt/*, /home/*");
    CHECK_STR(c.env, "OMP_*,FOO#1");
    CHECK_INT(c.max_record_bytes, 65536);
    CHECK_STR(c.db_group, "trackdb");
    CHECK_INT(c.signals, (1ULL << SIGSEGV) | (1ULL << SIGTERM));
    CHECK_STR(spool_config_signals_str(c.signals, sigs, sizeof sigs), "SIGSEGV,SIGTERM");
    CHECK_INT(c.epilog_max_files, 500);
    CHECK_INT(c.job_max_records, 0);
    CHECK_STR(c.system_prefixes, "/usr,/opt/cray");
    CHECK_STR(c.path, path);

    expect_error("bogus = 1\n", ":1:", "unknown key 'bogus'");
    expect_error("\n\nranks = 3\n", ":3:", "ranks");
    expect_error("after_ingest = maybe\n", ":1:", "after_ingest");
    expect_error("max_record_bytes = 12k\n", ":1:", "max_record_bytes");
    expect_error("max_record_bytes = 100\n", ":1:", "max_record_bytes");
    expect_error("spool_dir = relative/path\n", ":1:", "absolute");
    expect_error("syshost = a b\n", ":1:", "syshost");
    expect_error("syshost = \n", ":1:", "syshost");
    expect_error("just some words\n", ":1:", "key = value");
    expect_error("signals = SIGNOPE\n", ":1:", "signals");
    expect_error("epilog_max_files = 0\n", ":1:", "epilog_max_files");
    expect_error("job_max_records = -1\n", ":1:", "job_max_records");

    /* A UTF-8 byte-order mark before the first key is skipped; one
     * anywhere else is part of the text. */
    path = write_conf("bom.conf", "\xef\xbb\xbfsyshost = bom\n", 17);
    CHECK_INT(spool_config_load(&c, path, SPOOL_CONF_STRICT, err, sizeof err), 0);
    CHECK_STR(c.syshost, "bom");
    expect_error("syshost = a\n\xef\xbb\xbfspool_dir = /x\n", ":2:", "unknown key");

    /* NUL bytes, oversize files, missing files, directories. */
    path = write_conf("nul.conf", "syshost = a\0b\n", 14);
    CHECK_INT(spool_config_load(&c, path, SPOOL_CONF_STRICT, err, sizeof err), -1);
    CHECK(strstr(err, "NUL") != NULL);
    {
        size_t n = 70 * 1024;
        char *big = malloc(n);
        memset(big, '#', n);
        path = write_conf("big.conf", big, n);
        free(big);
        CHECK_INT(spool_config_load(&c, path, SPOOL_CONF_STRICT, err, sizeof err), -1);
        CHECK(strstr(err, "larger than") != NULL);
    }
    CHECK_INT(spool_config_load(&c, "/nonexistent/track.conf", SPOOL_CONF_STRICT, err,
                                sizeof err), -1);
    CHECK(strstr(err, "/nonexistent/track.conf: cannot open") != NULL);
    CHECK_INT(spool_config_load(&c, "/nonexistent/track.conf", SPOOL_CONF_MISSING_OK, err,
                                sizeof err), 0);
    CHECK_INT(spool_config_load(&c, dir, SPOOL_CONF_STRICT, err, sizeof err), -1);
    CHECK(strstr(err, "not a regular file") != NULL);

    /* libtrack's form: node defaults over zero bytes equal the full
     * defaults for the keys it reads; SPOOL_CONF_NODE applies only those
     * keys, into the caller's buffer, and records no path. */
    {
        static struct spool_config z, full;
        static char buf[128];
        spool_config_defaults(&full);
        spool_config_node_defaults(&z);
        CHECK_STR(z.spool_dir, full.spool_dir);
        CHECK_STR(z.env, full.env);
        CHECK_INT(z.max_record_bytes, full.max_record_bytes);
        CHECK_INT(z.signals, full.signals);
        CHECK_INT(z.ranks_all, full.ranks_all);
        CHECK_INT(z.job_max_records, full.job_max_records);
        CHECK_STR(z.archive_dir, "");
        CHECK_STR(z.not_applications, "");
        CHECK(spool_config_node_key("spool_dir") && spool_config_node_key("signals") &&
              spool_config_node_key("job_max_records"));
        CHECK(!spool_config_node_key("archive_dir") && !spool_config_node_key("db_group"));
        path = write_conf("node.conf", "spool_dir = /n/spool\narchive_dir = /n/archive\n"
                          "bogus = 1\nranks = all\n", 68);
        CHECK_INT(spool_config_load_buf(&z, path, SPOOL_CONF_NODE, buf, sizeof buf, err,
                                        sizeof err), 0);
        CHECK_STR(z.spool_dir, "/n/spool");
        CHECK_INT(z.ranks_all, 1);
        CHECK_STR(z.archive_dir, "");
        CHECK_STR(z.path, "");
        /* A file that does not fit the buffer is refused, named. */
        path = write_conf("node2.conf", good_conf, strlen(good_conf));
        CHECK_INT(spool_config_load_buf(&z, path, SPOOL_CONF_NODE, buf, sizeof buf, err,
                                        sizeof err), -1);
        CHECK(strstr(err, path) != NULL && strstr(err, "larger than 127 bytes") != NULL);
        CHECK_INT(spool_config_load_buf(&z, path, 0, NULL, 0, err, sizeof err), -1);
    }

    setenv("TRACK_CONFIG", "/x/y.conf", 1);
    CHECK_STR(spool_config_default_path(), "/x/y.conf");
    unsetenv("TRACK_CONFIG");
    CHECK_STR(spool_config_default_path(), TRACK_CONFIG_FILE);

    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            return 2;
    }
    return tcheck_result();
}
