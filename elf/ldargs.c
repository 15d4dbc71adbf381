/* GNU ld command-line analysis for the linker wrapper. Mistaking an option's
 * argument for an input can only cost a wrong entry in the link record, never
 * a changed link: the real linker always gets the original arguments. */
#include "ldargs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RSP_MAX (1024 * 1024)

/* Long options (given with one or two dashes) that take the next word as their
 * argument when no "=value" is attached. */
static const char *const long_with_arg[] = {
    "architecture", "format", "mri-script", "entry", "auxiliary", "filter", "gpsize",
    "soname", "dynamic-linker", "library", "library-path", "output", "just-symbols",
    "script", "undefined", "trace-symbol", "assert", "defsym", "dynamic-list",
    "export-dynamic-symbol", "export-dynamic-symbol-list", "fini", "init", "Map",
    "oformat", "retain-symbols-file", "rpath", "rpath-link", "section-start",
    "sort-section", "spare-dynamic-tags", "Tbss", "Tdata", "Ttext", "Ttext-segment",
    "Trodata-segment", "Tldata-segment", "version-script", "version-exports-section",
    "wrap", "hash-style", "plugin", "plugin-opt", "exclude-libs", "exclude-symbols",
    "dependency-file", "audit", "depaudit", "default-script", "dT", "require-defined",
    "error-handling-script", "image-base", "heap", "stack", "subsystem", "task-link",
    "section-ordering-file", "out-implib", "dynamic-linker", "mllvm", "soname",
    "package-metadata", "sysroot", "emulation", NULL,
};
/* Short options whose argument is attached ("-lm") or the next word ("-l m"). */
static const char short_with_arg[] = "aAbcefFGhIlLmoOPRTuyYz";

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

static int push(char ***v, size_t *n, char *s)
{
    char **nv;
    if (!s)
        return -1;
    nv = realloc(*v, (*n + 1) * sizeof **v);
    if (!nv) {
        free(s);
        return -1;
    }
    nv[(*n)++] = s;
    *v = nv;
    return 0;
}

/* Splits a response file the way libiberty's buildargv does: blanks separate
 * words, '...' and "..." quote, backslash escapes the next character. */
static int rsp_split(const char *buf, size_t len, char ***out, size_t *nout)
{
    size_t i = 0;
    char *w = malloc(len + 1);
    if (!w)
        return -1;
    while (i < len) {
        size_t k = 0;
        char q = 0;
        int any = 0;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
                           buf[i] == '\r' || buf[i] == '\f' || buf[i] == '\v'))
            i++;
        while (i < len) {
            char c = buf[i];
            if (!q && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'))
                break;
            i++;
            any = 1;
            if (c == '\\' && i < len) {
                w[k++] = buf[i++];
            } else if (q && c == q) {
                q = 0;
            } else if (!q && (c == '\'' || c == '"')) {
                q = c;
            } else {
                w[k++] = c;
            }
        }
        if (any) {
            w[k] = '\0';
            if (push(out, nout, strdup(w)) < 0) {
                free(w);
                return -1;
            }
        }
    }
    free(w);
    return 0;
}

/* Reads @file; -1 if it cannot be read (then ld itself would take "@file" as a
 * file name; we only stop analysing). */
static int rsp_read(const char *path, char ***out, size_t *nout)
{
    char *buf = NULL;
    size_t len = 0;
    ssize_t r;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc = -1;
    struct stat st;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        goto out;
    buf = malloc(RSP_MAX + 1);
    if (!buf)
        goto out;
    while (len <= RSP_MAX && (r = read(fd, buf + len, RSP_MAX + 1 - len)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            goto out;
        }
        len += (size_t)r;
    }
    if (len > RSP_MAX)
        goto out;
    rc = rsp_split(buf, len, out, nout);
out:
    free(buf);
    close(fd);
    return rc;
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* -lNAME: the first -L directory holding libNAME.so (unless static) or
 * libNAME.a; "-l:FILE" looks for FILE itself. */
static char *resolve_lib(const char *name, int is_static, char **dirs, size_t ndirs)
{
    size_t i;
    char path[4096];
    for (i = 0; i < ndirs; i++) {
        if (name[0] == ':') {
            snprintf(path, sizeof path, "%s/%s", dirs[i], name + 1);
            if (is_file(path))
                return strdup(path);
            continue;
        }
        if (!is_static) {
            snprintf(path, sizeof path, "%s/lib%s.so", dirs[i], name);
            if (is_file(path))
                return strdup(path);
        }
        snprintf(path, sizeof path, "%s/lib%s.a", dirs[i], name);
        if (is_file(path))
            return strdup(path);
    }
    snprintf(path, sizeof path, "-l%s", name);
    return strdup(path);
}

struct words { char **v; size_t n; };

/* Classifies word i. Returns how many words it used (1 or 2) and sets *opt
 * to the option name without dashes (NULL for an input) and *val to its
 * value (NULL if none). */
static size_t classify(char **w, size_t n, size_t i, const char **opt, const char **val,
                       char *namebuf, size_t namelen)
{
    const char *s = w[i], *name, *eq;
    *opt = NULL;
    *val = NULL;
    if (s[0] != '-' || s[1] == '\0')
        return 1;
    name = s + 1 + (s[1] == '-');
    eq = strchr(name, '=');
    if (eq) {
        size_t k = (size_t)(eq - name);
        if (k >= namelen)
            k = namelen - 1;
        memcpy(namebuf, name, k);
        namebuf[k] = '\0';
        *opt = namebuf;
        *val = eq + 1;
        return 1;
    }
    if (in_list(long_with_arg, name)) {
        *opt = name;
        *val = i + 1 < n ? w[i + 1] : NULL;
        return i + 1 < n ? 2 : 1;
    }
    if (s[1] != '-' && strchr(short_with_arg, s[1])) {
        namebuf[0] = s[1];
        namebuf[1] = '\0';
        *opt = namebuf;
        if (s[2]) {
            /* "-lm", "-ofile", "-O1"... or a flag we do not know that
             * starts with the same letter: either way one word. */
            if (strlen(s + 1) > 1 && !strchr("lLoOTzmh", s[1])) {
                *opt = name;
                return 1;
            }
            *val = s + 2;
            return 1;
        }
        *val = i + 1 < n ? w[i + 1] : NULL;
        return i + 1 < n ? 2 : 1;
    }
    *opt = name;
    return 1;
}

int ldargs_parse(int argc, char *const *argv, struct ldargs *a)
{
    struct words w = { NULL, 0 };
    char **dirs = NULL, namebuf[64];
    size_t ndirs = 0, i, used;
    int is_static = 0, saw_version = 0, rc = -1, k;
    const char *opt, *val;

    memset(a, 0, sizeof *a);
    a->output = "a.out";
    /* Flatten argv with response files expanded; every word is owned by
     * w.v for simplicity, and kept in a->expanded_ because output points
     * into it. */
    for (k = 1; k < argc; k++) {
        if (argv[k][0] == '@' && argv[k][1]) {
            if (rsp_read(argv[k] + 1, &w.v, &w.n) < 0)
                a->nostamp = 1;
            continue;
        }
        if (push(&w.v, &w.n, strdup(argv[k])) < 0)
            goto out;
    }
    a->expanded_ = w.v;
    a->nexpanded_ = w.n;
    /* -L applies to every -l wherever it stands: collect them first. */
    for (i = 0; i < w.n; i += used) {
        used = classify(w.v, w.n, i, &opt, &val, namebuf, sizeof namebuf);
        if (opt && val && (strcmp(opt, "L") == 0 || strcmp(opt, "library-path") == 0)) {
            char **nd = realloc(dirs, (ndirs + 1) * sizeof *dirs);
            if (!nd)
                goto out;
            dirs = nd;
            dirs[ndirs++] = (char *)val;
        }
    }
    for (i = 0; i < w.n; i += used) {
        used = classify(w.v, w.n, i, &opt, &val, namebuf, sizeof namebuf);
        if (!opt) {
            if (push(&a->inputs, &a->ninputs, strdup(w.v[i])) < 0)
                goto out;
            continue;
        }
        if ((strcmp(opt, "l") == 0 || strcmp(opt, "library") == 0) && val) {
            if (push(&a->inputs, &a->ninputs, resolve_lib(val, is_static, dirs, ndirs)) < 0)
                goto out;
        } else if ((strcmp(opt, "o") == 0 || strcmp(opt, "output") == 0) && val) {
            a->output = val;
        } else if (!strcmp(opt, "r") || !strcmp(opt, "i") || !strcmp(opt, "Ur") ||
                   !strcmp(opt, "relocatable")) {
            a->relocatable = 1;
        } else if (!strcmp(opt, "version") || !strcmp(opt, "help") ||
                   !strcmp(opt, "target-help")) {
            a->info_only = 1;
        } else if (!strcmp(opt, "v") || !strcmp(opt, "V")) {
            saw_version = 1;
        } else if (!strcmp(opt, "T") || !strcmp(opt, "script") || !strcmp(opt, "c") ||
                   !strcmp(opt, "mri-script") || !strcmp(opt, "oformat") ||
                   !strcmp(opt, "default-script") || !strcmp(opt, "dT")) {
            a->custom_layout = 1;
        } else if (!strcmp(opt, "static") || !strcmp(opt, "Bstatic") || !strcmp(opt, "dn") ||
                   !strcmp(opt, "non_shared")) {
            is_static = 1;
        } else if (!strcmp(opt, "Bdynamic") || !strcmp(opt, "dy") ||
                   !strcmp(opt, "call_shared")) {
            is_static = 0;
        }
    }
    /* -v/-V print the version and still link when there are inputs. */
    if (saw_version && a->ninputs == 0)
        a->info_only = 1;
    rc = 0;
out:
    free(dirs);
    if (rc < 0) {
        if (!a->expanded_) {
            for (i = 0; i < w.n; i++)
                free(w.v[i]);
            free(w.v);
        }
        ldargs_free(a);
        errno = ENOMEM;
    }
    return rc;
}

int ldargs_should_stamp(const struct ldargs *a)
{
    return !a->relocatable && !a->info_only && !a->custom_layout && !a->nostamp &&
           a->ninputs > 0;
}

void ldargs_free(struct ldargs *a)
{
    size_t i;
    for (i = 0; i < a->ninputs; i++)
        free(a->inputs[i]);
    free(a->inputs);
    for (i = 0; i < a->nexpanded_; i++)
        free(a->expanded_[i]);
    free(a->expanded_);
    memset(a, 0, sizeof *a);
    a->output = "a.out";
}
