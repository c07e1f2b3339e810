/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: one option table feeds getopt_long() and --help.  Names
 * and meanings follow util-linux nsenter so a runbook can swap one for the other.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nsattach.h"
#include "runtime.h"
#include "util.h"

enum {
        OPT_PRESERVE_CREDENTIALS = 0x100,
        OPT_ENV_MODE,
        OPT_EXEC,
        OPT_RUNTIME,
        OPT_RUNTIME_ROOT,
        OPT_LIST,
        OPT_INSPECT,
        OPT_JSON,
        OPT_CONFINE,
        OPT_PRIVILEGED,
        OPT_TIMEOUT,
        OPT_FOLLOW,
        OPT_EXPLAIN,
};

struct opt_def {
        const char *name;
        int has_arg;
        int val;
        const char *arg;
        const char *help;
};

static const struct opt_def opt_defs[] = {
        { "target", required_argument, 't', "TARGET",
          "what to attach to: PID, a container's name or id (prefix), or RUNTIME:NAME" },
        { "all", no_argument, 'a', NULL, "enter every namespace of the target that differs from ours" },
        { "mount", optional_argument, 'm', "SOURCE", "enter the mount namespace: its files, the host's program (--exec)" },
        { "uts", optional_argument, 'u', "SOURCE", "enter the UTS namespace (hostname)" },
        { "ipc", optional_argument, 'i', "SOURCE", "enter the System V IPC namespace" },
        { "net", optional_argument, 'n', "SOURCE", "enter the network namespace; without -m: its /sys and /etc files" },
        { "pid", optional_argument, 'p', "SOURCE", "enter the pid namespace (forking, unless -F); without -m: its /proc" },
        { "user", optional_argument, 'U', "SOURCE", "enter the user namespace" },
        { "cgroup", optional_argument, 'C', "SOURCE", "enter the cgroup namespace" },
        { "time", optional_argument, 'T', "SOURCE", "enter the time namespace (the program is forked into it, unless -F)" },
        { "setuid", required_argument, 'S', "UID|follow", "set the uid in the entered namespaces" },
        { "setgid", required_argument, 'G', "GID|follow", "set the gid in the entered namespaces" },
        { "preserve-credentials", no_argument, OPT_PRESERVE_CREDENTIALS, NULL,
          "keep uid, gid and groups when entering a user namespace" },
        { "root", optional_argument, 'r', "DIR", "set the root directory (default: the target's)" },
        { "wd", optional_argument, 'w', "DIR", "set the working directory (default: the target's)" },
        { "wdns", required_argument, 'W', "DIR", "set the working directory, resolved after entering" },
        { "no-fork", no_argument, 'F', NULL, "do not fork before running the program" },
        { "env", no_argument, 'e', NULL, "use the target's environment (same as --env-mode=target)" },
        { "env-mode", required_argument, OPT_ENV_MODE, "MODE",
          "the program's environment: host, target or clean" },
        { "exec", required_argument, OPT_EXEC, "WHOSE",
          "with -m: run the host's program (host, the default) or the container's" },
        { "confine", no_argument, OPT_CONFINE, NULL,
          "take the target's privileges (the default with -m; also -n -u -i without -p)" },
        { "privileged", no_argument, OPT_PRIVILEGED, NULL,
          "keep the caller's privileges: a host view's default; refused where the container's files are loaded" },
        { "timeout", required_argument, OPT_TIMEOUT, "SECONDS",
          "end the program after SECONDS (or 5m, 2h, 1d; SIGTERM, then SIGKILL 2 s later); exit status 124" },
        { "follow", no_argument, OPT_FOLLOW, NULL, "end the program when the target exits" },
        { "runtime", required_argument, OPT_RUNTIME, "NAME",
          "resolve names in one runtime only: docker, podman, containerd, nerdctl, k8s, crio, lxc, machine" },
        { "runtime-root", required_argument, OPT_RUNTIME_ROOT, "KEY=DIR",
          "read a runtime's state from DIR (KEY: see below; empty DIR: skip it)" },
        { "list", no_argument, OPT_LIST, NULL, "list the running containers of every runtime and exit" },
        { "inspect", required_argument, OPT_INSPECT, "TARGET",
          "show how TARGET resolves, its namespaces and privileges, and exit" },
        { "explain", no_argument, OPT_EXPLAIN, NULL,
          "print the plan (resolution, namespaces in entering order, mounts, privileges) and do nothing" },
        { "json", no_argument, OPT_JSON, NULL, "with --list, --inspect or --explain: print JSON" },
        { "verbose", no_argument, 'v', NULL, "print each step, with the time since the start, on stderr" },
        { "quiet", no_argument, 'q', NULL, "leave out the notes (a paused target, a timeout); errors stay" },
        { "help", no_argument, 'h', NULL, "show this help and exit" },
        { "version", no_argument, 'V', NULL, "show the version and exit" },
};

/* Short options that take no value: may be bundled after an optional-value one. */
static const char flag_letters[] = "amuinpUCTFrwevq";

void cli_help(FILE *f)
{
        fputs("Usage: nsattach [options] [--] [PROGRAM [ARGS...]]\n"
              "\n"
              "Run PROGRAM (default: $SHELL, else /bin/sh) in namespaces of a running process.\n"
              "\n"
              "Options:\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(opt_defs); i++) {
                const struct opt_def *d = &opt_defs[i];
                char left[64];
                int n;

                if (d->val < 0x100)
                        n = snprintf(left, sizeof(left), "  -%c, --%s", d->val, d->name);
                else
                        n = snprintf(left, sizeof(left), "      --%s", d->name);
                if (d->has_arg == required_argument)
                        snprintf(left + n, sizeof(left) - (size_t)n, " %s", d->arg);
                else if (d->has_arg == optional_argument)
                        snprintf(left + n, sizeof(left) - (size_t)n, "[=%s]", d->arg);
                fprintf(f, "%-32s %s\n", left, d->help);
        }
        fputs("\n"
              "SOURCE is a namespace file (a path containing '/', e.g. /run/netns/x or\n"
              "/proc/1234/ns/net) or another TARGET; without it, the target's namespace.\n"
              "--mount=TOOLS --pid=TARGET (no -t): TOOLS' files and privileges, TARGET's\n"
              "processes, with a /proc of them.\n"
              "\n"
              "TARGET is 1234 or pid:1234; NAME or an id prefix, searched in every runtime;\n"
              "or docker:NAME, podman:NAME, containerd:[NAMESPACE/]ID, nerdctl:NAME,\n"
              "k8s:[NAMESPACE/]POD[/CONTAINER], crio:NAME, lxc:NAME, machine:NAME.\n"
              "Names are read from the runtimes' state files; no daemon is asked.\n"
              "\n"
              "--runtime-root keys (also NSATTACH_<KEY>_ROOT, '-' as '_'):\n",
              f);
        for (int i = 0; i < _ROOT_MAX; i++)
                fprintf(f, "  %-12s %-28s %s\n", rt_root_table[i].key, rt_root_table[i].def,
                        rt_root_table[i].what);
        fputs("\n"
              "Exit status: the program's; 128+N if it died of signal N; 124 if --timeout\n"
              "ended it; 125 if nsattach failed; 126 if the program cannot be run; 127 if it\n"
              "is not found.\n",
              f);
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        if (errlen > 0)
                strip_controls(err, false); /* one line, whatever the arguments quoted hold */
        return -EINVAL;
}

static int ns_for_short(int c)
{
        for (int i = 0; i < _NS_MAX; i++)
                if (ns_table[i].short_opt == c)
                        return i;
        return -1;
}

static int parse_ids(const char *arg, const char *opt, bool *follow, uint32_t *id, char *err,
                     size_t errlen)
{
        if (strcmp(arg, "follow") == 0) {
                *follow = true;
                return 0;
        }
        *follow = false;
        int r = parse_id(arg, id);
        if (r == -ERANGE)
                return fail(err, errlen, "--%s: '%s' is out of range", opt, arg);
        if (r < 0)
                return fail(err, errlen, "--%s: '%s' is not a number or 'follow'", opt, arg);
        return 0;
}

/* One option; arg is its value or NULL. */
static int handle(struct options *o, int c, const char *arg, char *err, size_t errlen)
{
        int ns = ns_for_short(c);
        uint32_t id = 0;
        int r;

        if (ns >= 0) {
                o->ns_wanted[ns] = true;
                o->ns_source[ns] = arg && *arg ? arg : NULL;
                if (arg && !*arg)
                        return fail(err, errlen, "--%s=: empty namespace source", ns_table[ns].long_opt);
                return 0;
        }
        switch (c) {
        case 't':
                if (o->target)
                        return fail(err, errlen, "--target given twice");
                if (!*arg)
                        return fail(err, errlen, "--target: empty target");
                o->target = arg;
                return 0;
        case 'a':
                o->all = true;
                return 0;
        case 'S':
                r = parse_ids(arg, "setuid", &o->uid_follow, &id, err, errlen);
                o->uid = id;
                o->uid_set = true;
                return r;
        case 'G':
                r = parse_ids(arg, "setgid", &o->gid_follow, &id, err, errlen);
                o->gid = id;
                o->gid_set = true;
                return r;
        case OPT_PRESERVE_CREDENTIALS:
                o->preserve_credentials = true;
                return 0;
        case 'r':
                o->root_set = true;
                o->root = arg;
                return 0;
        case 'w':
                o->wd_set = true;
                o->wd = arg;
                return 0;
        case 'W':
                o->wdns = arg;
                return 0;
        case 'F':
                o->no_fork = true;
                return 0;
        case 'e':
                o->env_mode = ENV_TARGET;
                o->env_mode_set = true;
                return 0;
        case OPT_EXEC:
                if (strcmp(arg, "host") == 0)
                        o->exec_container = false;
                else if (strcmp(arg, "container") == 0)
                        o->exec_container = true;
                else
                        return fail(err, errlen, "--exec: '%s' is not host or container", arg);
                return 0;
        case OPT_CONFINE:
                o->confine = true;
                return 0;
        case OPT_PRIVILEGED:
                o->privileged = true;
                return 0;
        case OPT_TIMEOUT: {
                /* as timeout(1) takes a duration: a decimal number, then s (the
                 * default), m, h or d; 0 is no timeout */
                static const struct {
                        char suffix;
                        double scale;
                } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
                size_t len = strlen(arg), number = strspn(arg, "0123456789.eE+-");
                bool whole = number && number == len;
                double scale = 1, sec = -1;
                char *end = NULL;
                for (size_t i = 0; number && number + 1 == len && i < ELEMENTSOF(units); i++)
                        if (arg[len - 1] == units[i].suffix) {
                                scale = units[i].scale;
                                whole = true;
                        }
                errno = 0;
                if (whole)
                        sec = strtod(arg, &end);
                if (!end || errno || end != arg + number || !(sec >= 0) || sec * scale > 1e7)
                        return fail(err, errlen,
                                    "--timeout: '%s' is not a duration (seconds, or a number and s, m, h or d)", arg);
                o->timeout_us = (uint64_t)(sec * scale * 1e6);
                if (o->timeout_us == 0 && sec > 0)
                        o->timeout_us = 1;
                return 0;
        }
        case OPT_FOLLOW:
                o->follow = true;
                return 0;
        case OPT_EXPLAIN:
                o->explain = true;
                return 0;
        case OPT_ENV_MODE:
                o->env_mode_set = true;
                if (strcmp(arg, "host") == 0)
                        o->env_mode = ENV_HOST;
                else if (strcmp(arg, "target") == 0)
                        o->env_mode = ENV_TARGET;
                else if (strcmp(arg, "clean") == 0)
                        o->env_mode = ENV_CLEAN;
                else
                        return fail(err, errlen, "--env-mode: '%s' is not host, target or clean", arg);
                return 0;
        case OPT_RUNTIME:
                r = rt_scheme_from_name(arg, strlen(arg));
                if (r < 0)
                        return fail(err, errlen,
                                    "--runtime: '%s' is not docker, podman, containerd, nerdctl, k8s, crio, "
                                    "lxc or machine",
                                    arg);
                o->runtime = r;
                return 0;
        case OPT_RUNTIME_ROOT: {
                const char *eq = strchr(arg, '=');
                for (int i = 0; eq && i < _ROOT_MAX; i++)
                        if (strlen(rt_root_table[i].key) == (size_t)(eq - arg) &&
                            strncmp(arg, rt_root_table[i].key, (size_t)(eq - arg)) == 0) {
                                if (eq[1] && eq[1] != '/')
                                        return fail(err, errlen, "--runtime-root %s: not an absolute path",
                                                    arg);
                                o->runtime_root[i] = eq + 1;
                                return 0;
                        }
                return fail(err, errlen, "--runtime-root: '%s' is not KEY=DIR with a KEY from --help", arg);
        }
        case OPT_LIST:
                o->action = ACTION_LIST;
                return 0;
        case OPT_INSPECT:
                if (!*arg)
                        return fail(err, errlen, "--inspect: empty target");
                o->action = ACTION_INSPECT;
                o->target = arg;
                return 0;
        case OPT_JSON:
                o->json = true;
                return 0;
        case 'v':
                o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
                return 0;
        case 'q':
                o->verbosity = -1;
                return 0;
        case 'h':
                o->action = ACTION_HELP;
                return 0;
        case 'V':
                o->action = ACTION_VERSION;
                return 0;
        }
        return fail(err, errlen, "internal: unhandled option %d", c);
}

int cli_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
        struct option longopts[ELEMENTSOF(opt_defs) + 1];
        char shortopts[3 + 3 * ELEMENTSOF(opt_defs)] = "+:";
        size_t sl = 2;
        int r;

        *o = (struct options){ .action = ACTION_ATTACH, .env_mode = ENV_HOST };
        for (size_t i = 0; i < ELEMENTSOF(opt_defs); i++) {
                const struct opt_def *d = &opt_defs[i];
                longopts[i] = (struct option){ d->name, d->has_arg, NULL, d->val };
                if (d->val >= 0x100)
                        continue;
                shortopts[sl++] = (char)d->val;
                if (d->has_arg != no_argument)
                        shortopts[sl++] = ':';
                if (d->has_arg == optional_argument)
                        shortopts[sl++] = ':';
        }
        shortopts[sl] = '\0';
        longopts[ELEMENTSOF(opt_defs)] = (struct option){ 0 };

        optind = 0; /* full reset: the parser may run more than once (tests) */
        opterr = 0;
        for (;;) {
                /* the argument getopt reads: optind moves past one only when done with it (a bundle) */
                int next = optind > 0 ? optind : 1;
                const char *bad = next < argc ? argv[next] : NULL;

                int c = getopt_long(argc, argv, shortopts, longopts, NULL);
                if (c == -1)
                        break;
                if (c == '?') {
                        /*
                         * glibc reports "--all=1" through optopt as if it were "-a"; an unknown
                         * or ambiguous long option leaves optopt 0.
                         */
                        if (strncmp(bad, "--", 2) == 0 && strchr(bad, '=') && optopt)
                                return fail(err, errlen, "option '%.*s' takes no value", (int)strcspn(bad, "="),
                                            bad);
                        if (optopt && optopt < 0x100 && strncmp(bad, "--", 2) != 0)
                                return fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
                        return fail(err, errlen, "unknown option '%s' (see --help)", bad);
                }
                if (c == ':')
                        return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);

                /*
                 * "-nu" must mean -n -u, not "-n with the file u": getopt hands an
                 * optional value glued to a short option, so a glued value made only
                 * of flag letters is taken as more flags.  A file is still reachable
                 * as --net=u or -n./u.
                 */
                const char *arg = optarg;
                const char *cur = argv[optind - 1];
                bool glued = arg && cur[0] == '-' && cur[1] != '-' && arg > cur &&
                             arg < cur + strlen(cur);
                if (glued && c < 0x100 && strchr(flag_letters, c) &&
                    strspn(arg, flag_letters) == strlen(arg)) {
                        r = handle(o, c, NULL, err, errlen);
                        for (const char *f = arg; r == 0 && *f; f++)
                                r = handle(o, *f, NULL, err, errlen);
                } else
                        r = handle(o, c, arg, err, errlen);
                if (r < 0)
                        return r;
        }

        if (o->json && o->action != ACTION_LIST && o->action != ACTION_INSPECT && o->action != ACTION_HELP &&
            o->action != ACTION_VERSION && !o->explain)
                return fail(err, errlen, "--json goes with --list, --inspect or --explain");
        if (o->explain && o->action != ACTION_ATTACH && o->action != ACTION_HELP && o->action != ACTION_VERSION)
                return fail(err, errlen, "--explain explains an attach: not with --list or --inspect");
        if (o->action == ACTION_LIST || o->action == ACTION_INSPECT) {
                if (optind < argc)
                        return fail(err, errlen, "--%s takes no program ('%s')",
                                    o->action == ACTION_LIST ? "list" : "inspect", argv[optind]);
                return 0;
        }
        if (o->action != ACTION_ATTACH)
                return 0;
        o->argv = optind < argc ? argv + optind : NULL;

        /* Pairing's short form (SPEC 5.5): --mount=TOOLS without -t makes TOOLS
         * the target, whose files and privileges the program has; the other
         * namespace options may name other targets. */
        if (!o->target && o->ns_wanted[NS_MNT] && o->ns_source[NS_MNT] && !strchr(o->ns_source[NS_MNT], '/')) {
                o->target = o->ns_source[NS_MNT];
                o->ns_source[NS_MNT] = NULL;
        }
        bool any_ns = o->all;
        for (int i = 0; i < _NS_MAX; i++)
                any_ns = any_ns || o->ns_wanted[i];
        if (!o->target && !any_ns)
                return fail(err, errlen, "no target: use -t TARGET (see --help)");
        if (!any_ns && !o->root_set && !o->wd_set && !o->wdns && !o->uid_set && !o->gid_set)
                return fail(err, errlen,
                            "nothing to enter: name namespaces (-m -u -i -n -p -U -C -T) or use -a");
        if (o->all && !o->target)
                return fail(err, errlen, "--all needs a target: use -t TARGET");
        if (o->preserve_credentials && (o->uid_set || o->gid_set))
                return fail(err, errlen, "--preserve-credentials conflicts with --setuid/--setgid");
        if (o->no_fork && (o->timeout_us || o->follow))
                return fail(err, errlen, "--%s needs nsattach to wait for the program: not with -F",
                            o->timeout_us ? "timeout" : "follow");
        if (o->follow && !o->target)
                return fail(err, errlen, "--follow follows the target: use -t TARGET");
        if (o->privileged && o->confine)
                return fail(err, errlen, "--privileged keeps the caller's privileges, --confine takes the target's: "
                                         "one or the other");
        return 0;
}
