#include "config/RunConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, RunConfig& c) {
  s.add("run.output_dir", &c.output_dir, "directory for every output of the run (stores, checkpoints, heatmaps, report)");
  s.add("run.seed", &c.seed, "master random seed (folds, sampling, cohort generation)", 0, 4294967295L);
  s.add("run.threads", &c.threads, "CPU threads per process (0: all cores / ranks on the node)", 0, 4096);
  s.add("run.progress_seconds", &c.progress_seconds, "seconds between progress lines", 0.0, 3600.0);
  s.add("run.network_interface", &c.network_interface, "network interface the ranks talk over between nodes (eth1, ib0, ...): Open MPI's TCP layer, Gloo, NCCL and the address rank 0 advertises all use it, and a name this host lacks is an error before any rendezvous; auto: each transport chooses (docs/CLUSTER.md)");
}

}  // namespace p2l
