#pragma once
// The maps of one evaluation method (MethodGrid.hpp's Method) for the subjects of an
// evaluation: a source's map, or two sources fused with statistics of the healthy reference.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "scoring/Fusion.hpp"
#include "scoring/MethodScoring.hpp"
#include "scoring/Thresholds.hpp"

namespace p2l {

// Source maps of subjects, 0 outside the (eroded) brain mask. Patch2Loc maps of one
// (score, median) variant are kept while consecutive calls use it, so a fusion reuses the maps
// of the Patch2Loc method before it. With `keep_external`, maps read from a source folder are
// kept too. Keyed by the subject's address: a cache lives while its subjects are loaded (the
// held-split passes and the test scoring make one per volume).
class SourceMaps {
 public:
  SourceMaps(const EvalInputs& in, bool keep_external) : in_(in), keep_external_(keep_external) {}
  // Throws naming the source when it is neither Patch2Loc nor a known map folder.
  FloatVolume get(const EvalSubject& s, const std::string& source, const Method& m);

 private:
  const EvalInputs& in_;
  bool keep_external_;
  std::string patch2loc_key_;
  std::map<const EvalSubject*, FloatVolume> patch2loc_;
  std::map<std::pair<std::string, const EvalSubject*>, FloatVolume> external_;
};

// Builds the maps of one method, fused with the healthy reference's statistics of its two
// sources (scoring/HeldSplits.hpp; unused without fusion).
class MethodMaps {
 public:
  MethodMaps(const Method& m, const EvalInputs& in, SourceMaps& sources, MapStats source_stats, MapStats partner_stats)
      : m_(m), in_(in), sources_(sources), sa_(std::move(source_stats)), sb_(std::move(partner_stats)) {}
  FloatVolume operator()(const EvalSubject& s) const { return (*this)(s, sources_); }
  // The map of `s` through another cache (e.g. one that lives only while `s` is loaded).
  FloatVolume operator()(const EvalSubject& s, SourceMaps& sources) const;
  const EvalInputs& inputs() const { return in_; }
  const MapStats& source_stats() const { return sa_; }
  const MapStats& partner_stats() const { return sb_; }

 private:
  Method m_;
  const EvalInputs& in_;
  SourceMaps& sources_;
  MapStats sa_, sb_;
};

// The in-brain scores of a subject's map, with its lesion labels (0 for a healthy subject).
ScoredVolume in_brain(const EvalSubject& s, const FloatVolume& map);

}  // namespace p2l
