#include "eval/ScaleSet.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "config/FusionPair.hpp"
#include "scoring/ScaleFusion.hpp"

namespace p2l {
namespace fs = std::filesystem;

namespace {

std::string same_file_key(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

void add_once(std::vector<std::string>& list, const std::string& v) {
  if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
}

}  // namespace

std::string scale_source_name(double patch_fraction) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%g", kScaleSourcePrefix, patch_fraction);
  return buf;
}

std::vector<std::string> scale_checkpoints(const std::vector<std::string>& entries, const std::string& primary) {
  const std::string skip = same_file_key(primary);
  std::vector<std::string> out;
  auto add = [&](const std::string& file, const std::string& entry) {
    if (!fs::is_regular_file(file))
      throw std::runtime_error("eval.scales: '" + entry + "': " + file + ": checkpoint not found");
    if (same_file_key(file) != skip) out.push_back(file);
  };
  for (const auto& e : entries) {
    if (fs::is_regular_file(e)) {
      add(e, e);
    } else if (fs::is_regular_file(fs::path(e) / "points.tsv")) {
      // p2l-sweep's points.tsv: "index<TAB>dir" lines (sweep/SweepPlan.hpp).
      std::ifstream in(fs::path(e) / "points.tsv");
      std::string line;
      while (std::getline(in, line)) {
        const size_t tab = line.find('\t');
        if (tab == std::string::npos) continue;
        add((fs::path(line.substr(tab + 1)) / "checkpoints" / "best.pt").string(), e);
      }
    } else if (fs::is_directory(e)) {
      add((fs::path(e) / "checkpoints" / "best.pt").string(), e);
    } else {
      throw std::runtime_error("eval.scales: '" + e + "': neither a checkpoint file, a run folder nor a sweep folder");
    }
  }
  return out;
}

ScaleSettings scale_settings(const EvalConfig& eval, size_t i, size_t n_scales, const std::string& checkpoint,
                             double patch_fraction, double reference_patch_fraction) {
  auto check_length = [&](size_t n, const char* key) {
    if (n != 0 && n != n_scales)
      throw std::runtime_error(std::string(key) + ": " + std::to_string(n) + " values for " + std::to_string(n_scales) +
                               " scale checkpoint(s) (eval.scales, resolved); give one per scale or none");
  };
  check_length(eval.scale_strides.size(), "eval.scale_strides");
  check_length(eval.scale_median_sizes.size(), "eval.scale_median_sizes");
  const double ratio = patch_fraction / reference_patch_fraction;
  ScaleSettings s;
  s.source = scale_source_name(patch_fraction);
  s.checkpoint = checkpoint;
  s.patch_fraction = patch_fraction;
  s.stride = eval.scale_strides.empty() ? follow_patch_size(eval.stride, ratio, false) : eval.scale_strides[i];
  s.median_size = eval.scale_median_sizes.empty() ? follow_patch_size(eval.median_size, ratio, true)
                                                  : eval.scale_median_sizes[i];
  if (s.median_size % 2 == 0)
    throw std::runtime_error("eval.scale_median_sizes: " + std::to_string(s.median_size) + " is even (the median filter is centred)");
  return s;
}

void check_distinct_scales(const std::vector<ScaleSettings>& scales) {
  for (size_t a = 0; a < scales.size(); ++a)
    for (size_t b = a + 1; b < scales.size(); ++b)
      if (scale_source_name(scales[a].patch_fraction) == scale_source_name(scales[b].patch_fraction)) {
        std::ostringstream os;
        os << "eval.scales: " << scales[a].checkpoint << " and " << scales[b].checkpoint
           << " both have patch fraction " << scales[a].patch_fraction << "; give one checkpoint per patch size";
        throw std::runtime_error(os.str());
      }
}

void add_scale_sources(EvalConfig& eval, const std::vector<ScaleSettings>& scales) {
  std::vector<std::string> computed;
  if (scales.size() > 1) {
    for (size_t i = 1; i < scales.size(); ++i) computed.push_back(scales[i].source);
    for (const MultiScaleRule r : eval.multiscale_rules) computed.push_back(multiscale_source_name(r));
    for (const auto& c : computed) add_once(eval.sources, c);
    const std::vector<std::string> pairs = eval.fusion_pairs;
    for (const auto& p : pairs) {
      const auto [a, b] = parse_fusion_pair(p, "eval.fusion_pairs");
      const bool a_is = built_in_source(a) == BuiltInSource::kPatch2Loc, b_is = built_in_source(b) == BuiltInSource::kPatch2Loc;
      if (a_is == b_is) continue;
      const std::string& other = a_is ? b : a;
      if (is_scale_source(other)) continue;
      for (const MultiScaleRule r : eval.multiscale_rules) add_once(eval.fusion_pairs, multiscale_source_name(r) + "*" + other);
    }
  }
  std::string computed_list;
  for (const auto& c : computed) computed_list += (computed_list.empty() ? "" : ", ") + c;
  auto check = [&](const std::string& name, const std::string& key) {
    if (is_scale_source(name) && std::find(computed.begin(), computed.end(), name) == computed.end())
      throw std::runtime_error(key + ": map source '" + name + "' is not computed by this evaluation (" +
                               (computed.empty() ? "it needs eval.scales: checkpoints of other patch sizes"
                                                 : "its scales and rules give " + computed_list) + ")");
  };
  for (const auto& s : eval.sources) check(s, "eval.sources");
  for (const auto& s : eval.select_sources) check(s, "eval.select_sources");
  for (const auto& [key, list] : {std::make_pair(std::string("eval.fusion_pairs"), &eval.fusion_pairs),
                                   std::make_pair(std::string("eval.select_fusion_pairs"), &eval.select_fusion_pairs)})
    for (const auto& p : *list) {
      const auto [a, b] = parse_fusion_pair(p, key);
      check(a, key), check(b, key);
    }
}

}  // namespace p2l
