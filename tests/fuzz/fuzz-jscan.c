/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jscan against jansson, on the same bytes: what jansson accepts (no duplicate
 * keys, shallow enough) jscan must accept, with the same value at every path
 * asked for; what jscan accepts and jansson refuses must be one of the things
 * jscan leaves to its caller (UTF-8, surrogates, huge numbers).  A difference
 * is a finding.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int depth(json_t *j)
{
        int d = 0;

        if (json_is_object(j)) {
                const char *k;
                json_t *v;
                json_object_foreach(j, k, v) {
                        int c = depth(v);
                        d = c > d ? c : d;
                }
                return d + 1;
        }
        if (json_is_array(j)) {
                size_t i;
                json_t *v;
                json_array_foreach(j, i, v) {
                        int c = depth(v);
                        d = c > d ? c : d;
                }
                return d + 1;
        }
        return 0;
}

static json_t *follow(json_t *j, const char *const *path)
{
        for (; *path && j; path++)
                j = json_is_object(j) ? json_object_get(j, *path) : NULL;
        return j;
}

/* Refusals of jansson's that jscan does not make while scanning. */
static bool left_to_caller(const char *why)
{
        /* "NUL byte in object key": jansson cannot hold "\u0000" in a key, JSON allows it */
        static const char *const ok[] = { "decode byte", "Unicode", "too big", "overflow", "depth",
                                          "NUL byte in object key" };
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                if (strstr(why, ok[i]))
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const p_a[] = { "a", NULL }, *const p_bc[] = { "b", "c", NULL };
        static const char *const p_pid[] = { "init_process_pid", NULL };
        static const char *const p_rootfs[] = { "config", "rootfs", NULL };
        static const char *const p_state[] = { "State", "Pid", NULL };
        struct jscan_field f[] = { { p_a, {} }, { p_bc, {} }, { p_pid, {} }, { p_rootfs, {} }, { p_state, {} } };
        const size_t n = sizeof(f) / sizeof(f[0]);
        const char *s = (const char *)data;
        json_error_t e;

        int r = jscan_extract(s, size, f, n);
        json_t *strict = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &e);
        /* jansson takes a NUL byte for the end of the input; jscan, rightly,
         * for a byte that is not JSON */
        bool nul = memchr(s, 0, size) != NULL;
        if (strict && !nul && depth(strict) < 60) {
                if (r != 0)
                        abort(); /* valid JSON refused */
                for (size_t i = 0; i < n; i++) {
                        json_t *want = follow(strict, f[i].path);
                        if (!want != !f[i].v.p)
                                abort(); /* found by one, not the other */
                        if (!want)
                                continue;
                        json_t *got = json_loadb(f[i].v.p, f[i].v.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
                        if (!got || !json_equal(got, want))
                                abort(); /* a different value */
                        json_decref(got);
                }
        }
        json_decref(strict);

        if (r == 0) {
                json_t *any = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
                if (!any && !left_to_caller(e.text))
                        abort(); /* accepted what is not JSON */
                json_decref(any);
        }
        return 0;
}
