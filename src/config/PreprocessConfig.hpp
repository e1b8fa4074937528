#pragma once
#include <string>
#include <vector>

namespace p2l {
class Schema;

// Per-volume preprocessing (SPEC section 3).
struct PreprocessConfig {
  std::vector<int> image_dim = {192, 192, 100};  // H x W x slices after crop or pad
  int rescale_factor = 1;
  std::vector<double> clip_percentiles = {1.0, 99.0};
  bool n4 = false;
  int n4_iterations = 50;
  int n4_levels = 3;
  bool histogram_standardization = false;
  std::vector<double> histogram_landmarks = {1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99};
  bool curvature_flow = false;
  int curvature_flow_iterations = 5;
  double curvature_flow_time_step = 0.0625;
  std::vector<std::string> splits = {};  // empty: train, val, healthy test and every test set
  double geometry_tolerance = 1e-3;
  int compression_level = 4;
  // Subjects per shard file: a rank commits a shard after this many, so a killed run loses at
  // most this many subjects per rank and a rerun reuses the rest.
  int shard_subjects = 32;
  // Splits the store holds that this run does not preprocess: kept in the manifest (false) or
  // dropped from it (true).
  bool drop_other_splits = false;
};

void bind(Schema& s, PreprocessConfig& c);

}  // namespace p2l
