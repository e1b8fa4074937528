#include "model/AutocastScope.hpp"

#include <ATen/autocast_mode.h>

#include <stdexcept>

namespace p2l {

AutocastScope::AutocastScope(const std::string& precision, bool gpu, const std::string& what) {
  if (precision == "fp32") return;
  if (precision != "fp16" && precision != "bf16") throw std::runtime_error(what + " '" + precision + "': unknown");
  const auto dtype = precision == "fp16" ? at::kHalf : at::kBFloat16;
  if (gpu) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(true);
  } else {
    if (precision == "fp16") throw std::runtime_error(what + " fp16: needs a GPU (use bf16 or fp32 on CPU)");
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(true);
  }
  active_ = true, gpu_ = gpu;
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (gpu_) at::autocast::set_enabled(false);
  else at::autocast::set_cpu_enabled(false);
  at::autocast::clear_cache();
}

}  // namespace p2l
