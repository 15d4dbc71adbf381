/* The running program's path from AT_EXECFN, else /proc/self/exe (see
 * lt_exe.h). */
#include "lt_exe.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lt_sys.h"

/* The kernel's limit on links followed in one path walk. */
#define LT_EXE_MAXLINKS 40

/* Appends "/" and the n bytes of comp to out (olen bytes so far). */
static int append(char *out, size_t cap, size_t *olen, const char *comp, size_t n)
{
    if (*olen + 1 + n + 1 > cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    out[(*olen)++] = '/';
    memcpy(out + *olen, comp, n);
    *olen += n;
    out[*olen] = '\0';
    return 0;
}

/* The working directory as the start of out; "/" is length 0 there. */
static int start_at_cwd(char *out, size_t cap, size_t *olen)
{
    if (!getcwd(out, cap))
        return -1;
    if (out[0] != '/') { /* "(unreachable)..." from the raw system call */
        errno = ENOENT;
        return -1;
    }
    *olen = strlen(out);
    if (*olen == 1)
        *olen = 0;
    return 0;
}

ssize_t lt_exe_resolve(const char *path, char *out, size_t cap, char *scratch, size_t slen)
{
    /* scratch: a link's target in its first half; the part of the path
     * still to walk at the end of its second half, so that a target is
     * put in front of it without moving it. */
    size_t half = slen / 2, rcap = slen - half, olen = 0, restlen, n, prev;
    char *lnk = scratch, *rest;
    int links = 0;
    ssize_t t, ret = -1;

    restlen = strlen(path);
    if (cap < 2 || half < 2) {
        errno = ENAMETOOLONG;
        goto out;
    }
    if (restlen == 0 || restlen > rcap) {
        errno = restlen ? ENAMETOOLONG : ENOENT;
        goto out;
    }
    rest = scratch + slen - restlen;
    memcpy(rest, path, restlen);
    if (path[0] != '/' && start_at_cwd(out, cap, &olen) < 0)
        goto out;
    while (restlen > 0) {
        while (restlen > 0 && rest[0] == '/') {
            rest++;
            restlen--;
        }
        for (n = 0; n < restlen && rest[n] != '/'; n++)
            ;
        if (n == 0 || (n == 1 && rest[0] == '.')) {
            rest += n;
            restlen -= n;
            continue;
        }
        if (n == 2 && rest[0] == '.' && rest[1] == '.') {
            while (olen > 0 && out[olen - 1] != '/')
                olen--;
            if (olen > 0)
                olen--;
            rest += n;
            restlen -= n;
            continue;
        }
        prev = olen;
        if (append(out, cap, &olen, rest, n) < 0)
            goto out;
        rest += n;
        restlen -= n;
        t = readlink(out, lnk, half);
        if (t < 0) {
            if (errno == EINVAL) /* not a link */
                continue;
            goto out;
        }
        if ((size_t)t >= half || (size_t)t + 1 + restlen > rcap) {
            errno = ENAMETOOLONG; /* (a target that fills lnk may be cut) */
            goto out;
        }
        if (t == 0 || ++links > LT_EXE_MAXLINKS) {
            errno = t == 0 ? ENOENT : ELOOP;
            goto out;
        }
        if (restlen > 0) {
            *--rest = '/';
            restlen++;
        }
        rest -= t;
        memcpy(rest, lnk, (size_t)t);
        restlen += (size_t)t;
        olen = lnk[0] == '/' ? 0 : prev;
    }
    if (olen == 0)
        out[olen++] = '/';
    out[olen] = '\0';
    ret = (ssize_t)olen;
out:
    if (ret < 0 && cap > 0)
        out[0] = '\0';
    return ret;
}

int lt_exe_same_image(const char *path, const void *phdr, size_t phnum, size_t entsize,
                      char *scratch, size_t slen)
{
    ElfW(Ehdr) eh;
    ssize_t got;
    int rc = -1, saved;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

    if (fd < 0)
        return -1;
    /* One read: the program headers follow the ELF header in the files
     * linkers write; elsewhere they do not fit and /proc answers. */
    got = read(fd, scratch, slen);
    if (got < 0)
        goto out;
    rc = 0;
    if ((size_t)got < sizeof eh)
        goto out;
    memcpy(&eh, scratch, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_phnum != phnum || eh.e_phentsize != entsize ||
        eh.e_phoff > (size_t)got || phnum * entsize > (size_t)got - eh.e_phoff)
        goto out;
    rc = memcmp(scratch + eh.e_phoff, phdr, phnum * entsize) == 0;
out:
    saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int lt_exe_local_file(const char *path)
{
#ifdef SYS_statx
    struct statx sx;
    int saved = errno;
    long rc = lt_sys(SYS_statx, AT_FDCWD, (long)path, AT_STATX_DONT_SYNC, STATX_TYPE, (long)&sx, 0);

    errno = saved;
    return rc == 0 && S_ISREG(sx.stx_mode) && sx.stx_dev_major != 0;
#else
    (void)path;
    return 0;
#endif
}

ssize_t lt_exe_path(char *out, size_t cap, char *scratch, size_t slen)
{
    const char *fn = (const char *)getauxval(AT_EXECFN);
    const void *phdr = (const void *)getauxval(AT_PHDR);
    size_t phnum = getauxval(AT_PHNUM), phent = getauxval(AT_PHENT);
    ssize_t n;

    if (cap < 2) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* AT_BASE is 0 when the kernel started no dynamic loader for the
     * program: the loader itself was the command (ld.so ./prog), and
     * /proc/self/exe names the loader. */
    if (fn && fn[0] && phdr && phnum && phent && getauxval(AT_BASE) && slen >= LT_EXE_SCRATCH_MIN &&
        lt_exe_local_file(fn)) {
        n = lt_exe_resolve(fn, out, cap, scratch, slen);
        if (n > 0 && lt_exe_same_image(out, phdr, phnum, phent, scratch, slen) == 1)
            return n;
    }
    n = readlink("/proc/self/exe", out, cap - 1);
    if (n < 0) {
        out[0] = '\0';
        return -1;
    }
    out[n] = '\0';
    return n;
}
