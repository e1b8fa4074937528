#!/usr/bin/env bash
# Regenerates the evaluation tables and the sweep report from the checkpoints already trained:
# the evaluate array and the report of slurm/sweep.sh (same options), nothing is retrained.
# Example crontab entry (scrontab, or cron on a login node), every night at 02:30:
#   30 2 * * * cd /path/to/patch2loc && slurm/nightly.sh --dir runs/pf-sweep -- --config configs/default.yaml >>runs/nightly.log 2>&1
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/sweep.sh" --from evaluate "$@"
