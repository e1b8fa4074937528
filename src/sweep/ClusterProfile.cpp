#include "sweep/ClusterProfile.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <stdexcept>

#include "sweep/SpecFile.hpp"

namespace p2l {
namespace {

int count(const YAML::Node& n, const std::string& origin, int lo, int hi) {
  int v = 0;
  try {
    v = n.as<int>();
  } catch (const YAML::Exception&) {
    throw std::runtime_error(origin + ": must be an integer");
  }
  if (v < lo || v > hi)
    throw std::runtime_error(origin + ": " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "]");
  return v;
}

std::vector<std::string> options(const YAML::Node& n, const std::string& origin) {
  if (!n.IsSequence()) throw std::runtime_error(origin + ": must be a list of sbatch options");
  std::vector<std::string> out;
  for (const auto& v : n) {
    out.push_back(v.as<std::string>());
    if (out.back().rfind("--", 0) != 0)
      throw std::runtime_error(origin + ": '" + out.back() + "' is not an sbatch option (--name=value)");
  }
  return out;
}

}  // namespace

std::vector<std::string> ClusterProfile::sbatch_options(SweepStage stage) const {
  std::vector<std::string> o;
  if (!partition.empty()) o.push_back("--partition=" + partition);
  if (!account.empty()) o.push_back("--account=" + account);
  if (!qos.empty()) o.push_back("--qos=" + qos);
  o.insert(o.end(), extra.begin(), extra.end());
  auto it = stages.find(stage);
  // The fused evaluation is an evaluation (of several checkpoints): evaluate's resources unless
  // the profile gives it its own.
  if (it == stages.end() && stage == SweepStage::kFuse) it = stages.find(SweepStage::kEvaluate);
  if (it == stages.end()) return o;
  const StageResources& r = it->second;
  if (!r.time.empty()) o.push_back("--time=" + r.time);
  if (r.nodes) o.push_back("--nodes=" + std::to_string(r.nodes));
  if (r.ntasks) o.push_back("--ntasks=" + std::to_string(r.ntasks));
  if (r.ntasks_per_node) o.push_back("--ntasks-per-node=" + std::to_string(r.ntasks_per_node));
  if (r.cpus_per_task) o.push_back("--cpus-per-task=" + std::to_string(r.cpus_per_task));
  if (r.gpus_per_task) o.push_back("--gpus-per-task=" + std::to_string(r.gpus_per_task));
  if (!r.mem.empty()) o.push_back("--mem=" + r.mem);
  o.insert(o.end(), r.extra.begin(), r.extra.end());
  return o;
}

ClusterProfile load_cluster_profile(const std::string& path) {
  const YAML::Node root = read_spec_file(path, "cluster profile");
  ClusterProfile p;
  p.path = path;
  if (root.IsNull()) return p;
  check_known_keys(root, path, {"partition", "account", "qos", "extra_sbatch", "stages"});
  if (root["partition"]) p.partition = root["partition"].as<std::string>();
  if (root["account"]) p.account = root["account"].as<std::string>();
  if (root["qos"]) p.qos = root["qos"].as<std::string>();
  if (root["extra_sbatch"]) p.extra = options(root["extra_sbatch"], path + ": extra_sbatch");
  if (const auto st = root["stages"]) {
    check_known_keys(st, path + ": stages", sweep_stages().ids());
    for (const auto& kv : st) {
      const std::string stage = kv.first.as<std::string>(), origin = path + ": stages." + stage;
      if (kv.second.IsNull()) continue;
      check_known_keys(kv.second, origin,
                 {"time", "nodes", "ntasks", "ntasks_per_node", "cpus_per_task", "gpus_per_task", "mem", "extra_sbatch"});
      StageResources r;
      const YAML::Node& n = kv.second;
      if (n["time"]) r.time = n["time"].as<std::string>();
      if (n["nodes"]) r.nodes = count(n["nodes"], origin + ".nodes", 1, 100000);
      if (n["ntasks"]) r.ntasks = count(n["ntasks"], origin + ".ntasks", 1, 1000000);
      if (n["ntasks_per_node"]) r.ntasks_per_node = count(n["ntasks_per_node"], origin + ".ntasks_per_node", 1, 4096);
      if (n["cpus_per_task"]) r.cpus_per_task = count(n["cpus_per_task"], origin + ".cpus_per_task", 1, 4096);
      if (n["gpus_per_task"]) r.gpus_per_task = count(n["gpus_per_task"], origin + ".gpus_per_task", 0, 64);
      if (n["mem"]) r.mem = n["mem"].as<std::string>();
      if (n["extra_sbatch"]) r.extra = options(n["extra_sbatch"], origin + ".extra_sbatch");
      p.stages[sweep_stages().parse(stage, path + ": stages")] = r;
    }
  }
  return p;
}

}  // namespace p2l
