/* Unit test of the compiler-name rules of ldcc (elf/ldcc.h): known drivers
 * and wrappers with target prefixes and version suffixes, and names that
 * only look like them. */
#include <stddef.h>
#include <string.h>

#include "ldcc.h"
#include "tcheck.h"

static void drv(const char *b, const char *want)
{
    const char *got = ldcc_driver_name(b);
    if (want ? !got || strcmp(got, want) != 0 : got != NULL)
        tcheck_fail(__FILE__, __LINE__, "driver '%s' -> '%s', expected '%s'", b, got ? got : "(none)",
                    want ? want : "(none)");
}

static void wrp(const char *b, const char *want)
{
    const char *got = ldcc_wrapper_name(b);
    if (want ? !got || strcmp(got, want) != 0 : got != NULL)
        tcheck_fail(__FILE__, __LINE__, "wrapper '%s' -> '%s', expected '%s'", b, got ? got : "(none)",
                    want ? want : "(none)");
}

int main(void)
{
    drv("gcc", "gcc");
    drv("x86_64-linux-gnu-gcc-12", "gcc");
    drv("x86_64-linux-gnu-gfortran-12", "gfortran");
    drv("gcc-13.2.0", "gcc");
    drv("clang++", "clang++");
    drv("clang-14", "clang");
    drv("clang++-14", "clang++");
    drv("icx", "icx");
    drv("ifx", "ifx");
    drv("nvfortran", "nvfortran");
    drv("cc", "cc");
    drv("x86_64-linux-gnu-gcc-ar-12", NULL);
    drv("gcc-nm", NULL);
    drv("mygcc", NULL);
    drv("collect2", NULL);
    drv("ld", NULL);
    drv("make", NULL);
    drv("bash", NULL);
    drv("", NULL);
    wrp("mpicc", "mpicc");
    wrp("mpicc.openmpi", "mpicc");
    wrp("mpif90.mpich", "mpif90");
    wrp("mpiifort", "mpiifort");
    wrp("nvcc", "nvcc");
    wrp("mpicc.", NULL);
    wrp("gcc", NULL);
    wrp("opal_wrapper", NULL);
    return tcheck_result();
}
