/* Glob lists from the config. */
#include "spool_list.h"
#include "tcheck.h"

int main(void)
{
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
