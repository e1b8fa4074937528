// What p2l-sweep submits and how it reads the state of a point: the job ledger, the stage
// state from the queue, accounting and the status files, and the submission plan for a
// fresh sweep, a resubmission after a failure and a nightly re-evaluation.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "support/ErrorOf.hpp"
#include "support/TempDir.hpp"
#include "sweep/JobLedger.hpp"
#include "sweep/SweepStatus.hpp"
#include "sweep/SweepSubmission.hpp"

using namespace p2l;
using p2l::testing::TempDir;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(SweepLedger, LatestJobOfAPointIsTheNewestLineNamingIt) {
  TempDir d("sweep_ledger");
  {
    JobLedger l(d / "jobs.tsv");
    l.append({"t0", SweepStage::kPreprocess, "10", {}});
    l.append({"t0", SweepStage::kTrain, "11", {0, 1, 2}});
    l.append({"t1", SweepStage::kTrainAe, "20", {1}});
  }
  // The stage ids are the file's text, as the shell scripts and earlier sweeps read it.
  EXPECT_EQ(read(d / "jobs.tsv"), "t0\tpreprocess\t10\t-\nt0\ttrain\t11\t0,1,2\nt1\ttrain-ae\t20\t1\n");
  std::ofstream(d / "jobs.tsv", std::ios::app) << "t2\ttrain\t21\t1\nt3\ttrain";  // the last cut short by a crash
  const JobLedger l(d / "jobs.tsv");
  ASSERT_EQ(l.entries().size(), 4u);
  EXPECT_EQ(l.latest(SweepStage::kTrain, 0), "11_0");
  EXPECT_EQ(l.latest(SweepStage::kTrain, 1), "21_1");
  EXPECT_EQ(l.latest(SweepStage::kTrainAe, 1), "20_1");
  EXPECT_EQ(l.latest(SweepStage::kTrain, 3), "");
  EXPECT_EQ(l.latest(SweepStage::kPreprocess, -1), "10");
  EXPECT_EQ(l.latest(SweepStage::kEvaluate, 0), "");
}

TEST(SweepLedger, AnUnknownStageIsAnErrorNamingTheLineAndTheIds) {
  TempDir d("sweep_ledger");
  std::ofstream(d / "jobs.tsv") << "t0\tpreprocess\t10\t-\nt1\ttrian\t11\t0,1\n";
  const std::string e = p2l::testing::error_of([&] { JobLedger l(d / "jobs.tsv"); });
  EXPECT_NE(e.find(d / "jobs.tsv" + ": line 2"), std::string::npos) << e;
  EXPECT_NE(e.find("'trian' (expected preprocess, train, train-ae, evaluate, fuse, report)"), std::string::npos) << e;
}

TEST(SweepStatusFile, ReadsTheLineTheJobStepsWrite) {
  TempDir d("sweep_status_file");
  std::ofstream(d / "s") << "state=requeued job=12_3 restart=2 rc=85 time=2026-12-01T10:00:00\n";
  const StageStatusFile f = read_status_file(d / "s");
  EXPECT_EQ(f.state, StageState::kRequeued);
  EXPECT_EQ(f.job, "12_3");
  EXPECT_EQ(f.restart, 2);
  EXPECT_EQ(f.rc, 85);
  EXPECT_FALSE(read_status_file(d / "none").state.has_value());
  // Every state slurm/job-steps.sh writes.
  for (const auto& [text, state] : std::vector<std::pair<std::string, StageState>>{
           {"running", StageState::kRunning}, {"done", StageState::kDone}, {"failed", StageState::kFailed},
           {"requeued", StageState::kRequeued}}) {
    std::ofstream(d / "s") << "state=" << text << " job=1 restart=0 rc=0 time=t\n";
    EXPECT_EQ(read_status_file(d / "s").state, state) << text;
  }
}

TEST(SweepStatusFile, AnUnknownStateIsAnErrorNamingTheFileAndTheAllowedStates) {
  TempDir d("sweep_status_file");
  std::ofstream(d / "s") << "state=finished job=12_3 restart=0 rc=0 time=2026-12-01T10:00:00\n";
  const std::string e = p2l::testing::error_of([&] { read_status_file(d / "s"); });
  EXPECT_NE(e.find(d / "s"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown value 'finished' (expected running, done, failed, requeued)"), std::string::npos) << e;
}

namespace {

StageStatusFile step_wrote(const std::string& state, const std::string& job, int rc = 0, int restart = 0) {
  StageStatusFile f;
  f.state = status_file_states().parse(state, "test");
  f.job = job, f.rc = rc, f.restart = restart;
  return f;
}

// A stage's state, and its detail in brackets.
std::string shown(const StageStatus& st) { return st.state_text() + (st.detail.empty() ? "" : " (" + st.detail + ")"); }

}  // namespace

TEST(SweepStageState, QueueAccountingAndStatusFilesInThatOrder) {
  using M = std::map<std::string, std::string>;
  const JobStates none = std::nullopt;
  const JobStates queue = M{{"5_0", "PENDING"}, {"5_1", "RUNNING"}, {"5_2", "PENDING"}};
  const SweepStage train = SweepStage::kTrain;
  EXPECT_EQ(stage_status(train, "", {}, queue, none).state, StageState::kNotSubmitted);
  EXPECT_EQ(stage_status(train, "", step_wrote("done", "1_0"), queue, none).state, StageState::kDone);  // done before the ledger
  EXPECT_EQ(stage_status(train, "5_0", {}, queue, none).state, StageState::kPending);
  EXPECT_EQ(stage_status(train, "5_1", step_wrote("running", "5_1"), queue, none).state, StageState::kRunning);
  const StageStatus requeued = stage_status(train, "5_2", step_wrote("requeued", "5_2", 85), queue, none);
  EXPECT_EQ(requeued.state, StageState::kRequeued);
  EXPECT_EQ(requeued.detail, "restart 1");
  EXPECT_EQ(stage_status(train, "5_3", step_wrote("done", "5_3"), queue, none).state, StageState::kDone);
  const StageStatus failed = stage_status(train, "5_3", step_wrote("failed", "5_3", 3), queue, none);
  EXPECT_EQ(failed.state, StageState::kFailed);
  EXPECT_EQ(failed.detail, "exit 3");
  // An older job's file does not speak for the latest job, which never started.
  EXPECT_EQ(stage_status(train, "7_3", step_wrote("done", "5_3"), queue, none).state, StageState::kCancelled);
  // Killed while running: no final word in the file; accounting knows better when there is some.
  EXPECT_EQ(stage_status(train, "5_3", step_wrote("running", "5_3"), queue, none).state, StageState::kFailed);
  const StageStatus timeout = stage_status(train, "5_3", step_wrote("running", "5_3"), queue, M{{"5_3", "TIMEOUT"}});
  EXPECT_EQ(timeout.state, StageState::kFailed);
  EXPECT_EQ(timeout.detail, "timeout");
  EXPECT_EQ(stage_status(train, "7_3", {}, queue, M{{"7_3", "CANCELLED"}}).state, StageState::kCancelled);
  // No queue (controller unreachable): what the file says, never "failed" for a silent job.
  EXPECT_EQ(stage_status(train, "5_1", step_wrote("running", "5_1"), none, none).state, StageState::kRunning);
  EXPECT_EQ(stage_status(train, "5_1", step_wrote("running", "5_1"), none, none).detail, "squeue failed: not confirmed");
  EXPECT_EQ(stage_status(train, "7_3", {}, none, none).state, StageState::kUnknown);
  EXPECT_EQ(stage_status(train, "5_3", step_wrote("done", "5_3"), none, none).state, StageState::kDone);
}

// Each Slurm state of a job still in the queue, as the status table shows it: a job without a
// status file of its own, and one whose step last wrote "requeued" with restart 2.
TEST(SweepStageState, EverySlurmQueueStateMapsThroughOneTable) {
  struct Case {
    const char* slurm;
    std::string fresh, after_requeue;
  };
  const Case cases[] = {
      {"PENDING", "pending", "requeued (restart 3)"},
      {"RUNNING", "running", "running"},
      {"COMPLETING", "running", "running"},
      {"CONFIGURING", "running", "running"},
      {"REQUEUED", "requeued (restart 1)", "requeued (restart 3)"},
      {"CANCELLED", "cancelled", "cancelled"},
      {"FAILED", "failed", "failed"},
      // No word here: Slurm's own, not failed, and queued (a job Slurm holds is not sent twice).
      {"SUSPENDED", "suspended", "suspended"},
      {"REQUEUE_HOLD", "requeue_hold", "requeue_hold"},
      {"COMPLETED", "completed", "completed"},
  };
  const StageStatusFile requeued = step_wrote("requeued", "5_0", 85, 2);
  for (const Case& c : cases) {
    const JobStates queue = std::map<std::string, std::string>{{"5_0", c.slurm}};
    const StageStatus fresh = stage_status(SweepStage::kTrain, "5_0", {}, queue, std::nullopt);
    EXPECT_EQ(shown(fresh), c.fresh) << c.slurm;
    EXPECT_EQ(shown(stage_status(SweepStage::kTrain, "5_0", requeued, queue, std::nullopt)), c.after_requeue) << c.slurm;
    EXPECT_EQ(fresh.queued(), c.fresh != "cancelled" && c.fresh != "failed") << c.slurm;
  }
}

// Each final Slurm state from accounting (sacct), for a job gone from the queue whose status
// file does not speak for it.
TEST(SweepStageState, EverySlurmAccountingStateMapsThroughOneTable) {
  const std::pair<const char*, std::string> cases[] = {
      {"COMPLETED", "done"},
      {"CANCELLED", "cancelled"},
      {"PENDING", "pending"},
      {"REQUEUED", "pending"},
      {"RUNNING", "running"},
      {"FAILED", "failed (failed)"},
      {"TIMEOUT", "failed (timeout)"},
      {"OUT_OF_MEMORY", "failed (out_of_memory)"},
      {"NODE_FAIL", "failed (node_fail)"},
      {"PREEMPTED", "failed (preempted)"},
      {"BOOT_FAIL", "failed (boot_fail)"},
      {"DEADLINE", "failed (deadline)"},
  };
  const JobStates queue = std::map<std::string, std::string>{};
  for (const auto& [slurm, expected] : cases) {
    const JobStates accounting = std::map<std::string, std::string>{{"5_0", slurm}};
    EXPECT_EQ(shown(stage_status(SweepStage::kTrain, "5_0", {}, queue, accounting)), expected) << slurm;
  }
}

TEST(SweepStageState, StateIdsAreTheTextOfTheStatusTable) {
  EXPECT_EQ(stage_states().ids(), (std::vector<std::string>{"not submitted", "pending", "running", "requeued", "done",
                                                            "failed", "cancelled", "unknown"}));
  EXPECT_EQ(sweep_stages().ids(),
            (std::vector<std::string>{"preprocess", "train", "train-ae", "evaluate", "fuse", "report"}));
  EXPECT_EQ(stage_executable(SweepStage::kTrainAe), "p2l-train-ae");
  EXPECT_EQ(stage_executable(SweepStage::kFuse), "p2l-evaluate");  // the fused evaluation is an evaluation
  EXPECT_EQ(stage_executable(SweepStage::kReport), "p2l-sweep");
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

// A status where every stage has `state` (per point, as state ids), preprocess `pre`.
SweepStatus status_of(const SweepPlan& p, const std::vector<std::vector<std::string>>& states, const std::string& pre) {
  SweepStatus s;
  s.preprocess.state = stage_states().parse(pre, "test");
  s.preprocess.job = s.preprocess.state == StageState::kRunning ? "9" : "";
  s.report.state = StageState::kDone;
  for (size_t i = 0; i < p.points.size(); ++i) {
    PointStatus ps;
    ps.point = &p.points[i];
    const auto stages = point_stages(p.points[i]);
    for (size_t k = 0; k < stages.size(); ++k) {
      StageStatus st(stages[k]);
      st.state = stage_states().parse(states[i][k], "test");
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
    std::string line = sweep_stages().id(s.calls[i].stage);
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

namespace {

// two_points with the spec's `fuse` on (the points' patch fractions are not looked at here).
SweepPlan fused_points(const TempDir& d, bool autoencoder) {
  SweepPlan p = two_points(d, autoencoder);
  p.fuse.enabled = true;
  p.fuse.reference = p.points[0].name;
  return p;
}

}  // namespace

TEST(SweepFuseSubmission, OneFuseJobAfterEveryTrainingAndTheReportAfterIt) {
  TempDir d("sweep_fuse_submit");
  SweepPlan p = fused_points(d, true);
  const std::vector<std::string> fresh = {"not submitted", "not submitted", "not submitted"};
  const Submission s = plan_submission(p, ClusterProfile{}, status_of(p, {fresh, fresh}, "not submitted"),
                                       SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_EQ(summary(s), (std::vector<std::string>{"preprocess", "train 0 1 afterok:<0>", "train-ae 0 1 afterok:<0>",
                                                  "evaluate 0 1 aftercorr:<1>:<2>", "fuse afterok:<1>:<2>",
                                                  "report afterany:<3>:<4>"}));
  const auto& fuse = s.calls[4].argv;
  EXPECT_EQ(std::vector<std::string>(fuse.end() - 3, fuse.end()),
            (std::vector<std::string>{"/src/slurm/evaluate.sbatch", "--config", p.dir + "/fused/config.yaml"}));
  EXPECT_NE(std::find(fuse.begin(), fuse.end(), "--job-name=p2l-fuse"), fuse.end());
  EXPECT_EQ(std::find_if(fuse.begin(), fuse.end(), [](const std::string& a) { return a.rfind("--array", 0) == 0; }),
            fuse.end());  // one job, not an array
  EXPECT_NE(std::find(fuse.begin(), fuse.end(), "--output=" + p.logs_dir() + "/%x-%j.out"), fuse.end());
  EXPECT_TRUE(s.calls[4].indices.empty());
  // The shared autoencoder: one job the fused evaluation waits for as well.
  p.shared_autoencoder = true;
  const Submission shared = plan_submission(p, ClusterProfile{}, status_of(p, {fresh, fresh}, "not submitted"),
                                            SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_EQ(summary(shared)[4], "fuse afterok:<1>:<2>");
}

TEST(SweepFuseSubmission, ResubmissionSkipsADoneFuseAndRerunsItWhenAPointRetrains) {
  TempDir d("sweep_fuse_submit");
  const SweepPlan p = fused_points(d, false);
  const std::vector<std::string> done = {"done", "done"};
  SweepStatus s = status_of(p, {done, done}, "done");
  s.fuse.state = StageState::kDone;
  EXPECT_TRUE(plan_submission(p, ClusterProfile{}, s, SubmitMode::Pipeline, {"/src", "/bin"}).calls.empty());
  // The fused evaluation failed: it alone, and a report.
  s.fuse.state = StageState::kFailed;
  EXPECT_EQ(summary(plan_submission(p, ClusterProfile{}, s, SubmitMode::Pipeline, {"/src", "/bin"})),
            (std::vector<std::string>{"fuse", "report afterany:<0>"}));
  // A point trains again: its checkpoint changes, so the fused evaluation (done before) reruns after it.
  s = status_of(p, {done, {"failed", "cancelled"}}, "done");
  s.fuse.state = StageState::kDone;
  EXPECT_EQ(summary(plan_submission(p, ClusterProfile{}, s, SubmitMode::Pipeline, {"/src", "/bin"})),
            (std::vector<std::string>{"train 1", "evaluate 1 aftercorr:<0>", "fuse afterok:<0>", "report afterany:<1>:<2>"}));
  // Only an evaluation failed: the fused evaluation stays done.
  s = status_of(p, {done, {"done", "failed"}}, "done");
  s.fuse.state = StageState::kDone;
  EXPECT_EQ(summary(plan_submission(p, ClusterProfile{}, s, SubmitMode::Pipeline, {"/src", "/bin"})),
            (std::vector<std::string>{"evaluate 1", "report afterany:<0>"}));
}

TEST(SweepFuseSubmission, QueuedTrainingsAreWaitedForAndAQueuedFuseIsLeftAlone) {
  TempDir d("sweep_fuse_submit");
  const SweepPlan p = fused_points(d, false);
  // Point 0 still training (job 5_0): left alone, and the fused evaluation waits for it.
  SweepStatus s = status_of(p, {{"running", "not submitted"}, {"cancelled", "not submitted"}}, "done");
  s.points[0].stages[0].job = "5_0";
  const Submission sub = plan_submission(p, ClusterProfile{}, s, SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_EQ(summary(sub), (std::vector<std::string>{"train 1", "evaluate 1 aftercorr:<0>", "fuse afterok:<0>:5_0",
                                                    "report afterany:<1>:<2>"}));
  // The fused evaluation still queued: not sent twice; a new report waits for it too.
  s = status_of(p, {{"done", "done"}, {"done", "failed"}}, "done");
  s.fuse.state = StageState::kPending, s.fuse.job = "12";
  const Submission queued = plan_submission(p, ClusterProfile{}, s, SubmitMode::Pipeline, {"/src", "/bin"});
  EXPECT_EQ(summary(queued), (std::vector<std::string>{"evaluate 1", "report afterany:<0>:12"}));
  ASSERT_FALSE(queued.notes.empty());
  EXPECT_NE(queued.notes.back().find("fuse: still queued (pending)"), std::string::npos) << queued.notes.back();
}

TEST(SweepFuseSubmission, NightlyFusesAgainWhenEveryPointIsTrained) {
  TempDir d("sweep_fuse_submit");
  const SweepPlan p = fused_points(d, false);
  SweepStatus s = status_of(p, {{"done", "done"}, {"done", "done"}}, "done");
  s.fuse.state = StageState::kDone;
  EXPECT_EQ(summary(plan_submission(p, ClusterProfile{}, s, SubmitMode::Nightly, {"/src", "/bin"})),
            (std::vector<std::string>{"evaluate 0 1", "fuse", "report afterany:<0>:<1>"}));
  s = status_of(p, {{"done", "done"}, {"failed", "cancelled"}}, "done");
  const Submission partial = plan_submission(p, ClusterProfile{}, s, SubmitMode::Nightly, {"/src", "/bin"});
  EXPECT_EQ(summary(partial), (std::vector<std::string>{"evaluate 0", "report afterany:<0>"}));
  ASSERT_FALSE(partial.notes.empty());
  EXPECT_NE(partial.notes.back().find("fuse: not every point is trained"), std::string::npos) << partial.notes.back();
}

TEST(SweepFuseSubmission, TheStatusTableShowsTheFusedEvaluation) {
  TempDir d("sweep_fuse_submit");
  const SweepPlan p = fused_points(d, false);
  SweepStatus s = status_of(p, {{"done", "done"}, {"done", "done"}}, "done");
  s.fuse.state = StageState::kFailed, s.fuse.job = "7", s.fuse.detail = "exit 1";
  s.report.job = "8";
  const std::string table = format_status_table(p, s);
  EXPECT_NE(table.find("; preprocess done; fuse failed (job 7): exit 1; report done (job 8)\n"), std::string::npos) << table;
  EXPECT_EQ(s.fuse.described(), "failed (fuse: exit 1)");
  // Without fuse the line is as before.
  EXPECT_EQ(format_status_table(two_points(d, false), s).find("fuse"), std::string::npos);
}

TEST(SweepStatusTable, TrainingProgressWithRateAndEtaWhileTraining) {
  SweepPoint pt;
  pt.train_steps = 300;
  PointStatus p;
  p.point = &pt;
  StageStatus train(SweepStage::kTrain);
  train.state = StageState::kRunning;
  p.stages = {train};
  EXPECT_EQ(p.progress(), "-");  // no log yet
  p.last_step = 150, p.train_seconds = 30;
  EXPECT_EQ(p.progress(), "150/300, 5.0/s, ETA 30s");
  p.stages[0].state = StageState::kFailed;
  EXPECT_EQ(p.progress(), "150/300");  // no rate once training stopped
}

TEST(SweepStatusTable, APointShowsItsFirstStageNotDoneInTheIdsOfTheTable) {
  SweepPoint pt;
  PointStatus p;
  p.point = &pt;
  StageStatus train(SweepStage::kTrain), ae(SweepStage::kTrainAe), evaluate(SweepStage::kEvaluate);
  train.state = StageState::kDone, train.job = "3_1";
  ae.state = StageState::kFailed, ae.job = "4", ae.detail = "exit 1";
  p.stages = {train, ae, evaluate};
  EXPECT_EQ(p.state(), "failed (train-ae: exit 1)");
  EXPECT_EQ(p.jobs(), "train 3_1, train-ae 4");
  p.stages[1].state = StageState::kOtherInQueue, p.stages[1].slurm_state = "suspended", p.stages[1].detail = "";
  EXPECT_EQ(p.state(), "suspended (train-ae)");
  EXPECT_TRUE(p.queued());  // still Slurm's: a resubmission must not start a second copy
  for (auto& st : p.stages) st.state = StageState::kDone;
  EXPECT_EQ(p.state(), "done");
}
