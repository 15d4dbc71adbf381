/* lt_exe: the path of the running program, as /proc/self/exe names it.
 *
 * The first readlink of /proc/self/exe in a process costs 35-45 us (the
 * kernel builds the process's /proc entries on first use; docs/
 * performance.md, issue 14 round 9), a sixth of libtrack's cost in a short
 * process. The kernel also hands the program the file name it executed
 * (AT_EXECFN). Resolved as the kernel walks a path (symbolic links, ".",
 * ".."), it names the same file, unless the program was started through
 * an interpreter (a "#!" script, binfmt_misc, the dynamic loader run as a
 * command) or the path changed since the exec. Both are ruled out by
 * holding the file found against the running program: it must hold the
 * same program headers as the ones mapped at AT_PHDR, and the dynamic
 * loader must have been started by the kernel (AT_BASE set). The name is
 * walked and the file opened only when it is a regular file on a file
 * system with a device (lt_exe_local_file): on network and cluster file
 * systems an open costs a round trip to a server.
 * Anything else, and any failure on the way, falls back to /proc/self/exe.
 *
 * Not async-signal-safe concerns: called once, from the constructor. */
#ifndef TRACK_LT_EXE_H
#define TRACK_LT_EXE_H

#include <stddef.h>
#include <sys/types.h>

/* Bytes of scratch lt_exe_path needs at least; a path to walk or a link
 * target longer than half the scratch takes the /proc path. */
#define LT_EXE_SCRATCH_MIN 256

/* Writes the running program's path, NUL-terminated, into out (cap bytes).
 * scratch (slen bytes, the caller's; garbage afterwards) holds the path
 * still to walk, link targets and the file's headers: its first bytes are
 * written, up to slen. Returns the path's length, or -1 with errno set
 * when neither AT_EXECFN nor /proc/self/exe gives it (out then holds ""). */
ssize_t lt_exe_path(char *out, size_t cap, char *scratch, size_t slen);

/* The steps, for the unit tests.
 *
 * lt_exe_resolve: path (absolute, or relative to the working directory)
 * with every symbolic link followed and ".", ".." and empty components
 * removed, as the kernel resolves it, into out (cap bytes). Returns the
 * length, or -1 with errno set: a component that cannot be read (ENOENT,
 * EACCES, ENOTDIR, ...), more than 40 links (ELOOP), or a path or link that
 * does not fit (ENAMETOOLONG). The last component is followed too.
 *
 * lt_exe_local_file: 1 if path (links followed) is a regular file on a file
 * system with a device of its own (major number not 0; NFS, Lustre, GPFS,
 * tmpfs, overlay, FUSE and btrfs have 0), from the attributes the client
 * holds (statx, AT_STATX_DONT_SYNC: no round trip to a server); 0 if not
 * or when it cannot tell. errno is kept. */
ssize_t lt_exe_resolve(const char *path, char *out, size_t cap, char *scratch, size_t slen);
int lt_exe_local_file(const char *path);

/* 1 if the file at path (no symbolic link as its last component) is an
 * ELF file whose program headers are byte for byte the count phnum of
 * entsize bytes at phdr; 0 if not (another file, a script, too many headers
 * for scratch); -1 with errno set if it cannot be opened or read. */
int lt_exe_same_image(const char *path, const void *phdr, size_t phnum, size_t entsize,
                      char *scratch, size_t slen);

#endif
