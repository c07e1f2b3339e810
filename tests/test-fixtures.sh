#!/bin/bash
# Name resolution against state trees of runtimes that cannot run here (CRI-O,
# systemd-nspawn, rootless and userns-remapped docker, rootless podman, LXC),
# laid out as those runtimes write them (tests/fixtures/state/).  The trees are
# copied and their @PID@/@START@ filled in with a live process this test starts,
# so a resolution that works reaches a real process, and a stale record
# (@STALE@: a start time that is not the process's) must be refused.
#   usage: test-fixtures.sh NSATTACH SOURCE_ROOT
set -uo pipefail
NSATTACH=$1
SRC=$2
# shellcheck source=tests/lib/tap.sh
. "$SRC/tests/lib/tap.sh"

[ "$(id -u)" -eq 0 ] || { skip "fixture resolution" "needs root (cgroups, namespaces)"; tap_done; exit; }

tmp=$(mktemp -d)
pids=()
cgdirs=()
cleanup() {
        for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
        wait 2>/dev/null
        for d in "${cgdirs[@]}"; do rmdir "$d" 2>/dev/null; done
        rm -rf "$tmp"
}
trap cleanup EXIT

# A stand-in init: pid 1 of a new pid namespace, as a container's is.
unshare --pid --fork --kill-child sleep 100000 &
pids+=($!)
for _ in $(seq 100); do
        PID=$(pgrep -P "${pids[0]}" -x sleep) && break
        sleep 0.05
done
[ -n "${PID:-}" ] || bail "no stand-in process"
START=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$PID/stat")
STALE=$((START + 1))
NETNS=$(stat -Lc %i "/proc/$PID/ns/net")

# A rootless stand-in: what a user's rootless container's init is, pid 1 of a
# pid namespace inside a user namespace that user created.
standin_of() { # UID -> sets UPID, USTART, UNETNS
        setpriv --reuid "$1" --regid "$1" --clear-groups \
                unshare --user --map-root-user --pid --fork --kill-child --net sleep 100000 &
        pids+=($!)
        UPID=
        for _ in $(seq 100); do
                UPID=$(pgrep -P "$(pgrep -P $! -x unshare || echo $!)" -x sleep) && break
                UPID=$(pgrep -P $! -x sleep) && break
                sleep 0.05
        done
        [ -n "$UPID" ] || bail "no rootless stand-in for uid $1"
        USTART=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$UPID/stat")
        UNETNS=$(stat -Lc %i "/proc/$UPID/ns/net")
}

# fixture NAME [PID START]: a filled-in copy of tests/fixtures/state/NAME
fixture() {
        local pid=${2:-$PID} start=${3:-$START}
        cp -a "$SRC/tests/fixtures/state/$1" "$tmp/$1"
        grep -rl '@' "$tmp/$1" | xargs -r sed -i "s/@PID@/$pid/g; s/@START@/$start/g; s/@STALE@/$STALE/g"
}

# nsa TREE ARGS...: nsattach with every root inside the tree (absent ones: nothing there).
nsa() {
        local tree=$tmp/$1
        shift
        local roots=()
        for k in docker docker-exec podman podman-run runc crun containerd lxc machines home user-run cache; do
                roots+=(--runtime-root "$k=$tree/$k")
        done
        run "$NSATTACH" "${roots[@]}" "$@"
}

netns_of() { # the net namespace inode an attach lands in
        nsa "$1" -t "$2" -n -- stat -Lc %i /proc/self/ns/net
}

# ---- CRI-O ----
fixture crio
netns_of crio k8s:shop/web-7d9f/app
is "crio: k8s:NAMESPACE/POD/CONTAINER enters the container's process" "$rc $out" "0 $NETNS"
netns_of crio k8s:web-7d9f/app
is "crio: k8s:POD/CONTAINER" "$rc $out" "0 $NETNS"
netns_of crio web-7d9f/app
is "crio: bare POD/CONTAINER" "$rc $out" "0 $NETNS"
nsa crio -t k8s:web-7d9f -n true
is "crio: a pod of two containers by pod name: an error naming them" "$rc $out" \
        "125 nsattach: k8s:web-7d9f: pod shop/web-7d9f has several containers (app, sidecar): name one, k8s:shop/web-7d9f/CONTAINER"
nsa crio -t k8s:web-7d9f/sidecar -n true
like "crio: a container without runtime state is not running" "$rc $out" \
        "125 nsattach: k8s:web-7d9f/sidecar: container k8s:shop/web-7d9f/sidecar is not running"
nsa crio -t k8s:db-0 -n true
like "crio: a recorded pid whose start time differs is refused" "$rc $out" \
        "125 nsattach: k8s:db-0: container k8s:shop/db-0/postgres is not running (pid $PID is no longer its process*"
netns_of crio crio:k8s_app_web-7d9f_shop_6f1c2a44-5e1b-4d7e-9c55-2f3a1b0c9d11_0
is "crio: crio:NAME (the storage name)" "$rc $out" "0 $NETNS"
netns_of crio c1c1c1
is "crio: id prefix" "$rc $out" "0 $NETNS"
nsa crio -t a0a0a0 -n true
like "crio: a pod sandbox is not a container target" "$rc $out" "125 nsattach: a0a0a0: no such container*"
nsa crio --list --json
is "crio: --list shows the running container only" \
        "$(jq -c '[.containers[] | [.runtime, .name, .pid, .target]]' <<<"$out")" \
        "[[\"crio\",\"shop/web-7d9f/app\",$PID,\"k8s:shop/web-7d9f/app\"]]"
nsa crio -t crio:toolbox -n true
like "crio: crio: does not name podman's container" "$rc $out" "125 nsattach: crio:toolbox: no such container*"
nsa crio -t podman:c1c1 -n true
like "crio: podman: does not name CRI-O's container" "$rc $out" "125 nsattach: podman:c1c1: no such container*"
nsa crio --runtime podman --list --json
is "crio: --runtime podman --list does not list CRI-O's" "$(jq '.containers | length' <<<"$out")" 0
nsa crio --runtime podman -t toolbox -n true
like "crio: podman's container in the shared storage stays podman's" "$rc $out" \
        "125 nsattach: toolbox: container podman:toolbox is not running"
nsa crio --inspect k8s:shop/web-7d9f/app --json
is "crio: --inspect says how it was verified" \
        "$(jq -c '[.runtime, .id[:6], .pid, .verified_by, (.verified_with | test("crun/c1c1.*/status$")), .namespaces.net.inode]' <<<"$out")" \
        "[\"crio\",\"c1c1c1\",$PID,\"start time\",true,$NETNS]"

# ---- systemd-nspawn (machined) ----
fixture machines
# The leader is proven by its cgroup: put the stand-in into the machine's scope.
scope=machine-web\\x2dvm.scope
if [ -d /sys/fs/cgroup/pids ]; then cgbase=/sys/fs/cgroup/pids; else cgbase=/sys/fs/cgroup; fi
mkdir -p "$cgbase/machine.slice/$scope" && cgdirs+=("$cgbase/machine.slice/$scope" "$cgbase/machine.slice")
nsa machines -t machine:web-vm -n true
like "machine: a leader outside the machine's scope is refused" "$rc $out" \
        "125 nsattach: machine:web-vm: container machine:web-vm is not running (pid $PID is no longer its process (not in its cgroup))"
echo "$PID" >"$cgbase/machine.slice/$scope/cgroup.procs"
netns_of machines machine:web-vm
is "machine: machine:NAME enters the leader" "$rc $out" "0 $NETNS"
netns_of machines web-vm
is "machine: bare NAME" "$rc $out" "0 $NETNS"
nsa machines -t old-vm -n true
like "machine: a machine file whose leader is not in its scope" "$rc $out" "125 *old-vm is not running*"
nsa machines -t 'unit:machine-web\x2dvm.scope' -n true
like "machine: unit: links are not machines" "$rc $out" "125 nsattach: unit:*unknown runtime*"
echo "$PID" >"$cgbase/cgroup.procs"

# ---- LXC: no pid file, the payload cgroup lists the init ----
mkdir -p "$tmp/lxc/lxc/nsa-fx-lxc" && echo "lxc.uts.name = nsa-fx-lxc" >"$tmp/lxc/lxc/nsa-fx-lxc/config"
nsa lxc -t lxc:nsa-fx-lxc -n true
is "lxc: not running while its cgroup does not exist" "$rc $out" \
        "125 nsattach: lxc:nsa-fx-lxc: container lxc:nsa-fx-lxc is not running"
mkdir -p "$cgbase/lxc.payload.nsa-fx-lxc" && cgdirs=("$cgbase/lxc.payload.nsa-fx-lxc" "${cgdirs[@]}")
# a sandbox the container made for itself: pid 1 of a pid namespace one level deeper, same cgroup
unshare --pid --fork --kill-child unshare --pid --fork --kill-child --net sleep 100000 &
pids+=($!)
for _ in $(seq 100); do
        nested=$(pgrep -f -x 'sleep 100000' | while read -r p; do
                [ "$(awk '/^NSpid:/ { print NF - 1 }' "/proc/$p/status")" = 3 ] && echo "$p"; done | head -n 1)
        [ -n "$nested" ] && break
        sleep 0.05
done
[ -n "$nested" ] || bail "no nested sandbox"
echo "$nested" >"$cgbase/lxc.payload.nsa-fx-lxc/cgroup.procs"
echo "$PID" >"$cgbase/lxc.payload.nsa-fx-lxc/cgroup.procs"
run "$NSATTACH" --runtime-root "lxc=$tmp/lxc/lxc" --runtime lxc -t nsa-fx-lxc -n -- stat -Lc %i /proc/self/ns/net
is "lxc: the payload's init, not a deeper sandbox in its cgroup, through the real cgroup tree" "$rc $out" "0 $NETNS"
echo "$PID" >"$cgbase/cgroup.procs"
echo "$nested" >"$cgbase/cgroup.procs"

# ---- LXC on cgroup v2: the unified hierarchy, frozen and thawed for real ----
# (a hybrid host's v1 hierarchies sit beside a unified one; a v2-only host has it at the root)
v2=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        [ "$(stat -fc %T "$d" 2>/dev/null)" = cgroup2fs ] && v2=$d && break
done
if [ -z "$v2" ]; then
        skip "lxc on cgroup v2" "no cgroup2 hierarchy is mounted"
else
        mkdir -p "$tmp/lxc2/nsa-fx-lxc2" && echo "lxc.uts.name = nsa-fx-lxc2" >"$tmp/lxc2/nsa-fx-lxc2/config"
        cg=$v2/lxc.payload.nsa-fx-lxc2
        mkdir -p "$cg" && cgdirs=("$cg" "${cgdirs[@]}")
        echo "$PID" >"$cg/cgroup.procs"
        lxc2() { run "$NSATTACH" --runtime-root "lxc=$tmp/lxc2" "$@"; }
        lxc2 -t lxc:nsa-fx-lxc2 -n -- stat -Lc %i /proc/self/ns/net
        is "lxc: the payload's init found in the v2 hierarchy ($v2)" "$rc $out" "0 $NETNS"
        lxc2 --inspect lxc:nsa-fx-lxc2 --json
        is "lxc on v2: --inspect says running" "$rc $(jq -r .state <<<"$out")" "0 running"
        echo 1 >"$cg/cgroup.freeze"
        for _ in $(seq 100); do grep -qx 'frozen 1' "$cg/cgroup.events" && break; sleep 0.02; done
        lxc2 --list --json --runtime lxc
        is "lxc on v2, frozen (cgroup.events: $(grep frozen "$cg/cgroup.events")): --list says paused" \
                "$rc $(jq -r '.containers[] | select(.name == "nsa-fx-lxc2") | .state' <<<"$out")" "0 paused"
        lxc2 -t lxc:nsa-fx-lxc2 -n -- stat -Lc %i /proc/self/ns/net
        is "lxc on v2, frozen: entered all the same (a process that joined its cgroup would freeze)" "$rc $out" "0 $NETNS"
        echo 0 >"$cg/cgroup.freeze"
        for _ in $(seq 100); do grep -qx 'frozen 0' "$cg/cgroup.events" && break; sleep 0.02; done
        lxc2 --inspect lxc:nsa-fx-lxc2 --json
        is "lxc on v2, thawed: running again" "$rc $(jq -r .state <<<"$out")" "0 running"
        echo "$PID" >"$v2/cgroup.procs"
fi

# ---- docker: rootless, userns-remap ----
# A user's rootless state is the user's to write: naming root's process is refused.
fixture docker-rootless
chown -R 1000:1000 "$tmp/docker-rootless/home/alice"
nsa docker-rootless -t docker:rootless-web -n true
is "docker rootless: state naming a process outside the user's namespaces is refused" "$rc $out" \
        "125 nsattach: docker:rootless-web: container docker:rootless-web is not running (pid $PID is not in a user namespace of uid 1000, whose state names it)"
rm -rf "$tmp/docker-rootless"
standin_of 1000
fixture docker-rootless "$UPID" "$USTART"
chown -R 1000:1000 "$tmp/docker-rootless/home/alice"
netns_of docker-rootless docker:rootless-web
is "docker rootless: found in ~/.local/share/docker, verified by \$XDG_RUNTIME_DIR/docker" "$rc $out" "0 $UNETNS"
netns_of docker-rootless 5f0c
is "docker rootless: by id prefix" "$rc $out" "0 $UNETNS"
# ~/.local/share/docker as a symlink (here: to the user's own tree elsewhere) is not followed
mv "$tmp/docker-rootless/home/alice/.local/share/docker" "$tmp/docker-rootless/home/alice/elsewhere"
ln -s ../../elsewhere "$tmp/docker-rootless/home/alice/.local/share/docker"
nsa docker-rootless -t docker:rootless-web -n true
like "docker rootless: a symlinked data directory is not read" "$rc $out" "125 nsattach: docker:rootless-web: no such container*"
fixture docker-remap
netns_of docker-remap remapped-web
is "docker userns-remap: <data-root>/UID.GID/containers" "$rc $out" "0 $NETNS"
nsa docker-remap -t stale-web -n true
like "docker: State.Running with a pid reused by another process is refused" "$rc $out" \
        "125 nsattach: stale-web: container docker:stale-web is not running (pid $PID is no longer its process*"

# ---- docker's name cache: a hint, believed only when the file it points to agrees ----
cachedir=$tmp/docker-remap/cache
is "docker: a name found by reading every file is cached" \
        "$(cat "$cachedir"/docker-* 2>/dev/null | grep -c '^remapped-web 7a2b')" 1
sed -i "s/^remapped-web 7a2b[0-9a-f]*/remapped-web 9d4e$(printf '5f%.0s' $(seq 30))/" "$cachedir"/docker-*
netns_of docker-remap remapped-web
is "docker: a cache entry pointing at another container is not believed" "$rc $out" "0 $NETNS"
is "docker: ... and is rewritten" "$(grep -c '^remapped-web 7a2b' "$cachedir"/docker-*)" 1
chmod 0777 "$cachedir"
sed -i "s/^remapped-web 7a2b[0-9a-f]*/remapped-web 9d4e$(printf '5f%.0s' $(seq 30))/" "$cachedir"/docker-*
netns_of docker-remap remapped-web
is "docker: a cache directory others may write is neither read nor written" \
        "$rc $out $(grep -c '^remapped-web 9d4e' "$cachedir"/docker-*)" "0 $NETNS 1"

# ---- runc's answer kept: only while the state file is the one it was read from ----
chmod 0700 "$cachedir"
state=$tmp/docker-remap/docker-exec/runtime-runc/moby/7a2b$(printf '3c%.0s' $(seq 30))/state.json
# a file changed within the last seconds is read every time (an in-place
# rewrite within one clock tick would keep its stamp)
nsa docker-remap -t remapped-web -n true
is "runc state: an answer from a file just written is not kept" "$rc $(grep -lsF "$state" "$cachedir"/runc-* | wc -l)" "0 0"
sleep 2.2
nsa docker-remap -t remapped-web -n true
is "runc state: an answer from a settled file is kept" "$rc $(grep -lsF "$state" "$cachedir"/runc-* | wc -l)" "0 1"
netns_of docker-remap remapped-web
is "runc state: the kept answer verifies the same process" "$rc $out" "0 $NETNS"
slot=$(grep -lsF "$state" "$cachedir"/runc-*)
sed -i "4s/ $START\$/ $STALE/" "$slot"
nsa docker-remap -t remapped-web -n true
like "runc state: the kept answer is what is read (a start time changed there counts)" "$rc $out" \
        "125 nsattach: remapped-web: container docker:remapped-web is not running (pid $PID is no longer its process*"
# runc rewrites by rename: a new file, so the kept answer no longer fits it
sed -i "s/\"init_process_start\":$START/\"init_process_start\":$STALE/" "$state"
nsa docker-remap -t remapped-web -n true
like "runc state: a state file replaced since is read again" "$rc $out" \
        "125 nsattach: remapped-web: container docker:remapped-web is not running (pid $PID is no longer its process*"
sed -i "s/\"init_process_start\":$STALE/\"init_process_start\":$START/" "$state"

# ---- podman rootless ----
standin_of 1001
fixture podman-rootless "$UPID" "$USTART"
chown -R 1001:1001 "$tmp/podman-rootless/home/bob"
netns_of podman-rootless podman:rootless-pod
is "podman rootless: vfs storage in ~/.local/share/containers, runc state in \$XDG_RUNTIME_DIR" "$rc $out" "0 $UNETNS"

# ---- containerd CRI: restarts share the name, the running attempt wins ----
fixture containerd-k8s
netns_of containerd-k8s k8s:prod/api-5c8/api
is "containerd CRI: of two attempts, the running one" "$rc $out" "0 $NETNS"
netns_of containerd-k8s k8s:api-5c8
is "containerd CRI: single-container pod by pod name" "$rc $out" "0 $NETNS"
nsa containerd-k8s -t k8s:other/api-5c8/api -n true
like "containerd CRI: the pod namespace must match" "$rc $out" "125 *no such container*"

tap_done
