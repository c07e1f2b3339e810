/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flood SIGNUM: for test-views' launched_hand_off_survives_a_signal_flood.
 * Run in a container's pid namespace, it sends SIGNUM to every process it
 * may, as fast as it can, until killed.  Static, so that it runs wherever it
 * is entered.
 */
#include <signal.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
        int sig = argc > 1 ? atoi(argv[1]) : 0;
        if (sig <= 0 || sig >= 65)
                return 2;
        signal(sig, SIG_IGN);
        for (;;)
                kill(-1, sig);
}
