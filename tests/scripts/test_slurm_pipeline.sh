#!/usr/bin/env bash
# The real executables through the slurm/ job scripts on the local cluster: a tiny default
# cohort (p2l-make-cohort under srun), preprocessed by slurm/preprocess.sbatch with 2 MPI ranks,
# then trained for a few steps by slurm/train.sbatch with 2 ranks, chained with afterok, and the
# autoencoder baseline by the same script with P2L_TRAINER=p2l-train-ae. The
# store must hold a manifest and a shard of each rank, the programs' own logs must say 2 ranks,
# and the run must leave best and last checkpoints. When the executables are
# not built in BUILD_DIR/bin, only the cluster mechanics are checked and the chain is skipped
# with the reason.
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
start_cluster
out=$(timeout 60 srun -n 2 bash -c 'echo "$SLURM_PROCID/$SLURM_NTASKS"' | sort | tr '\n' ' ')
[ "$out" = "0/2 1/2 " ] || fail "srun -n 2 printed: $out"
pass "cluster mechanics (srun -n 2)"

export P2L_BIN=$BUILD_DIR/bin P2L_SOURCE_DIR=$SOURCE_DIR
for exe in p2l-make-cohort p2l-preprocess p2l-train; do
  if [ ! -x "$P2L_BIN/$exe" ]; then
    echo "SKIP: end-to-end chain not run: $P2L_BIN/$exe is not built"
    exit 0
  fi
done

cd "$WORK" || fail "cannot enter $WORK"
# 4 mm voxels and a 48 x 48 x 32 grid keep every stage to seconds on 2 cores.
tiny=(--config "$SOURCE_DIR/configs/default.yaml"
  data.data_dir="$WORK/cohort" data.store_dir="$WORK/store" run.output_dir="$WORK/run"
  data.test_sets=[tumor] cohort.lesion_sets=[tumor] cohort.voxel_mm=4.0
  cohort.n_train=3 cohort.n_val=1 cohort.n_test_healthy=1 cohort.n_test_per_set=1 cohort.n_val_per_set=1
  preprocess.image_dim=[48,48,32])
train=(train.steps=4 train.slices_per_step=2 train.patches_per_step=32 train.val_every=2
  train.val_patches=64 train.checkpoint_every=2 train.log_every=1 train.density_every=2)

timeout 300 srun -n 1 "$P2L_BIN/p2l-make-cohort" "${tiny[@]}" >"$WORK/cohort.log" 2>&1 \
  || { tail -n 20 "$WORK/cohort.log"; fail "p2l-make-cohort failed"; }
pass "cohort generated"

pre=$(sbatch --parsable --output="$WORK/preprocess.out" "$SOURCE_DIR/slurm/preprocess.sbatch" "${tiny[@]}") \
  || fail "sbatch preprocess.sbatch failed"
trn=$(sbatch --parsable --dependency=afterok:"$pre" --kill-on-invalid-dep=yes --output="$WORK/train.out" \
  "$SOURCE_DIR/slurm/train.sbatch" "${tiny[@]}" "${train[@]}") || fail "sbatch train.sbatch failed"
state=$(wait_job "$pre" 300) || fail "preprocess job did not end: $state"
tail -n 5 "$WORK/preprocess.out"
[ "$state" = COMPLETED ] || { tail -n 30 "$WORK/preprocess.out"; fail "preprocess job ended $state"; }
check_two_rank_store "$WORK/store"
pass "preprocess.sbatch with 2 ranks wrote the store"

state=$(wait_job "$trn" 400) || fail "train job did not end: $state"
tail -n 5 "$WORK/train.out"
[ "$state" = COMPLETED ] || { tail -n 30 "$WORK/train.out"; fail "train job ended $state"; }
# What p2l-train itself logged, not the job script's banner printed before srun starts it.
grep -q '^training on 2 rank(s), backend gloo' "$WORK/run/train.log" \
  || fail "p2l-train did not train on 2 ranks: $(head -n 3 "$WORK/run/train.log" 2>&1)"
[ -s "$WORK/run/checkpoints/best.pt" ] && [ -s "$WORK/run/checkpoints/last.pt" ] \
  || fail "no best and last checkpoints: $(ls -R "$WORK/run" 2>&1 | head)"
pass "train.sbatch with 2 ranks left best and last checkpoints"

# The autoencoder baseline through the same batch script (P2L_TRAINER).
ae=(ae.channels=[4,8] ae.latent_channels=4 ae.slices_per_step=4 ae.val_slices=4 ae.steps=4 ae.val_every=2
  ae.checkpoint_every=2 ae.log_every=1)
aej=$(sbatch --parsable --export=ALL,P2L_TRAINER=p2l-train-ae --output="$WORK/train-ae.out" \
  "$SOURCE_DIR/slurm/train.sbatch" "${tiny[@]}" "${ae[@]}") || fail "sbatch train.sbatch (autoencoder) failed"
state=$(wait_job "$aej" 300) || fail "autoencoder job did not end: $state"
[ "$state" = COMPLETED ] || { tail -n 30 "$WORK/train-ae.out"; fail "autoencoder job ended $state"; }
grep -q '^autoencoder training on 2 rank(s), backend gloo' "$WORK/run/ae/train.log" \
  || fail "p2l-train-ae did not train on 2 ranks: $(head -n 3 "$WORK/run/ae/train.log" 2>&1)"
[ -s "$WORK/run/ae/checkpoints/best.pt" ] && [ -s "$WORK/run/ae/checkpoints/last.pt" ] \
  || fail "no autoencoder checkpoints: $(ls -R "$WORK/run/ae" 2>&1 | head)"
pass "train.sbatch with P2L_TRAINER=p2l-train-ae trained the autoencoder on 2 ranks"
