#pragma once
// Mixed-precision autocast for the lifetime of a scope: fp32 (off), bf16 (CPU or GPU) or fp16
// (GPU only). Callers resolve kAuto first, because training and inference mean different things
// by it (bf16 vs fp16 on GPU).
#include <string>

#include "config/RuntimeChoices.hpp"

namespace p2l {

class AutocastScope {
 public:
  // Throws naming `what` (the config key) on an unresolved kAuto or fp16 without a GPU.
  AutocastScope(Precision precision, bool gpu, const std::string& what = "precision");
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false, gpu_ = false;
};

}  // namespace p2l
