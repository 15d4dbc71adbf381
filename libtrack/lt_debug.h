/* lt_debug: TRACK_DEBUG=1 diagnostics. One line "track: <message>" on
 * stderr per event; nothing at all when debugging is off. Never called from
 * the fatal-signal handler (it formats with vsnprintf). */
#ifndef TRACK_LT_DEBUG_H
#define TRACK_LT_DEBUG_H

/* Writes the line if on is non-zero. Preserves errno. */
void lt_debug(int on, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
