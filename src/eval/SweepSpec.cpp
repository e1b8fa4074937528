#include "eval/SweepSpec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
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
  std::vector<std::string> scores, fusion, thresholds;
  std::vector<int> medians;
  std::vector<double> weights, quantiles, fpr_targets;
};

SweepSpec expand(const Lists& l) {
  SweepSpec s;
  for (const auto& f : l.fusion)
    if (f == "map") s.settings.push_back({"both", 1, "map", 0.5});  // the other map alone: once
  for (const auto& score : l.scores)
    for (int m : l.medians)
      for (const auto& f : l.fusion) {
        if (f == "map") continue;
        if (f == "weighted")
          for (double w : l.weights) s.settings.push_back({score, m, f, w});
        else
          s.settings.push_back({score, m, f, 0.5});
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
  l.scores = {c.score};
  l.medians = {c.median_size};
  l.fusion = {"none"};
  for (const auto& f : c.fusion_modes) l.fusion.push_back(f);
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

std::string MapSetting::label() const {
  const std::string p2l = "Patch2Loc " + score + " m" + std::to_string(median_size);
  if (fusion == "none") return p2l;
  if (fusion == "map") return "fusion map";
  if (fusion == "weighted") return p2l + " + map (weighted w=" + fixed(weight, 2) + ")";
  return p2l + " + map (" + fusion + ")";
}

std::string ThresholdRule::label() const {
  if (rule == "best_dice_per_volume") return "best Dice per volume (oracle)";
  if (rule == "validation_dice") return "validation Dice";
  if (rule == "healthy_quantile") return "healthy q" + fixed(value, value == int(value) ? 0 : 1);
  return "healthy FPR " + fixed(value * 100, value * 100 == int(value * 100) ? 0 : 1) + "%";
}

SweepSpec sweep_from_config(const EvalConfig& cfg) { return expand(from_config(cfg)); }

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
    if (key == "scores") l.scores = list_of<std::string>(kv.second, path, key);
    else if (key == "median_sizes") l.medians = list_of<int>(kv.second, path, key);
    else if (key == "fusion") l.fusion = list_of<std::string>(kv.second, path, key);
    else if (key == "weights") l.weights = list_of<double>(kv.second, path, key);
    else if (key == "thresholds") l.thresholds = list_of<std::string>(kv.second, path, key);
    else if (key == "quantiles") l.quantiles = list_of<double>(kv.second, path, key);
    else if (key == "fpr_targets") l.fpr_targets = list_of<double>(kv.second, path, key);
    else
      throw std::runtime_error(path + ": unknown sweep key '" + key +
                               "' (expected scores, median_sizes, fusion, weights, thresholds, quantiles, fpr_targets)");
  }
  check_choices(l.scores, {"error", "variance", "both"}, path, "scores");
  check_choices(l.fusion, {"none", "map", "product", "weighted", "max"}, path, "fusion");
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
