# Store comparisons shared by the store test scripts (sourced; needs h5dump and python3).

# Compares two stores subject by subject: arrays byte for byte, group attributes as text.
same_store() {
  python3 - "$1" "$2" <<'PY'
import json, subprocess, sys, os, filecmp
a, b = sys.argv[1], sys.argv[2]
ma, mb = (json.load(open(os.path.join(d, 'manifest.json'))) for d in (a, b))
assert ma['split_order'] == mb['split_order'], 'split order differs'
assert ma['config_hash'] == mb['config_hash'], 'config hash differs'
assert ma['standard_landmarks'] == mb['standard_landmarks'], 'landmarks differ'
n = 0
for split in ma['split_order']:
    ids_a = [s['id'] for s in ma['splits'][split]]
    ids_b = [s['id'] for s in mb['splits'][split]]
    assert ids_a == ids_b, f'{split}: subjects differ {ids_a} vs {ids_b}'
    for sa, sb in zip(ma['splits'][split], mb['splits'][split]):
        g = f'/{split}/{sa["id"]}'
        fa, fb = os.path.join(a, sa['shard']), os.path.join(b, sb['shard'])
        attrs = [subprocess.run(['h5dump', '-A', '-g', g, f], capture_output=True, text=True, check=True).stdout.split('\n', 1)[1] for f in (fa, fb)]
        assert attrs[0] == attrs[1], f'{g}: attributes differ'
        for ds in ('slices', 'mask', 'seg'):
            if ds == 'seg' and 'seg' not in subprocess.run(['h5ls', f'{fa}{g}'], capture_output=True, text=True).stdout:
                continue
            out = []
            for f, tag in ((fa, 'a'), (fb, 'b')):
                o = f'/tmp/p2l_store_cmp_{os.getpid()}_{tag}.bin'
                r = subprocess.run(['h5dump', '-d', f'{g}/{ds}', '-b', 'LE', '-o', o, f], capture_output=True, text=True)
                assert r.returncode == 0, f'{f}:{g}/{ds}: h5dump cannot read it: {r.stderr.strip()[:200]}'
                out.append(o)
            assert os.path.getsize(out[0]) > 0
            assert filecmp.cmp(out[0], out[1], shallow=False), f'{g}/{ds}: arrays differ ({fa} vs {fb})'
            for o in out: os.remove(o)
            n += 1
print(f'same_store: {n} datasets identical')
PY
}

# Every manifest subject is in its shard with its slice count (and slices of H x W when
# given: manifest_matches_shards DIR [H W]); the shard list and the shard-* files agree, so a
# leftover temporary fails too.
manifest_matches_shards() {
  python3 - "$@" <<'PY'
import json, os, re, subprocess, sys
d = sys.argv[1]
hw = tuple(int(x) for x in sys.argv[2:4]) if len(sys.argv) > 3 else None
m = json.load(open(os.path.join(d, 'manifest.json')))
counts = {}
for split, subjects in m['splits'].items():
    for s in subjects:
        f = os.path.join(d, s['shard'])
        out = subprocess.run(['h5dump', '-a', f'/{split}/{s["id"]}/slice_count', f], capture_output=True, text=True, check=True).stdout
        got = int(re.search(r'\(0\): (\d+)', out).group(1))
        assert got == s['slices'], f'{split}/{s["id"]}: slice_count {got} vs manifest {s["slices"]}'
        shape = subprocess.run(['h5dump', '-H', '-d', f'/{split}/{s["id"]}/slices', f], capture_output=True, text=True, check=True).stdout
        want = r'\( %d, %s, %s \)' % (got, hw[0] if hw else r'\d+', hw[1] if hw else r'\d+')
        assert re.search(want, shape), shape
        counts[s['shard']] = counts.get(s['shard'], 0) + 1
listed = {x['file']: x['subjects'] for x in m['shards']}
assert listed == counts, f'shard list {listed} vs subjects {counts}'
files = sorted(f for f in os.listdir(d) if f.startswith('shard-'))
assert files == sorted(listed), f'files {files} vs manifest shards {sorted(listed)}'
print(f'manifest_matches_shards: {sum(counts.values())} subjects in {len(files)} shards')
PY
}
