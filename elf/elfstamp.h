/* elfstamp: makes the watermark object, a relocatable object holding one
 * allocatable note (section ".note.track.signature", type SHT_NOTE, flags "a",
 * owner "track", type 1, desc = the 16 bytes of a UUID). The object is made by
 * the target's own assembler from a few lines of assembly fed on its standard
 * input: no prebuilt bytes, no temporary source file. */
#ifndef TRACK_ELFSTAMP_H
#define TRACK_ELFSTAMP_H

#include <stddef.h>

/* The assembler to run: $TRACK_AS if set and non-empty, else the build-time
 * default (TRACK_DEFAULT_AS, found by CMake). Returns a pointer into the
 * environment or a constant; not freed. */
const char *elfstamp_assembler(void);

/* Assembles the watermark for uuid (canonical text form) into out_path with
 * the assembler `as_cmd` (a path, or a name looked up in PATH), passing
 * as_flag (e.g. "--32") when non-NULL. The assembler's stdout and stderr go
 * to /dev/null when quiet, else they are inherited. Then reads the object
 * back and checks that it holds exactly that signature; *elfclass (32/64) and
 * *machine (e_machine) receive what the assembler produced (either may be
 * NULL). Returns 0, or -1 with a one-line reason in err (the assembler's exit
 * status, or what is wrong with its output); on failure out_path is removed if
 * the assembler left one. */
int elfstamp_make(const char *as_cmd, const char *as_flag, const char *out_path,
                  const char *uuid, int quiet, int *elfclass, unsigned *machine,
                  char *err, size_t errlen);

#endif
