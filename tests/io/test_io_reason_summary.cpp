#include <gtest/gtest.h>

#include "io/ReasonSummary.hpp"

using namespace p2l;

TEST(ReasonSummary, ReasonDropsTheLeadingPathAndMasksOtherPaths) {
  EXPECT_EQ(reason_of("/d/Train/ixi/t2/IXI002_t2.nii.gz: file not found"), "file not found");
  EXPECT_EQ(reason_of("/d/m.nii.gz: mask grid differs from the image /d/i.nii.gz: size 20 vs 24"),
            "mask grid differs from the image <path>: size 20 vs 24");
  EXPECT_EQ(reason_of("checkpoint 'x' and/or y: odd"), "checkpoint 'x' and/or y: odd");  // no leading path
  EXPECT_EQ(leading_path("/d/a.nii.gz: file not found"), "/d/a.nii.gz");
  EXPECT_EQ(leading_path("checkpoint 'x' and/or y: odd"), "");
  EXPECT_EQ(leading_path("no colon /d/a"), "");
}

TEST(ReasonSummary, GroupsByReasonMostFrequentFirstWithCountsAndFirstExamples) {
  std::vector<ReasonedItem> items;
  items.push_back({"IXI_test/a: /d/a_mask.nii.gz", "/d/a_mask.nii.gz: mask grid differs from the image /d/a.nii.gz: size"});
  for (int i = 0; i < 1831; ++i) {
    const std::string p = "/d/Train/ixi/t2/IXI" + std::to_string(i) + "_t2.nii.gz";
    items.push_back({"IXI_train_fold0/IXI" + std::to_string(i) + ": " + p, p + ": file not found"});
  }
  const std::string s = summarize_reasons("p2l-preprocess: 1832 subject(s) FAILED", items, 2);
  EXPECT_EQ(s,
            "p2l-preprocess: 1832 subject(s) FAILED, by reason:\n"
            "  1831 x file not found\n"
            "      IXI_train_fold0/IXI0: /d/Train/ixi/t2/IXI0_t2.nii.gz\n"
            "      IXI_train_fold0/IXI1: /d/Train/ixi/t2/IXI1_t2.nii.gz\n"
            "      ... and 1829 more\n"
            "  1 x mask grid differs from the image /d/a.nii.gz: size\n"  // one item: as it says it
            "      IXI_test/a: /d/a_mask.nii.gz\n");
  EXPECT_EQ(summarize_reasons("nothing", {}), "");
  // One reason given alike by every item keeps its path.
  EXPECT_EQ(summarize_reasons("2 skipped", {{"a", "not in the keep list /d/avail_t2.csv"}, {"b", "not in the keep list /d/avail_t2.csv"}}),
            "2 skipped, by reason:\n  2 x not in the keep list /d/avail_t2.csv\n      a\n      b\n");
}
