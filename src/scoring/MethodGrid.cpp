#include "scoring/MethodGrid.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "config/EvalConfig.hpp"
#include "config/KnownKeys.hpp"

namespace p2l {
namespace {

std::string fixed(double x, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

struct Lists {
  std::vector<std::string> sources, pairs;
  std::vector<ScoreComponent> scores;
  std::vector<FusionMode> fusion;
  std::vector<ThresholdRuleKind> thresholds;
  std::vector<int> medians;
  std::vector<double> weights, quantiles, fpr_targets;
};

MethodGrid expand(const Lists& l) {
  MethodGrid g;
  // Patch2Loc's own variants multiply only the methods that use its heatmap.
  auto add = [&](Method m) {
    if (!m.uses_patch2loc()) return g.methods.push_back(m);
    for (ScoreComponent score : l.scores)
      for (int med : l.medians) {
        m.score = score, m.median_size = med;
        g.methods.push_back(m);
      }
  };
  for (const auto& src : l.sources) add({ScoreComponent::kBoth, 1, FusionMode::kNone, 0.5, src, ""});
  for (const auto& pair : l.pairs) {
    const auto [a, b] = parse_fusion_pair(pair, "fusion pair");
    for (FusionMode mode : l.fusion) {
      if (mode == FusionMode::kNone) continue;
      if (mode == FusionMode::kWeighted)
        for (double w : l.weights) add({ScoreComponent::kBoth, 1, mode, w, a, b});
      else
        add({ScoreComponent::kBoth, 1, mode, 0.5, a, b});
    }
  }
  for (ThresholdRuleKind kind : l.thresholds) {
    if (kind == ThresholdRuleKind::kHealthyQuantile)
      for (double q : l.quantiles) g.rules.push_back({kind, q});
    else if (kind == ThresholdRuleKind::kFpr)
      for (double f : l.fpr_targets) g.rules.push_back({kind, f});
    else
      g.rules.push_back({kind, 0});
  }
  return g;
}

Lists from_config(const EvalConfig& c) {
  Lists l;
  l.sources = c.sources;
  l.pairs = c.fusion_pairs;
  l.scores = {c.score};
  l.medians = {c.median_size};
  l.fusion = c.fusion_modes;
  l.weights = {c.fusion_weight};
  l.thresholds = c.thresholds;
  l.quantiles = {c.healthy_quantile};
  l.fpr_targets = c.fpr_targets;
  return l;
}

template <class T>
std::vector<T> list_of(const YAML::Node& n, const std::string& path, const std::string& key) {
  try {
    if (n.IsScalar()) return {n.as<T>()};
    if (!n.IsSequence() || n.size() == 0) throw std::runtime_error("expected a non-empty list");
    return n.as<std::vector<T>>();
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": method grid key '" + key + "': " + e.what());
  }
}

// The file's ids become enums here, at the file's boundary.
template <class E>
std::vector<E> enum_list_of(const YAML::Node& n, const std::string& path, const std::string& key,
                            const NamedEnum<E>& ids) {
  std::vector<E> out;
  for (const auto& id : list_of<std::string>(n, path, key))
    out.push_back(ids.parse(id, path + ": method grid key '" + key + "'"));
  return out;
}

}  // namespace

std::string label_file_part(const std::string& label) {
  std::string out;
  for (char c : label) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += char(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string source_label(const std::string& name) {
  const std::optional<BuiltInSource> built_in = built_in_source(name);
  if (built_in == BuiltInSource::kZScore) return "z-score";
  if (built_in == BuiltInSource::kAutoencoder) return "AE";
  if (name.rfind(kScaleSourcePrefix, 0) == 0) return "Patch2Loc@" + name.substr(std::string(kScaleSourcePrefix).size());
  if (name.rfind(kMultiScaleSourcePrefix, 0) == 0)
    return "Patch2Loc multi-scale " + name.substr(std::string(kMultiScaleSourcePrefix).size());
  return name;
}

std::string Method::label() const {
  auto name = [&](const std::string& src) {
    return is_patch2loc(src) ? "Patch2Loc " + std::string(score_components().id(score)) + " m" + std::to_string(median_size)
                             : source_label(src);
  };
  if (fusion == FusionMode::kNone) return name(source);
  const std::string mode = fusion == FusionMode::kWeighted ? "weighted w=" + fixed(weight, 2) : fusion_modes().id(fusion);
  return name(source) + " x " + name(partner) + " (" + mode + ")";
}

std::string Method::id() const {
  auto name = [&](const std::string& src) {
    return is_patch2loc(src) ? src + "/" + score_components().id(score) + "/m" + std::to_string(median_size) : src;
  };
  if (fusion == FusionMode::kNone) return name(source);
  std::string out = name(source) + "*" + name(partner) + ":" + fusion_modes().id(fusion);
  if (fusion == FusionMode::kWeighted) out += "=" + fixed(weight, 2);
  return out;
}

std::string ThresholdRule::label() const {
  switch (kind) {
    case ThresholdRuleKind::kBestDicePerVolume: return "best Dice per volume (oracle)";
    case ThresholdRuleKind::kValidationDice: return "validation Dice";
    case ThresholdRuleKind::kHealthyQuantile: return "healthy q" + fixed(value, value == int(value) ? 0 : 1);
    case ThresholdRuleKind::kFpr: break;
  }
  return "healthy FPR " + fixed(value * 100, value * 100 == int(value * 100) ? 0 : 1) + "%";
}

std::string ThresholdRule::id() const {
  const std::string kind_id = threshold_rule_kinds().id(kind);
  if (kind != ThresholdRuleKind::kHealthyQuantile && kind != ThresholdRuleKind::kFpr) return kind_id;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return kind_id + "=" + buf;
}

MethodGrid method_grid_from_config(const EvalConfig& cfg) { return expand(from_config(cfg)); }

std::vector<Method> selection_candidates(const EvalConfig& cfg) {
  Lists l;
  l.sources = cfg.select_sources.empty() ? cfg.sources : cfg.select_sources;
  l.pairs = cfg.select_fusion_pairs.empty() ? cfg.fusion_pairs : cfg.select_fusion_pairs;
  l.scores = cfg.select_scores;
  l.medians = cfg.select_median_sizes;
  l.fusion = cfg.select_fusion_modes;
  l.weights = cfg.select_weights;
  for (int m : l.medians)
    if (m % 2 == 0) throw std::runtime_error("eval.select_median_sizes: " + std::to_string(m) + " must be odd");
  for (const auto& p : l.pairs) parse_fusion_pair(p, "eval.select_fusion_pairs");
  return expand(l).methods;
}

MethodGrid read_method_grid(const std::string& path, const EvalConfig& cfg) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + ": cannot read method grid: " + e.what());
  }
  if (!root.IsMap()) throw std::runtime_error(path + ": method grid must be a mapping");
  Lists l = from_config(cfg);
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key == "sources") l.sources = list_of<std::string>(kv.second, path, key);
    else if (key == "fusion_pairs") l.pairs = list_of<std::string>(kv.second, path, key);
    else if (key == "scores") l.scores = enum_list_of(kv.second, path, key, score_components());
    else if (key == "median_sizes") l.medians = list_of<int>(kv.second, path, key);
    else if (key == "fusion") l.fusion = enum_list_of(kv.second, path, key, fusion_modes());
    else if (key == "weights") l.weights = list_of<double>(kv.second, path, key);
    else if (key == "thresholds") l.thresholds = enum_list_of(kv.second, path, key, threshold_rule_kinds());
    else if (key == "quantiles") l.quantiles = list_of<double>(kv.second, path, key);
    else if (key == "fpr_targets") l.fpr_targets = list_of<double>(kv.second, path, key);
    else
      throw_unknown_key(path, "method grid key", key,
                        {"sources", "fusion_pairs", "scores", "median_sizes", "fusion", "weights", "thresholds", "quantiles", "fpr_targets"});
  }
  for (const auto& p : l.pairs) parse_fusion_pair(p, path + ": method grid key 'fusion_pairs'");
  for (int m : l.medians)
    if (m < 1 || m % 2 == 0) throw std::runtime_error(path + ": method grid key 'median_sizes': " + std::to_string(m) + " must be odd and >= 1");
  for (double w : l.weights)
    if (!(w >= 0 && w <= 1)) throw std::runtime_error(path + ": method grid key 'weights': values must lie in [0, 1]");
  for (double q : l.quantiles)
    if (!(q >= 0 && q <= 100)) throw std::runtime_error(path + ": method grid key 'quantiles': values must lie in [0, 100]");
  for (double f : l.fpr_targets)
    if (!(f >= 0 && f <= 1)) throw std::runtime_error(path + ": method grid key 'fpr_targets': values must lie in [0, 1]");
  return expand(l);
}

}  // namespace p2l
