/* ldcc: which compiler driver invoked this link (gcc, g++, gfortran, clang,
 * icx, ifx, ...), the MPI or other wrapper around it (mpicc, mpif90, nvcc),
 * and the driver's version, for the link record (docs/watermarks.md,
 * "Compiler"). Found from the process chain above the linker wrapper
 * (/proc/<pid>/exe and cmdline; collect2 and lto-wrapper are skipped), else
 * from gcc's COLLECT_GCC in the environment. Never fails the link: what
 * cannot be read is left empty. */
#ifndef TRACK_LDCC_H
#define TRACK_LDCC_H

#include <limits.h>
#include <stddef.h>

#define LDCC_NAME_MAX 64
/* How long the wrapper lets `DRIVER -dumpversion` run (a cold clang on a
 * loaded node takes over a second). */
#define LDCC_VERSION_TIMEOUT_MS 3000

struct ldcc {
    char name[LDCC_NAME_MAX];    /* canonical driver name ("gfortran"); "" = none found */
    char path[PATH_MAX];         /* the driver's executable (/proc/<pid>/exe), or COLLECT_GCC */
    char version[LDCC_NAME_MAX]; /* "12.2.0"; "" = unknown */
    char wrapper[LDCC_NAME_MAX]; /* "mpif90" as invoked; "" = none */
    const char *found;           /* "proc" | "env" | NULL */
};

/* Classifies a program name (a basename: "x86_64-linux-gnu-gfortran-12",
 * "clang++", "mpif90.openmpi"). Returns the canonical driver name ("gfortran")
 * or NULL when it is not a driver; ldcc_wrapper_name likewise for wrappers
 * ("mpif90"). A target-triplet prefix ("...-") and a version suffix ("-12",
 * ".openmpi" for wrappers) are allowed around the known names. */
const char *ldcc_driver_name(const char *base);
const char *ldcc_wrapper_name(const char *base);

/* Fills cc from the ancestors of this process (at most 12 levels), else
 * from the environment. Returns 0 when a driver was found, -1 when not (cc
 * zeroed). Reads /proc only; never runs anything. */
int ldcc_detect(struct ldcc *cc);

/* Sets cc->version from "<cc->path> -dumpfullversion -dumpversion" (gcc
 * prints its full version, clang and the clang-based compilers their
 * version; one line of [0-9A-Za-z.+-]), run with stdin and stderr on
 * /dev/null, TRACK_DISABLE=1 (libtrack records nothing of it) and a
 * deadline of timeout_ms, after which it is killed. Returns 0, or -1 with
 * cc->version "" (no path, spawn failed, timeout, no plausible output). */
int ldcc_version(struct ldcc *cc, int timeout_ms);

#endif
