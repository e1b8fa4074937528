#pragma once
// The evaluation's data model: the volumes of one evaluation with their raw Patch2Loc score
// maps, masks and segmentations, grouped by split. Built by src/eval from the store and the
// heatmap cache; everything in src/scoring reads it.
#include <map>
#include <string>
#include <vector>

#include "io/Volume.hpp"
#include "scoring/MedianFilter.hpp"
#include "scoring/ScoreGrid.hpp"

namespace p2l {

struct EvalSubject {
  std::string id;
  int label = 0;
  LabelVolume mask;
  LabelVolume seg;  // empty data: no segmentation (healthy)
  ScoreMaps raw;
  FloatVolume image;  // the preprocessed scan, for figures only (may be empty)
  Geometry source_geom;  // the input scan's grid (size 0: unknown), for the outputs users open
};

struct EvalInputs {
  std::vector<std::string> sets;                         // diseased data sets, table column order
  std::map<std::string, std::vector<EvalSubject>> test;  // per set
  std::map<std::string, std::vector<EvalSubject>> val;   // per set; may lack a set
  std::vector<EvalSubject> healthy_reference;            // thresholds and fusion statistics
  std::vector<EvalSubject> healthy_test;                 // evaluated for false positives
  std::string healthy_name = "healthy";
  std::map<std::string, std::string> source_dirs;  // map source name -> folder of <id>.nii.gz
  int erode_mask = 0;
  MapFilter map_filter = filter_and_mask;  // median + mask of Patch2Loc maps (CPU or device)
};

}  // namespace p2l
