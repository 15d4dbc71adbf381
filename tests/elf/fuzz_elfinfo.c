/* libFuzzer target for track-elf's parsing: any byte string must give either
 * a parsed struct elfinfo or a one-line error, never a crash, a leak or an
 * out-of-bounds read (ASan + UBSan). Corpus: tests/elf/fuzz_seeds.sh. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elfinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elfinfo info;
    char err[512];

    if (elfinfo_mem(data, size, &info, err, sizeof err) == 0) {
        /* Touch every string so that a missing terminator would show. */
        size_t i, n = strlen(info.interp.s ? info.interp.s : "") + strlen(info.ids.build_id) +
                      strlen(info.ids.signature) + (info.soname ? strlen(info.soname) : 0);
        for (i = 0; i < info.nneeded; i++)
            n += strlen(info.needed[i].s);
        if (info.has_runpath)
            n += strlen(info.runpath.s);
        if (info.has_rpath)
            n += strlen(info.rpath.s);
        (void)n;
        elfinfo_free(&info);
    } else if (memchr(err, '\n', strlen(err))) {
        __builtin_trap(); /* errors must be one line */
    }
    return 0;
}
