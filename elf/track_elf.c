/* track-elf: prints what identifies an ELF build (build-id, track watermark)
 * and how it links (DT_NEEDED, RUNPATH/RPATH, interpreter, static or not). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfinfo.h"
#include "spool_err.h"
#include "spool_json.h"
#include "spool_log.h"

enum { EXIT_OK = 0, EXIT_BADFILE = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: track-elf [--json] FILE...\n"
        "Prints, for each ELF file: its type, whether it is static, its interpreter\n"
        "(PT_INTERP), GNU build-id, track watermark signature (note owner \"track\",\n"
        "type 1), DT_SONAME, DT_NEEDED, DT_RUNPATH and DT_RPATH. Read from program\n"
        "headers, so stripped files work; relocatable objects from their note sections.\n"
        "\n"
        "  --json      one JSON array with an object per file that could be read\n"
        "  -h, --help  this text\n"
        "  --version   print the version\n"
        "\n"
        "Exit status: 0 every file was read; 1 at least one file could not be read\n"
        "(missing, not ELF, truncated or corrupt: one line on stderr names it); 2 usage.\n");
}

/* Text output: bytes from the file are shown as they are when printable ASCII
 * or UTF-8 and as \xNN otherwise, so a hostile file cannot drive the terminal. */
static void put_bytes(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c >= 0x80 ? spool_utf8_seq((const unsigned char *)s + i, n - i) : 0;
        if (k > 0) {
            fwrite(s + i, 1, k, stdout);
            i += k;
            continue;
        }
        if (c >= 0x20 && c < 0x7f && c != '\\')
            putchar(c);
        else if (c == '\\')
            fputs("\\\\", stdout);
        else
            printf("\\x%02x", c);
        i++;
    }
}

static void put_field(const char *label, int present, const char *s, size_t n)
{
    printf("  %-12s ", label);
    if (present)
        put_bytes(s, n);
    else
        putchar('-');
    putchar('\n');
}

static void print_text(const char *path, const struct elfinfo *in)
{
    char mbuf[32];
    size_t i;
    put_bytes(path, strlen(path));
    printf(":\n");
    printf("  %-12s %s (ELF%d, %s, %s-endian)\n", "type:", in->kind, in->elfclass,
           elfinfo_machine_name(in->machine, mbuf, sizeof mbuf),
           in->big_endian ? "big" : "little");
    printf("  %-12s %s\n", "static:", in->is_static ? "yes" : "no");
    put_field("interpreter:", in->has_interp, in->interp.s, in->interp.len);
    put_field("build-id:", in->ids.build_id[0] != 0, in->ids.build_id, strlen(in->ids.build_id));
    put_field("signature:", in->ids.signature[0] != 0, in->ids.signature,
              strlen(in->ids.signature));
    put_field("soname:", in->soname != NULL, in->soname, in->soname ? strlen(in->soname) : 0);
    if (!in->nneeded)
        put_field("needed:", 0, NULL, 0);
    for (i = 0; i < in->nneeded; i++)
        put_field("needed:", 1, in->needed[i].s, in->needed[i].len);
    put_field("runpath:", in->has_runpath, in->runpath.s, in->runpath.len);
    put_field("rpath:", in->has_rpath, in->rpath.s, in->rpath.len);
}

static void kstr_or_null(struct spool_json *j, const char *key, int present, const char *s,
                         size_t n)
{
    spool_json_key(j, key);
    if (present)
        spool_json_strn(j, s, n, 0, NULL);
    else
        spool_json_null(j);
}

static void json_doc(struct spool_json *j, const char *path, const struct elfinfo *in)
{
    char mbuf[32];
    size_t i;
    spool_json_obj_open(j);
    spool_json_kstr(j, "path", path);
    spool_json_kint(j, "class", in->elfclass);
    spool_json_kstr(j, "endian", in->big_endian ? "big" : "little");
    spool_json_kstr(j, "machine", elfinfo_machine_name(in->machine, mbuf, sizeof mbuf));
    spool_json_kstr(j, "type", in->kind);
    spool_json_key(j, "static");
    spool_json_bool(j, in->is_static);
    kstr_or_null(j, "interpreter", in->has_interp, in->interp.s, in->interp.len);
    kstr_or_null(j, "build_id", in->ids.build_id[0] != 0, in->ids.build_id,
                 strlen(in->ids.build_id));
    kstr_or_null(j, "signature", in->ids.signature[0] != 0, in->ids.signature,
                 strlen(in->ids.signature));
    kstr_or_null(j, "soname", in->soname != NULL, in->soname,
                 in->soname ? strlen(in->soname) : 0);
    spool_json_key(j, "needed");
    spool_json_arr_open(j);
    for (i = 0; i < in->nneeded; i++)
        spool_json_strn(j, in->needed[i].s, in->needed[i].len, 0, NULL);
    spool_json_arr_close(j);
    kstr_or_null(j, "runpath", in->has_runpath, in->runpath.s, in->runpath.len);
    kstr_or_null(j, "rpath", in->has_rpath, in->rpath.s, in->rpath.len);
    spool_json_obj_close(j);
}

/* One file's JSON object, written into a buffer sized for the worst case:
 * every byte of a string can take 6 bytes escaped (\udcXX). */
static int print_json(const char *path, const struct elfinfo *in, int first)
{
    size_t need = 1024 + 6 * (strlen(path) + in->interp.len + in->runpath.len +
                              in->rpath.len + (in->soname ? strlen(in->soname) : 0));
    struct spool_json j;
    char *buf;
    size_t i;
    int rc = -1;

    for (i = 0; i < in->nneeded; i++)
        need += 8 + 6 * in->needed[i].len;
    buf = malloc(need);
    if (!buf)
        return -1;
    spool_json_init(&j, buf, need);
    json_doc(&j, path, in);
    if (spool_json_finish(&j) == 0) {
        printf("%s\n  %s", first ? "" : ",", buf);
        rc = 0;
    }
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int json = 0, c, i, status = EXIT_OK, first = 1;

    spool_log_init("track-elf", 0, 0);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        case 'V': printf("track-elf %s\n", TRACK_VERSION); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        spool_log_err("no FILE given (see --help)");
        return EXIT_USAGE;
    }
    if (json)
        printf("[");
    for (i = optind; i < argc; i++) {
        struct elfinfo info;
        char err[SPOOL_ERR_MAX];
        if (elfinfo_file(argv[i], &info, err, sizeof err) < 0) {
            fflush(stdout);
            spool_log_err("%s: %s", argv[i], err);
            status = EXIT_BADFILE;
            continue;
        }
        if (json) {
            if (print_json(argv[i], &info, first) < 0) {
                spool_log_err("%s: out of memory formatting JSON", argv[i]);
                status = EXIT_BADFILE;
            } else {
                first = 0;
            }
        } else {
            print_text(argv[i], &info);
        }
        elfinfo_free(&info);
    }
    if (json)
        printf("%s]\n", first ? "" : "\n");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        spool_log_err("writing output: failed");
        return EXIT_BADFILE;
    }
    return status;
}
