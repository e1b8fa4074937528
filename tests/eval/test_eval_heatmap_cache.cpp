// The heatmap cache reuses a subject's raw maps only when what produced them is unchanged: the
// checkpoint's bytes, the stride, and the patch rule (patch fraction, brain fraction).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "eval/HeatmapCache.hpp"

using namespace p2l;
namespace fs = std::filesystem;

namespace {

ScoreMaps maps(float value) {
  Geometry g;
  g.size = {3, 2, 2};
  return {FloatVolume(g, value), FloatVolume(g, -value)};
}

}  // namespace

TEST(EvalHeatmapCache, ReusedOnlyWhenCheckpointStrideAndPatchRuleAreUnchanged) {
  const fs::path dir = fs::temp_directory_path() / ("p2l_cache_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string ckpt = (dir / "best.pt").string(), other = (dir / "other.pt").string();
  std::ofstream(ckpt) << "weights A";
  std::ofstream(other) << "weights B";
  const std::string stamp = heatmap_stamp(ckpt, 4, 0.125, 0.2);
  const HeatmapCache cache(RunLayout(dir.string()), stamp);
  EXPECT_FALSE(cache.has_raw("s_test", "x"));
  cache.write_raw("s_test", "x", maps(2.5f));
  EXPECT_TRUE(cache.has_raw("s_test", "x"));
  EXPECT_EQ(cache.read_raw("s_test", "x").error.data[0], 2.5f);
  EXPECT_EQ(cache.read_raw("s_test", "x").variance.data[0], -2.5f);
  EXPECT_FALSE(cache.has_raw("s_test", "y"));
  // The same inputs give the same stamp, so a rerun reuses the maps.
  EXPECT_TRUE(HeatmapCache(RunLayout(dir.string()), heatmap_stamp(ckpt, 4, 0.125, 0.2)).has_raw("s_test", "x"));
  // Any change is a miss.
  for (const std::string& changed : {heatmap_stamp(other, 4, 0.125, 0.2), heatmap_stamp(ckpt, 1, 0.125, 0.2),
                                     heatmap_stamp(ckpt, 4, 0.25, 0.2), heatmap_stamp(ckpt, 4, 0.125, 0.3)}) {
    EXPECT_NE(changed, stamp);
    EXPECT_FALSE(HeatmapCache(RunLayout(dir.string()), changed).has_raw("s_test", "x")) << changed;
  }
  // A retrained checkpoint at the same path is a miss too: the stamp hashes its bytes.
  std::ofstream(ckpt) << "weights A, trained further";
  EXPECT_FALSE(HeatmapCache(RunLayout(dir.string()), heatmap_stamp(ckpt, 4, 0.125, 0.2)).has_raw("s_test", "x"));
  fs::remove_all(dir);
}
