// What p2l-sweep submits and how it reads the state of a point: the job ledger, the stage
// state from the queue, accounting and the status files, and the submission plan for a
// fresh sweep, a resubmission after a failure and a nightly re-evaluation.
#include <gtest/gtest.h>

#include <fstream>

#include "support/ErrorOf.hpp"
#include "support/TempDir.hpp"
#include "sweep/JobLedger.hpp"
#include "sweep/SweepStatus.hpp"
#include "sweep/SweepSubmission.hpp"

using namespace p2l;
using p2l::testing::TempDir;

TEST(SweepLedger, LatestJobOfAPointIsTheNewestLineNamingIt) {
  TempDir d("sweep_ledger");
  {
    JobLedger l(d / "jobs.tsv");
    l.append({"t0", "preprocess", "10", {}});
    l.append({"t0", "train", "11", {0, 1, 2}});
    l.append({"t1", "train", "20", {1}});
  }
  std::ofstream(d / "jobs.tsv", std::ios::app) << "t2\ttrain";  // a line cut short by a crash
  const JobLedger l(d / "jobs.tsv");
  ASSERT_EQ(l.entries().size(), 3u);
  EXPECT_EQ(l.latest("train", 0), "11_0");
  EXPECT_EQ(l.latest("train", 1), "20_1");
  EXPECT_EQ(l.latest("train", 3), "");
  EXPECT_EQ(l.latest("preprocess", -1), "10");
  EXPECT_EQ(l.latest("evaluate", 0), "");
}

TEST(SweepStatusFile, ReadsTheLineTheJobStepsWrite) {
  TempDir d("sweep_status_file");
  std::ofstream(d / "s") << "state=requeued job=12_3 restart=2 rc=85 time=2026-12-01T10:00:00\n";
  const StageStatusFile f = read_status_file(d / "s");
  EXPECT_EQ(f.state, "requeued");
  EXPECT_EQ(f.job, "12_3");
  EXPECT_EQ(f.restart, 2);
  EXPECT_EQ(f.rc, 85);
  EXPECT_EQ(read_status_file(d / "none").state, "");
}

TEST(SweepStageState, QueueAccountingAndStatusFilesInThatOrder) {
  using M = std::map<std::string, std::string>;
  const JobStates none = std::nullopt;
  const JobStates queue = M{{"5_0", "PENDING"}, {"5_1", "RUNNING"}, {"5_2", "PENDING"}};
  auto file = [](const std::string& state, const std::string& job, int rc = 0, int restart = 0) {
    StageStatusFile f;
    f.state = state, f.job = job, f.rc = rc, f.restart = restart;
    return f;
  };
  EXPECT_EQ(stage_state("train", "", {}, queue, none).state, "not submitted");
  EXPECT_EQ(stage_state("train", "", file("done", "1_0"), queue, none).state, "done");  // done before the ledger
  EXPECT_EQ(stage_state("train", "5_0", {}, queue, none).state, "pending");
  EXPECT_EQ(stage_state("train", "5_1", file("running", "5_1"), queue, none).state, "running");
  const StageState requeued = stage_state("train", "5_2", file("requeued", "5_2", 85), queue, none);
  EXPECT_EQ(requeued.state, "requeued");
  EXPECT_EQ(requeued.detail, "restart 1");
  EXPECT_EQ(stage_state("train", "5_3", file("done", "5_3"), queue, none).state, "done");
  const StageState failed = stage_state("train", "5_3", file("failed", "5_3", 3), queue, none);
  EXPECT_EQ(failed.state, "failed");
  EXPECT_EQ(failed.detail, "exit 3");
  // An older job's file does not speak for the latest job, which never started.
  EXPECT_EQ(stage_state("train", "7_3", file("done", "5_3"), queue, none).state, "cancelled");
  // Killed while running: no final word in the file; accounting knows better when there is some.
  EXPECT_EQ(stage_state("train", "5_3", file("running", "5_3"), queue, none).state, "failed");
  const StageState timeout = stage_state("train", "5_3", file("running", "5_3"), queue, M{{"5_3", "TIMEOUT"}});
  EXPECT_EQ(timeout.state, "failed");
  EXPECT_EQ(timeout.detail, "timeout");
  EXPECT_EQ(stage_state("train", "7_3", {}, queue, M{{"7_3", "CANCELLED"}}).state, "cancelled");
  // No queue (controller unreachable): what the file says, never "failed" for a silent job.
  EXPECT_EQ(stage_state("train", "5_1", file("running", "5_1"), none, none).state, "running");
  EXPECT_EQ(stage_state("train", "5_1", file("running", "5_1"), none, none).detail, "squeue failed: not confirmed");
  EXPECT_EQ(stage_state("train", "7_3", {}, none, none).state, "unknown");
  EXPECT_EQ(stage_state("train", "5_3", file("done", "5_3"), none, none).state, "done");
}

namespace {

SweepPlan two_points(const TempDir& d, bool autoencoder) {
  SweepPlan p;
  p.spec_path = d / "spec.yaml";
  p.dir = d / "sweep";
  p.keys = {"train.lr"};
  for (int i = 0; i < 2; ++i) {
    SweepPoint pt;
    pt.index = i;
    pt.name = "lr-" + std::to_string(i);
    pt.values = {{"train.lr", std::to_string(i)}};
    pt.dir = p.dir + "/" + pt.name;
    pt.needs_autoencoder = autoencoder;
    p.points.push_back(pt);
  }
  return p;
}

// A status where every stage has `state` (per point), preprocess `pre`.
SweepStatus status_of(const SweepPlan& p, const std::vector<std::vector<std::string>>& states, const std::string& pre) {
  SweepStatus s;
  s.preprocess.stage = "preprocess", s.preprocess.state = pre, s.preprocess.job = pre == "running" ? "9" : "";
  s.report.state = "done";
  for (size_t i = 0; i < p.points.size(); ++i) {
    PointStatus ps;
    ps.point = &p.points[i];
    const auto stages = point_stages(p.points[i]);
    for (size_t k = 0; k < stages.size(); ++k) {
      StageState st;
      st.stage = stages[k], st.state = states[i][k];
      ps.stages.push_back(st);
    }
    s.points.push_back(ps);
  }
  return s;
}

std::vector<std::string> summary(const Submission& s) {
  std::vector<std::string> out;
  std::vector<std::string> ids;
  for (size_t i = 0; i < s.calls.size(); ++i) ids.push_back("<" + std::to_string(i) + ">");
  for (size_t i = 0; i < s.calls.size(); ++i) {
    std::string line = s.calls[i].stage;
    for (int k : s.calls[i].indices) line += " " + std::to_string(k);
    for (const auto& a : sbatch_command(s, i, ids))
      if (a.rfind("--dependency=", 0) == 0) line += " " + a.substr(13);
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST(SweepSubmission, FreshSweepChainsEveryStage) {
  TempDir d("sweep_submit");
  const SweepPlan p = two_points(d, true);
  const Submission s = plan_submission(p, ClusterProfile{}, status_of(p, {{"not submitted", "not submitted", "not submitted"},
      {"not submitted", "not submitted", "not submitted"}}, "not submitted"), SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_EQ(summary(s), (std::vector<std::string>{"preprocess", "train 0 1 afterok:<0>", "train-ae 0 1 afterok:<0>",
                                                  "evaluate 0 1 aftercorr:<1>:<2>", "report afterany:<3>"}));
  EXPECT_EQ(s.calls[2].argv.back(), "/src/slurm/train.sbatch");
  EXPECT_EQ(s.calls[2].env.back(), (std::pair<std::string, std::string>{"P2L_TRAINER", "p2l-train-ae"}));
  EXPECT_EQ(s.calls[4].argv.back(), p.spec_path);
}

TEST(SweepSubmission, ASharedAutoencoderIsOneJobEveryEvaluationWaitsFor) {
  TempDir d("sweep_submit");
  SweepPlan p = two_points(d, true);
  p.shared_autoencoder = true;
  const std::vector<std::string> fresh = {"not submitted", "not submitted", "not submitted"};
  const Submission s = plan_submission(p, ClusterProfile{}, status_of(p, {fresh, fresh}, "not submitted"),
                                       SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_EQ(summary(s), (std::vector<std::string>{"preprocess", "train 0 1 afterok:<0>", "train-ae afterok:<0>",
                                                  "evaluate 0 1 aftercorr:<1>,afterok:<2>", "report afterany:<3>"}));
  const auto& ae = s.calls[2].argv;
  EXPECT_EQ(std::vector<std::string>(ae.end() - 2, ae.end()),
            (std::vector<std::string>{"--config", p.shared_dir() + "/config.yaml"}));
}

TEST(SweepSubmission, ResubmissionRerunsOnlyWhatFailed) {
  TempDir d("sweep_submit");
  const SweepPlan p = two_points(d, true);
  // Point 0 done; point 1: training failed, the autoencoder trained, evaluation cancelled.
  const Submission s = plan_submission(p, ClusterProfile{},
      status_of(p, {{"done", "done", "done"}, {"failed", "done", "cancelled"}}, "done"), SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_EQ(summary(s), (std::vector<std::string>{"train 1", "evaluate 1 aftercorr:<0>", "report afterany:<1>"}));
  // Only the evaluation failed: it reruns alone.
  const Submission e = plan_submission(p, ClusterProfile{},
      status_of(p, {{"done", "done", "failed"}, {"done", "done", "done"}}, "done"), SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_EQ(summary(e), (std::vector<std::string>{"evaluate 0", "report afterany:<0>"}));
}

TEST(SweepSubmission, QueuedPointsAndAQueuedPreprocessAreNotSubmittedTwice) {
  TempDir d("sweep_submit");
  const SweepPlan p = two_points(d, false);
  const Submission s = plan_submission(p, ClusterProfile{},
      status_of(p, {{"running", "not submitted"}, {"cancelled", "not submitted"}}, "running"), SubmitMode::Pipeline,
      {"/src", "/bin"});
  EXPECT_EQ(summary(s), (std::vector<std::string>{"train 1 afterok:9", "evaluate 1 aftercorr:<0>", "report afterany:<1>"}));
  ASSERT_FALSE(s.notes.empty());
  EXPECT_NE(s.notes[0].find("lr-0: still queued"), std::string::npos);
}

TEST(SweepSubmission, NightlyEvaluatesTrainedPointsAndComparesInTheReportJob) {
  TempDir d("sweep_submit");
  const SweepPlan p = two_points(d, false);
  const Submission s = plan_submission(p, ClusterProfile{}, status_of(p, {{"done", "done"}, {"failed", "cancelled"}}, "done"),
                                       SubmitMode::Nightly, {"/src", "/bin"});
  EXPECT_EQ(summary(s), (std::vector<std::string>{"evaluate 0", "report afterany:<0>"}));
  const auto& report = s.calls[1].argv;
  EXPECT_EQ(std::vector<std::string>(report.end() - 3, report.end()),
            (std::vector<std::string>{"nightly", "--compare-only", p.spec_path}));
  EXPECT_NE(s.notes.at(0).find("lr-1: not trained"), std::string::npos);
}

TEST(SweepSubmission, NothingIsSubmittedWhenTheQueueIsUnknown) {
  TempDir d("sweep_submit");
  const SweepPlan p = two_points(d, false);
  SweepStatus s = status_of(p, {{"unknown", "unknown"}, {"unknown", "unknown"}}, "unknown");
  s.queue_known = false;
  EXPECT_NE(p2l::testing::error_of([&] { plan_submission(p, ClusterProfile{}, s, SubmitMode::Pipeline, {"/src", "/bin"}); })
                .find("squeue failed"),
            std::string::npos);
}

TEST(SweepSubmission, FinishedSweepSubmitsNothing) {
  TempDir d("sweep_submit");
  const SweepPlan p = two_points(d, false);
  const Submission s = plan_submission(p, ClusterProfile{}, status_of(p, {{"done", "done"}, {"done", "done"}}, "done"),
                                       SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_TRUE(s.calls.empty());
}

TEST(SweepStatusTable, TrainingProgressWithRateAndEtaWhileTraining) {
  SweepPoint pt;
  pt.train_steps = 300;
  PointStatus p;
  p.point = &pt;
  StageState train;
  train.stage = "train", train.state = "running";
  p.stages = {train};
  EXPECT_EQ(p.progress(), "-");  // no log yet
  p.last_step = 150, p.train_seconds = 30;
  EXPECT_EQ(p.progress(), "150/300, 5.0/s, ETA 30s");
  p.stages[0].state = "failed";
  EXPECT_EQ(p.progress(), "150/300");  // no rate once training stopped
}
