#include "dist/NodePlacement.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <fstream>
#include <map>
#include <stdexcept>

namespace p2l {

std::string node_identity(const std::string& shm_dir) {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) name[0] = '\0';
  std::string boot;
  std::ifstream("/proc/sys/kernel/random/boot_id") >> boot;
  struct stat st {};
  const std::string shm = ::stat(shm_dir.c_str(), &st) == 0
                              ? std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)
                              : "none";
  return std::string("host=") + name.data() + " boot=" + (boot.empty() ? "unknown" : boot) + " shm=" + shm;
}

std::string node_host(const std::string& identity) {
  const std::string key = "host=";
  if (identity.rfind(key, 0) != 0) return identity;
  return identity.substr(key.size(), identity.find(' ') - key.size());
}

std::vector<NodePlacement> place_ranks(const std::vector<std::string>& identities) {
  // One pass: nodes numbered as their first rank appears; a rank's local rank is the count of
  // its node's ranks seen before it (linear in the ranks, for jobs of thousands).
  std::map<std::string, int> node_of;
  std::vector<int> seen;  // per node, ranks so far
  std::vector<NodePlacement> out(identities.size());
  for (size_t r = 0; r < identities.size(); ++r) {
    const auto [it, added] = node_of.emplace(identities[r], int(seen.size()));
    if (added) seen.push_back(0);
    out[r].node = it->second;
    out[r].local_rank = seen[size_t(it->second)]++;
  }
  for (auto& p : out) {
    p.nodes = int(seen.size());
    p.local_size = seen[size_t(p.node)];
  }
  return out;
}

NodePlacement place_rank(const std::vector<std::string>& identities, int rank) {
  if (rank < 0 || rank >= int(identities.size()))
    throw std::out_of_range("place_rank: rank " + std::to_string(rank) + " of " + std::to_string(identities.size()));
  return place_ranks(identities)[size_t(rank)];
}

namespace {

std::string encode_claim(const LauncherClaim& c) { return c.set() ? c.text() : "-"; }

LauncherClaim decode_claim(const std::string& text) {
  const size_t eq = text.find('=');
  if (text == "-" || eq == std::string::npos) return {};
  return {text.substr(0, eq), std::stoi(text.substr(eq + 1))};
}

}  // namespace

std::string encode_report(const RankNodeReport& report) {
  return report.identity + "\n" + encode_claim(report.local_rank) + "\n" + encode_claim(report.local_size);
}

RankNodeReport decode_report(const std::string& text) {
  const size_t a = text.find('\n'), b = a == std::string::npos ? a : text.find('\n', a + 1);
  if (b == std::string::npos) throw std::runtime_error("rendezvous: malformed node report '" + text + "'");
  return {text.substr(0, a), decode_claim(text.substr(a + 1, b - a - 1)), decode_claim(text.substr(b + 1))};
}

std::vector<std::string> launcher_disagreements(const std::vector<RankNodeReport>& reports) {
  std::vector<std::string> identities;
  for (const auto& r : reports) identities.push_back(r.identity);
  const std::vector<NodePlacement> placed = place_ranks(identities);
  std::vector<std::string> lines;
  for (int rank = 0; rank < int(reports.size()); ++rank) {
    const NodePlacement& p = placed[size_t(rank)];
    const RankNodeReport& r = reports[size_t(rank)];
    const bool rank_differs = r.local_rank.set() && r.local_rank.value != p.local_rank;
    const bool size_differs = r.local_size.set() && r.local_size.value != p.local_size;
    if (!rank_differs && !size_differs) continue;
    std::string claims = rank_differs ? r.local_rank.text() : "";
    if (size_differs) claims += (claims.empty() ? "" : " and ") + r.local_size.text();
    lines.push_back("rank " + std::to_string(rank) + ": the launcher's " + claims +
                    " disagree(s) with the ranks' exchanged node identities, which make it local rank " +
                    std::to_string(p.local_rank) + " of " + std::to_string(p.local_size) + " on node " +
                    std::to_string(p.node) + " of " + std::to_string(p.nodes) + " (" + node_host(r.identity) +
                    "); using the exchanged placement");
  }
  return lines;
}

int slurm_tasks_on_node(const std::string& tasks_per_node, int node_index) {
  auto bad = [&](const std::string& why) {
    return std::runtime_error("SLURM_TASKS_PER_NODE: '" + tasks_per_node + "' " + why);
  };
  // "<count>" or "<count>(x<repeat>)", comma-separated; the whole value is checked, not only up
  // to the node asked for.
  auto number = [&](size_t& at) {
    size_t used = 0;
    int value = 0;
    try {
      if (at < tasks_per_node.size() && std::isdigit(static_cast<unsigned char>(tasks_per_node[at])))
        value = std::stoi(tasks_per_node.substr(at), &used);
    } catch (const std::exception&) {
    }
    if (used == 0) throw bad("is not a list like 2(x3),1");
    if (value < 1) throw bad("counts must be positive");
    at += used;
    return value;
  };
  std::vector<int> tasks;
  size_t at = 0;
  do {
    if (!tasks.empty()) ++at;  // the comma
    const int count = number(at);
    int repeat = 1;
    if (tasks_per_node.compare(at, 2, "(x") == 0) {
      at += 2;
      repeat = number(at);
      if (at >= tasks_per_node.size() || tasks_per_node[at] != ')') throw bad("has an unclosed '(x'");
      ++at;
    }
    tasks.insert(tasks.end(), size_t(repeat), count);
  } while (at < tasks_per_node.size() && tasks_per_node[at] == ',');
  if (at != tasks_per_node.size()) throw bad("is not a list like 2(x3),1");
  if (node_index < 0 || node_index >= int(tasks.size()))
    throw bad("lists " + std::to_string(tasks.size()) + " node(s), no node " + std::to_string(node_index));
  return tasks[size_t(node_index)];
}

}  // namespace p2l
