#include "tcheck.h"

#include <stdarg.h>
#include <stdio.h>

int tcheck_failures;

void tcheck_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: check failed: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    tcheck_failures++;
}

int tcheck_result(void)
{
    if (tcheck_failures)
        fprintf(stderr, "%d check(s) failed\n", tcheck_failures);
    return tcheck_failures ? 1 : 0;
}
