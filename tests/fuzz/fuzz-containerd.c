/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containerd: a task bundle's config.json, then (after "\n--\n") runc's state.json. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *a, *b;
        size_t al, bl;

        fuzz_split(data, size, &a, &al, &b, &bl);
        fuzz_write("containerd/io.containerd.runtime.v2.task/k8s.io/app1/config.json", a, al);
        fuzz_write("containerd/io.containerd.runtime.v2.task/k8s.io/app1/init.pid", b, bl > 12 ? 12 : bl);
        fuzz_write("containerd/runc/k8s.io/app1/state.json", b, bl);
        fuzz_scan(rt_containerd_scan, SCHEME_ANY, "prod/api/app");
        return 0;
}
