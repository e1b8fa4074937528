#include "sweep/SweepPlan.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/Config.hpp"
#include "config/EvalChoices.hpp"
#include "config/FusionPair.hpp"
#include "config/KnownKeys.hpp"
#include "config/RunLayout.hpp"
#include "io/AtomicFile.hpp"
#include "sweep/SpecFile.hpp"
#include "sweep/SweepChoices.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

std::string absolute(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

// A YAML value as the text of an override: scalars as written, sequences and maps in flow style.
std::string value_text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

std::vector<std::string> strings(const YAML::Node& n, const std::string& origin) {
  if (!n.IsSequence()) throw std::runtime_error(origin + ": must be a list");
  std::vector<std::string> out;
  for (const auto& v : n) out.push_back(value_text(v));
  return out;
}

std::string section_of(const std::string& key) { return key.substr(0, key.find('.')); }

// Swept keys must not change the store that preprocessing writes once for every point.
void check_sweepable(const std::string& key, const std::string& origin) {
  static const std::set<std::string> store_sections = {"data", "cohort", "preprocess"};
  if (store_sections.count(section_of(key)))
    throw std::runtime_error(origin + ": '" + key +
                             "' cannot be swept: the points share one preprocessed store (set it in "
                             "'overrides', or run one sweep per value)");
  if (key == "run.output_dir")
    throw std::runtime_error(origin + ": 'run.output_dir' is set by the sweep (DIR/<point>)");
}

// Checks one key against the executables' schema (unknown keys get a suggestion).
void check_config_key(const std::string& key, const std::string& origin) {
  Config probe;
  Schema s = probe.schema();
  if (!s.find(key)) throw_unknown_key(origin, "config key", key, s.keys());
}

Config resolve(const SweepPlan& plan, const std::vector<std::pair<std::string, std::string>>& values,
               const std::string& origin) {
  Config cfg;
  cfg.apply_yaml(plan.base_config_text, plan.base_config);
  for (const auto& o : plan.overrides) cfg.apply_override(o);
  for (const auto& [key, value] : values) {
    try {
      cfg.apply_override(key + "=" + value);
    } catch (const std::exception& e) {
      throw std::runtime_error(origin + ": " + e.what());
    }
  }
  return cfg;
}

bool is_autoencoder(const std::string& source) { return built_in_source(source) == BuiltInSource::kAutoencoder; }

// A pair that is not a*b is refused here, as the evaluation would refuse it at every point.
bool reads_autoencoder(const EvalConfig& e, const std::string& origin) {
  if (std::any_of(e.sources.begin(), e.sources.end(), is_autoencoder)) return true;
  for (const auto& p : e.fusion_pairs) {
    const auto [a, b] = parse_fusion_pair(p, origin + ": eval.fusion_pairs");
    if (is_autoencoder(a) || is_autoencoder(b)) return true;
  }
  return false;
}

// Spec key `fuse`: true | false | {reference: POINT}. Each point is one scale of the fused
// evaluation, which refuses two checkpoints of one patch size: refused here already, before
// anything trains.
SweepFuse load_fuse(const YAML::Node& f, const SweepPlan& plan, const std::string& spec_path) {
  const std::string origin = spec_path + ": fuse";
  const std::string shape = origin + ": must be true, false or {reference: <point name>}";
  SweepFuse fuse;
  if (f.IsMap()) {
    check_known_keys(f, origin, {"reference"});
    fuse.enabled = true;
    if (f["reference"]) fuse.reference = f["reference"].as<std::string>();
  } else if (f.IsScalar()) {
    try {
      fuse.enabled = f.as<bool>();
    } catch (const YAML::Exception&) {
      throw std::runtime_error(shape);
    }
  } else {
    throw std::runtime_error(shape);
  }
  if (!fuse.enabled) return fuse;
  if (plan.points.size() < 2)
    throw std::runtime_error(origin + ": needs at least two points, one per patch size (sweep train.patch_fraction)");
  for (size_t a = 0; a < plan.points.size(); ++a)
    for (size_t b = a + 1; b < plan.points.size(); ++b)
      if (plan.points[a].patch_fraction == plan.points[b].patch_fraction) {
        std::ostringstream os;
        os << origin << ": points '" << plan.points[a].name << "' and '" << plan.points[b].name
           << "' both have train.patch_fraction " << plan.points[a].patch_fraction
           << "; the fused evaluation takes one checkpoint per patch size (sweep train.patch_fraction alone, "
              "or give points whose patch fractions differ)";
        throw std::runtime_error(os.str());
      }
  std::vector<std::string> names;
  for (const auto& pt : plan.points) names.push_back(pt.name);
  if (!fuse.reference.empty()) {
    check_known_key(fuse.reference, origin + ".reference", names, "point");
  } else {
    const double base = resolve(plan, {}, spec_path).train.patch_fraction;
    const auto same = std::find_if(plan.points.begin(), plan.points.end(),
                                   [&](const SweepPoint& p) { return p.patch_fraction == base; });
    fuse.reference = (same == plan.points.end() ? plan.points.front() : *same).name;
  }
  const SweepPoint& ref = *std::find_if(plan.points.begin(), plan.points.end(),
                                        [&](const SweepPoint& p) { return p.name == fuse.reference; });
  const Config cfg = resolve(plan, ref.values, spec_path + ": point " + ref.name);
  if (!cfg.eval.scales.empty())
    throw std::runtime_error(origin + ": eval.scales is set by the sweep in the fused evaluation (the sweep folder: "
                             "every point's checkpoint); remove it from the spec's config and overrides");
  for (const MultiScaleRule r : cfg.eval.multiscale_rules) fuse.methods.push_back(multiscale_source_name(r));
  return fuse;
}

}  // namespace

const SweepPoint& fuse_reference(const SweepPlan& plan) {
  for (const auto& pt : plan.points)
    if (pt.name == plan.fuse.reference) return pt;
  throw std::logic_error("fuse_reference: no point '" + plan.fuse.reference + "'");
}

bool changes_autoencoder(const std::string& key) {
  // Whole sections the autoencoder never reads; Schema::Scope classifies train.* key by key.
  static const std::set<std::string> other_sections = {"model", "eval", "zscore"};
  if (other_sections.count(section_of(key))) return false;
  Config cfg;
  const Schema schema = cfg.schema();
  const Schema::Field* f = schema.find(key);
  return !f || f->scope != Schema::Scope::patch2loc_only;
}

std::string point_name_part(const std::string& key, const std::string& value) {
  std::string out = key.substr(key.rfind('.') + 1) + "-";
  for (char c : value) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-';
    if (keep) out += c;
    else if (out.back() != '_' && out.back() != '-') out += '_';
  }
  while (out.back() == '_') out.pop_back();
  return out;
}

SweepPlan load_sweep_plan(const std::string& spec_path, const std::vector<std::string>& extra_overrides) {
  SweepPlan plan;
  plan.spec_path = absolute(spec_path);
  const YAML::Node root = read_spec_file(spec_path, "sweep spec");
  check_known_keys(root, spec_path,
                   {"dir", "config", "overrides", "cluster", "grid", "points", "report", "nightly", "autoencoder", "fuse"});
  const std::string stem = fs::path(spec_path).stem().string();
  plan.dir = absolute(root["dir"] ? root["dir"].as<std::string>() : "runs/sweeps/" + stem);
  if (!root["config"]) throw std::runtime_error(spec_path + ": 'config' (the base config file) is required");
  plan.base_config = root["config"].as<std::string>();
  plan.base_config_text = read_file(plan.base_config, "base config");
  plan.cluster = root["cluster"] ? root["cluster"].as<std::string>() : "configs/cluster/default.yaml";
  if (root["overrides"]) plan.overrides = strings(root["overrides"], spec_path + ": overrides");
  plan.overrides.insert(plan.overrides.end(), extra_overrides.begin(), extra_overrides.end());
  plan.command_line_overrides = extra_overrides;
  for (const auto& o : plan.overrides) {
    if (o.rfind("run.output_dir=", 0) == 0)
      throw std::runtime_error(spec_path + ": overrides: 'run.output_dir' is set by the sweep (DIR/<point>)");
  }

  if (const auto r = root["report"]) {
    check_known_keys(r, spec_path + ": report", {"methods", "threshold_rule", "metrics"});
    if (r["methods"]) plan.report.methods = strings(r["methods"], spec_path + ": report.methods");
    if (r["threshold_rule"]) plan.report.threshold_rule = r["threshold_rule"].as<std::string>();
    const std::string& rule = plan.report.threshold_rule;
    threshold_rule_kinds().parse(rule.substr(0, rule.find('=')),
                                 spec_path + ": report.threshold_rule (a rule id, e.g. validation_dice or healthy_quantile=98)");
    if (r["metrics"]) {
      plan.report.metrics.clear();
      for (const auto& m : strings(r["metrics"], spec_path + ": report.metrics"))
        plan.report.metrics.push_back(summary_metrics().parse(m, spec_path + ": report.metrics"));
    }
    if (plan.report.metrics.empty()) throw std::runtime_error(spec_path + ": report.metrics is empty");
  }
  if (const auto n = root["nightly"]) {
    check_known_keys(n, spec_path + ": nightly", {"tolerance", "keep"});
    if (n["tolerance"]) plan.nightly.tolerance = n["tolerance"].as<double>();
    if (n["keep"]) plan.nightly.keep = n["keep"].as<int>();
    if (!(plan.nightly.tolerance >= 0)) throw std::runtime_error(spec_path + ": nightly.tolerance must be >= 0");
    if (plan.nightly.keep < 2) throw std::runtime_error(spec_path + ": nightly.keep must be >= 2 (this night and the last)");
  }

  // Points: the grid crossed in key order (the last key varies fastest), then the explicit list.
  std::vector<std::vector<std::pair<std::string, std::string>>> values = {{}};
  auto add_key = [&](const std::string& key, const std::string& origin) {
    check_config_key(key, origin);
    check_sweepable(key, origin);
    if (std::find(plan.keys.begin(), plan.keys.end(), key) == plan.keys.end()) plan.keys.push_back(key);
  };
  if (const auto g = root["grid"]) {
    if (!g.IsMap()) throw std::runtime_error(spec_path + ": grid must map config keys to lists of values");
    for (const auto& kv : g) {
      const std::string key = kv.first.as<std::string>();
      add_key(key, spec_path + ": grid");
      const auto list = strings(kv.second, spec_path + ": grid." + key);
      if (list.empty()) throw std::runtime_error(spec_path + ": grid." + key + " has no values");
      std::vector<std::vector<std::pair<std::string, std::string>>> crossed;
      for (const auto& partial : values)
        for (const auto& v : list) {
          crossed.push_back(partial);
          crossed.back().emplace_back(key, v);
        }
      values = std::move(crossed);
    }
  } else {
    values.clear();
  }
  if (const auto p = root["points"]) {
    if (!p.IsSequence()) throw std::runtime_error(spec_path + ": points must be a list of {key: value} maps");
    int i = 0;
    for (const auto& point : p) {
      const std::string origin = spec_path + ": points[" + std::to_string(i++) + "]";
      if (!point.IsMap()) throw std::runtime_error(origin + ": must map config keys to values");
      values.emplace_back();
      for (const auto& kv : point) {
        const std::string key = kv.first.as<std::string>();
        add_key(key, origin);
        values.back().emplace_back(key, value_text(kv.second));
      }
    }
  }
  if (values.empty()) throw std::runtime_error(spec_path + ": no points (give 'grid' or 'points')");

  std::set<std::string> names;
  for (size_t i = 0; i < values.size(); ++i) {
    SweepPoint pt;
    pt.index = static_cast<int>(i);
    pt.values = values[i];
    for (const auto& [key, value] : pt.values) pt.name += (pt.name.empty() ? "" : "_") + point_name_part(key, value);
    if (!names.insert(pt.name).second)
      throw std::runtime_error(spec_path + ": point '" + pt.name + "' is listed twice");
    pt.dir = plan.dir + "/" + pt.name;
    Config cfg = resolve(plan, pt.values, spec_path + ": point " + pt.name);
    pt.needs_autoencoder = reads_autoencoder(cfg.eval, spec_path + ": point " + pt.name);
    pt.train_steps = cfg.train.steps;
    pt.patch_fraction = cfg.train.patch_fraction;
    plan.points.push_back(std::move(pt));
  }

  const AutoencoderMode ae =
      root["autoencoder"] ? autoencoder_modes().parse(root["autoencoder"].as<std::string>(), spec_path + ": autoencoder")
                          : AutoencoderMode::kAuto;
  const bool all_need = std::all_of(plan.points.begin(), plan.points.end(),
                                    [](const SweepPoint& p) { return p.needs_autoencoder; });
  const bool independent = std::none_of(plan.keys.begin(), plan.keys.end(), changes_autoencoder);
  if (ae == AutoencoderMode::kShared && !independent)
    throw std::runtime_error(spec_path + ": autoencoder: shared, but a swept key changes the autoencoder (" +
                             *std::find_if(plan.keys.begin(), plan.keys.end(), changes_autoencoder) + ")");
  plan.shared_autoencoder = all_need && ae != AutoencoderMode::kPerPoint && independent;
  if (root["fuse"]) plan.fuse = load_fuse(root["fuse"], plan, spec_path);
  return plan;
}

void write_sweep_plan(const SweepPlan& plan) {
  fs::create_directories(plan.logs_dir());
  resolve(plan, {}, plan.spec_path).write(plan.preprocess_config());
  std::string shared_ae;
  if (plan.shared_autoencoder) {
    Config shared = resolve(plan, {}, plan.spec_path);
    shared.run.output_dir = plan.shared_dir();
    fs::create_directories(plan.shared_dir());
    shared.write(plan.shared_dir() + "/config.yaml");
    // The shared run's autoencoder folder, seen from a point's folder.
    shared_ae = RunLayout("../" + fs::path(plan.shared_dir()).filename().string(), shared.ae.output_subdir).ae().root();
  }
  auto point_config = [&](const SweepPoint& pt) {
    Config cfg = resolve(plan, pt.values, plan.spec_path + ": point " + pt.name);
    cfg.run.output_dir = pt.dir;
    if (!shared_ae.empty()) cfg.ae.output_subdir = shared_ae;  // relative to the point's folder
    return cfg;
  };
  std::ostringstream tsv;
  for (const auto& pt : plan.points) {
    Config cfg = point_config(pt);
    fs::create_directories(pt.dir);
    cfg.write(pt.dir + "/config.yaml");
    tsv << pt.index << "\t" << pt.dir << "\n";
  }
  write_file_atomic(plan.points_file(), tsv.str());
  if (plan.fuse.enabled) {
    // The reference point's evaluation, over every point's checkpoint (eval.scales reads
    // points.tsv and leaves out eval.checkpoint's own), in a run folder of its own.
    const SweepPoint& ref = fuse_reference(plan);
    Config cfg = point_config(ref);
    cfg.run.output_dir = plan.fused_dir();
    cfg.eval.checkpoint = RunLayout(ref.dir).best_checkpoint();
    cfg.eval.scales = {plan.dir};
    // The autoencoder the reference point's evaluation reads, seen from DIR/fused (a sibling of
    // the point folders, so the shared one's path holds as it is).
    if (shared_ae.empty()) cfg.ae.output_subdir = RunLayout("../" + ref.name, cfg.ae.output_subdir).ae().root();
    fs::create_directories(plan.fused_dir());
    cfg.write(plan.fused_config());
  }
}

}  // namespace p2l
