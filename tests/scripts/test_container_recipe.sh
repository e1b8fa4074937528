#!/bin/bash
# The container recipe, checked on every commit without building the image (that takes most of
# an hour: scripts/container/check.sh builds and runs it; docs/CONTAINER.md):
#  1. One install path: both stages of the Containerfile run scripts/setup.sh; the build stage
#     copies exactly the requirement files setup.sh reads, and runs scripts/build.sh; the
#     runtime stage installs the packages the build stage derived.
#  2. No registry host is named: the image starts from the locally made base, and base.sh reads
#     its Debian archive from apt's settings (deb822 and one-line lists, made up here).
#  3. The container and Slurm scripts parse (bash -n).
#  4. The Slurm container switch renders: with P2L_CONTAINER_EXEC, a step's srun line is
#     `srun --mpi=pmix [P2L_SRUN_ARGS] P2L_CONTAINER_EXEC <executable> args`, the executable
#     checked through the container command and named when missing there; with Pyxis's
#     --container-image, the image's executable, not looked for on the host; with neither, the
#     checkout's build as before. In a container, the first node of the job is resolved on the
#     batch host (MASTER_ADDR; the image has no scontrol) unless the user set it.
set -euo pipefail
SRC=$(cd "$2" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d /tmp/p2l_test_container_recipe.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CF=$SRC/Containerfile

# 1. The requirement files setup.sh reads against those the build stage copies.
read_by_setup=$(grep -oE '\$here/[a-z-]+\.txt' "$SRC/scripts/setup.sh" | sed 's|\$here/|scripts/|' | sort -u)
[ -n "$read_by_setup" ] || fail "setup.sh reads no requirement files?"
build_stage=$(awk '/^FROM .* AS build/ {on = 1; next} /^FROM / {on = 0} on' "$CF")
copied=$(grep -E '^COPY ' <<<"$build_stage" | grep -oE 'scripts/[a-z-]+\.txt' | sort -u)
[ "$read_by_setup" = "$copied" ] || fail "setup.sh reads [$(echo $read_by_setup)] but the build stage copies [$(echo $copied)]"
for f in $read_by_setup; do [ -s "$SRC/$f" ] || fail "$f is missing"; done
[ "$(grep -cE '^RUN .*bash scripts/setup\.sh' "$CF")" = 2 ] || fail "both stages must install through scripts/setup.sh"
grep -qE '^RUN .*bash scripts/build\.sh' <<<"$build_stage" || fail "the build stage does not run scripts/build.sh"
grep -qE 'P2L_SETUP_PACKAGES=/opt/patch2loc/runtime-packages\.txt bash scripts/setup\.sh' "$CF" \
  || fail "the runtime stage does not install the derived package list through setup.sh"
grep -q 'runtime-packages.txt' "$SRC/scripts/container/stage-runtime.sh" || fail "stage-runtime.sh does not write the package list"
grep -qE '^[a-z0-9.+-]+ \[run\]$' "$SRC/scripts/debian-packages.txt" || fail "no package is marked [run]"

# 2. No registry host; the archive comes from apt's settings.
froms=$(grep -E '^(FROM|ARG P2L_BASE)' "$CF")
grep -qE '(docker\.io|quay\.io|ghcr\.io|gcr\.io|registry)' <<<"$froms" && fail "the Containerfile names a registry: $froms"
grep -qx 'ARG P2L_BASE=localhost/p2l-base:bookworm' "$CF" || fail "the base is not the locally made image"
if grep -rnE 'deb\.debian\.org|ftp\.[a-z]+\.debian\.org' "$SRC/Containerfile" "$SRC/scripts/container"; then
  fail "a Debian mirror is named in the container files"
fi
mkdir -p "$WORK/apt/sources.list.d"
cat > "$WORK/apt/sources.list.d/site.sources" <<'SRC_EOF'
Types: deb
URIs: http://mirror.example.invalid/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://security.example.invalid/debian-security
Suites: bookworm-security
Components: main
SRC_EOF
got=$(P2L_APT_ETC="$WORK/apt" bash "$SRC/scripts/container/base.sh" --print-sources)
[ "$got" = "$(printf 'archive http://mirror.example.invalid/debian\nsecurity http://security.example.invalid/debian-security')" ] \
  || fail "deb822 sources read as: $got"
rm "$WORK/apt/sources.list.d/site.sources"
echo "deb http://old.example.invalid/debian bookworm main" > "$WORK/apt/sources.list"
got=$(P2L_APT_ETC="$WORK/apt" bash "$SRC/scripts/container/base.sh" --print-sources)
[ "$got" = "$(printf 'archive http://old.example.invalid/debian\nsecurity none')" ] || fail "one-line sources read as: $got"
rm "$WORK/apt/sources.list"
if out=$(P2L_APT_ETC="$WORK/apt" bash "$SRC/scripts/container/base.sh" --print-sources 2>&1); then
  fail "no sources at all was accepted: $out"
fi
grep -q "no bookworm archive" <<<"$out" || fail "no sources: unclear error: $out"

# 3. Everything parses.
for f in "$SRC"/scripts/container/*.sh "$SRC"/slurm/*.sbatch "$SRC"/slurm/job-steps.sh; do
  bash -n "$f" || fail "$f does not parse"
done

# 4. The Slurm container switch, rendered: srun prints its command line instead of running it.
mkdir -p "$WORK/image/bin" "$WORK/checkout/build/bin"
printf '#!/bin/sh\n' > "$WORK/image/bin/p2l-train"
cp "$WORK/image/bin/p2l-train" "$WORK/checkout/build/bin/p2l-train"
chmod +x "$WORK/image/bin/p2l-train" "$WORK/checkout/build/bin/p2l-train"
# A stand-in for `podman run IMAGE -e VAR...`: drops its image and options and runs the rest.
printf '#!/bin/sh\nshift\nwhile [ "$1" = -e ]; do shift 2; done\nexec "$@"\n' > "$WORK/exec-in"
chmod +x "$WORK/exec-in"
render() {  # env assignments..., then: the srun line p2l_step would run (and MASTER_ADDR, if set)
  env -i PATH="$PATH" SLURM_CPUS_PER_TASK=3 P2L_SOURCE_DIR="$WORK/checkout" "$@" bash -c '
    source "$0/slurm/job-steps.sh"
    srun() { bash -c '\''echo "srun $*${MASTER_ADDR:+ (MASTER_ADDR=$MASTER_ADDR)}"'\'' srun "$@"; }  # a process: sees what is exported
    scontrol() { [ "$*" = "show hostnames gpu[07-08]" ] && printf "gpu07\ngpu08\n"; }
    p2l_step p2l-train --config c.yaml train.steps=4' "$SRC" 2> "$WORK/render.err"
}
# A file the pattern -e 'OMPI_*' would match, in the folder the job runs in: it must stay a pattern.
touch "$WORK/checkout/OMPI_x"
got=$(cd "$WORK/checkout" && render P2L_CONTAINER_EXEC="$WORK/exec-in img.sif -e OMPI_*" P2L_BIN="$WORK/image/bin") \
  || { cat "$WORK/render.err"; fail "container step"; }
want="srun --mpi=pmix $WORK/exec-in img.sif -e OMPI_* $WORK/image/bin/p2l-train run.threads=3 --config c.yaml train.steps=4"
[ "$got" = "$want" ] || fail "container step rendered as: $got (want: $want)"
bash -n <(echo "$got") || fail "the rendered step does not parse"
if got=$(render P2L_CONTAINER_EXEC="$WORK/exec-in img.sif" P2L_BIN="$WORK/nowhere"); then
  fail "a missing executable in the container was accepted: $got"
fi
grep -q "$WORK/nowhere/p2l-train: no such executable in the container ($WORK/exec-in img.sif)" "$WORK/render.err" \
  || { cat "$WORK/render.err"; fail "a missing executable in the container is not named"; }
got=$(render P2L_SRUN_ARGS="--container-image=/shared/p2l.sqsh --container-mounts=/scratch:/scratch") \
  || { cat "$WORK/render.err"; fail "Pyxis step"; }
want="srun --mpi=pmix --container-image=/shared/p2l.sqsh --container-mounts=/scratch:/scratch /opt/patch2loc/build/bin/p2l-train run.threads=3 --config c.yaml train.steps=4"
[ "$got" = "$want" ] || fail "Pyxis step rendered as: $got (want: $want)"
# In a container the image cannot expand the node list: the batch host names the first node.
got=$(render P2L_CONTAINER_EXEC="$WORK/exec-in img.sif" P2L_BIN="$WORK/image/bin" SLURM_JOB_NODELIST="gpu[07-08]") \
  || { cat "$WORK/render.err"; fail "container step on two nodes"; }
[[ "$got" == *" (MASTER_ADDR=gpu07)" ]] || fail "the container step's rendezvous host: $got"
got=$(render P2L_CONTAINER_EXEC="$WORK/exec-in img.sif" P2L_BIN="$WORK/image/bin" SLURM_JOB_NODELIST="gpu[07-08]" MASTER_ADDR=login1) \
  || { cat "$WORK/render.err"; fail "container step with MASTER_ADDR"; }
[[ "$got" == *" (MASTER_ADDR=login1)" ]] || fail "the user's MASTER_ADDR was not kept: $got"
got=$(render) || { cat "$WORK/render.err"; fail "plain step"; }
[ "$got" = "srun --mpi=pmix $WORK/checkout/build/bin/p2l-train run.threads=3 --config c.yaml train.steps=4" ] \
  || fail "plain step rendered as: $got"
echo "ok: one install path, no registry named, scripts parse, the Slurm container switch renders"
