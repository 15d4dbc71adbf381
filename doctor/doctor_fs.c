/* track-doctor's file-system checks: the config file's owner and mode, the
 * spool root, the archive. Every judgement uses the rules the components
 * apply themselves (spool_path_is_secure, the modes the epilog creates), so
 * what the doctor calls fine is what they accept. */
#include "doctor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_dir.h"

/* Files looked at per archive directory: enough to catch a wrong umask or a
 * chmod, without reading a directory of a million records. */
#define FILES_PER_DIR 200

const char *doc_user(uid_t uid, char *buf, size_t len)
{
    struct passwd *pw = getpwuid(uid);
    if (pw)
        snprintf(buf, len, "%s (uid %lu)", pw->pw_name, (unsigned long)uid);
    else
        snprintf(buf, len, "uid %lu", (unsigned long)uid);
    return buf;
}

const char *doc_group(gid_t gid, char *buf, size_t len)
{
    struct group *gr = getgrgid(gid);
    if (gr)
        snprintf(buf, len, "%s (gid %lu)", gr->gr_name, (unsigned long)gid);
    else
        snprintf(buf, len, "gid %lu", (unsigned long)gid);
    return buf;
}

static const char *owner_str(const struct stat *st, char *buf, size_t len)
{
    struct passwd *pw = getpwuid(st->st_uid);
    struct group *gr = getgrgid(st->st_gid);
    char u[64], g[64];
    if (pw)
        snprintf(u, sizeof u, "%s", pw->pw_name);
    else
        snprintf(u, sizeof u, "%lu", (unsigned long)st->st_uid);
    if (gr)
        snprintf(g, sizeof g, "%s", gr->gr_name);
    else
        snprintf(g, sizeof g, "%lu", (unsigned long)st->st_gid);
    snprintf(buf, len, "%s:%s %04o", u, g, (unsigned)(st->st_mode & 07777));
    return buf;
}

void doc_check_config_file(struct doc_report *r, const struct doc_ctx *c)
{
    struct stat st;
    char dir[SPOOL_CONF_PATH_MAX], err[1024], own[160];

    /* track-epilog (root) refuses a config anyone but root could change:
     * it names the directories root writes into. */
    if (!c->node || !c->conf_path[0] || lstat(c->conf_path, &st) < 0)
        return;
    doc_fact(r, "%s: %s", c->conf_path, owner_str(&st, own, sizeof own));
    if (st.st_uid != 0 || (st.st_mode & 022))
        doc_problem(r, "%s: owned by %s, mode %04o: track-epilog refuses a config that is "
                       "not root's or is writable by others (chown root; chmod go-w)",
                    c->conf_path, doc_user(st.st_uid, own, sizeof own),
                    (unsigned)(st.st_mode & 07777));
    snprintf(dir, sizeof dir, "%s", c->conf_path);
    if (spool_path_is_secure(dirname(dir), 0, err, sizeof err) < 0)
        doc_problem(r, "%s: directory not secure: %s", c->conf_path, err);
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* The per-user directories prepare makes: <spool>/<uid>, owned by uid, 0700. */
static void check_user_dirs(struct doc_report *r, const char *root)
{
    DIR *d = opendir(root);
    struct dirent *e;
    size_t n = 0;
    char path[SPOOL_CONF_PATH_MAX + 300], who[96];

    if (!d) {
        doc_problem(r, "%s: cannot list: %s", root, strerror(errno));
        return;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (!all_digits(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", root, e->d_name);
        if (lstat(path, &st) < 0)
            continue;
        n++;
        if (!S_ISDIR(st.st_mode))
            doc_problem(r, "%s: not a directory (a planted file or symlink: track-epilog "
                           "prepare replaces it)", path);
        else if ((unsigned long)st.st_uid != strtoul(e->d_name, NULL, 10))
            doc_problem(r, "%s: owned by %s, not by uid %s (track-epilog prepare replaces it)",
                        path, doc_user(st.st_uid, who, sizeof who), e->d_name);
        else if (st.st_mode & 077)
            doc_problem(r, "%s: mode %04o, others may see the user's records (must be 0700)",
                        path, (unsigned)(st.st_mode & 07777));
    }
    closedir(d);
    doc_fact(r, "%zu user director%s", n, n == 1 ? "y" : "ies");
}

void doc_check_spool(struct doc_report *r, const struct doc_ctx *c)
{
    const char *root = c->cfg.spool_dir;
    char parent[SPOOL_CONF_PATH_MAX], err[1024], own[160];
    struct stat st;

    doc_section(r, "spool");
    if (lstat(root, &st) < 0) {
        if (errno == ENOENT)
            doc_problem(r, "%s: missing (created at boot by tmpfiles.d, or by the Slurm "
                           "Prolog: track-epilog prepare)", root);
        else
            doc_problem(r, "%s: %s", root, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        doc_problem(r, "%s: not a directory%s: libtrack writes nothing", root,
                    S_ISLNK(st.st_mode) ? " (a symlink)" : "");
        return;
    }
    doc_fact(r, "%s: %s", root, owner_str(&st, own, sizeof own));
    if (st.st_uid != 0)
        doc_problem(r, "%s: owned by %s, must be root's: libtrack writes nothing there "
                       "(track-epilog prepare makes it root:root 1777)",
                    root, doc_user(st.st_uid, own, sizeof own));
    else if ((st.st_mode & 07777) != 01777)
        doc_problem(r, "%s: mode %04o, must be 1777 (sticky, writable by every user; "
                       "track-epilog prepare fixes it)", root, (unsigned)(st.st_mode & 07777));
    snprintf(parent, sizeof parent, "%s", root);
    if (spool_path_is_secure(dirname(parent), 0, err, sizeof err) < 0)
        doc_problem(r, "%s: parent not secure: %s", root, err);
    check_user_dirs(r, root);
}

struct arch {
    gid_t gid;
    int have_gid;
    size_t dirs, files, bad_files;
    char bad_example[SPOOL_CONF_PATH_MAX + 300];
    unsigned bad_mode;
};

/* One archive directory: group, mode (2770: the epilog's and the ingester's
 * mode), then a sample of its files (0640). must_root: month directories the
 * epilog made as root. */
static void check_arch_dir(struct doc_report *r, struct arch *a, const char *path,
                           int must_root, int depth)
{
    struct stat st;
    char own[160], sub[SPOOL_CONF_PATH_MAX + 300];
    DIR *d;
    struct dirent *e;
    size_t files = 0;

    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        doc_problem(r, "%s: not a directory", path);
        return;
    }
    a->dirs++;
    if (must_root && st.st_uid != 0)
        doc_problem(r, "%s: owned by %s, must be root's (track-epilog makes it)", path,
                    doc_user(st.st_uid, own, sizeof own));
    if (a->have_gid && st.st_gid != a->gid)
        doc_problem(r, "%s: group %s, must be archive_group %s", path,
                    doc_group(st.st_gid, own, sizeof own), doc_group(a->gid, sub, sizeof sub));
    if (st.st_mode & S_IWOTH)
        doc_problem(r, "%s: mode %04o: writable by others (must be 2770)", path,
                    (unsigned)(st.st_mode & 07777));
    else if (st.st_mode & 0007)
        doc_problem(r, "%s: mode %04o: others may read the records (must be 2770)", path,
                    (unsigned)(st.st_mode & 07777));
    else if (!(st.st_mode & S_ISGID))
        doc_problem(r, "%s: mode %04o: without set-group-id new files miss the group "
                       "(must be 2770)", path, (unsigned)(st.st_mode & 07777));
    if (!(d = opendir(path))) {
        doc_problem(r, "%s: cannot list: %s", path, strerror(errno));
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (lstat(sub, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < 2)
                check_arch_dir(r, a, sub, 0, depth + 1);
            continue;
        }
        if (files >= FILES_PER_DIR)
            continue;
        files++;
        a->files++;
        if (S_ISREG(st.st_mode) && (st.st_mode & 0007)) {
            if (!a->bad_files++) {
                snprintf(a->bad_example, sizeof a->bad_example, "%s", sub);
                a->bad_mode = (unsigned)(st.st_mode & 07777);
            }
        }
    }
    closedir(d);
}

void doc_check_archive(struct doc_report *r, const struct doc_ctx *c)
{
    const char *root = c->cfg.archive_dir;
    struct arch a;
    struct group *gr;
    struct stat st;
    char err[1024], own[160], sub[SPOOL_CONF_PATH_MAX + 300];
    DIR *d;
    struct dirent *e;

    memset(&a, 0, sizeof a);
    doc_section(r, "archive");
    if ((gr = getgrnam(c->cfg.archive_group)) != NULL) {
        a.gid = gr->gr_gid;
        a.have_gid = 1;
    } else {
        doc_problem(r, "archive_group = %s: no such group (create it with the same gid on "
                       "every node and the database host)", c->cfg.archive_group);
    }
    if (lstat(root, &st) < 0) {
        doc_problem(r, "%s: %s (is the shared file system mounted?)", root, strerror(errno));
        return;
    }
    doc_fact(r, "%s: %s", root, owner_str(&st, own, sizeof own));
    if (spool_path_is_secure(root, 0, err, sizeof err) < 0)
        doc_problem(r, "%s: not secure: %s", root, err);
    check_arch_dir(r, &a, root, 1, 2);
    if (!(d = opendir(root)))
        return;   /* check_arch_dir said why */
    while ((e = readdir(d)) != NULL) {
        int month = strlen(e->d_name) == 6 && all_digits(e->d_name);
        if (!month && strcmp(e->d_name, "done") != 0 && strcmp(e->d_name, "quarantine") != 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", root, e->d_name);
        /* done/ and quarantine/ are made by the ingester's account. */
        check_arch_dir(r, &a, sub, month, month ? 2 : 1);
    }
    closedir(d);
    if (a.bad_files)
        doc_problem(r, "%zu of %zu files looked at may be read by others, e.g. %s (mode %04o; "
                       "records hold command lines: must be 0640)",
                    a.bad_files, a.files, a.bad_example, a.bad_mode);
    doc_fact(r, "%zu directories, %zu files looked at (at most %d per directory)", a.dirs,
             a.files, FILES_PER_DIR);
}
