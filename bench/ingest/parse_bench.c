/* parse_bench: what parsing a record costs, against the JSON lexer alone.
 *   parse_bench DIR [ROUNDS]
 * Loads every *.json under DIR/<month>/ into memory, then ROUNDS times,
 * interleaved: yajl_parse with no callbacks (the floor: lexing only) and
 * rec_parse_with (lexing, tree, validation, the record's copy), reporting
 * microseconds per record for each (median over the rounds). Each round
 * starts with a fresh parser, so its object-list memo fills as in one
 * track-ingest run (hits are reported). A decision aid for
 * docs/performance.md "## ingest", not a test. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "rec_parse.h"

struct file { char *p; size_t n; };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int load(const char *dir, struct file **v, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        char path[4096];
        if (e->d_name[0] == '.')
            continue;
        int k = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (k < 0 || (size_t)k >= sizeof path)
            continue;
        if (e->d_type == DT_DIR) {
            load(path, v, n, cap);
            continue;
        }
        if (!strstr(e->d_name, ".json"))
            continue;
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        rewind(f);
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            *v = realloc(*v, *cap * sizeof **v);
            if (!*v) {
                fclose(f);
                closedir(d);
                return -1;
            }
        }
        char *p = malloc((size_t)sz + 1);
        if (p && fread(p, 1, (size_t)sz, f) == (size_t)sz) {
            (*v)[*n].p = p;
            (*v)[(*n)++].n = (size_t)sz;
        } else {
            free(p);
        }
        fclose(f);
    }
    closedir(d);
    return 0;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    struct file *v = NULL;
    size_t n = 0, cap = 0;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (argc < 2 || rounds < 1 || rounds > 100 || load(argv[1], &v, &n, &cap) != 0 || n == 0) {
        fprintf(stderr, "usage: parse_bench DIR [ROUNDS 1..100] (DIR/<month>/*.json)\n");
        return 1;
    }
    double lex[100], full[100];
    size_t bad = 0, hits = 0;
    for (int r = 0; r < rounds; r++) {
        struct rec_parser rp = REC_PARSER_INIT;
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            yajl_handle h = yajl_alloc(NULL, NULL, NULL);
            yajl_config(h, yajl_dont_validate_strings, 1);
            if (yajl_parse(h, (const unsigned char *)v[i].p, v[i].n) != yajl_status_ok ||
                yajl_complete_parse(h) != yajl_status_ok)
                bad++;
            yajl_free(h);
        }
        double t1 = now();
        for (size_t i = 0; i < n; i++) {
            struct rec rec;
            char err[512];
            if (rec_parse_with(&rp, v[i].p, v[i].n, &rec, err, sizeof err) == 0)
                rec_free(&rec);
            else
                bad++;
        }
        double t2 = now();
        hits = rp.memo_hits;
        rec_parser_free(&rp);
        lex[r] = (t1 - t0) * 1e6 / (double)n;
        full[r] = (t2 - t1) * 1e6 / (double)n;
    }
    qsort(lex, (size_t)rounds, sizeof *lex, cmpd);
    qsort(full, (size_t)rounds, sizeof *full, cmpd);
    printf("records %zu, rounds %d, rejected %zu, object lists from the memo %zu per round\n",
           n, rounds, bad, hits);
    printf("yajl lexer alone:  %.2f us/record (median; min %.2f)\n", lex[rounds / 2], lex[0]);
    printf("rec_parse_with:    %.2f us/record (median; min %.2f), %.2fx the lexer\n",
           full[rounds / 2], full[0], full[rounds / 2] / lex[rounds / 2]);
    for (size_t i = 0; i < n; i++)
        free(v[i].p);
    free(v);
    return 0;
}
