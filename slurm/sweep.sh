#!/usr/bin/env bash
# Submits the whole pipeline as a chain of dependent Slurm jobs, training one run per value of a
# swept key (default: train.patch_fraction):
#   preprocess  ->  train array (one task per value)  ->  evaluate array  ->  report
# each stage starting only when the previous one succeeded (--dependency=afterok; a failed stage
# cancels the rest). Every job gets the same `--config FILE key=value ...` arguments; array task
# i adds KEY=VALUE_i and run.output_dir=DIR/<key>-VALUE_i. Run from the checkout folder:
#   slurm/sweep.sh --values "0.0625 0.125 0.25" --dir runs/pf-sweep -- --config configs/default.yaml
# Options:
#   --key KEY            swept key [train.patch_fraction]
#   --values "V1 V2 .."  its values [0.0625 0.125 0.25]
#   --dir DIR            sweep folder: run folders, logs/, jobs.txt, report.md [runs/sweep-<key>]
#   --from STAGE         first stage to submit: preprocess, train, evaluate or report [preprocess]
#   --after JOBID        the first stage also waits for this job to succeed
#   --sbatch STAGE=ARGS  extra sbatch options for one stage (repeatable), e.g.
#                        --sbatch "train=--partition=gpu --gpus-per-task=1 --time=2-00:00:00"
# Prints the job ids (also written to DIR/jobs.txt, one "stage id" a line).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export P2L_SOURCE_DIR=${P2L_SOURCE_DIR:-$(dirname "$here")}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

key=train.patch_fraction
values="0.0625 0.125 0.25"
dir=""
from=preprocess
after=""
declare -A stage_args=([preprocess]="" [train]="" [evaluate]="" [report]="")
while [ $# -gt 0 ]; do
  case "$1" in
    --key) key=$2; shift 2 ;;
    --values) values=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --after) after=$2; shift 2 ;;
    --sbatch)
      stage=${2%%=*}
      [ -n "${stage_args[$stage]+set}" ] || { echo "sweep.sh: --sbatch: unknown stage '$stage'" >&2; exit 2; }
      stage_args[$stage]="${stage_args[$stage]} ${2#*=}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) echo "sweep.sh: unexpected argument '$1' (options come before --)" >&2; usage ;;
  esac
done
[ -n "${stage_args[$from]+set}" ] || { echo "sweep.sh: --from: unknown stage '$from'" >&2; exit 2; }
read -r -a value_list <<<"$values"
[ ${#value_list[@]} -gt 0 ] || { echo "sweep.sh: --values is empty" >&2; exit 2; }
dir=${dir:-runs/sweep-${key##*.}}
mkdir -p "$dir/logs"
dir=$(cd "$dir" && pwd)
array="--array=0-$((${#value_list[@]} - 1))"
# What slurm/job-steps.sh needs to map an array task to its value and run folder, given to the
# sweep's stages through the environment (sbatch --export=ALL,VAR=... would work too, but
# makes slurmd spend seconds loading a login environment for every job).
sweep_env=(env "P2L_SWEEP_KEY=$key" "P2L_SWEEP_VALUES=${value_list[*]}" "P2L_SWEEP_DIR=$dir")

dependency=$after
started=false
: >"$dir/jobs.txt"
# submit STAGE [sweep] SBATCH_OPTIONS... -- SCRIPT_ARGS...: submits slurm/STAGE.sbatch after the
# previous stage (when STAGE is at or after --from), with the sweep's variables when "sweep"
# is given, and records its id.
submit() {
  local stage=$1 opts=() id launcher=()
  shift
  [ "$1" = sweep ] && { launcher=("${sweep_env[@]}"); shift; }
  [ "$stage" = "$from" ] && started=true
  $started || return 0
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done
  shift
  # shellcheck disable=SC2206  # the per-stage options are meant to be split into words
  opts+=(--kill-on-invalid-dep=yes ${stage_args[$stage]})
  [ -n "$dependency" ] && opts+=("--dependency=afterok:$dependency")
  id=$("${launcher[@]}" sbatch --parsable "${opts[@]}" "$here/$stage.sbatch" "$@")
  id=${id%%;*}
  echo "$stage $id" | tee -a "$dir/jobs.txt"
  dependency=$id
}

submit preprocess --output="$dir/logs/%x-%j.out" -- "$@"
submit train sweep "$array" --output="$dir/logs/%x-%A_%a.out" -- "$@"
submit evaluate sweep "$array" --output="$dir/logs/%x-%A_%a.out" -- "$@"
submit report sweep --output="$dir/logs/%x-%j.out" -- "$dir"
