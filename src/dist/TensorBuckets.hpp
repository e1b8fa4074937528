#pragma once
// Collectives over many tensors in few calls: tensors are packed in order into flat buckets of
// at most `bucket_bytes` (one tensor larger than that gets a bucket of its own), like DDP's
// gradient buckets (gradients themselves: GradientReducer.hpp). Tensors of one bucket must share dtype and device.
#include <ATen/core/Tensor.h>

#include <vector>

namespace p2l {

class Communicator;

// Groups of consecutive indices into `tensors`, each at most `bucket_bytes` (or one tensor).
std::vector<std::vector<size_t>> plan_buckets(const std::vector<at::Tensor>& tensors,
                                              double bucket_bytes);

// Every tensor becomes its sum over ranks.
void allreduce_sum(Communicator& comm, std::vector<at::Tensor>& tensors, double bucket_bytes);
// Every tensor becomes rank `root`'s value.
void broadcast(Communicator& comm, std::vector<at::Tensor>& tensors, double bucket_bytes,
               int root = 0);

}  // namespace p2l
