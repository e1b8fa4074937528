#include "model/AutocastScope.hpp"

#include <ATen/autocast_mode.h>

#include <stdexcept>

namespace p2l {

AutocastScope::AutocastScope(const std::string& precision, bool gpu, const std::string& what) {
  if (precision == "fp32") return;
  if (precision != "fp16" && precision != "bf16") throw std::runtime_error(what + " '" + precision + "': unknown");
  const auto dtype = precision == "fp16" ? at::kHalf : at::kBFloat16;
  if (!gpu && precision == "fp16") throw std::runtime_error(what + " fp16: needs a GPU (use bf16 or fp32 on CPU)");
  const at::DeviceType device = gpu ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_dtype(device, dtype);
  at::autocast::set_autocast_enabled(device, true);
  active_ = true, gpu_ = gpu;
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  at::autocast::set_autocast_enabled(gpu_ ? at::kCUDA : at::kCPU, false);
  at::autocast::clear_cache();
}

}  // namespace p2l
