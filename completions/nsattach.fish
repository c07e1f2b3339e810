# fish completion for nsattach
# SPDX-License-Identifier: GPL-2.0-or-later

# The words from the program on (the current one included), as nsattach's
# parser would find them; nothing while still in the options.
function __fish_nsattach_program_args
    set -l tokens (commandline -opc)
    set -e tokens[1]
    # Quoted: an empty current word is still a word.
    set -a tokens "$(commandline -ct)"
    # Quoted: '?' would be a wildcard.
    set -l opts t/target= a/all 'm/mount=?' 'u/uts=?' 'i/ipc=?' 'n/net=?' 'p/pid=?' 'U/user=?'
    set -a opts 'C/cgroup=?' 'T/time=?' S/setuid= G/setgid= x-preserve-credentials 'r/root=?'
    set -a opts 'w/wd=?' W/wdns= F/no-fork e/env y-env-mode= z-exec= h/help V/version
    set -a opts q-runtime= k-runtime-root= l-list j-json I-inspect= c-confine P-privileged o-timeout= f-follow X-explain v/verbose q/quiet
    argparse -s $opts -- $tokens 2>/dev/null
    or return 1
    if set -q argv[1]; and not string match -q -- '-*' $argv[1]
        string join0 -- $argv
        return 0
    end
    return 1
end

function __fish_nsattach_in_options
    not __fish_nsattach_program_args >/dev/null
end

function __fish_nsattach_complete_program
    set -l args (__fish_nsattach_program_args | string split0)
    set -q args[1]; or return
    # The program's words, all but the one being typed quoted again.
    set -l line (string escape -- $args[1..-2]) $args[-1]
    complete -C "$line"
end

function __fish_nsattach_pids
    nsattach --list 2>/dev/null | while read -l rt name id pid state image ns target
        test "$name" = NAME; and continue
        # the name as it is (searched in every runtime), and RUNTIME:NAME
        printf '%s\t%s container, pid %s\n' $name $rt $pid $target $rt $pid
    end
    for p in (string match -r '^/proc/[0-9]+$' /proc/*)
        set -l pid (string replace /proc/ '' $p)
        set -l comm (cat $p/comm 2>/dev/null)
        printf '%s\t%s\n' $pid "$comm"
    end
end

complete -c nsattach -f
complete -c nsattach -n __fish_nsattach_in_options -s t -l target -x -a '(__fish_nsattach_pids)' -d 'What to attach to: PID, container name or id, RUNTIME:NAME'
complete -c nsattach -n __fish_nsattach_in_options -s a -l all -d 'Enter every namespace of the target that differs from ours'
complete -c nsattach -n __fish_nsattach_in_options -s m -l mount -F -d 'Enter the mount namespace'
complete -c nsattach -n __fish_nsattach_in_options -s u -l uts -F -d 'Enter the UTS namespace'
complete -c nsattach -n __fish_nsattach_in_options -s i -l ipc -F -d 'Enter the System V IPC namespace'
complete -c nsattach -n __fish_nsattach_in_options -s n -l net -F -d 'Enter the network namespace'
complete -c nsattach -n __fish_nsattach_in_options -s p -l pid -F -d 'Enter the pid namespace'
complete -c nsattach -n __fish_nsattach_in_options -s U -l user -F -d 'Enter the user namespace'
complete -c nsattach -n __fish_nsattach_in_options -s C -l cgroup -F -d 'Enter the cgroup namespace'
complete -c nsattach -n __fish_nsattach_in_options -s T -l time -F -d 'Enter the time namespace'
complete -c nsattach -n __fish_nsattach_in_options -s S -l setuid -x -a follow -d 'Set the uid in the entered namespaces'
complete -c nsattach -n __fish_nsattach_in_options -s G -l setgid -x -a follow -d 'Set the gid in the entered namespaces'
complete -c nsattach -n __fish_nsattach_in_options -l preserve-credentials -d 'Keep uid, gid and groups when entering a user namespace'
complete -c nsattach -n __fish_nsattach_in_options -s r -l root -a '(__fish_complete_directories)' -d 'Set the root directory'
complete -c nsattach -n __fish_nsattach_in_options -s w -l wd -a '(__fish_complete_directories)' -d 'Set the working directory'
complete -c nsattach -n __fish_nsattach_in_options -s W -l wdns -x -a '(__fish_complete_directories)' -d 'Set the working directory, resolved after entering'
complete -c nsattach -n __fish_nsattach_in_options -s F -l no-fork -d 'Do not fork before running the program'
complete -c nsattach -n __fish_nsattach_in_options -s e -l env -d 'Use the environment of the target'
complete -c nsattach -n __fish_nsattach_in_options -l env-mode -x -a 'host target clean' -d 'The environment of the program'
complete -c nsattach -n __fish_nsattach_in_options -l exec -x -a 'host container' -d "With -m, whose program runs"
complete -c nsattach -n __fish_nsattach_in_options -l confine -d "Take the target's privileges"
complete -c nsattach -n __fish_nsattach_in_options -l privileged -d "Keep the caller's privileges (host views only)"
complete -c nsattach -n __fish_nsattach_in_options -l timeout -x -d "End the program after SECONDS (exit 124)"
complete -c nsattach -n __fish_nsattach_in_options -l follow -d "End the program when the target exits"
complete -c nsattach -n __fish_nsattach_in_options -l explain -d "Print the plan and do nothing"
complete -c nsattach -n __fish_nsattach_in_options -s v -l verbose -d "Print each step with its time"
complete -c nsattach -n __fish_nsattach_in_options -s q -l quiet -d "Leave out the notes"
complete -c nsattach -n __fish_nsattach_in_options -l runtime -x -a 'docker podman containerd nerdctl k8s crio lxc machine' -d 'Resolve names in one runtime only'
complete -c nsattach -n __fish_nsattach_in_options -l runtime-root -x -a 'docker= docker-exec= podman= podman-run= runc= crun= containerd= lxc= machines= cgroup= home= user-run= cache=' -d "Read a runtime's state from DIR"
complete -c nsattach -n __fish_nsattach_in_options -l list -d 'List the running containers and exit'
complete -c nsattach -n __fish_nsattach_in_options -l inspect -x -a '(__fish_nsattach_pids)' -d 'Show how TARGET resolves and exit'
complete -c nsattach -n __fish_nsattach_in_options -l json -d 'With --list or --inspect, print JSON'
complete -c nsattach -n __fish_nsattach_in_options -s h -l help -d 'Show the help and exit'
complete -c nsattach -n __fish_nsattach_in_options -s V -l version -d 'Show the version and exit'
complete -c nsattach -n 'not __fish_nsattach_in_options' -x -a '(__fish_nsattach_complete_program)'
