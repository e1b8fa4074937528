#include "dist/TensorBuckets.hpp"

#include <ATen/ATen.h>

#include "dist/Communicator.hpp"

namespace p2l {

std::vector<std::vector<size_t>> plan_buckets(const std::vector<at::Tensor>& tensors,
                                              double bucket_bytes) {
  std::vector<std::vector<size_t>> buckets;
  double filled = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    double bytes = double(tensors[i].numel()) * tensors[i].element_size();
    bool same_kind = !buckets.empty() && !buckets.back().empty() &&
                     tensors[buckets.back().back()].scalar_type() == tensors[i].scalar_type() &&
                     tensors[buckets.back().back()].device() == tensors[i].device();
    if (buckets.empty() || !same_kind || filled + bytes > bucket_bytes) {
      buckets.emplace_back();
      filled = 0;
    }
    buckets.back().push_back(i);
    filled += bytes;
  }
  return buckets;
}

namespace {

// Flatten one bucket, run `collective` on the flat buffer, copy the result back.
template <class F>
void over_buckets(std::vector<at::Tensor>& tensors, double bucket_bytes, F&& collective) {
  for (const auto& bucket : plan_buckets(tensors, bucket_bytes)) {
    std::vector<at::Tensor> flat_parts;
    flat_parts.reserve(bucket.size());
    for (size_t i : bucket) flat_parts.push_back(tensors[i].reshape({-1}));
    at::Tensor flat = at::cat(flat_parts);
    collective(flat);
    int64_t offset = 0;
    for (size_t i : bucket) {
      int64_t n = tensors[i].numel();
      tensors[i].copy_(flat.narrow(0, offset, n).view(tensors[i].sizes()));
      offset += n;
    }
  }
}

}  // namespace

void allreduce_sum(Communicator& comm, std::vector<at::Tensor>& tensors, double bucket_bytes) {
  if (comm.size() == 1) return;
  over_buckets(tensors, bucket_bytes, [&](at::Tensor& flat) { comm.allreduce_sum(flat); });
}

void broadcast(Communicator& comm, std::vector<at::Tensor>& tensors, double bucket_bytes,
               int root) {
  if (comm.size() == 1) return;
  over_buckets(tensors, bucket_bytes, [&](at::Tensor& flat) { comm.broadcast(flat, root); });
}

}  // namespace p2l
