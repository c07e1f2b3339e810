# shellcheck shell=bash
# tests/runtimes/lib.sh - start REAL container runtimes for nsattach's integration tests.
#
# Source it from bash (as root):   . tests/runtimes/lib.sh
#
#   rt_up                      rt_docker_up && rt_containerd_up && rt_image (in that order, see below)
#   rt_docker_up               reuse a dockerd that answers, else start one (cgroupfs driver, default
#                              /var/lib/docker and /var/run/docker.sock); waits at most RT_UP_TIMEOUT s
#   rt_docker_down             stop the dockerd this library started (TERM, then KILL after RT_STOP_TIMEOUT)
#   rt_docker ARGS...          docker with a timeout
#   rt_docker_run ARGS...      docker run -d ARGS (registers --name/id for rt_cleanup); prints the id
#   rt_containerd_up           reuse a containerd on RT_CONTAINERD_SOCK, else start one with a config in
#                              RT_DIR (root /var/lib/containerd, state /run/containerd)
#   rt_containerd_down         stop the containerd this library started
#   rt_ctr ARGS...             ctr --address RT_CONTAINERD_SOCK ARGS, with a timeout
#   rt_ctr_run NS ID [FLAGS...] [-- CMD...]
#                              ctr -n NS run -d FLAGS RT_CTR_IMAGE ID CMD (default CMD: /bin/sleep 100000),
#                              registered for rt_cleanup
#   rt_ctr_cri_run NS POD CONTAINER ID [-- CMD...]
#                              rt_ctr_run with the labels the CRI plugin/kubelet would set
#                              (they show up as annotations in the bundle config.json)
#   rt_image                   build nsattach-test:latest (busybox-static) and load it into docker,
#                              podman (localhost/nsattach-test:latest) and, if it answers, containerd
#                              (docker.io/library/nsattach-test:latest in RT_CTR_NAMESPACES); idempotent
#   rt_podman ARGS...          podman --runtime runc --cgroup-manager=cgroupfs ARGS, with a timeout
#   rt_podman_run ARGS...      rt_podman run --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 ARGS
#                              (registers --name/id for rt_cleanup)
#   rt_docker_pid NAME / rt_docker_ip NAME / rt_podman_pid NAME / rt_podman_ip NAME
#   rt_ctr_pid NS ID / rt_pid_ip PID (first global IPv4 address in PID's net ns, via nsenter)
#   rt_ctr_image NS            import RT_IMAGE (docker save) into containerd namespace NS; idempotent
#   rt_cleanup                 remove every container this library (or a test using the RT_PREFIX name
#                              prefix) created, stop the daemons it started, kill stray shims/conmon/
#                              container processes of what it removed. Safe to call twice.
#
# State lives in RT_DIR (default /tmp/nsattach-rt, fixed on purpose): "pid starttime" of the daemons
# the library started (dockerd.pid, containerd.pid), their logs, the registry of containers it created
# ("KIND NS ID NAME" lines) and the image tarball. So a later shell, e.g. after a test that died, can
# still rt_cleanup what an earlier one left. One test run at a time (the names are fixed too).
# rt_cleanup does not unmount anything; what stays on the host after it: the images, the
# docker0/cni-podman0 bridges and their iptables rules, and podman's self bind-mount of /run/netns.
#
# Every function prints one line "rt: FUNCTION: reason" on stderr and returns non-zero on failure,
# and bounds every wait (RT_TIMEOUT per command, RT_UP_TIMEOUT for a daemon to answer).
# The functions do not rely on set -e, and work under set -euo pipefail.
#
# Facts of this machine (Debian 12, no systemd, cgroup v1 hybrid, no registry) that shaped this:
#  - dockerd 20.10 starts its OWN containerd (/run/docker/containerd/containerd.sock, state
#    /run/docker/containerd/daemon, bundles .../io.containerd.runtime.v2.task/moby/<id>) unless the
#    socket /run/containerd/containerd.sock exists when it starts: then it uses that one, and docker's
#    bundles appear under /run/containerd/io.containerd.runtime.v2.task/moby/. So the separate
#    containerd can use the default root/state/socket without colliding, BUT call rt_docker_up before
#    rt_containerd_up if the test wants docker's own containerd (rt_up does). rt_docker_up warns
#    when the order is the other way round. RT_DOCKER_CONTAINERD_STATE tells which one docker uses.
#  - podman needs runc (crun fails on the hybrid layout), the cgroupfs manager and ulimits below the
#    machine's hard limits (nofile 20000). Its default network here is CNI ("podman",
#    /etc/cni/net.d/87-podman-bridge.conflist, bridge cni-podman0, 10.88.0.0/16): no netavark is
#    installed. That default bridge network works (rootful), so no --network option is needed.
#  - ctr containers get a network namespace with only "lo" (ctr does no CNI): rt_pid_ip prints nothing.
#  - The containerd CRI plugin needs restrict_oom_score_adj = true here (no CAP_SYS_RESOURCE); it is
#    disabled unless RT_CONTAINERD_CRI=1, since ctr does not need it.

: "${RT_DIR:=/tmp/nsattach-rt}"                 # logs, pid records, registry, image tarball
: "${RT_PREFIX:=nsa-}"                         # containers named so are removed by rt_cleanup
: "${RT_TIMEOUT:=60}"                          # seconds for one docker/podman/ctr command
: "${RT_UP_TIMEOUT:=60}"                       # seconds for a daemon to answer after start
: "${RT_STOP_TIMEOUT:=30}"                     # seconds between SIGTERM and SIGKILL of a daemon
: "${RT_IMAGE:=nsattach-test:latest}"
: "${RT_PODMAN_IMAGE:=localhost/nsattach-test:latest}"
: "${RT_CTR_IMAGE:=docker.io/library/nsattach-test:latest}"
: "${RT_CTR_NAMESPACES:=default k8s.io}"
: "${RT_CONTAINERD_ROOT:=/var/lib/containerd}"
: "${RT_CONTAINERD_STATE:=/run/containerd}"
: "${RT_CONTAINERD_SOCK:=/run/containerd/containerd.sock}"
: "${RT_CONTAINERD_CRI:=0}"
: "${RT_DOCKERD_ARGS:=}"                        # extra dockerd arguments (word-split)
RT_DOCKER_SOCK=/var/run/docker.sock
RT_DOCKER_MANAGED_CONTAINERD_STATE=/run/docker/containerd/daemon
: "${RT_DOCKER_CONTAINERD_STATE:=}"            # set by rt_docker_up

_rt_err() { # FUNC MESSAGE...
	local f=$1; shift
	printf 'rt: %s: %s\n' "$f" "$*" >&2
	return 1
}

_rt_init() {
	mkdir -p "$RT_DIR" || { _rt_err "${FUNCNAME[1]:-rt}" "cannot create $RT_DIR"; return 1; }
	[[ -e $RT_DIR/registry ]] || : >"$RT_DIR/registry"
}

# timeout wrapper: -k so a command ignoring SIGTERM cannot hang us either
_rt_t() { timeout -k 10 "$RT_TIMEOUT" "$@"; }

rt_docker() { _rt_t docker "$@"; }
rt_podman() { _rt_t podman --runtime runc --cgroup-manager=cgroupfs "$@"; }
rt_ctr() { _rt_t ctr --address "$RT_CONTAINERD_SOCK" --connect-timeout 5s "$@"; }

# field 22 of /proc/PID/stat (start time in ticks): with the pid it names a process exactly
_rt_starttime() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }                          # comm may hold spaces and parentheses
	# shellcheck disable=SC2086
	set -- $s                            # now $1 is field 3 (state)
	printf '%s\n' "${20}"
}

# record a daemon we started: "pid starttime" in RT_DIR/NAME.pid
_rt_record() { # NAME PID
	local st
	st=$(_rt_starttime "$2") || st=0
	printf '%s %s\n' "$2" "$st" >"$RT_DIR/$1.pid"
}

# the pid recorded for NAME if that very process still runs
_rt_recorded_pid() { # NAME
	local pid st f=$RT_DIR/$1.pid
	[[ -r $f ]] || return 1
	read -r pid st <"$f" || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ $(_rt_starttime "$pid" 2>/dev/null) == "$st" ]] || return 1
	printf '%s\n' "$pid"
}

# the most telling line of a daemon log: the last error/fatal line, else the last line
_rt_log_reason() { # LOG
	local l
	l=$(grep -E 'level=(fatal|error)|unknown (flag|shorthand)|[Ee]rror|failed' "$1" 2>/dev/null | tail -n 1)
	[[ -n $l ]] || l=$(tail -n 1 "$1" 2>/dev/null)
	printf '%s\n' "${l:0:300}"
}

_rt_alive() { [[ -d /proc/$1 ]] && [[ $(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null) != Z ]]; }

# stop PID: SIGTERM, wait RT_STOP_TIMEOUT s, SIGKILL, wait 10 s
_rt_stop_pid() { # FUNC PID WHAT
	local i pid=$2
	_rt_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < RT_STOP_TIMEOUT * 5; i++)); do
		_rt_alive "$pid" || return 0
		sleep 0.2
	done
	_rt_err "$1" "$3 (pid $pid) ignored SIGTERM for ${RT_STOP_TIMEOUT}s, sending SIGKILL" || true
	kill -KILL "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		_rt_alive "$pid" || return 0
		sleep 0.2
	done
	_rt_err "$1" "$3 (pid $pid) survived SIGKILL"
}

# wait until "$@" (a command or function that bounds itself) succeeds, at most RT_UP_TIMEOUT s;
# give up early if process PID (if set) died
_rt_wait_for() { # PID CMD...
	local pid=$1 end=$((SECONDS + RT_UP_TIMEOUT)); shift
	while ((SECONDS < end)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		if [[ -n $pid ]] && ! _rt_alive "$pid"; then return 2; fi
		sleep 0.2
	done
	return 1
}

_rt_register() { # KIND NS ID [NAME]
	_rt_init || return 1
	printf '%s %s %s %s\n' "$1" "${2:--}" "$3" "${4:--}" >>"$RT_DIR/registry"
}

# is NAME (or id) a container of KIND this library created (registry) or named with RT_PREFIX?
_rt_ours() { # KIND NAME
	[[ $2 == "$RT_PREFIX"* ]] && return 0
	awk -v k="$1" -v n="$2" '$1 == k && ($3 == n || $4 == n) {f = 1} END {exit !f}' "$RT_DIR/registry" 2>/dev/null
}

# --name X / --name=X from docker/podman run arguments
_rt_name_arg() {
	while (($#)); do
		case $1 in
		--name) printf '%s\n' "${2:-}"; return 0 ;;
		--name=*) printf '%s\n' "${1#--name=}"; return 0 ;;
		--) return 1 ;;
		esac
		shift
	done
	return 1
}

# ------------------------------------------------------------------------------------------ docker

# Start a daemon in the background (log $RT_DIR/NAME.log), record it, and wait
# until ANSWERS succeeds; on failure say why, stop it and return 1.
_rt_start_daemon() { # FUNC NAME ANSWERS CMD...
	local func=$1 name=$2 answers=$3 log=$RT_DIR/$2.log pid rc
	shift 3
	"$@" </dev/null >"$log" 2>&1 &
	pid=$!
	disown "$pid" 2>/dev/null || true    # no "Killed" job report if it has to be SIGKILLed
	_rt_record "$name" "$pid"
	_rt_wait_for "$pid" "$answers"
	rc=$?
	if ((rc != 0)); then
		local why="did not answer within ${RT_UP_TIMEOUT}s"
		((rc == 2)) && why="exited"
		_rt_err "$func" "$name $why (log $log): $(_rt_log_reason "$log")"
		_rt_stop_pid "$func" "$pid" "$name" 2>/dev/null
		rm -f "$RT_DIR/$name.pid"
		return 1
	fi
}

_rt_docker_answers() { timeout -k 2 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

rt_docker_up() {
	local pid
	_rt_init || return 1
	if _rt_docker_answers; then
		_rt_docker_set_containerd_state
		return 0
	fi
	if pid=$(cat /var/run/docker.pid 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] && _rt_alive "$pid" &&
		[[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
		_rt_err rt_docker_up "a dockerd (pid $pid) runs but does not answer on $RT_DOCKER_SOCK"
		return 1
	fi
	command -v dockerd >/dev/null || { _rt_err rt_docker_up "dockerd not installed (apt-get install docker.io)"; return 1; }
	# Stale pid files of a killed dockerd/containerd: dockerd trusts kill(pid, 0), which succeeds
	# for a zombie, and PID 1 here reaps orphans slowly. Seen: "libcontainerd: containerd is still
	# running" for a dead containerd, then "timeout waiting for containerd to start".
	_rt_rm_stale_pidfile /var/run/docker.pid dockerd
	_rt_rm_stale_pidfile /var/run/docker/containerd/containerd.pid containerd
	if [[ -S $RT_CONTAINERD_SOCK ]]; then
		printf 'rt: rt_docker_up: note: %s exists, so dockerd will use that containerd instead of its own\n' \
			"$RT_CONTAINERD_SOCK" >&2
	fi
	# shellcheck disable=SC2086
	_rt_start_daemon rt_docker_up dockerd _rt_docker_answers \
		dockerd --exec-opt native.cgroupdriver=cgroupfs $RT_DOCKERD_ARGS || return 1
	_rt_docker_set_containerd_state
}

# remove FILE if the pid in it is not a live process called COMM
_rt_rm_stale_pidfile() { # FILE COMM
	local p
	[[ -e $1 ]] || return 0
	p=$(cat "$1" 2>/dev/null) || p=
	if [[ $p =~ ^[0-9]+$ ]] && _rt_alive "$p" && [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$2" ]]; then
		return 0
	fi
	rm -f "$1"
}

# which containerd state dir holds docker's task bundles (moby namespace)
_rt_docker_set_containerd_state() {
	if [[ -S /run/docker/containerd/containerd.sock ]]; then
		RT_DOCKER_CONTAINERD_STATE=$RT_DOCKER_MANAGED_CONTAINERD_STATE
	else
		RT_DOCKER_CONTAINERD_STATE=$RT_CONTAINERD_STATE
	fi
}

rt_docker_down() {
	local pid cpid
	_rt_init || return 1
	pid=$(_rt_recorded_pid dockerd) || { rm -f "$RT_DIR/dockerd.pid"; return 0; }  # not ours / gone
	# dockerd stops its managed containerd itself; remember it in case dockerd has to be killed
	cpid=$(cat /run/docker/containerd/containerd.pid 2>/dev/null) || cpid=
	_rt_stop_pid rt_docker_down "$pid" dockerd || return 1
	if [[ $cpid =~ ^[0-9]+$ ]] && _rt_alive "$cpid" &&
		[[ $(cat "/proc/$cpid/comm" 2>/dev/null) == containerd ]] &&
		[[ $(tr '\0' ' ' <"/proc/$cpid/cmdline" 2>/dev/null) == */run/docker/containerd/* ]]; then
		_rt_stop_pid rt_docker_down "$cpid" "docker's containerd" || return 1
	fi
	rm -f "$RT_DIR/dockerd.pid"
}

rt_docker_run() { # ARGS... (as for docker run; -d is added)
	local name id
	_rt_init || return 1
	name=$(_rt_name_arg "$@") || name=
	# a leftover of ours with that name (a test that died) is removed first
	if [[ -n $name ]] && _rt_ours docker "$name"; then rt_docker rm -f "$name" >/dev/null 2>&1; fi
	id=$(rt_docker run -d "$@") || { _rt_err rt_docker_run "docker run -d $* failed"; return 1; }
	id=${id##*$'\n'}
	_rt_register docker - "$id" "$name"
	printf '%s\n' "$id"
}

rt_docker_pid() {
	local p
	p=$(rt_docker inspect -f '{{.State.Pid}}' "$1" 2>/dev/null) && [[ $p =~ ^[1-9][0-9]*$ ]] ||
		{ _rt_err rt_docker_pid "no running docker container $1"; return 1; }
	printf '%s\n' "$p"
}

rt_docker_ip() {
	local ip
	ip=$(rt_docker inspect -f '{{.NetworkSettings.IPAddress}}' "$1" 2>/dev/null) && [[ -n $ip ]] ||
		{ _rt_err rt_docker_ip "docker container $1 has no IPv4 address"; return 1; }
	printf '%s\n' "$ip"
}

# ------------------------------------------------------------------------------------------ podman

# podman's default (CNI "podman") bridge network works rootful here: the container gets 10.88.x.y on
# cni-podman0. If it ever stops working, --network none is the fallback (then there is only lo).
rt_podman_run() { # ARGS... (as for podman run)
	local name out rc id
	_rt_init || return 1
	command -v podman >/dev/null || { _rt_err rt_podman_run "podman not installed"; return 1; }
	name=$(_rt_name_arg "$@") || name=
	if [[ -n $name ]] && _rt_ours podman "$name"; then rt_podman rm -f -t 0 "$name" >/dev/null 2>&1; fi
	[[ -n $name ]] && _rt_register podman - - "$name"
	out=$(rt_podman run --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 "$@")
	rc=$?
	if ((rc != 0)); then
		[[ -n $out ]] && printf '%s\n' "$out"
		_rt_err rt_podman_run "podman run $* failed (rc $rc)"
		return "$rc"
	fi
	id=${out##*$'\n'}
	[[ $id =~ ^[0-9a-f]{64}$ ]] && _rt_register podman - "$id" "${name:--}"
	[[ -n $out ]] && printf '%s\n' "$out"
	return 0
}

rt_podman_pid() {
	local p
	p=$(rt_podman inspect -f '{{.State.Pid}}' "$1" 2>/dev/null) && [[ $p =~ ^[1-9][0-9]*$ ]] ||
		{ _rt_err rt_podman_pid "no running podman container $1"; return 1; }
	printf '%s\n' "$p"
}

rt_podman_ip() {
	local ip
	ip=$(rt_podman inspect -f '{{.NetworkSettings.IPAddress}}' "$1" 2>/dev/null) && [[ -n $ip ]] ||
		{ _rt_err rt_podman_ip "podman container $1 has no IPv4 address"; return 1; }
	printf '%s\n' "$ip"
}

# ------------------------------------------------------------------------------------------ containerd

# (without --connect-timeout, ctr retries a dead socket for 10 s)
_rt_containerd_answers() {
	[[ -S $RT_CONTAINERD_SOCK ]] &&
		timeout -k 2 10 ctr --address "$RT_CONTAINERD_SOCK" --connect-timeout 2s version >/dev/null 2>&1
}

_rt_containerd_config() {
	cat <<EOF
version = 2
root = "$RT_CONTAINERD_ROOT"
state = "$RT_CONTAINERD_STATE"
oom_score = 0
EOF
	if [[ $RT_CONTAINERD_CRI != 1 ]]; then
		echo 'disabled_plugins = ["io.containerd.grpc.v1.cri"]'
	fi
	cat <<EOF

[grpc]
  address = "$RT_CONTAINERD_SOCK"

[debug]
  level = "info"
EOF
	if [[ $RT_CONTAINERD_CRI == 1 ]]; then
		cat <<'EOF'

[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "/etc/cni/net.d"
EOF
	fi
}

rt_containerd_up() {
	local cfg
	_rt_init || return 1
	if _rt_containerd_answers; then return 0; fi
	command -v containerd >/dev/null || { _rt_err rt_containerd_up "containerd not installed"; return 1; }
	# docker's managed containerd lives under /run/docker/containerd: no collision with the defaults.
	# Refuse only if our socket path is that of another, live, containerd.
	if [[ $RT_CONTAINERD_SOCK == /run/docker/containerd/* || $RT_CONTAINERD_STATE == /run/docker/containerd* ]]; then
		_rt_err rt_containerd_up "RT_CONTAINERD_SOCK/STATE point into docker's managed containerd"
		return 1
	fi
	cfg=$RT_DIR/containerd.toml
	_rt_containerd_config >"$cfg" || { _rt_err rt_containerd_up "cannot write $cfg"; return 1; }
	_rt_start_daemon rt_containerd_up containerd _rt_containerd_answers containerd --config "$cfg"
}

rt_containerd_down() {
	local pid
	_rt_init || return 1
	pid=$(_rt_recorded_pid containerd) || { rm -f "$RT_DIR/containerd.pid"; return 0; }
	_rt_stop_pid rt_containerd_down "$pid" containerd || return 1
	rm -f "$RT_DIR/containerd.pid"
}

rt_ctr_run() { # NS ID [ctr-run-flags...] [-- CMD...]
	local ns=${1:-} id=${2:-} flags=() cmd=() out
	if [[ -z $ns || -z $id ]]; then _rt_err rt_ctr_run "usage: rt_ctr_run NS ID [FLAGS...] [-- CMD...]"; return 1; fi
	shift 2
	while (($#)); do
		if [[ $1 == -- ]]; then shift; cmd=("$@"); break; fi
		flags+=("$1"); shift
	done
	((${#cmd[@]})) || cmd=(/bin/sleep 100000)
	_rt_init || return 1
	_rt_containerd_answers || { _rt_err rt_ctr_run "containerd does not answer on $RT_CONTAINERD_SOCK"; return 1; }
	if rt_ctr -n "$ns" containers info "$id" >/dev/null 2>&1; then
		if awk -v n="$ns" -v i="$id" '$1 == "ctr" && $2 == n && $3 == i {f = 1} END {exit !f}' "$RT_DIR/registry" ||
			[[ $id == "$RT_PREFIX"* ]]; then
			_rt_ctr_remove "$ns" "$id" || return 1
		else
			_rt_err rt_ctr_run "container $ns/$id exists and is not ours"
			return 1
		fi
	fi
	_rt_register ctr "$ns" "$id" "$id"
	out=$(rt_ctr -n "$ns" run -d "${flags[@]}" "$RT_CTR_IMAGE" "$id" "${cmd[@]}" 2>&1) || {
		_rt_err rt_ctr_run "ctr -n $ns run $id failed: $(printf '%s' "$out" | tail -n 1)"
		return 1
	}
	# ctr run -d returns once the task is started; make sure it is RUNNING
	local i st
	for ((i = 0; i < 50; i++)); do
		st=$(rt_ctr -n "$ns" task ls 2>/dev/null | awk -v id="$id" '$1 == id {print $3}')
		[[ $st == RUNNING ]] && return 0
		sleep 0.2
	done
	_rt_err rt_ctr_run "task $ns/$id is not RUNNING (status '${st:-none}')"
}

rt_ctr_cri_run() { # NS POD CONTAINER ID [-- CMD...]   (ctr container in namespace NS with CRI labels)
	local ns=${1:-} pod=${2:-} ctn=${3:-} id=${4:-}
	if [[ -z $id ]]; then _rt_err rt_ctr_cri_run "usage: rt_ctr_cri_run NS POD CONTAINER ID [-- CMD...]"; return 1; fi
	shift 4
	rt_ctr_run k8s.io "$id" \
		--label io.kubernetes.cri.container-type=container \
		--label io.kubernetes.cri.container-name="$ctn" \
		--label io.kubernetes.cri.sandbox-name="$pod" \
		--label io.kubernetes.cri.sandbox-namespace="$ns" \
		--label io.kubernetes.pod.name="$pod" \
		--label io.kubernetes.pod.namespace="$ns" \
		--label io.kubernetes.container.name="$ctn" "$@"
}

rt_ctr_pid() { # NS ID
	local p
	p=$(rt_ctr -n "$1" task ls 2>/dev/null | awk -v id="$2" '$1 == id && $3 == "RUNNING" {print $2}')
	[[ $p =~ ^[1-9][0-9]*$ ]] || { _rt_err rt_ctr_pid "no running ctr task $1/$2"; return 1; }
	printf '%s\n' "$p"
}

# first global IPv4 address in the network namespace of PID (empty output when there is only lo)
rt_pid_ip() {
	local out
	out=$(timeout -k 2 10 nsenter -t "$1" -n ip -4 -o addr show scope global 2>/dev/null) ||
		{ _rt_err rt_pid_ip "cannot enter the net ns of pid $1"; return 1; }
	awk '{sub(/\/.*/, "", $4); print $4; exit}' <<<"$out"
}

# kill + delete task, delete container; bounded
_rt_ctr_remove() { # NS ID
	local ns=$1 id=$2 i st
	if rt_ctr -n "$ns" task ls 2>/dev/null | awk -v id="$id" '$1 == id {f=1} END {exit !f}'; then
		rt_ctr -n "$ns" task kill -s SIGKILL "$id" >/dev/null 2>&1
		for ((i = 0; i < 50; i++)); do
			st=$(rt_ctr -n "$ns" task ls 2>/dev/null | awk -v id="$id" '$1 == id {print $3}')
			[[ -z $st || $st == STOPPED ]] && break
			sleep 0.2
		done
		rt_ctr -n "$ns" task delete "$id" >/dev/null 2>&1 ||
			rt_ctr -n "$ns" task delete --force "$id" >/dev/null 2>&1
	fi
	if rt_ctr -n "$ns" containers info "$id" >/dev/null 2>&1; then
		rt_ctr -n "$ns" containers delete "$id" >/dev/null 2>&1 ||
			{ _rt_err rt_cleanup "cannot delete ctr container $ns/$id"; return 1; }
	fi
	return 0
}

# ------------------------------------------------------------------------------------------ image

_rt_image_tar() {
	local tar=$RT_DIR/nsattach-test.tar root=$RT_DIR/rootfs a
	if [[ -s $tar ]]; then printf '%s\n' "$tar"; return 0; fi
	[[ -x /bin/busybox ]] && /bin/busybox --list >/dev/null 2>&1 ||
		{ _rt_err rt_image "/bin/busybox missing (apt-get install busybox-static)"; return 1; }
	if ldd /bin/busybox >/dev/null 2>&1; then
		_rt_err rt_image "/bin/busybox is not static (apt-get install busybox-static)"; return 1
	fi
	rm -rf "$root"
	mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp,root,run,var} || return 1
	cp /bin/busybox "$root/bin/busybox" || return 1
	for a in sh ash sleep ip ps ls cat hostname echo id ifconfig mount nsenter readlink stat top \
		touch grep sed awk head tail wc true false env kill pidof uname mkdir rm sync date; do
		ln -s busybox "$root/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar" ||
		{ _rt_err rt_image "cannot write $tar"; return 1; }
	printf '%s\n' "$tar"
}

_rt_ctr_has_image() { # NS   (no "| grep -q": under pipefail its SIGPIPE would make a hit look like a miss)
	local l
	l=$(rt_ctr -n "$1" images ls -q 2>/dev/null) || return 1
	[[ $'\n'$l$'\n' == *$'\n'"$RT_CTR_IMAGE"$'\n'* ]]
}

rt_ctr_image() { # NS   (import RT_IMAGE from docker into containerd namespace NS; idempotent)
	local ns=$1
	if _rt_ctr_has_image "$ns"; then return 0; fi
	_rt_docker_answers || { _rt_err rt_ctr_image "docker does not answer (needed for docker save)"; return 1; }
	local st
	rt_docker save "$RT_IMAGE" | rt_ctr -n "$ns" images import - >/dev/null
	st=("${PIPESTATUS[@]}")
	if ((st[0] != 0 || st[1] != 0)); then
		_rt_err rt_ctr_image "docker save | ctr -n $ns images import failed (${st[*]})"; return 1
	fi
	_rt_ctr_has_image "$ns" ||
		{ _rt_err rt_ctr_image "$RT_CTR_IMAGE not in containerd namespace $ns after import"; return 1; }
}

rt_image() {
	local tar ns
	_rt_init || return 1
	tar=$(_rt_image_tar) || return 1
	# docker
	_rt_docker_answers || { _rt_err rt_image "docker does not answer (call rt_docker_up first)"; return 1; }
	if ! rt_docker image inspect "$RT_IMAGE" >/dev/null 2>&1; then
		rt_docker import --change 'CMD ["/bin/sleep", "100000"]' "$tar" "$RT_IMAGE" >/dev/null ||
			{ _rt_err rt_image "docker import failed"; return 1; }
	fi
	# podman
	if command -v podman >/dev/null; then
		if ! rt_podman image exists "$RT_PODMAN_IMAGE" 2>/dev/null; then
			rt_podman import -q --change 'CMD ["/bin/sleep", "100000"]' "$tar" "$RT_PODMAN_IMAGE" >/dev/null ||
				{ _rt_err rt_image "podman import failed"; return 1; }
		fi
	fi
	# containerd, if one answers
	if _rt_containerd_answers; then
		for ns in $RT_CTR_NAMESPACES; do
			rt_ctr_image "$ns" || return 1
		done
	fi
	return 0
}

rt_up() {
	rt_docker_up && rt_containerd_up && rt_image
}

# ------------------------------------------------------------------------------------------ cleanup

# kill every process whose cgroup path matches one of the patterns (a removed container's leftovers)
_rt_kill_cgroup_procs() { # ERE...
	local p f re
	(($#)) || return 0
	re=$(IFS='|'; printf '%s' "$*")
	for f in /proc/[0-9]*/cgroup; do
		p=${f#/proc/}; p=${p%/cgroup}
		[[ $p == "$$" || $p == "$BASHPID" ]] && continue
		if grep -qE "($re)(\$|/|\.scope)" "$f" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null
		fi
	done
	return 0
}

# pids of shims and conmons whose command line names one of the ids
_rt_shims() { # ID...
	local p f cmd id
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}; p=${p%/cmdline}
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		containerd-shim*|conmon) ;;
		*) continue ;;
		esac
		cmd=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
		for id in "$@"; do
			[[ ${#id} -ge 4 ]] || continue
			if [[ " $cmd " == *" -id $id "* || " $cmd " == *" --cid $id "* || " $cmd " == *" -c $id "* ]]; then
				printf '%s\n' "$p"
				break
			fi
		done
	done
	return 0
}

# shims/conmons of removed containers exit by themselves shortly after; kill those still there after 5 s
_rt_kill_shims() { # ID...
	local i pids p
	(($#)) || return 0
	for ((i = 0; i < 25; i++)); do
		pids=$(_rt_shims "$@")
		[[ -z $pids ]] && return 0
		sleep 0.2
	done
	for p in $pids; do
		_rt_err rt_cleanup "killing stray $(cat "/proc/$p/comm" 2>/dev/null) pid $p" || true
		kill -KILL "$p" 2>/dev/null
	done
	return 0
}

rt_cleanup() {
	local kind ns id name rc=0 ids=() cgs=() x
	_rt_init || return 1
	local reg=$RT_DIR/registry

	# A daemon that holds registered containers but is down (the test stopped it, e.g. a dockerd with
	# --live-restore whose containers outlive it, or it died): start it again, as ours, so that the
	# containers are removed properly; it is stopped again below. Docker first, for its own containerd.
	local p
	if grep -q '^docker ' "$reg" && ! _rt_docker_answers; then
		p=$(cat /var/run/docker.pid 2>/dev/null) || p=
		if ! [[ $p =~ ^[0-9]+$ ]] || ! _rt_alive "$p"; then
			rt_docker_up 2>/dev/null || _rt_err rt_cleanup "could not restart dockerd to remove its registered containers" || true
		fi
	fi
	if grep -q '^ctr ' "$reg" && ! _rt_containerd_answers && ! [[ -S $RT_CONTAINERD_SOCK ]] &&
		! _rt_recorded_pid containerd >/dev/null; then
		rt_containerd_up 2>/dev/null || _rt_err rt_cleanup "could not restart containerd to remove its registered containers" || true
	fi

	local keep=()    # registry lines of containers whose runtime did not answer: retried next time
	# docker: registered names/ids and everything named RT_PREFIX*
	if ! _rt_docker_answers; then
		while read -r kind ns id name; do
			[[ $kind == docker ]] && keep+=("$kind $ns $id $name") && [[ $id != - ]] &&
				ids+=("$id") && cgs+=("[/-]docker[/-]$id")
		done <"$reg"
	else
		local dl=()
		while read -r kind ns id name; do
			[[ $kind == docker ]] || continue
			[[ $id != - ]] && dl+=("$id")
			[[ $name != - ]] && dl+=("$name")
		done <"$reg"
		while read -r x; do [[ -n $x ]] && dl+=("$x"); done \
			< <(rt_docker ps -aq --no-trunc --filter "name=^/$RT_PREFIX" 2>/dev/null)
		for x in "${dl[@]}"; do
			id=$(rt_docker inspect -f '{{.Id}}' "$x" 2>/dev/null) || continue
			ids+=("$id") cgs+=("[/-]docker[/-]$id")
			rt_docker rm -f "$id" >/dev/null 2>&1 || { _rt_err rt_cleanup "docker rm -f $x failed"; rc=1; }
		done
	fi

	# podman (no daemon): registered names/ids and everything named RT_PREFIX*
	if command -v podman >/dev/null; then
		local pl=()
		while read -r kind ns id name; do
			[[ $kind == podman ]] || continue
			[[ $id != - ]] && pl+=("$id")
			[[ $name != - ]] && pl+=("$name")
		done <"$reg"
		while read -r x; do [[ -n $x ]] && pl+=("$x"); done \
			< <(rt_podman ps -a --no-trunc --filter "name=^$RT_PREFIX" --format '{{.ID}}' 2>/dev/null)
		for x in "${pl[@]}"; do
			id=$(rt_podman inspect -f '{{.Id}}' "$x" 2>/dev/null) || continue
			ids+=("$id") cgs+=("libpod-$id")
			rt_podman rm -f -t 0 "$id" >/dev/null 2>&1 || { _rt_err rt_cleanup "podman rm -f $x failed"; rc=1; }
		done
	fi

	# containerd: registered ns/id and every id starting with RT_PREFIX, in every namespace
	local cl=()
	while read -r kind ns id name; do
		[[ $kind == ctr ]] && cl+=("$ns/$id")
	done <"$reg"
	if _rt_containerd_answers; then
		for ns in $(rt_ctr namespaces ls -q 2>/dev/null); do
			while read -r x; do
				[[ $x == "$RT_PREFIX"* ]] && cl+=("$ns/$x")
			done < <(rt_ctr -n "$ns" containers ls -q 2>/dev/null)
		done
		for x in "${cl[@]}"; do
			ns=${x%%/*}; id=${x#*/}
			ids+=("$id") cgs+=("/${ns//./\\.}/$id")
			rt_ctr -n "$ns" containers info "$id" >/dev/null 2>&1 || continue
			_rt_ctr_remove "$ns" "$id" || rc=1
		done
	else
		for x in "${cl[@]}"; do ns=${x%%/*}; ids+=("${x#*/}") cgs+=("/${ns//./\\.}/${x#*/}"); done
		while read -r kind ns id name; do
			[[ $kind == ctr ]] && keep+=("$kind $ns $id $name")
		done <"$reg"
	fi

	# daemons this library started (not ones it found running): docker before containerd, since
	# docker may be using that containerd
	rt_docker_down || rc=1
	rt_containerd_down || rc=1

	# leftovers of what was removed: shims, conmon, container processes (sleep ...)
	_rt_kill_shims "${ids[@]}"
	_rt_kill_cgroup_procs "${cgs[@]}"
	# keep the whole registry when something failed, so that the next call retries it
	if ((rc == 0)); then
		if ((${#keep[@]})); then printf '%s\n' "${keep[@]}" >"$reg"; else : >"$reg"; fi
	fi
	return $rc
}
