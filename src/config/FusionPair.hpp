#pragma once
// A fusion pair "a*b" (eval.fusion_pairs, eval.select_fusion_pairs, method-grid files): fuse map
// source a with map source b. Parsed here, in the config layer, so that the sweep planner and
// the scoring read one syntax.
#include <string>
#include <utility>

namespace p2l {

// "a*b" -> {a, b}; throws "<what> '<pair>': expected two map sources as a*b (e.g.
// patch2loc*zscore)" when it is not two non-empty names around a single '*'.
std::pair<std::string, std::string> parse_fusion_pair(const std::string& pair, const std::string& what);

}  // namespace p2l
