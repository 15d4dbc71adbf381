/* ldargs: what the linker wrapper needs to know about a GNU ld command line
 * (bfd, gold and lld share the syntax): the output, the input files, and
 * whether this is a link the watermark belongs in. The command line itself is
 * never changed; this is analysis only. */
#ifndef TRACK_LDARGS_H
#define TRACK_LDARGS_H

#include <stddef.h>

struct ldargs {
    const char *output;       /* -o value, "a.out" if none (points into argv or a constant) */
    int relocatable;          /* -r, -i, -Ur, --relocatable: partial link, not stamped */
    int info_only;            /* --version, -v, -V, --help, ...: no link happens */
    int custom_layout;        /* -T/--script, --oformat, -Ttext...: the user controls the
                                 layout, an extra section could upset it: not stamped */
    int nostamp;              /* set when a response file could not be read */
    char **inputs;            /* input files in command-line order (-l resolved through
                                 -L when a match exists, else "-lNAME"); owned */
    size_t ninputs;
    char **expanded_;         /* private: strings read from @response files */
    size_t nexpanded_;
};

/* Analyses argv[1..argc-1]. @FILE response files are read (one level, at most
 * 1 MiB each, GNU quoting rules) for the analysis only. Returns 0, or -1 with
 * errno ENOMEM (a is then empty). Release with ldargs_free. */
int ldargs_parse(int argc, char *const *argv, struct ldargs *a);

/* 1 if a watermark should be added to this link: a real link (not -r, not an
 * informational call, no custom layout) with at least one input. */
int ldargs_should_stamp(const struct ldargs *a);

void ldargs_free(struct ldargs *a);

#endif
