/* Display escaping of report cells (see rp_text.h). */
#include "rp_text.h"

#include <stdlib.h>
#include <string.h>

#include "spool_json.h"

size_t rp_text_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            w++;
    return w;
}

int rp_text_json_str(FILE *f, const char *s, size_t n)
{
    /* worst case 6 output bytes per input byte (\udcXX, \u00XX), quotes, NUL */
    size_t cap = n * 6 + 3;
    struct spool_json j;
    int rc = -1;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    spool_json_init(&j, buf, cap);
    spool_json_strn(&j, s, n, 0, NULL);
    if (spool_json_finish(&j) == 0 && fwrite(buf, 1, j.len, f) == j.len)
        rc = 0;
    free(buf);
    return rc;
}

static size_t digits(const char *s, size_t n, size_t i)
{
    size_t k = i;
    while (k < n && s[k] >= '0' && s[k] <= '9')
        k++;
    return k - i;
}

int rp_text_is_json_number(const char *s, size_t n)
{
    size_t i = 0, d;
    if (i < n && s[i] == '-')
        i++;
    d = digits(s, n, i);
    if (d == 0 || (d > 1 && s[i] == '0'))
        return 0;
    i += d;
    if (i < n && s[i] == '.') {
        i++;
        d = digits(s, n, i);
        if (d == 0)
            return 0;
        i += d;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        d = digits(s, n, i);
        if (d == 0)
            return 0;
        i += d;
    }
    return i == n;
}
