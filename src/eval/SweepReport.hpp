#pragma once
// Writes sweep results: per-volume and summary CSV, and the benchmark table shaped like the
// paper's Table 1 (rows: setting and threshold rule; columns: data sets with Dice and AUPRC).
#include <map>
#include <string>

#include "eval/SweepRunner.hpp"
#include "report/MarkdownTable.hpp"

namespace p2l {

// `img_names`: the split CSV's img_name of each subject id (the id column is the clean id).
void write_volume_csv(const std::string& path, const SweepResults& r,
                      const std::map<std::string, std::string>& img_names);
void write_summary_csv(const std::string& path, const SweepResults& r);
// Columns: Method, Threshold, then "<set> Dice" and "<set> AUPRC" per set, then
// "<healthy> FPR" (false-positive rate on the healthy test volumes).
MarkdownTable benchmark_table(const SweepResults& r, const std::vector<std::string>& sets,
                              const std::string& healthy_name);

}  // namespace p2l
