/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The program's environment (SPEC section 6). */
#include <stdio.h>
#include <string.h>

#include "hostexec.h"
#include "nsattach.h"
#include "util.h"

#define DEFAULT_PATH NSATTACH_DEFAULT_PATH

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **i = v; *i; i++)
                free(*i);
        free(v);
}

/*
 * Variables that name sockets: in the target's network namespace an abstract
 * socket (X11's @/tmp/.X11-unix/X0, a D-Bus bus) is the container's, and a
 * host program would talk to whatever the container put there.
 */
bool env_is_socket_var(const char *e)
{
        size_t n = strcspn(e, "=");

        if ((n == 7 && strncmp(e, "DISPLAY", 7) == 0) || strncmp(e, "DBUS_", 5) == 0 ||
            (n == 13 && strncmp(e, "NOTIFY_SOCKET", 13) == 0))
                return true;
        return n >= 7 && strncmp(e + n - 7, "_SOCKET", 7) == 0;
}

static bool env_is_clean(const char *e)
{
        static const char *const keep[] = { "TERM=", "LANG=", "TZ=", "COLUMNS=", "LINES=" };

        for (size_t i = 0; i < ELEMENTSOF(keep); i++)
                if (strncmp(e, keep[i], strlen(keep[i])) == 0)
                        return true;
        return strncmp(e, "LC_", 3) == 0;
}

struct strv {
        char **v;
        size_t n, cap;
};

static int strv_push(struct strv *s, char *owned)
{
        if (!owned)
                return -ENOMEM;
        if (s->n + 2 > s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 32;
                char **v = realloc(s->v, cap * sizeof(char *));
                if (!v) {
                        free(owned);
                        return -ENOMEM;
                }
                s->v = v;
                s->cap = cap;
        }
        s->v[s->n++] = owned;
        s->v[s->n] = NULL;
        return 0;
}

static const char *env_get(char **env, const char *key)
{
        size_t kl = strlen(key);

        for (char **e = env; e && *e; e++)
                if (strncmp(*e, key, kl) == 0 && (*e)[kl] == '=')
                        return *e + kl + 1;
        return NULL;
}

static char *path_entry(const char *a, const char *b)
{
        char *s;

        if (asprintf(&s, "PATH=%s%s%s", a ? a : "", a && b && *a && *b ? ":" : "", b ? b : "") < 0)
                return NULL;
        return s;
}

/*
 * path_prefix (the mnt view): the program lives in the container's files, where
 * the caller's PATH means nothing; PATH is path_prefix (the host's commands)
 * followed by the target's PATH or the default one.
 */
int env_build(enum env_mode mode, char **caller_env, const char *target_environ, size_t target_len,
              const char *path_prefix, char ***ret)
{
        struct strv s = { 0 };
        const char *host_path = env_get(caller_env, "PATH");
        int r = 0;

        /* The mnt view: the host's programs find their locales in the host's
         * tree, not in the container's /usr/lib/locale (glibc reads a locale's
         * character classes from there, and the NSS parser splits words by
         * them: a crafted LC_CTYPE could make "files" two module names). */
        if (path_prefix && (r = strv_push(&s, strdup("LOCPATH=" HOSTEXEC_TREE "/usr/lib/locale"))) < 0)
                goto fail;
        if (mode == ENV_TARGET) {
                /* NUL-separated; a target may leave the last entry unterminated. */
                const char *target_path = NULL;
                for (size_t off = 0; off < target_len;) {
                        const char *e = target_environ + off;
                        size_t l = strnlen(e, target_len - off);
                        if (l > 0 && memchr(e, '=', l)) {
                                if (path_prefix && strncmp(e, "LOCPATH=", 8) == 0)
                                        ; /* ours */
                                else if (strncmp(e, "PATH=", 5) == 0)
                                        target_path = e + 5;
                                else if ((r = strv_push(&s, strndup(e, l))) < 0)
                                        goto fail;
                        }
                        off += l + 1;
                }
                /* target_path points into a NUL-terminated buffer (read_file_at). */
                if (path_prefix)
                        r = strv_push(&s, path_entry(path_prefix, target_path ? target_path : DEFAULT_PATH));
                else
                        r = strv_push(&s, path_entry(target_path, host_path ? host_path : DEFAULT_PATH));
        } else {
                for (char **e = caller_env; e && *e; e++) {
                        if (strncmp(*e, "PATH=", 5) == 0 || env_is_socket_var(*e) ||
                            (path_prefix && strncmp(*e, "LOCPATH=", 8) == 0))
                                continue;
                        if (mode == ENV_CLEAN && !env_is_clean(*e))
                                continue;
                        if ((r = strv_push(&s, strdup(*e))) < 0)
                                goto fail;
                }
                if (path_prefix)
                        r = strv_push(&s, path_entry(path_prefix, DEFAULT_PATH));
                else
                        r = strv_push(&s, path_entry(mode == ENV_CLEAN || !host_path ? DEFAULT_PATH : host_path,
                                                     NULL));
        }
        if (r < 0)
                goto fail;
        *ret = s.v;
        return 0;
fail:
        strv_free(s.v);
        return r;
}
