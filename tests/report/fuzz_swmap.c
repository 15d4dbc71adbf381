/* libFuzzer target for the software map parsers (sw_map.h): the site's
 * rules file and Lmod's reverse map. The first byte picks the parser (even:
 * rules, odd: reverse map), the rest is the file. Beyond "no crash, no
 * leak, no UB" it checks the contracts: a parsed entry is well-formed, and
 * a failed parse leaves the map as it was (one entry put there first). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sw_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sw_map map = SW_MAP_INIT;
    char err[512];
    int rc;
    if (size < 1)
        return 0;
    if (sw_map_add(&map, SW_PREFIX, SW_RULE, "/seed", 5, "seed/1", 6, 1) < 0)
        abort();
    err[0] = '\0';
    if (data[0] & 1)
        rc = sw_lmod_parse("fuzz", (const char *)data + 1, size - 1, &map, err, sizeof err);
    else
        rc = sw_rules_parse("fuzz", (const char *)data + 1, size - 1, &map, err, sizeof err);
    if (rc < 0) {
        if (map.n != 1 || strncmp(err, "fuzz", 4) != 0 || memchr(err, '\n', strlen(err)))
            abort();
    } else {
        for (size_t i = 0; i < map.n; i++) {
            const struct sw_entry *e = &map.e[i];
            if (e->keylen == 0 || e->keylen > SW_PATH_MAX || strlen(e->key) != e->keylen ||
                !e->package[0] || (e->version && !e->version[0]) ||
                (e->kind == SW_PREFIX && (e->key[0] != '/' || e->keylen < 2 ||
                                             e->key[e->keylen - 1] == '/')))
                abort();
        }
    }
    sw_map_free(&map);
    return 0;
}
