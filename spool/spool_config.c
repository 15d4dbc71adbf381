/* Config file parsing. Runs before main in every tracked process, so it
 * reads with open/read into a stack buffer and never allocates. */
#include "spool_err.h"
#include "spool_config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_FILE_MAX (64 * 1024)

static const struct { const char *name; int sig; } signal_names[] = {
    { "SIGHUP", SIGHUP }, { "SIGINT", SIGINT }, { "SIGQUIT", SIGQUIT },
    { "SIGILL", SIGILL }, { "SIGTRAP", SIGTRAP }, { "SIGABRT", SIGABRT },
    { "SIGBUS", SIGBUS }, { "SIGFPE", SIGFPE }, { "SIGUSR1", SIGUSR1 },
    { "SIGSEGV", SIGSEGV }, { "SIGUSR2", SIGUSR2 }, { "SIGPIPE", SIGPIPE },
    { "SIGALRM", SIGALRM }, { "SIGTERM", SIGTERM }, { "SIGXCPU", SIGXCPU },
    { "SIGXFSZ", SIGXFSZ }, { "SIGSYS", SIGSYS },
};

#define SIGBIT(s) ((uint64_t)1 << (s))

void spool_config_node_defaults(struct spool_config *cfg)
{
    strcpy(cfg->spool_dir, "/dev/shm/track");
    cfg->ranks_all = 0;
    /* Variables that explain performance and software choice, small enough
     * to keep a start record near 2 KiB. */
    strcpy(cfg->env, "OMP_NUM_THREADS,OMP_PROC_BIND,OMP_PLACES,MKL_NUM_THREADS,"
                     "OPENBLAS_NUM_THREADS,CUDA_VISIBLE_DEVICES,SLURM_JOB_NAME,"
                     "PYTHONPATH,VIRTUAL_ENV,CONDA_DEFAULT_ENV");
    cfg->max_record_bytes = 256 * 1024;
    /* SIGINT is left out on purpose: Python installs its KeyboardInterrupt
     * handler only when SIGINT is SIG_DFL at start, so catching it would
     * change how Ctrl-C behaves in every Python program. */
    cfg->signals = SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) | SIGBIT(SIGILL) |
                   SIGBIT(SIGABRT) | SIGBIT(SIGTERM) | SIGBIT(SIGXCPU);
    /* About 40 MB of tmpfs per job and node at ~8 KiB per run
     * (docs/libtrack.md "The budget"); past it, runs are tallied. */
    cfg->job_max_records = 5000;
}

void spool_config_defaults(struct spool_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    spool_config_node_defaults(cfg);
    strcpy(cfg->archive_dir, "/var/lib/track/archive");
    strcpy(cfg->archive_group, "track");
    cfg->after_ingest = SPOOL_AFTER_KEEP;
    strcpy(cfg->db_group, "track");
    strcpy(cfg->system_prefixes, "/usr,/bin,/sbin,/lib,/lib64,/opt/cray,/opt/intel");
    cfg->epilog_max_files = 100000;
    cfg->slurm_accounting = 0;
    /* Shells, launchers and track's own helpers: a job's core-hours belong
     * to the programs they start (docs/reports.md "Core-hours"). */
    strcpy(cfg->not_applications, SPOOL_CONFIG_NOT_APPLICATIONS);
}

int spool_config_node_key(const char *key)
{
    static const char *const keys[] = {
        "syshost", "spool_dir", "ranks", "include", "exclude", "env", "max_record_bytes",
        "signals", "job_max_records",
    };
    size_t i;

    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return 1;
    return 0;
}

const char *spool_config_default_path(void)
{
    const char *p = getenv("TRACK_CONFIG");
    return (p && *p) ? p : TRACK_CONFIG_FILE;
}

static int set_str(char *dst, size_t dstlen, const char *key, const char *value,
                   char *err, size_t errlen)
{
    size_t n = strlen(value);
    if (n >= dstlen) {
        spool_seterr(err, errlen, "value of %s is too long (%zu bytes, at most %zu)", key, n,
               dstlen - 1);
        return -1;
    }
    memcpy(dst, value, n + 1);
    return 0;
}

static int set_path(char *dst, size_t dstlen, const char *key, const char *value,
                    char *err, size_t errlen)
{
    if (value[0] != '/') {
        spool_seterr(err, errlen, "%s must be an absolute path, not '%s'", key, value);
        return -1;
    }
    return set_str(dst, dstlen, key, value, err, errlen);
}

/* A name that is safe in file names and SQL identifiers' neighbourhood. */
static int set_name(char *dst, size_t dstlen, const char *key, const char *value,
                    char *err, size_t errlen)
{
    const char *p;
    if (!*value) {
        spool_seterr(err, errlen, "%s must not be empty", key);
        return -1;
    }
    for (p = value; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            spool_seterr(err, errlen, "%s may hold only letters, digits, '-', '_' and '.', not '%s'",
                   key, value);
            return -1;
        }
    }
    return set_str(dst, dstlen, key, value, err, errlen);
}

static int parse_ulong(const char *value, unsigned long long *out)
{
    char *end;
    unsigned long long v;
    if (*value < '0' || *value > '9')
        return -1;
    errno = 0;
    v = strtoull(value, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_signals(const char *value, uint64_t *mask)
{
    char item[32];
    const char *p = value;
    uint64_t m = 0;
    if (strcmp(value, "none") == 0) {
        *mask = 0;
        return 0;
    }
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t a = 0, b = n, i;
        int found = 0;
        while (a < b && (p[a] == ' ' || p[a] == '\t'))
            a++;
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
            b--;
        if (b > a) {
            if (b - a >= sizeof item)
                return -1;
            memcpy(item, p + a, b - a);
            item[b - a] = '\0';
            for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++) {
                const char *nm = signal_names[i].name;
                if (strcmp(item, nm) == 0 || strcmp(item, nm + 3) == 0) {
                    m |= SIGBIT(signal_names[i].sig);
                    found = 1;
                }
            }
            if (!found)
                return -1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    *mask = m;
    return 0;
}

const char *spool_config_signals_str(uint64_t mask, char *buf, size_t len)
{
    size_t i, used = 0;
    if (!len)
        return buf;
    buf[0] = '\0';
    for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++) {
        if (!(mask & SIGBIT(signal_names[i].sig)))
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", signal_names[i].name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    if (!used)
        snprintf(buf, len, "none");
    return buf;
}

int spool_config_set(struct spool_config *cfg, const char *key, const char *value,
                     char *err, size_t errlen)
{
    unsigned long long u;

    if (strcmp(key, "syshost") == 0)
        return set_name(cfg->syshost, sizeof cfg->syshost, key, value, err, errlen);
    if (strcmp(key, "spool_dir") == 0)
        return set_path(cfg->spool_dir, sizeof cfg->spool_dir, key, value, err, errlen);
    if (strcmp(key, "archive_dir") == 0)
        return set_path(cfg->archive_dir, sizeof cfg->archive_dir, key, value, err, errlen);
    if (strcmp(key, "archive_group") == 0)
        return set_name(cfg->archive_group, sizeof cfg->archive_group, key, value, err, errlen);
    if (strcmp(key, "after_ingest") == 0) {
        if (strcmp(value, "keep") == 0)
            cfg->after_ingest = SPOOL_AFTER_KEEP;
        else if (strcmp(value, "delete") == 0)
            cfg->after_ingest = SPOOL_AFTER_DELETE;
        else {
            spool_seterr(err, errlen, "after_ingest must be 'keep' or 'delete', not '%s'", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "ranks") == 0) {
        if (strcmp(value, "0") == 0)
            cfg->ranks_all = 0;
        else if (strcmp(value, "all") == 0)
            cfg->ranks_all = 1;
        else {
            spool_seterr(err, errlen, "ranks must be '0' or 'all', not '%s'", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "include") == 0)
        return set_str(cfg->include, sizeof cfg->include, key, value, err, errlen);
    if (strcmp(key, "exclude") == 0)
        return set_str(cfg->exclude, sizeof cfg->exclude, key, value, err, errlen);
    if (strcmp(key, "env") == 0)
        return set_str(cfg->env, sizeof cfg->env, key, value, err, errlen);
    if (strcmp(key, "system_prefixes") == 0)
        return set_str(cfg->system_prefixes, sizeof cfg->system_prefixes, key, value, err,
                       errlen);
    if (strcmp(key, "lmod_reverse_map") == 0)
        return set_path(cfg->lmod_reverse_map, sizeof cfg->lmod_reverse_map, key, value, err,
                        errlen);
    if (strcmp(key, "software_map") == 0)
        return set_path(cfg->software_map, sizeof cfg->software_map, key, value, err, errlen);
    if (strcmp(key, "max_record_bytes") == 0) {
        if (parse_ulong(value, &u) || u < 4096 || u > 16 * 1024 * 1024) {
            spool_seterr(err, errlen, "max_record_bytes must be a number from 4096 to 16777216, not '%s'",
                   value);
            return -1;
        }
        cfg->max_record_bytes = (size_t)u;
        return 0;
    }
    if (strcmp(key, "epilog_max_files") == 0) {
        if (parse_ulong(value, &u) || u < 1 || u > 100000000ULL) {
            spool_seterr(err, errlen, "epilog_max_files must be a number from 1 to 100000000, not '%s'",
                   value);
            return -1;
        }
        cfg->epilog_max_files = (unsigned long)u;
        return 0;
    }
    if (strcmp(key, "job_max_records") == 0) {
        if (parse_ulong(value, &u) || u > 100000000ULL) {
            spool_seterr(err, errlen, "job_max_records must be a number from 0 (no limit) to "
                         "100000000, not '%s'", value);
            return -1;
        }
        cfg->job_max_records = (unsigned long)u;
        return 0;
    }
    if (strcmp(key, "not_applications") == 0)
        return set_str(cfg->not_applications, sizeof cfg->not_applications, key, value, err,
                       errlen);
    if (strcmp(key, "slurm_accounting") == 0) {
        if (strcmp(value, "no") == 0)
            cfg->slurm_accounting = 0;
        else if (strcmp(value, "yes") == 0)
            cfg->slurm_accounting = 1;
        else {
            spool_seterr(err, errlen, "slurm_accounting must be 'yes' or 'no', not '%s'", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "db_option_file") == 0)
        return set_path(cfg->db_option_file, sizeof cfg->db_option_file, key, value, err,
                        errlen);
    if (strcmp(key, "db_group") == 0)
        return set_name(cfg->db_group, sizeof cfg->db_group, key, value, err, errlen);
    if (strcmp(key, "signals") == 0) {
        if (parse_signals(value, &cfg->signals)) {
            spool_seterr(err, errlen, "signals must be 'none' or a comma-separated list of names "
                   "such as SIGSEGV,SIGTERM, not '%s'", value);
            return -1;
        }
        return 0;
    }
    spool_seterr(err, errlen, "unknown key '%s'", key);
    return -1;
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *end = '\0';
    return s;
}

int spool_config_load(struct spool_config *cfg, const char *path, int flags,
                      char *err, size_t errlen)
{
    return spool_config_load_seen(cfg, path, flags, err, errlen, NULL, NULL);
}

/* The loader behind every entry point: reads path into buf (buflen bytes),
 * then applies it line by line. */
static int load(struct spool_config *cfg, const char *path, int flags, char *buf,
                size_t buflen, char *err, size_t errlen, spool_config_seen_fn seen, void *ctx)
{
    char why[SPOOL_ERR_MAX];
    size_t max = buflen - 1 < CONF_FILE_MAX ? buflen - 1 : CONF_FILE_MAX;
    size_t len = 0;
    int fd = -1, rc = -1, saved = 0, lineno = 0;
    int strict = flags & SPOOL_CONF_STRICT;
    struct stat st;
    char *line, *next;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        saved = errno;
        if (saved == ENOENT && (flags & SPOOL_CONF_MISSING_OK)) {
            rc = 0;
            goto out;
        }
        spool_seterr(err, errlen, "%s: cannot open: %s", path, strerror(saved));
        goto out;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        saved = EINVAL;
        spool_seterr(err, errlen, "%s: not a regular file", path);
        goto out;
    }
    /* Read the size fstat gave, not until a read returns 0: one system
     * call less in every tracked process. A file that grows meanwhile is
     * read as it was. */
    if (st.st_size > (off_t)max) {
        saved = EFBIG;
        spool_seterr(err, errlen, "%s: larger than %zu bytes", path, max);
        goto out;
    }
    while (len < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            saved = errno;
            spool_seterr(err, errlen, "%s: cannot read: %s", path, strerror(saved));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        saved = EINVAL;
        spool_seterr(err, errlen, "%s: contains a NUL byte", path);
        goto out;
    }
    /* A UTF-8 byte-order mark, which some editors put at the start: the
     * first key would otherwise be unknown to the tools and skipped by
     * libtrack, which then tracks with the default of that line. */
    line = buf;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        line += 3;
    for (; line && *line; line = next) {
        char *eol = strchr(line, '\n'), *eq, *key, *value, *hash;
        next = eol ? eol + 1 : NULL;
        if (!eol)
            eol = line + strlen(line);
        *eol = '\0';
        lineno++;
        /* A '#' starts a comment only at the start of a line or after a
         * blank, so values such as globs may still hold '#'. */
        for (hash = line; (hash = strchr(hash, '#')) != NULL; hash++) {
            if (hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
                *hash = '\0';
                eol = hash;
                break;
            }
        }
        key = trim(line, eol);
        if (!*key)
            continue;
        eq = strchr(key, '=');
        if (!eq) {
            if (strict) {
                saved = EINVAL;
                spool_seterr(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
                goto out;
            }
            continue;
        }
        value = trim(eq + 1, key + strlen(key));
        key = trim(key, eq);
        if ((flags & SPOOL_CONF_NODE) && !spool_config_node_key(key))
            continue;
        if (spool_config_set(cfg, key, value, why, sizeof why) < 0) {
            if (strict) {
                saved = EINVAL;
                spool_seterr(err, errlen, "%s:%d: %s", path, lineno, why);
                goto out;
            }
            continue;
        }
        if (seen)
            seen(ctx, key, lineno);
    }
    if (!(flags & SPOOL_CONF_NODE))
        set_str(cfg->path, sizeof cfg->path, "path", path, NULL, 0);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        errno = saved ? saved : EINVAL;
    return rc;
}

int spool_config_load_seen(struct spool_config *cfg, const char *path, int flags,
                           char *err, size_t errlen, spool_config_seen_fn seen, void *ctx)
{
    char buf[CONF_FILE_MAX + 1];

    return load(cfg, path, flags, buf, sizeof buf, err, errlen, seen, ctx);
}

int spool_config_load_buf(struct spool_config *cfg, const char *path, int flags,
                          char *buf, size_t buflen, char *err, size_t errlen)
{
    if (!buf || buflen < 2) {
        spool_seterr(err, errlen, "%s: no buffer to read into", path);
        errno = EINVAL;
        return -1;
    }
    return load(cfg, path, flags, buf, buflen, err, errlen, NULL, NULL);
}
