/* Record identity (see the header for the rules). */
#include "spool_ident.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static void copy_cut(char *dst, size_t dstlen, const char *src)
{
    size_t n = strlen(src);
    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void spool_ident_get(const struct spool_config *cfg, uid_t uid, struct spool_ident *id)
{
    const char *cluster = getenv("SLURM_CLUSTER_NAME");
    const char *user = getenv("USER");
    struct utsname u;

    if (uname(&u) < 0)
        copy_cut(u.nodename, sizeof u.nodename, "unknown");
    copy_cut(id->host, sizeof id->host, u.nodename);
    if (cfg->syshost[0]) {
        copy_cut(id->syshost, sizeof id->syshost, cfg->syshost);
    } else if (cluster && *cluster) {
        copy_cut(id->syshost, sizeof id->syshost, cluster);
    } else {
        copy_cut(id->syshost, sizeof id->syshost, u.nodename);
        id->syshost[strcspn(id->syshost, ".")] = '\0';
    }
    if (user && *user) {
        copy_cut(id->user, sizeof id->user, user);
    } else {
        char tmp[24];
        size_t i = sizeof tmp - 1;
        unsigned long v = (unsigned long)uid;
        tmp[i] = '\0';
        do {
            tmp[--i] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        copy_cut(id->user, sizeof id->user, tmp + i);
    }
}
