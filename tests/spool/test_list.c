/* Glob lists from the config. */
#include "spool_list.h"
#include "tcheck.h"

#include <string.h>

/* spool_globs_compile works in the list's own bytes */
static void in_place(void)
{
    struct spool_globs g;
    char list[] = " A_* ,B\t,, C?x ,";
    char big[3000];

    CHECK(spool_globs_compile(&g, list) == 3);
    CHECK(g.base == list);
    CHECK(strcmp(g.base + g.item[0].off, "A_*") == 0 && g.item[0].kind == SPOOL_GLOB_PREFIX);
    CHECK(strcmp(g.base + g.item[1].off, "B") == 0 && g.item[1].kind == SPOOL_GLOB_EXACT);
    CHECK(strcmp(g.base + g.item[2].off, "C?x") == 0 && g.item[2].kind == SPOOL_GLOB_FULL);
    CHECK(spool_globs_match(&g, "A_1", 3, 0) && spool_globs_match(&g, "B", 1, 0));
    CHECK(spool_globs_match(&g, "CAx", 3, 0) && !spool_globs_match(&g, "BB", 2, 0));
    CHECK(spool_globs_compile(&g, NULL) == 0 && !spool_globs_match(&g, "x", 1, 0));
    /* 64 items at most; the 65th never matches */
    big[0] = '\0';
    for (int i = 0; i < 65; i++)
        strcat(big, i ? ",ITEM" : "ITEM");
    CHECK(spool_globs_compile(&g, big) == SPOOL_GLOBS_MAX);
}

int main(void)
{
    in_place();
    CHECK(spool_list_match("/usr/bin/*, /bin/*", "/usr/bin/python3", 0));
    CHECK(spool_list_match(" /opt/x , /bin/* ", "/bin/ls", 0));
    CHECK(spool_list_match("/usr/*", "/usr/lib/x86_64-linux-gnu/libc.so.6", 0));
    CHECK(!spool_list_match("/usr/bin/*", "/home/u/a.out", 0));
    CHECK(!spool_list_match("", "/bin/ls", 0));
    CHECK(!spool_list_match(",,", "/bin/ls", 0));
    CHECK(spool_list_match("*/python[23]*", "/usr/bin/python3.11", 0));

    CHECK(spool_list_match_env("OMP_*,CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS=4"));
    CHECK(spool_list_match_env("OMP_*,CUDA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES=0,1"));
    CHECK(!spool_list_match_env("OMP_*", "HOME=/root"));
    CHECK(!spool_list_match_env("OMP_*", "=OMP_X"));
    CHECK(!spool_list_match_env("OMP_*", "OMPX=1"));

    CHECK(spool_list_prefix("/usr,/opt/cray/", "/usr/bin/x"));
    CHECK(spool_list_prefix("/usr,/opt/cray/", "/opt/cray/pe/bin/cc"));
    CHECK(spool_list_prefix("/usr", "/usr"));
    CHECK(!spool_list_prefix("/usr", "/usrx/bin"));
    CHECK(!spool_list_prefix("/usr", "/home/usr/a"));
    CHECK(spool_list_prefix("/", "/anything"));
    return tcheck_result();
}
