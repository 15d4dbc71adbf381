/* linkrec: the link record (docs/record-format.md, "Link records") the linker
 * wrapper writes into the user's spool after a successful link, so that a
 * watermark found in a run leads back to the build that made it. */
#ifndef TRACK_LINKREC_H
#define TRACK_LINKREC_H

#include <stddef.h>
#include <sys/time.h>

#include "spool_config.h"
#include "spool_note.h"

struct linkrec_object {
    const char *path;
    struct spool_note_ids ids;  /* "" when the file has none or is not ELF */
};

struct linkrec {
    const char *uuid;             /* the watermark put into the output */
    const char *output;           /* as given to the linker */
    const char *output_build_id;  /* "" if none */
    const char *linker;           /* the real linker that ran */
    char *const *argv;            /* the linker's argv (argv[0] = linker) */
    int argc;
    const struct linkrec_object *objects;
    size_t nobjects;
    struct timeval time;          /* when the link finished */
    /* The compiler driver that ran the link (ldcc.h): NULL name = unknown,
     * no "compiler" key; the other three "" when unknown. */
    const char *cc_name, *cc_path, *cc_version, *cc_wrapper;
};

/* Formats r as JSON within cfg->max_record_bytes (dropping trailing objects,
 * then trailing cmdline words, then cutting strings at 4096 bytes, with
 * "truncated": true, when it does not fit) and writes it into dirfd as
 * link.<syshost>.<date>.<user>.<uuid>.json with spool_write_atomic, mode 0600.
 * Returns 0, or -1 with errno and a one-line reason in err. */
int linkrec_write(const struct spool_config *cfg, int dirfd, const struct linkrec *r,
                  char *err, size_t errlen);

#endif
