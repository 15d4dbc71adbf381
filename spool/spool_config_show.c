/* Config keys by name and their values as text (spool_config_show.h). */
#include "spool_config_show.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum kind { K_STR, K_AFTER, K_RANKS, K_SIZE, K_ULONG, K_SIGNALS, K_YESNO };

/* One line per key of spool_config_set, in the order of docs/config.md. */
static const struct {
    const char *key;
    enum kind kind;
    size_t off;
} keys[] = {
    { "syshost", K_STR, offsetof(struct spool_config, syshost) },
    { "spool_dir", K_STR, offsetof(struct spool_config, spool_dir) },
    { "archive_dir", K_STR, offsetof(struct spool_config, archive_dir) },
    { "archive_group", K_STR, offsetof(struct spool_config, archive_group) },
    { "after_ingest", K_AFTER, offsetof(struct spool_config, after_ingest) },
    { "ranks", K_RANKS, offsetof(struct spool_config, ranks_all) },
    { "include", K_STR, offsetof(struct spool_config, include) },
    { "exclude", K_STR, offsetof(struct spool_config, exclude) },
    { "env", K_STR, offsetof(struct spool_config, env) },
    { "max_record_bytes", K_SIZE, offsetof(struct spool_config, max_record_bytes) },
    { "signals", K_SIGNALS, offsetof(struct spool_config, signals) },
    { "system_prefixes", K_STR, offsetof(struct spool_config, system_prefixes) },
    { "lmod_reverse_map", K_STR, offsetof(struct spool_config, lmod_reverse_map) },
    { "software_map", K_STR, offsetof(struct spool_config, software_map) },
    { "db_option_file", K_STR, offsetof(struct spool_config, db_option_file) },
    { "db_group", K_STR, offsetof(struct spool_config, db_group) },
    { "slurm_accounting", K_YESNO, offsetof(struct spool_config, slurm_accounting) },
    { "not_applications", K_STR, offsetof(struct spool_config, not_applications) },
    { "epilog_max_files", K_ULONG, offsetof(struct spool_config, epilog_max_files) },
    { "job_max_records", K_ULONG, offsetof(struct spool_config, job_max_records) },
};

#define NKEYS (sizeof keys / sizeof keys[0])

size_t spool_config_nkeys(void)
{
    return NKEYS;
}

const char *spool_config_key(size_t i)
{
    return i < NKEYS ? keys[i].key : NULL;
}

const char *spool_config_get(const struct spool_config *cfg, const char *key, char *buf,
                             size_t len)
{
    const char *base = (const char *)cfg;
    size_t i;

    if (!len)
        return NULL;
    buf[0] = '\0';
    for (i = 0; i < NKEYS && strcmp(keys[i].key, key) != 0; i++)
        ;
    if (i == NKEYS)
        return NULL;
    const void *field = base + keys[i].off;
    switch (keys[i].kind) {
    case K_STR:
        snprintf(buf, len, "%s", (const char *)field);
        break;
    case K_AFTER:
        snprintf(buf, len, "%s", *(const int *)field == SPOOL_AFTER_DELETE ? "delete" : "keep");
        break;
    case K_RANKS:
        snprintf(buf, len, "%s", *(const int *)field ? "all" : "0");
        break;
    case K_SIZE:
        snprintf(buf, len, "%zu", *(const size_t *)field);
        break;
    case K_ULONG:
        snprintf(buf, len, "%lu", *(const unsigned long *)field);
        break;
    case K_SIGNALS:
        spool_config_signals_str(*(const uint64_t *)field, buf, len);
        break;
    case K_YESNO:
        snprintf(buf, len, "%s", *(const int *)field ? "yes" : "no");
        break;
    }
    return buf;
}
