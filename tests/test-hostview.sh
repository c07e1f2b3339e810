#!/bin/bash
# The pid and net views on a host with many container mounts (src/hostview.c):
# the view is assembled from the host's mounts minus the runtimes' own, not
# copied whole, and must still be the host's file system to every host tool.
# The test runs in a private mount namespace of its own, where it stands in for
# a busy host: 200 tmpfs mounts under a docker data-root of its own
# (NSATTACH_DOCKER_ROOT), the way docker mounts one overlay per container.
# Its target is tests/fixtures/minictr (a few mounts of its own, as a
# container has).
#   usage: test-hostview.sh NSATTACH SOURCE_ROOT MINICTR
set -uo pipefail
NSATTACH=$(realpath "$1")
SRC=$2
MINICTR=$(realpath "$3")
# shellcheck source=tests/lib/tap.sh
. "$SRC/tests/lib/tap.sh"
# shellcheck source=tests/lib/minictr.sh
. "$SRC/tests/lib/minictr.sh"

[ "$(id -u)" -eq 0 ] || { skip "host view" "needs root (mounts, namespaces)"; tap_done; exit; }
if [ "${HOSTVIEW_INSIDE:-}" != 1 ]; then
        # nothing mounted here reaches the host, and all of it goes when we do
        HOSTVIEW_INSIDE=1 exec unshare --mount --propagation private "$0" "$@"
fi

tmp=$(mktemp -d /tmp/nsattach-hostview.XXXXXX)
D=$tmp/docker       # the runtime's root: left out of the view
O=$tmp/outside      # a host mount that is not the runtime's: in the view
cleanup() {
        minictr_stop_all
        [ -n "${upid:-}" ] && kill -KILL "$upid" 2>/dev/null
        wait 2>/dev/null
        cd /
        umount -R "$D" "$O" "$tmp/sub" "$tmp/blk" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$D" "$O" "$tmp/root" "$tmp/cache"
mount --make-private -t tmpfs hv-docker "$D" || bail "cannot mount in the test's namespace"
mkdir "$D/containers"
for i in $(seq 200); do
        mkdir -p "$D/overlay2/c$i/merged"
        mount -t tmpfs -o size=4k hv-ctr "$D/overlay2/c$i/merged"
done
mount -t tmpfs -o size=64k hv-outside "$O"
echo outside-marker >"$O/marker"
mkdir -p "$tmp/early"
mount -t tmpfs -o size=4k hv-early "$tmp/early"
echo early-marker >"$tmp/early/marker"
export NSATTACH_DOCKER_ROOT=$D NSATTACH_CACHE_ROOT=$tmp/cache

minictr_start "$MINICTR" "$tmp/root" hv-host 198.51.100.30/24
PID=$MINICTR_PID

mounts_under() { grep -c " ${2}/" <<<"$1"; }     # MOUNTINFO DIR: how many mounts below DIR
mount_table() { awk '{ print $1, $5 }' "$1" | sort; } # MOUNTINFO-FILE: id and place of each
host_before=$(mount_table /proc/self/mountinfo)
target_before=$(mount_table "/proc/$PID/mountinfo")
cd "$O" || bail "cd $O"

# ---- the view is assembled: the runtime's mounts are not in it ----
run "$NSATTACH" -t "$PID" -n -- cat /proc/self/mountinfo
view=$out
is "the view has none of the 200 mounts under the runtime's root (the caller has $(mounts_under "$(cat /proc/self/mountinfo)" "$D"))" \
        "$rc $(mounts_under "$view" "$D")" "0 0"
is "the view has the host's other mounts" "$(grep -c " $O " <<<"$view")" 1
like "the plan was kept in the cache directory" "$(ls "$tmp/cache")" "hostview*"

# ---- and it is the host's file system ----
run "$NSATTACH" -t "$PID" -n -- ls -a /
is "ls / in the view is the host's" "$rc $out" "0 $(ls -a /)"
run "$NSATTACH" -t "$PID" -n -- sh -c 'pwd; cat marker'
is "the working directory is the caller's, in a host mount" "$rc $(echo $out)" "0 $O outside-marker"
run "$NSATTACH" -t "$PID" -n -- ls "$D"
is "the runtime's root itself is there, its mounts are not" "$rc $(echo $out)" "0 containers overlay2"
echo in-a-container >"$D/overlay2/c1/merged/x"
run "$NSATTACH" -t "$PID" -n -- ls -A "$D/overlay2/c1/merged"
is "a container's mount is an empty directory in the view" "$rc $out" "0 "

# ---- the net view on top of it ----
want=$(nsenter -t "$PID" -n ip -o link | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort)
run "$NSATTACH" -t "$PID" -n -- ls /sys/class/net
is "/sys/class/net lists the target's interfaces" "$rc $(echo $out)" "0 $(echo $want)"
run "$NSATTACH" -t "$PID" -n -- cat /etc/hostname
is "/etc/hostname is the target's" "$rc $out" "0 $(cat "$tmp/root/etc/hostname")"
# assembled in a copy of the target's mount namespace, the view binds the
# target's file itself (the one read before entering), not a copy of it
hostname_was=$(cat "$tmp/root/etc/hostname")
"$NSATTACH" -t "$PID" -n -- sh -c 'cat /etc/hostname; sleep 1; cat /etc/hostname; echo x >/etc/hostname' >"$tmp/live" 2>&1 &
sleep 0.5
echo hv-renamed >"$tmp/root/etc/hostname" # in place: the same file
wait $!
is "/etc/hostname is the target's file, read-only: what it says now" \
        "$(tr '\n' ' ' <"$tmp/live" | sed 's/sh: [0-9]*: cannot create/cannot create/')" \
        "$hostname_was hv-renamed cannot create /etc/hostname: Read-only file system "
echo "$hostname_was" >"$tmp/root/etc/hostname"

# A target with a /sys of its own (a container's, mounted in its network
# namespace) lends it to the view, without what it mounted below; one whose
# /sys is the host's sysfs (docker -v /sys:/sys) does not.
want_sys="0 $(echo $want) 0"
sys_case() { # what the view's /sys shows: rc, interfaces, mounts of the target's below it
        run "$NSATTACH" -v -t "$PID" -n -- sh -c 'ls /sys/class/net; grep -c hv-sys-sub /proc/self/mountinfo || true'
        own=$(grep -c "/sys: the target's own sysfs mount" <<<"$out")
        out=$(grep -v '^nsattach: +' <<<"$out")
}
# (mount(8) of the host's cannot run in the target's files: a static busybox can)
cp "$(command -v busybox)" "$tmp/root/busybox" || bail "no busybox (busybox-static)"
in_target() { nsenter -t "$PID" -m "$@"; }
in_target /busybox mount -t sysfs sysfs /sys || bail "a sysfs in the target"
sys_case
is "a target whose /sys is the host's sysfs: the view mounts its own" "$rc $(echo $out) $own" "$want_sys 0"
in_target /busybox umount /sys && in_target -n /busybox mount -t sysfs sysfs /sys &&
        in_target /busybox mount -t tmpfs hv-sys-sub /sys/fs/cgroup || bail "a sysfs of the target's own"
sys_case
is "a target with a sysfs of its own: the view takes it, not what is mounted below it" \
        "$rc $(echo $out) $own" "$want_sys 1"
in_target /busybox umount /sys/fs/cgroup && in_target /busybox umount /sys || bail "umount the target's /sys"
rm -f "$tmp/root/busybox"

run "$NSATTACH" -t "$PID" -n -- cat /proc/1/comm
is "/proc in a net view is the host's" "$rc $out" "0 $(cat /proc/1/comm)"

# ---- the pid view on top of it ----
run "$NSATTACH" -t "$PID" -p -- sh -c 'ls /proc | grep -E "^[0-9]+$" | sort -n | head -n1; readlink /proc/1/exe'
is "/proc is the target's pid namespace" "$rc $(echo $out)" "0 1 $(readlink "/proc/$PID/exe")"
run "$NSATTACH" -t "$PID" -p -- sh -c 'echo x >marker-written'
is "the host is read-only in a pid view" "$([ "$rc" -ne 0 ] && echo refused) $(grep -c 'Read-only file system' <<<"$out")" \
        "refused 1"
is "and nothing was written" "$(ls "$O")" marker
run "$NSATTACH" -t "$PID" -p -- sh -c 'ls /sys/fs/cgroup; grep -c " /sys/fs/cgroup" /proc/self/mountinfo'
is "/sys in a pid view is the host's, with the mounts below it" "$rc $(echo $out)" \
        "0 $(echo $(ls /sys/fs/cgroup) $(grep -c " /sys/fs/cgroup" /proc/self/mountinfo))"

# ---- a target in a user namespace of its own (a rootless container's) ----
# Its mount namespace is owned by that user namespace, so our copy of it has
# locked mounts: the view is still built on top of them.
busybox=$(command -v busybox)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
        skip "a user-namespaced target" "no static busybox (busybox-static)"
else
        mkdir -p "$tmp/uroot"
        cat >"$tmp/ustart" <<EOS
mount -t tmpfs hv-uroot $tmp/uroot && mkdir $tmp/uroot/old $tmp/uroot/bin && cp $busybox $tmp/uroot/bin/ &&
cd $tmp/uroot && $busybox pivot_root . old && exec /bin/busybox sh -c 'busybox umount -l /old; exec busybox sleep 100001'
EOS
        unshare --user --map-root-user --mount --net --pid --fork --propagation private sh "$tmp/ustart" 2>"$tmp/ustart.err" &
        ushare=$!
        upid=
        for _ in $(seq 100); do # unshare's child, once it is the sleep
                upid=$(pgrep -P "$ushare" | head -n1)
                [ -n "$upid" ] && [ "$(tr '\0' ' ' <"/proc/$upid/cmdline" 2>/dev/null)" = "busybox sleep 100001 " ] && break
                upid=
                sleep 0.05
        done
        if [ -z "$upid" ]; then
                fail "a user-namespaced target" "it did not start: $(cat "$tmp/ustart.err")"
        else
                run "$NSATTACH" -t "$upid" -n -- sh -c 'cat /proc/self/mountinfo; ls /sys/class/net; cat marker'
                is "a user-namespaced target: the view assembled, /sys its own, the host's files" \
                        "$rc $(mounts_under "$out" "$D") $(tail -n2 <<<"$out" | tr '\n' ' ')" "0 0 lo outside-marker "
                run "$NSATTACH" -t "$upid" -p -- sh -c 'ls /proc | grep -cE "^[0-9]+$"; readlink /proc/1/exe'
                like "a user-namespaced target: its processes in the pid view" "$rc $(echo $out)" "0 [1-9]* /bin/busybox"
                kill -KILL "$upid" 2>/dev/null # pid 1 of its namespace: only KILL reaches it
        fi
fi

# ---- no footprint ----
is "the caller's mount table is as before" "$(mount_table /proc/self/mountinfo)" "$host_before"
is "the target's mount table is as before" "$(mount_table "/proc/$PID/mountinfo")" "$target_before"

# ---- the plan follows the mount table ----
mkdir -p "$O/later"
mount -t tmpfs -o size=4k hv-later "$O/later"
echo later-marker >"$O/later/marker"
run "$NSATTACH" -t "$PID" -n -- cat "$O/later/marker"
is "a mount made after the plan was kept is in the next view" "$rc $out" "0 later-marker"
mount -t tmpfs -o size=4k hv-over "$O/later"
echo over-marker >"$O/later/marker"
run "$NSATTACH" -t "$PID" -n -- cat "$O/later/marker"
is "of two mounts on one place the view has the top one" "$rc $out" "0 over-marker"

run "$NSATTACH" -t "$PID" -n -- ls "$tmp/early"
is "a mount of the first plan is in the view" "$rc $out" "0 marker"
umount "$tmp/early"
run "$NSATTACH" -t "$PID" -n -- ls "$tmp/early"
is "once unmounted (and no mount added since), it is not" "$rc $out" "0 "
mkdir -p "$tmp/moved"
mount --move "$O" "$tmp/moved"
run "$NSATTACH" -t "$PID" -n -- cat "$tmp/moved/marker"
is "a mount moved since (the same id, another place) is at its new place" "$rc $out" "0 outside-marker"
mount --move "$tmp/moved" "$O"
cd "$O" || bail "cd $O"

# ---- anything unexpected: the whole copy, as without the plan ----
plan=$(ls "$tmp/cache"/hostview*)
{ head -n1 "$plan"; echo "X not a plan line"; } >"$plan.new" && mv "$plan.new" "$plan"
run "$NSATTACH" -t "$PID" -n -- sh -c 'cat marker; cat /proc/self/mountinfo'
is "a cached plan that is not one: the view is the copy, mounts under the runtime's root included" \
        "$rc $(head -n1 <<<"$out") $(mounts_under "$out" "$D")" "0 outside-marker 200"
rm -f "$tmp/cache"/hostview*
run "$NSATTACH" -t "$PID" -n -- cat /proc/self/mountinfo
is "without it the plan is made again" "$rc $(mounts_under "$out" "$D")" "0 0"

# ---- plans left behind: other versions', gone root mounts', killed writers' ----
current=$(cd "$tmp/cache" && ls hostview*)
for i in $(seq 20); do echo "nsattach host view 4 $i" >"$tmp/cache/hostview4-$i-0123456789abcdef"; done
touch -d '2 hours ago' "$tmp/cache"/hostview4-*-0123456789abcdef
touch -d '1 hour ago' "$tmp/cache"/hostview4-20-0123456789abcdef
echo old >"$tmp/cache/hostview-7" && echo old >"$tmp/cache/hostview3-7-0123456789abcdef"
echo tmp >"$tmp/cache/hostview4-8-0123456789abcdef.12345" && touch -d '2 hours ago' "$tmp/cache/hostview4-8-0123456789abcdef.12345"
echo tmp >"$tmp/cache/hostview4-9-0123456789abcdef.12346"
echo theirs >"$tmp/cache/docker-0123456789abcdef"
mkdir "$tmp/early/new" && mount -t tmpfs -o size=4k hv-new "$tmp/early/new" # a new mount: the plan is made again
run "$NSATTACH" -t "$PID" -n -- cat /proc/self/mountinfo
kept=$(cd "$tmp/cache" && ls)
is "after a new plan: 16 plans of this version (this one and the newest others), no other version's" \
        "$rc $(grep -c '^hostview4-[0-9]*-[0-9a-f]*$' <<<"$kept") $(grep -c '^hostview-\|^hostview3-' <<<"$kept")" "0 16 0"
is "the plan just made and the newest other are among them" \
        "$(grep -cx -e "$current" -e hostview4-20-0123456789abcdef <<<"$kept")" 2
is "a writer's temporary file goes after a minute, not before; other caches stay" \
        "$(grep -c '\.12345$' <<<"$kept") $(grep -c '\.12346$' <<<"$kept") $(grep -c '^docker-' <<<"$kept")" "0 1 1"
umount "$tmp/early/new"
rm -f "$tmp/cache"/*
cd "$D/overlay2/c7/merged" || bail "cd into a container mount"
run "$NSATTACH" -t "$PID" -n -- sh -c 'pwd; cat /proc/self/mountinfo'
is "called from inside a runtime's mount: the copy, so the working directory is still there" \
        "$rc $(head -n1 <<<"$out") $(mounts_under "$out" "$D")" "0 $D/overlay2/c7/merged 200"
cd "$O" || bail "cd $O"
rm -f "$tmp/cache"/hostview*
chmod 0777 "$tmp/cache"
run "$NSATTACH" -t "$PID" -n -- cat /proc/self/mountinfo
is "a cache directory others can write: not written, the view assembled all the same" \
        "$rc $(mounts_under "$out" "$D") $(ls "$tmp/cache" | wc -l)" "0 0 0"
chmod 0700 "$tmp/cache"

# ---- a runtime's root on a block file system: its mounts mounted afresh ----
# A clone of a mount looks through each of its children; a mount with many is
# mounted again from its device instead ("F" in the plan), and must show the
# same directory with the same flags.  An ext4 image on a loop device: B is the
# file system's root with the runtime's mounts right below it (the fresh mount
# is the view's mount there), S a bind mount of a subdirectory with flags of
# its own and runtime mounts too (cloned from the fresh mount).
if ! command -v mkfs.ext4 >/dev/null || ! [ -e /dev/loop-control ]; then
        skip "a runtime root on a block file system" "no mkfs.ext4 or loop devices"
else
        B=$tmp/blk S=$tmp/sub
        mkdir -p "$B" "$S"
        truncate -s 32M "$tmp/fs.img" && mkfs.ext4 -q -F "$tmp/fs.img" &&
                mount -o loop,nosuid,noatime "$tmp/fs.img" "$B" || bail "cannot mount an ext4 image"
        mkdir -p "$B/dock" "$B/pod/sub"
        echo blk-marker >"$B/blk-marker"
        echo sub-marker >"$B/pod/sub/sub-marker"
        mount --bind "$B/pod/sub" "$S" && mount -o remount,bind,ro,nodev,noexec "$S" || bail "bind $S"
        for i in $(seq 30); do
                mkdir -p "$B/dock/c$i" "$B/pod/sub/c$i"
                mount -t tmpfs -o size=4k hv-blk "$B/dock/c$i"
                mount -t tmpfs -o size=4k hv-sub "$S/c$i"
        done
        rm -f "$tmp/cache"/hostview*
        blk_before=$(mount_table /proc/self/mountinfo)
        NSATTACH_DOCKER_ROOT=$B/dock NSATTACH_PODMAN_ROOT=$S run "$NSATTACH" -t "$PID" -n -- sh -c \
                "cat /proc/self/mountinfo; echo ==; ls $B $S; cat $S/sub-marker $B/blk-marker"
        plan=$(cat "$tmp/cache"/hostview* 2>/dev/null)
        fresh=$(grep -cE "^F [0-9]+ ($B|$S)\$" <<<"$plan")
        view_mounts=${out%%==*}
        # mountinfo: root (4), place (5), mount options (6)
        is "both mounts with many children are mounted afresh (the plan has F for each)" "$fresh" 2
        is "none of their 60 runtime mounts are in the view" \
                "$rc $(mounts_under "$view_mounts" "$B") $(mounts_under "$view_mounts" "$S")" "0 0 0"
        is "the file system's root mount: its root, its flags" \
                "$(awk -v p="$B" '$5 == p { print $4, $6 }' <<<"$view_mounts")" \
                "$(awk -v p="$B" '$5 == p { print $4, $6 }' /proc/self/mountinfo)"
        is "the bind mount of a subdirectory: that directory, its own flags" \
                "$(awk -v p="$S" '$5 == p { print $4, $6 }' <<<"$view_mounts")" "/pod/sub ro,nosuid,nodev,noexec,noatime"
        is "their files, as the host has them" "$(echo ${out#*==})" "$(echo $(ls "$B" "$S") sub-marker blk-marker)"
        NSATTACH_DOCKER_ROOT=$B/dock NSATTACH_PODMAN_ROOT=$S run "$NSATTACH" -t "$PID" -n -- sh -c "echo x >$S/written"
        is "the read-only bind mount is read-only in the view" \
                "$([ "$rc" -ne 0 ] && echo refused) $(grep -c 'Read-only file system' <<<"$out")" "refused 1"
        is "and the host's mount table is as it was" "$(mount_table /proc/self/mountinfo)" "$blk_before"
        if ! command -v strace >/dev/null; then
                skip "the file system mounted once, not cloned" "no strace"
        else
                NSATTACH_DOCKER_ROOT=$B/dock NSATTACH_PODMAN_ROOT=$S strace -f -qq -o "$tmp/strace" \
                        -e trace=fsconfig,open_tree "$NSATTACH" -t "$PID" -n -- true
                is "the file system mounted once, neither mount cloned from the host" \
                        "$(grep -c "fsconfig(.*\"source\", \"$(findmnt -n -o SOURCE "$B")\"" "$tmp/strace") $(grep -cE "open_tree\(AT_FDCWD, \"($B|$S)\"" "$tmp/strace")" \
                        "1 0"
        fi
        umount -R "$S" "$B"
fi

tap_done
