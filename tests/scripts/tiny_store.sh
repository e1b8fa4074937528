# Sourced by the training script tests: `fail`, and `make_tiny_store BIN WORK`, which generates
# a tiny cohort (4 mm, 4 training and 2 validation subjects, one tumour set) in WORK/cohort and
# preprocesses it to 40 x 40 x 12 into WORK/store, printing the tool's output on failure.
fail() { echo "FAIL: $*" >&2; exit 1; }

make_tiny_store() {
  local bin=$1 work=$2
  "$bin/p2l-make-cohort" data.data_dir="$work/cohort" cohort.voxel_mm=4 cohort.n_train=4 cohort.n_val=2 \
    cohort.n_test_healthy=1 cohort.n_test_per_set=1 cohort.n_val_per_set=1 cohort.lesion_sets=[tumor] \
    > "$work/cohort.txt" 2>&1 || { cat "$work/cohort.txt"; fail "p2l-make-cohort"; }
  "$bin/p2l-preprocess" data.data_dir="$work/cohort" data.store_dir="$work/store" data.test_sets=[tumor] \
    preprocess.image_dim=[40,40,12] run.output_dir="$work" > "$work/pre.txt" 2>&1 || { cat "$work/pre.txt"; fail "p2l-preprocess"; }
}
