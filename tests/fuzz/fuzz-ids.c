/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The number parsers: parse_uint(), parse_pid(), parse_id(), target_parse_pid()
 * and map_id().  The first byte of the input says what the rest is:
 *   'u'  8 bytes of a maximum (little endian), then a string for parse_uint();
 *   'm'  4 bytes of a host id (little endian), then a uid_map text for map_id();
 *   else a string for every string parser, parse_uint() with a set of maxima.
 * A sanitizer report or an abort() below is a finding.  Asserted:
 *   - parse_uint() keeps its contract exactly, against a model written out here:
 *     decimal digits only, not empty, not above max, the first violation decides
 *     the error (-EINVAL for a byte that is no digit, -ERANGE for the digit past
 *     max); leading zeros are allowed; a failure leaves the result unwritten;
 *   - a value parsed is the one its digits denote ("1" is never 0: crun
 *     CVE-2026-30892 read "-u 1" as uid 0), and printed back with %u/%d it
 *     parses to itself;
 *   - parse_pid() is parse_uint() up to INT_MAX with 0 refused (-ERANGE);
 *     parse_id() is parse_uint() up to 2^32-2, so (uid_t)-1 never comes out;
 *     target_parse_pid() is parse_pid() after an optional "pid:";
 *   - map_id() returns 0 or -ERANGE and never the id 2^32-1, and exactly what a
 *     model reading line by line returns: a line is a mapping only with three
 *     blank-separated fields of digits (no signs, nothing after), and the first
 *     one whose range holds the host id maps it to inside + (host id - outside),
 *     computed without wrapping.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsattach.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SENTINEL 0x5a5a5a5a5a5a5a5aULL

/* The contract of parse_uint(), written out. */
static int model_uint(const char *s, uint64_t max, uint64_t *ret)
{
        unsigned __int128 v = 0;

        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(*s - '0');
                if (v > max)
                        return -ERANGE;
        }
        *ret = (uint64_t)v;
        return 0;
}

/* s, all digits, denotes v: the same digits once leading zeros are dropped. */
static void check_digits(const char *s, uint64_t v)
{
        char buf[24];

        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        s += strspn(s, "0");
        if (strcmp(*s ? s : "0", buf) != 0)
                abort();
}

static void check_uint(const char *s, uint64_t max)
{
        uint64_t v = SENTINEL, want = SENTINEL, again = SENTINEL;
        char buf[24];
        int r = parse_uint(s, max, &v);

        if (r != model_uint(s, max, &want) || v != want)
                abort();
        if (r < 0)
                return;
        if (v > max)
                abort();
        check_digits(s, v);
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        if (parse_uint(buf, max, &again) != 0 || again != v)
                abort();
}

static void check_pid(const char *s)
{
        pid_t p = -7, again = -7;
        uint64_t want = SENTINEL;
        char buf[16];
        int r = parse_pid(s, &p), m = model_uint(s, INT_MAX, &want);

        if (m == 0 && want == 0)
                m = -ERANGE; /* pid 0 is never a target */
        if (r != m)
                abort();
        if (r < 0) {
                if (p != -7)
                        abort();
                return;
        }
        if (p <= 0 || (uint64_t)p != want)
                abort();
        check_digits(s, (uint64_t)p);
        snprintf(buf, sizeof(buf), "%d", p);
        if (parse_pid(buf, &again) != 0 || again != p)
                abort();
}

static void check_id(const char *s)
{
        uint32_t id = 0x5a5a5a5a, again = 0;
        uint64_t want = SENTINEL;
        char buf[16];
        int r = parse_id(s, &id);

        if (r != model_uint(s, UINT32_MAX - 1, &want))
                abort();
        if (r < 0) {
                if (id != 0x5a5a5a5a)
                        abort();
                return;
        }
        if (id == UINT32_MAX || id != want)
                abort();
        check_digits(s, id);
        snprintf(buf, sizeof(buf), "%u", id);
        if (parse_id(buf, &again) != 0 || again != id)
                abort();
}

static void check_target_pid(const char *s)
{
        pid_t p = -7, q = -7;
        int r = target_parse_pid(s, &p);
        int m = parse_pid(strncmp(s, "pid:", 4) == 0 ? s + 4 : s, &q);

        if (r != m || p != q || (r == 0 && p <= 0))
                abort();
}

static void check_string(const char *s)
{
        static const uint64_t maxima[] = {
                0, 1, 5, 9, 10, 99, 255, INT_MAX, UINT32_MAX - 1, UINT32_MAX, UINT64_MAX - 1, UINT64_MAX,
        };

        for (size_t i = 0; i < ELEMENTSOF(maxima); i++)
                check_uint(s, maxima[i]);
        check_pid(s);
        check_id(s);
        check_target_pid(s);
}


/* A field of a map line: digits only, at most UINT32_MAX. */
static bool model_field(const char *t, uint64_t *ret)
{
        uint64_t v = 0;
        if (!*t)
                return false;
        for (; *t; t++) {
                if (*t < '0' || *t > '9')
                        return false;
                v = v * 10 + (uint64_t)(*t - '0');
                if (v > UINT32_MAX)
                        return false;
        }
        *ret = v;
        return true;
}

/*
 * map_id() as a model that reads each line alone: a line is a mapping only
 * when it holds exactly three blank-separated fields of digits; the first
 * line whose range holds the id decides.
 */
static int model_map(const char *map, uint32_t outside, uint32_t *ret)
{
        for (const char *line = map; *line;) {
                size_t n = strcspn(line, "\n");
                char *l = strndup(line, n), *save = NULL;
                uint64_t f[3];
                int k = 0;
                bool ok = true;

                if (!l)
                        abort();
                for (char *t = strtok_r(l, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                        if (k == 3 || !model_field(t, &f[k])) {
                                ok = false;
                                break;
                        }
                        k++;
                }
                free(l);
                if (ok && k == 3 && f[2] > 0 && outside >= f[1] && (uint64_t)outside - f[1] < f[2]) {
                        uint64_t off = (uint64_t)outside - f[1], v = f[0] + off;
                        /* f[0], off < 2^32: no wrap in 64 bits; v lies in [f[0], f[0] + count) */
                        if (v < f[0] || v - f[0] != off || off >= f[2])
                                abort();
                        if (v > UINT32_MAX - 1)
                                return -ERANGE;
                        *ret = (uint32_t)v;
                        return 0;
                }
                line += n;
                if (*line)
                        line++;
        }
        return -ERANGE;
}

static void check_map(const char *map, uint32_t outside)
{
        uint32_t in = 0x5a5a5a5a, want = 0x5a5a5a5a;
        int r = map_id(map, outside, &in);
        int m = model_map(map, outside, &want);

        if (r != 0 && r != -ERANGE)
                abort();
        if (r == 0 && in == UINT32_MAX)
                abort();
        if (r != m || (r == 0 && in != want))
                abort();
}

/* The host id given, and the edges of the first lines' ranges. */
static void check_maps(const char *map, uint32_t outside)
{
        int lines = 0;

        check_map(map, outside);
        for (const char *line = map; *line && lines < 8; lines++) {
                unsigned long in, out, count;
                size_t n = strcspn(line, "\n");
                char *l = strndup(line, n);

                if (!l)
                        abort();
                if (sscanf(l, "%lu %lu %lu", &in, &out, &count) == 3 && out <= UINT32_MAX && count <= UINT32_MAX) {
                        uint64_t edges[] = { out, out + count - 1, out + count, out - 1 };
                        for (size_t i = 0; i < ELEMENTSOF(edges); i++)
                                if (edges[i] <= UINT32_MAX)
                                        check_map(map, (uint32_t)edges[i]);
                }
                free(l);
                line += n;
                if (*line)
                        line++;
        }
}

static uint64_t little_endian(const uint8_t *p, size_t avail, size_t n)
{
        uint64_t v = 0;

        for (size_t i = 0; i < n && i < avail; i++)
                v |= (uint64_t)p[i] << (8 * i);
        return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t skip;
        char *s;

        if (size == 0)
                return 0;
        skip = data[0] == 'u' ? 9 : data[0] == 'm' ? 5 : 1;
        skip = skip < size ? skip : size;
        s = strndup((const char *)data + skip, size - skip);
        if (!s)
                return 0;
        if (data[0] == 'u')
                check_uint(s, little_endian(data + 1, size - 1, 8));
        else if (data[0] == 'm')
                check_maps(s, (uint32_t)little_endian(data + 1, size - 1, 4));
        else
                check_string(s);
        free(s);
        return 0;
}
