#!/bin/bash
# p2l-preprocess end to end on a tiny synthetic cohort (24 x 24 x 8 NIfTI written below):
#  1. a store made by `mpirun -np 2` holds exactly the same arrays and attributes as 1 rank's;
#  2. the manifest agrees with the shards (every listed subject is in its shard with its slice
#     count, shard counts match, no temporary or unreferenced shard is left);
#  3. a corrupt image and a mask on another grid: the run goes on, both failures are in the
#     manifest with path and reason, the exit code is 1;
#  4. resume: after deleting a shard and the manifest (plus a stale temporary), a rerun redoes
#     only the missing subjects and ends identical to a clean run; a complete store reruns
#     with 0 subjects recomputed; a run killed with kill -9 is finished by rerunning;
#  5. a job-level error (a missing split CSV) aborts all ranks with a clear message.
set -euo pipefail
BUILD=$1
BIN=$BUILD/bin/p2l-preprocess
WORK=$(mktemp -d /tmp/p2l_test_preprocess.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- a tiny cohort in the SPEC section 2 layout ---------------------------------------------
python3 - "$WORK/data" <<'PY'
import gzip, math, os, random, struct, sys
root = sys.argv[1]

def nifti(path, dims, voxels, dtype, spacing=(1.5, 1.5, 2.0), origin=(-10.0, 5.0, 3.0)):
    code, bitpix, fmt = {'f4': (16, 32, 'f'), 'u1': (2, 8, 'B')}[dtype]
    hdr = struct.pack('<i10s18sihcc8h3fhhhh8ffffhcc4f2i80s24shh6f12f16s4s',
        348, b'', b'', 0, 0, b'r', b'\0', 3, dims[0], dims[1], dims[2], 1, 1, 1, 1,
        0, 0, 0, 0, code, bitpix, 0,
        1.0, spacing[0], spacing[1], spacing[2], 1, 1, 1, 1,
        352.0, 1.0, 0.0, 0, b'\0', b'\x02', 0, 0, 0, 0, 0, 0, b'', b'', 1, 1,
        0, 0, 0, origin[0], origin[1], origin[2],
        spacing[0], 0, 0, origin[0], 0, spacing[1], 0, origin[1], 0, 0, spacing[2], origin[2],
        b'', b'n+1\0')
    assert len(hdr) == 348
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.open(path, 'wb') as f:
        f.write(hdr + b'\0' * 4 + struct.pack('<%d%s' % (len(voxels), fmt), *voxels))

def subject(group, sid, seed, lesion, dims=(24, 24, 8)):
    rnd = random.Random(seed)
    X, Y, Z = dims
    img, mask, seg = [], [], []
    for k in range(Z):
        for j in range(Y):
            for i in range(X):
                r = math.sqrt(((i - 11.5) / 9) ** 2 + ((j - 11.5) / 10) ** 2 + ((k - 3.5) / 5) ** 2)
                inside = r < 1
                les = lesion and (i - 14) ** 2 + (j - 10) ** 2 < 9 and 2 <= k <= 5
                mask.append(1 if inside else 0)
                seg.append(1 if les else 0)
                v = (100 + 60 * (1 - r) + rnd.gauss(0, 8)) if inside else rnd.uniform(0, 5)
                img.append(v + (80 if les else 0))
    mods = ['t1', 't2']
    for m in mods:
        scale = 1.0 if m == 't2' else 0.7
        nifti(f'{root}/{group}/{m}/{sid}_{m}.nii.gz', dims, [v * scale for v in img], 'f4')
    nifti(f'{root}/{group}/mask/{sid}_mask.nii.gz', dims, mask, 'u1')
    if lesion:
        nifti(f'{root}/{group}/seg/{sid}_seg.nii.gz', dims, seg, 'u1')

def split(name, rows):
    os.makedirs(f'{root}/splits', exist_ok=True)
    with open(f'{root}/splits/{name}.csv', 'w') as f:
        f.write('img_name,age,img_path,mask_path,seg_path,label,extra\n')
        for group, sid, lesion in rows:
            seg = f'/{group}/seg/{sid}_seg.nii.gz' if lesion else ''
            f.write(f'{sid},{30 + len(sid)},/{group}/t2/{sid}_t2.nii.gz,/{group}/mask/{sid}_mask.nii.gz,{seg},{int(lesion)},x\n')

train = [('Train/ixi', f'IXI{i:03d}', False) for i in range(6)]
val = [('Train/ixi', f'IXI{i:03d}', False) for i in range(6, 8)]
test = [('Test/tumor', f'TUM{i}', True) for i in range(3)]
for n, (g, sid, les) in enumerate(train + val + test):
    subject(g, sid, n, les)
split('IXI_train_fold0', train)
split('IXI_val_fold0', val)
split('tumor_test', test)
# For the failure case: a corrupt image and a mask on another grid.
subject('Test/tumor', 'BAD_GRID', 99, True)
nifti(f'{root}/Test/tumor/mask/BAD_GRID_mask.nii.gz', (20, 24, 8), [1] * (20 * 24 * 8), 'u1')
nifti(f'{root}/Test/tumor/mask/CORRUPT_mask.nii.gz', (24, 24, 8), [1] * (24 * 24 * 8), 'u1')
nifti(f'{root}/Test/tumor/seg/CORRUPT_seg.nii.gz', (24, 24, 8), [0] * (24 * 24 * 8), 'u1')
with open(f'{root}/Test/tumor/t2/CORRUPT_t2.nii.gz', 'wb') as f:
    f.write(b'\x1f\x8b this is not a gzip stream' * 10)
with open(f'{root}/Test/tumor/t1/CORRUPT_t1.nii.gz', 'wb') as f:
    f.write(b'garbage')
split('tumor_bad', test[:1] + [('Test/tumor', 'CORRUPT', True), ('Test/tumor', 'BAD_GRID', True)] + test[1:])
PY

COMMON=(data.data_dir=$WORK/data data.modality=t2 "preprocess.splits=[IXI_train_fold0, IXI_val_fold0, tumor_test]"
        "preprocess.image_dim=[20, 28, 6]" preprocess.rescale_factor=2 preprocess.histogram_standardization=true
        preprocess.shard_subjects=2 run.progress_seconds=0)

source "$(dirname "${BASH_SOURCE[0]}")/store_checks.sh"   # same_store, manifest_matches_shards

echo "== 1 rank and 2 ranks"
"$BIN" "${COMMON[@]}" data.store_dir=$WORK/s1 2> $WORK/s1.err || { cat $WORK/s1.err; fail "1-rank run"; }
"${MPIRUN[@]}" -np 2 "$BIN" "${COMMON[@]}" data.store_dir=$WORK/s2 2> $WORK/s2.err || { cat $WORK/s2.err; fail "2-rank run"; }
grep -q "11 subjects: 11 preprocessed, 0 reused" $WORK/s2.err || { cat $WORK/s2.err; fail "2-rank summary"; }
grep -q "p2l-preprocess: 11/11" $WORK/s2.err || fail "no progress line"
ls $WORK/s2 | grep -q "shard-1-of-2-run1-part0.h5" || fail "rank 1 wrote no shard"
same_store $WORK/s1 $WORK/s2 || fail "2-rank store differs from the 1-rank store"
manifest_matches_shards $WORK/s2 10 14 || fail "manifest and shards disagree"
[ -f $WORK/s2/config.yaml ] || fail "resolved config not written"

echo "== failing subjects"
set +e
"${MPIRUN[@]}" -np 2 "$BIN" "${COMMON[@]}" "preprocess.splits=[IXI_train_fold0, tumor_bad]" data.store_dir=$WORK/sbad 2> $WORK/sbad.err
rc=$?
set -e
[ $rc -eq 1 ] || { cat $WORK/sbad.err; fail "exit code $rc with failing subjects (want 1)"; }
grep -q "2 failed" $WORK/sbad.err || fail "summary does not count 2 failures"
python3 - $WORK/sbad <<'PY' || fail "failures not in the manifest"
import json, sys
m = json.load(open(sys.argv[1] + '/manifest.json'))
f = {x['id']: x for x in m['failures']}
assert set(f) == {'CORRUPT', 'BAD_GRID'}, f
assert f['CORRUPT']['path'].endswith('/Test/tumor/t2/CORRUPT_t2.nii.gz'), f['CORRUPT']
assert f['BAD_GRID']['path'].endswith('/Test/tumor/mask/BAD_GRID_mask.nii.gz'), f['BAD_GRID']
assert 'size' in f['BAD_GRID']['reason'], f['BAD_GRID']
assert [s['id'] for s in m['splits']['tumor_bad']] == ['TUM0', 'TUM1', 'TUM2']
print('failures recorded:', {k: v['reason'][:70] for k, v in f.items()})
PY

echo "== job-level error aborts every rank"
set +e
timeout 120 "${MPIRUN[@]}" -np 2 "$BIN" "${COMMON[@]}" "preprocess.splits=[IXI_train_fold0, nosuch]" data.store_dir=$WORK/sabort 2> $WORK/sabort.err
rc=$?
set -e
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "missing split: exit code $rc (want an abort, not success or a hang)"
grep -q "fatal: .*nosuch.csv.*aborting all ranks" $WORK/sabort.err || { cat $WORK/sabort.err; fail "no clear abort message"; }

echo "== resume after lost output"
cp -r $WORK/s2 $WORK/s3
rm $WORK/s3/manifest.json $WORK/s3/shard-0-of-2-run1-part0.h5
echo junk > $WORK/s3/shard-1-of-2-run1-part9.h5.tmp.12345   # left by a killed rank
"${MPIRUN[@]}" -np 2 "$BIN" "${COMMON[@]}" data.store_dir=$WORK/s3 2> $WORK/s3.err || { cat $WORK/s3.err; fail "resume run"; }
grep -q "11 subjects: 2 preprocessed, 9 reused" $WORK/s3.err || { cat $WORK/s3.err; fail "resume did not redo exactly the 2 lost subjects"; }
[ ! -e $WORK/s3/shard-1-of-2-run1-part9.h5.tmp.12345 ] || fail "stale temporary kept"
same_store $WORK/s1 $WORK/s3 || fail "resumed store differs"
manifest_matches_shards $WORK/s3 10 14 || fail "manifest and shards disagree after resume"
"$BIN" "${COMMON[@]}" data.store_dir=$WORK/s3 2> $WORK/s3b.err || fail "rerun of a complete store"
grep -q "0 preprocessed, 11 reused" $WORK/s3b.err || { cat $WORK/s3b.err; fail "complete store recomputed"; }
"$BIN" "${COMMON[@]}" preprocess.clip_percentiles=[2,98] data.store_dir=$WORK/s3 2> $WORK/s3c.err || fail "rerun with new config"
grep -q "11 preprocessed, 0 reused" $WORK/s3c.err || { cat $WORK/s3c.err; fail "config change did not invalidate the store"; }
manifest_matches_shards $WORK/s3 10 14 || fail "stale shards left after a config change"

echo "== resume after kill -9"
SLOW=(preprocess.curvature_flow=true preprocess.curvature_flow_iterations=300 preprocess.shard_subjects=1)
"${MPIRUN[@]}" -np 2 "$BIN" "${COMMON[@]}" "${SLOW[@]}" data.store_dir=$WORK/sk 2> $WORK/sk.err &
mpipid=$!
for _ in $(seq 1 600); do
  ls $WORK/sk 2>/dev/null | grep -q '^shard-.*\.h5$' && break
  kill -0 $mpipid 2>/dev/null || break
  sleep 0.05
done
victim=$(pgrep -P $mpipid -f p2l-preprocess | tail -1 || true)
killed=no
if [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null; then killed=yes; fi
wait $mpipid || true
echo "killed a rank mid-way: $killed; committed shards: $(ls $WORK/sk | grep -c '^shard-.*\.h5$' || true)"
[ "$killed" = yes ] || fail "no preprocessing rank was running to kill: the resume below would test nothing"
"${MPIRUN[@]}" -np 2 "$BIN" "${COMMON[@]}" "${SLOW[@]}" data.store_dir=$WORK/sk 2> $WORK/sk2.err || { cat $WORK/sk2.err; fail "rerun after kill"; }
redone=$(grep -o "[0-9]* preprocessed" $WORK/sk2.err | awk '{s += $1} END {print s + 0}')
[ "$redone" -ge 1 ] || { cat $WORK/sk2.err; fail "the rerun after the kill preprocessed nothing: the kill lost no subject"; }
echo "the rerun preprocessed $redone subject(s) the killed run had not committed"
"$BIN" "${COMMON[@]}" "${SLOW[@]}" data.store_dir=$WORK/skclean 2> /dev/null || fail "clean slow run"
grep "subjects:" $WORK/sk2.err
same_store $WORK/skclean $WORK/sk || fail "store finished after kill -9 differs from a clean run"
manifest_matches_shards $WORK/sk 10 14 || fail "manifest and shards disagree after kill -9 resume"
echo "PASS"
