/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: the input is split at NUL bytes into at most ARGS_MAX
 * arguments after argv[0] = "nsattach", each in an allocation of its own, and
 * given to cli_parse().  A sanitizer report or an abort() below is a finding.
 * Asserted on every input:
 *   - cli_parse() returns 0 or -EINVAL, prints nothing on stdout or stderr and
 *     neither exits nor changes argv;
 *   - a second parse of the same argv (getopt's state is global) gives the same
 *     result, and with a shorter error buffer the same message cut short;
 *   - an error is one non-empty, NUL-terminated line without control characters;
 *     an unknown option it names is not one --help lists, and an option it says
 *     takes no value is one that takes none;
 *   - every string kept is non-empty where it must be and points into argv, at
 *     the rest of one argument (nothing is copied or freed);
 *   - a success obeys the documented rules: -t/--inspect not empty, --json only
 *     with --list/--inspect, --all with a target, no program after --list, no
 *     --preserve-credentials with -S/-G, --runtime-root DIR empty or absolute;
 *   - a numeric -S/-G is the value of the digits that end one argument (crun
 *     CVE-2026-30892 read "-u 1" as uid 0), and never (uid_t)-1.
 */
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nsattach.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARGS_MAX 64
#define LONG_MAX_OPTS 64

/* The long options as --help lists them: name and whether they take a value. */
static struct {
        char name[32];
        bool value;
} longs[LONG_MAX_OPTS];
static size_t nlongs;
static char shorts[LONG_MAX_OPTS];

static int out_fd = -1, saved_out = -1, saved_err = -1;

/* How many long options NAME (n bytes) names as getopt_long() reads it: an exact name is one. */
static int long_matches(const char *name, size_t n, bool *value)
{
        int found = 0;

        *value = false;
        for (size_t i = 0; i < nlongs; i++)
                if (strncmp(longs[i].name, name, n) == 0) {
                        if (longs[i].name[n] == '\0') {
                                *value = longs[i].value;
                                return 1;
                        }
                        found++;
                        *value = longs[i].value;
                }
        return found;
}

static void learn_options(void)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                abort();
        cli_help(f);
        fclose(f);
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                /* "  -t, --target TARGET  ..." or "      --list  ..."; other lines do not start with a blank and '-' */
                if (line[0] != ' ' || line[strspn(line, " ")] != '-')
                        continue;
                char *p = line + strspn(line, " ");
                if (p[1] != '-' && strlen(shorts) + 1 < sizeof(shorts))
                        shorts[strlen(shorts)] = p[1];
                p = strstr(p, "--");
                if (!p || nlongs == LONG_MAX_OPTS)
                        abort();
                size_t n = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
                if (n == 0 || n >= sizeof(longs[0].name))
                        abort();
                memcpy(longs[nlongs].name, p + 2, n);
                /* "--name ARG" or "--name[=ARG]"; the help text comes after two blanks or more */
                longs[nlongs].value = p[2 + n] == '[' || (p[2 + n] == ' ' && p[3 + n] != ' ');
                nlongs++;
        }
        free(text);
        bool value;
        if (nlongs < 20 || !strchr(shorts, 't') || long_matches("all", 3, &value) != 1 || value ||
            long_matches("target", 6, &value) != 1 || !value)
                abort(); /* --help changed its layout: this target must learn it again */
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc, (void)argv;
        learn_options();
        /* stdout and stderr go to out_fd during a parse; sanitizer reports keep the real stderr */
        out_fd = memfd_create("fuzz-cli-output", MFD_CLOEXEC);
        saved_out = dup(STDOUT_FILENO);
        saved_err = dup(STDERR_FILENO);
        if (out_fd >= 0 && saved_err >= 0)
                __sanitizer_set_report_fd((void *)(intptr_t)saved_err);
        return 0;
}

static int parse_quiet(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
        bool redirect = out_fd >= 0 && saved_out >= 0 && saved_err >= 0;
        int r;

        if (redirect) {
                fflush(stdout);
                fflush(stderr);
                dup2(out_fd, STDOUT_FILENO);
                dup2(out_fd, STDERR_FILENO);
        }
        r = cli_parse(argc, argv, o, err, errlen);
        if (redirect) {
                fflush(stdout);
                fflush(stderr);
                dup2(saved_out, STDOUT_FILENO);
                dup2(saved_err, STDERR_FILENO);
                off_t n = lseek(out_fd, 0, SEEK_END);
                if (n != 0) {
                        char buf[512];
                        ssize_t k = pread(out_fd, buf, sizeof(buf), 0);
                        fprintf(stderr, "cli_parse() printed %lld bytes:\n", (long long)n);
                        if (k > 0)
                                fwrite(buf, 1, (size_t)k, stderr);
                        abort();
                }
        }
        return r;
}

/* p is NULL or the rest of one of argv[1..argc-1]. */
static void check_in_argv(const char *p, int argc, char **argv, bool nonempty)
{
        if (!p)
                return;
        for (int i = 1; i < argc; i++) {
                size_t l = strlen(argv[i]);
                if (p >= argv[i] && p <= argv[i] + l) {
                        if (nonempty && !*p)
                                abort();
                        return;
                }
        }
        abort();
}

/* Some argument ends in digits that denote id (leading zeros allowed). */
static bool id_ends_an_arg(uint32_t id, int argc, char **argv)
{
        char want[16];

        snprintf(want, sizeof(want), "%u", id);
        for (int i = 1; i < argc; i++) {
                size_t l = strlen(argv[i]), d = 0;
                while (d < l && argv[i][l - d - 1] >= '0' && argv[i][l - d - 1] <= '9')
                        d++;
                const char *digits = argv[i] + l - d;
                if (d == 0)
                        continue;
                while (d > 1 && *digits == '0')
                        digits++, d--;
                if (d == strlen(want) && memcmp(digits, want, d) == 0)
                        return true;
        }
        return false;
}

static void check_error(const char *err, size_t errlen)
{
        const char *nul = memchr(err, '\0', errlen);
        bool value;

        if (!nul || (nul == err && errlen > 1))
                abort();
        for (const char *c = err; c < nul; c++)
                if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
                        abort();
        if (errlen < CLI_ERROR_MAX || (size_t)(nul - err) == errlen - 1)
                return; /* cut short: the checks below need the whole message */

        /* "option '--NAME' takes no value": NAME is, or uniquely abbreviates, an option without one */
        size_t len = (size_t)(nul - err);
        const char *tail = "' takes no value";
        if (strncmp(err, "option '--", 10) == 0 && len >= 10 + strlen(tail) &&
            strcmp(nul - strlen(tail), tail) == 0) {
                size_t n = len - 10 - strlen(tail);
                if (long_matches(err + 10, n, &value) != 1 || value)
                        abort();
        }
        /* "unknown option '-X'": X is not a short option; "unknown option '--NAME[=V]'": nor is NAME one */
        tail = "' (see --help)";
        if (strncmp(err, "unknown option '-", 17) == 0 && len >= 17 + strlen(tail) &&
            strcmp(nul - strlen(tail), tail) == 0) {
                const char *name = err + 17;
                size_t n = len - 17 - strlen(tail);
                if (*name != '-') {
                        if (n == 1 && strchr(shorts, *name))
                                abort();
                } else {
                        name++, n--;
                        const char *eq = memchr(name, '=', n);
                        if (eq)
                                n = (size_t)(eq - name);
                        if (long_matches(name, n, &value) == 1)
                                abort();
                }
        }
}

static void check_success(const struct options *o, int argc, char **argv)
{
        bool any_ns = o->all;

        if (o->action < ACTION_ATTACH || o->action > ACTION_INSPECT)
                abort();
        check_in_argv(o->target, argc, argv, true);
        for (int i = 0; i < _NS_MAX; i++) {
                check_in_argv(o->ns_source[i], argc, argv, true);
                if (o->ns_source[i] && !o->ns_wanted[i])
                        abort();
                any_ns = any_ns || o->ns_wanted[i];
        }
        check_in_argv(o->root, argc, argv, false);
        check_in_argv(o->wd, argc, argv, false);
        check_in_argv(o->wdns, argc, argv, false);
        if ((o->root && !o->root_set) || (o->wd && !o->wd_set))
                abort();
        for (int i = 0; i < _ROOT_MAX; i++) {
                check_in_argv(o->runtime_root[i], argc, argv, false);
                if (o->runtime_root[i] && o->runtime_root[i][0] && o->runtime_root[i][0] != '/')
                        abort();
        }
        if (o->runtime < 0 || o->runtime >= _SCHEME_MAX)
                abort();
        if (o->env_mode != ENV_HOST && o->env_mode != ENV_TARGET && o->env_mode != ENV_CLEAN)
                abort();
        if (o->uid_set && !o->uid_follow && (o->uid == (uid_t)-1 || !id_ends_an_arg(o->uid, argc, argv)))
                abort();
        if (o->gid_set && !o->gid_follow && (o->gid == (gid_t)-1 || !id_ends_an_arg(o->gid, argc, argv)))
                abort();
        if (o->argv) {
                /* the program is the rest of argv, in place */
                if (o->argv < argv + 1 || o->argv >= argv + argc || o->action != ACTION_ATTACH)
                        abort();
                for (char **a = o->argv; *a; a++)
                        if (a >= argv + argc)
                                abort();
        }
        if (o->json && o->action == ACTION_ATTACH && !o->explain)
                abort(); /* --json goes with --list, --inspect or --explain */
        if (o->explain && o->action != ACTION_ATTACH && o->action != ACTION_HELP && o->action != ACTION_VERSION)
                abort();
        if (o->action == ACTION_ATTACH && (o->timeout_us || o->follow) && o->no_fork)
                abort(); /* (--help and --version end the parse before that rule) */
        if (o->action == ACTION_INSPECT && !o->target)
                abort();
        if (o->action == ACTION_ATTACH) {
                if (!o->target && !any_ns)
                        abort();
                if (o->all && !o->target)
                        abort();
                if (o->preserve_credentials && (o->uid_set || o->gid_set))
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *argv[ARGS_MAX + 2], *copy[ARGS_MAX + 2];
        char err[CLI_ERROR_MAX], err2[CLI_ERROR_MAX];
        struct options o, o2;
        int argc = 1, r, r2;

        argv[0] = strdup("nsattach");
        if (!argv[0])
                return 0;
        for (size_t i = 0; argc <= ARGS_MAX;) {
                const uint8_t *end = memchr(data + i, '\0', size - i);
                size_t n = end ? (size_t)(end - (data + i)) : size - i;
                argv[argc] = strndup((const char *)data + i, n);
                if (!argv[argc])
                        goto out;
                argc++;
                if (!end)
                        break;
                i += n + 1;
        }
        argv[argc] = NULL;
        if (size == 0)
                free(argv[--argc]), argv[argc] = NULL; /* no input: no argument at all */
        memcpy(copy, argv, sizeof(argv[0]) * (size_t)(argc + 1));

        memset(err, 0xAA, sizeof(err));
        r = parse_quiet(argc, argv, &o, err, sizeof(err));
        if (memcmp(copy, argv, sizeof(argv[0]) * (size_t)(argc + 1)) != 0)
                abort();
        if (r != 0 && r != -EINVAL)
                abort();
        if (r < 0)
                check_error(err, sizeof(err));
        else
                check_success(&o, argc, argv);

        /* again, with a buffer of 1..CLI_ERROR_MAX bytes */
        size_t errlen = 1 + size % CLI_ERROR_MAX;
        memset(err2, 0xAA, sizeof(err2));
        r2 = parse_quiet(argc, argv, &o2, err2, errlen);
        if (r2 != r)
                abort();
        if (r < 0) {
                check_error(err2, errlen);
                size_t l = strlen(err2);
                if (l != (strlen(err) < errlen - 1 ? strlen(err) : errlen - 1) || memcmp(err, err2, l) != 0)
                        abort();
        } else if (o2.action != o.action || o2.target != o.target || o2.argv != o.argv || o2.uid != o.uid ||
                   o2.gid != o.gid || o2.all != o.all ||
                   memcmp(o2.ns_wanted, o.ns_wanted, sizeof(o.ns_wanted)) != 0 ||
                   memcmp(o2.ns_source, o.ns_source, sizeof(o.ns_source)) != 0)
                abort();

out:
        for (int i = 0; i < argc; i++)
                free(argv[i]);
        return 0;
}
