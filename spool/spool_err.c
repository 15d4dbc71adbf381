#include "spool_err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int spool_seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    int e = errno;
    if (!err || !errlen)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* Messages quote names and values from untrusted records and files; a
     * control byte among them would break the one-line promise (and let a
     * record forge log lines), so each becomes '?'. */
    for (char *c = err; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    errno = e;
    return -1;
}

int spool_fail_close(int fd)
{
    int e = errno;
    if (fd >= 0)
        close(fd);
    errno = e;
    return -1;
}
