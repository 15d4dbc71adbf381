/* libFuzzer target for the reader of untrusted tally files
 * (spool_tally_parse). A tally file is 266,240 bytes of which a few hundred
 * matter, so the input is a list of patches applied to a valid file (two
 * used slots, the overflow slot, a run killed mid-update): each patch is
 * a 3-byte little-endian offset (modulo the size), a length byte and that
 * many bytes. An input of exactly the file's size is parsed as it is. Any
 * input must give a tally whose every path is readable within its length
 * and whose totals agree with its slots, or a one-line reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spool_tally.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char file[SPOOL_TALLY_SIZE];
static volatile size_t sink;

static uint64_t sat(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static void add(unsigned i, const char *path, int cls, uint64_t wall, uint64_t start)
{
    struct spool_tally_head *h = (void *)file;
    struct spool_tally_slot *s = (void *)(file + (size_t)SPOOL_TALLY_PAGE * (i + 1));
    struct spool_tally_run run = { cls, wall, wall / 4, wall / 8, wall * 2, start };
    if (path) {
        s->path_len = (uint32_t)strlen(path);
        memcpy(s->path, path, s->path_len);
        h->key[i] = spool_tally_key(path, s->path_len);
    }
    s->acc[(s->seq + 1) & 1] = s->acc[s->seq & 1];
    spool_tally_acc_add(&s->acc[(s->seq + 1) & 1], &run);
    s->seq++;
    s->begun++;
}

static void template(void)
{
    struct spool_tally_head *h = (void *)file;
    memset(file, 0, sizeof file);
    h->magic = SPOOL_TALLY_MAGIC;
    h->version = SPOOL_TALLY_VERSION;
    h->slots = SPOOL_TALLY_SLOTS;
    h->page = SPOOL_TALLY_PAGE;
    h->uid = 1000;
    memcpy(h->job, "77", 2);
    add(5, "/bin/true", SPOOL_TALLY_OK, 1000, 1700000000000000ULL);
    add(5, NULL, SPOOL_TALLY_SIGNAL, 10, 1699999999000000ULL);
    add(9, "/usr/bin/Rscript", SPOOL_TALLY_ERROR, 7, 1700000000000100ULL);
    add(SPOOL_TALLY_OVERFLOW, NULL, SPOOL_TALLY_OK, 1, 1700000000000200ULL);
    ((struct spool_tally_slot *)(file + SPOOL_TALLY_PAGE * 10))->begun++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct spool_tally t;
    char err[256];

    if (size == SPOOL_TALLY_SIZE) {
        memcpy(file, data, size);
    } else {
        template();
        for (size_t i = 0; i + 4 <= size;) {
            size_t off = ((size_t)data[i] | (size_t)data[i + 1] << 8 | (size_t)data[i + 2] << 16) %
                         SPOOL_TALLY_SIZE;
            size_t len = data[i + 3];
            i += 4;
            if (len > size - i)
                len = size - i;
            if (len > SPOOL_TALLY_SIZE - off)
                len = SPOOL_TALLY_SIZE - off;
            memcpy(file + off, data + i, len);
            i += len;
        }
    }
    if (spool_tally_parse(file, sizeof file, &t, err, sizeof err) < 0) {
        if (!memchr(err, '\0', sizeof err) || strchr(err, '\n'))
            abort();
        return 0;
    }
    uint64_t runs = 0, unknown = 0;
    if (t.n > SPOOL_TALLY_SLOTS)
        abort();
    for (size_t i = 0; i < t.n; i++) {
        const struct spool_tally_entry *e = &t.e[i];
        if (!e->overflow && (!e->path || e->path_len == 0 || e->path_len >= SPOOL_TALLY_PATH_MAX))
            abort();
        for (size_t k = 0; k < e->path_len; k++)
            sink += (unsigned char)e->path[k];
        uint64_t r = 0;
        for (int c = 0; c < SPOOL_TALLY_CLASSES; c++)
            r += e->acc.v[c][SPOOL_TALLY_RUNS];
        if (r + e->unknown != e->begun)
            abort();
        runs = sat(runs, r);
        unknown = sat(unknown, e->unknown);
    }
    /* The parser's totals saturate; so do these (a plain sum of forged huge
     * counts wrapped to a small number and differed). */
    if (runs != t.runs || unknown != t.unknown)
        abort();
    return 0;
}
