#include <gtest/gtest.h>

#include "support/ErrorOf.hpp"

#include <filesystem>
#include <fstream>
#include <functional>

#include "io/SplitCsv.hpp"

namespace fs = std::filesystem;
using namespace p2l;

using p2l::testing::error_of;

namespace {

fs::path data_dir() {
  auto d = fs::temp_directory_path() / ("p2l_csv_" + std::to_string(::getpid()));
  fs::create_directories(d / "splits");
  return d;
}

void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

}  // namespace

TEST(SplitCsv, ColumnsByNameExtraColumnsIgnoredPathsUnderDataDir) {
  auto d = data_dir();
  // Published column order differs from ours; extra columns (Sex, setname) are ignored.
  write(d / "splits/Brats21_test.csv",
        ",img_name,age,label,Sex,img_path,mask_path,seg_path,setname\n"
        "0,B_001,,1,M,/Test/Brats21/t2/B_001_t2.nii.gz,/Test/Brats21/mask/B_001_mask.nii.gz,/Test/Brats21/seg/B_001_seg.nii.gz,Brats21\n"
        "1,\"B,002\",61,0,F,/Test/Brats21/t2/B_002_t2.nii.gz,/Test/Brats21/mask/B_002_mask.nii.gz,,Brats21\n");
  auto rows = read_split(d.string(), "Brats21_test");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, "B_001");
  EXPECT_EQ(rows[0].label, 1);
  EXPECT_FALSE(rows[0].age.has_value());
  EXPECT_EQ(rows[0].image, (d / "Test/Brats21/t2/B_001_t2.nii.gz").string());
  EXPECT_EQ(rows[0].seg, (d / "Test/Brats21/seg/B_001_seg.nii.gz").string());
  EXPECT_EQ(rows[1].id, "B,002");
  EXPECT_EQ(rows[1].seg, "");  // empty seg_path is allowed
  EXPECT_DOUBLE_EQ(*rows[1].age, 61.0);
}

TEST(SplitCsv, WriteThenReadRoundTrips) {
  auto d = data_dir();
  std::vector<SubjectRecord> rows(2);
  rows[0] = {"IXI_1", (d / "Train/ixi/t2/IXI_1_t2.nii.gz").string(),
             (d / "Train/ixi/mask/IXI_1_mask.nii.gz").string(), "", 0, 44.0};
  rows[1] = {"T_1", (d / "Test/tumor/t2/T_1_t2.nii.gz").string(),
             (d / "Test/tumor/mask/T_1_mask.nii.gz").string(),
             (d / "Test/tumor/seg/T_1_seg.nii.gz").string(), 1, std::nullopt};
  write_split_file(d.string(), (d / "splits/mixed.csv").string(), rows);
  auto back = read_split(d.string(), "mixed");
  ASSERT_EQ(back.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(back[i].id, rows[i].id);
    EXPECT_EQ(back[i].image, rows[i].image);
    EXPECT_EQ(back[i].mask, rows[i].mask);
    EXPECT_EQ(back[i].seg, rows[i].seg);
    EXPECT_EQ(back[i].label, rows[i].label);
    EXPECT_EQ(back[i].age, rows[i].age);
  }
}

TEST(SplitCsv, ErrorsNameFileAndReason) {
  auto d = data_dir();
  auto missing = error_of([&] { read_split(d.string(), "IXI_nope"); });
  EXPECT_NE(missing.find("IXI_nope.csv"), std::string::npos) << missing;
  EXPECT_NE(missing.find("not found"), std::string::npos) << missing;

  write(d / "splits/nomask.csv", "img_name,img_path,label\nA,/Train/a.nii.gz,0\n");
  auto e = error_of([&] { read_split(d.string(), "nomask"); });
  EXPECT_NE(e.find("nomask.csv"), std::string::npos) << e;
  EXPECT_NE(e.find("missing required column 'mask_path'"), std::string::npos) << e;

  write(d / "splits/escape.csv",
        "img_name,img_path,mask_path,label\nA,/Train/../../etc/passwd,/Train/m.nii.gz,0\n");
  e = error_of([&] { read_split(d.string(), "escape"); });
  EXPECT_NE(e.find("escape.csv:2"), std::string::npos) << e;
  EXPECT_NE(e.find("outside DATA_DIR"), std::string::npos) << e;

  write(d / "splits/badlabel.csv", "img_name,img_path,mask_path,label\nA,/Train/a,/Train/m,2\n");
  e = error_of([&] { read_split(d.string(), "badlabel"); });
  EXPECT_NE(e.find("badlabel.csv:2: label '2'"), std::string::npos) << e;
}
