/* Display escaping of untrusted bytes (see spool_text.h). */
#include "spool_text.h"

#include <stdlib.h>
#include <string.h>

#include "spool_json.h"

static const char hexd[] = "0123456789abcdef";

char *spool_text_escape(const char *s, size_t n, size_t *outlen)
{
    /* worst case: every byte becomes \xNN (4 bytes) */
    char *out = malloc(n * 4 + 1);
    size_t o = 0, i = 0;
    if (!out)
        return NULL;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t k = spool_utf8_seq((const unsigned char *)s + i, n - i);
            if (k > 0) {
                memcpy(out + o, s + i, k);
                o += k;
                i += k;
                continue;
            }
        }
        if (c == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
        } else if (c < 0x20 || c >= 0x7f) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hexd[c >> 4];
            out[o++] = hexd[c & 15];
        } else {
            out[o++] = (char)c;
        }
        i++;
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}
