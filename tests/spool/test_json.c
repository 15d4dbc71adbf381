/* JSON writer: escaping rules, reversible non-UTF-8 bytes (checked through
 * yajl, the parser every reader uses), truncation and rewind. */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "spool_json.h"
#include "tcheck.h"

/* Writes s as {"k": s}, parses it with yajl, undoes the byte escapes and
 * checks the bytes come back identical. */
static void roundtrip(const char *s, size_t n)
{
    static char buf[4 * 1024 * 1024];
    char errbuf[256];
    struct spool_json j;
    const char *path[] = { "k", NULL };
    yajl_val tree, v;

    spool_json_init(&j, buf, sizeof buf);
    spool_json_obj_open(&j);
    spool_json_key(&j, "k");
    spool_json_strn(&j, s, n, 0, NULL);
    spool_json_obj_close(&j);
    CHECK_INT(spool_json_finish(&j), 0);
    tree = yajl_tree_parse(buf, errbuf, sizeof errbuf);
    CHECK(tree != NULL);
    if (!tree) {
        tcheck_fail(__FILE__, __LINE__, "yajl: %s on %.200s", errbuf, buf);
        return;
    }
    v = yajl_tree_get(tree, path, yajl_t_string);
    CHECK(v != NULL);
    const char *sv = v ? YAJL_GET_STRING(v) : NULL;
    if (sv) {
        char *copy = strdup(sv);
        size_t len = spool_json_unescape_bytes(copy, strlen(copy));
        /* Strings with NUL cannot be C strings in yajl's tree; callers never
         * pass NUL (argv and environ cannot hold one). */
        CHECK_MEM(copy, len, s, n);
        free(copy);
    }
    yajl_tree_free(tree);
}

static void test_escapes(void)
{
    char buf[256];
    struct spool_json j;
    spool_json_init(&j, buf, sizeof buf);
    spool_json_arr_open(&j);
    spool_json_str(&j, "a\"b\\c\n\t\x01\x7f");
    spool_json_int(&j, -42);
    spool_json_uint(&j, 18446744073709551615ULL);
    spool_json_time(&j, 1732214400, 5);
    spool_json_bool(&j, 1);
    spool_json_null(&j);
    spool_json_obj_open(&j);
    spool_json_kstr(&j, "x", "\xc3\xa9");
    spool_json_kint(&j, "y", 0);
    spool_json_obj_close(&j);
    spool_json_arr_close(&j);
    CHECK_INT(spool_json_finish(&j), 0);
    CHECK_STR(buf, "[\"a\\\"b\\\\c\\n\\t\\u0001\x7f\",-42,18446744073709551615,"
                   "1732214400.000005,true,null,{\"x\":\"\xc3\xa9\",\"y\":0}]");
}

static void test_invalid_utf8(void)
{
    /* Lone continuation, truncated sequence, overlong '/', UTF-8-encoded
     * surrogate (what a decoded \udc80 looks like: must itself round-trip),
     * above U+10FFFF, 0xff, and valid 4-byte emoji between them. */
    static const char s[] = "\x80" "ab\xc3" "\xc0\xaf" "\xed\xb2\x80" "\xf4\x90\x80\x80"
                            "\xff" "\xf0\x9f\x98\x80" "end\xe2\x82";
    char buf[512];
    struct spool_json j;
    roundtrip(s, sizeof s - 1);
    spool_json_init(&j, buf, sizeof buf);
    spool_json_str(&j, "\x80\xff");
    spool_json_finish(&j);
    CHECK_STR(buf, "\"\\udc80\\udcff\"");
    for (int c = 1; c < 256; c++) {
        char one[3] = { (char)c, 'x', 0 };
        roundtrip(one, 2);
    }
}

static void test_big_and_cut(void)
{
    size_t n = 1024 * 1024;
    char *big = malloc(n);
    char small[64];
    struct spool_json j;
    struct spool_json_mark m;
    int cut = 0;
    for (size_t i = 0; i < n; i++)
        big[i] = (char)(0x20 + i % 90);
    roundtrip(big, n);

    /* A cut never splits a UTF-8 sequence: 3-byte chars, cut at 4 bytes. */
    spool_json_init(&j, small, sizeof small);
    spool_json_strn(&j, "\xe2\x82\xac\xe2\x82\xac", 6, 4, &cut);
    spool_json_finish(&j);
    CHECK(cut == 1);
    CHECK_STR(small, "\"\xe2\x82\xac\"");

    /* Overflow then rewind to the mark: the document is whole again. */
    spool_json_init(&j, small, sizeof small);
    spool_json_arr_open(&j);
    spool_json_str(&j, "keep");
    m = spool_json_mark(&j);
    spool_json_strn(&j, big, 200, 0, NULL);
    CHECK(j.overflow);
    spool_json_rewind(&j, m);
    spool_json_str(&j, "more");
    spool_json_arr_close(&j);
    CHECK_INT(spool_json_finish(&j), 0);
    CHECK_STR(small, "[\"keep\",\"more\"]");
    free(big);
}

int main(void)
{
    test_escapes();
    test_invalid_utf8();
    test_big_and_cut();
    return tcheck_result();
}
