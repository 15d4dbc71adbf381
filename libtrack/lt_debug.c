#include "lt_debug.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void lt_debug(int on, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n, saved = errno;

    if (!on)
        return;
    memcpy(line, "track: ", 7);
    va_start(ap, fmt);
    n = vsnprintf(line + 7, sizeof line - 8, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof line - 8)
        n = (int)(sizeof line - 8);
    line[7 + n] = '\n';
    /* One write(2), no stdio: the program's stdio buffers stay untouched. A
     * failed write (stderr closed) is ignored on purpose. */
    if (write(2, line, (size_t)n + 8) < 0)
        (void)0;
    errno = saved;
}
