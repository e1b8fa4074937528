#include "scoring/MethodMaps.hpp"

#include <stdexcept>

#include "scoring/MedianFilter.hpp"
#include "scoring/Metrics.hpp"

namespace p2l {

FloatVolume SourceMaps::get(const EvalSubject& s, const std::string& source, const Method& m) {
  if (is_patch2loc(source)) {
    const std::string key = std::string(score_components().id(m.score)) + "/" + std::to_string(m.median_size);
    if (key != patch2loc_key_) patch2loc_.clear(), patch2loc_key_ = key;
    auto it = patch2loc_.find(&s);
    if (it == patch2loc_.end()) it = patch2loc_.emplace(&s, patch2loc_map(s, m, in_.erode_mask, in_.map_filter)).first;
    return it->second;
  }
  const auto key = std::make_pair(source, &s);
  if (keep_external_) {
    auto it = external_.find(key);
    if (it != external_.end()) return it->second;
  }
  auto dir = in_.source_dirs.find(source);
  if (dir == in_.source_dirs.end())
    throw std::runtime_error("map source '" + source + "': unknown (eval.sources, eval.external_maps)");
  FloatVolume r = read_source_map(dir->second, s.id, s.mask.geom, s.source_geom);
  apply_mask(r, erode(s.mask, in_.erode_mask));
  if (keep_external_) external_.emplace(key, r);
  return r;
}

FloatVolume MethodMaps::operator()(const EvalSubject& s, SourceMaps& sources) const {
  FloatVolume a = sources.get(s, m_.source, m_);
  if (m_.fusion == FusionMode::kNone) return a;
  return fuse(a, sources.get(s, m_.partner, m_), s.mask, m_.fusion, m_.weight, sa_, sb_);
}

ScoredVolume in_brain(const EvalSubject& s, const FloatVolume& map) {
  ScoredVolume v;
  select_in_mask(map.data.data(), s.seg.data.empty() ? nullptr : s.seg.data.data(), s.mask.data.data(),
                 map.data.size(), v.score, v.label);
  return v;
}

}  // namespace p2l
