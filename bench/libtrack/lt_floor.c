/* lt_floor.so: the floor under libtrack's cost. A preload library that does
 * nothing but what the write protocol (docs/spec.md "2. File names") requires of any writer: a start
 * record before main and an end record at exit, each created as a temp file
 * (O_CREAT|O_EXCL|O_NOFOLLOW), written whole and renamed, in a directory
 * given by LT_FLOOR_DIR. No config, no identity, no objects: comparing it
 * with the empty library gives the price of the protocol alone. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[512];
static char rec[600];

static void put(const char *kind)
{
    char tmp[700], fin[700];
    int fd;
    snprintf(fin, sizeof fin, "%s/%d.%s.json", dir, (int)getpid(), kind);
    snprintf(tmp, sizeof tmp, "%s/.%d.%s.json.tmp", dir, (int)getpid(), kind);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    if (write(fd, rec, sizeof rec) < 0) {
        close(fd);
        unlink(tmp);
        return;
    }
    close(fd);
    rename(tmp, fin);
}

static void at_end(void)
{
    put("zzz");
}

__attribute__((constructor)) static void floor_init(void)
{
    const char *d = getenv("LT_FLOOR_DIR");
    if (!d || strlen(d) >= sizeof dir)
        return;
    strcpy(dir, d);
    memset(rec, 'x', sizeof rec);
    put("aaa");
    atexit(at_end);
}
