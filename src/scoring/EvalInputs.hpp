#pragma once
// The evaluation's data model: the volumes of one evaluation with their raw Patch2Loc score
// maps, masks and segmentations, grouped by split. Built by src/eval from the store and the
// heatmap cache; everything in src/scoring reads it. Every split is a list loaded one subject
// at a time, so scoring needs memory for one volume, however many there are.
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
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

// The subjects of one split, in order: held in memory, or loaded on each get() (from the store
// and the heatmap cache) and released by the caller, so a pass over the list holds one subject.
class SubjectList {
 public:
  SubjectList() = default;
  SubjectList(std::vector<EvalSubject> held);  // NOLINT: lists of hand-made subjects in tests
  SubjectList(std::initializer_list<EvalSubject> held) : SubjectList(std::vector<EvalSubject>(held)) {}
  SubjectList(std::vector<std::string> ids, std::function<EvalSubject(const std::string& id)> load);

  size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  const std::string& id(size_t i) const { return ids_[i]; }
  // Subject i (held: shared, no copy; lazy: loaded now).
  std::shared_ptr<const EvalSubject> get(size_t i) const;

 private:
  std::vector<std::string> ids_;
  std::shared_ptr<const std::vector<EvalSubject>> held_;
  std::function<EvalSubject(const std::string&)> load_;
};

struct EvalInputs {
  std::vector<std::string> sets;                         // diseased data sets, table column order
  std::map<std::string, SubjectList> test;               // per set, loaded one subject at a time
  std::map<std::string, SubjectList> val;                // per set; may lack a set
  SubjectList healthy_reference;                         // thresholds and fusion statistics
  SubjectList healthy_test;                              // evaluated for false positives
  std::string healthy_name = "healthy";
  std::map<std::string, std::string> source_dirs;  // map source name -> folder of <id>.nii.gz
  int erode_mask = 0;
  MapFilter map_filter = filter_and_mask;  // median + mask of Patch2Loc maps (CPU or device)
};

}  // namespace p2l
