/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd-machined's machine file. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_write("machines/web-vm", data, size);
        fuzz_scan(rt_machine_scan, SCHEME_MACHINE, "web-vm");
        return 0;
}
