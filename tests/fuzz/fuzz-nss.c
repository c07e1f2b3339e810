/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mnt view's nsswitch.conf filter, mntview_nss_filter(): it reads the
 * container's file (its text is the container's to write) as root, before
 * the program is confined.  The input is the file's text (up to its first
 * NUL, as the view reads it).  A sanitizer report or an abort() is a finding.
 * Asserted, with a checker that reads a line as glibc's nss_parse_file()
 * does (a database name, an optional ':', services ending at a blank or '[',
 * each '[...]' an action):
 *   - what the filter writes names no service but files and dns, every line
 *     of it has a valid database name, and it ends with a newline;
 *   - when it says the file needs no change (NULL, errno 0), the file names
 *     no service but files and dns either.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsattach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does every line of text name only libc's own services?  (false: one names another, or cannot be read) */
static bool only_builtin(const char *text, bool need_name)
{
        for (const char *line = text; *line;) {
                const char *eol = strchrnul(line, '\n');
                const char *hash = memchr(line, '#', (size_t)(eol - line));
                const char *end = hash ? hash : eol, *t = line + strspn(line, " \t");
                if (t < end) {
                        size_t nl = strcspn(t, " \t:#\n");
                        bool valid = nl > 0;
                        for (size_t k = 0; k < nl; k++)
                                valid = valid && (isalnum((unsigned char)t[k]) || t[k] == '_');
                        if (!valid && need_name)
                                return false;
                        t += nl;
                        t += strspn(t, " \t");
                        if (t < end && *t == ':')
                                t++;
                        while (valid) {
                                t += strspn(t, " \t");
                                if (t >= end)
                                        break;
                                if (*t == '[') {
                                        const char *close = memchr(t, ']', (size_t)(end - t));
                                        if (!close)
                                                return false; /* glibc would read what follows as it can */
                                        t = close + 1;
                                        continue;
                                }
                                size_t n = strcspn(t, " \t[#\n");
                                if ((size_t)(end - t) < n)
                                        n = (size_t)(end - t);
                                if (!((n == 5 && !memcmp(t, "files", 5)) || (n == 3 && !memcmp(t, "dns", 3))))
                                        return false;
                                t += n;
                        }
                }
                line = *eol ? eol + 1 : eol;
        }
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        errno = 0;
        char *out = mntview_nss_filter(size ? text : NULL);
        if (out) {
                size_t ol = strlen(out);
                if (ol == 0 || out[ol - 1] != '\n' || !only_builtin(out, true)) {
                        fprintf(stderr, "the filter kept a module, or wrote a line glibc reads otherwise:\n%s\n", out);
                        abort();
                }
        } else if (errno == 0 && !only_builtin(text, false)) {
                fprintf(stderr, "left as it is, naming a module:\n%s\n", text);
                abort();
        }
        free(out);
        free(text);
        return 0;
}
