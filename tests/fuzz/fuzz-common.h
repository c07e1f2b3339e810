/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer targets for the parsers of runtime state: the input becomes one or
 * more state files in a scratch tree on tmpfs, and a resolver reads the tree
 * as it would a host's.  A crash, a leak or a sanitizer report is a finding.
 */
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[64];

static int fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st, (void)flag, (void)ftw;
        remove(path);
        return 0;
}

static void fuzz_cleanup(void)
{
        nftw(fuzz_dir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* A scratch tree, made once per process and removed at exit. */
static inline const char *fuzz_tree(void)
{
        if (!fuzz_dir[0]) {
                snprintf(fuzz_dir, sizeof(fuzz_dir), "/dev/shm/nsattach-fuzz-XXXXXX");
                if (!mkdtemp(fuzz_dir))
                        abort();
                atexit(fuzz_cleanup);
        }
        return fuzz_dir;
}

static inline void fuzz_mkdirs(const char *path)
{
        char buf[512];

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        mkdir(buf, 0700);
                        *p = '/';
                }
}

/* Write len bytes to TREE/rel, creating the directories on the way. */
static inline void fuzz_write(const char *rel, const uint8_t *data, size_t len)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", fuzz_tree(), rel);
        fuzz_mkdirs(path);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                abort();
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n <= 0)
                        abort();
                data += n;
                len -= (size_t)n;
        }
        close(fd);
}

/* Split the input at the first "\n--\n" into two files' contents. */
static inline void fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *al,
                              const uint8_t **b, size_t *bl)
{
        const uint8_t *sep = memmem(data, size, "\n--\n", 4);

        *a = data;
        *al = sep ? (size_t)(sep - data) : size;
        *b = sep ? sep + 4 : data + size;
        *bl = sep ? size - *al - 4 : 0;
}

/* A query with every root off but the named ones, under the scratch tree. */
static inline void fuzz_query(struct rt_query *q, const char *text, enum rt_scheme scheme)
{
        static char roots[_ROOT_MAX][128];

        for (int i = 0; i < _ROOT_MAX; i++) {
                snprintf(roots[i], sizeof(roots[i]), "%s/%s", fuzz_tree(), rt_root_table[i].key);
                q->roots[i] = roots[i];
        }
        q->roots[ROOT_CGROUP] = NULL;
        q->text = text;
        q->scheme = scheme;
}

/* Run a scan with and without a query and free what it found. */
static inline void fuzz_scan(int (*scan)(const struct rt_query *, struct ctr_list *), enum rt_scheme s,
                             const char *text)
{
        struct rt_query q;
        struct ctr_list l = { 0 };

        fuzz_query(&q, NULL, s);
        scan(&q, &l);
        for (size_t i = 0; i < l.n; i++) {
                char *d = ctr_display(&l.v[i]);
                free(d);
        }
        ctr_list_free(&l);
        fuzz_query(&q, text, s);
        scan(&q, &l);
        ctr_list_free(&l);
}
