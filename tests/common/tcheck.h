/* tcheck: the few assertion helpers the C unit tests share. A failed check
 * prints file:line and the expression and marks the test failed; the test's
 * main returns tcheck_result() so ctest sees the failure. */
#ifndef TRACK_TCHECK_H
#define TRACK_TCHECK_H

#include <stddef.h>
#include <string.h>

extern int tcheck_failures;
void tcheck_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tcheck_result(void);

#define CHECK(cond) do { if (!(cond)) tcheck_fail(__FILE__, __LINE__, "%s", #cond); } while (0)
#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) tcheck_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, a_, #b, b_); } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) tcheck_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define CHECK_MEM(a, alen, b, blen) do { size_t al_ = (alen), bl_ = (blen); \
    if (al_ != bl_ || memcmp((a), (b), al_) != 0) tcheck_fail(__FILE__, __LINE__, "%s differs from %s (%zu vs %zu bytes)", #a, #b, al_, bl_); } while (0)

#endif
