#include "scoring/ResultTables.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "config/EvalChoices.hpp"
#include "io/AtomicFile.hpp"
#include "io/Csv.hpp"

namespace p2l {
namespace {

const SummaryRow* find(const MethodResults& r, const std::string& method, const std::string& rule,
                       const std::string& set) {
  for (const auto& s : r.summary)
    if (s.method == method && s.rule == rule && s.set == set) return &s;
  return nullptr;
}

}  // namespace

void write_volume_csv(const std::string& path, const MethodResults& r,
                      const std::map<std::string, std::string>& img_names) {
  std::ostringstream os;
  os << "method,threshold_rule,set,id,img_name,label,threshold,auroc,auprc,dice,precision,recall,fpr,"
        "specificity,hd95_mm,hd_max_mm,gt_lesion_ml,pred_lesion_ml,method_id,threshold_rule_id\n";
  for (const auto& v : r.volumes) {
    const auto name = img_names.find(v.id);
    os << csv_quote(v.method) << "," << csv_quote(v.rule) << "," << v.set << "," << csv_quote(v.id) << ","
       << csv_quote(name == img_names.end() ? v.id : name->second) << "," << v.label
       << "," << csv_number(v.threshold) << "," << csv_number(v.auroc) << "," << csv_number(v.auprc) << ","
       << csv_number(v.dice) << "," << csv_number(v.precision) << "," << csv_number(v.recall) << ","
       << csv_number(v.fpr) << "," << csv_number(v.specificity) << "," << csv_number(v.hd95) << ","
       << csv_number(v.hd_max) << "," << csv_number(v.gt_ml) << "," << csv_number(v.pred_ml) << ","
       << csv_quote(v.method_id) << "," << csv_quote(v.rule_id) << "\n";
  }
  write_file_atomic(path, os.str());
}

void write_summary_csv(const std::string& path, const MethodResults& r) {
  std::ostringstream os;
  os << "method,threshold_rule,set,metric,mean,std,defined,volumes,slice_auroc,slice_auprc,method_id,threshold_rule_id\n";
  for (const auto& s : r.summary)
    for (const auto& [name, m] : s.metrics)
      os << csv_quote(s.method) << "," << csv_quote(s.rule) << "," << s.set << "," << name << ","
         << csv_number(m.mean) << "," << csv_number(m.std) << "," << m.defined << "," << m.total << ","
         << csv_number(s.slice_auroc) << "," << csv_number(s.slice_auprc) << "," << csv_quote(s.method_id) << ","
         << csv_quote(s.rule_id) << "\n";
  write_file_atomic(path, os.str());
}

MarkdownTable benchmark_table(const MethodResults& r, const std::vector<std::string>& sets,
                              const std::string& healthy_name) {
  MarkdownTable t;
  t.header = {"Method", "Threshold"};
  for (const auto& set : sets) t.header.push_back(set + " Dice"), t.header.push_back(set + " AUPRC");
  t.header.push_back(healthy_name + " FPR");
  for (const auto& [method, rule] : r.rows) {
    std::vector<std::string> row = {method, rule};
    bool any = false;
    for (const auto& set : sets) {
      const SummaryRow* s = find(r, method, rule, set);
      any = any || s;
      for (const SummaryMetric metric : {SummaryMetric::kDice, SummaryMetric::kAuprc}) {
        if (!s) {
          row.push_back("-");
          continue;
        }
        const MeanStd& m = s->metrics.at(summary_metrics().id(metric));
        row.push_back(mean_pm_std(m.mean, m.std, m.defined, m.total));
      }
    }
    const SummaryRow* h = find(r, method, rule, healthy_name);
    const MeanStd* fpr = h ? &h->metrics.at(summary_metrics().id(SummaryMetric::kFpr)) : nullptr;
    row.push_back(fpr ? mean_pm_std(fpr->mean, fpr->std, fpr->defined, fpr->total, 4) : "-");
    if (any || h) t.rows.push_back(row);
  }
  return t;
}

}  // namespace p2l
