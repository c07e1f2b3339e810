/* SPDX-License-Identifier: GPL-2.0-or-later */
/* podman and CRI-O: containers.json, then (after "\n--\n") a container's OCI config.json. */
#include "fuzz-common.h"

#define ID "2a47ce274ef646e2e696832e7e44560a6c40b9b47615b489adabd57fd5ab2218"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *a, *b;
        size_t al, bl;

        fuzz_split(data, size, &a, &al, &b, &bl);
        fuzz_write("podman/overlay-containers/containers.json", a, al);
        fuzz_write("podman-run/overlay-containers/" ID "/userdata/config.json", b, bl);
        fuzz_write("crun/" ID "/status", b, bl);
        fuzz_scan(rt_podman_scan, SCHEME_ANY, "webserver");
        return 0;
}
