/* rec_parse: reading and validating records (tools only; libtrack writes
 * records and never parses one). Built on yajl's event parser (a yajl_val
 * tree in one arena per record).
 *
 * The format is docs/record-format.md. Validation is strict: schema 1, every
 * required key present with its type, strings within size limits, uuids
 * canonical, times and ids in range. Unknown keys are ignored (forward
 * compatibility). Strings come back as raw bytes: the \udcXX escapes of
 * bytes that were not UTF-8 are undone, so a path is the path the process saw.
 *
 * Memory: every pointer in a struct rec points into storage owned by the
 * struct (two blocks: strings, arrays); rec_free releases it. A struct rec
 * is reusable after rec_free. */
#ifndef TRACK_REC_PARSE_H
#define TRACK_REC_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "spool_name.h"

struct rec_str { const char *s; size_t len; };   /* bytes, NUL-terminated too */

/* The value of a field a record does not have: "" of length 0. Assigned as
 * a whole, so that pointer and length can never disagree. */
extern const struct rec_str rec_str_none;

/* Three string references, no inline arrays: a record holds ~40 of these,
 * and a batch holds thousands of records. */
struct rec_object {
    struct rec_str path;
    struct rec_str build_id;    /* lowercase hex (at most 128 digits) or "" */
    struct rec_str signature;   /* canonical uuid or "" */
};

struct rec_env { struct rec_str name, value; };

struct rec_job {
    int present;                         /* a "job" object was there */
    struct rec_str scheduler, id, step, array_id, array_task, partition, account;
    int64_t num_nodes, num_tasks, cpus_per_task, rank; /* -1 = absent */
    int64_t alloc_cpus;                  /* the job's allocated CPUs; -1 = absent */
};

/* The MPI world of a run (docs/record-format.md "mpi"). */
struct rec_mpi {
    int present;                         /* an "mpi" object was there */
    struct rec_str launcher;             /* 1..16 bytes of [a-z0-9_] */
    int64_t rank;                        /* >= 0 */
    int64_t size;                        /* > rank; -1 = absent (unknown) */
};

struct rec_tally;

/* One distribution of a package record (docs/python.md). */
struct rec_pkg {
    struct rec_str name;                 /* 1..128 bytes of text */
    struct rec_str version;              /* 0..64 bytes of text */
    struct rec_str source;               /* system, user, venv, conda or path */
    struct rec_str *modules; size_t nmodules; /* top-level import names, text */
};

struct rec {
    int schema;
    enum spool_kind kind;                /* START, END, LINK or PKG */
    char run_uuid[37];                   /* run and package records; for links the link uuid */
    char parent_uuid[37];                /* "" if absent */
    struct rec_str syshost, host, user, cwd;
    int64_t uid, gid, pid, ppid;         /* pid/ppid -1 when absent (links) */
    int64_t start_us;                    /* start_time (links: time) in microseconds */
    struct rec_object exe;
    struct rec_str *cmdline; size_t ncmdline;
    struct rec_str *modules; size_t nmodules;
    struct rec_env *env; size_t nenv;
    struct rec_object *objects; size_t nobjects;
    struct rec_job job;
    struct rec_mpi mpi;
    int truncated;
    /* end records */
    int64_t end_us, run_time_us;
    int has_exit_status; int64_t exit_status;
    int has_signal; int64_t signal;
    int64_t utime_us, stime_us, maxrss_kb; /* -1 when absent */
    /* link records */
    struct rec_str link_output, linker;
    struct rec_str output_build_id;      /* lowercase hex or "" */
    /* the link's "compiler" object (docs/record-format.md); all "" when
     * absent; name is never "" when present */
    struct rec_str cc_name, cc_path, cc_version, cc_wrapper;
    /* package records (kind PKG): run_uuid, identity, pid, job and
     * start_us ("time", when it was written) as above; the interpreter and
     * the distributions. All "" and 0 for the other kinds. */
    struct rec_str py_version, py_impl, py_exe, py_prefix, py_env;
    struct rec_pkg *pkgs; size_t npkgs;
    void *mem_;                          /* private: owned storage */
    /* kind SPOOL_KIND_TALLY only: the tally record (rec_tally.h), set by
     * its reader, freed by rec_free; nothing else above is set then */
    struct rec_tally *tally;
};

/* Parses and validates one record of len bytes (need not be NUL-terminated).
 * Returns 0 and fills r, or -1 with a one-line reason in err (the key at
 * fault and what is wrong with it); r needs no rec_free after a failure. */
int rec_parse(const char *buf, size_t len, struct rec *r, char *err, size_t errlen);

/* Checks that a parsed record agrees with the name of its file: kind, uuid,
 * and syshost and user through spool_name_component. The date in the name is
 * the writer's local time, whose zone the reader need not share: it must lie
 * within 26 hours of start_time. 0 or -1 with reason. */
int rec_check_name(const struct rec *r, const struct spool_name *n, char *err, size_t errlen);

void rec_free(struct rec *r);

/* For many records in one thread: the parse tree is built in the parser's
 * scratch memory, which the next record reuses (it stays in the cache; a
 * tree per record was several times the record's size in fresh memory). A parsed
 * struct rec owns all it points to and does not depend on the parser: it
 * may outlive it and be freed (rec_free) in another thread. A parser is
 * used by one thread at a time; REC_PARSER_INIT (or all zero) is a fresh
 * one; rec_parser_free releases its memory (it is reusable afterwards). */
struct rec_parser {
    void *blk_, **stk_;          /* private */
    size_t first_, stk_cap_;
    void *memo_;
    size_t memo_hits;            /* records whose "objects" came from the memo (read-only) */
};
#define REC_PARSER_INIT { 0, 0, 0, 0, 0, 0 }

/* rec_parse with p's scratch memory; same results and contract. The parser
 * also keeps a memo of the "objects" arrays it has validated (at most 16 MB,
 * spool/rec_objmemo.h): a record whose array is byte for byte one of them
 * takes its objects from there instead of lexing and checking the array
 * again. The result is the same either way; only the time differs. */
int rec_parse_with(struct rec_parser *p, const char *buf, size_t len, struct rec *r, char *err,
                   size_t errlen);
void rec_parser_free(struct rec_parser *p);

#endif
