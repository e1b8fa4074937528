#!/bin/bash
# Open MPI's remote-launch agent for the test hosts (tests/support/test_hosts.sh): called as
# `host_rsh.sh HOST COMMAND...` (plm_rsh_agent), it runs COMMAND on HOST by entering the
# namespaces of that host's holder process, as ssh would log in to a node.
set -euo pipefail
host=$1
shift
pid_file="${P2L_HOSTS_DIR:?P2L_HOSTS_DIR: not set (run under tests/support/test_hosts.sh)}/$host.pid"
[ -s "$pid_file" ] || { echo "host_rsh.sh: no test host '$host' in $P2L_HOSTS_DIR" >&2; exit 255; }
exec nsenter -t "$(cat "$pid_file")" -n -u -m -- /bin/sh -c "$*"
