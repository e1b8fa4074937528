#include "dist/GradientReducer.hpp"

#include <ATen/ATen.h>

#include <chrono>

#include "dist/Communicator.hpp"
#include "dist/TensorBuckets.hpp"

namespace p2l {

GradientReducer::GradientReducer(Communicator& comm, std::vector<at::Tensor> parameters,
                                 double bucket_bytes, bool overlap)
    : comm_(comm), parameters_(std::move(parameters)), overlap_(overlap) {
  if (comm_.size() == 1) return;
  std::vector<at::Tensor> reversed(parameters_.rbegin(), parameters_.rend());
  slot_.resize(parameters_.size());
  for (const auto& group : plan_buckets(reversed, bucket_bytes)) {
    Bucket b;
    int64_t n = 0;
    for (size_t r : group) {
      size_t i = parameters_.size() - 1 - r;
      slot_[i] = {buckets_.size(), b.params.size()};
      b.params.push_back(i);
      b.offset.push_back(n);
      n += parameters_[i].numel();
    }
    // `group` indexes the reversed list; b.params holds the parameters' own indices.
    b.flat = at::zeros({n}, parameters_[b.params.front()].options().requires_grad(false));
    buckets_.push_back(std::move(b));
  }
  if (!overlap_) return;
  for (size_t i = 0; i < parameters_.size(); ++i)
    hooks_.push_back(parameters_[i].register_hook([this, i](const at::Tensor& grad) {
      if (armed_) gradient_ready(i, grad);
    }));
}

GradientReducer::~GradientReducer() {
  for (size_t i = 0; i < hooks_.size(); ++i) parameters_[i].remove_hook(hooks_[i]);
}

void GradientReducer::prepare() {
  for (auto& b : buckets_) b.ready = 0, b.wait = nullptr;
  armed_ = overlap_;
}

void GradientReducer::gradient_ready(size_t param, const at::Tensor& grad) {
  auto [bucket, pos] = slot_[param];
  Bucket& b = buckets_[bucket];
  b.flat.narrow(0, b.offset[pos], grad.numel()).view(grad.sizes()).copy_(grad);
  if (++b.ready == b.params.size()) start(b);
}

void GradientReducer::start(Bucket& b) { b.wait = comm_.allreduce_sum_async(b.flat); }

void GradientReducer::finish() {
  armed_ = false;
  wait_seconds_ = 0;
  if (comm_.size() == 1) return;
  auto t0 = std::chrono::steady_clock::now();
  for (auto& b : buckets_) {
    if (b.wait) continue;
    // Without overlap, or parameters that got no gradient this step: take .grad as it is.
    for (size_t k = 0; k < b.params.size(); ++k) {
      const at::Tensor& p = parameters_[b.params[k]];
      auto part = b.flat.narrow(0, b.offset[k], p.numel());
      if (p.grad().defined()) part.copy_(p.grad().reshape({-1}));
      else part.zero_();
    }
    start(b);
  }
  const double w = comm_.size();
  for (auto& b : buckets_) {
    b.wait();
    b.flat.div_(w);
    for (size_t k = 0; k < b.params.size(); ++k) {
      at::Tensor p = parameters_[b.params[k]];
      auto mean = b.flat.narrow(0, b.offset[k], p.numel()).view(p.sizes());
      if (p.grad().defined()) p.mutable_grad().copy_(mean);
      else p.mutable_grad() = mean.clone();
    }
  }
  wait_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace p2l
