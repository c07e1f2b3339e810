#!/bin/bash
# Attack tests T1-T4 of SECURITY.md: a hostile process (the racer,
# tests/helpers/racer.c) inside real docker containers, and inside a target
# with a user namespace of its own, attacks every process of ours that
# appears there while nsattach attaches to it again and again, in each view.
# Whatever it reaches of the host (a marker file, a secret in nsattach's
# environment, a host fd, directory or binary, a privileged tracee) is a hit,
# and the test wants none.  A control run first shows that the racer does find
# what a reachable host process exposes.
#   usage: test-attacks.sh NSATTACH SOURCE_ROOT RACER
#   ATTACKS_N, ATTACKS_USERNS_N: attaches per view (200, 50); ATTACKS_KEEP=DIR keeps the racers' logs
set -uo pipefail
NSATTACH=$1
SRC=$2
RACER=$3
# shellcheck source=tests/lib/tap.sh
. "$SRC/tests/lib/tap.sh"

[ "$(id -u)" -eq 0 ] || { skip "attacks" "needs root to run dockerd"; tap_done; exit; }
for tool in dockerd docker unshare nsenter setpriv pgrep sha256sum readlink ps; do
        if ! command -v "$tool" >/dev/null; then
                skip "attacks" "$tool is not installed (tools/install-deps installs it)"
                tap_done
                exit
        fi
done
[ -x "$RACER" ] || bail "the racer ($RACER) is not built"

: "${ATTACKS_N:=200}"        # attaches per container and view (T1)
: "${ATTACKS_USERNS_N:=50}"  # attaches per view against the user-namespaced target (T3)

# Only containers named so are ours: rt_cleanup removes those and no others.
export RT_PREFIX=nsa-attack-
# shellcheck source=tests/runtimes/lib.sh
. "$SRC/tests/runtimes/lib.sh"

tmp=$(mktemp -d /tmp/nsa-attack.XXXXXX) || bail "mktemp failed"
# Readable by anyone, so that only namespaces and ptrace rules stand between
# the racer and it, not file modes: the test is about nsattach.
chmod 755 "$tmp"
marker=$tmp/marker
secret="nsa-attack-secret-$RANDOM$RANDOM$RANDOM"
echo "$secret-file" >"$marker"
chmod 644 "$marker"
upid=
ushare=

cleanup() {
        local p
        for p in $(racer_pids_all); do kill -KILL "$p" 2>/dev/null; done
        [ -n "$upid" ] && kill -KILL "$upid" 2>/dev/null
        [ -n "$ushare" ] && kill -KILL "$ushare" 2>/dev/null
        rt_cleanup >/dev/null 2>&1
        rm -rf "$tmp"
}
trap cleanup EXIT

rt_docker_up || bail "could not start dockerd (see the line above)"
rt_image || bail "could not build the test image (see the line above)"

# ---- racers ----
# Processes of pid namespace NSREF (a /proc/PID/ns/pid link) whose comm is racer.
racer_pids() {
        local p
        for p in /proc/[0-9]*; do
                [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$1" ] || continue
                [ "$(cat "$p/comm" 2>/dev/null)" = racer ] || continue
                # a stopped racer whose parent does not reap (pid 1 there is a sleep)
                [ "$(awk '/^State:/ {print $2}' "$p/status" 2>/dev/null)" = Z ] || echo "${p#/proc/}"
        done
}
# Every racer in the targets of this test (at exit).
racer_pids_all() {
        local c p
        for c in nsa-attack-dflt nsa-attack-ptrace; do
                p=$(docker inspect -f '{{.State.Pid}}' "$c" 2>/dev/null) || continue
                [[ $p =~ ^[1-9][0-9]*$ ]] && racer_pids "$(readlink "/proc/$p/ns/pid")"
        done
        [ -n "$upid" ] && racer_pids "$(readlink "/proc/$upid/ns/pid" 2>/dev/null)"
}

# racer_wait_start HOSTPID_OF_TARGET LOG: its START line, once it knows what to spare.
# Sets rns (its pid in the target's namespace) and rpid (on the host), or says why not.
racer_wait_start() {
        local log=/proc/$1/root$2 ns i
        rns="" rpid=""
        ns=$(readlink "/proc/$1/ns/pid")
        for i in $(seq 200); do
                rns=$(sed -n 's/^START pid=\([0-9]*\) .*/\1/p' "$log" 2>/dev/null)
                rpid=$(racer_pids "$ns")
                [ -n "$rns" ] && [[ $rpid =~ ^[0-9]+$ ]] && return 0
                sleep 0.05
        done
        echo "# racer in $1's pid namespace: START line '$rns', racers there: '${rpid//$'\n'/ }'"
        return 1
}

# racer_start CONTAINER TAG [nostop]: a fresh racer in a docker container, one log per
# phase; unless nostop, it stops (SIGSTOP) what it attacks for the length of each attack.
racer_start() {
        local cpid c=$1 tag=$2 stop=-s
        [ "${3:-}" = nostop ] && stop=
        cpid=$(rt_docker_pid "$c") || return 1
        rt_docker exec -d "$c" /racer -o "/tmp/racer-$tag.log" -f "$marker" -e "$secret" -t 900 ${stop:+"$stop"} ||
                { echo "# docker exec -d $c /racer failed"; return 1; }
        racer_wait_start "$cpid" "/tmp/racer-$tag.log" || return 1
        rlog=/proc/$cpid/root/tmp/racer-$tag.log
}

# racer_stop: SIGTERM, then its summary.  Sets summary and the hit lines.
racer_stop() {
        local i
        summary=
        kill -TERM "$rpid" 2>/dev/null
        for i in $(seq 200); do
                summary=$(grep '^SUMMARY ' "$rlog" 2>/dev/null)
                [ -n "$summary" ] && break
                sleep 0.05
        done
        for i in $(seq 100); do
                [ "$(awk '/^State:/ {print $2}' "/proc/$rpid/status" 2>/dev/null)" = "" ] && break
                [ "$(awk '/^State:/ {print $2}' "/proc/$rpid/status" 2>/dev/null)" = Z ] && break
                sleep 0.05
        done
        # the hits alike but for the pid, once each with how many processes had it,
        # then a few whole lines (with the stage the process was at)
        mapfile -t hits < <(grep '^HIT ' "$rlog" 2>/dev/null |
                sed -E 's/^HIT ([a-z]+) [0-9]+ /\1 /; s|/proc/[0-9]+/|/proc/P/|g; s/\(([0-9]+), /(P, /' |
                sed -E 's/ \[comm=.*//; s/ino [0-9]+/ino N/; s/(pipe|socket):\[[0-9]+\]/\1:[N]/g' |
                sort | uniq -c | sort -rn | head -n 40)
        mapfile -t -O "${#hits[@]}" hits < <(grep '^HIT ' "$rlog" 2>/dev/null | awk '!seen[$3]++' |
                sed -n 's/.* \(syscall=[^ ]* wchan=[^]]*\)\]$/stage of the processes hit (first hit): \1/p' |
                sort | uniq -c | sort -rn | head -n 5)
        mapfile -t -O "${#hits[@]}" hits < <(grep '^HIT ' "$rlog" 2>/dev/null | head -n 3)
        mapfile -t kinds < <(grep '^KIND ' "$rlog" 2>/dev/null)
}

# field NAME: NAME=VALUE of the racer's summary
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$summary"; }
kind_field() { # KIND NAME
        local l
        for l in "${kinds[@]}"; do
                [[ $l == "KIND $1 "* ]] && sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$l"
        done
}

# attach_loop N WANT_RC is|like WANT NSATTACH-ARGS...: the attaches, from the marker's
# directory (a host program's cwd there would hand the racer the marker) with the
# secret in nsattach's environment, stdin /dev/null, output to a pipe.  Each must
# exit WANT_RC with output WANT (is: exactly, like: a glob).  Sets bad (how many
# did not) and first_bad.
attach_loop() {
        local n=$1 want_rc=$2 how=$3 want=$4 i o r ok
        shift 4
        bad=0 first_bad=
        for ((i = 0; i < n; i++)); do
                o=$(cd "$tmp" && NSA_ATTACK_SECRET=$secret timeout -k 2 20 "$NSATTACH" "$@" </dev/null 2>&1)
                r=$?
                # The host's exec of nsattach itself can fail with ETXTBSY while the
                # racer opens host binaries for writing through the mnt view's
                # read-only binds (the kernel counts the inode's writer before it
                # checks the mount: SECURITY.md).  That attach never started: it is
                # counted, said, and tried again (three times at most).
                # (bash's exec of timeout, or timeout's of nsattach: either says so)
                local tries=0
                while [[ $r == 126 && $o == *"Text file busy"* ]] && ((tries++ < 3)); do
                        txtbsy=$((txtbsy + 1))
                        o=$(cd "$tmp" && NSA_ATTACK_SECRET=$secret timeout -k 2 20 "$NSATTACH" "$@" </dev/null 2>&1)
                        r=$?
                done
                ok=1
                if [ "$how" = is ]; then
                        [[ $o == "$want" ]] || ok=
                else
                        # shellcheck disable=SC2053
                        [[ $o == $want ]] || ok=
                fi
                if [[ $r != "$want_rc" || -z $ok ]]; then
                        bad=$((bad + 1))
                        [ -n "$first_bad" ] || first_bad="attach $i: rc $r: $(tr '\n' ' ' <<<"${o:0:400}")"
                fi
        done
}

# attaches_ok NAME: what attach_loop found
txtbsy=0
attaches_ok() {
        if ((txtbsy > 0)); then
                echo "# $txtbsy attach(es) did not start: the host's exec of nsattach got ETXTBSY (retried)"
                txtbsy=0
        fi
        if [ "$bad" = 0 ]; then
                pass "$1"
        else
                fail "$1" "$bad of them wrong, the first: $first_bad"
        fi
}

# keep_log NAME: with ATTACKS_KEEP=DIR, the racer's whole log is copied there (the
# containers, and their logs with them, are removed at the end).
keep_log() {
        [ -n "${ATTACKS_KEEP:-}" ] || return 0
        mkdir -p "$ATTACKS_KEEP" && cp "$rlog" "$ATTACKS_KEEP/$(tr -c 'A-Za-z0-9\n' _ <<<"$1").log"
}

# check_phase NAME SEEN: the racer's verdict on one phase.  SEEN: "ours" when our
# program is in its pid namespace (it must have seen and tried it), "none" when
# nothing of ours may appear there.
check_phase() {
        local name=$1 seen=$2 h tries newpids passes
        keep_log "$name"
        h=$(field hits) tries=$(field tries) newpids=$(field newpids) passes=$(field passes)
        echo "# $name: racer $summary"
        printf '#   %s\n' "${kinds[@]}"
        if [ -z "$summary" ]; then
                fail "$name: the racer reported" "no summary in $rlog (it died?)"
                return
        fi
        if [ "$h" = 0 ]; then
                pass "$name: 0 hits ($tries tries on $newpids processes of ours, $passes passes)"
        else
                fail "$name: 0 hits ($tries tries on $newpids processes of ours)" \
                        "got $h hits; alike ones counted, then the first three in full:" "${hits[@]}"
        fi
        if [ "$seen" = ours ]; then
                if ((newpids > 0 && tries > 0)); then
                        pass "$name: the racer saw our processes appear and tried them ($(field comms))"
                else
                        fail "$name: the racer saw our processes appear and tried them" \
                                "newpids $newpids tries $tries: it proves nothing"
                fi
                local et ew
                et=$(field exe_write_tries) ew=$(field exe_write_ok)
                if ((et > 0)) && [ "$ew" = 0 ]; then
                        pass "$name: T4: /proc/P/exe opened for writing 0 times in $et attempts"
                else
                        fail "$name: T4: /proc/P/exe opened for writing 0 times" "attempts $et, opened $ew"
                fi
        else
                if [ "$newpids" = 0 ] && ((passes > 0)); then
                        pass "$name: nothing of ours entered the racer's pid namespace ($passes passes)"
                else
                        fail "$name: nothing of ours entered the racer's pid namespace" \
                                "newpids $newpids ($(field comms)) passes $passes"
                fi
        fi
}

# ---- what must not change (T4) ----
loader=$(readlink -f /lib64/ld-linux-x86-64.so.2 2>/dev/null)
hashed=("$NSATTACH" "$(command -v readlink)" "$(command -v ps)" "$(command -v cat)" ${loader:+"$loader"})
hash_before=$(sha256sum "${hashed[@]}")

host_pidns=$(readlink /proc/self/ns/pid)
host_userns=$(readlink /proc/self/ns/user)

# ---- the containers ----
# seccomp=unconfined: the kernel's own checks (ptrace_may_access) are what is under
# test, not docker's filter; other runtimes filter differently, or not at all.
attack_containers=(nsa-attack-dflt nsa-attack-ptrace)
rt_docker_run --name nsa-attack-dflt --hostname nsa-attack-dflt --security-opt seccomp=unconfined \
        "$RT_IMAGE" /bin/sleep 100000 >/dev/null || bail "docker run nsa-attack-dflt failed"
rt_docker_run --name nsa-attack-ptrace --hostname nsa-attack-ptrace --cap-add SYS_PTRACE \
        --security-opt seccomp=unconfined "$RT_IMAGE" /bin/sleep 100000 >/dev/null ||
        bail "docker run nsa-attack-ptrace failed"
for c in "${attack_containers[@]}"; do
        rt_docker cp "$RACER" "$c:/racer" || bail "docker cp of the racer into $c failed"
done

t_start=$(date +%s)

# ---- control: what the racer finds when there is something to find ----
# A host process in the container's pid namespace as SECURITY.md's table has it
# reachable: uid 0 without capabilities, the host's files, the marker's directory
# as its cwd, the secret in its environment.  Its binary is a copy of our own:
# the racer may well get it for writing (it never writes).  No -s for this racer:
# nsenter stops itself when its child stops, and nobody would wake it.
cpid=$(rt_docker_pid nsa-attack-dflt) || bail "nsa-attack-dflt is not running"
cp "$(command -v sleep)" "$tmp/sleep-control" || bail "cannot copy sleep"
racer_start nsa-attack-dflt control nostop || bail "the racer did not start in nsa-attack-dflt"
for _ in 1 2 3; do
        (cd "$tmp" && NSA_ATTACK_SECRET=$secret timeout -k 2 20 nsenter -t "$cpid" -p -- setpriv --bounding-set -all \
                --inh-caps -all --ambient-caps -all "$tmp/sleep-control" 0.3 </dev/null >/dev/null 2>&1)
done
racer_stop
keep_log control
echo "# control: racer $summary"
missing=
for k in root cwd environ mem ptrace exe; do
        [ "$(kind_field "$k" hits)" -gt 0 ] 2>/dev/null || missing+=" $k"
done
if [ -z "$missing" ]; then
        pass "control: a reachable host process is hit by every kind of attack that applies"
else
        fail "control: a reachable host process is hit by every kind of attack that applies" "no hit by:$missing" \
                "${kinds[@]}"
fi

for c in "${attack_containers[@]}"; do
        cpid=$(rt_docker_pid "$c") || bail "$c is not running"
        cnet=$(readlink "/proc/$cpid/ns/net")
        label=${c#nsa-attack-}
        echo "# $c: pid $cpid, capabilities $(awk '/^CapBnd/ {print $2}' "/proc/$cpid/status")"

        # net view: a host program outside the container's pid namespace
        racer_start "$c" net || bail "the racer did not start in $c"
        attach_loop "$ATTACKS_N" 0 is "$cnet"$'\n'"$host_pidns" \
                -t "$c" -n -- readlink /proc/self/ns/net /proc/self/ns/pid
        attaches_ok "T1 $label/net: $ATTACKS_N attaches, each in the container's net namespace and our pid one"
        racer_stop
        check_phase "T1 $label/net" none

        # pid view: a host program in its pid namespace, with all our privileges
        racer_start "$c" pid || bail "the racer did not start in $c"
        if [ "$c" = nsa-attack-ptrace ]; then
                # T2: a container that can trace a host program in its pid namespace
                attach_loop "$ATTACKS_N" 125 like "nsattach: *CAP_SYS_PTRACE*" -t "$c" -p -- ps -eo pid=,comm=
                attaches_ok "T2 $label/pid: $ATTACKS_N attaches refused (125, naming CAP_SYS_PTRACE)"
                racer_stop
                check_phase "T2 $label/pid" none
        else
                attach_loop "$ATTACKS_N" 0 like "*1 sleep*$rns racer*ps" -t "$c" -p -- ps -eo pid=,comm=
                attaches_ok "T1 $label/pid: $ATTACKS_N attaches, each listing the container's processes"
                racer_stop
                check_phase "T1 $label/pid" ours
        fi

        # mnt view: the host's program in the container's files, with its privileges
        # (against the container that can trace, the program's process is launched
        # from the view's trampoline: it never runs nsattach's binary, which a
        # tracer could take a handle on and write later, runc CVE-2019-5736)
        racer_start "$c" mnt || bail "the racer did not start in $c"
        attach_loop "$ATTACKS_N" 0 is "$c" -t "$c" -m -- cat /etc/hostname
        attaches_ok "T1 $label/mnt: $ATTACKS_N attaches, each reading the container's /etc/hostname"
        racer_stop
        check_phase "T1 $label/mnt" ours
        if [ "$c" = nsa-attack-ptrace ]; then
                run "$NSATTACH" -t "$c" -m --exec=container -- /bin/true
                is "T2 $label: --exec=container refused (no view, so no trampoline to launch from)" \
                        "$rc $(grep -c 'CAP_SYS_PTRACE.*--exec=container' <<<"$out")" "125 1"
        fi
done

# T2 (the other half): the net view still works against the container that can trace
cpid=$(rt_docker_pid nsa-attack-ptrace)
run "$NSATTACH" -t nsa-attack-ptrace -n -- readlink /proc/self/ns/net
is "T2 ptrace: the net view still works" "$rc $out" "0 $(readlink "/proc/$cpid/ns/net")"

# ---- T3: a target in a user namespace of its own, with the racer inside ----
# --map-root-user: its root is ours by uid, so only the user namespace stands
# between it and our processes (the kernel then wants CAP_SYS_PTRACE over ours).
busybox=$(command -v busybox)
if [ -z "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
        skip "T3 a user-namespaced target" "no static busybox (busybox-static)"
else
        uroot=$tmp/uroot
        mkdir -p "$uroot"
        cat >"$tmp/ustart" <<EOS
mount -t tmpfs nsa-attack-u $uroot && mkdir $uroot/old $uroot/bin $uroot/tmp $uroot/proc &&
mkdir $uroot/dev && touch $uroot/dev/null && mount --bind /dev/null $uroot/dev/null &&
cp $busybox $uroot/bin/busybox && ln -s busybox $uroot/bin/sleep && ln -s busybox $uroot/bin/sh &&
cp $RACER $uroot/racer && cd $uroot && $busybox pivot_root . old &&
exec /bin/busybox sh -c 'busybox mount -t proc proc /proc && busybox umount -l /old &&
  { /racer -o /tmp/racer.log -f $marker -e $secret -s -t 900 & } && exec /bin/sleep 100002'
EOS
        unshare --user --map-root-user --mount --net --pid --fork --propagation private sh "$tmp/ustart" \
                2>"$tmp/ustart.err" &
        ushare=$!
        for _ in $(seq 100); do # unshare's child, once it is the sleep
                upid=$(pgrep -P "$ushare" | head -n1)
                [ -n "$upid" ] && [ "$(tr '\0' ' ' <"/proc/$upid/cmdline" 2>/dev/null)" = "/bin/sleep 100002 " ] &&
                        break
                upid=
                sleep 0.05
        done
        if [ -z "$upid" ] || ! racer_wait_start "$upid" /tmp/racer.log; then
                fail "T3 a user-namespaced target" "it did not start: $(cat "$tmp/ustart.err")"
        else
                rlog=/proc/$upid/root/tmp/racer.log
                echo "# user-namespaced target: pid $upid, $(readlink "/proc/$upid/ns/user") (ours: $host_userns)"
                attach_loop "$ATTACKS_USERNS_N" 0 is "$(readlink "/proc/$upid/ns/net")"$'\n'"$host_userns" \
                        -t "$upid" -n -- readlink /proc/self/ns/net /proc/self/ns/user
                attaches_ok "T3 userns/net: $ATTACKS_USERNS_N attaches, in its net namespace, never its user namespace"
                racer_stop
                check_phase "T3 userns/net" none

                # the pid view: our program in its sight, before and after exec; a second
                # racer, started the way a process of that target would be
                nsenter -t "$upid" -U -m -p -- /racer -o /tmp/racer-pid.log -f "$marker" -e "$secret" -s -t 900 \
                        </dev/null >/dev/null 2>&1 &
                if racer_wait_start "$upid" /tmp/racer-pid.log; then
                        rlog=/proc/$upid/root/tmp/racer-pid.log
                        attach_loop "$ATTACKS_USERNS_N" 0 like "*1 sleep*$rns racer*ps" \
                                -t "$upid" -p -- ps -eo pid=,comm=
                        attaches_ok "T3 userns/pid: $ATTACKS_USERNS_N attaches, each listing its processes"
                        racer_stop
                        check_phase "T3 userns/pid" ours
                else
                        fail "T3 userns/pid: a second racer" "it did not start"
                fi
        fi
fi
echo "# attaches and racers took $(($(date +%s) - t_start)) s"

# ---- T4: nothing we ran was changed ----
is "T4: nsattach and the host programs it ran are unchanged (sha256)" "$(sha256sum "${hashed[@]}")" "$hash_before"

tap_done
