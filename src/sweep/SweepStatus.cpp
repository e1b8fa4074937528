#include "sweep/SweepStatus.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

#include "config/RunLayout.hpp"
#include "report/TrainingLogReader.hpp"
#include "sweep/JobLedger.hpp"
#include "sweep/SlurmClient.hpp"

namespace p2l {

// A job Slurm still holds, in whatever state (a suspended or held one too), is never submitted
// again: a second copy would race the first for the same run folder.
bool StageStatus::queued() const {
  return state == StageState::kPending || state == StageState::kRunning || state == StageState::kRequeued ||
         state == StageState::kOtherInQueue;
}

std::string StageStatus::state_text() const {
  return state == StageState::kOtherInQueue ? slurm_state : stage_states().id(state);
}

std::string StageStatus::described() const {
  if (done()) return stage_states().id(StageState::kDone);
  return state_text() + " (" + sweep_stages().id(stage) + (detail.empty() ? "" : ": " + detail) + ")";
}

const StageStatus* PointStatus::current() const {
  for (const auto& s : stages)
    if (!s.done()) return &s;
  return nullptr;
}

bool PointStatus::queued() const {
  return std::any_of(stages.begin(), stages.end(), [](const StageStatus& s) { return s.queued(); });
}

std::string PointStatus::state() const {
  const StageStatus* c = current();
  return c ? c->described() : stage_states().id(StageState::kDone);
}

std::string PointStatus::jobs() const {
  std::string s;
  for (const auto& st : stages)
    if (!st.job.empty()) s += (s.empty() ? "" : ", ") + std::string(sweep_stages().id(st.stage)) + " " + st.job;
  return s.empty() ? "-" : s;
}

std::string PointStatus::progress() const {
  if (last_step < 0) return "-";
  std::string s = std::to_string(last_step) + "/" + std::to_string(point->train_steps);
  const bool training = !stages.empty() && stages[0].state == StageState::kRunning;
  if (training && train_seconds > 0 && last_step < point->train_steps) {
    const double rate = double(last_step) / train_seconds;
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.1f/s, ETA %.0fs", rate, double(point->train_steps - last_step) / rate);
    s += buf;
  }
  return s;
}

std::vector<SweepStage> point_stages(const SweepPoint& p) {
  if (p.needs_autoencoder) return {SweepStage::kTrain, SweepStage::kTrainAe, SweepStage::kEvaluate};
  return {SweepStage::kTrain, SweepStage::kEvaluate};
}

std::string stage_executable(SweepStage stage) {
  if (stage == SweepStage::kReport) return "p2l-sweep";
  if (stage == SweepStage::kFuse) return stage_executable(SweepStage::kEvaluate);  // an evaluation of every scale
  return "p2l-" + std::string(sweep_stages().id(stage));
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<StageState> look_up(const std::map<std::string, StageState>& table, const std::string& slurm) {
  const auto it = table.find(slurm);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

// Slurm's state of a job in the queue (squeue) in this tool's words; nullopt for the states
// with none (SUSPENDED, STOPPED, REQUEUE_HOLD, ...). PENDING may still turn out requeued.
std::optional<StageState> queued_state(const std::string& slurm) {
  static const std::map<std::string, StageState> table = {
      {"PENDING", StageState::kPending},    {"RUNNING", StageState::kRunning},
      {"COMPLETING", StageState::kRunning}, {"CONFIGURING", StageState::kRunning},
      {"REQUEUED", StageState::kRequeued},  {"CANCELLED", StageState::kCancelled},
      {"FAILED", StageState::kFailed}};
  return look_up(table, slurm);
}

// A job's state from accounting (sacct) in this tool's words; nullopt: it failed, and Slurm's
// word (TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ...) says how.
std::optional<StageState> accounted_state(const std::string& slurm) {
  static const std::map<std::string, StageState> table = {
      {"COMPLETED", StageState::kDone},   {"CANCELLED", StageState::kCancelled},
      {"PENDING", StageState::kPending},  {"REQUEUED", StageState::kPending},
      {"RUNNING", StageState::kRunning}};
  return look_up(table, slurm);
}

}  // namespace

StageStatus stage_status(SweepStage stage, const std::string& job, const StageStatusFile& f,
                         const JobStates& queue, const JobStates& accounting) {
  StageStatus st(stage);
  st.job = job;
  const bool own = !job.empty() && f.job == job;  // the status file is from this job
  if (job.empty()) {
    // Nothing submitted by this sweep; a status file may still say the work was done.
    if (f.state == StageState::kDone) st.state = StageState::kDone;
    return st;
  }
  if (queue && queue->count(job)) {
    const std::string& q = queue->at(job);
    const std::optional<StageState> queued = queued_state(q);
    if (!queued) {
      st.state = StageState::kOtherInQueue, st.slurm_state = lower(q);
      return st;
    }
    st.state = *queued;
    // Pending again after its step said requeued (or Slurm restarted it): waiting to resume.
    if (st.state == StageState::kPending && own && (f.state == StageState::kRequeued || f.restart > 0))
      st.state = StageState::kRequeued;
    if (st.state == StageState::kRequeued) st.detail = "restart " + std::to_string(f.restart + 1);
    return st;
  }
  const bool accounted = accounting && accounting->count(job);
  if (own && f.state == StageState::kDone) {
    st.state = StageState::kDone;
  } else if (own && f.state == StageState::kFailed) {
    st.state = StageState::kFailed, st.detail = "exit " + std::to_string(f.rc);
  } else if (!queue) {
    // Without the queue a job's absence proves nothing.
    st.state = own && f.state ? *f.state : StageState::kUnknown;
    st.detail = "squeue failed: not confirmed";
  } else if (accounted) {
    const std::string& acc = accounting->at(job);
    const std::optional<StageState> final_state = accounted_state(acc);
    st.state = final_state.value_or(StageState::kFailed);
    if (!final_state) st.detail = lower(acc);
  } else if (own) {
    // Running or requeued by its last word, yet gone from the queue.
    st.state = StageState::kFailed, st.detail = "ended without a status (cancelled, timed out or killed)";
  } else {
    st.state = StageState::kCancelled, st.detail = "never started (a dependency failed, or cancelled)";
  }
  return st;
}

SweepStatus read_sweep_status(const SweepPlan& plan) {
  const JobLedger ledger(plan.ledger_file());
  SweepStatus s;
  std::map<std::string, std::string> reasons;
  const JobStates queue = queued_jobs(&reasons);
  // Why a pending job waits (Dependency, Resources, Priority, ...), shown beside "pending".
  auto with_reason = [&reasons](StageStatus st) {
    const auto it = reasons.find(st.job);
    if (st.state == StageState::kPending && it != reasons.end() && it->second != "None") st.detail = it->second;
    return st;
  };
  std::vector<std::string> ids;
  for (const auto& e : ledger.entries()) ids.push_back(e.job_id);
  const JobStates accounting = queue ? accounted_jobs(ids) : std::nullopt;
  s.queue_known = queue.has_value();
  s.sources = std::string(queue ? "squeue" : "no squeue (controller unreachable)") +
              (accounting ? ", sacct" : ", no accounting") + ", status files";

  // One stage from its latest job (`index` < 0: a single job of the sweep) and the status file
  // in `folder`.
  auto status_of = [&](SweepStage stage, int index, const std::string& folder) {
    return with_reason(stage_status(stage, ledger.latest(stage, index),
                                    read_status_file(status_file_path(folder, stage_executable(stage))), queue,
                                    accounting));
  };
  s.preprocess = status_of(SweepStage::kPreprocess, -1, plan.dir);
  if (plan.fuse.enabled) s.fuse = status_of(SweepStage::kFuse, -1, plan.dir);
  s.report = status_of(SweepStage::kReport, -1, plan.dir);
  for (const auto& pt : plan.points) {
    PointStatus ps;
    ps.point = &pt;
    for (const SweepStage stage : point_stages(pt)) {
      // The shared autoencoder is one job of the sweep, not a task of the point.
      const bool shared = stage == SweepStage::kTrainAe && plan.shared_autoencoder;
      ps.stages.push_back(shared ? status_of(stage, -1, plan.dir) : status_of(stage, pt.index, pt.dir));
    }
    const std::string log = RunLayout(pt.dir).train_log_jsonl();
    if (std::filesystem::exists(log)) {
      const TrainingSeries t = read_training_log(log);
      if (!t.step.empty()) ps.last_step = static_cast<long>(t.step.back()), ps.train_seconds = t.wall.back();
      for (double e : t.val_error)
        if (std::isnan(ps.best_val_error) || e < ps.best_val_error) ps.best_val_error = e;
    }
    s.points.push_back(std::move(ps));
  }
  return s;
}

std::string format_status_table(const SweepPlan& plan, const SweepStatus& s) {
  std::vector<std::string> header = {"#", "point"};
  header.insert(header.end(), plan.keys.begin(), plan.keys.end());
  for (const char* h : {"state", "jobs", "step", "best val error"}) header.push_back(h);
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : s.points) {
    std::vector<std::string> r = {std::to_string(p.point->index), p.point->name};
    for (const auto& key : plan.keys) {
      std::string v = "-";
      for (const auto& [k, value] : p.point->values)
        if (k == key) v = value;
      r.push_back(v);
    }
    char err[32] = "-";
    if (!std::isnan(p.best_val_error)) std::snprintf(err, sizeof err, "%.3f", p.best_val_error);
    r.push_back(p.state());
    r.push_back(p.jobs());
    r.push_back(p.progress());
    r.push_back(err);
    rows.push_back(std::move(r));
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  std::ostringstream os;
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size(); ++c)
      os << r[c] << (c + 1 < r.size() ? std::string(width[c] - r[c].size() + 2, ' ') : "\n");
  };
  line(header);
  for (const auto& r : rows) line(r);
  size_t done = 0, failed = 0, queued = 0;
  for (const auto& p : s.points) {
    done += p.done();
    queued += p.queued();
    const StageStatus* c = p.current();
    failed += c && (c->state == StageState::kFailed || c->state == StageState::kCancelled);
  }
  auto stage_line = [](const StageStatus& st) {
    return st.state_text() + (st.job.empty() ? "" : " (job " + st.job + ")") +
           (st.detail.empty() ? "" : ": " + st.detail);
  };
  os << "\n" << done << " of " << s.points.size() << " points done, " << queued << " queued, " << failed
     << " failed or cancelled; preprocess " << stage_line(s.preprocess)
     << (plan.fuse.enabled ? "; fuse " + stage_line(s.fuse) : "") << "; report " << stage_line(s.report)
     << "\nread from: " << s.sources << "\n";
  return os.str();
}

}  // namespace p2l
