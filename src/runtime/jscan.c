/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A validating JSON scanner for the hot path of resolution.  runc's state.json
 * is ~30 KB of small objects; building it as a jansson tree costs ~0.7 ms, more
 * than the whole attach, to read two integers.  This checks the whole document
 * against RFC 8259 (strings, escapes, numbers, nesting, nothing after the
 * value) and then walks it without allocating, returning the span of the value
 * at a path of object keys.  It is a parser, not a string search: a key is only
 * found as a member name of the object on the path, never inside a string or a
 * nested value, and a path key that appears twice is an error (what jansson's
 * JSON_REJECT_DUPLICATES does), so no writer can show us one value and the
 * runtime another.
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

/* p at '"'; returns the position after the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
        for (p++; p < end; p++) {
                unsigned char c = (unsigned char)*p;
                if (c == '"')
                        return p + 1;
                if (c < 0x20)
                        return NULL;
                if (c != '\\')
                        continue;
                if (++p >= end)
                        return NULL;
                switch (*p) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                        break;
                case 'u':
                        if (end - p < 5)
                                return NULL;
                        for (int i = 1; i <= 4; i++)
                                if (hexval(p[i]) < 0)
                                        return NULL;
                        p += 4;
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

static const char *skip_value(const char *p, const char *end, int depth)
{
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
                        if (obj) {
                                if (p >= end || *p != '"' || !(p = skip_string(p, end)))
                                        return NULL;
                                p = ws(p, end);
                                if (p >= end || *p++ != ':')
                                        return NULL;
                        }
                        if (!(p = skip_value(p, end, depth + 1)))
                                return NULL;
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

int jscan_validate(const char *json, size_t len)
{
        const char *end = json + len;
        const char *p = skip_value(json, end, 0);

        return p && ws(p, end) == end ? 0 : -EBADMSG;
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
                        cp = (uint32_t)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
                        p += 4;
                        if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                                uint32_t lo = (uint32_t)(hexval(p[2]) << 12 | hexval(p[3]) << 8 |
                                                         hexval(p[4]) << 4 | hexval(p[5]));
                                if (lo < 0xdc00 || lo > 0xdfff)
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

/*
 * The value of member key in the object v: 0 and its span, -ENOENT, or -EBADMSG
 * when v is not an object or names key twice.  v must come from a validated
 * document (jscan_validate, then jscan_get/jscan_member).
 */
int jscan_member(struct jspan v, const char *key, struct jspan *ret)
{
        const char *p = ws(v.p, v.p + v.len), *end = v.p + v.len;
        bool found = false;

        if (p >= end || *p != '{')
                return -EBADMSG;
        p = ws(p + 1, end);
        while (p < end && *p == '"') {
                const char *k = p;
                p = skip_string(p, end);
                size_t klen = (size_t)(p - k);
                p = ws(p, end) + 1; /* ':' */
                p = ws(p, end);
                const char *val = p;
                p = skip_value(p, end, 0);
                if (!p)
                        return -EBADMSG;
                if (key_is(k, klen, key)) {
                        if (found)
                                return -EBADMSG;
                        found = true;
                        *ret = (struct jspan){ val, (size_t)(p - val) };
                }
                p = ws(p, end);
                if (p < end && *p == ',')
                        p = ws(p + 1, end);
        }
        return found ? 0 : -ENOENT;
}

/* Follow a NULL-terminated path of keys from the document's root. */
int jscan_get(struct jspan doc, const char *const *path, struct jspan *ret)
{
        struct jspan v = doc;

        for (; *path; path++) {
                int r = jscan_member(v, *path, &v);
                if (r < 0)
                        return r;
        }
        *ret = v;
        return 0;
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
