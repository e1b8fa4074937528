#pragma once
// Overnight regression (`p2l-sweep nightly`): each night's sweep table is archived in
// DIR/nightly/<time>/ (table.csv, table.md, meta.txt with the commit), the last
// nightly.keep archives are kept, and the new table is compared with the previous night's:
// DIR/regression.md lists every metric that moved by more than nightly.tolerance in either
// direction, with both values and both commits. A metric that got worse beyond the
// tolerance (its direction: sweep/TableMetrics.hpp), or a point that was done and now is not,
// is a regression.
#include <string>
#include <vector>

#include "sweep/SweepPlan.hpp"
#include "sweep/SweepTable.hpp"

namespace p2l {

struct MetricChange {
  std::string point, method, column;  // column "" : the point's state changed
  double before = 0, after = 0;
  std::string state_before, state_after;
  bool worse = false;
};

struct Regression {
  std::vector<MetricChange> changes;  // everything that moved beyond the tolerance
  std::vector<std::string> notes;     // rows or columns found in only one table
  size_t worse() const;
};

Regression compare_sweep_tables(const SweepTable& before, const SweepTable& after, double tolerance);

struct NightlyArchive {
  std::string dir;  // DIR/nightly/<time>
  std::string commit, time;
};

// The archives in DIR/nightly, oldest first.
std::vector<NightlyArchive> list_nightly_archives(const SweepPlan& plan);
// Archives `table` as a new night and removes the oldest archives beyond nightly.keep.
NightlyArchive archive_nightly_table(const SweepPlan& plan, const SweepTable& table, const std::string& commit);

std::string regression_markdown(const Regression& r, const NightlyArchive& before, const NightlyArchive& after,
                                double tolerance);

}  // namespace p2l
