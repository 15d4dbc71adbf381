/* spool_tally: the reader of untrusted tally files (spool_tally_parse) on
 * a valid file and on each kind of damage or forgery, and the sums. */
#include <string.h>

#include "spool_tally.h"
#include "tcheck.h"

static char buf[SPOOL_TALLY_SIZE];

static struct spool_tally_head *head(void)
{
    return (void *)buf;
}

static struct spool_tally_slot *slot(unsigned i)
{
    return (void *)(buf + (size_t)SPOOL_TALLY_PAGE * (i + 1));
}

static void add(unsigned i, const char *path, int cls, uint64_t wall, uint64_t start)
{
    struct spool_tally_slot *s = slot(i);
    struct spool_tally_run run = { cls, wall, wall / 4, wall / 8, wall * 2, start };
    if (path) {
        s->path_len = (uint32_t)strlen(path);
        memcpy(s->path, path, s->path_len);
        head()->key[i] = spool_tally_key(path, s->path_len);
    }
    s->acc[(s->seq + 1) & 1] = s->acc[s->seq & 1];
    spool_tally_acc_add(&s->acc[(s->seq + 1) & 1], &run);
    s->seq++;
    s->begun++;
}

static void good(void)
{
    memset(buf, 0, sizeof buf);
    struct spool_tally_head *h = head();
    h->magic = SPOOL_TALLY_MAGIC;
    h->version = SPOOL_TALLY_VERSION;
    h->slots = SPOOL_TALLY_SLOTS;
    h->page = SPOOL_TALLY_PAGE;
    h->uid = 1000;
    memcpy(h->job, "77", 2);
    add(5, "/bin/true", SPOOL_TALLY_OK, 1000, 1700000000000000ULL);
    add(5, NULL, SPOOL_TALLY_OK, 3000, 1700000000000500ULL);
    add(5, NULL, SPOOL_TALLY_SIGNAL, 10, 1699999999000000ULL);
    add(9, "/usr/bin/Rscript", SPOOL_TALLY_ERROR, 7, 1700000000000100ULL);
    add(SPOOL_TALLY_OVERFLOW, NULL, SPOOL_TALLY_OK, 1, 1700000000000200ULL);
    slot(9)->begun += 2;   /* two runs killed mid-update */
}

static void bad(const char *what, const char *want)
{
    struct spool_tally t;
    char err[256] = "";
    CHECK(spool_tally_parse(buf, sizeof buf, &t, err, sizeof err) == -1);
    if (!strstr(err, want))
        tcheck_fail(__FILE__, __LINE__, "%s: reason '%s' lacks '%s'", what, err, want);
    good();
}

int main(void)
{
    struct spool_tally t;
    char err[256];

    good();
    CHECK(spool_tally_parse(buf, sizeof buf, &t, err, sizeof err) == 0);
    CHECK_INT(t.uid, 1000);
    CHECK_STR(t.job, "77");
    CHECK_INT(t.n, 3);
    CHECK_INT(t.runs, 5);
    CHECK_INT(t.unknown, 2);
    CHECK_INT(t.first_us, 1699999999000000ULL);
    CHECK_INT(t.last_us, 1700000000000500ULL);
    CHECK_INT(t.e[0].acc.v[SPOOL_TALLY_OK][SPOOL_TALLY_RUNS], 2);
    CHECK_INT(t.e[0].acc.v[SPOOL_TALLY_OK][SPOOL_TALLY_WALL], 4000);
    CHECK_INT(t.e[0].acc.v[SPOOL_TALLY_OK][SPOOL_TALLY_CORE], 8000);
    CHECK_INT(t.e[0].acc.v[SPOOL_TALLY_OK][SPOOL_TALLY_FIRST], 1700000000000000ULL);
    CHECK_INT(t.e[0].acc.v[SPOOL_TALLY_OK][SPOOL_TALLY_LAST], 1700000000000500ULL);
    CHECK(t.e[2].overflow);
    CHECK_INT(t.e[1].unknown, 2);

    /* An all-zero file: created, never written. */
    memset(buf, 0, sizeof buf);
    CHECK(spool_tally_parse(buf, sizeof buf, &t, err, sizeof err) == 0);
    CHECK_INT(t.n, 0);
    good();

    CHECK(spool_tally_parse(buf, sizeof buf - 1, &t, err, sizeof err) == -1);
    head()->magic ^= 1;
    bad("magic", "not a tally file");
    head()->slots = 8;
    bad("slots", "not a tally file");
    memcpy(head()->job, "7a", 2);
    bad("job", "bad job name");
    slot(5)->path[1] = 'X';
    bad("key", "key does not match");
    slot(5)->path[0] = 'b';
    bad("relative path", "bad path");
    slot(5)->path_len = SPOOL_TALLY_PATH_MAX;
    bad("long path", "bad path");
    slot(20)->begun = 3;
    bad("free slot with counts", "free but holds counts");
    slot(5)->begun = 1;
    bad("more runs than begun", "begun");
    slot(5)->acc[slot(5)->seq & 1].v[SPOOL_TALLY_OK][SPOOL_TALLY_FIRST] = 1800000000000000ULL;
    bad("first after last", "after last start");
    slot(5)->acc[slot(5)->seq & 1].v[SPOOL_TALLY_OK][SPOOL_TALLY_CORE] = 10;
    bad("core below wall", "below wall");
    slot(5)->acc[slot(5)->seq & 1].v[SPOOL_TALLY_ERROR][SPOOL_TALLY_WALL] = 10;
    bad("totals without runs", "totals without runs");
    slot(SPOOL_TALLY_OVERFLOW)->path_len = 3;
    bad("overflow with a path", "overflow");
    /* The same path in two slots. */
    add(30, "/bin/true", SPOOL_TALLY_OK, 5, 1700000000000000ULL);
    head()->key[30] = head()->key[5];
    bad("duplicate", "already in slot");

    /* Saturating sums. */
    struct spool_tally_acc a;
    memset(&a, 0, sizeof a);
    struct spool_tally_run big = { SPOOL_TALLY_OK, UINT64_MAX - 1, 0, 0, UINT64_MAX, 5 };
    spool_tally_acc_add(&a, &big);
    spool_tally_acc_add(&a, &big);
    CHECK_INT(a.v[0][SPOOL_TALLY_WALL] == UINT64_MAX, 1);
    CHECK_INT(a.v[0][SPOOL_TALLY_RUNS], 2);
    return tcheck_result();
}
