#pragma once
// The comparison table of a sweep (`p2l-sweep report`): one row per point (and per method when
// several are chosen), the swept keys as columns, then each set's metrics (report.metrics,
// default Dice and AUPRC) from the point's report/results_summary.csv at report.threshold_rule.
// A point that is not done is a row with its state and no numbers; it blocks nothing. With the
// spec's `fuse`, the fused evaluation (DIR/fused) adds one row per multi-scale method
// (multiscale_<rule>), point "fused", each key's values over the points joined with '+'.
#include <map>
#include <string>
#include <vector>

#include "sweep/SweepPlan.hpp"
#include "sweep/SweepStatus.hpp"

namespace p2l {

// `method` and `rule` are the evaluation's stable ids (Method::id, ThresholdRule::id:
// results_summary.csv's method_id, threshold_rule_id); the table and the nightly regression
// match rows on them, so a reworded display label changes nothing.
struct SweepTableRow {
  std::string point, method, rule, state;  // point: its folder name ("fused": the fused evaluation's);
                                           // state: "done" or why there are no numbers
  std::vector<std::string> values;         // the swept keys' values, in SweepTable::keys order
  std::map<std::string, double> metrics;   // column ("tumor dice") -> mean
  std::string method_label;                // for headings: the method's table label
};

struct SweepTable {
  std::vector<std::string> keys;
  std::vector<std::string> columns;  // "<set> <metric>", in order
  std::vector<SweepTableRow> rows;
};

SweepTable build_sweep_table(const SweepPlan& plan, const SweepStatus& status);

std::string sweep_table_markdown(const SweepTable& t);
std::string sweep_table_csv(const SweepTable& t);
// Reads a table written by sweep_table_csv; throws naming the file.
SweepTable read_sweep_table_csv(const std::string& path);

// Writes DIR/report/sweep_table.{md,csv} and DIR/report/index.html (the table, each point's
// resolved values and links to the points' own HTML reports), atomically.
void write_sweep_report(const SweepPlan& plan, const SweepTable& t, const SweepStatus& status,
                        const std::string& provenance);

}  // namespace p2l
