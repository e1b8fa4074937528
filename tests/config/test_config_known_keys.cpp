// The config layer's shared rules: the one key checker with suggestions (config sections and
// keys, sweep specs, cluster profiles, method grids), the fusion-pair syntax, and the train.*
// keys the autoencoder replaces.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "config/FusionPair.hpp"
#include "config/KnownKeys.hpp"
#include "support/ErrorOf.hpp"

using namespace p2l;
using p2l::testing::error_of;

TEST(KnownKeys, EditAndKeyDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("grid", "grid"), 0u);
  // Dotted keys: the name part alone, plus one for the other section.
  EXPECT_EQ(key_distance("eval.lr", "train.lr"), 1u);
  EXPECT_EQ(key_distance("train.lrr", "train.lr"), 1u);
  // Only when both are dotted: a plain known key is compared whole.
  EXPECT_EQ(key_distance("grid.lr", "lr"), edit_distance("grid.lr", "lr"));
}

TEST(KnownKeys, ClosestKeyIsTheFirstOfTheNearest) {
  EXPECT_EQ(closest_key("eval.lr", {"eval.stride", "train.lr"}), "train.lr");  // wrong section
  EXPECT_EQ(closest_key("ab", {"aa", "bb"}), "aa");
  EXPECT_EQ(closest_key("x", {}), "");
}

TEST(KnownKeys, MappingKeysAreCheckedWithPathKeyAndSuggestion) {
  const YAML::Node ok = YAML::Load("grid: 1\npoints: 2\n");
  EXPECT_NO_THROW(check_known_keys(ok, "s.yaml", {"grid", "points", "dir"}));
  EXPECT_EQ(error_of([] { check_known_keys(YAML::Load("grid: 1\ngrids: 2\n"), "s.yaml", {"grid", "points"}); }),
            "s.yaml: unknown key 'grids' (did you mean 'grid'?)");
  EXPECT_EQ(error_of([] { check_known_keys(YAML::Load("median_size: [3]\n"), "m.yaml", {"sources", "median_sizes"},
                                           "sweep key"); }),
            "m.yaml: unknown sweep key 'median_size' (did you mean 'median_sizes'?)");
  EXPECT_EQ(error_of([] { check_known_keys(YAML::Load("[1, 2]"), "s.yaml: report", {"methods"}); }),
            "s.yaml: report: must be a mapping");
  EXPECT_EQ(error_of([] { check_known_key("trian", "o", {"train", "eval"}, "stage"); }),
            "o: unknown stage 'trian' (did you mean 'train'?)");
  EXPECT_NO_THROW(check_known_key("eval", "o", {"train", "eval"}));
}

TEST(KnownKeys, ConfigSectionsAndKeysUseTheSameCheck) {
  Config c;
  EXPECT_EQ(error_of([&] { c.apply_yaml("trian:\n  lr: 0.1\n", "x.yaml"); }),
            "x.yaml: unknown config section 'trian' (did you mean 'train'?)");
  EXPECT_EQ(error_of([&] { c.apply_yaml("train:\n  lrr: 0.1\n", "x.yaml"); }),
            "x.yaml: unknown config key 'train.lrr' (did you mean 'train.lr'?)");
  // A key in the wrong section finds its section's key.
  EXPECT_EQ(error_of([&] { c.apply_override("eval.patch_fraction=0.1"); }),
            "override 'eval.patch_fraction=0.1': unknown config key 'eval.patch_fraction' (did you mean "
            "'train.patch_fraction'?)");
  const Schema s = c.schema();
  const std::vector<std::string> keys = s.keys(), sections = s.sections();
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.size(), s.fields().size());
  EXPECT_EQ(sections.front(), keys.front().substr(0, keys.front().find('.')));
  for (const char* sec : {"run", "data", "train", "eval", "ae"})
    EXPECT_NE(std::find(sections.begin(), sections.end(), sec), sections.end()) << sec;
}

TEST(FusionPair, TwoNamesAroundOneStar) {
  EXPECT_EQ(parse_fusion_pair("patch2loc*zscore", "p"), (std::pair<std::string, std::string>{"patch2loc", "zscore"}));
  for (const std::string bad : {"patch2loc", "*zscore", "patch2loc*", "a*b*c", ""})
    EXPECT_EQ(error_of([&] { parse_fusion_pair(bad, "eval.fusion_pairs"); }),
              "eval.fusion_pairs '" + bad + "': expected two map sources as a*b (e.g. patch2loc*zscore)");
}

namespace {
// Every train.* field as "key=value", to compare two TrainConfigs whole.
std::vector<std::string> shown(TrainConfig t) {
  Schema s;
  bind(s, t);
  std::vector<std::string> out;
  for (const auto& f : s.fields()) out.push_back(f.key + "=" + f.show());
  return out;
}
}  // namespace

TEST(AutoencoderTrainKeys, TheListedKeysAreExactlyTheOnesItReplaces) {
  const std::vector<std::string> overrides = {"train.lr=0.123",         "train.schedule=step", "train.warmup_steps=7",
                                              "train.lr_scaling=sqrt",  "train.steps=11",      "train.val_every=13",
                                              "train.checkpoint_every=17", "train.log_every=19"};
  std::vector<std::string> keys;
  for (const auto& o : overrides) keys.push_back(o.substr(0, o.find('=')));
  EXPECT_EQ(autoencoder_replaced_train_keys(), keys);

  Config base, changed;
  for (const auto& o : overrides) changed.apply_override(o);
  EXPECT_NE(shown(changed.train), shown(base.train));
  // Changing only the listed keys does not reach the autoencoder ...
  EXPECT_EQ(shown(autoencoder_train_config(changed.train, changed.ae)), shown(autoencoder_train_config(base.train, base.ae)));
  const TrainConfig t = autoencoder_train_config(changed.train, changed.ae);
  EXPECT_EQ(t.lr, base.ae.lr);
  EXPECT_EQ(t.schedule, base.ae.schedule);
  EXPECT_EQ(t.warmup_steps, base.ae.warmup_steps);
  EXPECT_EQ(t.lr_scaling, "none");
  EXPECT_EQ(t.steps, base.ae.steps);
  EXPECT_EQ(t.val_every, base.ae.val_every);
  EXPECT_EQ(t.checkpoint_every, base.ae.checkpoint_every);
  EXPECT_EQ(t.log_every, base.ae.log_every);
  // ... while any other train.* key does.
  changed.apply_override("train.min_lr_fraction=0.3");
  changed.apply_override("train.device=cpu");
  const TrainConfig u = autoencoder_train_config(changed.train, changed.ae);
  EXPECT_EQ(u.min_lr_fraction, 0.3);
  EXPECT_EQ(u.device, "cpu");
}

// Every train.* key says which trained models it can change (the sweep planner retrains the
// shared autoencoder only for those that change it): a new key left unclassified fails here.
TEST(TrainingKeyScope, EveryTrainingKeyIsClassifiedAndTheReplacedOnesArePatch2LocsAlone) {
  Config c;
  const Schema s = c.schema();
  size_t train_keys = 0;
  for (const auto& f : s.fields()) {
    if (f.key.rfind("train.", 0) != 0) continue;
    ++train_keys;
    EXPECT_NE(f.scope, Schema::Scope::unclassified)
        << f.key << ": say in TrainConfig.cpp whether it can change the autoencoder (Schema::set_scope)";
  }
  EXPECT_GT(train_keys, 30u);
  for (const auto& k : autoencoder_replaced_train_keys())
    EXPECT_EQ(s.find(k)->scope, Schema::Scope::patch2loc_only) << k << " is replaced by an ae.* key";
  // The autoencoder reads ae.min_brain_fraction, never train.min_brain_fraction.
  EXPECT_EQ(s.find("train.min_brain_fraction")->scope, Schema::Scope::patch2loc_only);
  EXPECT_EQ(s.find("train.precision")->scope, Schema::Scope::every_model);
  EXPECT_THROW(c.schema().set_scope({"train.no_such_key"}, Schema::Scope::every_model), std::logic_error);
}
