#pragma once
// Box plots of one metric per set and method (the report's Dice and AUPRC figures).
#include <string>
#include <vector>

#include "report/FigureFiles.hpp"

namespace p2l {

// Values of one metric: groups (sets) along x, one box per method in every group.
struct BoxPlotData {
  std::vector<std::string> groups;                   // e.g. the data sets
  std::vector<std::string> methods;                  // legend order
  std::vector<std::vector<std::vector<double>>> values;  // [group][method] -> values (NaN ignored)
};

// Tukey box plots (see box_stats): box from the 1st to the 3rd quartile, the median, whiskers to
// the most extreme values within 1.5 IQR of the box, the values beyond as circles (every value as
// a dot when a box has fewer than 10); a legend of the methods, n per group under its name.
FigureFiles plot_box_plots(const std::string& base, const BoxPlotData& d, const std::string& y_label,
                           const std::string& title);

}  // namespace p2l
