/* track-stamp: writes a watermark object with a fresh UUID and prints the
 * UUID; add the object to a link by hand (the linker wrapper does it
 * automatically). Like the wrapper it leaves a link record in the user's
 * spool, so a signature found in a run leads back to who made it, where and
 * when; it knows no link, so the record's linker is track-stamp itself, its
 * command line is track-stamp's and it lists no objects. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "elfstamp.h"
#include "linkrec.h"
#include "spool_config.h"
#include "spool_dir.h"
#include "spool_err.h"
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
        "  --no-record        do not leave a link record in the spool\n"
        "  -h, --help         this text\n"
        "  --version          print the version\n"
        "\n"
        "A link record (uuid, user, host, time, the object, this command line) goes\n"
        "into the spool like the linker wrapper's; if that fails a warning says why and\n"
        "the stamp still counts.\n"
        "\n"
        "Exit status: 0 written; 1 the assembler failed or its output is wrong (one line\n"
        "on stderr says why); 2 usage; 3 the config file is bad.\n", elfstamp_assembler());
}

/* The link record of a stamp made by hand. Returns 0, or -1 after a
 * warning (no spool, unwritable) or 3 for a bad config file. */
static int stamp_record(const char *out, const char *uuid, int argc, char **argv)
{
    struct spool_config cfg;
    struct linkrec r;
    char err[SPOOL_ERR_MAX], self[4096];
    const char *job = getenv("SLURM_JOB_ID");
    ssize_t n;
    int dirfd, rc = -1;

    spool_config_defaults(&cfg);
    if (spool_config_load(&cfg, spool_config_default_path(),
                          SPOOL_CONF_STRICT | SPOOL_CONF_MISSING_OK, err, sizeof err) < 0) {
        spool_log_err("%s", err);
        return 3;
    }
    if (!job || !spool_job_name_ok(job))
        job = "nojob";
    dirfd = spool_open_job_dir(cfg.spool_dir, getuid(), job, 1, err, sizeof err);
    if (dirfd < 0) {
        spool_log_warn("no link record: spool_dir %s", err);
        return -1;
    }
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    memset(&r, 0, sizeof r);
    r.uuid = uuid;
    r.output = out;
    r.output_build_id = "";
    r.linker = n > 0 ? self : "track-stamp";
    r.argv = argv;
    r.argc = argc;
    gettimeofday(&r.time, NULL);
    if (linkrec_write(&cfg, dirfd, &r, err, sizeof err) < 0)
        spool_log_warn("no link record: %s", err);
    else
        rc = 0;
    close(dirfd);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "uuid", required_argument, NULL, 'u' },
        { "no-record", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = NULL, *want = NULL;
    char uuid[37], err[SPOOL_ERR_MAX];
    int c, record = 1;

    spool_log_init("track-stamp", 0, 0);
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'u': want = optarg; break;
        case 'n': record = 0; break;
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
    if (record && stamp_record(out, uuid, argc, argv) == 3)
        return 3;
    if (printf("%s\n", uuid) < 0 || fflush(stdout) != 0) {
        spool_log_err("writing to stdout failed");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
