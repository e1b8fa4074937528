// The store schema round trip: a subject written to a shard and listed in a manifest comes back
// identical through StoreReader, with every attribute.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "store/Checksum.hpp"
#include "store/Manifest.hpp"
#include "store/ShardFile.hpp"
#include "store/StoreReader.hpp"

namespace p2l {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("p2l_test_store_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

SubjectSlices make_subject(const std::string& id, const std::string& split, int seed, bool seg) {
  SubjectSlices s;
  s.id = id;
  s.split = split;
  s.label = seg ? 1 : 0;
  s.age = seg ? 41.5 : NAN;
  s.depth = 3;
  s.height = 4;
  s.width = 5;
  s.geom.size = {4, 5, 3};
  s.geom.spacing = {2, 2.5, 3};
  s.geom.origin = {-10.25, 7, 1e-3};
  s.geom.direction = {0, 1, 0, -1, 0, 0, 0, 0, 1};
  s.source_geom.size = {9, 10, 11};
  s.source_geom.spacing = {1, 1.25, 1.5};
  s.source_geom.origin = {-30, 12.5, -4};
  s.source_geom.direction = {0, 1, 0, -1, 0, 0, 0, 0, 1};
  for (int i = 0; i < 60; ++i) {
    s.image.push_back(float((i * 37 + seed) % 61) / 60.f);
    s.mask.push_back(uint8_t((i + seed) % 3 != 0));
    if (seg) s.seg.push_back(uint8_t((i + seed) % 7 == 0));
  }
  return s;
}

SubjectProvenance make_provenance(const std::string& id) {
  SubjectProvenance p;
  p.image_path = "/data/Test/x/t2/" + id + "_t2.nii.gz";
  p.mask_path = "/data/Test/x/mask/" + id + "_mask.nii.gz";
  p.seg_path = "";
  p.image_checksum = "0123456789abcdef";
  p.mask_checksum = "fedcba9876543210";
  p.config_hash = "00000000deadbeef";
  p.crop_offset = {2, -1, 4};
  return p;
}

void expect_same(const SubjectSlices& a, const SubjectSlices& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.split, b.split);
  EXPECT_EQ(a.label, b.label);
  if (std::isnan(a.age)) EXPECT_TRUE(std::isnan(b.age));
  else EXPECT_EQ(a.age, b.age);
  EXPECT_EQ(a.depth, b.depth);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.image, b.image);
  EXPECT_EQ(a.mask, b.mask);
  EXPECT_EQ(a.seg, b.seg);
  EXPECT_EQ(a.geom.size, b.geom.size);
  EXPECT_EQ(a.geom.spacing, b.geom.spacing);
  EXPECT_EQ(a.geom.origin, b.geom.origin);
  EXPECT_EQ(a.geom.direction, b.geom.direction);
  EXPECT_EQ(a.source_geom.size, b.source_geom.size);
  EXPECT_EQ(a.source_geom.spacing, b.source_geom.spacing);
  EXPECT_EQ(a.source_geom.origin, b.source_geom.origin);
  EXPECT_EQ(a.source_geom.direction, b.source_geom.direction);
}

TEST(StoreRoundTrip, SubjectsComeBackIdenticalThroughTheReader) {
  std::string dir = fresh_dir("rt");
  auto a = make_subject("A", "tumor_test", 1, true);
  auto b = make_subject("B", "tumor_test", 2, false);
  auto c = make_subject("C", "IXI_train_fold0", 3, false);
  c.source_geom = Geometry{};  // an unknown input grid stays unknown
  {
    ShardWriter w0(dir + "/s0.h5", 4);
    w0.write(b, make_provenance("B"));
    w0.write(a, make_provenance("A"));
    w0.commit();
    ShardWriter w1(dir + "/s1.h5", 0);
    w1.write(c, make_provenance("C"));
    w1.commit();
  }
  Manifest m;
  m.modality = "t2";
  m.config_hash = "00000000deadbeef";
  m.shards = {{"s0.h5", 2}, {"s1.h5", 1}};
  m.split_order = {"IXI_train_fold0", "tumor_test"};
  m.splits["IXI_train_fold0"] = {{"C", "C_t1.nii.gz", "s1.h5", 3, 0, "x", "y", "", false}};
  m.splits["tumor_test"] = {{"A", "A", "s0.h5", 3, 1, "x", "y", "z", false},
                            {"B", "B", "s0.h5", 3, 0, "x", "y", "", true}};
  m.failures = {{"tumor_test", "D", "/data/D \"quoted\"\tpath", "corrupt: gzip\nstream"}};
  m.skipped = {{"IXI_train_fold0", "E", "E_t1.nii.gz", "not in the keep list /data/splits/avail_t2.csv"}};
  write_manifest(dir, m);

  StoreReader r(dir);
  EXPECT_EQ(r.splits(), m.split_order);
  EXPECT_EQ(r.subjects("tumor_test"), (std::vector<std::string>{"A", "B"}));  // manifest order
  EXPECT_EQ(r.img_name("IXI_train_fold0", "C"), "C_t1.nii.gz");
  expect_same(r.load("tumor_test", "A"), a);
  expect_same(r.load("tumor_test", "B"), b);
  expect_same(r.load("IXI_train_fold0", "C"), c);
  auto all = r.load_split("tumor_test");
  ASSERT_EQ(all.size(), 2u);
  expect_same(all[0], a);
  expect_same(all[1], b);
  auto p1 = r.load_partition("tumor_test", 1, 2);
  ASSERT_EQ(p1.size(), 1u);
  expect_same(p1[0], b);
  EXPECT_THROW(r.load("tumor_test", "C"), std::runtime_error);
  EXPECT_THROW(r.subjects("nope"), std::runtime_error);

  auto prov = read_shard_provenance(dir + "/s0.h5", "tumor_test", "A");
  EXPECT_TRUE(prov.same_inputs(make_provenance("A")));
  EXPECT_EQ(r.load("tumor_test", "A").source_geom.size, (std::array<size_t, 3>{9, 10, 11}));
  EXPECT_EQ(prov.crop_offset, (std::array<long, 3>{2, -1, 4}));
  auto listed = list_shard(dir + "/s0.h5");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, "A");
  EXPECT_EQ(listed[0].slices, 3);

  Manifest back = read_manifest(dir);
  EXPECT_EQ(back.failures.size(), 1u);
  EXPECT_EQ(back.failures[0].path, m.failures[0].path);
  EXPECT_EQ(back.failures[0].reason, m.failures[0].reason);
  ASSERT_EQ(back.skipped.size(), 1u);
  EXPECT_EQ(back.skipped[0].img_name, "E_t1.nii.gz");
  EXPECT_EQ(back.skipped[0].reason, m.skipped[0].reason);
  EXPECT_EQ(back.splits["tumor_test"][1].reused, true);
  EXPECT_EQ(back.splits["tumor_test"][0].seg_checksum, "z");
  fs::remove_all(dir);
}

TEST(StoreRoundTrip, UncommittedShardLeavesNoFile) {
  std::string dir = fresh_dir("abort");
  {
    ShardWriter w(dir + "/s.h5", 1);
    w.write(make_subject("A", "x", 1, false), make_provenance("A"));
  }  // destroyed without commit, as when a rank throws
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(StoreRoundTrip, MissingManifestAndBadNamesThrow) {
  std::string dir = fresh_dir("bad");
  EXPECT_THROW(StoreReader r(dir), std::runtime_error);
  ShardWriter w(dir + "/s.h5", 1);
  EXPECT_THROW(w.write(make_subject("a/b", "x", 1, false), make_provenance("a")), std::runtime_error);
  auto s = make_subject("A", "x", 1, false);
  s.mask.pop_back();
  EXPECT_THROW(w.write(s, make_provenance("A")), std::runtime_error);
  fs::remove_all(dir);
}

TEST(StoreChecksum, KnownFnv1aValues) {
  EXPECT_EQ(string_checksum(""), "cbf29ce484222325");
  EXPECT_EQ(string_checksum("a"), "af63dc4c8601ec8c");
  std::string dir = fresh_dir("sum");
  {
    std::ofstream f(dir + "/f");
    f << "a";
  }
  EXPECT_EQ(file_checksum(dir + "/f"), "af63dc4c8601ec8c");
  EXPECT_THROW(file_checksum(dir + "/missing"), std::runtime_error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace p2l
