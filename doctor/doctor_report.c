/* Gathering and printing track-doctor's findings (doctor_report.h). */
#include "doctor_report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "spool_json.h"

void doc_report_init(struct doc_report *r)
{
    memset(r, 0, sizeof *r);
}

void doc_report_free(struct doc_report *r)
{
    size_t i, j;
    for (i = 0; i < r->nsettings; i++) {
        free(r->settings[i].key);
        free(r->settings[i].value);
    }
    free(r->settings);
    for (i = 0; i < r->nsections; i++) {
        for (j = 0; j < r->sections[i].nlines; j++)
            free(r->sections[i].lines[j].text);
        free(r->sections[i].lines);
        free(r->sections[i].name);
        free(r->sections[i].skipped);
    }
    free(r->sections);
    free(r->config_path);
    memset(r, 0, sizeof *r);
}

/* Grows *arr (of *n items of size sz) by one zeroed item; NULL on failure. */
static void *grow(void *arr_p, size_t *n, size_t sz)
{
    void **arr = arr_p;
    char *p = realloc(*arr, (*n + 1) * sz);
    if (!p)
        return NULL;
    *arr = p;
    memset(p + *n * sz, 0, sz);
    return p + (*n)++ * sz;
}

void doc_setting(struct doc_report *r, const char *key, const char *value, int line)
{
    struct doc_setting *s = grow(&r->settings, &r->nsettings, sizeof *s);
    if (!s) {
        r->oom = 1;
        return;
    }
    s->key = strdup(key);
    s->value = strdup(value);
    s->line = line;
    if (!s->key || !s->value)
        r->oom = 1;
}

void doc_section(struct doc_report *r, const char *name)
{
    struct doc_section *s = grow(&r->sections, &r->nsections, sizeof *s);
    if (!s || !(s->name = strdup(name))) {
        r->oom = 1;
        if (s)
            r->nsections--;
    }
}

__attribute__((format(printf, 1, 0))) static char *vfmt(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        return NULL;
    for (char *p = s; *p; p++)   /* one line per item, whatever a value holds */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return s;
}

__attribute__((format(printf, 3, 0))) static void add_line(struct doc_report *r, int problem,
                                                           const char *fmt, va_list ap)
{
    struct doc_section *sec;
    struct doc_line *l;
    char *text = vfmt(fmt, ap);

    if (!text || !r->nsections) {
        r->oom = r->oom || !text;
        free(text);
        return;
    }
    sec = &r->sections[r->nsections - 1];
    if (problem) {
        r->nproblems++;
        fprintf(stderr, "track-doctor: %s: %s\n", sec->name, text);
    }
    l = grow(&sec->lines, &sec->nlines, sizeof *l);
    if (!l) {
        r->oom = 1;
        free(text);
        return;
    }
    l->problem = problem;
    l->text = text;
}

void doc_fact(struct doc_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(r, 0, fmt, ap);
    va_end(ap);
}

void doc_problem(struct doc_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(r, 1, fmt, ap);
    va_end(ap);
}

void doc_skip(struct doc_report *r, const char *fmt, ...)
{
    va_list ap;
    if (!r->nsections)
        return;
    va_start(ap, fmt);
    free(r->sections[r->nsections - 1].skipped);
    r->sections[r->nsections - 1].skipped = vfmt(fmt, ap);
    va_end(ap);
}

static void print_text(const struct doc_report *r, FILE *f)
{
    size_t i, j, w = 0;

    fprintf(f, "config: %s\n", r->config_path && r->config_path[0] ? r->config_path
                                                                   : "(no file: defaults)");
    for (i = 0; i < r->nsettings; i++)
        if (strlen(r->settings[i].key) > w)
            w = strlen(r->settings[i].key);
    for (i = 0; i < r->nsettings; i++) {
        const struct doc_setting *s = &r->settings[i];
        if (s->line)
            fprintf(f, "  %-*s = %-30s  (line %d)\n", (int)w, s->key, s->value, s->line);
        else
            fprintf(f, "  %-*s = %-30s  (default)\n", (int)w, s->key, s->value);
    }
    for (i = 0; i < r->nsections; i++) {
        const struct doc_section *s = &r->sections[i];
        size_t bad = 0;
        for (j = 0; j < s->nlines; j++)
            bad += (size_t)s->lines[j].problem;
        if (s->skipped)
            fprintf(f, "%s: skipped: %s\n", s->name, s->skipped);
        else
            fprintf(f, "%s: %s\n", s->name, bad ? "PROBLEM" : "ok");
        for (j = 0; j < s->nlines; j++)
            fprintf(f, "  %s%s\n", s->lines[j].problem ? "problem: " : "", s->lines[j].text);
    }
    if (r->oom)
        fprintf(f, "out of memory: this report is incomplete\n");
    if (r->nproblems)
        fprintf(f, "%zu problem%s\n", r->nproblems, r->nproblems == 1 ? "" : "s");
    else
        fprintf(f, "all checks passed\n");
}

static size_t json_size(const struct doc_report *r)
{
    size_t n = 4096, i, j;
    /* Six bytes per input byte covers \u00XX escapes of every byte. */
    n += 6 * (r->config_path ? strlen(r->config_path) : 0);
    for (i = 0; i < r->nsettings; i++)
        n += 64 + 6 * (strlen(r->settings[i].key) + strlen(r->settings[i].value));
    for (i = 0; i < r->nsections; i++) {
        n += 64 + 6 * (strlen(r->sections[i].name) +
                       (r->sections[i].skipped ? strlen(r->sections[i].skipped) : 0));
        for (j = 0; j < r->sections[i].nlines; j++)
            n += 2 * (16 + 6 * strlen(r->sections[i].lines[j].text));
    }
    return n;
}

static int print_json(const struct doc_report *r, FILE *f)
{
    size_t cap = json_size(r), i, j;
    char *buf = malloc(cap);
    struct spool_json js;
    int rc = -1;

    if (!buf)
        return -1;
    spool_json_init(&js, buf, cap);
    spool_json_obj_open(&js);
    spool_json_key(&js, "ok");
    spool_json_bool(&js, r->nproblems == 0 && !r->oom);
    spool_json_kint(&js, "problems", (int64_t)r->nproblems);
    spool_json_key(&js, "config");
    spool_json_obj_open(&js);
    spool_json_kstr(&js, "path", r->config_path ? r->config_path : "");
    spool_json_key(&js, "loaded");
    spool_json_bool(&js, r->config_loaded);
    spool_json_key(&js, "settings");
    spool_json_arr_open(&js);
    for (i = 0; i < r->nsettings; i++) {
        spool_json_obj_open(&js);
        spool_json_kstr(&js, "key", r->settings[i].key);
        spool_json_kstr(&js, "value", r->settings[i].value);
        spool_json_kstr(&js, "source", r->settings[i].line ? "file" : "default");
        if (r->settings[i].line)
            spool_json_kint(&js, "line", r->settings[i].line);
        spool_json_obj_close(&js);
    }
    spool_json_arr_close(&js);
    spool_json_obj_close(&js);
    spool_json_key(&js, "checks");
    spool_json_arr_open(&js);
    for (i = 0; i < r->nsections; i++) {
        const struct doc_section *s = &r->sections[i];
        size_t bad = 0;
        for (j = 0; j < s->nlines; j++)
            bad += (size_t)s->lines[j].problem;
        spool_json_obj_open(&js);
        spool_json_kstr(&js, "name", s->name);
        spool_json_kstr(&js, "status", s->skipped ? "skipped" : bad ? "problem" : "ok");
        if (s->skipped)
            spool_json_kstr(&js, "skipped", s->skipped);
        spool_json_key(&js, "facts");
        spool_json_arr_open(&js);
        for (j = 0; j < s->nlines; j++)
            if (!s->lines[j].problem)
                spool_json_str(&js, s->lines[j].text);
        spool_json_arr_close(&js);
        spool_json_key(&js, "problems");
        spool_json_arr_open(&js);
        for (j = 0; j < s->nlines; j++)
            if (s->lines[j].problem)
                spool_json_str(&js, s->lines[j].text);
        spool_json_arr_close(&js);
        spool_json_obj_close(&js);
    }
    spool_json_arr_close(&js);
    spool_json_obj_close(&js);
    if (!js.overflow) {
        fprintf(f, "%.*s\n", (int)js.len, js.buf);
        rc = 0;
    }
    free(buf);
    return rc;
}

int doc_report_print(const struct doc_report *r, FILE *f, int json)
{
    if (json)
        return print_json(r, f);
    print_text(r, f);
    return 0;
}
