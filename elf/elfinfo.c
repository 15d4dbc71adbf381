/* ELF inspection through libelf. Every area is fetched with
 * elf_getdata_rawchunk, which checks it against the file size and converts
 * byte order, so a foreign-endian file reads like a native one and nothing
 * outside the file is ever touched; what the areas say (string offsets,
 * addresses, note sizes) is checked here before use. */
#include "spool_err.h"
#include "elfinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif
/* Dynamic sections larger than this are not real: a guard against a
 * PT_DYNAMIC whose size would make us allocate gigabytes for nothing. */
#define DYN_MAX_ENTRIES 65536

static int libelf_ready(void)
{
    static int ready;
    if (!ready)
        ready = elf_version(EV_CURRENT) != EV_NONE ? 1 : -1;
    return ready == 1 ? 0 : -1;
}

void elfinfo_free(struct elfinfo *info)
{
    size_t i;
    if (!info)
        return;
    for (i = 0; i < info->nneeded; i++)
        free(info->needed[i].s);
    free(info->needed);
    free(info->interp.s);
    free(info->runpath.s);
    free(info->rpath.s);
    free(info->soname);
    memset(info, 0, sizeof *info);
}

static int dupbytes(struct elfinfo_str *dst, const char *s, size_t n)
{
    dst->s = malloc(n + 1);
    if (!dst->s)
        return -1;
    memcpy(dst->s, s, n);
    dst->s[n] = '\0';
    dst->len = n;
    return 0;
}

/* Translates a virtual address to a file offset through the PT_LOAD
 * segments; only bytes that are in the file count (p_filesz). */
static int vaddr_to_off(Elf *e, size_t phnum, uint64_t addr, uint64_t len, uint64_t *off)
{
    size_t i;
    for (i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
            continue;
        if (addr >= ph.p_vaddr && addr - ph.p_vaddr < ph.p_filesz &&
            len <= ph.p_filesz - (addr - ph.p_vaddr)) {
            *off = ph.p_offset + (addr - ph.p_vaddr);
            return 0;
        }
    }
    return -1;
}

/* Fetches [off, off+size) of the file, converted as type. NULL with a reason
 * when the range is outside the file. */
static Elf_Data *chunk(Elf *e, uint64_t off, uint64_t size, Elf_Type type, uint64_t fsize,
                       const char *what, char *err, size_t errlen)
{
    Elf_Data *d;
    if (off > fsize || size > fsize - off) {
        spool_seterr(err, errlen, "truncated or corrupt: %s at offset %llu, %llu bytes, lies outside the file (%llu bytes)",
               what, (unsigned long long)off, (unsigned long long)size,
               (unsigned long long)fsize);
        return NULL;
    }
    d = elf_getdata_rawchunk(e, (int64_t)off, (size_t)size, type);
    if (!d)
        spool_seterr(err, errlen, "corrupt: cannot read %s at offset %llu, %llu bytes: %s", what,
               (unsigned long long)off, (unsigned long long)size, elf_errmsg(-1));
    return d;
}

static int read_notes(Elf *e, uint64_t off, uint64_t size, uint64_t align, uint64_t fsize,
                      struct elfinfo *info, const char *what, char *err, size_t errlen)
{
    Elf_Data *d;
    if (size == 0)
        return 0;
    d = chunk(e, off, size, align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR, fsize, what, err, errlen);
    if (!d)
        return -1;
    if (spool_note_ids(d->d_buf, d->d_size, align == 8 ? 8 : 4, &info->ids) < 0) {
        spool_seterr(err, errlen, "corrupt: a note in %s at offset %llu overruns it (%llu bytes)",
               what, (unsigned long long)off, (unsigned long long)size);
        return -1;
    }
    return 0;
}

/* A string at offset val of the dynamic string table; NUL-terminated within
 * the table or the file is corrupt. */
static int dynstr(const Elf_Data *strtab, uint64_t val, const char *tag,
                  struct elfinfo_str *out, char *err, size_t errlen)
{
    const char *base = strtab->d_buf, *nul;
    if (val >= strtab->d_size) {
        spool_seterr(err, errlen, "corrupt: %s string offset %llu is outside the string table (%zu bytes)",
               tag, (unsigned long long)val, strtab->d_size);
        return -1;
    }
    nul = memchr(base + val, '\0', strtab->d_size - val);
    if (!nul) {
        spool_seterr(err, errlen, "corrupt: %s string at offset %llu is not terminated in the string table",
               tag, (unsigned long long)val);
        return -1;
    }
    if (dupbytes(out, base + val, (size_t)(nul - (base + val))) < 0) {
        spool_seterr(err, errlen, "%s", strerror(ENOMEM));
        return -1;
    }
    return 0;
}

static int read_dynamic(Elf *e, size_t phnum, const GElf_Phdr *dph, uint64_t fsize,
                        int *pie_flag, struct elfinfo *info, char *err, size_t errlen)
{
    size_t entsize = info->elfclass == 64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
    uint64_t strtab_addr = 0, strsz = 0, strtab_off;
    int have_strtab = 0, have_strsz = 0;
    size_t n, i, nneeded = 0, k = 0;
    Elf_Data *d, *strtab;
    GElf_Dyn dyn;

    if (dph->p_filesz == 0)
        return 0;
    d = chunk(e, dph->p_offset, dph->p_filesz, ELF_T_DYN, fsize, "PT_DYNAMIC", err, errlen);
    if (!d)
        return -1;
    n = d->d_size / entsize;
    if (n > DYN_MAX_ENTRIES)
        n = DYN_MAX_ENTRIES;
    /* First pass: where the strings are, how many DT_NEEDED. */
    for (i = 0; i < n; i++) {
        if (!gelf_getdyn(d, (int)i, &dyn))
            break;
        if (dyn.d_tag == DT_NULL)
            break;
        switch (dyn.d_tag) {
        case DT_STRTAB: strtab_addr = dyn.d_un.d_ptr; have_strtab = 1; break;
        case DT_STRSZ: strsz = dyn.d_un.d_val; have_strsz = 1; break;
        case DT_NEEDED: nneeded++; break;
        case DT_FLAGS_1: if (dyn.d_un.d_val & DF_1_PIE) *pie_flag = 1; break;
        default: break;
        }
    }
    n = i;
    if (!have_strtab || !have_strsz) {
        /* Nothing names a string: a dynamic section with no strings is fine. */
        for (i = 0; i < n; i++) {
            if (gelf_getdyn(d, (int)i, &dyn) &&
                (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RPATH ||
                 dyn.d_tag == DT_RUNPATH || dyn.d_tag == DT_SONAME)) {
                spool_seterr(err, errlen, "corrupt: dynamic section has string entries but no %s",
                       have_strtab ? "DT_STRSZ" : "DT_STRTAB");
                return -1;
            }
        }
        return 0;
    }
    if (vaddr_to_off(e, phnum, strtab_addr, strsz, &strtab_off) < 0) {
        spool_seterr(err, errlen, "corrupt: DT_STRTAB address 0x%llx (%llu bytes) is not in any loaded part of the file",
               (unsigned long long)strtab_addr, (unsigned long long)strsz);
        return -1;
    }
    strtab = chunk(e, strtab_off, strsz, ELF_T_BYTE, fsize, "dynamic string table", err, errlen);
    if (!strtab)
        return -1;
    if (nneeded) {
        info->needed = calloc(nneeded, sizeof *info->needed);
        if (!info->needed) {
            spool_seterr(err, errlen, "%s", strerror(ENOMEM));
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        if (!gelf_getdyn(d, (int)i, &dyn))
            break;
        switch (dyn.d_tag) {
        case DT_NEEDED:
            if (k < nneeded) {
                if (dynstr(strtab, dyn.d_un.d_val, "DT_NEEDED", &info->needed[k], err, errlen) < 0)
                    return -1;
                info->nneeded = ++k;
            }
            break;
        case DT_RUNPATH:
            if (!info->has_runpath) {
                if (dynstr(strtab, dyn.d_un.d_val, "DT_RUNPATH", &info->runpath, err, errlen) < 0)
                    return -1;
                info->has_runpath = 1;
            }
            break;
        case DT_RPATH:
            if (!info->has_rpath) {
                if (dynstr(strtab, dyn.d_un.d_val, "DT_RPATH", &info->rpath, err, errlen) < 0)
                    return -1;
                info->has_rpath = 1;
            }
            break;
        case DT_SONAME:
            if (!info->soname) {
                struct elfinfo_str s;
                if (dynstr(strtab, dyn.d_un.d_val, "DT_SONAME", &s, err, errlen) < 0)
                    return -1;
                info->soname = s.s;
            }
            break;
        default:
            break;
        }
    }
    return 0;
}

static int read_interp(Elf *e, const GElf_Phdr *ph, uint64_t fsize, struct elfinfo *info,
                       char *err, size_t errlen)
{
    Elf_Data *d;
    const char *s, *nul;
    if (ph->p_filesz == 0) {
        spool_seterr(err, errlen, "corrupt: PT_INTERP is empty");
        return -1;
    }
    d = chunk(e, ph->p_offset, ph->p_filesz, ELF_T_BYTE, fsize, "PT_INTERP", err, errlen);
    if (!d)
        return -1;
    s = d->d_buf;
    nul = memchr(s, '\0', d->d_size);
    if (!nul) {
        spool_seterr(err, errlen, "corrupt: PT_INTERP string is not terminated");
        return -1;
    }
    if (dupbytes(&info->interp, s, (size_t)(nul - s)) < 0) {
        spool_seterr(err, errlen, "%s", strerror(ENOMEM));
        return -1;
    }
    info->has_interp = 1;
    return 0;
}

/* Relocatable objects (and anything else without program headers): notes
 * from SHT_NOTE sections. */
static int read_section_notes(Elf *e, uint64_t fsize, struct elfinfo *info, char *err,
                              size_t errlen)
{
    Elf_Scn *scn = NULL;
    size_t count = 0;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (++count > 65536)
            break;
        if (!gelf_getshdr(scn, &sh)) {
            spool_seterr(err, errlen, "corrupt: bad section header: %s", elf_errmsg(-1));
            return -1;
        }
        if (sh.sh_type != SHT_NOTE)
            continue;
        if (read_notes(e, sh.sh_offset, sh.sh_size, sh.sh_addralign, fsize, info,
                       "SHT_NOTE section", err, errlen) < 0)
            return -1;
    }
    return 0;
}

static const char *kind_of(const struct elfinfo *info, int pie_flag)
{
    switch (info->e_type) {
    case ET_REL: return "relocatable";
    case ET_EXEC: return "executable";
    case ET_CORE: return "core";
    case ET_DYN:
        if (info->has_interp)
            return "pie-executable";
        return pie_flag ? "static-pie-executable" : "shared-library";
    default: return "other";
    }
}

static int inspect(Elf *e, uint64_t fsize, int head_is_elf, struct elfinfo *info, char *err,
                   size_t errlen)
{
    GElf_Ehdr eh;
    size_t phnum = 0, i;
    int pie_flag = 0, have_dyn = 0;
    GElf_Phdr dph = { 0 };  /* set when have_dyn; gcc -O2 cannot see that */

    if (elf_kind(e) != ELF_K_ELF) {
        if (head_is_elf)
            spool_seterr(err, errlen, "truncated or corrupt ELF header (file of %llu bytes)",
                   (unsigned long long)fsize);
        else if (elf_kind(e) == ELF_K_AR)
            spool_seterr(err, errlen, "is an ar archive, not an ELF object (inspect its members)");
        else
            spool_seterr(err, errlen, "not an ELF file");
        return -1;
    }
    if (!gelf_getehdr(e, &eh)) {
        spool_seterr(err, errlen, "truncated or corrupt ELF header: %s", elf_errmsg(-1));
        return -1;
    }
    info->elfclass = gelf_getclass(e) == ELFCLASS64 ? 64 : 32;
    info->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
    info->machine = eh.e_machine;
    info->e_type = eh.e_type;
    /* Checked here, before libelf, which quietly shortens a program header
     * table that runs past the end of the file. PN_XNUM defers the count to
     * section 0, which libelf reads. */
    if (eh.e_phnum != PN_XNUM && eh.e_phnum &&
        (eh.e_phoff > fsize || (uint64_t)eh.e_phnum * eh.e_phentsize > fsize - eh.e_phoff)) {
        spool_seterr(err, errlen, "truncated or corrupt: program headers (offset %llu, %u entries of %u bytes) end beyond the file (%llu bytes)",
               (unsigned long long)eh.e_phoff, (unsigned)eh.e_phnum, (unsigned)eh.e_phentsize,
               (unsigned long long)fsize);
        return -1;
    }
    if (elf_getphdrnum(e, &phnum) != 0) {
        spool_seterr(err, errlen, "truncated or corrupt: program headers (offset %llu, %u entries) cannot be read: %s",
               (unsigned long long)eh.e_phoff, (unsigned)eh.e_phnum, elf_errmsg(-1));
        return -1;
    }
    if (!phnum && (eh.e_type == ET_EXEC || eh.e_type == ET_DYN)) {
        /* Nothing of such a file could be loaded: say so rather than report
         * an empty program. */
        spool_seterr(err, errlen, "corrupt: %s without program headers",
               eh.e_type == ET_EXEC ? "executable" : "shared object");
        return -1;
    }
    info->has_phdrs = phnum > 0;
    for (i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph)) {
            spool_seterr(err, errlen, "truncated or corrupt: program header %zu: %s", i, elf_errmsg(-1));
            return -1;
        }
        if (ph.p_type == PT_NOTE) {
            if (read_notes(e, ph.p_offset, ph.p_filesz, ph.p_align, fsize, info, "PT_NOTE",
                           err, errlen) < 0)
                return -1;
        } else if (ph.p_type == PT_INTERP && !info->has_interp) {
            if (read_interp(e, &ph, fsize, info, err, errlen) < 0)
                return -1;
        } else if (ph.p_type == PT_DYNAMIC && !have_dyn) {
            dph = ph;
            have_dyn = 1;
        }
    }
    if (have_dyn && read_dynamic(e, phnum, &dph, fsize, &pie_flag, info, err, errlen) < 0)
        return -1;
    if (!phnum && read_section_notes(e, fsize, info, err, errlen) < 0)
        return -1;
    info->kind = kind_of(info, pie_flag);
    info->is_static = (info->e_type == ET_EXEC && !info->has_interp) ||
                      (info->e_type == ET_DYN && !info->has_interp && pie_flag);
    return 0;
}

/* head_is_elf: the file starts with the ELF magic (so a failure is a
 * truncated or broken ELF file, not some other kind of file). */
static int run(Elf *e, uint64_t fsize, int head_is_elf, struct elfinfo *info, char *err,
               size_t errlen)
{
    int rc;
    memset(info, 0, sizeof *info);
    if (!e) {
        spool_seterr(err, errlen, "cannot read as ELF: %s", elf_errmsg(-1));
        return -1;
    }
    rc = inspect(e, fsize, head_is_elf, info, err, errlen);
    if (rc < 0)
        elfinfo_free(info);
    return rc;
}

int elfinfo_mem(const void *buf, size_t len, struct elfinfo *info, char *err, size_t errlen)
{
    Elf *e;
    char *copy = NULL;
    int rc = -1;

    memset(info, 0, sizeof *info);
    if (libelf_ready() < 0) {
        spool_seterr(err, errlen, "libelf: %s", elf_errmsg(-1));
        return -1;
    }
    /* elf_memory wants a writable image; we promise not to touch the caller's. */
    copy = malloc(len ? len : 1);
    if (!copy) {
        spool_seterr(err, errlen, "%s", strerror(ENOMEM));
        return -1;
    }
    memcpy(copy, buf, len);
    e = elf_memory(copy, len);
    rc = run(e, len, len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0, info, err, errlen);
    if (e)
        elf_end(e);
    free(copy);
    return rc;
}

static int open_regular(const char *path, uint64_t *size, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        spool_seterr(err, errlen, "%s", strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        spool_seterr(err, errlen, "%s", strerror(errno));
        return spool_fail_close(fd);
    }
    if (!S_ISREG(st.st_mode)) {
        spool_seterr(err, errlen, "%s", S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        close(fd);
        errno = EINVAL;
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

int elfinfo_file(const char *path, struct elfinfo *info, char *err, size_t errlen)
{
    Elf *e = NULL;
    uint64_t size = 0;
    int fd, rc = -1;
    char magic[SELFMAG];

    memset(info, 0, sizeof *info);
    if (libelf_ready() < 0) {
        spool_seterr(err, errlen, "libelf: %s", elf_errmsg(-1));
        return -1;
    }
    fd = open_regular(path, &size, err, errlen);
    if (fd < 0)
        return -1;
    /* ELF_C_READ reads with pread on demand; ELF_C_READ_MMAP would turn a
     * file that shrinks under us into SIGBUS. */
    e = elf_begin(fd, ELF_C_READ, NULL);
    rc = run(e, size, pread(fd, magic, SELFMAG, 0) == SELFMAG && memcmp(magic, ELFMAG, SELFMAG) == 0,
             info, err, errlen);
    if (e)
        elf_end(e);
    close(fd);
    return rc;
}

int elfinfo_ids(const char *path, struct spool_note_ids *ids)
{
    struct elfinfo info;
    char err[SPOOL_ERR_MAX];
    memset(ids, 0, sizeof *ids);
    if (elfinfo_file(path, &info, err, sizeof err) < 0)
        return -1;
    *ids = info.ids;
    elfinfo_free(&info);
    return 0;
}

int elfinfo_ehdr(const char *path, int *elfclass, unsigned *machine, unsigned *e_type)
{
    unsigned char h[20];
    uint64_t size;
    int fd = open_regular(path, &size, NULL, 0);
    ssize_t n;
    if (fd < 0)
        return -1;
    n = pread(fd, h, sizeof h, 0);
    close(fd);
    if (n != (ssize_t)sizeof h || memcmp(h, ELFMAG, SELFMAG) != 0 ||
        (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
        (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
        return -1;
    /* e_type at 16, e_machine at 18, both 16-bit in the file's order. */
    if (h[EI_DATA] == ELFDATA2LSB) {
        *e_type = (unsigned)h[16] | (unsigned)h[17] << 8;
        *machine = (unsigned)h[18] | (unsigned)h[19] << 8;
    } else {
        *e_type = (unsigned)h[16] << 8 | (unsigned)h[17];
        *machine = (unsigned)h[18] << 8 | (unsigned)h[19];
    }
    *elfclass = h[EI_CLASS] == ELFCLASS64 ? 64 : 32;
    return 0;
}

const char *elfinfo_machine_name(unsigned machine, char *buf, size_t len)
{
    switch (machine) {
    case EM_386: return "i386";
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "ARM";
    case EM_PPC: return "PowerPC";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "S/390";
    case EM_RISCV: return "RISC-V";
    case EM_SPARCV9: return "SPARC v9";
    case EM_MIPS: return "MIPS";
    case EM_LOONGARCH: return "LoongArch";
    default:
        snprintf(buf, len, "machine %u", machine);
        return buf;
    }
}
