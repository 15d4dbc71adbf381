/* Comma-separated glob lists. Called before main for include/exclude and
 * env: no allocation, items copied into a stack buffer for fnmatch. */
#include "spool_list.h"

#include <fnmatch.h>
#include <string.h>

#define ITEM_MAX 1024

/* Calls match(item) for every trimmed, non-empty item of list; returns 1 at
 * the first item for which it returns 1. */
static int each_item(const char *list, int (*match)(const char *item, const void *arg),
                     const void *arg)
{
    char item[ITEM_MAX];
    const char *p = list;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        size_t a = 0, b = n;
        while (a < b && (p[a] == ' ' || p[a] == '\t'))
            a++;
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
            b--;
        if (b > a && b - a < sizeof item) {
            memcpy(item, p + a, b - a);
            item[b - a] = '\0';
            if (match(item, arg))
                return 1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

struct glob_arg { const char *s; int flags; };

static int glob_match(const char *item, const void *arg)
{
    const struct glob_arg *g = arg;
    return fnmatch(item, g->s, g->flags) == 0;
}

int spool_list_match(const char *list, const char *s, int fnm_flags)
{
    struct glob_arg g = { s, fnm_flags };
    return each_item(list, glob_match, &g);
}

int spool_list_match_env(const char *list, const char *entry)
{
    char name[ITEM_MAX];
    const char *eq = strchr(entry, '=');
    size_t n = eq ? (size_t)(eq - entry) : strlen(entry);
    if (n == 0 || n >= sizeof name)
        return 0;
    memcpy(name, entry, n);
    name[n] = '\0';
    return spool_list_match(list, name, 0);
}

static int prefix_match(const char *item, const void *arg)
{
    const char *path = arg;
    size_t n = strlen(item);
    while (n > 1 && item[n - 1] == '/')
        n--;
    if (strncmp(path, item, n) != 0)
        return 0;
    return path[n] == '\0' || path[n] == '/' || item[n - 1] == '/';
}

int spool_list_prefix(const char *list, const char *path)
{
    return each_item(list, prefix_match, path);
}
