/* libFuzzer target: ingest_sacct_parse on any bytes (one sacct -P line).
 * A line that parses must give NUL-terminated fields within their sizes. */
#include <stdint.h>
#include <string.h>

#include "ingest_sacct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ingest_sacct_row r;
    char err[256];

    if (ingest_sacct_parse((const char *)data, size, &r, err, sizeof err) == 0) {
        if (strlen(r.job_id) >= sizeof r.job_id || strlen(r.state) >= sizeof r.state ||
            strlen(r.account) >= sizeof r.account || r.job_id[0] == '\0' ||
            r.state[0] == '\0')
            __builtin_trap();
        (void)ingest_sacct_final(r.state);
    } else if (err[0] == '\0' || strlen(err) >= sizeof err) {
        __builtin_trap();
    }
    return 0;
}
