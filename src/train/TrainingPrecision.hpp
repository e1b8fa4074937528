#pragma once
// What `train.precision` means on a rank's device. bf16 autocast pays only where the hardware
// computes in bf16: on GPUs, and on CPUs with AVX512-BF16 or AMX-BF16, where it ran 1.4x faster
// than fp32. Elsewhere oneDNN emulates bf16 and the same training ran 7x slower than fp32
// (73 against 518 patches/s on an AVX2-only host, docs/TRAINING.md).
#include <string>

#include "config/RuntimeChoices.hpp"

namespace p2l {

struct TrainingPrecision {
  Precision precision = Precision::kFp32;  // kBf16 or kFp32, never kAuto
  std::string warning;  // non-empty when an explicit bf16 will be emulated, hence slow
};

// Whether this CPU computes in bf16 natively (AVX512-BF16 or AMX-BF16).
bool cpu_has_native_bf16();

// `requested` is auto, bf16 or fp32 (the config offers no fp16 for training: LibTorch C++ has no
// gradient scaler). auto: bf16 on a GPU or a native-bf16 CPU, else fp32.
TrainingPrecision resolve_training_precision(Precision requested, bool gpu, bool native_bf16);

}  // namespace p2l
