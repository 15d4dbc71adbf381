/* rec_check FILE...: runs every file through the tools' own record parser
 * and name check (rec_parse, rec_check_name), printing one line per file
 * that is rejected. Exit 0 when all are accepted, 1 otherwise. Tests use it
 * to prove that what a writer produced is what the readers accept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_parse.h"
#include "spool_name.h"

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *path = argv[i], *base = strrchr(path, '/');
        static char buf[16 * 1024 * 1024];
        char err[512];
        struct spool_name n;
        struct rec r;
        size_t len;
        FILE *f = fopen(path, "rb");
        base = base ? base + 1 : path;
        if (!f) {
            fprintf(stderr, "%s: cannot open\n", path);
            bad = 1;
            continue;
        }
        len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (spool_name_parse(base, &n) < 0) {
            fprintf(stderr, "%s: not a record name\n", path);
            bad = 1;
            continue;
        }
        if (rec_parse(buf, len, &r, err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", path, err);
            bad = 1;
            continue;
        }
        if (rec_check_name(&r, &n, err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", path, err);
            bad = 1;
        }
        rec_free(&r);
    }
    return bad;
}
