#include <gtest/gtest.h>

#include "support/ErrorOf.hpp"

#include <filesystem>
#include <fstream>
#include <functional>

#include "io/SplitCsv.hpp"
#include "io/SubjectId.hpp"

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
  EXPECT_EQ(rows[1].img_name, "B,002");
  EXPECT_EQ(rows[1].seg, "");  // empty seg_path is allowed
  EXPECT_DOUBLE_EQ(*rows[1].age, 61.0);
}

TEST(SplitCsv, WriteThenReadRoundTrips) {
  auto d = data_dir();
  std::vector<SubjectRecord> rows(2);
  rows[0] = {"IXI_1", "IXI_1_t2.nii.gz", (d / "Train/ixi/t2/IXI_1_t2.nii.gz").string(),
             (d / "Train/ixi/mask/IXI_1_mask.nii.gz").string(), "", 0, 44.0};
  rows[1] = {"T_1", "T_1", (d / "Test/tumor/t2/T_1_t2.nii.gz").string(),
             (d / "Test/tumor/mask/T_1_mask.nii.gz").string(),
             (d / "Test/tumor/seg/T_1_seg.nii.gz").string(), 1, std::nullopt};
  write_split_file(d.string(), (d / "splits/mixed.csv").string(), rows);
  auto back = read_split(d.string(), "mixed");
  ASSERT_EQ(back.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(back[i].id, rows[i].id);
    EXPECT_EQ(back[i].img_name, rows[i].img_name);
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

TEST(SubjectId, ExtensionAndModalitySuffixAreRemoved) {
  EXPECT_EQ(subject_id_from_img_name("IXI076-Guys-0753_t1.nii.gz"), "IXI076-Guys-0753");
  EXPECT_EQ(subject_id_from_img_name("IXI002-Guys-0828_t2.nii.gz"), "IXI002-Guys-0828");
  EXPECT_EQ(subject_id_from_img_name("Singapore_64_T1.NII"), "Singapore_64");
  EXPECT_EQ(subject_id_from_img_name("BraTS2021_00538"), "BraTS2021_00538");
  EXPECT_EQ(subject_id_from_img_name("sub-r009s085"), "sub-r009s085");
  // Only a trailing suffix that names a modality goes, and only one of each kind.
  EXPECT_EQ(subject_id_from_img_name("patient_t1x.nii.gz"), "patient_t1x");
  EXPECT_EQ(subject_id_from_img_name("scan_t3.nii.gz"), "scan_t3");
  EXPECT_EQ(subject_id_from_img_name("a_t1_t2"), "a_t1");
  EXPECT_EQ(subject_id_from_img_name("a.nii.gz.nii.gz"), "a.nii.gz");
  EXPECT_NE(error_of([] { subject_id_from_img_name("_t1.nii.gz"); }).find("empty subject id"), std::string::npos);
  EXPECT_NE(error_of([] { subject_id_from_img_name("x/y_t1.nii.gz"); }).find("holds a '/'"), std::string::npos);
}

// The published splits (bakerhassan/Patch2Loc splits/), first rows as they ship: an unnamed
// index column, a quoted header field with a comma, extra columns, img_name with extension and
// modality, CRLF line ends in some files.
TEST(SplitCsv, PublishedIxiAndLesionRowsGiveCleanIdsAndKeepImgName) {
  auto d = data_dir();
  write(d / "splits/IXI_val_fold0.csv",
        ",img_name,\"SEX_ID (1=m, 2=f)\",HEIGHT,WEIGHT,ETHNIC_ID,MARITAL_ID,OCCUPATION_ID,QUALIFICATION_ID,"
        "DATE_AVAILABLE,STUDY_DATE,age,label,img_path,mask_path,seg_path,Agegroup\n"
        "321,IXI357-HH-2076_t1.nii.gz,2,155,58,1,2,5,4,1,2006-04-20,63.54,0,/Train/ixi/t1/IXI357-HH-2076_t1.nii.gz,"
        "/Train/ixi/mask/IXI357-HH-2076_mask.nii.gz,,3.0\n");
  write(d / "splits/ATLAS_v2_test.csv",
        ",img_name,Session,Primary Stroke Location,label,age,img_path,mask_path,seg_path\r\n"
        "33,sub-r001s034,ses-1,\"Insula, Temporal Lobe\",1,,/Test/ATLAS_v2/t1/sub-r001s034_ses-1_t1.nii.gz,"
        "/Test/ATLAS_v2/mask/sub-r001s034_ses-1_mask.nii.gz,/Test/ATLAS_v2/seg/sub-r001s034_ses-1_seg.nii.gz\r\n");
  auto ixi = read_split(d.string(), "IXI_val_fold0");
  ASSERT_EQ(ixi.size(), 1u);
  EXPECT_EQ(ixi[0].id, "IXI357-HH-2076");
  EXPECT_EQ(ixi[0].img_name, "IXI357-HH-2076_t1.nii.gz");
  EXPECT_DOUBLE_EQ(*ixi[0].age, 63.54);
  EXPECT_EQ(ixi[0].label, 0);
  EXPECT_EQ(ixi[0].mask, (d / "Train/ixi/mask/IXI357-HH-2076_mask.nii.gz").string());
  auto atlas = read_split(d.string(), "ATLAS_v2_test");
  ASSERT_EQ(atlas.size(), 1u);
  EXPECT_EQ(atlas[0].id, "sub-r001s034");
  EXPECT_EQ(atlas[0].label, 1);
  EXPECT_FALSE(atlas[0].age.has_value());
  EXPECT_EQ(atlas[0].seg, (d / "Test/ATLAS_v2/seg/sub-r001s034_ses-1_seg.nii.gz").string());

  write(d / "splits/noid.csv", "img_name,img_path,mask_path,label\n_t2.nii.gz,/Train/a,/Train/m,0\n");
  const auto e = error_of([&] { read_split(d.string(), "noid"); });
  EXPECT_NE(e.find("noid.csv:2: img_name '_t2.nii.gz' gives an empty subject id"), std::string::npos) << e;
}
