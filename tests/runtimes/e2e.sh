#!/bin/bash
# End-to-end check of tests/runtimes/lib.sh on this machine (root):
# bring up dockerd, containerd and the image, run one container per runtime (docker and podman both
# named nsa-web, a plain ctr container and a CRI-labelled one), check pids/ips/annotations against
# the runtimes' own files, optionally copy those files (--capture DIR), then clean up and check that
# nothing is left (no container, no daemon the library started, no container process).
#
#   tests/runtimes/e2e.sh [--capture DIR] [--fresh]
#     --fresh    remove the test images first (so rt_image builds and imports them again)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/runtimes/lib.sh
. "$here/lib.sh"

capture='' fresh=0
while (($#)); do
	case $1 in
	--capture) capture=$2; shift 2 ;;
	--fresh) fresh=1; shift ;;
	*) echo "usage: $0 [--capture DIR] [--fresh]" >&2; exit 2 ;;
	esac
done

pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$*"; }
check() { # DESC CMD...
	local d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
now() { printf '%s\n' "$EPOCHREALTIME"; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

trap 'rt_cleanup || true' EXIT

# --- bring-up -------------------------------------------------------------------------------------
docker_was_up=0; _rt_docker_answers && docker_was_up=1
t0=$(now)
check "rt_docker_up" rt_docker_up
t1=$(now)
check "rt_containerd_up" rt_containerd_up
t2=$(now)
if ((fresh)); then
	rt_docker rmi -f "$RT_IMAGE" >/dev/null 2>&1 || true
	rt_podman rmi -f "$RT_PODMAN_IMAGE" >/dev/null 2>&1 || true
	for ns in $RT_CTR_NAMESPACES; do rt_ctr -n "$ns" images rm "$RT_CTR_IMAGE" >/dev/null 2>&1 || true; done
	rm -f "$RT_DIR/nsattach-test.tar"
fi
t2b=$(now)
check "rt_image" rt_image
t3=$(now)
check "rt_image again (idempotent)" rt_image
t4=$(now)
printf 'timing: dockerd %ss (was already up: %s), containerd %ss, image %ss (again: %ss), bring-up total %ss\n' \
	"$(dt "$t0" "$t1")" "$docker_was_up" "$(dt "$t1" "$t2")" "$(dt "$t2b" "$t3")" "$(dt "$t3" "$t4")" \
	"$(awk -v a="$t0" -v b="$t2" -v c="$t2b" -v d="$t3" 'BEGIN {printf "%.2f", (d - a) - (c - b)}')"
printf 'docker uses the containerd with state %s\n' "$RT_DOCKER_CONTAINERD_STATE"

# --- containers -----------------------------------------------------------------------------------
t5=$(now)
check "docker run nsa-web" rt_docker run -d --name nsa-web "$RT_IMAGE" /bin/sleep 100000
check "podman run nsa-web" rt_podman_run -d --name nsa-web "$RT_PODMAN_IMAGE" /bin/sleep 100000
check "ctr run default/ctr1" rt_ctr_run default ctr1 --label nerdctl/name=nerdy -- sleep 100000
# the CRI-labelled one, spelled out as a test would with plain ctr
rt_ctr -n k8s.io run -d \
	--label io.kubernetes.cri.container-type=container --label io.kubernetes.cri.container-name=app \
	--label io.kubernetes.cri.sandbox-name=mypod --label io.kubernetes.cri.sandbox-namespace=myns \
	--label io.kubernetes.pod.name=mypod --label io.kubernetes.pod.namespace=myns \
	--label io.kubernetes.container.name=app "$RT_CTR_IMAGE" nsa-app /bin/sleep 100000 &&
	ok "ctr run k8s.io/nsa-app (CRI labels)" || bad "ctr run k8s.io/nsa-app (CRI labels)"
t6=$(now)
printf 'timing: 4 containers started in %ss\n' "$(dt "$t5" "$t6")"

dpid=$(rt_docker_pid nsa-web) || dpid=
dip=$(rt_docker_ip nsa-web) || dip=
ppid_=$(rt_podman_pid nsa-web) || ppid_=
pip=$(rt_podman_ip nsa-web) || pip=
cpid=$(rt_ctr_pid default ctr1) || cpid=
kpid=$(rt_ctr_pid k8s.io nsa-app) || kpid=
printf '%-28s pid %-7s ip %s\n' "docker nsa-web" "$dpid" "$dip" "podman nsa-web" "$ppid_" "$pip" \
	"ctr default/ctr1" "$cpid" "$(rt_pid_ip "$cpid" 2>/dev/null)" \
	"ctr k8s.io/nsa-app" "$kpid" "$(rt_pid_ip "$kpid" 2>/dev/null)"
is_ipv4() { [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; }
check "docker nsa-web has an IPv4 address ($dip)" is_ipv4 "$dip"
check "podman nsa-web has an IPv4 address ($pip)" is_ipv4 "$pip"
check "docker ip == ip inside its net ns" test "$(rt_pid_ip "$dpid")" = "$dip"
check "podman ip == ip inside its net ns" test "$(rt_pid_ip "$ppid_")" = "$pip"

# the runtimes' own files
did=$(rt_docker inspect -f '{{.Id}}' nsa-web)
pid_=$(rt_podman inspect -f '{{.Id}}' nsa-web)
pdrv=$(rt_podman info --format '{{.Store.GraphDriverName}}')
ctask=$RT_CONTAINERD_STATE/io.containerd.runtime.v2.task
dtask=$RT_DOCKER_CONTAINERD_STATE/io.containerd.runtime.v2.task/moby/$did
declare -A F=(
	[docker/config.v2.json]=/var/lib/docker/containers/$did/config.v2.json
	[docker/hostconfig.json]=/var/lib/docker/containers/$did/hostconfig.json
	[docker/bundle/init.pid]=$dtask/init.pid
	[docker/bundle/options.json]=$dtask/options.json
	[docker/bundle/config.json]=$dtask/config.json
	[docker/runc/state.json]=/run/docker/runtime-runc/moby/$did/state.json
	[podman/containers.json]=/var/lib/containers/storage/$pdrv-containers/containers.json
	[podman/userdata/config.json]=/var/lib/containers/storage/$pdrv-containers/$pid_/userdata/config.json
	[podman/userdata/pidfile]=/run/containers/storage/$pdrv-containers/$pid_/userdata/pidfile
	[podman/userdata/conmon.pid]=/run/containers/storage/$pdrv-containers/$pid_/userdata/conmon.pid
	[podman/runc/state.json]=/run/runc/$pid_/state.json
	[ctr-default-ctr1/bundle/config.json]=$ctask/default/ctr1/config.json
	[ctr-default-ctr1/bundle/init.pid]=$ctask/default/ctr1/init.pid
	[ctr-default-ctr1/runc/state.json]=$RT_CONTAINERD_STATE/runc/default/ctr1/state.json
	[ctr-k8s.io-nsa-app/bundle/config.json]=$ctask/k8s.io/nsa-app/config.json
	[ctr-k8s.io-nsa-app/bundle/init.pid]=$ctask/k8s.io/nsa-app/init.pid
	[ctr-k8s.io-nsa-app/runc/state.json]=$RT_CONTAINERD_STATE/runc/k8s.io/nsa-app/state.json
)
for k in $(printf '%s\n' "${!F[@]}" | sort); do
	check "exists: ${F[$k]}" test -s "${F[$k]}"
done
check "docker config.v2.json .Name/.State.Pid" \
	test "$(jq -r '.Name + " " + (.State.Pid|tostring)' "${F[docker/config.v2.json]}")" = "/nsa-web $dpid"
check "docker init.pid == pid" test "$(cat "${F[docker/bundle/init.pid]}")" = "$dpid"
check "podman containers.json names nsa-web -> id" \
	test "$(jq -r '.[] | select(.names | index("nsa-web")) | .id' "${F[podman/containers.json]}")" = "$pid_"
check "podman pidfile == pid" test "$(cat "${F[podman/userdata/pidfile]}")" = "$ppid_"
check "ctr1 init.pid == pid" test "$(cat "${F[ctr-default-ctr1/bundle/init.pid]}")" = "$cpid"
check "nsa-app init.pid == pid" test "$(cat "${F[ctr-k8s.io-nsa-app/bundle/init.pid]}")" = "$kpid"
check "ctr1 annotation nerdctl/name=nerdy" \
	test "$(jq -r '.annotations["nerdctl/name"]' "${F[ctr-default-ctr1/bundle/config.json]}")" = nerdy
check "nsa-app CRI annotations" test "$(jq -r '.annotations | [."io.kubernetes.cri.container-type",
	."io.kubernetes.cri.container-name", ."io.kubernetes.cri.sandbox-name", ."io.kubernetes.cri.sandbox-namespace",
	."io.kubernetes.pod.name", ."io.kubernetes.pod.namespace", ."io.kubernetes.container.name"] | join(" ")' \
	"${F[ctr-k8s.io-nsa-app/bundle/config.json]}")" = "container app mypod myns mypod myns app"
for r in docker/runc/state.json:$dpid podman/runc/state.json:$ppid_ \
	ctr-default-ctr1/runc/state.json:$cpid ctr-k8s.io-nsa-app/runc/state.json:$kpid; do
	f=${F[${r%%:*}]} p=${r##*:}
	check "runc state ${r%%:*}: init_process_pid/start == /proc/$p/stat" \
		test "$(jq -r '"\(.init_process_pid) \(.init_process_start)"' "$f")" = "$p $(_rt_starttime "$p")"
done

if [[ -n $capture ]]; then
	mkdir -p "$capture"
	: >"$capture/PATHS"
	for k in $(printf '%s\n' "${!F[@]}" | sort); do
		mkdir -p "$capture/$(dirname "$k")"
		cp "${F[$k]}" "$capture/$k" 2>/dev/null || true
		printf '%s\t%s\n' "$k" "${F[$k]}" >>"$capture/PATHS"
	done
	{
		echo "# context at capture time ($(date -u +%FT%TZ))"
		echo "docker id $did pid $dpid ip $dip containerd-state $RT_DOCKER_CONTAINERD_STATE"
		echo "podman id $pid_ pid $ppid_ ip $pip driver $pdrv"
		echo "ctr default/ctr1 pid $cpid; ctr k8s.io/nsa-app pid $kpid (containerd state $RT_CONTAINERD_STATE)"
		for p in "$dpid" "$ppid_" "$cpid" "$kpid"; do echo "/proc/$p/cgroup:"; sed 's/^/  /' "/proc/$p/cgroup"; done
	} >"$capture/CONTEXT"
	ok "captured into $capture"
fi

# --- cleanup --------------------------------------------------------------------------------------
t7=$(now)
check "rt_cleanup" rt_cleanup
t8=$(now)
check "rt_cleanup again" rt_cleanup
printf 'timing: cleanup %ss\n' "$(dt "$t7" "$t8")"

gone() { [[ -z $1 ]] || ! [[ -d /proc/$1 ]]; }
for p in "$dpid" "$ppid_" "$cpid" "$kpid"; do check "container process $p is gone" gone "$p"; done
check "no podman nsa-* container" test -z "$(rt_podman ps -a -q --filter name=^nsa-)"
# container processes: anything whose cgroup names one of the ids
left=$(grep -lE "/docker/$did|libpod-$pid_|/default/ctr1|/k8s.io/nsa-app" /proc/[0-9]*/cgroup 2>/dev/null || true)
check "no process left in the containers' cgroups ($left)" test -z "$left"
# sleep processes in another pid namespace (= in some container)
mypidns=$(readlink /proc/self/ns/pid)
strays=
for d in /proc/[0-9]*; do
	[[ $(cat "$d/comm" 2>/dev/null) == sleep ]] || continue
	ns=$(readlink "$d/ns/pid" 2>/dev/null) || continue      # zombie or gone
	[[ $ns != "$mypidns" ]] && strays+=" ${d#/proc/}"
done
check "no containerised sleep left ($strays)" test -z "$strays"
for c in dockerd containerd containerd-shim conmon; do   # comm is cut to 15 chars: containerd-shim-runc-v2 shows as containerd-shim
	# zombies (a shim that exited, waiting for PID 1 to reap it) do not count
	p=$(ps -eo pid=,stat=,comm= | awk -v c="$c" '$3 == c && $2 !~ /^Z/ {printf "%s ", $1}')
	if ((docker_was_up)) && [[ $c == dockerd || $c == containerd ]]; then continue; fi
	check "no $c process left ($p)" test -z "$p"
done
docker_down_if_ours() { ((docker_was_up)) || ! _rt_docker_answers; }
check "docker no longer answers unless it was up before" docker_down_if_ours
containerd_down() { ! _rt_containerd_answers; }
check "containerd no longer answers" containerd_down
trap - EXIT
echo "e2e: $pass passed, $fail failed"
((fail == 0))
