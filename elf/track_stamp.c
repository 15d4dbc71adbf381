/* track-stamp: writes a watermark object with a fresh UUID and prints the
 * UUID; add the object to a link by hand (the linker wrapper does it
 * automatically and also writes the link record). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "elfstamp.h"
#include "spool_log.h"
#include "spool_uuid.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: track-stamp -o FILE.o [--uuid UUID]\n"
        "Writes a relocatable object holding the track watermark: an allocatable note\n"
        "section .note.track.signature (owner \"track\", type 1, 16-byte UUID), made by\n"
        "the assembler ($TRACK_AS, default %s) for its own target, and prints the UUID.\n"
        "Linking the object into a program or library lets libtrack and track-elf\n"
        "recognise that exact build.\n"
        "\n"
        "  -o, --output FILE  the object to write (replaced if it exists)\n"
        "  --uuid UUID        use this canonical lowercase UUID instead of a new one\n"
        "  -h, --help         this text\n"
        "  --version          print the version\n"
        "\n"
        "Exit status: 0 written; 1 the assembler failed or its output is wrong (one line\n"
        "on stderr says why); 2 usage.\n", elfstamp_assembler());
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "uuid", required_argument, NULL, 'u' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = NULL, *want = NULL;
    char uuid[37], err[512];
    int c;

    spool_log_init("track-stamp", 0, 0);
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'u': want = optarg; break;
        case 'h': usage(stdout); return EXIT_OK;
        case 'V': printf("track-stamp %s\n", TRACK_VERSION); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        spool_log_err("unexpected argument '%s' (see --help)", argv[optind]);
        return EXIT_USAGE;
    }
    if (!out || !*out) {
        spool_log_err("-o FILE.o is required (see --help)");
        return EXIT_USAGE;
    }
    if (want) {
        if (spool_uuid_parse(want, NULL) < 0) {
            spool_log_err("--uuid: '%s' is not a canonical lowercase UUID", want);
            return EXIT_USAGE;
        }
        snprintf(uuid, sizeof uuid, "%s", want);
    } else {
        spool_uuid_v7(uuid);
    }
    if (elfstamp_make(elfstamp_assembler(), NULL, out, uuid, 0, NULL, NULL, err,
                      sizeof err) < 0) {
        spool_log_err("%s: %s", out, err);
        return EXIT_FAIL;
    }
    if (printf("%s\n", uuid) < 0 || fflush(stdout) != 0) {
        spool_log_err("writing to stdout failed");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
