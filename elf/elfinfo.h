/* elfinfo: what track-elf reports about one ELF file, read with libelf from
 * the program headers (PT_NOTE, PT_INTERP, PT_DYNAMIC), so that stripped files
 * (no section headers) are read like any other. Relocatable objects, which have
 * no program headers, are read from their SHT_NOTE sections instead.
 *
 * Every offset and size taken from the file is checked against the file
 * before use: a note, string or dynamic entry that points outside the file
 * (or outside its segment) makes the whole file "corrupt", with a one-line
 * reason. Nothing is ever read out of bounds: elfinfo_mem is the libFuzzer
 * entry point (tests/elf/fuzz_elfinfo.c). */
#ifndef TRACK_ELFINFO_H
#define TRACK_ELFINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spool_note.h"

struct elfinfo_str { char *s; size_t len; }; /* bytes from the file, NUL-terminated */

struct elfinfo {
    int elfclass;                 /* 32 or 64 */
    int big_endian;               /* 1 = ELFDATA2MSB */
    unsigned machine;             /* e_machine */
    unsigned e_type;              /* ET_REL, ET_EXEC, ET_DYN, ET_CORE */
    const char *kind;             /* "relocatable", "executable", "pie-executable",
                                   * "static-pie-executable", "shared-library", "core",
                                   * "other" (a constant; not freed) */
    int is_static;                /* 1 = linked without a dynamic loader (static or
                                   * static-pie executable); 0 otherwise (also for .o) */
    int has_phdrs;                /* the file has program headers */
    struct spool_note_ids ids;    /* build-id and watermark signature, "" if none */
    int has_interp;
    struct elfinfo_str interp;    /* PT_INTERP */
    struct elfinfo_str *needed;   /* DT_NEEDED in file order */
    size_t nneeded;
    int has_runpath, has_rpath;
    struct elfinfo_str runpath, rpath;
    char *soname;                 /* DT_SONAME or NULL */
};

/* Reads the ELF file at path (must be a regular file; opened with
 * O_NOCTTY|O_NONBLOCK|O_CLOEXEC, read with pread through libelf, never mapped,
 * so a file truncated while we read cannot fault us). Returns 0 and fills info
 * (release with elfinfo_free), or -1 with one line in err that does not
 * include the path (callers prefix it): "not an ELF file", "truncated: ...",
 * "corrupt: ...", or the system error. On failure info needs no free. */
int elfinfo_file(const char *path, struct elfinfo *info, char *err, size_t errlen);

/* The same for an image in memory (len bytes, not modified, not kept). */
int elfinfo_mem(const void *buf, size_t len, struct elfinfo *info, char *err, size_t errlen);

/* Reads only the build-id and signature of path; for the linker wrapper, which
 * looks at every input file. Returns 0 and fills ids (possibly empty), or -1
 * (not ELF, unreadable, corrupt) with ids left empty. */
int elfinfo_ids(const char *path, struct spool_note_ids *ids);

/* Reads just the ELF header of path (no libelf): class (32/64), e_machine
 * and e_type, in the file's byte order. Returns 0, or -1 if path is not a
 * readable regular ELF file. For the linker wrapper's target check. */
int elfinfo_ehdr(const char *path, int *elfclass, unsigned *machine, unsigned *e_type);

/* Frees what elfinfo_file/elfinfo_mem allocated; info is zeroed. */
void elfinfo_free(struct elfinfo *info);

/* A short name for e_machine ("x86-64", "AArch64", ...) or "machine N" written
 * into buf. Returns a constant or buf. */
const char *elfinfo_machine_name(unsigned machine, char *buf, size_t len);

#endif
