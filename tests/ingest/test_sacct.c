/* ingest_sacct_parse: the sacct -P lines track-ingest reads (the columns of
 * INGEST_SACCT_FORMAT), as Slurm 22.05 prints them with SLURM_TIME_FORMAT=%s
 * (lines copied from a real cluster), and broken ones. No server. */
#include <string.h>

#include "ingest_sacct.h"
#include "tcheck.h"

static int parse(const char *line, struct ingest_sacct_row *r, char *err)
{
    return ingest_sacct_parse(line, strlen(line), r, err, 256);
}

static void test_real_lines(void)
{
    struct ingest_sacct_row r;
    char err[256] = "";

    CHECK_INT(parse("1|1|tracktest|tracktest||test|FAILED|3:0|1796200757|1796200758|1796200761|3|2|1|",
                    &r, err), 0);
    CHECK_STR(r.job_id, "1");
    CHECK_STR(r.step_id, "");
    CHECK_STR(r.user, "tracktest");
    CHECK_STR(r.account, "");
    CHECK_STR(r.partition, "test");
    CHECK_STR(r.state, "FAILED");
    CHECK_INT(r.has_exit, 1);
    CHECK_INT(r.exit_code, 3);
    CHECK_INT(r.exit_signal, 0);
    CHECK_INT(r.submit, 1796200757);
    CHECK_INT(r.end, 1796200761);
    CHECK_INT(r.elapsed, 3);
    CHECK_INT(r.alloc_cpus, 2);
    CHECK_INT(r.nnodes, 1);
    CHECK_INT(r.ntasks, -1);

    CHECK_INT(parse("2.0|2.0|tracktest||||COMPLETED|0:0|1796200765|1796200765|1796200768|3|2|1|2",
                    &r, err), 0);
    CHECK_STR(r.job_id, "2");
    CHECK_STR(r.step_id, "0");
    CHECK_INT(r.ntasks, 2);

    /* An array task: JobIDRaw is the id inside the job, JobID the display. */
    CHECK_INT(parse("7|5_2|c|u|acct|p|CANCELLED by 1001|0:15|1|2|3|1|1|1|", &r, err), 0);
    CHECK_STR(r.job_id, "7");
    CHECK_STR(r.job_display, "5_2");
    CHECK_STR(r.state, "CANCELLED");
    CHECK_INT(r.exit_signal, 15);
    CHECK_INT(ingest_sacct_final(r.state), 1);

    /* A running job: End Unknown, still parses; not final. */
    CHECK_INT(parse("9|9|c|u||p|RUNNING|0:0|1|2|Unknown|5|1|1|", &r, err), 0);
    CHECK_INT(r.end, -1);
    CHECK_INT(ingest_sacct_final(r.state), 0);
    CHECK_INT(parse("9.batch|9.batch|c||||RUNNING||None|None|Unknown|0|1|1|1", &r, err), 0);
    CHECK_INT(r.has_exit, 0);
    CHECK_INT(r.start, -1);
    /* Non-ASCII names pass as UTF-8. */
    CHECK_INT(parse("3|3|c|j\xc3\xb6rg|\xc3\xa9quipe|p|TIMEOUT|0:0|1|2|3|60|1|1|", &r, err), 0);
    CHECK_STR(r.user, "j\xc3\xb6rg");
}

static void test_bad_lines(void)
{
    static const char *const bad[] = {
        "",
        "1|1|c|u||p|FAILED|3:0|1|2|3|3|2|1",          /* 14 fields */
        "1|1|c|u||p|FAILED|3:0|1|2|3|3|2|1||",        /* 16 */
        "x|1|c|u||p|FAILED|3:0|1|2|3|3|2|1|",         /* job id */
        "1.|1|c|u||p|FAILED|3:0|1|2|3|3|2|1|",        /* empty step */
        "1|1|c|u||p||3:0|1|2|3|3|2|1|",               /* empty state */
        "1|1|c|u||p|failed|3:0|1|2|3|3|2|1|",         /* not a state */
        "1|1|c|u||p|FAILED|3|1|2|3|3|2|1|",           /* exit code without signal */
        "1|1|c|u||p|FAILED|300:0|1|2|3|3|2|1|",       /* exit code range */
        "1|1|c|u||p|FAILED|3:0|-1|2|3|3|2|1|",        /* negative time */
        "1|1|c|u||p|FAILED|3:0|1|2|3|3|99999999999|1|", /* AllocCPUS range */
        "1|1|c|u\x01||p|FAILED|3:0|1|2|3|3|2|1|",      /* control character */
        "1|1|c|u\xff||p|FAILED|3:0|1|2|3|3|2|1|",      /* not UTF-8 */
        "1|1|c|uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu||p|FAILED|3:0|1|2|3|3|2|1|",
        "1|1|c|u||p|FAILED|3:0|1|2|Unknown|Unknown|2|1|", /* Unknown elapsed */
        /* found by fuzz_sacct: 19 digits overflowed int64 before the range check */
        "1|1|c|u||p|FAILED|3:0|1|1796233333333333333333|3|3|2|1|",
        "1|1|c|u||p|FAILED|3:0|1|2|3|4611686018427387904|2|1|",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ingest_sacct_row r;
        char err[256] = "";
        if (parse(bad[i], &r, err) != -1)
            tcheck_fail(__FILE__, __LINE__, "line %zu accepted: %s", i, bad[i]);
        else
            CHECK(err[0] != '\0');
    }
}

int main(void)
{
    test_real_lines();
    test_bad_lines();
    return tcheck_result();
}
