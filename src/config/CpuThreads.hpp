#pragma once
// How many CPU threads one process of a run uses (run.threads): the one rule every stage
// follows; the executables hand the result to torch::set_num_threads or ITK.

namespace p2l {

// `run_threads` when positive (run.threads), else the node's cores divided by the ranks on
// the node, at least 1, so ranks sharing a node split its cores instead of oversubscribing it.
int cpu_threads(int run_threads, int ranks_on_node);
// The same with the node's core count given (std::thread::hardware_concurrency above; 0 when
// unknown counts as 1).
int cpu_threads(int run_threads, int ranks_on_node, int cores);

}  // namespace p2l
