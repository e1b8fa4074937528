#pragma once
// Mixed-precision autocast for the lifetime of a scope: "fp32" (off), "bf16" (CPU or GPU) or
// "fp16" (GPU only). Callers resolve "auto" first, because training and inference mean different
// things by it (bf16 vs fp16 on GPU).
#include <string>

namespace p2l {

class AutocastScope {
 public:
  // Throws naming `what` (the config key) on an unknown precision or fp16 without a GPU.
  AutocastScope(const std::string& precision, bool gpu, const std::string& what = "precision");
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false, gpu_ = false;
};

}  // namespace p2l
