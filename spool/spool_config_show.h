/* spool_config_show: every config key by name, and a setting's value in
 * config-file syntax. For track-doctor (which lists every setting with its
 * source) and for writing a config back. A new key in spool_config.c gets one
 * line in the table of spool_config_show.c; the doctor test checks that the
 * table, docs/config.md and etc/track.conf.example name the same keys. */
#ifndef TRACK_SPOOL_CONFIG_SHOW_H
#define TRACK_SPOOL_CONFIG_SHOW_H

#include <stddef.h>

#include "spool_config.h"

/* Number of keys, and the i-th key's name (0 <= i < count; NULL beyond). The
 * names are constants. */
size_t spool_config_nkeys(void);
const char *spool_config_key(size_t i);

/* Writes the value of key in cfg into buf (len bytes, always NUL-terminated
 * when len > 0) as the config file would spell it; `syshost` unset is "".
 * Returns buf, or NULL for an unknown key (buf then holds ""). A value
 * longer than len - 1 bytes is cut. Spool_config_set(key, buf) gives the
 * same setting back. */
const char *spool_config_get(const struct spool_config *cfg, const char *key, char *buf,
                             size_t len);

#endif
