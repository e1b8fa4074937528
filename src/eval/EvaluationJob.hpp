#pragma once
// p2l-evaluate's job on one MPI rank: heatmaps of every test set's _val and _test splits, the
// healthy test split and the healthy reference split (subjects dealt round-robin over ranks,
// cached), then, on rank 0, thresholds, metrics of every method, CSV results, the benchmark table,
// figures and report/report.md. A subject that fails is reported and left out; the others go
// on. See docs/EVALUATION.md.
namespace p2l {

struct Config;
class World;

// This process's part of the job: its rank, the job's size and its place on its node come from
// `world`. Returns the process exit code: 0, or 1 when any subject failed (summarised by reason on
// rank 0). Throws on job-level errors (missing checkpoint, a command-line setting the checkpoint
// was not trained with, store without a test split or without the healthy reference split, bad
// fusion maps).
int run_evaluation(Config& cfg, World& world);

}  // namespace p2l
