#pragma once
// The training split's slices as the patch sampler holds them: [sum Z][H][W] intensities and
// brain masks, with each subject's first slice and depth.
//
// pack_slices makes a private copy. node_shared_slices keeps one copy per node: the node's
// local rank 0 (placed by the exchanged node identities, dist/NodePlacement.hpp) streams the
// split from the store, one subject at a time, into an unnamed file under `dir`
// (train.shared_slices_dir, a RAM file system such as /dev/shm) that every rank of the node
// then maps read-only. A node holds the split once however many ranks it runs, and no rank
// holds a second copy while it loads (docs/TRAINING.md, "Training data in memory").
//
// The file never has a name (O_TMPFILE): the other ranks open it through the writer's
// /proc/<pid>/fd/<fd> while the writer waits for them. So a job killed at any moment leaves
// nothing in `dir`: the kernel frees the file with the last process that maps it.
#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "store/SubjectSlices.hpp"

namespace p2l {

class Communicator;
class StoreReader;

struct PackedSlices {
  at::Tensor slices;  // [sum Z, H, W] float32, CPU
  at::Tensor masks;   // [sum Z, H, W] uint8, CPU
  std::vector<int64_t> first, depth;  // per subject: index of its slice 0, and Z
  int64_t height = 0, width = 0;
  // In-plane voxel spacing (mm) along H and W of the first subject: what a checkpoint records
  // of the slices it was trained on (train/ModelFacts.hpp).
  std::array<double, 2> spacing{1, 1};
  std::string shared_file;  // the node's file these tensors map ("": a private copy)
  bool wrote_shared_file = false;  // this rank wrote it (its node's one writer)
  size_t subjects() const { return first.size(); }
};

// Throws when there are no subjects, slice sizes differ, or a subject's arrays are inconsistent.
PackedSlices pack_slices(const std::vector<SubjectSlices>& subjects);

// Collective over `comm`: the split `split` of `store`, one copy per node under `dir`. When a
// node cannot write the file (e.g. `dir` is full, or its file system has no O_TMPFILE) or a
// rank cannot open its writer's file, every rank falls back to a private copy and `warning`
// says why; a split that cannot be read fails on every rank. A node with other than exactly
// one writer is an error naming the node and the file, on every rank.
PackedSlices node_shared_slices(Communicator& comm, const StoreReader& store, const std::string& split,
                                const std::string& dir, std::string& warning);

}  // namespace p2l
