/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mnt view's nsswitch.conf filter, mntview_nss_filter(): it reads the
 * container's file (its text is the container's to write) as root, before
 * the program is confined.  The input is the file's text (up to its first
 * NUL, as the view reads it).  A sanitizer report or an abort() is a finding.
 * Asserted, with readers written from glibc's own rules, not the filter's:
 * glibc 2.33 on (nss_database.c process_line(), nss_action_parse.c: a line's
 * first character alone starts a comment, blanks and colons after the name,
 * a service ends at a blank or '[') and glibc before it (nsswitch.c: a '#'
 * anywhere ends the line, one character after the name is eaten):
 *   - what the filter writes names no service but files and dns to either,
 *     and neither refuses a line of it (an action glibc cannot read);
 *   - when it says the file needs no change (NULL, errno 0), the file is
 *     such a file itself.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nsattach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool word_is(const char *w, size_t n, const char *const *set)
{
        for (; *set; set++)
                if (strlen(*set) == n && !strncasecmp(w, *set, n))
                        return true;
        return false;
}

/* nss_action_parse(): false if glibc refuses it, or a service is not libc's own */
static bool services_ok(const char *line)
{
        static const char *const statuses[] = { "SUCCESS", "UNAVAIL", "NOTFOUND", "TRYAGAIN", NULL };
        static const char *const actions[] = { "RETURN", "CONTINUE", "MERGE", NULL };
        for (;;) {
                while (isspace((unsigned char)*line))
                        line++;
                if (!*line)
                        return true;
                const char *name = line;
                while (*line && !isspace((unsigned char)*line) && *line != '[')
                        line++;
                if (name == line)
                        return true; /* glibc stops here */
                size_t n = (size_t)(line - name);
                if (!((n == 5 && !memcmp(name, "files", 5)) || (n == 3 && !memcmp(name, "dns", 3))))
                        return false;
                while (isspace((unsigned char)*line))
                        line++;
                if (*line != '[')
                        continue;
                do
                        line++;
                while (*line && isspace((unsigned char)*line));
                do {
                        if (*line == '!')
                                line++;
                        name = line;
                        while (*line && !isspace((unsigned char)*line) && *line != '=' && *line != ']')
                                line++;
                        if (!word_is(name, (size_t)(line - name), statuses))
                                return false;
                        while (isspace((unsigned char)*line))
                                line++;
                        if (*line != '=')
                                return false;
                        do
                                line++;
                        while (isspace((unsigned char)*line));
                        name = line;
                        while (*line && !isspace((unsigned char)*line) && *line != '=' && *line != ']')
                                line++;
                        if (!word_is(name, (size_t)(line - name), actions))
                                return false;
                        while (isspace((unsigned char)*line))
                                line++;
                } while (*line != ']');
                line++;
        }
}

/* Every line of text as the glibc of that age reads it. */
static bool glibc_reads_only_builtins(const char *text, bool old_glibc)
{
        char *copy = strdup(text);
        if (!copy)
                return true;
        bool ok = true;
        for (char *line = copy, *next; ok && line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (old_glibc)
                        *strchrnul(line, '#') = '\0';
                while (isspace((unsigned char)*line))
                        line++;
                if (*line == '#')
                        continue; /* 2.33 on: a database "#..." glibc does not have */
                char *name = line;
                while (*line && !isspace((unsigned char)*line) && *line != ':')
                        line++;
                if (!*line || name == line)
                        continue; /* a syntax error: skipped */
                if (old_glibc)
                        line++;
                else
                        while (*line && (isspace((unsigned char)*line) || *line == ':'))
                                line++;
                /* every name, not only glibc's databases: glibc before 2.33
                 * keeps any, and passwd_compat and the like are read too */
                ok = services_ok(line);
        }
        free(copy);
        return ok;
}

static bool only_builtin(const char *text)
{
        return glibc_reads_only_builtins(text, false) && glibc_reads_only_builtins(text, true);
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
                if (ol == 0 || out[ol - 1] != '\n' || !only_builtin(out)) {
                        fprintf(stderr, "the filter kept a module, or wrote a line glibc reads otherwise:\n%s\n", out);
                        abort();
                }
        } else if (errno == 0 && !only_builtin(text)) {
                fprintf(stderr, "left as it is, naming a module:\n%s\n", text);
                abort();
        }
        free(out);
        free(text);
        return 0;
}
