/* libFuzzer target for the software map parsers (rp_swmap.h): the site's
 * rules file and Lmod's reverse map. The first byte picks the parser (even:
 * rules, odd: reverse map), the rest is the file. Beyond "no crash, no
 * leak, no UB" it checks the contracts: a parsed entry is well-formed, and
 * a failed parse leaves the map as it was (one entry put there first). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rp_swmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rp_swmap map = RP_SWMAP_INIT;
    char err[512];
    int rc;
    if (size < 1)
        return 0;
    if (rp_swmap_add(&map, RP_SW_PREFIX, RP_SW_RULE, "/seed", 5, "seed/1", 6, 1) < 0)
        abort();
    err[0] = '\0';
    if (data[0] & 1)
        rc = rp_swlmod_parse("fuzz", (const char *)data + 1, size - 1, &map, err, sizeof err);
    else
        rc = rp_swrules_parse("fuzz", (const char *)data + 1, size - 1, &map, err, sizeof err);
    if (rc < 0) {
        if (map.n != 1 || strncmp(err, "fuzz", 4) != 0 || memchr(err, '\n', strlen(err)))
            abort();
    } else {
        for (size_t i = 0; i < map.n; i++) {
            const struct rp_sw_entry *e = &map.e[i];
            if (e->keylen == 0 || e->keylen > RP_SW_PATH_MAX || strlen(e->key) != e->keylen ||
                !e->package[0] || (e->version && !e->version[0]) ||
                (e->kind == RP_SW_PREFIX && (e->key[0] != '/' || e->keylen < 2 ||
                                             e->key[e->keylen - 1] == '/')))
                abort();
        }
    }
    rp_swmap_free(&map);
    return 0;
}
