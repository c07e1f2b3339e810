/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A validating JSON scanner for the hot path of resolution.  runc's state.json
 * is ~30 KB of small objects; building it as a jansson tree costs ~0.7 ms, more
 * than the whole attach, to read two integers.  One pass checks the whole
 * document against RFC 8259 (strings, escapes, numbers, nesting, nothing after
 * the value) and, without allocating, notes the span of the value at each path
 * of object keys asked for (a pass per field made it 270 us instead of 45).
 * It is a parser, not a string search: a key is only found as a member name of
 * the object on the path, never inside a string or a nested value, and a path
 * key that appears twice is an error (what jansson's JSON_REJECT_DUPLICATES
 * does), so no writer can show us one value and the runtime another.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "util.h"

#define JSCAN_DEPTH 64

static const char *ws(const char *p, const char *end)
{
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
                p++;
        return p;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* The four hex digits of a \u escape at p, if all four are there before end. */
static int hex4(const char *p, const char *end, uint32_t *ret)
{
        uint32_t v = 0;

        if (end - p < 4)
                return -1;
        for (int i = 0; i < 4; i++) {
                int h = hexval(p[i]);
                if (h < 0)
                        return -1;
                v = v << 4 | (uint32_t)h;
        }
        *ret = v;
        return 0;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Does any of the eight bytes at p end a run of plain string characters: a
 * quote, a backslash or a control character?  (A byte is zero in w - ONES & ~w
 * & HIGHS's sense only if some byte is below the subtracted value.) */
static bool special8(const char *p)
{
        uint64_t w, q, b;

        memcpy(&w, p, 8);
        q = w ^ (ONES * '"');
        b = w ^ (ONES * '\\');
        return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w)) & HIGHS;
}

/* p at '"'; returns the position after the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
        for (p++; p < end;) {
                while (end - p >= 8 && !special8(p))
                        p += 8;
                if (p >= end)
                        break;
                unsigned char c = (unsigned char)*p;
                if (c == '"')
                        return p + 1;
                if (c < 0x20)
                        return NULL;
                if (c != '\\') {
                        p++;
                        continue;
                }
                if (++p >= end)
                        return NULL;
                switch (*p) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                        p++;
                        break;
                case 'u':
                        if (end - p < 5)
                                return NULL;
                        for (int i = 1; i <= 4; i++)
                                if (hexval(p[i]) < 0)
                                        return NULL;
                        p += 5;
                        break;
                default:
                        return NULL;
                }
        }
        return NULL;
}

static const char *skip_number(const char *p, const char *end)
{
        if (p < end && *p == '-')
                p++;
        if (p >= end)
                return NULL;
        if (*p == '0')
                p++;
        else if (*p >= '1' && *p <= '9')
                while (p < end && *p >= '0' && *p <= '9')
                        p++;
        else
                return NULL;
        if (p < end && *p == '.') {
                const char *d = ++p;
                while (p < end && *p >= '0' && *p <= '9')
                        p++;
                if (p == d)
                        return NULL;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
                p++;
                if (p < end && (*p == '+' || *p == '-'))
                        p++;
                const char *d = p;
                while (p < end && *p >= '0' && *p <= '9')
                        p++;
                if (p == d)
                        return NULL;
        }
        return p;
}

/* A key span equal to key?  Keys with escapes are decoded first. */
static bool key_is(const char *k, size_t klen, const char *key)
{
        size_t l = strlen(key);

        if (!memchr(k, '\\', klen))
                return klen == l + 2 && !memcmp(k + 1, key, l);
        char buf[256];
        struct jspan s = { k, klen };
        return jscan_string(s, buf, sizeof(buf)) == 0 && !strcmp(buf, key);
}

struct scan {
        const char *end;
        struct jscan_field *f;
        uint32_t seen[JSCAN_FIELDS_MAX]; /* bit d: f[i].path[d] met once already */
};

/*
 * Check the value at p and skip it.  active: the fields whose path leads
 * through this value, which is then the object holding their path[depth].
 * A value is never scanned twice: one pass validates and extracts.
 */
static const char *scan_value(struct scan *s, const char *p, int depth, uint32_t active)
{
        const char *end = s->end;

        p = ws(p, end);
        if (p >= end || depth > JSCAN_DEPTH)
                return NULL;
        switch (*p) {
        case '"':
                return skip_string(p, end);
        case '{':
        case '[': {
                char close = *p == '{' ? '}' : ']';
                bool obj = *p == '{';
                p = ws(p + 1, end);
                if (p < end && *p == close)
                        return p + 1;
                for (;;) {
                        uint32_t sub = 0, here = 0;
                        if (obj) {
                                const char *k = p;
                                if (p >= end || *p != '"' || !(p = skip_string(p, end)))
                                        return NULL;
                                for (uint32_t m = active; m; m &= m - 1) {
                                        int i = __builtin_ctz(m);
                                        if (!key_is(k, (size_t)(p - k), s->f[i].path[depth]))
                                                continue;
                                        /* a key on a path twice: which one counts
                                         * would be the writer's choice */
                                        if (s->seen[i] & (1u << depth))
                                                return NULL;
                                        s->seen[i] |= 1u << depth;
                                        if (s->f[i].path[depth + 1])
                                                sub |= 1u << i;
                                        else
                                                here |= 1u << i;
                                }
                                p = ws(p, end);
                                if (p >= end || *p++ != ':')
                                        return NULL;
                        }
                        const char *val = p = ws(p, end);
                        if (!(p = scan_value(s, p, depth + 1, sub)))
                                return NULL;
                        for (; here; here &= here - 1)
                                s->f[__builtin_ctz(here)].v = (struct jspan){ val, (size_t)(p - val) };
                        p = ws(p, end);
                        if (p < end && *p == ',') {
                                p = ws(p + 1, end);
                                continue;
                        }
                        if (p < end && *p == close)
                                return p + 1;
                        return NULL;
                }
        }
        case 't':
                return end - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
        case 'f':
                return end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
        case 'n':
                return end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
        default:
                return skip_number(p, end);
        }
}

/*
 * Validate the document (RFC 8259) and find each field's value in the same
 * pass: f[i].v is its span, or { NULL, 0 } when the path is absent or leads
 * through something that is not an object.  -EBADMSG: not JSON, or a key of
 * some path appears twice in the object that should hold it once.
 */
int jscan_extract(const char *json, size_t len, struct jscan_field *f, size_t n)
{
        struct scan s = { .end = json + len, .f = f };
        uint32_t active = 0;

        if (n > JSCAN_FIELDS_MAX)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                size_t l = 0;
                while (f[i].path[l])
                        l++;
                if (l == 0 || l > JSCAN_PATH_MAX)
                        return -EINVAL;
                f[i].v = (struct jspan){ NULL, 0 };
                active |= 1u << i;
        }
        const char *p = scan_value(&s, json, 0, active);
        return p && ws(p, s.end) == s.end ? 0 : -EBADMSG;
}

int jscan_validate(const char *json, size_t len)
{
        return jscan_extract(json, len, NULL, 0);
}

/*
 * Decode a string span (with its quotes) into buf; -ENAMETOOLONG if it does not
 * fit, -EBADMSG for \u0000 or a lone surrogate (no runtime writes them in the
 * fields we read).
 */
int jscan_string(struct jspan v, char *buf, size_t len)
{
        const char *p = v.p + 1, *end = v.p + v.len - 1;
        size_t n = 0;

        if (v.len < 2 || v.p[0] != '"')
                return -EINVAL;
        while (p < end) {
                uint32_t cp;
                if (*p != '\\') {
                        cp = (unsigned char)*p++;
                        if (n + 1 >= len)
                                return -ENAMETOOLONG;
                        buf[n++] = (char)cp;
                        continue;
                }
                p++;
                switch (*p++) {
                case 'b': cp = '\b'; break;
                case 'f': cp = '\f'; break;
                case 'n': cp = '\n'; break;
                case 'r': cp = '\r'; break;
                case 't': cp = '\t'; break;
                case 'u':
                        /* a span that skip_string() let through has all four digits; one made elsewhere may not */
                        if (hex4(p, end, &cp) < 0)
                                return -EBADMSG;
                        p += 4;
                        if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                                uint32_t lo;
                                if (hex4(p + 2, end, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
                                        return -EBADMSG;
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                p += 6;
                        } else if (cp >= 0xd800 && cp <= 0xdfff)
                                return -EBADMSG;
                        break;
                default: cp = (unsigned char)p[-1]; break; /* " \ / */
                }
                if (cp == 0)
                        return -EBADMSG;
                char u[4];
                size_t k;
                if (cp < 0x80)
                        u[0] = (char)cp, k = 1;
                else if (cp < 0x800)
                        u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), k = 2;
                else if (cp < 0x10000)
                        u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
                        u[2] = (char)(0x80 | (cp & 0x3f)), k = 3;
                else
                        u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
                        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), k = 4;
                if (n + k >= len)
                        return -ENAMETOOLONG;
                memcpy(buf + n, u, k);
                n += k;
        }
        buf[n] = '\0';
        return 0;
}

char *jscan_strdup(struct jspan v)
{
        char *buf;

        if (v.len < 2 || v.p[0] != '"' || !(buf = malloc(v.len)))
                return NULL;
        if (jscan_string(v, buf, v.len) < 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

int jscan_uint(struct jspan v, uint64_t max, uint64_t *ret)
{
        char buf[24];

        if (v.len == 0 || v.len >= sizeof(buf))
                return -EBADMSG;
        memcpy(buf, v.p, v.len);
        buf[v.len] = '\0';
        return parse_uint(buf, max, ret) < 0 ? -EBADMSG : 0;
}

bool jscan_is(struct jspan v, const char *literal)
{
        return v.len == strlen(literal) && !memcmp(v.p, literal, v.len);
}
