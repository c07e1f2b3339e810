#!/bin/bash
# Targets by name against real runtimes: dockerd, rootful podman and containerd
# (ctr, with the labels nerdctl and the CRI plugin set), started here from
# Debian's packages with an image imported from a tarball (tests/runtimes/lib.sh).
# Every answer is checked against the runtime's own CLI (docker/podman inspect)
# or the kernel (namespace inodes); the CLIs are never what nsattach uses.
#   usage: test-runtimes.sh NSATTACH SOURCE_ROOT
set -uo pipefail
NSATTACH=$1
SRC=$2
# shellcheck source=tests/lib/tap.sh
. "$SRC/tests/lib/tap.sh"

[ "$(id -u)" -eq 0 ] || { skip "runtimes" "needs root to run dockerd and podman"; tap_done; exit; }
for tool in dockerd docker podman containerd ctr runc; do
        if ! command -v "$tool" >/dev/null; then
                skip "runtimes" "$tool is not installed (tools/install-deps installs it)"
                tap_done
                exit
        fi
done

# --live-restore: containers outlive a stopped dockerd, as on a host whose daemon died.
export RT_DOCKERD_ARGS="--live-restore"
# shellcheck source=tests/runtimes/lib.sh
. "$SRC/tests/runtimes/lib.sh"
trap 'rt_cleanup >/dev/null 2>&1' EXIT

rt_up || bail "could not start the runtimes (see the line above)"

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
netns() { stat -Lc %i "/proc/$1/ns/net"; }
# the net namespace an attach lands in, and how long resolution plus attach took
attach_netns() {
        local t0
        t0=$(date +%s%N)
        run "$NSATTACH" "$@" -n -- stat -Lc %i /proc/self/ns/net
        took=$(ms_since "$t0")
}

# A run that died (or a dockerd that was down at cleanup) may have left ours behind.
rt_docker rm -f webserver >/dev/null 2>&1
rt_podman rm -f webserver >/dev/null 2>&1

# ---- a docker and a podman container of the same name ----
rt_docker_run --name webserver "$RT_IMAGE" /bin/sleep 100000 >/dev/null || bail "docker run failed"
rt_podman_run -d --name webserver "$RT_PODMAN_IMAGE" /bin/sleep 100000 >/dev/null || bail "podman run failed"
dpid=$(rt_docker_pid webserver)
ppid=$(rt_podman_pid webserver)
did=$(rt_docker inspect -f '{{.Id}}' webserver)
pid_=$(rt_podman inspect -f '{{.Id}}' webserver)
dip=$(rt_docker_ip webserver)
pip=$(rt_podman_ip webserver)
echo "# docker webserver: pid $dpid ip $dip; podman webserver: pid $ppid ip $pip"

run "$NSATTACH" -t webserver -n true
is "a name used by docker and podman is an ambiguity error naming both" "$rc $out" \
        "125 nsattach: webserver: ambiguous: docker:webserver (pid $dpid), podman:webserver (pid $ppid); use --runtime or a prefix"

run "$NSATTACH" -t docker:webserver -n -- ip -br -4 addr show eth0
like "docker:webserver shows the address docker inspect reports ($dip)" "$rc $out" "0 eth0@* UP * $dip/*"
run "$NSATTACH" --runtime podman -t webserver -n -- ip -br -4 addr show eth0
like "--runtime podman picks podman's webserver ($pip)" "$rc $out" "0 eth0@* UP * $pip/*"
run "$NSATTACH" --runtime docker -t podman:webserver -n true
is "--runtime and a RUNTIME: prefix that disagree" "$rc $out" \
        "125 nsattach: podman:webserver: names runtime podman, but --runtime is docker"

# ---- pairing: a tools container's files and privileges, webserver's processes ----
rt_docker rm -f nsa-rt-toolbox >/dev/null 2>&1
if rt_docker_run --name nsa-rt-toolbox "$RT_IMAGE" /bin/sleep 200000 >/dev/null; then
        run "$NSATTACH" --mount=docker:nsa-rt-toolbox --exec=container --pid=docker:webserver -- \
                sh -c 'readlink /proc/$$/exe; ps'
        like "docker: the toolbox's own ps (busybox) lists webserver's processes, not the toolbox's" \
                "$rc $(tr '\n' ' ' <<<"$out")" "0 /bin/busybox *sleep 100000*"
        [[ $out == *"sleep 200000"* ]] && fail "docker: paired ps shows only webserver's processes" "$out" ||
                pass "docker: paired ps shows only webserver's processes"
        run "$NSATTACH" -t docker:nsa-rt-toolbox -m --pid=docker:webserver -- readlink /proc/1/ns/net
        is "docker: the mnt view paired: /proc/1 is webserver's init" "$rc $out" "0 $(readlink "/proc/$dpid/ns/net")"
        rt_docker rm -f nsa-rt-toolbox >/dev/null 2>&1
else
        fail "docker: pairing" "docker run nsa-rt-toolbox failed"
fi

# ---- tab completion: the running containers' names, from nsattach --list ----
compbin=$(mktemp -d)
ln -s "$NSATTACH" "$compbin/nsattach"
got=$(PATH=$compbin:$PATH bash --norc --noprofile -c '
        source "$1" || exit 1
        COMP_WORDS=(nsattach -t we); COMP_CWORD=2; COMP_LINE="nsattach -t we"; COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _nsattach nsattach we -t
        printf "%s\n" "${COMPREPLY[@]}"' complete "$SRC/completions/nsattach.bash" 2>&1 | sort -u | tr '\n' ' ')
is "bash: nsattach -t we<TAB> offers webserver" "$got" "webserver "
if command -v fish >/dev/null; then
        got=$(PATH=$compbin:$PATH fish --no-config -c 'source $argv[1]; complete -C "nsattach -t we"' \
                "$SRC/completions/nsattach.fish" 2>&1 | cut -f1 | sort -u | tr '\n' ' ')
        is "fish: nsattach -t we<TAB> offers webserver" "$got" "webserver "
else
        skip "fish: nsattach -t we<TAB> offers webserver" "fish not installed"
fi
if command -v zsh >/dev/null; then
        got=$(zsh -f -c 'fpath=($1 $fpath); autoload -Uz compinit && compinit -u -D && print -r -- ${_comps[nsattach]}' \
                load "$SRC/completions" 2>&1)
        is "zsh: compinit loads the completion for nsattach" "$got" "_nsattach"
else
        skip "zsh: compinit loads the completion for nsattach" "zsh not installed"
fi
rm -rf "$compbin"

for how in "docker:webserver" "$did" "${did:0:12}" "docker:${did:0:5}"; do
        attach_netns -t "$how"
        is "docker by ${how} (${took} ms)" "$rc $out" "0 $(netns "$dpid")"
done
for how in "podman:webserver" "$pid_" "${pid_:0:12}" "podman:${pid_:0:5}"; do
        attach_netns -t "$how"
        is "podman by ${how} (${took} ms)" "$rc $out" "0 $(netns "$ppid")"
done

# ---- containerd: plain ctr (the id is the name), nerdctl's label, and the CRI's ----
rt_ctr_run default nsa-ctr1 --label nerdctl/name=nsa-nerdy >/dev/null || bail "ctr run failed"
rt_ctr_cri_run nsa-ns nsa-pod nsa-app nsa-cri1 >/dev/null || bail "ctr run (CRI labels) failed"
rt_ctr_cri_run nsa-ns nsa-pod2 nsa-one nsa-cri2 >/dev/null || bail "ctr run (CRI labels) failed"
rt_ctr_cri_run nsa-ns nsa-pod nsa-side nsa-cri3 >/dev/null || bail "ctr run (CRI labels) failed"
cpid=$(rt_ctr_pid default nsa-ctr1)
kpid=$(rt_ctr_pid k8s.io nsa-cri1)
k2pid=$(rt_ctr_pid k8s.io nsa-cri2)
for how in containerd:nsa-ctr1 containerd:default/nsa-ctr1 nsa-ctr1 containerd:nsa-ct nerdctl:nsa-nerdy nsa-nerdy; do
        attach_netns -t "$how"
        is "containerd by $how (${took} ms)" "$rc $out" "0 $(netns "$cpid")"
done
ns_k8s=nsa-ns
for how in "k8s:$ns_k8s/nsa-pod/nsa-app" k8s:nsa-pod/nsa-app nsa-pod/nsa-app; do
        attach_netns -t "$how"
        is "CRI container by $how (${took} ms)" "$rc $out" "0 $(netns "$kpid")"
done
attach_netns -t k8s:nsa-pod2
is "a pod of one container by its pod name" "$rc $out" "0 $(netns "$k2pid")"
run "$NSATTACH" -t k8s:nsa-pod -n true
like "a pod of two containers by its pod name is refused, naming them" "$rc $out" "125 nsattach: k8s:nsa-pod: pod nsa-ns/nsa-pod has several containers (nsa-*, nsa-*)*"

# ---- --list and --inspect agree with the runtimes' own inspect ----
run "$NSATTACH" --list --json
list=$out
is "--list --json parses with jq" "$(jq -e . <<<"$list" >/dev/null 2>&1; echo $?)" 0
for rt in docker podman; do
        if [ $rt = docker ]; then want="$did $dpid"; else want="$pid_ $ppid"; fi
        got=$(jq -r --arg rt $rt '.containers[] | select(.runtime == $rt and .name == "webserver") | "\(.id) \(.pid)"' <<<"$list")
        is "--list --json: $rt's webserver has $rt inspect's id and pid" "$got" "$want"
        got=$(jq -r --arg rt $rt '.containers[] | select(.runtime == $rt and .name == "webserver") | .ns | sort | join(",")' <<<"$list")
        is "--list --json: $rt's webserver has its own mnt, net, pid, ipc, uts" "$got" "ipc,mnt,net,pid,uts"
done
run "$NSATTACH" --inspect docker:webserver --json
sandbox=$(rt_docker inspect -f '{{.NetworkSettings.SandboxKey}}' webserver)
is "--inspect --json: docker's net namespace is the one of docker inspect's SandboxKey" \
        "$(jq -r '"\(.name) \(.id) \(.pid) \(.namespaces.net.inode) \(.namespaces.net.shared)"' <<<"$out")" \
        "webserver $did $dpid $(stat -Lc %i "$sandbox") false"
run "$NSATTACH" --inspect podman:webserver --json
sandbox=$(rt_podman inspect -f '{{.NetworkSettings.SandboxKey}}' webserver)
is "--inspect --json: podman's net namespace is the one of podman inspect's SandboxKey" \
        "$(jq -r '"\(.name) \(.id) \(.pid) \(.namespaces.net.inode) \(.verified_by)"' <<<"$out")" \
        "webserver $pid_ $ppid $(stat -Lc %i "$sandbox") start time"

# ---- lifecycle: paused, restarted, stopped ----
rt_docker pause webserver >/dev/null
attach_netns -t docker:webserver
is "a paused docker container is entered (${took} ms)" "$rc $out" "0 $(netns "$dpid")"
run "$NSATTACH" -t docker:webserver -p -- ps -eo pid=,stat=
like "a paused container's processes: pid 1 frozen (D), our ps not (${took} ms)" "$rc $(echo $out)" "0 1 D*"
run "$NSATTACH" --inspect docker:webserver --json
is "--inspect of a paused docker container: state paused" "$rc $(jq -r .state <<<"$out")" "0 paused"
rt_docker unpause webserver >/dev/null
run "$NSATTACH" --inspect docker:webserver --json
is "--inspect after unpause: state running" "$rc $(jq -r .state <<<"$out")" "0 running"
# podman and containerd keep their pause state in a database and in memory: the
# frozen cgroup is what tells
rt_podman pause webserver >/dev/null
run "$NSATTACH" --list --json --runtime podman
is "--list of a paused podman container: state paused (podman inspect: $(rt_podman inspect -f '{{.State.Status}}' webserver))" \
        "$rc $(jq -r '.containers[] | select(.name == "webserver") | .state' <<<"$out")" "0 paused"
attach_netns -t podman:webserver
is "a paused podman container is entered" "$rc $out" "0 $(netns "$ppid")"
rt_podman unpause webserver >/dev/null
rt_ctr task pause nsa-ctr1 >/dev/null 2>&1 || rt_ctr -n default task pause nsa-ctr1 >/dev/null
run "$NSATTACH" --inspect nerdctl:nsa-nerdy --json
is "--inspect of a paused containerd task: state paused" "$rc $(jq -r .state <<<"$out")" "0 paused"
rt_ctr task resume nsa-ctr1 >/dev/null 2>&1 || rt_ctr -n default task resume nsa-ctr1 >/dev/null
run "$NSATTACH" --inspect nerdctl:nsa-nerdy --json
is "--inspect of a resumed containerd task: state running" "$rc $(jq -r .state <<<"$out")" "0 running"

rt_docker restart -t 1 webserver >/dev/null
npid=$(rt_docker_pid webserver)
attach_netns -t docker:webserver
is "a restarted docker container: its new pid $npid (was $dpid) (${took} ms)" "$rc $out $npid" \
        "0 $(netns "$npid") $([ "$npid" != "$dpid" ] && echo "$npid")"

rt_podman stop -t 1 webserver >/dev/null
t0=$(date +%s%N)
run "$NSATTACH" -t podman:webserver -n true
like "a stopped podman container (its pid file stays) is not running ($(ms_since "$t0") ms)" "$rc $out" \
        "125 nsattach: podman:webserver: container podman:webserver is not running"
attach_netns -t webserver
is "with podman's stopped, the name is docker's alone" "$rc $out" "0 $(netns "$npid")"

rt_ctr task kill -s SIGKILL nsa-ctr1 >/dev/null 2>&1 || rt_ctr -n default task kill -s SIGKILL nsa-ctr1 >/dev/null
for _ in $(seq 50); do [ -d "/proc/$cpid" ] || break; sleep 0.1; done
t0=$(date +%s%N)
run "$NSATTACH" -t containerd:default/nsa-ctr1 -n true
like "a killed containerd task (init.pid left behind) is not running ($(ms_since "$t0") ms)" "$rc $out" \
        "125 nsattach: containerd:default/nsa-ctr1: container nerdctl:nsa-nerdy is not running*"

rt_docker stop -t 1 webserver >/dev/null
t0=$(date +%s%N)
run "$NSATTACH" -t docker:webserver -n true
like "a stopped docker container is not running ($(ms_since "$t0") ms)" "$rc $out" \
        "125 nsattach: docker:webserver: container docker:webserver is not running"
rt_docker start webserver >/dev/null
npid=
for _ in $(seq 100); do
        npid=$(rt_docker_pid webserver 2>/dev/null) && break
        sleep 0.1
done
[ -n "$npid" ] || bail "docker start webserver: not running after 10 s"

# ---- a hung daemon, then a stopped one ----
# a live dockerd (an exited one may linger as a zombie until reaped)
dockerd_pid=$(ps -C dockerd -o pid=,stat= | awk '$2 !~ /^Z/ { print $1; exit }')
if [ -n "$dockerd_pid" ]; then
        kill -STOP "$dockerd_pid"
        # the socket still accepts (the kernel queues the connection) but nothing answers
        timeout 3 docker inspect -f '{{.State.Pid}}' webserver >/dev/null 2>&1
        hung=$?
        attach_netns -t docker:webserver
        is "dockerd hung (docker inspect: rc $hung after 3 s): resolved from files (${took} ms)" \
                "$rc $out $hung" "0 $(netns "$npid") 124"
        run "$NSATTACH" --list --json
        is "dockerd hung: --list still lists docker's webserver" \
                "$(jq -r '.containers[] | select(.runtime == "docker") | .pid' <<<"$out")" "$npid"
        kill -CONT "$dockerd_pid"
else
        fail "dockerd hung" "no dockerd process found"
fi

rt_docker_down >/dev/null 2>&1
if rt_docker info >/dev/null 2>&1 || ps -C dockerd -o stat= | grep -qv '^Z'; then
        fail "dockerd stopped" "dockerd is still running"
else
        attach_netns -t docker:webserver
        is "dockerd stopped (live-restore keeps the container): resolved from files (${took} ms)" \
                "$rc $out" "0 $(netns "$npid")"
        # a socket that accepts and never answers, where the API would be
        sock=$(mktemp -u /tmp/nsa-hung-XXXXXX.sock)
        python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(16); time.sleep(60)' "$sock" &
        hung_pid=$!
        for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
        timeout 3 docker -H "unix://$sock" inspect webserver >/dev/null 2>&1
        hung=$?
        attach_netns -t webserver
        is "a docker socket that accepts and never answers (docker: rc $hung): nsattach never asks it (${took} ms)" \
                "$rc $out $hung" "0 $(netns "$npid") 124"
        kill "$hung_pid" 2>/dev/null
        rm -f "$sock"
fi

tap_done
