/* doctor_report: what track-doctor found, gathered while the checks run and
 * printed at the end as text or JSON. A check opens a section, adds detail
 * lines (facts an administrator wants to see) and problem lines (one line
 * each, also printed on stderr). Exit status: problems or not. */
#ifndef TRACK_DOCTOR_REPORT_H
#define TRACK_DOCTOR_REPORT_H

#include <stdio.h>

struct doc_setting {
    char *key, *value;
    int line;            /* line of the file that set it; 0 = default */
};

struct doc_line {
    int problem;         /* 1 = a problem, 0 = a fact */
    char *text;
};

struct doc_section {
    char *name;          /* config, spool, libtrack, archive, database, slurm */
    char *skipped;       /* reason the check did not run, or NULL */
    struct doc_line *lines;
    size_t nlines;
};

struct doc_report {
    char *config_path;   /* the file read, "" when none */
    int config_loaded;   /* 1 = the file was read and parsed without error */
    struct doc_setting *settings;
    size_t nsettings;
    struct doc_section *sections;
    size_t nsections;
    size_t nproblems;
    int oom;             /* an allocation failed: output may be incomplete */
};

/* All functions copy their strings; the report owns everything and
 * doc_report_free releases it. On allocation failure they set r->oom and
 * drop the item (doc_report_print then says so and the exit is non-zero). */
void doc_report_init(struct doc_report *r);
void doc_report_free(struct doc_report *r);
void doc_setting(struct doc_report *r, const char *key, const char *value, int line);
/* Starts a section; later doc_fact/doc_problem calls go into it. */
void doc_section(struct doc_report *r, const char *name);
void doc_skip(struct doc_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_fact(struct doc_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A problem: counted, and printed at once on stderr as
 * "track-doctor: <section>: <text>". */
void doc_problem(struct doc_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes the report to f as text or as one JSON object. Returns 0, or -1 when
 * the JSON did not fit in memory (nothing written). */
int doc_report_print(const struct doc_report *r, FILE *f, int json);

#endif
