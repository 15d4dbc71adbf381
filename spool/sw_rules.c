/* The site's software rules file (see sw_map.h; format in
 * docs/software.md). */
#include "sw_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_text.h"
#include "spool_err.h"
#include "spool_file.h"
#include "spool_json.h"

#define LINE_MAX_BYTES 8192
#define TOKENS_MAX 4

/* A token for a message: escaped, at most ~80 bytes. */
static void show(char *out, size_t outlen, const char *s, size_t n)
{
    size_t elen;
    char *esc = spool_text_escape(s, n > 80 ? 80 : n, &elen);
    snprintf(out, outlen, "'%s%s'", esc ? esc : "?", n > 80 ? "..." : "");
    free(esc);
}

struct tok {
    char *s;     /* unescaped bytes, NUL-terminated (owned by the line buffer) */
    size_t n;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Splits line (n bytes, copied into buf, which has room for n + 1) into
 * tokens: blank-separated words or "quoted strings" with \\ \" \xNN; '#'
 * at the start of a token begins a comment. Unescaping shrinks in place.
 * Returns the number of tokens, or -1 with a reason in why. */
static int tokenize(const char *line, size_t n, char *buf, struct tok *t, char *why, size_t whylen)
{
    size_t i = 0, o = 0;
    int nt = 0;
    for (;;) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= n || line[i] == '#')
            return nt;
        if (nt == TOKENS_MAX)
            return spool_seterr(why, whylen, "too many fields (a rule is 'prefix PATH TARGET' "
                                "or 'exe PATTERN TARGET')");
        t[nt].s = buf + o;
        if (line[i] == '"') {
            for (i++;; i++) {
                if (i >= n)
                    return spool_seterr(why, whylen, "unterminated quoted string");
                if (line[i] == '"')
                    break;
                if (line[i] == '\\') {
                    if (i + 1 >= n)
                        return spool_seterr(why, whylen, "unterminated quoted string");
                    if (line[i + 1] == '\\' || line[i + 1] == '"') {
                        buf[o++] = line[++i];
                        continue;
                    }
                    if (line[i + 1] == 'x' && i + 3 < n && hexval(line[i + 2]) >= 0 &&
                        hexval(line[i + 3]) >= 0) {
                        int v = hexval(line[i + 2]) * 16 + hexval(line[i + 3]);
                        if (v == 0)
                            return spool_seterr(why, whylen, "\\x00 is not allowed");
                        buf[o++] = (char)v;
                        i += 3;
                        continue;
                    }
                    return spool_seterr(why, whylen, "bad escape in a quoted string "
                                        "(only \\\\, \\\" and \\xNN)");
                }
                buf[o++] = line[i];
            }
            i++;
            if (i < n && line[i] != ' ' && line[i] != '\t')
                return spool_seterr(why, whylen, "a quoted string must be followed by a blank");
        } else {
            while (i < n && line[i] != ' ' && line[i] != '\t') {
                if (line[i] == '"')
                    return spool_seterr(why, whylen, "a '\"' inside a word (quote the whole field)");
                buf[o++] = line[i++];
            }
        }
        t[nt].n = (size_t)(buf + o - t[nt].s);
        buf[o++] = '\0';
        nt++;
    }
}

/* A package or version: 1..SW_NAME_MAX bytes of valid UTF-8, no control
 * characters (checked by the caller for the whole line already) and no
 * blank. */
static int name_ok(const char *s, size_t n, const char *what, char *why, size_t whylen)
{
    if (n == 0)
        return spool_seterr(why, whylen, "empty %s", what);
    if (n > SW_NAME_MAX)
        return spool_seterr(why, whylen, "%s longer than %d bytes", what, SW_NAME_MAX);
    for (size_t i = 0; i < n;) {
        size_t k = spool_utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0)
            return spool_seterr(why, whylen, "%s is not valid UTF-8", what);
        if (s[i] == ' ' || s[i] == '\t')
            return spool_seterr(why, whylen, "%s holds a blank", what);
        i += k;
    }
    return 0;
}

/* TARGET = NAME[/VERSION]. */
static int target_ok(const struct tok *t, char *why, size_t whylen)
{
    size_t pkglen;
    const char *ver;
    sw_split(t->s, t->n, &pkglen, &ver, NULL);
    if (t->n && (t->s[t->n - 1] == '/' || t->s[0] == '/'))
        return spool_seterr(why, whylen, "target starts or ends with '/' (NAME or NAME/VERSION)");
    if (pkglen && t->s[pkglen - 1] == '/')
        return spool_seterr(why, whylen, "package name ends with '/'");
    if (name_ok(t->s, pkglen, "package name", why, whylen) < 0)
        return -1;
    if (ver && name_ok(ver, t->n - (size_t)(ver - t->s), "version", why, whylen) < 0)
        return -1;
    return 0;
}

/* PATH: absolute, canonical (no empty, '.' or '..' component), not "/";
 * a trailing '/' is dropped (t->n shrinks). */
static int prefix_ok(struct tok *t, char *why, size_t whylen)
{
    if (t->n == 0 || t->s[0] != '/')
        return spool_seterr(why, whylen, "the prefix must be an absolute path");
    while (t->n > 1 && t->s[t->n - 1] == '/')
        t->s[--t->n] = '\0';
    if (t->n == 1)
        return spool_seterr(why, whylen, "the prefix '/' would claim every path");
    if (t->n > SW_PATH_MAX)
        return spool_seterr(why, whylen, "the prefix is longer than %d bytes", SW_PATH_MAX);
    for (size_t i = 0; i < t->n;) {
        size_t j = i + 1, c;
        while (j < t->n && t->s[j] != '/')
            j++;
        c = j - i - 1; /* component between the '/' at i and j */
        if (c == 0 || (c == 1 && t->s[i + 1] == '.') ||
            (c == 2 && t->s[i + 1] == '.' && t->s[i + 2] == '.'))
            return spool_seterr(why, whylen, "the prefix must be canonical (no '//', '.' or "
                                "'..' component): paths are recorded resolved");
        i = j;
    }
    return 0;
}

/* PATTERN: a file name glob with * and ?; no '/', no '['. */
static int pattern_ok(const struct tok *t, char *why, size_t whylen)
{
    if (t->n == 0)
        return spool_seterr(why, whylen, "empty pattern");
    if (t->n > SW_NAME_MAX)
        return spool_seterr(why, whylen, "the pattern is longer than %d bytes", SW_NAME_MAX);
    if (memchr(t->s, '/', t->n))
        return spool_seterr(why, whylen, "the pattern matches the executable's file name: "
                            "it cannot hold '/' (use a prefix rule for directories)");
    if (memchr(t->s, '[', t->n))
        return spool_seterr(why, whylen, "'[' classes are not supported (only * and ?)");
    return 0;
}

/* One line: 0 (blank, comment or a rule appended), -1 with why. */
static int parse_line(struct sw_map *map, const char *line, size_t n, int lineno, char *buf,
                      char *why, size_t whylen)
{
    struct tok t[TOKENS_MAX];
    char shown[128];
    int nt, kind;
    if (n && line[n - 1] == '\r')
        n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return spool_seterr(why, whylen, "control character 0x%02x", c);
    }
    nt = tokenize(line, n, buf, t, why, whylen);
    if (nt <= 0)
        return nt;
    if (t[0].n == 6 && memcmp(t[0].s, "prefix", 6) == 0)
        kind = SW_PREFIX;
    else if (t[0].n == 3 && memcmp(t[0].s, "exe", 3) == 0)
        kind = SW_EXE;
    else {
        show(shown, sizeof shown, t[0].s, t[0].n);
        return spool_seterr(why, whylen, "unknown rule %s (expected 'prefix PATH TARGET' or "
                            "'exe PATTERN TARGET')", shown);
    }
    if (nt != 3)
        return spool_seterr(why, whylen, "'%s' takes 2 fields, %s and TARGET (NAME or "
                            "NAME/VERSION), got %d", t[0].s,
                            kind == SW_PREFIX ? "PATH" : "PATTERN", nt - 1);
    if ((kind == SW_PREFIX ? prefix_ok(&t[1], why, whylen) : pattern_ok(&t[1], why, whylen)) < 0 ||
        target_ok(&t[2], why, whylen) < 0)
        return -1;
    if (sw_map_add(map, kind, SW_RULE, t[1].s, t[1].n, t[2].s, t[2].n, lineno) < 0)
        return spool_seterr(why, whylen, "%s", errno == ERANGE ? "too many rules" : strerror(errno));
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    const struct sw_entry *x = *(const struct sw_entry *const *)a;
    const struct sw_entry *y = *(const struct sw_entry *const *)b;
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int c;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    if (x->keylen != y->keylen)
        return x->keylen < y->keylen ? -1 : 1;
    return x->line - y->line;
}

/* A prefix or pattern given twice in one file is a mistake (which line
 * would win?): the later line is reported. 0, or -1 with why and *lineno. */
static int find_duplicate(const struct sw_map *map, size_t from, int *lineno, char *why,
                          size_t whylen)
{
    size_t n = map->n - from;
    const struct sw_entry **ix;
    int rc = 0;
    if (n < 2)
        return 0;
    ix = malloc(n * sizeof *ix);
    if (!ix)
        return spool_seterr(why, whylen, "out of memory");
    for (size_t i = 0; i < n; i++)
        ix[i] = &map->e[from + i];
    qsort(ix, n, sizeof *ix, cmp_key);
    for (size_t i = 1; i < n; i++) {
        const struct sw_entry *a = ix[i - 1], *b = ix[i];
        if (a->kind == b->kind && a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0) {
            char shown[128];
            show(shown, sizeof shown, b->key, b->keylen);
            *lineno = b->line;
            rc = spool_seterr(why, whylen, "%s %s already given at line %d",
                              b->kind == SW_PREFIX ? "prefix" : "pattern", shown, a->line);
            break;
        }
    }
    free(ix);
    return rc;
}

int sw_rules_parse(const char *name, const char *buf, size_t len, struct sw_map *map,
                     char *err, size_t errlen)
{
    char why[512], *tmp = NULL;
    size_t keep = map->n, pos = 0;
    int lineno = 0, rc = -1;
    if (len > SW_FILE_MAX) {
        spool_seterr(err, errlen, "%s: larger than %u bytes", name, SW_FILE_MAX);
        return -1;
    }
    tmp = malloc(LINE_MAX_BYTES + 1);
    if (!tmp) {
        spool_seterr(err, errlen, "%s: out of memory", name);
        return -1;
    }
    while (pos < len) {
        const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n > LINE_MAX_BYTES) {
            spool_seterr(err, errlen, "%s:%d: line longer than %d bytes", name, lineno,
                         LINE_MAX_BYTES);
            goto out;
        }
        if (parse_line(map, line, n, lineno, tmp, why, sizeof why) < 0) {
            spool_seterr(err, errlen, "%s:%d: %s", name, lineno, why);
            goto out;
        }
        if (map->n - keep > SW_ENTRIES_MAX) {
            spool_seterr(err, errlen, "%s:%d: more than %d rules", name, lineno, SW_ENTRIES_MAX);
            goto out;
        }
    }
    if (find_duplicate(map, keep, &lineno, why, sizeof why) < 0) {
        spool_seterr(err, errlen, "%s:%d: %s", name, lineno, why);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        sw_map_truncate(map, keep);
    free(tmp);
    return rc;
}
