#include "eval/InputGridOutputs.hpp"

#include "io/GridResampling.hpp"
#include "io/Nifti.hpp"

namespace p2l {

FloatVolume on_input_grid(const FloatVolume& v, const Geometry& source) {
  return source.voxels() == 0 ? v : resample_linear(v, source);
}

void write_input_grid_heatmaps(const HeatmapCache& cache, const std::string& split, const std::string& id,
                               const FloatVolume& heatmap, const ScoreMaps& raw, const Geometry& source) {
  write_nifti(cache.component_path(split, id, "error"), on_input_grid(raw.error, source));
  write_nifti(cache.component_path(split, id, "variance"), on_input_grid(raw.variance, source));
  write_nifti(cache.heatmap_path(split, id), on_input_grid(heatmap, source));  // last: it marks the subject done
}

int write_segmentations(const HeatmapCache& cache, const MethodResults& res, const std::string& method,
                        const EvalInputs& in) {
  // The subject of a row (loaded when the rows reach it) and its split.
  auto find = [&](const std::string& set, const std::string& id)
      -> std::pair<std::shared_ptr<const EvalSubject>, std::string> {
    const SubjectList* list = nullptr;
    std::string split;
    if (set == in.healthy_name) list = &in.healthy_test, split = set;
    else if (auto it = in.test.find(set); it != in.test.end()) list = &it->second, split = set + "_test";
    if (list)
      for (size_t i = 0; i < list->size(); ++i)
        if (list->id(i) == id) return {list->get(i), split};
    return {nullptr, ""};
  };
  int written = 0;
  std::string loaded;  // the heatmap of consecutive rows of one volume is read once
  FloatVolume heat;
  LabelVolume brain;
  for (const auto& row : res.volumes) {
    if (row.method != method) continue;
    const std::string split = row.set == in.healthy_name ? row.set : row.set + "_test";
    if (loaded != split + "/" + row.id) {
      const auto [subject, found_split] = find(row.set, row.id);
      if (!subject) continue;
      heat = read_nifti_float(cache.heatmap_path(found_split, row.id));
      brain = subject->source_geom.voxels() == 0 ? subject->mask : resample_nearest(subject->mask, subject->source_geom);
      loaded = split + "/" + row.id;
    }
    LabelVolume seg(heat.geom, 0);
    for (size_t i = 0; i < seg.data.size(); ++i) seg.data[i] = brain.data[i] && heat.data[i] > row.threshold;
    write_nifti(cache.segmentation_path(split, row.id, label_file_part(row.rule)), seg);
    ++written;
  }
  return written;
}

}  // namespace p2l
