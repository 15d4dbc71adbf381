/* libFuzzer target for the reader of tally records (rec_tally_parse, the
 * ingester's): any input gives a tally whose every path is readable within
 * its length and whose counts equal its entries' sums, or a one-line
 * reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rec_tally.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rec_tally *t = NULL;
    char err[256];
    uint64_t runs = 0, unknown = 0;

    if (rec_tally_parse((const char *)data, size, &t, err, sizeof err) < 0) {
        if (t || !memchr(err, '\0', sizeof err) || strchr(err, '\n'))
            abort();
        return 0;
    }
    if (t->n > REC_TALLY_MAX_ENTRIES)
        abort();
    for (size_t i = 0; i < t->n; i++) {
        for (size_t k = 0; k <= t->e[i].path_len; k++)
            sink += (unsigned char)t->e[i].path[k];
        if (t->e[i].path[t->e[i].path_len] != '\0')
            abort();
        if (strcmp(t->e[i].cls, "unknown") == 0)
            unknown += t->e[i].runs;
        else
            runs += t->e[i].runs;
    }
    if (runs != t->runs || unknown != t->unknown)
        abort();
    rec_tally_free(t);
    return 0;
}
