#include "train/TrainingPrecision.hpp"

#include <stdexcept>

namespace p2l {

bool cpu_has_native_bf16() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx512bf16") || __builtin_cpu_supports("amx-bf16");
#else
  return false;  // no measurement on other architectures yet: stay with fp32
#endif
}

TrainingPrecision resolve_training_precision(Precision requested, bool gpu, bool native_bf16) {
  const bool native = gpu || native_bf16;
  switch (requested) {
    case Precision::kFp32: return {Precision::kFp32, ""};
    case Precision::kAuto: return {native ? Precision::kBf16 : Precision::kFp32, ""};
    case Precision::kBf16: break;
    case Precision::kFp16: throw std::runtime_error("train.precision fp16: not offered for training (no gradient scaler in LibTorch C++)");
  }
  if (native) return {Precision::kBf16, ""};
  return {Precision::kBf16,
          "train.precision bf16 on a CPU without AVX512-BF16 or AMX-BF16: bf16 is emulated there, and training "
          "ran 7x slower than fp32 on such a CPU; train.precision=auto picks fp32 on it"};
}

}  // namespace p2l
