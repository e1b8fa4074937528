// Which split rows a preprocessing run works on, with the published splits' conventions: an
// optional <Set>_val, the T2 keep list, rows repeating a subject (docs/PUBLISHED_SPLITS.md).
#include <gtest/gtest.h>

#include <fstream>

#include "config/Config.hpp"
#include "preprocess/KeepList.hpp"
#include "preprocess/SplitRows.hpp"
#include "support/ErrorOf.hpp"
#include "support/TempDir.hpp"

using namespace p2l;
using p2l::testing::error_of;
using p2l::testing::TempDir;

namespace {

const char* kIxiHeader =
    ",img_name,\"SEX_ID (1=m, 2=f)\",HEIGHT,age,label,img_path,mask_path,seg_path,Agegroup\n";

std::string ixi_row(const std::string& id) {
  return "0," + id + "_t1.nii.gz,1,170,40.5,0,/Train/ixi/t1/" + id + "_t1.nii.gz,/Train/ixi/mask/" + id +
         "_mask.nii.gz,,2.0\n";
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

Config published_cohort(const TempDir& d) {
  std::filesystem::create_directories(d.path / "splits");
  write(d / "splits/IXI_train_fold0.csv", kIxiHeader + ixi_row("IXI001-HH-1") + ixi_row("IXI002-HH-2") +
                                              ixi_row("IXI002-HH-2") + ixi_row("IXI003-HH-3"));
  write(d / "splits/IXI_val_fold0.csv", kIxiHeader + ixi_row("IXI004-HH-4") + ixi_row("IXI005-HH-5"));
  write(d / "splits/IXI_test.csv", kIxiHeader + ixi_row("IXI006-HH-6"));
  write(d / "splits/Brats21_test.csv",
        ",img_name,Cohort Name (if publicly available),age,label,img_path,mask_path,seg_path\r\n"
        "983,BraTS2021_00538,Private Collection,,1,/Test/Brats21/t1/BraTS2021_00538_t1.nii.gz,"
        "/Test/Brats21/mask/BraTS2021_00538_mask.nii.gz,/Test/Brats21/seg/BraTS2021_00538_seg.nii.gz\r\n");
  write(d / "splits/avail_t2.csv", ",0\n0,IXI001-HH-1_t2.nii.gz\n1,IXI002-HH-2_t2.nii.gz\n2,IXI004-HH-4_t2.nii.gz\n"
                                   "3,IXI006-HH-6_t2.nii.gz\n");
  Config c;
  c.data.data_dir = d.str();
  c.data.modality = Modality::kT2;
  c.data.test_sets = {"Brats21"};
  return c;
}

std::vector<std::string> ids(const SplitRows& r, const std::string& split) {
  std::vector<std::string> out;
  for (const auto& row : r.rows)
    if (r.splits[row.split] == split) out.push_back(row.rec.id);
  return out;
}

const std::vector<std::string> kDefaultSplits = {"IXI_train_fold0", "IXI_val_fold0", "IXI_test", "Brats21_val",
                                                 "Brats21_test"};

}  // namespace

TEST(SplitRows, MissingLesionValidationSplitIsAWarningAndTheRunGoesOn) {
  TempDir d("p2l_rows");
  const SplitRows r = read_split_rows(published_cohort(d), kDefaultSplits);
  EXPECT_EQ(r.splits, (std::vector<std::string>{"IXI_train_fold0", "IXI_val_fold0", "IXI_test", "Brats21_test"}));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("splits/Brats21_val.csv: not found"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("validation_dice threshold is not computed"), std::string::npos) << r.warnings[0];
  EXPECT_EQ(ids(r, "Brats21_test"), (std::vector<std::string>{"BraTS2021_00538"}));
}

TEST(SplitRows, HealthyReferenceSplitMissingIsAClearError) {
  TempDir d("p2l_rows");
  Config c = published_cohort(d);
  std::filesystem::remove(d / "splits/IXI_val_fold0.csv");
  const std::string e = error_of([&] { read_split_rows(c, kDefaultSplits); });
  EXPECT_NE(e.find("splits/IXI_val_fold0.csv: split CSV not found; data.val_split"), std::string::npos) << e;
  EXPECT_NE(e.find("healthy reference split"), std::string::npos) << e;
  // Another split named as the reference is required too.
  c.eval.healthy_reference_split = "IXI_ref";
  std::filesystem::copy(d / "splits/IXI_test.csv", d / "splits/IXI_val_fold0.csv");
  const std::string r = error_of([&] { read_split_rows(c, {"IXI_train_fold0", "IXI_ref"}); });
  EXPECT_NE(r.find("splits/IXI_ref.csv: split CSV not found; it is the healthy reference split"), std::string::npos) << r;
  // Any other missing split stops the run as before.
  EXPECT_NE(error_of([&] { read_split_rows(c, {"nosuch"}); }).find("nosuch.csv: split CSV not found"), std::string::npos);
}

TEST(SplitRows, T2KeepListFiltersHealthySplitsAndRepeatedRowsAreSkipped) {
  TempDir d("p2l_rows");
  const SplitRows r = read_split_rows(published_cohort(d), kDefaultSplits);
  EXPECT_EQ(ids(r, "IXI_train_fold0"), (std::vector<std::string>{"IXI001-HH-1", "IXI002-HH-2"}));
  EXPECT_EQ(ids(r, "IXI_val_fold0"), (std::vector<std::string>{"IXI004-HH-4"}));
  EXPECT_EQ(ids(r, "IXI_test"), (std::vector<std::string>{"IXI006-HH-6"}));
  // The lesion set is not filtered; T2 images are read from the /t2/ folder of the /t1/ rows.
  EXPECT_EQ(ids(r, "Brats21_test"), (std::vector<std::string>{"BraTS2021_00538"}));
  for (const auto& row : r.rows) {
    EXPECT_NE(row.image.find("/t2/" + row.rec.id + "_t2.nii.gz"), std::string::npos) << row.image;
    if (row.rec.label == 0) EXPECT_EQ(row.rec.img_name, row.rec.id + "_t1.nii.gz");
  }
  ASSERT_EQ(r.skipped.size(), 3u);
  EXPECT_EQ(r.skipped[0].img_name, "IXI002-HH-2_t1.nii.gz");
  EXPECT_EQ(r.skipped[0].reason, "repeats the subject id of an earlier row of the split");
  EXPECT_EQ(r.skipped[1].id, "IXI003-HH-3");
  EXPECT_EQ(r.skipped[1].reason, "not in the keep list " + d / "splits/avail_t2.csv");
  EXPECT_EQ(r.skipped[2].split, "IXI_val_fold0");
  EXPECT_EQ(r.skipped[2].id, "IXI005-HH-5");
}

TEST(KeepList, AutoIsTheT2ListOnlyNoneKeepsAllAndANamedListMustExist) {
  TempDir d("p2l_keep");
  Config c = published_cohort(d);
  ASSERT_TRUE(KeepList::for_run(c.data).has_value());
  EXPECT_EQ(KeepList::for_run(c.data)->size(), 4u);
  EXPECT_TRUE(KeepList::for_run(c.data)->keeps("IXI001-HH-1"));
  c.data.modality = Modality::kT1;
  EXPECT_FALSE(KeepList::for_run(c.data).has_value());  // auto: T1 runs keep every row
  EXPECT_EQ(read_split_rows(c, {"IXI_train_fold0"}).rows.size(), 3u);  // only the repeated row goes
  c.data.modality = Modality::kT2;
  c.data.keep_list = "none";
  EXPECT_FALSE(KeepList::for_run(c.data).has_value());
  c.data.keep_list = "splits/mine.csv";
  write(d / "splits/mine.csv", "img_name\nIXI003-HH-3_t1.nii.gz\n");
  EXPECT_TRUE(KeepList::for_run(c.data)->keeps("IXI003-HH-3"));
  c.data.keep_list = "splits/absent.csv";
  const std::string e = error_of([&] { KeepList::for_run(c.data); });
  EXPECT_NE(e.find(d / "splits/absent.csv" + ": keep list not found (data.keep_list)"), std::string::npos) << e;
  write(d / "splits/bad.csv", "name\nx\n");
  c.data.keep_list = d / "splits/bad.csv";
  EXPECT_NE(error_of([&] { KeepList::for_run(c.data); }).find("bad.csv: keep list has no column '0' or 'img_name'"),
            std::string::npos);
  std::filesystem::remove(d / "splits/avail_t2.csv");
  c.data.keep_list = "auto";
  EXPECT_FALSE(KeepList::for_run(c.data).has_value());  // auto without the file: every row
}
