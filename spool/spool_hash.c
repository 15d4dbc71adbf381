/* spool_hash: multiply-xorshift over 8-byte words. */
#include "spool_hash.h"

#include <string.h>

uint64_t spool_hash(const void *p, size_t n)
{
    /* 8 bytes per step, multiply-xorshift mixing: quality only matters for
     * speed, every hit is verified exactly. */
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
    /* Four independent lanes over 32-byte steps first: the inputs are often
     * kilobytes, and one lane's multiply chain was the limit. */
    if (n >= 32) {
        uint64_t l[4] = { h, 0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL };
        while (n >= 32) {
            for (int k = 0; k < 4; k++) {
                memcpy(&w, s + 8 * k, 8);
                l[k] = (l[k] ^ w) * 0xff51afd7ed558ccdULL;
                l[k] ^= l[k] >> 29;
            }
            s += 32;
            n -= 32;
        }
        h = ((l[0] * 31 + l[1]) * 31 + l[2]) * 31 + l[3];
    }
    while (n >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 32;
    return h ? h : 1;
}
