#!/bin/bash
# tools/kubectl-nsattach against recorded kubectl output (no cluster runs
# here): tests/kubectl/kubectl answers from pod objects as `kubectl get pod -o
# json` prints them and logs every call, so the test sees what the plugin
# would have asked of a cluster.
#   usage: test-kubectl.sh SOURCE_ROOT
set -uo pipefail
SRC=$1
# shellcheck source=tests/lib/tap.sh
. "$SRC/tests/lib/tap.sh"
command -v jq >/dev/null || { skip "kubectl plugin" "jq is not installed (tools/install-deps)"; tap_done; exit; }

plugin=$SRC/tools/kubectl-nsattach
tmp=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
export KUBECTL=$SRC/tests/kubectl/kubectl KUBECTL_LOG=$tmp/log

# plug ARGS...: runs the plugin; sets out (stdout), err, rc and calls (the log)
plug() {
        : >"$KUBECTL_LOG"
        out=$("$plugin" "$@" 2>"$tmp/err" </dev/null)
        rc=$?
        err=$(cat "$tmp/err")
        calls=$(cat "$KUBECTL_LOG")
}

plug web-1 -n -- ip -br addr
is "a one-container pod: nsattach runs on its node, for k8s:NS/POD/CONTAINER" "$rc $out" \
        "0 on node-a: chroot /host nsattach -t k8s:default/web-1/nginx -n -- ip -br addr"
like "kubectl debug node/NODE, the node's root at /host, attached, stdin (not a terminal) passed on" \
        "$(sed -n 2p <<<"$calls")" \
        "debug node/node-a --image=busybox:1.36 --profile=sysadmin --attach=true --stdin -- chroot /host nsattach *"
is "the debug pod is deleted afterwards" "$(sed -n 3p <<<"$calls")" \
        "delete pod node-debugger-node-a-x7k2p --wait=false "
like "kubectl's own message reaches the caller" "$err" "Creating debugging pod node-debugger-node-a-x7k2p*"

plug api-0 --namespace prod -n -- ss -tlnp
is "a pod of several containers without -c: one line naming them, 125" "$rc $err" \
        "125 kubectl-nsattach: api-0 has 2 containers (api sidecar): choose one with -c"
plug api-0 --namespace prod -c sidecar -p -- ps -ef
is "-c CONTAINER, --namespace NS" "$rc $out" "0 on node-b: chroot /host nsattach -t k8s:prod/api-0/sidecar -p -- ps -ef"
is "--namespace goes to every kubectl call" "$(grep -c -- '--namespace prod' <<<"$calls") $(wc -l <<<"$calls")" "3 3"
plug api-0 --namespace prod -c nope -n -- true
is "a container the pod does not have" "$rc $err" \
        "125 kubectl-nsattach: api-0 has no container 'nope' (it has: api sidecar)"

plug no-such-pod -n -- true
is "no such pod: kubectl's message, one line, 125" "$rc $err" \
        "125 kubectl-nsattach: Error from server (NotFound): pods \"no-such-pod\" not found"
plug web-1 --namespace prod -n -- true
is "a pod of another namespace is not found in this one" "$rc" "125"
plug batch-9 -n -- true
is "a pod not scheduled yet" "$rc $err" "125 kubectl-nsattach: batch-9: not scheduled on a node yet (phase Pending)"

FAKE_EXIT=3 plug web-1 -m -- sh -c 'exit 3'
is "the exit status of the program comes back" "$rc" "3"
plug web-1 --keep -n -- true
is "--keep: the debug pod stays" "$(grep -c '^delete' <<<"$calls")" "0"
plug web-1 --dry-run --image=debian:12 -n -- ip addr
is "--dry-run: the command, and no debug pod made" "$rc $(grep -c '^debug' <<<"$calls")" "0 0"
like "--dry-run prints the kubectl debug command" "$out" \
        "* debug node/node-a --image=debian:12 --profile=sysadmin --attach=true --stdin -- chroot /host nsattach -t k8s:default/web-1/nginx -n -- ip addr "
plug
is "no pod: a usage line, 125" "$rc $(wc -l <<<"$err")" "125 1"
plug web-1/x -n true
is "not a pod name" "$rc $err" "125 kubectl-nsattach: 'web-1/x' is not a pod name"
tap_done
