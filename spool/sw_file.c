/* Reads a software rules file or Lmod reverse map from disk and hands it to
 * its parser (see sw_map.h). Its own file so that the parsers, which fill
 * the map, and the map itself do not call each other. */
#include "sw_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_err.h"
#include "spool_file.h"

int sw_map_load(const char *path, int lmod, struct sw_map *map, char *err, size_t errlen)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int fd, rc = -1;
    /* These files belong to the administrator: a symlink to one (a release
     * switch) is fine; only a non-regular file is refused. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        spool_seterr(err, errlen, "%s: cannot open: %s (%s)", path, strerror(errno),
                     lmod ? "lmod_reverse_map" : "software_map");
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        spool_seterr(err, errlen, "%s: not a regular file", path);
        goto out;
    }
    if ((unsigned long long)st.st_size > SW_FILE_MAX) {
        spool_seterr(err, errlen, "%s: larger than %u bytes", path, SW_FILE_MAX);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 2);
    if (!buf) {
        spool_seterr(err, errlen, "%s: out of memory", path);
        goto out;
    }
    /* +1: a file that grew since the fstat fails as too large */
    if (spool_read_record(fd, buf, (size_t)st.st_size + 1, &len) < 0 || len > (size_t)st.st_size) {
        spool_seterr(err, errlen, "%s: cannot read: %s", path,
                     errno == EFBIG || len > (size_t)st.st_size ? "it grew while read" : strerror(errno));
        goto out;
    }
    buf[len] = '\0';
    rc = lmod ? sw_lmod_parse(path, buf, len, map, err, errlen)
              : sw_rules_parse(path, buf, len, map, err, errlen);
out:
    free(buf);
    close(fd);
    return rc;
}
