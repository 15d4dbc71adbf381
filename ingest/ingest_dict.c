/* ingest_dict: SHA-256 key -> id, open addressing with linear probing. */
#include "ingest_dict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t slot(const unsigned char key[32], size_t cap)
{
    uint64_t h;
    memcpy(&h, key, sizeof h);
    return (size_t)h & (cap - 1);
}

uint32_t ingest_dict_get(const struct ingest_dict *d, const unsigned char key[32])
{
    if (!d->cap)
        return 0;
    for (size_t i = slot(key, d->cap);; i = (i + 1) & (d->cap - 1)) {
        const struct ingest_dict_ent *e = &d->tab[i];
        if (!e->id)
            return 0;
        if (memcmp(e->key, key, 32) == 0)
            return e->id;
    }
}

static void put_nogrow(struct ingest_dict *d, const unsigned char key[32], uint32_t id)
{
    for (size_t i = slot(key, d->cap);; i = (i + 1) & (d->cap - 1)) {
        struct ingest_dict_ent *e = &d->tab[i];
        if (!e->id) {
            memcpy(e->key, key, 32);
            e->id = id;
            d->n++;
            return;
        }
        if (memcmp(e->key, key, 32) == 0) {
            e->id = id;
            return;
        }
    }
}

int ingest_dict_put(struct ingest_dict *d, const unsigned char key[32], uint32_t id)
{
    if ((d->n + 1) * 2 > d->cap) {   /* keep the load factor under 1/2 */
        size_t cap = d->cap ? d->cap * 2 : 1024;
        struct ingest_dict_ent *old = d->tab;
        size_t oldcap = d->cap;
        d->tab = calloc(cap, sizeof *d->tab);
        if (!d->tab) {
            d->tab = old;
            errno = ENOMEM;
            return -1;
        }
        d->cap = cap;
        d->n = 0;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].id)
                put_nogrow(d, old[i].key, old[i].id);
        free(old);
    }
    put_nogrow(d, key, id);
    return 0;
}

void ingest_dict_clear(struct ingest_dict *d)
{
    if (d->tab)
        memset(d->tab, 0, d->cap * sizeof *d->tab);
    d->n = 0;
}

void ingest_dict_free(struct ingest_dict *d)
{
    free(d->tab);
    memset(d, 0, sizeof *d);
}
