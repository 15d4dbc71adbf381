/* lt_objects: the loaded shared objects, from dl_iterate_phdr, with their
 * GNU build-id and track signature read from PT_NOTE segments in memory (no
 * file I/O, no realpath, no allocation). Not for the signal handler:
 * dl_iterate_phdr takes the loader's lock. */
#ifndef TRACK_LT_OBJECTS_H
#define TRACK_LT_OBJECTS_H

#include <stddef.h>

#include "spool_json.h"
#include "spool_note.h"

/* Fills ids (zeroed first) from the main program's notes (the first object
 * the loader reports). Returns 0, -1 if the loader reported nothing. */
int lt_obj_exe_ids(struct spool_note_ids *ids);

/* Writes the member "objects":[...] (with its separator): every object
 * except the main program (which is "exe"), the vDSO and libtrack itself, in
 * the loader's order. full is the buffer's real capacity; tail bytes are
 * kept free after the array, and LT_RESERVE_STRUCT more while elements are
 * written (lt_json_budget). The first element that does not fit and all
 * after it are dropped and *truncated is set. Paths are cut at max_str bytes
 * (also setting *truncated). With none set (a higher-priority array was
 * already cut) the array is written empty and *truncated set. Leaves j->cap
 * at full - tail. */
void lt_obj_json(struct spool_json *j, size_t full, size_t tail, size_t max_str, int none,
                 int *truncated);

/* The loader's count of objects loaded plus unloaded so far (dl_phdr_info
 * dlpi_adds + dlpi_subs): it changes with every dlopen or dlclose that maps
 * or unmaps an object. 0 if the loader does not report it. */
unsigned long long lt_obj_generation(void);

#endif
