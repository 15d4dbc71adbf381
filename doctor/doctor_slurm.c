/* track-doctor's Slurm check: Prolog, Epilog and TaskProlog in slurm.conf
 * (and the files it includes) must run track's scripts, either by naming them
 * or through a site script that calls them. */
#include "doctor.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define VAL_MAX 1024
#define INCLUDE_DEPTH 4

struct want {
    const char *key;       /* slurm.conf parameter */
    const char *script;    /* track's script for it */
    char value[VAL_MAX];   /* last value seen ("" = none) */
    char where[VAL_MAX];   /* file:line of that value */
};

static char *trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Reads one slurm.conf file: `Key=Value` lines, '#' comments, `Include
 * FILE` (relative to the including file's directory). Values may be quoted. */
static int read_conf(struct doc_report *r, const char *path, struct want *w, size_t nw,
                     int depth)
{
    FILE *f = fopen(path, "r");
    char line[4096], dirbuf[VAL_MAX];
    int lineno = 0;

    if (!f) {
        doc_problem(r, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *s, *eq, *hash = strchr(line, '#');
        lineno++;
        if (hash)
            *hash = '\0';
        s = trim(line);
        if (!strncasecmp(s, "include", 7) && isspace((unsigned char)s[7])) {
            char inc[VAL_MAX];
            const char *name = trim(s + 8);
            if (depth >= INCLUDE_DEPTH)
                continue;
            snprintf(dirbuf, sizeof dirbuf, "%s", path);
            if (name[0] == '/')
                snprintf(inc, sizeof inc, "%s", name);
            else
                snprintf(inc, sizeof inc, "%s/%s", dirname(dirbuf), name);
            read_conf(r, inc, w, nw, depth + 1);
            continue;
        }
        /* Several Key=Value pairs may share a line (node and partition
         * lines); the ones wanted here stand alone, but look at each. */
        for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
            if (!(eq = strchr(tok, '=')))
                continue;
            *eq = '\0';
            for (size_t i = 0; i < nw; i++) {
                if (strcasecmp(tok, w[i].key) != 0)
                    continue;
                char *v = eq + 1;
                size_t n = strlen(v);
                if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
                    v[n - 1] = '\0';
                    v++;
                }
                snprintf(w[i].value, sizeof w[i].value, "%s", v);
                snprintf(w[i].where, sizeof w[i].where, "%s:%d", path, lineno);
            }
        }
    }
    fclose(f);
    return 0;
}

/* 1 if the program file at path mentions needle (a site wrapper that calls
 * track's script). Reads at most 64 KiB. */
static int mentions(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    char buf[65536];
    size_t n;
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return memchr(buf, '\0', n) == NULL && strstr(buf, needle) != NULL;
}

static void judge(struct doc_report *r, const struct doc_ctx *c, const struct want *w)
{
    char ours[VAL_MAX], items[VAL_MAX];
    struct stat st;
    int found = 0;

    snprintf(ours, sizeof ours, "%s/%s", c->slurm_dir, w->script);
    if (!w->value[0]) {
        doc_problem(r, "no %s= in %s (track's is %s)", w->key, c->slurm_conf, ours);
        return;
    }
    /* Slurm takes one program, or (newer releases) a comma-separated list. */
    snprintf(items, sizeof items, "%s", w->value);
    for (char *it = strtok(items, ","); it && !found; it = strtok(NULL, ",")) {
        it = trim(it);
        if (!strcmp(it, ours))
            found = 1;
        else if (mentions(it, ours))
            found = 2;
    }
    if (!found) {
        doc_problem(r, "%s=%s (%s) does not run track's %s", w->key, w->value, w->where, ours);
        return;
    }
    if (stat(ours, &st) < 0 || !S_ISREG(st.st_mode) || access(ours, X_OK) < 0) {
        doc_problem(r, "%s=%s: %s is missing or not executable", w->key, w->value, ours);
        return;
    }
    doc_fact(r, "%s=%s (%s)%s", w->key, w->value, w->where,
             found == 2 ? ": a site script that calls track's" : "");
}

void doc_check_slurm(struct doc_report *r, const struct doc_ctx *c)
{
    struct want w[] = {
        { "Prolog", "prolog.sh", "", "" },
        { "Epilog", "epilog.sh", "", "" },
        { "TaskProlog", "task-prolog.sh", "", "" },
    };
    size_t i, nw = sizeof w / sizeof w[0];

    doc_section(r, "slurm");
    if (read_conf(r, c->slurm_conf, w, nw, 0) < 0)
        return;
    for (i = 0; i < nw; i++)
        judge(r, c, &w[i]);
}
