#include "lt_objects.h"

#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

#include "lt_json.h"
#include "lt_run.h"

/* 1 if addr lies inside one of the object's loaded segments. */
static int obj_contains(const struct dl_phdr_info *info, uintptr_t addr)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo;
        if (ph->p_type != PT_LOAD)
            continue;
        lo = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
        if (addr >= lo && addr - lo < ph->p_memsz)
            return 1;
    }
    return 0;
}

static void obj_ids(const struct dl_phdr_info *info, struct spool_note_ids *ids)
{
    memset(ids, 0, sizeof *ids);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE || ph->p_memsz == 0)
            continue;
        spool_note_ids((const void *)((uintptr_t)info->dlpi_addr + ph->p_vaddr), ph->p_memsz,
                       ph->p_align, ids);
        if (ids->build_id[0] && ids->signature[0])
            break;
    }
}

static int exe_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    obj_ids(info, arg);
    return 1; /* the main program comes first: stop */
}

static int gen_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    unsigned long long *gen = arg;

    if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
        *gen = info->dlpi_adds + info->dlpi_subs;
    return 1; /* the counters are the same in every entry: stop at the first */
}

unsigned long long lt_obj_generation(void)
{
    unsigned long long gen = 0;

    dl_iterate_phdr(gen_cb, &gen);
    return gen;
}

int lt_obj_exe_ids(struct spool_note_ids *ids)
{
    memset(ids, 0, sizeof *ids);
    return dl_iterate_phdr(exe_cb, ids) == 1 ? 0 : -1;
}

struct walk {
    struct spool_json *j;
    size_t max_str;
    int *truncated;
    int index;
    uintptr_t self;   /* an address inside libtrack */
    uintptr_t vdso;   /* AT_SYSINFO_EHDR, 0 if none */
};

static int walk_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct walk *w = arg;
    struct spool_json *j = w->j;
    struct spool_json_mark m;
    struct spool_note_ids ids;
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    int first = w->index++ == 0;

    /* The main program is "exe"; an unnamed object after it is a loader
     * artefact with nothing to report. */
    if (first || !name[0])
        return 0;
    if ((w->vdso && obj_contains(info, w->vdso)) || strncmp(name, "linux-vdso", 10) == 0 ||
        strncmp(name, "linux-gate", 10) == 0)
        return 0;
    if (obj_contains(info, w->self))
        return 0;

    obj_ids(info, &ids);
    m = spool_json_mark(j);
    spool_json_obj_open(j);
    spool_json_key(j, "path");
    spool_json_strn(j, name, strlen(name), w->max_str, w->truncated);
    spool_json_kstr(j, "build_id", ids.build_id);
    spool_json_kstr(j, "signature", ids.signature);
    spool_json_obj_close(j);
    if (j->overflow) {
        /* Keep the leading elements; drop this one and everything after. */
        spool_json_rewind(j, m);
        *w->truncated = 1;
        return 1;
    }
    return 0;
}

void lt_obj_json(struct spool_json *j, size_t full, size_t tail, size_t max_str, int none,
                 int *truncated)
{
    struct walk w;

    w.j = j;
    w.max_str = max_str;
    w.truncated = truncated;
    w.index = 0;
    w.self = (uintptr_t)&lt_obj_json;
    w.vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);

    lt_json_budget(j, full, tail);
    spool_json_key(j, "objects");
    spool_json_arr_open(j);
    lt_json_budget(j, full, tail + LT_RESERVE_STRUCT);
    if (none)
        *truncated = 1;
    else
        dl_iterate_phdr(walk_cb, &w);
    lt_json_budget(j, full, tail);
    spool_json_arr_close(j);
}
