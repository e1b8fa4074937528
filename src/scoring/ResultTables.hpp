#pragma once
// Writes the scored methods: per-volume and summary CSV, and the benchmark table shaped like
// the paper's Table 1 (rows: method and threshold rule; columns: data sets with Dice and AUPRC).
// The CSVs name each row by its labels (columns setting, threshold_rule) and by its stable ids
// (method_id, threshold_rule_id: what p2l-sweep and the nightly regression match on).
#include <map>
#include <string>

#include "scoring/MethodScoring.hpp"
#include "report/MarkdownTable.hpp"

namespace p2l {

// `img_names`: the split CSV's img_name of each subject id (the id column is the clean id).
void write_volume_csv(const std::string& path, const MethodResults& r,
                      const std::map<std::string, std::string>& img_names);
void write_summary_csv(const std::string& path, const MethodResults& r);
// Columns: Method, Threshold, then "<set> Dice" and "<set> AUPRC" per set, then
// "<healthy> FPR" (false-positive rate on the healthy test volumes).
MarkdownTable benchmark_table(const MethodResults& r, const std::vector<std::string>& sets,
                              const std::string& healthy_name);

}  // namespace p2l
