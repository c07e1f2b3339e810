/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: parsers and pure functions, no privileges needed. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "nsattach.h"
#include "util.h"

Test(parse, uint_strict)
{
        uint64_t v;
        cr_assert_eq(parse_uint("0", 10, &v), 0);
        cr_assert_eq(v, 0);
        cr_assert_eq(parse_uint("10", 10, &v), 0);
        cr_assert_eq(v, 10);
        cr_assert_eq(parse_uint("11", 10, &v), -ERANGE);
        cr_assert_eq(parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
        cr_assert_eq(v, UINT64_MAX);
        cr_assert_eq(parse_uint("18446744073709551616", UINT64_MAX, &v), -ERANGE);
        const char *bad[] = { "", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.0", "１" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                cr_assert_eq(parse_uint(bad[i], UINT64_MAX, &v), -EINVAL, "accepted '%s'", bad[i]);
}

Test(parse, pid)
{
        pid_t p;
        cr_assert_eq(parse_pid("1", &p), 0);
        cr_assert_eq(p, 1);
        cr_assert_eq(parse_pid("2147483647", &p), 0);
        cr_assert_eq(parse_pid("2147483648", &p), -ERANGE);
        cr_assert_eq(parse_pid("0", &p), -ERANGE, "pid 0 is never a target");
        cr_assert_eq(parse_pid("-1", &p), -EINVAL);
        cr_assert_eq(target_parse_pid("pid:42", &p), 0);
        cr_assert_eq(p, 42);
        cr_assert_lt(target_parse_pid("pid:", &p), 0);
        cr_assert_lt(target_parse_pid("webserver", &p), 0);
        cr_assert_lt(target_parse_pid("42abc", &p), 0);
}

/* crun CVE-2026-30892 parsed "-u 1" as uid 0: every id must come out as written. */
Test(parse, ids_exact)
{
        uint32_t id = 12345;
        cr_assert_eq(parse_id("1", &id), 0);
        cr_assert_eq(id, 1);
        cr_assert_eq(parse_id("0", &id), 0);
        cr_assert_eq(id, 0);
        cr_assert_eq(parse_id("65534", &id), 0);
        cr_assert_eq(id, 65534);
        cr_assert_eq(parse_id("4294967294", &id), 0);
        cr_assert_eq(id, 4294967294u);
        id = 7;
        cr_assert_eq(parse_id("4294967295", &id), -ERANGE, "(uid_t)-1 means 'unchanged'");
        cr_assert_eq(parse_id("-1", &id), -EINVAL);
        cr_assert_eq(parse_id("root", &id), -EINVAL);
        cr_assert_eq(parse_id("", &id), -EINVAL);
        cr_assert_eq(id, 7, "a failed parse must not write the result");
}

/*
 * Every id parser on the same strings: digits only, leading zeros allowed, the
 * first violation decides the error.  r/v: parse_uint(UINT64_MAX), parse_id(),
 * parse_pid() (0 is refused with -ERANGE).
 */
Test(parse, ids_contract)
{
        static const struct {
                const char *s;
                int ur;
                uint64_t uv;
                int ir;
                uint32_t iv;
                int pr;
                pid_t pv;
        } t[] = {
                { "0", 0, 0, 0, 0, -ERANGE, 0 },
                { "1", 0, 1, 0, 1, 0, 1 },
                { "01", 0, 1, 0, 1, 0, 1 },
                { "000000000000000000000000000000000000000000000000000000000000001", 0, 1, 0, 1, 0, 1 },
                { "2147483647", 0, 2147483647, 0, 2147483647, 0, 2147483647 },
                { "2147483648", 0, 2147483648, 0, 2147483648u, -ERANGE, 0 },
                { "4294967294", 0, 4294967294u, 0, 4294967294u, -ERANGE, 0 },
                { "4294967295", 0, 4294967295u, -ERANGE, 0, -ERANGE, 0 },
                { "4294967296", 0, 4294967296u, -ERANGE, 0, -ERANGE, 0 },
                { "18446744073709551615", 0, UINT64_MAX, -ERANGE, 0, -ERANGE, 0 },
                { "18446744073709551616", -ERANGE, 0, -ERANGE, 0, -ERANGE, 0 },
                { "100000000000000000000000000000000000000000000000000000000000000", -ERANGE, 0, -ERANGE, 0,
                  -ERANGE, 0 },
                { "99999999999999999999x", -ERANGE, 0, -ERANGE, 0, -ERANGE, 0 },
                { "", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { "-1", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { "-0", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { "+1", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { " 1", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { "1 ", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { "1\n", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { "0x10", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { "1e3", -EINVAL, 0, -EINVAL, 0, -EINVAL, 0 },
                { "4294967295x", -EINVAL, 0, -ERANGE, 0, -ERANGE, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                uint64_t u = 77;
                uint32_t id = 77;
                pid_t p = 77;

                cr_assert_eq(parse_uint(t[i].s, UINT64_MAX, &u), t[i].ur, "parse_uint('%s')", t[i].s);
                cr_assert_eq(u, t[i].ur ? 77 : t[i].uv, "parse_uint('%s') gave %" PRIu64, t[i].s, u);
                cr_assert_eq(parse_id(t[i].s, &id), t[i].ir, "parse_id('%s')", t[i].s);
                cr_assert_eq(id, t[i].ir ? 77 : t[i].iv, "parse_id('%s') gave %u", t[i].s, id);
                cr_assert_eq(parse_pid(t[i].s, &p), t[i].pr, "parse_pid('%s')", t[i].s);
                cr_assert_eq(p, t[i].pr ? 77 : t[i].pv, "parse_pid('%s') gave %d", t[i].s, p);
        }
}

/* A maximum below 9: max - digit wrapped and every digit passed (found by fuzz-ids). */
Test(parse, uint_small_max)
{
        uint64_t v = 77;

        cr_assert_eq(parse_uint("9", 5, &v), -ERANGE);
        cr_assert_eq(parse_uint("1", 0, &v), -ERANGE);
        cr_assert_eq(parse_uint("4:", 0, &v), -ERANGE, "the first violation decides");
        cr_assert_eq(v, 77);
        cr_assert_eq(parse_uint("0", 0, &v), 0);
        cr_assert_eq(v, 0);
        cr_assert_eq(parse_uint("5", 5, &v), 0);
        cr_assert_eq(v, 5);
        cr_assert_eq(parse_uint("9", 9, &v), 0);
        cr_assert_eq(v, 9);
        cr_assert_eq(parse_uint("10", 9, &v), -ERANGE);
        cr_assert_eq(parse_uint("00001", 1, &v), 0);
        cr_assert_eq(v, 1);
}

Test(parse, target_pid)
{
        static const struct {
                const char *s;
                int r;
                pid_t pid;
        } t[] = {
                { "1", 0, 1 },
                { "pid:1", 0, 1 },
                { "pid:01", 0, 1 },
                { "2147483647", 0, 2147483647 },
                { "pid:0", -ERANGE, 0 },
                { "pid:2147483648", -ERANGE, 0 },
                { "pid:", -EINVAL, 0 },
                { "pid: 1", -EINVAL, 0 },
                { "pid:-1", -EINVAL, 0 },
                { "pid:+1", -EINVAL, 0 },
                { "pid:pid:1", -EINVAL, 0 },
                { "PID:1", -EINVAL, 0 },
                { "pid:1 ", -EINVAL, 0 },
                { "pid:0x10", -EINVAL, 0 },
                { "", -EINVAL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                pid_t p = 77;
                cr_assert_eq(target_parse_pid(t[i].s, &p), t[i].r, "target_parse_pid('%s')", t[i].s);
                cr_assert_eq(p, t[i].r ? 77 : t[i].pid, "target_parse_pid('%s') gave %d", t[i].s, p);
        }
}

Test(stat, starttime)
{
        uint64_t st;
        char state;
        const char *s = "4338 (sleep) S 4317 4338 4338 0 -1 4194560 103 0 0 0 0 0 0 0 20 0 1 0 17633 "
                        "2375680 129 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        cr_assert_eq(parse_stat_starttime(s, &st, &state), 0);
        cr_assert_eq(st, 17633);
        cr_assert_eq(state, 'S');
        /* comm with spaces and parentheses */
        const char *t = "7 (a) b (c) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0\n";
        cr_assert_eq(parse_stat_starttime(t, &st, &state), 0);
        cr_assert_eq(st, 99);
        cr_assert_eq(state, 'Z');
        cr_assert_lt(parse_stat_starttime("7 (x) S 1 2 3", &st, NULL), 0);
        cr_assert_lt(parse_stat_starttime("garbage", &st, NULL), 0);
        cr_assert_lt(parse_stat_starttime("", &st, NULL), 0);
}

Test(ids, map)
{
        uint32_t in;
        const char *map = "         0     100000      65536\n     65536          0          1\n";
        cr_assert_eq(map_id(map, 100000, &in), 0);
        cr_assert_eq(in, 0);
        cr_assert_eq(map_id(map, 101000, &in), 0);
        cr_assert_eq(in, 1000);
        cr_assert_eq(map_id(map, 0, &in), 0);
        cr_assert_eq(in, 65536);
        cr_assert_eq(map_id(map, 165536, &in), -ERANGE);
        cr_assert_eq(map_id(map, 99999, &in), -ERANGE);
        cr_assert_eq(map_id("", 0, &in), -ERANGE);
        cr_assert_eq(map_id("0 0 4294967295\n", 1000, &in), 0);
        cr_assert_eq(in, 1000);
}

/* Each line on its own, three fields of digits: a short line does not borrow
 * the next line's numbers, signs and trailing fields make no mapping. */
Test(ids, map_lines_alone)
{
        uint32_t in = 7;
        cr_assert_eq(map_id("5\n1000 1\n", 1000, &in), -ERANGE);
        cr_assert_eq(map_id("5 1000\n1\n", 1000, &in), -ERANGE);
        cr_assert_eq(map_id("-18446744073709551615 1000 1\n", 1000, &in), -ERANGE);
        cr_assert_eq(map_id("+0 1000 1\n", 1000, &in), -ERANGE);
        cr_assert_eq(map_id("0 1000 1 9\n", 1000, &in), -ERANGE);
        cr_assert_eq(map_id("0 1000 1x\n", 1000, &in), -ERANGE);
        cr_assert_eq(map_id("0 4294967296 1\n", 0, &in), -ERANGE);
        cr_assert_eq(in, 7, "written on failure");
        cr_assert_eq(map_id("bad line\n\t3\t1000\t2\n", 1001, &in), 0);
        cr_assert_eq(in, 4);
        cr_assert_eq(map_id("0000000000000000000000000000005 1000 1", 1000, &in), 0);
        cr_assert_eq(in, 5);
}

Test(env, socket_vars)
{
        cr_assert(env_is_socket_var("DISPLAY=:0"));
        cr_assert(env_is_socket_var("DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/x"));
        cr_assert(env_is_socket_var("NOTIFY_SOCKET=@x"));
        cr_assert(env_is_socket_var("PULSE_SOCKET=/x"));
        cr_assert_not(env_is_socket_var("DISPLAYS=1"));
        cr_assert_not(env_is_socket_var("HOME=/root"));
        cr_assert_not(env_is_socket_var("SOCKET=1"));
}

static const char *find(char **env, const char *key)
{
        for (char **e = env; *e; e++)
                if (strncmp(*e, key, strlen(key)) == 0)
                        return *e;
        return NULL;
}

Test(env, modes)
{
        char *caller[] = { "PATH=/host/bin", "HOME=/root", "DISPLAY=:0", "TERM=xterm", "LC_ALL=C",
                           "SECRET=x", NULL };
        char **env;

        cr_assert_eq(env_build(ENV_HOST, caller, NULL, 0, NULL, &env), 0);
        cr_assert_str_eq(find(env, "PATH="), "PATH=/host/bin");
        cr_assert_not_null(find(env, "HOME="));
        cr_assert_null(find(env, "DISPLAY="));
        strv_free(env);

        cr_assert_eq(env_build(ENV_CLEAN, caller, NULL, 0, NULL, &env), 0);
        cr_assert_null(find(env, "HOME="));
        cr_assert_null(find(env, "SECRET="));
        cr_assert_not_null(find(env, "TERM="));
        cr_assert_not_null(find(env, "LC_ALL="));
        cr_assert_not_null(find(env, "PATH="));
        strv_free(env);

        const char target[] = "A=1\0PATH=/t/bin\0B=2"; /* last entry unterminated */
        cr_assert_eq(env_build(ENV_TARGET, caller, target, sizeof(target) - 1, NULL, &env), 0);
        cr_assert_str_eq(find(env, "A="), "A=1");
        cr_assert_str_eq(find(env, "B="), "B=2");
        cr_assert_str_eq(find(env, "PATH="), "PATH=/t/bin:/host/bin");
        cr_assert_null(find(env, "HOME="));
        strv_free(env);

        /* the mnt view: the host's PATH means nothing in the container's files */
        cr_assert_eq(env_build(ENV_TARGET, caller, target, sizeof(target) - 1, "/v/bin", &env), 0);
        cr_assert_str_eq(find(env, "PATH="), "PATH=/v/bin:/t/bin");
        strv_free(env);
        cr_assert_eq(env_build(ENV_CLEAN, caller, NULL, 0, "/v/bin", &env), 0);
        cr_assert_str_eq(find(env, "PATH="),
                         "PATH=/v/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        cr_assert_null(find(env, "HOME="));
        strv_free(env);
}

static int parse(struct options *o, char *err, ...)
{
        static char *argv[32]; /* o->argv points into it after return */
        int argc = 1;
        argv[0] = "nsattach";
        va_list ap;
        va_start(ap, err);
        for (char *a; (a = va_arg(ap, char *));)
                argv[argc++] = a;
        va_end(ap);
        return cli_parse(argc, argv, o, err, CLI_ERROR_MAX);
}

Test(cli, namespaces_and_sources)
{
        struct options o;
        char err[CLI_ERROR_MAX];

        cr_assert_eq(parse(&o, err, "-t", "42", "-n", "--uts=/run/x", "--", "ip", "a", NULL), 0, "%s", err);
        cr_assert_str_eq(o.target, "42");
        cr_assert(o.ns_wanted[NS_NET]);
        cr_assert_null(o.ns_source[NS_NET]);
        cr_assert(o.ns_wanted[NS_UTS]);
        cr_assert_str_eq(o.ns_source[NS_UTS], "/run/x");
        cr_assert_not(o.ns_wanted[NS_PID]);
        cr_assert_str_eq(o.argv[0], "ip");
        cr_assert_str_eq(o.argv[1], "a");

        /* -nu is -n -u, not "the net namespace in file u" */
        cr_assert_eq(parse(&o, err, "-t", "1", "-nuT", NULL), 0, "%s", err);
        cr_assert(o.ns_wanted[NS_NET] && o.ns_wanted[NS_UTS] && o.ns_wanted[NS_TIME]);
        cr_assert_null(o.ns_source[NS_NET]);
        cr_assert_null(o.argv);

        /* a glued value that is not all flag letters is a source */
        cr_assert_eq(parse(&o, err, "-t", "1", "-n/run/netns/x", NULL), 0, "%s", err);
        cr_assert_str_eq(o.ns_source[NS_NET], "/run/netns/x");

        /* options stop at the program */
        cr_assert_eq(parse(&o, err, "-t", "1", "-a", "ls", "-n", NULL), 0, "%s", err);
        cr_assert(o.all);
        cr_assert_not(o.ns_wanted[NS_NET]);
        cr_assert_str_eq(o.argv[1], "-n");
}

Test(cli, ids)
{
        struct options o;
        char err[CLI_ERROR_MAX];

        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "-S", "1", "-G", "follow", NULL), 0, "%s", err);
        cr_assert(o.uid_set && !o.uid_follow);
        cr_assert_eq(o.uid, 1);
        cr_assert(o.gid_set && o.gid_follow);
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "-S", "-1", NULL), -EINVAL);
        cr_assert(strstr(err, "setuid"), "%s", err);
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "-S", "4294967295", NULL), -EINVAL);
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "-S", "0", "--preserve-credentials", NULL), -EINVAL);
}

Test(cli, errors_name_the_problem)
{
        struct options o;
        char err[CLI_ERROR_MAX];

        cr_assert_eq(parse(&o, err, "-n", NULL), 0, "a namespace without -t is checked later");
        cr_assert_eq(parse(&o, err, NULL), -EINVAL);
        cr_assert(strstr(err, "no target"), "%s", err);
        cr_assert_eq(parse(&o, err, "-t", "1", NULL), -EINVAL);
        cr_assert(strstr(err, "nothing to enter"), "%s", err);
        cr_assert_eq(parse(&o, err, "-t", "1", "-x", NULL), -EINVAL);
        cr_assert(strstr(err, "-x"), "%s", err);
        cr_assert_eq(parse(&o, err, "-t", "1", "--bogus", NULL), -EINVAL);
        cr_assert(strstr(err, "--bogus"), "%s", err);
        cr_assert_eq(parse(&o, err, "-t", NULL), -EINVAL);
        cr_assert(strstr(err, "needs a value"), "%s", err);
        cr_assert_eq(parse(&o, err, "-t", "1", "-t", "2", "-n", NULL), -EINVAL);
        cr_assert_eq(parse(&o, err, "-t", "1", "--env-mode=bogus", "-n", NULL), -EINVAL);
        cr_assert(strstr(err, "bogus"), "%s", err);
        cr_assert_eq(parse(&o, err, "-a", NULL), -EINVAL);
        cr_assert_eq(parse(&o, err, "--net=", NULL), -EINVAL);
        cr_assert_eq(parse(&o, err, "-t", "1", "--all=1", NULL), -EINVAL);
        cr_assert(strstr(err, "'--all' takes no value"), "%s", err);
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--privileged", "--confine", NULL), -EINVAL);
        cr_assert(strstr(err, "--privileged") && strstr(err, "--confine"), "%s", err);
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--privileged", NULL), 0, "%s", err);
        cr_assert(o.privileged);
        cr_assert_eq(parse(&o, err, "-h", NULL), 0);
        cr_assert_eq(o.action, ACTION_HELP);
}

/* Found by fuzz-cli: the error named the argument before the bad one, or the wrong problem. */
Test(cli, errors_name_the_right_argument)
{
        struct options o;
        char err[CLI_ERROR_MAX];

        /* an unknown letter inside a bundle: getopt has not moved past that argument yet */
        cr_assert_eq(parse(&o, err, "--root=/x", "-Xa", NULL), -EINVAL);
        cr_assert_str_eq(err, "unknown option '-X' (see --help)");
        cr_assert_eq(parse(&o, err, "--list", "-.json", NULL), -EINVAL);
        cr_assert_str_eq(err, "unknown option '-.' (see --help)");
        /* an unknown or ambiguous long option with a value does not "take no value" */
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--moud=web", NULL), -EINVAL);
        cr_assert_str_eq(err, "unknown option '--moud=web' (see --help)");
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--r=x", NULL), -EINVAL);
        cr_assert_str_eq(err, "unknown option '--r=x' (see --help)");
        cr_assert_eq(parse(&o, err, "-t", "1", "--list=1", NULL), -EINVAL);
        cr_assert_str_eq(err, "option '--list' takes no value");
        /* the error is one line, whatever the argument it quotes holds */
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--bog\nus\x1b[2J", NULL), -EINVAL);
        cr_assert_str_eq(err, "unknown option '--bog?us?[2J' (see --help)");
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--exec=a\nb", NULL), -EINVAL);
        cr_assert_str_eq(err, "--exec: 'a?b' is not host or container");
}

/* --timeout takes what timeout(1) takes: seconds, or a number and s, m, h or d; 0 is none. */
Test(cli, timeout_durations)
{
        static const struct {
                const char *arg;
                uint64_t us;
        } good[] = { { "30", 30000000 }, { "0.5", 500000 }, { "1e3", 1000000000 }, { "2s", 2000000 },
                     { "1.5m", 90000000 }, { "2h", 7200000000 }, { "1d", 86400000000 }, { "0", 0 },
                     { "0s", 0 }, { "1e-9", 1 } };
        static const char *const bad[] = { "", "s", "5x", "5ss", "m5", "-1", "1e", ".", "nan", "inf",
                                           "1 s", "0x10", "200d", "5S" };
        struct options o;
        char err[CLI_ERROR_MAX];

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--timeout", good[i].arg, NULL), 0, "%s: %s",
                             good[i].arg, err);
                cr_assert_eq(o.timeout_us, good[i].us, "%s: %llu us", good[i].arg,
                             (unsigned long long)o.timeout_us);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--timeout", bad[i], NULL), -EINVAL, "%s", bad[i]);
                cr_assert(strstr(err, "--timeout") && strstr(err, "not a duration"), "%s: %s", bad[i], err);
        }
}

/* crun CVE-2026-30892 read "-u 1" as uid 0: every spelling of a value gives that value. */
Test(cli, id_spellings)
{
        struct options o;
        char err[CLI_ERROR_MAX];

        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "--setuid=1", "--setgid=1", NULL), 0, "%s", err);
        cr_assert(o.uid_set && !o.uid_follow && o.uid == 1 && o.gid_set && !o.gid_follow && o.gid == 1);
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "-S1", "-G01", NULL), 0, "%s", err);
        cr_assert(o.uid == 1 && o.gid == 1);
        cr_assert_eq(parse(&o, err, "-t", "1", "-aS", "1", NULL), 0, "%s", err);
        cr_assert(o.all && o.uid_set && o.uid == 1);
        cr_assert_eq(parse(&o, err, "-t", "1", "-n", "-S", "4294967294", NULL), 0, "%s", err);
        cr_assert_eq(o.uid, 4294967294u);
        const char *bad[] = { "", " 1", "1 ", "+1", "0x10", "4294967295", "99999999999999999999", "Follow" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                cr_assert_eq(parse(&o, err, "-t", "1", "-n", "-S", bad[i], NULL), -EINVAL, "accepted '%s'", bad[i]);
                cr_assert(strstr(err, "--setuid"), "%s", err);
        }
}

Test(ns, table)
{
        int seen = 0;
        for (int i = 0; i < _NS_MAX; i++) {
                cr_assert_eq(ns_from_clone_flag(ns_table[i].clone_flag), i);
                cr_assert_eq(seen & ns_table[i].clone_flag, 0);
                seen |= ns_table[i].clone_flag;
                cr_assert_eq(ns_table[i].children_only, ns_table[i].child_name != NULL);
        }
        cr_assert(ns_table[NS_PID].children_only && ns_table[NS_TIME].children_only);
        cr_assert_eq(ns_from_clone_flag(0x1), -EINVAL);
}

Test(jscan, validates_rfc8259)
{
        const char *good[] = {
                "{}", "[]", "0", "-1.5e+3", "\"a\\u00e9\\n\"", " {\"a\":[1,{\"b\":null}],\"c\":true} ",
                "{\"x\":\"\\ud83d\\ude00\"}",
        };
        const char *bad[] = {
                "", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "01", "1.", "-", "+1", "tru",
                "\"\\x\"", "\"a\nb\"", "\"\\u12\"", "{} {}", "{'a':1}", "[1 2]", "nul",
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                cr_expect_eq(jscan_validate(good[i], strlen(good[i])), 0, "valid: %s", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                cr_expect_eq(jscan_validate(bad[i], strlen(bad[i])), -EBADMSG, "invalid: %s", bad[i]);
        /* nesting is bounded, not a stack overflow */
        char deep[4096];
        memset(deep, '[', sizeof(deep) - 1);
        deep[sizeof(deep) - 1] = '\0';
        cr_expect_eq(jscan_validate(deep, strlen(deep)), -EBADMSG);
}

/* One field of doc, as jscan_extract finds it: 0, -ENOENT or its error. */
static int get1(const char *doc, const char *const *path, struct jspan *v)
{
        struct jscan_field f = { path, { NULL, 0 } };
        int r = jscan_extract(doc, strlen(doc), &f, 1);

        *v = f.v;
        return r < 0 ? r : f.v.p ? 0 : -ENOENT;
}

Test(jscan, finds_members_not_strings)
{
        /* "Pid" inside Labels (a map whose keys are the user's) and inside a string must not count */
        const char *doc = "{\"Config\":{\"Labels\":{\"Pid\":\"1\",\"Name\":\"/decoy\"}},"
                          "\"Note\":\"\\\"Pid\\\":2\",\"State\":{\"Pid\":4338,\"Running\":true},"
                          "\"Name\":\"/web\\u0073erver\"}";
        static const char *const pid[] = { "State", "Pid", NULL }, *const name[] = { "Name", NULL };
        static const char *const top_pid[] = { "Pid", NULL };
        struct jspan v;
        uint64_t n;
        char buf[64];

        cr_assert_eq(jscan_validate(doc, strlen(doc)), 0);
        cr_assert_eq(get1(doc, pid, &v), 0);
        cr_assert_eq(jscan_uint(v, INT32_MAX, &n), 0);
        cr_expect_eq(n, 4338);
        cr_expect_eq(get1(doc, top_pid, &v), -ENOENT);
        cr_assert_eq(get1(doc, name, &v), 0);
        cr_assert_eq(jscan_string(v, buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "/webserver");
        cr_expect_eq(jscan_string(v, buf, 4), -ENAMETOOLONG);
}

Test(jscan, several_fields_one_pass)
{
        const char *doc = "{\"id\":\"c1\",\"config\":{\"mounts\":[{\"rootfs\":\"/decoy\"}],\"rootfs\":\"/r\"},"
                          "\"init_process_pid\":42,\"State\":7,\"init_process_start\":99}";
        static const char *const p_pid[] = { "init_process_pid", NULL };
        static const char *const p_start[] = { "init_process_start", NULL };
        static const char *const p_rootfs[] = { "config", "rootfs", NULL };
        static const char *const p_state_pid[] = { "State", "Pid", NULL };
        static const char *const p_missing[] = { "nope", NULL };
        struct jscan_field f[] = { { p_pid, {} }, { p_start, {} }, { p_rootfs, {} },
                                   { p_state_pid, {} }, { p_missing, {} } };
        uint64_t n;
        char buf[16];

        cr_assert_eq(jscan_extract(doc, strlen(doc), f, ELEMENTSOF(f)), 0);
        cr_assert_eq(jscan_uint(f[0].v, INT32_MAX, &n), 0);
        cr_expect_eq(n, 42);
        cr_assert_eq(jscan_uint(f[1].v, UINT64_MAX, &n), 0);
        cr_expect_eq(n, 99);
        /* the member of config, not the one inside its mounts array */
        cr_assert_eq(jscan_string(f[2].v, buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "/r");
        /* through a number: absent, not an error */
        cr_expect_null(f[3].v.p);
        cr_expect_null(f[4].v.p);
        /* fields or not, an invalid document is refused whole */
        const char *bad = "{\"init_process_pid\":42,\"x\":[1,]}";
        cr_expect_eq(jscan_extract(bad, strlen(bad), f, ELEMENTSOF(f)), -EBADMSG);
        static const char *const empty[] = { NULL };
        struct jscan_field e = { empty, {} };
        cr_expect_eq(jscan_extract("{}", 2, &e, 1), -EINVAL);
}

Test(jscan, duplicate_keys_are_refused)
{
        const char *doc = "{\"State\":{\"Pid\":1},\"State\":{\"Pid\":4338}}";
        static const char *const pid[] = { "State", "Pid", NULL };
        struct jspan v;

        cr_expect_eq(get1(doc, pid, &v), -EBADMSG);
        /* on the path's inner object too */
        cr_expect_eq(get1("{\"State\":{\"Pid\":1,\"Pid\":2}}", pid, &v), -EBADMSG);
        /* also when the second spelling uses an escape */
        const char *esc = "{\"Pid\":1,\"P\\u0069d\":2}";
        static const char *const top[] = { "Pid", NULL };
        cr_expect_eq(get1(esc, top, &v), -EBADMSG);
        /* a repeated key off every path is the writer's business, not ours */
        cr_expect_eq(get1("{\"a\":1,\"a\":2,\"Pid\":3}", top, &v), 0);
}

Test(jscan, strings_eight_bytes_at_a_time)
{
        /* quotes, backslashes and control characters at every offset of the
         * eight-byte steps, and UTF-8 (bytes >= 0x80) that must not stop them */
        for (int off = 0; off < 17; off++) {
                char doc[64], bad[64];
                memset(doc, 'x', sizeof(doc));
                doc[0] = '"';
                memcpy(doc + 1 + off, "\\\"\xc3\xa9", 4);
                doc[1 + off + 4] = '"';
                doc[1 + off + 5] = '\0';
                cr_expect_eq(jscan_validate(doc, strlen(doc)), 0, "offset %d", off);
                memcpy(bad, doc, sizeof(bad));
                bad[1 + off] = '\n';
                cr_expect_eq(jscan_validate(bad, strlen(bad)), -EBADMSG, "control at %d", off);
                memcpy(bad, doc, sizeof(bad));
                bad[1 + off + 4] = 'x'; /* unterminated */
                cr_expect_eq(jscan_validate(bad, strlen(bad)), -EBADMSG, "unterminated %d", off);
        }
}

Test(jscan, numbers)
{
        struct jspan v;
        uint64_t n;
        static const char *const k[] = { "a", NULL };

        cr_expect_eq(get1("{\"a\":-1}", k, &v) == 0 && jscan_uint(v, 100, &n) == 0, false);
        cr_expect_eq(get1("{\"a\":1.5}", k, &v) == 0 && jscan_uint(v, 100, &n) == 0, false);
        cr_expect_eq(get1("{\"a\":101}", k, &v) == 0 && jscan_uint(v, 100, &n) == 0, false);
        cr_expect_eq(get1("{\"a\":\"7\"}", k, &v) == 0 && jscan_uint(v, 100, &n) == 0, false);
        cr_assert_eq(get1("{\"a\":17633}", k, &v), 0);
        cr_assert_eq(jscan_uint(v, UINT64_MAX, &n), 0);
        cr_expect_eq(n, 17633);
}

Test(util, strip_controls)
{
        char a[] = "a\tb\x1b]2;x\x07\nd\x7f", b[sizeof(a)];

        memcpy(b, a, sizeof(a));
        strip_controls(a, false);
        cr_expect_str_eq(a, "a\tb?]2;x??d?");
        strip_controls(b, true);
        cr_expect_str_eq(b, "a\tb?]2;x?\nd?");
}

/* The target's LSM label, as attr/current shows it, and which LSM is active. */
Test(lsm, labels_and_the_active_module)
{
        cr_assert_eq(lsm_from_list("lockdown,capability,landlock,bpf"), LSM_NONE);
        cr_assert_eq(lsm_from_list("lockdown,capability,landlock,yama,apparmor,bpf"), LSM_APPARMOR);
        cr_assert_eq(lsm_from_list("capability,selinux"), LSM_SELINUX);
        cr_assert_eq(lsm_from_list("capability,notapparmor,selinuxx"), LSM_NONE, "whole names only");
        cr_assert_eq(lsm_from_list(""), LSM_NONE);

        static const struct {
                enum lsm_kind kind;
                const char *text, *want;
                int r;
        } cases[] = {
                { LSM_APPARMOR, "docker-default (enforce)\n", "docker-default", 0 },
                { LSM_APPARMOR, "cri-containerd.apparmor.d (complain)", "cri-containerd.apparmor.d", 0 },
                { LSM_APPARMOR, "lxc-container-default-cgns (enforce)\n", "lxc-container-default-cgns", 0 },
                { LSM_APPARMOR, "a//&b (enforce)\n", "a//&b", 0 },
                { LSM_APPARMOR, "a (enforce)//&:ns:b (complain)\n", "a//&:ns:b", 0 },
                { LSM_APPARMOR, "/usr/bin/foo (enforce)", "/usr/bin/foo", 0 },
                { LSM_APPARMOR, "my (odd) name (enforce)", "my (odd) name", 0 },
                { LSM_APPARMOR, "unconfined\n", NULL, 0 },
                { LSM_APPARMOR, "", NULL, -EINVAL },
                { LSM_APPARMOR, "bad\x1b[2J (enforce)", NULL, -EINVAL },
                { LSM_SELINUX, "system_u:system_r:container_t:s0:c123,c456", "system_u:system_r:container_t:s0:c123,c456", 0 },
                { LSM_SELINUX, "system_u:system_r:spc_t:s0\n", "system_u:system_r:spc_t:s0", 0 },
                { LSM_SELINUX, "\n", NULL, -EINVAL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *got = (char *)"unset";
                int r = lsm_label_of(cases[i].kind, cases[i].text, &got);
                cr_assert_eq(r, cases[i].r, "%s: %d", cases[i].text, r);
                if (!cases[i].want)
                        cr_assert_null(got, "%s: %s", cases[i].text, got);
                else
                        cr_assert(got && !strcmp(got, cases[i].want), "%s: %s", cases[i].text, got ? got : "(null)");
                free(got);
        }
}
