/* Record file names: build/parse round trip, sanitising, and rejection of
 * every malformed name. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spool_name.h"
#include "tcheck.h"

static const char *uuid = "0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1";

int main(void)
{
    char name[SPOOL_NAME_MAX], date[SPOOL_DATE_LEN + 1], comp[SPOOL_NAME_COMP_MAX];
    struct spool_name n;
    static const char *bad[] = {
        "",
        ".run.c.2026_11_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json.tmp",
        "run.c.2026_11_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json.x",
        "run.c.2026_11_21_10_00_00_1234.u.bbb.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run.c.2026_13_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run.c.2026_11_21_25_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run.c.2026_11_21_10_00_00_123x.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run..2026_11_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run.c.2026_11_21_10_00_00_1234..aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run.c.2026_11_21_10_00_00_1234.u.aaa.0190A0B1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run.c.2026_11_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b.json",
        "run.c/x.2026_11_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run.c.2026_11_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1",
        "link.c.2026_11_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "run.c.2026_11_21.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
        "../run.c.2026_11_21_10_00_00_1234.u.aaa.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json",
    };
    size_t i;

    setenv("TZ", "UTC", 1);
    tzset();
    CHECK_INT(spool_name_date(date, 1732214400, 123456), 0);   /* 2024-11-21 18:40:00 UTC */
    CHECK_STR(date, "2024_11_21_18_40_00_1234");

    CHECK_INT(spool_name_build(name, SPOOL_KIND_START, "frontier", date, "alice", uuid), 0);
    CHECK_STR(name, "run.frontier.2024_11_21_18_40_00_1234.alice.aaa."
                    "0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json");
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(n.kind, SPOOL_KIND_START);
    CHECK_STR(n.syshost, "frontier");
    CHECK_STR(n.user, "alice");
    CHECK_STR(n.uuid, uuid);
    CHECK_STR(n.date, date);
    CHECK_STR(n.yyyymm, "202411");

    /* Dots and slashes in user or host never break the split. */
    CHECK_INT(spool_name_build(name, SPOOL_KIND_END, "a.b.c", date, "john.doe/../x", uuid), 0);
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(n.kind, SPOOL_KIND_END);
    CHECK_STR(n.syshost, "a_b_c");
    CHECK_STR(n.user, "john_doe____x");

    CHECK_INT(spool_name_build(name, SPOOL_KIND_LINK, "c", date, "u", uuid), 0);
    CHECK_STR(name, "link.c.2024_11_21_18_40_00_1234.u.0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1.json");
    CHECK_INT(spool_name_parse(name, &n), 0);
    CHECK_INT(n.kind, SPOOL_KIND_LINK);

    CHECK_INT(spool_name_build(name, SPOOL_KIND_START, "c", "2024_11_21", "u", uuid), -1);
    CHECK_INT(spool_name_build(name, SPOOL_KIND_START, "c", date, "u", "not-a-uuid"), -1);

    spool_name_component(comp, "");
    CHECK_STR(comp, "_");
    {
        char longuser[200];
        memset(longuser, 'x', sizeof longuser - 1);
        longuser[sizeof longuser - 1] = '\0';
        spool_name_component(comp, longuser);
        CHECK_INT(strlen(comp), SPOOL_NAME_COMP_MAX - 1);
        CHECK_INT(spool_name_build(name, SPOOL_KIND_START, longuser, date, longuser, uuid), 0);
        CHECK_INT(spool_name_parse(name, NULL), 0);
    }
    spool_name_component(comp, "\xc3\xa9t\xc3\xa9");
    CHECK_STR(comp, "__t__");

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (spool_name_parse(bad[i], &n) == 0)
            tcheck_fail(__FILE__, __LINE__, "accepted bad name '%s'", bad[i]);

    CHECK(spool_name_is_temp(".run.c.x.json.tmp"));
    CHECK(!spool_name_is_temp("run.c.x.json"));
    return tcheck_result();
}
