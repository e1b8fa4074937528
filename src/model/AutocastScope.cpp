#include "model/AutocastScope.hpp"

#include <ATen/autocast_mode.h>

#include <stdexcept>

namespace p2l {

AutocastScope::AutocastScope(Precision precision, bool gpu, const std::string& what) {
  if (precision == Precision::kFp32) return;
  if (precision == Precision::kAuto) throw std::logic_error(what + ": auto must be resolved before autocast");
  const auto dtype = precision == Precision::kFp16 ? at::kHalf : at::kBFloat16;
  if (!gpu && precision == Precision::kFp16) throw std::runtime_error(what + " fp16: needs a GPU (use bf16 or fp32 on CPU)");
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
