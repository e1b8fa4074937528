#pragma once
// GPU tests compile everywhere and skip, saying why, where no CUDA device is visible.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#define P2L_REQUIRE_CUDA()                                                                      \
  do {                                                                                          \
    if (!torch::cuda::is_available())                                                           \
      GTEST_SKIP() << "no CUDA device visible: this GPU test is compiled but runs only on a GPU " \
                      "machine (scripts/gpu-check.sh)";                                         \
  } while (0)
