/* libFuzzer target for the record parser and validator (rec_parse) and the
 * name check: any input must give either a record whose every field is
 * readable within its stated length, or a one-line reason. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_parse.h"
#include "spool_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const struct rec_str *s)
{
    /* Reading every byte lets ASan catch a length that overruns. */
    for (size_t i = 0; i <= s->len; i++)
        sink += (unsigned char)s->s[i];
    if (s->s[s->len] != '\0')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rec r;
    char err[256];
    err[0] = '\0';
    if (rec_parse((const char *)data, size, &r, err, sizeof err) != 0) {
        if (err[0] == '\0' || strchr(err, '\n'))
            abort(); /* every rejection has a one-line reason */
        return 0;
    }
    touch(&r.syshost); touch(&r.host); touch(&r.user); touch(&r.cwd);
    touch(&r.exe.path); touch(&r.link_output); touch(&r.linker);
    touch(&r.job.id); touch(&r.job.partition); touch(&r.job.account);
    for (size_t i = 0; i < r.ncmdline; i++) touch(&r.cmdline[i]);
    for (size_t i = 0; i < r.nmodules; i++) touch(&r.modules[i]);
    for (size_t i = 0; i < r.nenv; i++) { touch(&r.env[i].name); touch(&r.env[i].value); }
    for (size_t i = 0; i < r.nobjects; i++) {
        touch(&r.objects[i].path);
        sink += r.objects[i].build_id.len + r.objects[i].signature.len;
    }
    struct spool_name n;
    if (spool_name_parse("run.c1.2024_11_21_19_00_00_1234.alice.aaa."
                         "0192f0c4-5a6b-7c8d-9e0f-a1b2c3d4e5f6.json", &n) == 0)
        (void)rec_check_name(&r, &n, err, sizeof err);
    rec_free(&r);
    return 0;
}
