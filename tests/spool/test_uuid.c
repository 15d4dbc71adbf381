/* UUIDv7 form, version and variant bits, time order, and strict parsing. */
#include <string.h>

#include "spool_uuid.h"
#include "tcheck.h"

int main(void)
{
    char a[37], b[37];
    unsigned char raw[16];
    int i;

    CHECK_INT(spool_uuid_v7(a), 0);
    CHECK_INT(spool_uuid_parse(a, raw), 0);
    CHECK_INT(raw[6] >> 4, 7);
    CHECK_INT(raw[8] >> 6, 2);
    for (i = 0; i < 1000; i++) {
        spool_uuid_v7(b);
        CHECK(strcmp(a, b) != 0);
        /* The 48-bit millisecond prefix never goes backwards. */
        CHECK(memcmp(a, b, 13) <= 0);
        memcpy(a, b, sizeof a);
    }
    CHECK_INT(spool_uuid_parse("0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1", NULL), 0);
    CHECK_INT(spool_uuid_parse("0190A0B1-c2d3-7e4f-8a5b-6c7d8e9fa0b1", NULL), -1);
    CHECK_INT(spool_uuid_parse("0190a0b1c2d3-7e4f-8a5b-6c7d8e9fa0b1x", NULL), -1);
    CHECK_INT(spool_uuid_parse("0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b", NULL), -1);
    CHECK_INT(spool_uuid_parse("0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b12", NULL), -1);
    CHECK_INT(spool_uuid_parse("", NULL), -1);
    return tcheck_result();
}
