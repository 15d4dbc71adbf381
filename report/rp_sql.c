/* Locating and reading report SQL (see rp_sql.h). */
#include "rp_sql.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_file.h"

#ifndef TRACK_REPORT_SQL_DIR
#define TRACK_REPORT_SQL_DIR "/usr/local/share/track/sql/reports"
#endif

const char *rp_sql_dir(const char *dir_opt)
{
    if (dir_opt)
        return dir_opt;
#if defined(TRACK_REPORT_BUILD_DIR) && defined(TRACK_REPORT_SRC_SQL_DIR)
    {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        size_t b = strlen(TRACK_REPORT_BUILD_DIR);
        if (n > 0) {
            exe[n] = '\0';
            if ((size_t)n > b && strncmp(exe, TRACK_REPORT_BUILD_DIR, b) == 0 && exe[b] == '/')
                return TRACK_REPORT_SRC_SQL_DIR;
        }
    }
#endif
#ifdef TRACK_REPORT_REL_SQL_DIR
    {
        /* An installation moved or made with `cmake --install --prefix`:
         * the SQL sits at the same place relative to this executable. */
        static char rel[PATH_MAX];
        char exe[PATH_MAX], *slash;
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            slash = strrchr(exe, '/');
            if (slash) {
                *slash = '\0';
                if (snprintf(rel, sizeof rel, "%s/%s", exe, TRACK_REPORT_REL_SQL_DIR) <
                        (int)sizeof rel &&
                    access(rel, R_OK | X_OK) == 0)
                    return rel;
            }
        }
    }
#endif
    return TRACK_REPORT_SQL_DIR;
}

char *rp_sql_read(const char *dir, const char *report, size_t *len, char *err, size_t errlen)
{
    char path[PATH_MAX];
    struct stat st;
    char *buf = NULL;
    int fd = -1;
    if (snprintf(path, sizeof path, "%s/%s.sql", dir, report) >= (int)sizeof path) {
        snprintf(err, errlen, "%s/%s.sql: path too long", dir, report);
        return NULL;
    }
    fd = spool_open_regular(AT_FDCWD, path, &st);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s (report SQL; see --sql-dir)", path, strerror(errno));
        return NULL;
    }
    buf = malloc(RP_SQL_MAX + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    if (spool_read_record(fd, buf, RP_SQL_MAX, len) < 0) {
        snprintf(err, errlen, "%s: %s", path,
                 errno == EFBIG ? "larger than 256 KiB" : strerror(errno));
        free(buf);
        buf = NULL;
        goto out;
    }
    buf[*len] = '\0';
out:
    close(fd);
    return buf;
}
