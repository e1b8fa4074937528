#include "config/PreprocessConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, PreprocessConfig& c) {
  s.add("preprocess.image_dim", &c.image_dim, "H x W x slices after centred crop or pad", 4, 4096, 3, 3);
  s.add("preprocess.rescale_factor", &c.rescale_factor, "in-plane downsampling factor", 1, 16);
  s.add("preprocess.clip_percentiles", &c.clip_percentiles, "[low, high] intensity percentiles inside the mask, mapped to [0, 1]", 0.0, 100.0, 2, 2);
  s.add("preprocess.n4", &c.n4, "N4 bias-field correction inside the mask");
  s.add("preprocess.n4_iterations", &c.n4_iterations, "N4 iterations per fitting level", 1, 1000);
  s.add("preprocess.n4_levels", &c.n4_levels, "N4 fitting levels", 1, 8);
  s.add("preprocess.histogram_standardization", &c.histogram_standardization, "Nyul histogram standardisation learned on the training split");
  s.add("preprocess.histogram_landmarks", &c.histogram_landmarks, "percentile landmarks of the standardisation", 0.0, 100.0, 3, 64);
  s.add("preprocess.curvature_flow", &c.curvature_flow, "curvature-flow denoising");
  s.add("preprocess.curvature_flow_iterations", &c.curvature_flow_iterations, "curvature-flow iterations", 1, 1000);
  s.add("preprocess.curvature_flow_time_step", &c.curvature_flow_time_step, "curvature-flow time step", 1e-4, 1.0);
  s.add("preprocess.splits", &c.splits, "split CSV names to preprocess (empty: all splits the run uses)");
  s.add("preprocess.geometry_tolerance", &c.geometry_tolerance, "relative tolerance when comparing spacing, origin and direction", 0.0, 1.0);
  s.add("preprocess.compression_level", &c.compression_level, "gzip level of HDF5 chunks", 0, 9);
  s.add("preprocess.shard_subjects", &c.shard_subjects, "subjects per shard file (a killed run loses at most this many per rank)", 1, 1000000);
  s.add("preprocess.drop_other_splits", &c.drop_other_splits, "drop the splits the store holds that this run does not preprocess (default: keep them in the manifest)");
}

}  // namespace p2l
