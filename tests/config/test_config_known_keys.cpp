// The config layer's shared rules: the one key checker with suggestions (config sections and
// keys, sweep specs, cluster profiles, method grids), the fusion-pair syntax, and the train.*
// keys the autoencoder replaces.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>
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
  std::vector<std::string> replaced = autoencoder_replaced_train_keys();
  std::sort(keys.begin(), keys.end());
  std::sort(replaced.begin(), replaced.end());
  EXPECT_EQ(replaced, keys);

  Config base, changed;
  for (const auto& o : overrides) changed.apply_override(o);
  EXPECT_NE(shown(changed.train), shown(base.train));
  // Changing only the listed keys does not reach the autoencoder ...
  EXPECT_EQ(shown(autoencoder_train_config(changed.train, changed.ae)), shown(autoencoder_train_config(base.train, base.ae)));
  const TrainConfig t = autoencoder_train_config(changed.train, changed.ae);
  EXPECT_EQ(t.lr, base.ae.lr);
  EXPECT_EQ(t.schedule, base.ae.schedule);
  EXPECT_EQ(t.warmup_steps, base.ae.warmup_steps);
  EXPECT_EQ(t.lr_scaling, LrScaling::kNone);
  EXPECT_EQ(t.steps, base.ae.steps);
  EXPECT_EQ(t.val_every, base.ae.val_every);
  EXPECT_EQ(t.checkpoint_every, base.ae.checkpoint_every);
  EXPECT_EQ(t.log_every, base.ae.log_every);
  // ... while any other train.* key does.
  changed.apply_override("train.min_lr_fraction=0.3");
  changed.apply_override("train.device=cpu");
  const TrainConfig u = autoencoder_train_config(changed.train, changed.ae);
  EXPECT_EQ(u.min_lr_fraction, 0.3);
  EXPECT_EQ(u.device, DeviceRequest::kCpu);
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

// The autoencoder's loop keys are train's, bound by one function: the same names, documents and
// ranges under ae.*, with the autoencoder's own defaults.
TEST(AutoencoderTrainKeys, TheLoopKeysAreBoundOnceForBothModels) {
  Config c;
  const Schema s = c.schema();
  size_t loop_keys = 0;
  for (const auto& k : autoencoder_replaced_train_keys()) {
    if (k == "train.lr_scaling") continue;
    const auto* t = s.find(k);
    const auto* a = s.find("ae." + k.substr(6));
    ASSERT_NE(a, nullptr) << k;
    EXPECT_EQ(a->type, t->type) << k;
    EXPECT_EQ(a->range, t->range) << k;
    ++loop_keys;
  }
  EXPECT_EQ(loop_keys, 7u);
  EXPECT_EQ(c.ae.schedule, LrSchedule::kCosine);
  EXPECT_EQ(c.train.schedule, LrSchedule::kConstant);
  EXPECT_EQ(c.ae.steps, 2000);
}

// Every closed vocabulary is checked where the config is read: an unknown value is an error
// naming the key and every accepted value, and the field keeps its value.
TEST(TypedChoices, EveryChoiceKeyRejectsAnUnknownValueListingTheAllowedOnes) {
  Config c;
  const Schema s = c.schema();
  size_t choice_keys = 0;
  for (const auto& f : s.fields()) {
    const std::string prefix = f.type == "string list" ? "list of one of " : "one of ";
    if (f.range.rfind(prefix, 0) != 0) continue;
    ++choice_keys;
    const std::string before = f.show();
    std::string error;
    try {
      c.apply_override(f.key + "=no_such_value");
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
    EXPECT_NE(error.find(f.key), std::string::npos) << f.key << ": " << error;
    EXPECT_NE(error.find("'no_such_value' is not a valid choice"), std::string::npos) << f.key << ": " << error;
    std::istringstream ids(f.range.substr(prefix.size()));
    for (std::string id; ids >> id;) EXPECT_NE(error.find(" " + id), std::string::npos) << f.key << " lists " << id;
    EXPECT_EQ(c.schema().find(f.key)->show(), before) << f.key;
  }
  // train: loss, schedule, lr_scaling, device, precision, backend; ae: loss, schedule;
  // data.modality; eval: score, precision, select and the others.
  EXPECT_GE(choice_keys, 12u);
}
