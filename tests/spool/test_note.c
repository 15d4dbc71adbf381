/* ELF note walking: hand-built note areas with known contents (odd sizes
 * that need padding, 4- and 8-byte alignment, overruns), and this very
 * process's own notes in memory (linked with a known build-id). */
#include <link.h>
#include <stdint.h>
#include <string.h>

#include "spool_note.h"
#include "tcheck.h"

struct area { unsigned char b[512]; size_t len; size_t align; };

static void add_note(struct area *a, uint32_t type, const char *name, uint32_t namesz,
                     const void *desc, uint32_t descsz)
{
    size_t start = a->len, al = a->align;
    uint32_t hdr[3] = { namesz, descsz, type };
    memcpy(a->b + a->len, hdr, 12);
    memcpy(a->b + a->len + 12, name, namesz);
    a->len = start + ((12 + namesz + al - 1) & ~(al - 1));
    memcpy(a->b + a->len, desc, descsz);
    a->len = start + (((a->len - start) + descsz + al - 1) & ~(al - 1));
}

static const unsigned char sig[16] = { 0x01, 0x90, 0xa0, 0xb1, 0xc2, 0xd3, 0x7e, 0x4f,
                                       0x8a, 0x5b, 0x6c, 0x7d, 0x8e, 0x9f, 0xa0, 0xb1 };
static const unsigned char bid[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
                                       7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void check_area(size_t align)
{
    struct area a;
    struct spool_note_ids ids;
    memset(&a, 0, sizeof a);
    a.align = align;
    /* An unrelated note with odd name and desc sizes before ours. */
    add_note(&a, 5, "abcd", 5, "xyz", 3);
    /* "GNU" build-id and a "track" signature (namesz 6: needs padding). */
    add_note(&a, 3, "GNU", 4, bid, sizeof bid);
    add_note(&a, 1, "track", 6, sig, sizeof sig);
    /* Same owners with wrong types or sizes must be ignored. */
    add_note(&a, 1, "GNU", 4, bid, 7);
    add_note(&a, 2, "track", 6, sig, sizeof sig);

    memset(&ids, 0, sizeof ids);
    CHECK_INT(spool_note_ids(a.b, a.len, align, &ids), 0);
    CHECK_STR(ids.build_id, "deadbeef0102030405060708090a0b0c0d0e0f10");
    CHECK_STR(ids.signature, "0190a0b1-c2d3-7e4f-8a5b-6c7d8e9fa0b1");

    /* Every truncation of the area: never reads past it, reports overrun. */
    for (size_t cut = 0; cut < a.len; cut++) {
        struct spool_note_ids t;
        memset(&t, 0, sizeof t);
        int rc = spool_note_ids(a.b, cut, align, &t);
        CHECK(rc == 0 || rc == -1);
    }
}

static void check_overruns(void)
{
    unsigned char b[64];
    uint32_t hdr[3];
    struct spool_note_ids ids;

    memset(b, 0, sizeof b);
    hdr[0] = 0xffffffffu; hdr[1] = 4; hdr[2] = 3;          /* namesz overruns */
    memcpy(b, hdr, 12);
    memset(&ids, 0, sizeof ids);
    CHECK_INT(spool_note_ids(b, sizeof b, 4, &ids), -1);
    hdr[0] = 4; hdr[1] = 0xfffffff0u; hdr[2] = 3;          /* descsz overruns */
    memcpy(b, hdr, 12);
    memcpy(b + 12, "GNU", 4);
    CHECK_INT(spool_note_ids(b, sizeof b, 4, &ids), -1);
    CHECK_STR(ids.build_id, "");
    CHECK_INT(spool_note_ids(b, 5, 4, &ids), -1);           /* header cut */
    CHECK_INT(spool_note_ids(b, 0, 4, &ids), 0);            /* empty area */
}

static int self_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct spool_note_ids *ids = arg;
    /* The first object is the main program: this test. */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_NOTE)
            spool_note_ids((const void *)(info->dlpi_addr + ph->p_vaddr), ph->p_memsz,
                           ph->p_align, ids);
    }
    return 1;
}

int main(void)
{
    struct spool_note_ids self;
    check_area(4);
    check_area(8);
    check_overruns();
    memset(&self, 0, sizeof self);
    dl_iterate_phdr(self_cb, &self);
    CHECK_STR(self.build_id, "0123456789abcdeffedcba98765432100f1e2d3c");
    return tcheck_result();
}
