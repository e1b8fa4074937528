#include "eval/EvaluationFigures.hpp"

#include <algorithm>
#include <cmath>

#include "eval/Metrics.hpp"
#include "report/Figures.hpp"

namespace p2l {
namespace {

int display_scale(size_t side) { return std::max<int>(1, int(192 / std::max<size_t>(side, 1))); }

std::vector<size_t> pick_slices(const EvalSubject& s, int n) {
  const size_t Z = s.mask.geom.size[2], plane = s.mask.geom.size[0] * s.mask.geom.size[1];
  std::vector<std::pair<size_t, size_t>> area;  // (count, z)
  std::vector<size_t> brain;
  for (size_t z = 0; z < Z; ++z) {
    size_t lesion = 0, b = 0;
    for (size_t i = z * plane; i < (z + 1) * plane; ++i) {
      b += s.mask.data[i] != 0;
      lesion += !s.seg.data.empty() && s.seg.data[i];
    }
    if (lesion) area.push_back({lesion, z});
    if (b) brain.push_back(z);
  }
  std::vector<size_t> out;
  if (!area.empty()) {
    std::sort(area.rbegin(), area.rend());
    for (int i = 0; i < n && i < int(area.size()); ++i) out.push_back(area[i].second);
  } else if (!brain.empty()) {
    for (int i = 0; i < n; ++i) out.push_back(brain[size_t((0.3 + 0.4 * (i + 0.5) / n) * brain.size())]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void overlay(const std::string& path, const EvalSubject& s, const MapSetting& m, int n, double vmax,
             const std::string& set) {
  const FloatVolume map = patch2loc_map(s, m, 0);
  const int H = int(map.geom.size[0]), W = int(map.geom.size[1]);
  std::vector<RgbImage> rows;
  for (size_t z : pick_slices(s, n)) {
    const auto img = s.image.data.empty() ? std::vector<float>(size_t(H) * W, 0.0f) : slice_hw(s.image, z);
    const auto heat = slice_hw(map, z);
    const auto mask = slice_hw(s.mask, z);
    const auto seg = s.seg.data.empty() ? std::vector<uint8_t>() : slice_hw(s.seg, z);
    rows.push_back(overlay_row(img.data(), heat.data(), mask.data(), seg.empty() ? nullptr : seg.data(), H, W,
                               vmax, display_scale(size_t(H)), set + " " + s.id + " SLICE " + std::to_string(z)));
  }
  write_png(path, stack_rows(rows, 6));
}

}  // namespace

std::vector<std::string> write_overlay_figures(const std::string& dir, const EvalInputs& in,
                                               const MapSetting& setting, int slices, double vmax) {
  std::vector<std::string> files;
  if (slices <= 0) return files;
  for (const auto& set : in.sets) {
    auto it = in.test.find(set);
    if (it == in.test.end() || it->second.empty()) continue;
    files.push_back("overlay_" + set + ".png");
    overlay(dir + "/" + files.back(), it->second.front(), setting, slices, vmax, set);
  }
  if (!in.healthy_test.empty()) {
    files.push_back("overlay_" + in.healthy_name + ".png");
    overlay(dir + "/" + files.back(), in.healthy_test.front(), setting, slices, vmax, in.healthy_name);
  }
  return files;
}

std::string write_kde_figure(const std::string& dir, const EvalInputs& in, int stride) {
  ScatterGroup normal{"NORMAL", {}, {}, 0}, abnormal{"ABNORMAL", {}, {}, 0};
  for (const auto& set : in.sets) {
    auto it = in.test.find(set);
    if (it == in.test.end()) continue;
    for (const auto& s : it->second) {
      const auto& g = s.mask.geom.size;
      for (size_t k = 0; k < g[2]; ++k)
        for (size_t j = 0; j < g[1]; j += size_t(stride))
          for (size_t i = 0; i < g[0]; i += size_t(stride)) {
            const size_t idx = s.mask.index(i, j, k);
            if (!s.mask.data[idx]) continue;
            ScatterGroup& grp = !s.seg.data.empty() && s.seg.data[idx] ? abnormal : normal;
            grp.x.push_back(s.raw.error.data[idx]);
            grp.y.push_back(s.raw.variance.data[idx]);
          }
    }
  }
  for (ScatterGroup* g : {&normal, &abnormal}) {
    g->spearman = spearman(g->x, g->y);
    // The density image needs only a few thousand points: keep every k-th.
    const size_t keep = 3000, step = std::max<size_t>(1, g->x.size() / keep);
    std::vector<double> x, y;
    for (size_t i = 0; i < g->x.size(); i += step) x.push_back(g->x[i]), y.push_back(g->y[i]);
    g->x.swap(x), g->y.swap(y);
  }
  const std::string file = "kde_error_variance.png";
  write_png(dir + "/" + file, kde_figure({normal, abnormal}, "LOG ERROR", "MEAN LOGVAR"));
  return file;
}

std::string write_ellipse_figure(const std::string& dir, HeatmapBuilder& builder,
                                 const std::vector<SubjectSlices>& subjects) {
  const std::string file = "location_ellipses.png";
  if (subjects.empty()) return "";
  const SubjectSlices& first = subjects.front();
  const int64_t z = first.depth / 2, y = first.height / 2, x = first.width / 2;
  std::vector<LocationEllipse> ellipses;
  for (const auto& s : subjects) {
    const int64_t zs = s.depth / 2;
    Patch2LocOutput o = builder.predict(s, {zs}, {int64_t(s.height / 2)}, {int64_t(s.width / 2)});
    const double H = s.height, W = s.width;
    ellipses.push_back({o.mean[0][0].item<double>() * H / 100, o.mean[0][1].item<double>() * W / 100,
                        std::exp(0.5 * o.logvar[0][0].item<double>()) * H / 100,
                        std::exp(0.5 * o.logvar[0][1].item<double>()) * W / 100});
  }
  std::vector<float> slice(first.image_slice(int(z)), first.image_slice(int(z)) + first.slice_size());
  write_png(dir + "/" + file, ellipse_figure(slice.data(), first.height, first.width, double(y), double(x),
                                             ellipses, display_scale(size_t(first.height)),
                                             "PATCH AT (" + std::to_string(y) + "," + std::to_string(x) + ") SLICE " +
                                                 std::to_string(z) + ", " + std::to_string(subjects.size()) + " SUBJECTS"));
  return file;
}

}  // namespace p2l
