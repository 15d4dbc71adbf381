/* ELF note walking with every size checked against the area: the same code
 * reads notes of mapped objects in libtrack and notes of untrusted files in
 * track-elf. */
#include "spool_note.h"

#include <string.h>

#include "spool_uuid.h"

#define NT_GNU_BUILD_ID_ 3

static size_t pad(size_t v, size_t align)
{
    return (v + align - 1) & ~(align - 1);
}

int spool_note_walk(const void *buf, size_t len, size_t align, spool_note_cb cb, void *arg)
{
    const unsigned char *p = buf;
    size_t off = 0;

    align = align == 8 ? 8 : 4;
    while (off < len) {
        uint32_t namesz, descsz, type;
        size_t name_off, desc_off, next;
        int rc;

        if (len - off < 12)
            return -1;
        memcpy(&namesz, p + off, 4);
        memcpy(&descsz, p + off + 4, 4);
        memcpy(&type, p + off + 8, 4);
        name_off = off + 12;
        /* Sizes are 32-bit, so these sums cannot overflow a 64-bit size_t;
         * each is still compared with len before use. Offsets are aligned
         * relative to the note's start, as binutils does: for 8-aligned
         * notes the descriptor starts at align8(12 + namesz), not at
         * 12 + align8(namesz). */
        if (namesz > len - name_off)
            return -1;
        desc_off = off + pad(12 + (size_t)namesz, align);
        if (desc_off > len || descsz > len - desc_off)
            return -1;
        next = off + pad(desc_off - off + descsz, align);
        rc = cb(arg, type, (const char *)p + name_off, namesz, p + desc_off, descsz);
        if (rc)
            return rc;
        if (next <= off)
            return -1;
        off = next;
        /* The last note's padding may be missing from the area's size. */
        if (off > len)
            break;
    }
    return 0;
}

static int name_is(const char *name, uint32_t namesz, const char *want)
{
    size_t n = strlen(want);
    /* namesz counts the terminating NUL; tolerate writers that omit it. */
    if (namesz == n + 1)
        return memcmp(name, want, n) == 0 && name[n] == '\0';
    if (namesz == n)
        return memcmp(name, want, n) == 0;
    return 0;
}

static int ids_cb(void *arg, uint32_t type, const char *name, uint32_t namesz,
                  const unsigned char *desc, uint32_t descsz)
{
    static const char hexdigits[] = "0123456789abcdef";
    struct spool_note_ids *ids = arg;
    uint32_t i;

    if (type == NT_GNU_BUILD_ID_ && !ids->build_id[0] && name_is(name, namesz, "GNU") &&
        descsz > 0 && descsz <= SPOOL_BUILD_ID_MAX) {
        for (i = 0; i < descsz; i++) {
            ids->build_id[2 * i] = hexdigits[desc[i] >> 4];
            ids->build_id[2 * i + 1] = hexdigits[desc[i] & 15];
        }
        ids->build_id[2 * descsz] = '\0';
    } else if (type == SPOOL_NT_TRACK_SIGNATURE && !ids->signature[0] &&
               name_is(name, namesz, SPOOL_NOTE_OWNER_TRACK) && descsz == 16) {
        spool_uuid_format(desc, ids->signature);
    }
    return 0;
}

int spool_note_ids(const void *buf, size_t len, size_t align, struct spool_note_ids *ids)
{
    return spool_note_walk(buf, len, align, ids_cb, ids);
}
