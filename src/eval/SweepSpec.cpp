#include "eval/SweepSpec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "config/EvalConfig.hpp"

namespace p2l {
namespace {

std::string fixed(double x, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

struct Lists {
  std::vector<std::string> sources, pairs, scores, fusion, thresholds;
  std::vector<int> medians;
  std::vector<double> weights, quantiles, fpr_targets;
};

SweepSpec expand(const Lists& l) {
  SweepSpec s;
  // Patch2Loc's own variants multiply only the settings that use its heatmap.
  auto add = [&](MapSetting m) {
    if (!m.uses_patch2loc()) return s.settings.push_back(m);
    for (const auto& score : l.scores)
      for (int med : l.medians) {
        m.score = score, m.median_size = med;
        s.settings.push_back(m);
      }
  };
  for (const auto& src : l.sources) add({"both", 1, "none", 0.5, src, ""});
  for (const auto& pair : l.pairs) {
    const auto [a, b] = parse_fusion_pair(pair, "fusion pair");
    for (const auto& f : l.fusion) {
      if (f == "none") continue;
      if (f == "weighted")
        for (double w : l.weights) add({"both", 1, f, w, a, b});
      else
        add({"both", 1, f, 0.5, a, b});
    }
  }
  for (const auto& t : l.thresholds) {
    if (t == "healthy_quantile")
      for (double q : l.quantiles) s.rules.push_back({t, q});
    else if (t == "fpr")
      for (double f : l.fpr_targets) s.rules.push_back({t, f});
    else
      s.rules.push_back({t, 0});
  }
  return s;
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
    throw std::runtime_error(path + ": sweep key '" + key + "': " + e.what());
  }
}

void check_choices(const std::vector<std::string>& v, const std::set<std::string>& ok,
                   const std::string& path, const std::string& key) {
  for (const auto& x : v)
    if (!ok.count(x)) throw std::runtime_error(path + ": sweep key '" + key + "': unknown value '" + x + "'");
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
  if (name == "zscore") return "z-score";
  if (name == "ae") return "AE";
  return name;
}

std::pair<std::string, std::string> parse_fusion_pair(const std::string& pair, const std::string& what) {
  const size_t star = pair.find('*');
  if (star == std::string::npos || star == 0 || star + 1 == pair.size() || pair.find('*', star + 1) != std::string::npos)
    throw std::runtime_error(what + " '" + pair + "': expected two map sources as a*b (e.g. patch2loc*zscore)");
  return {pair.substr(0, star), pair.substr(star + 1)};
}

std::string MapSetting::label() const {
  auto name = [&](const std::string& src) {
    return src == kPatch2Loc ? "Patch2Loc " + score + " m" + std::to_string(median_size) : source_label(src);
  };
  if (fusion == "none") return name(source);
  const std::string mode = fusion == "weighted" ? "weighted w=" + fixed(weight, 2) : fusion;
  return name(source) + " x " + name(partner) + " (" + mode + ")";
}

std::string ThresholdRule::label() const {
  if (rule == "best_dice_per_volume") return "best Dice per volume (oracle)";
  if (rule == "validation_dice") return "validation Dice";
  if (rule == "healthy_quantile") return "healthy q" + fixed(value, value == int(value) ? 0 : 1);
  return "healthy FPR " + fixed(value * 100, value * 100 == int(value * 100) ? 0 : 1) + "%";
}

SweepSpec sweep_from_config(const EvalConfig& cfg) { return expand(from_config(cfg)); }

std::vector<MapSetting> selection_candidates(const EvalConfig& cfg) {
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
  return expand(l).settings;
}

SweepSpec read_sweep(const std::string& path, const EvalConfig& cfg) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + ": cannot read sweep spec: " + e.what());
  }
  if (!root.IsMap()) throw std::runtime_error(path + ": sweep spec must be a mapping");
  Lists l = from_config(cfg);
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key == "sources") l.sources = list_of<std::string>(kv.second, path, key);
    else if (key == "fusion_pairs") l.pairs = list_of<std::string>(kv.second, path, key);
    else if (key == "scores") l.scores = list_of<std::string>(kv.second, path, key);
    else if (key == "median_sizes") l.medians = list_of<int>(kv.second, path, key);
    else if (key == "fusion") l.fusion = list_of<std::string>(kv.second, path, key);
    else if (key == "weights") l.weights = list_of<double>(kv.second, path, key);
    else if (key == "thresholds") l.thresholds = list_of<std::string>(kv.second, path, key);
    else if (key == "quantiles") l.quantiles = list_of<double>(kv.second, path, key);
    else if (key == "fpr_targets") l.fpr_targets = list_of<double>(kv.second, path, key);
    else
      throw std::runtime_error(path + ": unknown sweep key '" + key +
                               "' (expected sources, fusion_pairs, scores, median_sizes, fusion, weights, thresholds, quantiles, fpr_targets)");
  }
  check_choices(l.scores, {"error", "variance", "both"}, path, "scores");
  check_choices(l.fusion, {"none", "product", "weighted", "max", "fisher"}, path, "fusion");
  for (const auto& p : l.pairs) parse_fusion_pair(p, path + ": sweep key 'fusion_pairs'");
  check_choices(l.thresholds, {"best_dice_per_volume", "validation_dice", "healthy_quantile", "fpr"}, path, "thresholds");
  for (int m : l.medians)
    if (m < 1 || m % 2 == 0) throw std::runtime_error(path + ": sweep key 'median_sizes': " + std::to_string(m) + " must be odd and >= 1");
  for (double w : l.weights)
    if (!(w >= 0 && w <= 1)) throw std::runtime_error(path + ": sweep key 'weights': values must lie in [0, 1]");
  for (double q : l.quantiles)
    if (!(q >= 0 && q <= 100)) throw std::runtime_error(path + ": sweep key 'quantiles': values must lie in [0, 100]");
  for (double f : l.fpr_targets)
    if (!(f >= 0 && f <= 1)) throw std::runtime_error(path + ": sweep key 'fpr_targets': values must lie in [0, 1]");
  return expand(l);
}

}  // namespace p2l
