#include <gtest/gtest.h>

#include "support/ErrorOf.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "io/AtomicFile.hpp"
#include "io/Nifti.hpp"
#include "support/TempDir.hpp"

namespace fs = std::filesystem;
using namespace p2l;

using p2l::testing::error_of;

namespace {

fs::path scratch(const std::string& name) {
  auto d = fs::temp_directory_path() / ("p2l_io_" + std::to_string(::getpid())) / name;
  fs::create_directories(d.parent_path());
  return d;
}

FloatVolume ramp(Geometry g) {
  FloatVolume v(g);
  for (size_t i = 0; i < v.data.size(); ++i) v.data[i] = float(i) * 0.5f - 3.0f;
  return v;
}

Geometry oblique_grid() {
  Geometry g;
  g.size = {5, 4, 3};
  g.spacing = {1.5, 0.75, 2.0};
  g.origin = {-10.0, 20.5, 3.25};
  // A rotation about z by 30 degrees: geometry must survive a round trip exactly.
  double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
  g.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  return g;
}

// A raw NIfTI-1 single file with arbitrary dims, to build inputs ITK would refuse to write.
void write_raw_nifti(const fs::path& p, std::vector<short> dims, const std::vector<float>& data) {
  char hdr[352] = {};
  int32_t sizeof_hdr = 348;
  std::memcpy(hdr, &sizeof_hdr, 4);
  short dim[8] = {short(dims.size()), 1, 1, 1, 1, 1, 1, 1};
  for (size_t i = 0; i < dims.size(); ++i) dim[i + 1] = dims[i];
  std::memcpy(hdr + 40, dim, sizeof dim);
  short datatype = 16, bitpix = 32;
  std::memcpy(hdr + 70, &datatype, 2);
  std::memcpy(hdr + 72, &bitpix, 2);
  float pixdim[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  std::memcpy(hdr + 76, pixdim, sizeof pixdim);
  float vox_offset = 352;
  std::memcpy(hdr + 108, &vox_offset, 4);
  std::memcpy(hdr + 344, "n+1\0", 4);
  std::ofstream out(p, std::ios::binary);
  out.write(hdr, sizeof hdr);
  out.write(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float));
}

}  // namespace

TEST(Nifti, RoundTripPreservesValuesAndGeometry) {
  for (const char* ext : {".nii", ".nii.gz"}) {
    auto p = scratch(std::string("ramp") + ext).string();
    FloatVolume v = ramp(oblique_grid());
    write_nifti(p, v);
    FloatVolume r = read_nifti_float(p);
    EXPECT_EQ(r.geom.size, v.geom.size) << ext;
    for (int d = 0; d < 3; ++d) {
      EXPECT_NEAR(r.geom.spacing[d], v.geom.spacing[d], 1e-6) << ext;
      EXPECT_NEAR(r.geom.origin[d], v.geom.origin[d], 1e-4) << ext;
    }
    for (int d = 0; d < 9; ++d) EXPECT_NEAR(r.geom.direction[d], v.geom.direction[d], 1e-5) << ext;
    EXPECT_EQ(r.data, v.data) << ext;
    EXPECT_EQ(r.geom.mismatch(v.geom, 1e-4), "");
    EXPECT_EQ(read_nifti_geometry(p).size, v.geom.size);
    // No temporary file is left next to the output.
    for (auto& e : fs::directory_iterator(fs::path(p).parent_path()))
      EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  }
}

// An img_name with its extension once made "<id>.nii.gz.nii.gz": ITK wrote the temporary file
// under another name, the rename failed and the temporary stayed behind.
TEST(Nifti, NamesWithTheExtensionTwiceAreWrittenWhereAskedAndLeaveNoTemporary) {
  p2l::testing::TempDir dir("p2l_io_twice");
  const FloatVolume v = ramp(oblique_grid());
  for (const char* name : {"IXI313-HH-2241_t1.nii.gz.nii.gz", "a.nii.gz.nii", "b.nii.nii.gz", "c.nii.gz.x.nii.gz"}) {
    const std::string p = dir / name;
    write_nifti(p, v);
    ASSERT_TRUE(fs::exists(p)) << name;
    EXPECT_EQ(read_nifti_float(p).data, v.data) << name;
  }
  std::vector<std::string> listed;
  for (auto& e : fs::directory_iterator(dir.path)) listed.push_back(e.path().filename().string());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, (std::vector<std::string>{"IXI313-HH-2241_t1.nii.gz.nii.gz", "a.nii.gz.nii", "b.nii.nii.gz",
                                              "c.nii.gz.x.nii.gz"}));
}

TEST(AtomicFile, FailedWritesAndRenamesLeaveNoTemporary) {
  p2l::testing::TempDir dir("p2l_io_atomic");
  // The rename fails: the target is a non-empty folder.
  fs::create_directories(dir.path / "x.nii.gz.nii.gz" / "inside");
  const std::string target = dir / "x.nii.gz.nii.gz";
  const auto e = error_of([&] { write_file_atomic(target, "content"); });
  EXPECT_NE(e.find(target + ": cannot rename"), std::string::npos) << e;
  const auto n = error_of([&] { write_nifti(target, ramp(oblique_grid())); });
  EXPECT_NE(n.find(target + ": cannot rename"), std::string::npos) << n;
  for (auto& f : fs::directory_iterator(dir.path))
    EXPECT_EQ(f.path().filename().string(), "x.nii.gz.nii.gz") << "left behind: " << f.path();
  // A temporary name is unique per call and carries only the extension asked for.
  const std::string a = temp_path_with_extension(dir / "s.nii.gz.nii.gz", ".nii.gz");
  const std::string b = temp_path_with_extension(dir / "s.nii.gz.nii.gz", ".nii.gz");
  EXPECT_NE(a, b);
  EXPECT_EQ(fs::path(a).parent_path(), dir.path);
  EXPECT_EQ(fs::path(a).filename().string().find(".nii"), fs::path(a).filename().string().size() - 7) << a;
}

TEST(Nifti, LabelsAreBinarisedAndKeepGeometry) {
  Geometry g = oblique_grid();
  FloatVolume seg(g);
  seg.data[3] = 4.0f;  // BraTS-style label values become 1
  seg.data[7] = 1.0f;
  auto p = scratch("seg.nii.gz").string();
  write_nifti(p, seg);
  LabelVolume l = read_nifti_label(p);
  EXPECT_EQ(l.data[3], 1);
  EXPECT_EQ(l.data[7], 1);
  EXPECT_EQ(l.data[0], 0);
  LabelVolume back = l;
  write_nifti(scratch("seg2.nii").string(), back);
  EXPECT_EQ(read_nifti_label(scratch("seg2.nii").string()).data, l.data);
}

TEST(Nifti, MissingFileNamesPath) {
  auto p = scratch("nope.nii.gz").string();
  auto e = error_of([&] { read_nifti_float(p); });
  EXPECT_NE(e.find(p), std::string::npos) << e;
  EXPECT_NE(e.find("not found"), std::string::npos) << e;
}

TEST(Nifti, CorruptAndTruncatedFilesNamePathAndReason) {
  auto garbage = scratch("garbage.nii.gz");
  std::ofstream(garbage, std::ios::binary) << "this is not a gzip stream at all, just text";
  auto e = error_of([&] { read_nifti_float(garbage.string()); });
  EXPECT_EQ(e.rfind(garbage.string(), 0), 0u) << e;

  auto whole = scratch("whole.nii.gz");
  Geometry g;
  g.size = {32, 32, 16};
  FloatVolume v(g);
  for (size_t i = 0; i < v.data.size(); ++i) v.data[i] = float((i * 2654435761u) % 1000);
  write_nifti(whole.string(), v);
  auto cut = scratch("cut.nii.gz");
  fs::copy_file(whole, cut, fs::copy_options::overwrite_existing);
  fs::resize_file(cut, fs::file_size(cut) / 2);
  e = error_of([&] { read_nifti_float(cut.string()); });
  EXPECT_EQ(e.rfind(cut.string(), 0), 0u) << e;
  EXPECT_FALSE(e.empty());
}

TEST(Nifti, FourDimensionalAndEmptyImagesAreRejected) {
  auto p4 = scratch("fourd.nii");
  write_raw_nifti(p4, {2, 2, 2, 3}, std::vector<float>(24, 1.0f));
  auto e = error_of([&] { read_nifti_float(p4.string()); });
  EXPECT_NE(e.find(p4.string()), std::string::npos) << e;
  EXPECT_NE(e.find("4-D"), std::string::npos) << e;

  auto p1 = scratch("trailing_singleton.nii");
  write_raw_nifti(p1, {2, 2, 2, 1}, std::vector<float>(8, 1.0f));
  EXPECT_EQ(read_nifti_float(p1.string()).geom.size, (std::array<size_t, 3>{2, 2, 2}));

  auto p0 = scratch("empty.nii");
  write_raw_nifti(p0, {4, 0, 4}, {});
  e = error_of([&] { read_nifti_float(p0.string()); });
  EXPECT_NE(e.find(p0.string()), std::string::npos) << e;
  EXPECT_FALSE(e.empty());
}

TEST(Nifti, NonFiniteVoxelsAreRejectedWithTheirPosition) {
  Geometry g;
  g.size = {3, 3, 3};
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    FloatVolume v(g, 1.0f);
    v.at(1, 2, 0) = bad;
    auto p = scratch(std::isnan(bad) ? "nan.nii.gz" : "inf.nii.gz").string();
    write_nifti(p, v);
    auto e = error_of([&] { read_nifti_float(p); });
    EXPECT_NE(e.find(p), std::string::npos) << e;
    EXPECT_NE(e.find(std::isnan(bad) ? "NaN" : "Inf"), std::string::npos) << e;
    EXPECT_NE(e.find("(1, 2, 0)"), std::string::npos) << e;
  }
}

TEST(Geometry, MismatchNamesWhatDiffers) {
  Geometry a = oblique_grid();
  Geometry b = a;
  EXPECT_EQ(a.mismatch(b, 1e-3), "");
  b.spacing[1] += 1e-6;  // header rounding is tolerated
  EXPECT_EQ(a.mismatch(b, 1e-3), "");
  b = a;
  b.size[2] = 4;
  EXPECT_EQ(a.mismatch(b, 1e-3).rfind("size", 0), 0u);
  b = a;
  b.spacing[0] = 1.0;
  EXPECT_EQ(a.mismatch(b, 1e-3).rfind("spacing", 0), 0u);
  b = a;
  b.direction = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ(a.mismatch(b, 1e-3).rfind("direction", 0), 0u);
}
