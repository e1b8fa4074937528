// train.precision resolved per device and CPU: auto takes bf16 only where it is native.
#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "train/TrainingPrecision.hpp"

using namespace p2l;

namespace {
bool bf16(Precision requested, bool gpu, bool native) {
  return resolve_training_precision(requested, gpu, native).precision == Precision::kBf16;
}
}  // namespace

TEST(TrainPrecision, AutoIsBf16OnGpusAndNativeBf16CpusAndFp32Elsewhere) {
  EXPECT_TRUE(bf16(Precision::kAuto, true, false));
  EXPECT_TRUE(bf16(Precision::kAuto, false, true));
  EXPECT_FALSE(bf16(Precision::kAuto, false, false));
  EXPECT_TRUE(resolve_training_precision(Precision::kAuto, false, false).warning.empty());
}

TEST(TrainPrecision, ExplicitSettingsAreKeptAndEmulatedBf16IsWarnedAbout) {
  for (bool gpu : {false, true})
    for (bool native : {false, true}) {
      EXPECT_EQ(resolve_training_precision(Precision::kFp32, gpu, native).precision, Precision::kFp32);
      EXPECT_TRUE(bf16(Precision::kBf16, gpu, native));
      EXPECT_EQ(resolve_training_precision(Precision::kBf16, gpu, native).warning.empty(), gpu || native);
    }
  EXPECT_NE(resolve_training_precision(Precision::kBf16, false, false).warning.find("train.precision=auto"), std::string::npos);
  EXPECT_THROW(resolve_training_precision(Precision::kFp16, true, true), std::runtime_error);
}

TEST(TrainPrecision, ThisCpuIsDetected) {
  // Prints what the host reports, so a log shows which precision auto took; the value itself
  // depends on the machine and is checked against /proc/cpuinfo where that exists.
  const bool native = cpu_has_native_bf16();
  std::printf("this CPU: %s\n", native ? "native bf16 (auto trains in bf16)" : "no native bf16 (auto trains in fp32)");
  FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (!f) GTEST_SKIP() << "no /proc/cpuinfo to compare with";
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  const bool listed = text.find(" avx512_bf16") != std::string::npos || text.find(" amx_bf16") != std::string::npos;
  EXPECT_EQ(native, listed);
}
