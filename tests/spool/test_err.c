/* spool_seterr: the message is one line whatever it quotes, cut to the
 * buffer, and errno survives the formatting. */
#include <errno.h>
#include <string.h>

#include "spool_err.h"
#include "tcheck.h"

int main(void)
{
    char err[32];
    const char *hostile = "a\nb\rc\x1b[2Jd\x7f" "e\tf";

    errno = EACCES;
    CHECK_INT(spool_seterr(err, sizeof err, "path '%s' bad", hostile), -1);
    CHECK_INT(errno, EACCES);
    CHECK_STR(err, "path 'a?b?c?[2Jd?e?f' bad");
    /* Bytes >= 0x80 (a non-UTF-8 name is still a name) are kept. */
    spool_seterr(err, sizeof err, "%s", "\xc3\xa9\xff");
    CHECK_STR(err, "\xc3\xa9\xff");
    spool_seterr(err, 8, "%s", "0123456789\n");
    CHECK_STR(err, "0123456");
    CHECK_INT(spool_seterr(NULL, 0, "%s", "x"), -1);
    return tcheck_result();
}
