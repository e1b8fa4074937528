#pragma once
// Averages gradients over ranks, overlapping the all-reduce with the backward pass as PyTorch's
// DistributedDataParallel does: parameters are packed into buckets in reverse registration
// order (roughly the order in which backward produces their gradients); a hook on each
// parameter copies its gradient into its bucket, and the moment a bucket is complete its
// all-reduce starts in the background while backward goes on with the earlier layers.
//
//   reducer.prepare();   // before backward
//   loss.backward();
//   reducer.finish();    // waits; every .grad now holds the mean over ranks
//
// With overlap off, finish() reduces every bucket after the backward pass (the plain way).
// Either way the result is the same sum in the same buckets, so both are bit-identical.
#include <ATen/core/Tensor.h>

#include <functional>
#include <vector>

namespace p2l {

class Communicator;

class GradientReducer {
 public:
  GradientReducer(Communicator& comm, std::vector<at::Tensor> parameters, double bucket_bytes,
                  bool overlap);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  void prepare();
  void finish();

  // Seconds finish() spent waiting for (or, without overlap, running) the all-reduces.
  double last_wait_seconds() const { return wait_seconds_; }
  size_t bucket_count() const { return buckets_.size(); }

 private:
  struct Bucket {
    std::vector<size_t> params;   // indices into parameters_
    std::vector<int64_t> offset;  // each one's offset in `flat`
    at::Tensor flat;
    size_t ready = 0;
    std::function<void()> wait;   // set once the all-reduce started
  };
  Communicator& comm_;
  std::vector<at::Tensor> parameters_;
  std::vector<Bucket> buckets_;
  std::vector<std::pair<size_t, size_t>> slot_;  // parameter -> (bucket, position)
  std::vector<unsigned> hooks_;
  bool overlap_, armed_ = false;
  double wait_seconds_ = 0;

  void gradient_ready(size_t param, const at::Tensor& grad);
  void start(Bucket& b);
};

}  // namespace p2l
