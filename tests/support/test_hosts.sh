# Test hosts on one machine, sourced by the multi-host tests (docs/CLUSTER.md):
#
#   hosts_up N DIR [PATH...]
#                       N hosts h1..hN (N >= 2), each in its own network, UTS and mount namespace:
#                       its own hostname, two networks as a cluster node has (eth0, 198.18.0.(10+i)/24,
#                       the network the host names resolve to; eth1, 198.18.1.(10+i)/24, a data
#                       network named h<i>-data; each on a bridge in a namespace of its own), its
#                       own /dev/shm and /tmp, and an /etc/hosts naming every host. Nothing is added to the machine's own namespace: the
#                       addresses are never routed to its interfaces. DIR (not under /tmp, which
#                       each host has its own of) holds the fixture's files; every host sees the
#                       rest of the file system, the "shared file system" of a cluster. Each PATH
#                       under /tmp (a checkout or build there) stays shared: every host's own
#                       /tmp holds it, bound from the machine's; the checkout this script is in
#                       is always kept.
#                       Returns 77 with a line starting "SKIP:" where namespaces are not allowed.
#   test_hosts_for NAME N [PATH...]
#                       for a test script: N hosts (keeping each PATH) and a shared folder /var/tmp/NAME.XXXXXX
#                       (SHARED, the working folder from then on), both removed on exit; exits 77
#                       where namespaces are not allowed, fails when the hosts do not come up.
#   on_host I CMD...    runs CMD on host hI (environment and working folder kept).
#   host_pid I          the process that holds host hI's namespaces (for nsenter).
#   host_link I up|down sets host hI's cables to both bridges up or down (a cut link).
#   host_bytes I IFACE  bytes host hI has sent and received on IFACE so far.
#   host_kill_all I     SIGKILL to every process on host hI (a host that dies); the host stays.
#   hosts_down          removes everything hosts_up made (call it from the test's EXIT trap; it
#                       does nothing when there is nothing to remove).
#
# 198.18.0.0/15 is reserved for network benchmarks (RFC 2544). Traffic stays between the hosts
# and their loopbacks.
P2L_HOSTS_TAG=""
P2L_HOSTS_N=0
P2L_HOSTS_DIR=""
P2L_HOSTS_CHECKOUT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

# The paths under /tmp among the checkout and "$@", physical, parents before children, one per line.
hosts_kept_tmp_paths() {
  local p
  for p in "$P2L_HOSTS_CHECKOUT" "$@"; do
    p=$(cd "$p" 2> /dev/null && pwd -P) || continue
    case "$p" in /tmp/*) echo "$p" ;; esac
  done | sort -u
}

hosts_skip_reason() {
  [ "$(id -u)" = 0 ] || { echo "not root"; return; }
  command -v ip > /dev/null || { echo "no 'ip' (iproute2)"; return; }
  command -v nsenter > /dev/null && command -v unshare > /dev/null || { echo "no nsenter/unshare (util-linux)"; return; }
  local probe="p2lprobe$$"
  ip netns add "$probe" 2> /dev/null || { echo "network namespaces are not allowed here (ip netns add failed)"; return; }
  if ! ip netns exec "$probe" unshare --uts --mount --propagation private true 2> /dev/null; then
    ip netns del "$probe"
    echo "UTS and mount namespaces are not allowed here (unshare failed)"
    return
  fi
  ip netns del "$probe"
}

hosts_up() {
  local n=$1 dir=$2
  shift 2
  local why
  why=$(hosts_skip_reason)
  if [ -n "$why" ]; then
    echo "SKIP: test hosts need namespaces: $why"
    return 77
  fi
  [ "$n" -ge 2 ] && [ "$n" -le 9 ] || { echo "hosts_up: 2 to 9 hosts, not $n" >&2; return 1; }
  case "$dir" in /tmp/*) echo "hosts_up: $dir is under /tmp, which every host has its own of" >&2; return 1;; esac
  P2L_HOSTS_TAG="p2l$$"  # interface and namespace names: at most 15 characters
  P2L_HOSTS_N=$n
  P2L_HOSTS_DIR=$dir
  export P2L_HOSTS_DIR
  mkdir -p "$dir"
  local sw="${P2L_HOSTS_TAG}sw" i ns
  # A checkout or build under /tmp would vanish under each host's own /tmp: the holder first binds
  # the machine's /tmp aside (h<i>.outer, in its private mount namespace only), then binds each
  # kept path back into the new /tmp, then drops the aside mount.
  local kept aside="" bind_back="" p
  kept=$(hosts_kept_tmp_paths "$@")
  if [ -n "$kept" ]; then
    aside='mkdir -p "$outer" && mount --rbind /tmp "$outer" || exit 1'
    while IFS= read -r p; do
      bind_back+="mkdir -p '$p' && mount --rbind \"\$outer${p#/tmp}\" '$p' || exit 1; "
    done <<< "$kept"
    bind_back+='umount -l "$outer" && rmdir "$outer"'
  fi
  ip netns add "$sw"
  ip -n "$sw" link set lo up
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  ip -n "$sw" link add br1 type bridge
  ip -n "$sw" link set br1 up
  { echo "127.0.0.1 localhost"
    for i in $(seq "$n"); do echo "198.18.0.$((10 + i)) h$i"; echo "198.18.1.$((10 + i)) h$i-data"; done; } > "$dir/hosts"
  for i in $(seq "$n"); do
    ns="${P2L_HOSTS_TAG}h$i"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    local net
    for net in 0 1; do
      # The switch ends are h<i> (eth0's) and h<i>d (eth1's).
      local end="h$i"
      [ $net = 1 ] && end="h${i}d"
      ip -n "$sw" link add "$end" type veth peer name "eth$net" netns "$ns"
      ip -n "$sw" link set "$end" master "br$net" up
      ip -n "$ns" addr add "198.18.$net.$((10 + i))/24" dev "eth$net"
      ip -n "$ns" link set "eth$net" up
    done
    rm -f "$dir/h$i.pid"
    # The holder: its namespaces are host hI's; it sleeps until hosts_down.
    ip netns exec "$ns" unshare --uts --mount --propagation private sh -c "
      outer='$dir/h$i.outer'
      hostname h$i
      mount -t tmpfs -o size=1g,mode=1777 tmpfs /dev/shm
      $aside
      mount -t tmpfs -o mode=1777 tmpfs /tmp
      $bind_back
      mount --bind '$dir/hosts' /etc/hosts
      echo \$\$ > '$dir/h$i.pid.tmp' && mv '$dir/h$i.pid.tmp' '$dir/h$i.pid'
      exec sleep 86400" > "$dir/h$i.holder.log" 2>&1 &
    disown  # hosts_down kills it; no job-control notice
  done
  for i in $(seq "$n"); do
    local tries=0
    until [ -s "$dir/h$i.pid" ]; do
      tries=$((tries + 1))
      [ $tries -le 100 ] || { cat "$dir/h$i.holder.log" >&2; echo "hosts_up: host h$i did not start" >&2; return 1; }
      sleep 0.05
    done
  done
  # Every host resolves and reaches every other on both networks: one TCP connection attempt per
  # pair and network to port 9,
  # which nothing serves, so "refused" is the answer of a reachable host; 2 s at most each.
  local a b
  for a in $(seq "$n"); do
    for b in $(seq "$n"); do
      [ "$a" = "$b" ] && continue
      on_host "$a" getent hosts "h$b" > /dev/null || { echo "hosts_up: h$a cannot resolve h$b" >&2; return 1; }
      local name
      for name in "h$b" "h$b-data"; do
        on_host "$a" timeout 2 bash -c "exec 3<>/dev/tcp/$name/9; true" 2> /dev/null \
          || { echo "hosts_up: h$a cannot reach $name" >&2; return 1; }
      done
    done
  done
}

test_hosts_for() {
  SHARED=$(mktemp -d "/var/tmp/$1.XXXXXX")  # not /tmp: each host has its own
  trap 'hosts_down; rm -rf "$SHARED"' EXIT
  local rc=0
  hosts_up "$2" "$SHARED/hosts" "${@:3}" || rc=$?
  [ $rc = 77 ] && exit 77
  [ $rc = 0 ] || { echo "FAIL: the test hosts did not come up" >&2; exit 1; }
  cd "$SHARED"
}

host_pid() { cat "$P2L_HOSTS_DIR/h$1.pid"; }

on_host() {
  local i=$1
  shift
  nsenter -t "$(host_pid "$i")" -n -u -m --wd="$PWD" -- "$@"
}

host_link() {
  ip -n "${P2L_HOSTS_TAG}sw" link set "h$1" "$2"
  ip -n "${P2L_HOSTS_TAG}sw" link set "h$1d" "$2"
}

host_bytes() {
  local tx rx
  tx=$(on_host "$1" cat "/sys/class/net/$2/statistics/tx_bytes")
  rx=$(on_host "$1" cat "/sys/class/net/$2/statistics/rx_bytes")
  echo $((tx + rx))
}

host_kill_all() {
  ip netns pids "${P2L_HOSTS_TAG}h$1" | grep -vx "$(host_pid "$1")" | xargs -r kill -9 2> /dev/null || true
}

hosts_down() {
  # Runs in EXIT traps under set -e: nothing here may fail, or the rest is skipped.
  [ -n "$P2L_HOSTS_TAG" ] || return 0
  local i
  for i in $(seq "$P2L_HOSTS_N"); do
    if [ -s "$P2L_HOSTS_DIR/h$i.pid" ]; then
      # Every process still in host hI's network namespace, then its holder.
      ip netns pids "${P2L_HOSTS_TAG}h$i" 2> /dev/null | xargs -r kill -9 2> /dev/null || true
    fi
    ip netns del "${P2L_HOSTS_TAG}h$i" 2> /dev/null || true
  done
  ip netns del "${P2L_HOSTS_TAG}sw" 2> /dev/null || true
  P2L_HOSTS_TAG=""
}
