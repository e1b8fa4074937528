#!/usr/bin/env bash
# Builds the image from nothing but this repository and the package registries, then checks it:
#   base       the Debian 12 base image (scripts/container/base.sh: debootstrap, import)
#   build      the image (Containerfile; both stages), and its size
#   archive    the image as an OCI archive, what `apptainer build` reads (docs/CONTAINER.md)
#   runtime    inside: every program's libraries resolve, every [run] package is there
#              (scripts/container/verify-runtime.sh)
#   main-job   the main job on a short override, as a user who is not root, end to end to
#              report/index.html in a bind-mounted folder that user owns
#   tests      a subset of the test suite inside (scripts/container/tests-inside.sh), the CUDA
#              path's link check and `mpirun -np 2` inside one container among them
#   mpi-across two test hosts (tests/support/test_hosts.sh: each its own network namespace) and
#              the host's mpirun launching one container on each (the hybrid model): a rank in
#              each container, then p2l-train's two ranks, one per container, on the main job's
#              store; the host's and the image's Open MPI must share major.minor
#   slurm      a real one-node Slurm cluster (scripts/slurm-local-cluster.sh) runs
#              slurm/train.sbatch through the image (P2L_CONTAINER_EXEC): srun --mpi=pmix
#              starts 2 ranks, each in a container, and they train 4 steps on the main job's store
# Prints each step's time and a summary; stops at the first failing step, naming it. (Each step
# runs in a pipeline to its log, where errexit does not hold: every command that may fail is
# checked by hand.)
# Usage: scripts/container/check.sh [section.key=value ...]   (extra main-job overrides)
#   P2L_CHECK_STEPS  the steps to run (default: all, in the order above)
#   P2L_CHECK_DIR  working folder (default /var/tmp/p2l-container-check; not /tmp, which each
#                  test host has its own of)
#   P2L_CHECK_UID  the user the main job runs as (default: the caller; 1000 when that is root)
#   P2L_ENGINE, P2L_IMAGE, P2L_BASE: scripts/container/engine.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/engine.sh"
dir="${P2L_CHECK_DIR:-/var/tmp/p2l-container-check}"
case "$dir" in /tmp/*) echo "check: P2L_CHECK_DIR must not be under /tmp (each test host has its own)" >&2; exit 1;; esac
mkdir -p "$dir"
log="$dir/check.log"
: > "$log"
summary=()
step() {  # step NAME CMD...: runs CMD, its output to the terminal and the log, and times it
  local name=$1 t0=$SECONDS rc=0
  shift
  echo "[check] === $name" | tee -a "$log"
  "$@" 2>&1 | tee -a "$log" || rc=${PIPESTATUS[0]}
  summary+=("$(printf '%-10s %5d s  %s' "$name" $((SECONDS - t0)) "$([ $rc = 0 ] && echo ok || echo "FAILED ($rc)")")")
  if [ $rc != 0 ]; then
    printf '[check] %s\n' "${summary[@]}" | tee -a "$log"
    echo "[check] FAILED at step '$name' (log: $log)" | tee -a "$log"
    exit 1
  fi
}

# What the host needs: the engine, runc, debootstrap; its own Open MPI and iproute2 for the
# containers across test hosts; Slurm, munge and PMIx (srun --mpi=pmix loads libpmix.so) for
# the job through the image.
host_tools() {
  local need=() p
  command -v "$P2L_ENGINE" > /dev/null || need+=("$P2L_ENGINE")
  for p in runc debootstrap openmpi-bin iproute2 util-linux slurmctld slurmd slurm-client munge libpmix-dev; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] && { echo "host tools present"; return; }
  [ "$(id -u)" = 0 ] || { echo "missing on this host: ${need[*]} (apt-get install ${need[*]})"; return 1; }
  apt-get install -y -q --no-install-recommends "${need[@]}"
}

build_image() {
  "$P2L_ENGINE" build --network host -f "$root/Containerfile" --build-arg P2L_BASE="$P2L_BASE" \
    --target build -t "${P2L_IMAGE%:*}:build" "$root" || return 1
  "$P2L_ENGINE" build --network host -f "$root/Containerfile" --build-arg P2L_BASE="$P2L_BASE" \
    -t "$P2L_IMAGE" "$root" || return 1
  local size
  size=$("$P2L_ENGINE" image inspect --format '{{.Size}}' "$P2L_IMAGE")
  echo "image $P2L_IMAGE: $((size / 1000000)) MB (build stage ${P2L_IMAGE%:*}:build:" \
       "$(( $("$P2L_ENGINE" image inspect --format '{{.Size}}' "${P2L_IMAGE%:*}:build") / 1000000 )) MB)"
}

main_job() {
  local uid="${P2L_CHECK_UID:-$(id -u)}"
  [ "$uid" != 0 ] || uid=1000
  local out="$dir/main"
  rm -rf "$out"
  mkdir -p "$out"
  chown "$uid:$uid" "$out" || return 1
  local user=(--user "$uid:$uid")
  [ "$(id -u)" = 0 ] || user+=(--userns keep-id)
  "$P2L_ENGINE" run --rm --network none "${user[@]}" -e HOME=/data -v "$out:/data" "$P2L_IMAGE" \
    bash /opt/patch2loc/scripts/run_demo.sh train.steps=30 train.val_every=10 train.checkpoint_every=10 \
    train.density_every=10 ae.steps=30 eval.stride=8 "$@" || { echo "the main job failed in the image"; return 1; }
  local report="$out/runs/default/report/index.html"
  [ -s "$report" ] || { echo "no report: $report"; return 1; }
  local owner
  owner=$(stat -c %u "$report")
  [ "$owner" = "$uid" ] || { echo "$report belongs to uid $owner, not $uid"; return 1; }
  echo "main job: $report ($(stat -c %s "$report") bytes), owned by uid $uid"
}

archive() {
  local tar="$dir/patch2loc.oci.tar" format=oci-archive
  [ "$P2L_ENGINE" != docker ] || { tar="$dir/patch2loc.docker.tar"; format=docker-archive; }
  rm -f "$tar"
  if [ "$P2L_ENGINE" = docker ]; then docker save -o "$tar" "$P2L_IMAGE"; else podman save -q --format oci-archive -o "$tar" "$P2L_IMAGE"; fi || return 1
  local entries
  entries=$(tar -tf "$tar")
  if [ $format = oci-archive ]; then
    grep -qx 'oci-layout' <<<"$entries" && grep -qx 'index.json' <<<"$entries" || { echo "$tar is not an OCI archive"; return 1; }
  fi
  echo "$format: $tar ($(du -h "$tar" | cut -f1)); for Apptainer: apptainer build patch2loc.sif $format:$tar"
}

runtime() {
  "$P2L_ENGINE" run --rm --network none "$P2L_IMAGE" bash /opt/patch2loc/scripts/container/verify-runtime.sh
}

tests_inside() {
  "$P2L_ENGINE" run --rm --network none "$P2L_IMAGE" bash /opt/patch2loc/scripts/container/tests-inside.sh
}

ompi_version() { "$@" --version 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1; }

# `ip netns exec` gives each test host a sysfs of its own, without the cgroup hierarchies that
# the engine's runtime needs ("no cgroup mount found in mountinfo"); the kernel does not bind
# mounts across mount namespaces, so mount each hierarchy again there, as the machine has it.
hosts_cgroups() {
  local mounts i type point opts
  mounts=$(awk '{ split($0, a, " - "); split(a[1], l, " "); split(a[2], r, " ")
                  if (r[1] ~ /^cgroup2?$/ || (l[5] == "/sys/fs/cgroup" && r[1] == "tmpfs")) print r[1], l[5], r[3] }' /proc/self/mountinfo)
  for i in $(seq "$1"); do
    while read -r type point opts; do
      [ -n "$type" ] || continue
      opts=${opts#rw}
      opts=${opts#,}
      case "$opts" in name=*) opts="none,$opts" ;; esac
      nsenter -t "$(host_pid "$i")" -m -- sh -c "mkdir -p '$point' && mount -t $type ${opts:+-o $opts} $type '$point'" || return 1
    done <<< "$mounts"
  done
}

mpi_across() {
  local host_v image_v
  host_v=$(ompi_version mpirun)
  image_v=$(ompi_version "$P2L_ENGINE" run --rm --network none "$P2L_IMAGE" mpirun)
  echo "Open MPI: host $host_v, image $image_v"
  [ "${host_v%.*}" = "${image_v%.*}" ] || {
    echo "the host's Open MPI $host_v and the image's $image_v differ in major.minor: the host's mpirun cannot launch into the image"
    return 1
  }
  # shellcheck source=../../tests/support/test_hosts.sh
  source "$root/tests/support/test_hosts.sh"
  local shared="$dir/across" rc=0
  rm -rf "$shared"
  mkdir -p "$shared"
  trap hosts_down RETURN
  hosts_up 2 "$shared/hosts" "$root" || rc=$?
  [ $rc = 0 ] || { echo "the test hosts did not come up ($rc)"; return 1; }
  hosts_cgroups 2 || { echo "the cgroup hierarchies could not be mounted in the test hosts"; return 1; }
  printf 'h1 slots=1\nh2 slots=1\n' > "$shared/hostfile"
  # Each rank: the host's orted starts the engine, which runs the rank in the image, in that
  # host's network, PID and IPC namespaces, with Open MPI's and PMIx's variables and /tmp (the
  # orted's session folder) passed in.
  local across=(timeout 600 mpirun --allow-run-as-root --hostfile "$shared/hostfile" -np 2 --bind-to none
                --mca plm_rsh_agent "$root/tests/support/host_rsh.sh"
                --mca btl tcp,self --mca oob_tcp_if_include eth0)
  local in_image=("$P2L_ENGINE" run --rm --network host --pid host --ipc host --uts host
                  -e 'OMPI_*' -e 'PMIX_*' -v /tmp:/tmp -v "$dir:$dir" -w "$shared" "$P2L_IMAGE")
  (cd "$shared" && on_host 1 "${across[@]}" "${in_image[@]}" \
    sh -c 'echo "rank $OMPI_COMM_WORLD_RANK of $OMPI_COMM_WORLD_SIZE on $(hostname), in a container: $([ -e /run/.containerenv ] && echo yes || echo no)"') \
    > "$shared/launch.txt" 2>&1 || { cat "$shared/launch.txt"; echo "mpirun into the containers failed"; return 1; }
  cat "$shared/launch.txt"
  grep -qx "rank 0 of 2 on h1, in a container: yes" "$shared/launch.txt" &&
    grep -qx "rank 1 of 2 on h2, in a container: yes" "$shared/launch.txt" || { echo "ranks not in containers on h1 and h2"; return 1; }
  local store="$dir/main/runs/default/store"
  [ -d "$store" ] || { echo "no store from the main job step: $store"; return 1; }
  (cd "$shared" && on_host 1 "${across[@]}" "${in_image[@]}" /opt/patch2loc/build/bin/p2l-train \
    --config /opt/patch2loc/configs/default.yaml data.store_dir="$store" run.output_dir="$shared/train" \
    run.network_interface=eth1 train.steps=4 train.val_every=2 train.checkpoint_every=1000 train.log_every=1) \
    > "$shared/train.txt" 2>&1 || { tail -40 "$shared/train.txt"; echo "p2l-train across the containers failed"; return 1; }
  grep -E "^rank [01]/2 on host" "$shared/train.txt"
  grep -E "training on 2 rank|placement from" "$shared/train/train.log"
  for r in 0 1; do
    grep -q "^rank $r/2 on host h$((r + 1)): .* network interface eth1 " "$shared/train.txt" \
      || { tail -40 "$shared/train.txt"; echo "rank $r not on h$((r + 1)) over eth1"; return 1; }
  done
  grep -q "placement from the ranks' exchanged node identities: 2 node(s)" "$shared/train/train.log" \
    || { echo "the ranks did not see 2 nodes"; return 1; }
  [ -n "$(find "$shared/train" -name '*.pt' | head -1)" ] || { echo "no checkpoint from the training across the containers"; return 1; }
  echo "MPI across two containers: p2l-train's ranks on h1 and h2 (2 nodes) trained 4 steps over eth1"
}

slurm_through_image() {
  local sdir="$dir/slurm" run="$dir/slurm-run" store="$dir/main/runs/default/store"
  [ -d "$store" ] || { echo "no store from the main job step: $store"; return 1; }
  rm -rf "$run"
  mkdir -p "$run"
  bash "$root/scripts/slurm-local-cluster.sh" start "$sdir" || { echo "the local Slurm cluster did not start"; return 1; }
  # shellcheck source=/dev/null
  source "$sdir/env.sh"
  # (After the source: a RETURN trap also fires when a sourced file ends.)
  trap 'bash "$root/scripts/slurm-local-cluster.sh" stop "$sdir" > /dev/null 2>&1 || true' RETURN
  # Every task's container shares the node's network, PIDs and IPC, gets Slurm's, PMIx's and
  # Open MPI's variables, and sees the cluster's folder (the PMIx server's socket is under its
  # TmpFS) and the run's.
  export P2L_CONTAINER_EXEC="$P2L_ENGINE run --rm --network host --pid host --ipc host --uts host -e SLURM_* -e PMIX_* -e OMPI_* -e MASTER_ADDR -v $dir:$dir -w $run $P2L_IMAGE"
  export P2L_SOURCE_DIR="$root"
  local job state deadline=$((SECONDS + 600))
  job=$(cd "$run" && sbatch --parsable --ntasks=2 --output="$run/train-%j.out" "$root/slurm/train.sbatch" \
          --config /opt/patch2loc/configs/default.yaml data.store_dir="$store" run.output_dir="$run/train" \
          train.steps=4 train.val_every=2 train.checkpoint_every=1000 train.log_every=1) || { echo "sbatch failed"; return 1; }
  echo "submitted job $job: slurm/train.sbatch with P2L_CONTAINER_EXEC=\"$P2L_CONTAINER_EXEC\""
  while :; do
    state=$(scontrol show job -o "$job" 2> /dev/null | grep -oP 'JobState=\K\S+' || true)
    case "$state" in PENDING|RUNNING|CONFIGURING|COMPLETING|"") ;; *) break ;; esac
    [ $SECONDS -lt $deadline ] || { state="TIMEOUT"; break; }
    sleep 2
  done
  local out="$run/train-$job.out"
  grep -E "tasks:|training on|exited with" "$out" | head -6
  [ "$state" = COMPLETED ] || { tail -40 "$out"; echo "job $job ended $state"; return 1; }
  grep -qF "tasks: $P2L_CONTAINER_EXEC /opt/patch2loc/build/bin/p2l-train" "$out" || { tail -40 "$out"; echo "the step did not run through the image"; return 1; }
  grep -q "training on 2 rank(s)" "$run/train/train.log" || { tail -20 "$run/train/train.log"; echo "not 2 ranks"; return 1; }
  echo "Slurm job $job: srun --mpi=pmix ran p2l-train's 2 ranks in the image; state $state"
}

t_all=$SECONDS
all_steps="host-tools base build archive runtime main-job tests mpi-across slurm"
steps=" ${P2L_CHECK_STEPS:-$all_steps} "
for s in $steps; do
  [[ " $all_steps " == *" $s "* ]] || { echo "check: unknown step '$s' in P2L_CHECK_STEPS (steps: $all_steps)" >&2; exit 2; }
done
want() { [[ "$steps" == *" $1 "* ]]; }
want host-tools && step host-tools host_tools
want base && step base bash "$here/base.sh"
want build && step build build_image
want archive && step archive archive
want runtime && step runtime runtime
want main-job && step main-job main_job "$@"
want tests && step tests tests_inside
want mpi-across && step mpi-across mpi_across
want slurm && step slurm slurm_through_image
printf '[check] %s\n' "${summary[@]}" | tee -a "$log"
echo "[check] all steps passed in $((SECONDS - t_all)) s (log: $log)" | tee -a "$log"
