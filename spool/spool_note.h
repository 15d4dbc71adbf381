/* spool_note: ELF note walking, shared by libtrack (notes in memory, from
 * PT_NOTE segments) and track-elf (notes read through libelf).
 *
 * Identifiers it extracts:
 *  - GNU build-id: owner "GNU", type NT_GNU_BUILD_ID (3), as lowercase hex.
 *  - track watermark: owner "track", type SPOOL_NT_TRACK_SIGNATURE (1),
 *    desc = the 16 bytes of a UUID, printed canonical. Written by track-stamp
 *    in an allocatable section ".note.track.signature" (SHF_ALLOC, so the
 *    linker puts it into a PT_NOTE segment that is mapped at run time). */
#ifndef TRACK_SPOOL_NOTE_H
#define TRACK_SPOOL_NOTE_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_NT_TRACK_SIGNATURE 1
#define SPOOL_NOTE_OWNER_TRACK "track"
#define SPOOL_BUILD_ID_MAX 64   /* bytes; longer build-ids are ignored */

/* Called for each note; name is namesz bytes as stored (normally
 * NUL-terminated, not guaranteed). Return non-zero to stop the walk. */
typedef int (*spool_note_cb)(void *arg, uint32_t type, const char *name, uint32_t namesz,
                             const unsigned char *desc, uint32_t descsz);

/* Walks the notes in [buf, buf + len). align is the segment's or section's
 * alignment: 8 means name and desc are padded to 8 bytes, anything else to 4.
 * Never reads outside the range. Returns 0 after the last note, the callback's
 * value if it stopped the walk, -1 if a header or size overruns the range
 * (the notes before it were still reported). No allocation; signal-safe. */
int spool_note_walk(const void *buf, size_t len, size_t align, spool_note_cb cb, void *arg);

struct spool_note_ids {
    char build_id[2 * SPOOL_BUILD_ID_MAX + 1]; /* "" if none */
    char signature[37];                        /* "" if none */
};

/* Walks one note area and fills whichever ids it finds and ids lacks yet
 * (call it for every PT_NOTE of an object with the same ids; zero ids
 * first). Returns what spool_note_walk returns. */
int spool_note_ids(const void *buf, size_t len, size_t align, struct spool_note_ids *ids);

#endif
