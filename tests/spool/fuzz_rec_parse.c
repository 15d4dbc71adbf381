/* libFuzzer target for the record parser and validator (rec_parse) and the
 * name check: any input must give either a record whose every field is
 * readable within its stated length, or a one-line reason. It is also a
 * differential test of the object-list memo (spool/rec_objmemo.h): the same
 * input parsed by a parser whose memo has seen earlier inputs, and once more
 * after it has seen this one, must give exactly what a memo-less parse gives
 * (the same reason, or the same record field by field). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_parse.h"
#include "rec_same.h"
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

/* Lives across inputs: its memo holds the object lists of earlier ones. */
static struct rec_parser keep = REC_PARSER_INIT;

/* Parses with keep and demands the memo-less outcome (rc, err, want). */
static void same_with_memo(const uint8_t *data, size_t size, int rc, const char *err,
                           const struct rec *want)
{
    struct rec r2;
    char err2[256] = "";
    if (rec_parse_with(&keep, (const char *)data, size, &r2, err2, sizeof err2) != rc)
        abort();
    if (rc != 0) {
        if (strcmp(err, err2) != 0)
            abort();
        return;
    }
    if (!rec_same(want, &r2, NULL, 0))
        abort();
    rec_free(&r2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rec r;
    char err[256];
    err[0] = '\0';
    int rc = rec_parse((const char *)data, size, &r, err, sizeof err);
    same_with_memo(data, size, rc, err, &r);   /* may hit lists of earlier inputs */
    same_with_memo(data, size, rc, err, &r);   /* hits this input's list */
    if (rc != 0) {
        if (err[0] == '\0' || strchr(err, '\n'))
            abort(); /* every rejection has a one-line reason */
        return 0;
    }
    touch(&r.syshost); touch(&r.host); touch(&r.user); touch(&r.cwd);
    touch(&r.exe.path); touch(&r.link_output); touch(&r.linker);
    touch(&r.cc_name); touch(&r.cc_path); touch(&r.cc_version); touch(&r.cc_wrapper);
    touch(&r.job.id); touch(&r.job.partition); touch(&r.job.account);
    for (size_t i = 0; i < r.ncmdline; i++) touch(&r.cmdline[i]);
    for (size_t i = 0; i < r.nmodules; i++) touch(&r.modules[i]);
    for (size_t i = 0; i < r.nenv; i++) { touch(&r.env[i].name); touch(&r.env[i].value); }
    for (size_t i = 0; i < r.nobjects; i++) {
        touch(&r.objects[i].path);
        sink += r.objects[i].build_id.len + r.objects[i].signature.len;
    }
    touch(&r.py_version); touch(&r.py_impl); touch(&r.py_exe); touch(&r.py_prefix);
    touch(&r.py_env);
    for (size_t i = 0; i < r.npkgs; i++) {
        touch(&r.pkgs[i].name); touch(&r.pkgs[i].version); touch(&r.pkgs[i].source);
        for (size_t k = 0; k < r.pkgs[i].nmodules; k++) touch(&r.pkgs[i].modules[k]);
    }
    struct spool_name n;
    if (spool_name_parse("run.c1.2024_11_21_19_00_00_1234.alice.aaa."
                         "0192f0c4-5a6b-7c8d-9e0f-a1b2c3d4e5f6.json", &n) == 0)
        (void)rec_check_name(&r, &n, err, sizeof err);
    rec_free(&r);
    return 0;
}
