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

const StageState* PointStatus::current() const {
  for (const auto& s : stages)
    if (!s.done()) return &s;
  return nullptr;
}

bool PointStatus::queued() const {
  return std::any_of(stages.begin(), stages.end(), [](const StageState& s) { return s.queued(); });
}

std::string PointStatus::state() const {
  const StageState* c = current();
  if (!c) return "done";
  return c->state + " (" + c->stage + (c->detail.empty() ? "" : ": " + c->detail) + ")";
}

std::string PointStatus::jobs() const {
  std::string s;
  for (const auto& st : stages)
    if (!st.job.empty()) s += (s.empty() ? "" : ", ") + st.stage + " " + st.job;
  return s.empty() ? "-" : s;
}

std::string PointStatus::progress() const {
  if (last_step < 0) return "-";
  std::string s = std::to_string(last_step) + "/" + std::to_string(point->train_steps);
  const bool training = !stages.empty() && stages[0].state == "running";
  if (training && train_seconds > 0 && last_step < point->train_steps) {
    const double rate = double(last_step) / train_seconds;
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.1f/s, ETA %.0fs", rate, double(point->train_steps - last_step) / rate);
    s += buf;
  }
  return s;
}

std::vector<std::string> point_stages(const SweepPoint& p) {
  if (p.needs_autoencoder) return {"train", "train-ae", "evaluate"};
  return {"train", "evaluate"};
}

std::string stage_executable(const std::string& stage) {
  if (stage == "report") return "p2l-sweep";
  return "p2l-" + stage;
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A final state from accounting in this tool's words.
void from_accounting(StageState& st, const std::string& acc) {
  if (acc == "COMPLETED") st.state = "done";
  else if (acc == "CANCELLED") st.state = "cancelled";
  else if (acc == "PENDING" || acc == "REQUEUED") st.state = "pending";
  else if (acc == "RUNNING") st.state = "running";
  else st.state = "failed", st.detail = lower(acc);
}

}  // namespace

StageState stage_state(const std::string& stage, const std::string& job, const StageStatusFile& f,
                       const JobStates& queue, const JobStates& accounting) {
  StageState st;
  st.stage = stage;
  st.job = job;
  const bool own = !job.empty() && f.job == job;  // the status file is from this job
  if (job.empty()) {
    // Nothing submitted by this sweep; a status file may still say the work was done.
    if (f.state == "done") st.state = "done";
    return st;
  }
  if (queue && queue->count(job)) {
    const std::string q = queue->at(job);
    if (q == "PENDING") st.state = own && (f.state == "requeued" || f.restart > 0) ? "requeued" : "pending";
    else if (q == "RUNNING" || q == "COMPLETING" || q == "CONFIGURING") st.state = "running";
    else st.state = lower(q);
    if (st.state == "requeued") st.detail = "restart " + std::to_string(f.restart + 1);
    return st;
  }
  const bool accounted = accounting && accounting->count(job);
  if (own && f.state == "done") {
    st.state = "done";
  } else if (own && f.state == "failed") {
    st.state = "failed", st.detail = "exit " + std::to_string(f.rc);
  } else if (!queue) {
    // Without the queue a job's absence proves nothing.
    st.state = own ? f.state : "unknown";
    st.detail = "squeue failed: not confirmed";
  } else if (accounted) {
    from_accounting(st, accounting->at(job));
  } else if (own) {
    // Running or requeued by its last word, yet gone from the queue.
    st.state = "failed", st.detail = "ended without a status (cancelled, timed out or killed)";
  } else {
    st.state = "cancelled", st.detail = "never started (a dependency failed, or cancelled)";
  }
  return st;
}

SweepStatus read_sweep_status(const SweepPlan& plan) {
  const JobLedger ledger(plan.ledger_file());
  SweepStatus s;
  std::map<std::string, std::string> reasons;
  const JobStates queue = queued_jobs(&reasons);
  // Why a pending job waits (Dependency, Resources, Priority, ...), shown beside "pending".
  auto with_reason = [&reasons](StageState st) {
    const auto it = reasons.find(st.job);
    if (st.state == "pending" && it != reasons.end() && it->second != "None") st.detail = it->second;
    return st;
  };
  std::vector<std::string> ids;
  for (const auto& e : ledger.entries()) ids.push_back(e.job_id);
  const JobStates accounting = queue ? accounted_jobs(ids) : std::nullopt;
  s.queue_known = queue.has_value();
  s.sources = std::string(queue ? "squeue" : "no squeue (controller unreachable)") +
              (accounting ? ", sacct" : ", no accounting") + ", status files";

  s.preprocess = with_reason(stage_state("preprocess", ledger.latest("preprocess", -1),
                             read_status_file(status_file_path(plan.dir, stage_executable("preprocess"))), queue, accounting));
  s.report = with_reason(stage_state("report", ledger.latest("report", -1),
                                     read_status_file(status_file_path(plan.dir, stage_executable("report"))), queue,
                                     accounting));
  for (const auto& pt : plan.points) {
    PointStatus ps;
    ps.point = &pt;
    for (const auto& stage : point_stages(pt)) {
      // The shared autoencoder is one job of the sweep, not a task of the point.
      const bool shared = stage == "train-ae" && plan.shared_autoencoder;
      ps.stages.push_back(with_reason(stage_state(
          stage, ledger.latest(stage, shared ? -1 : pt.index),
          read_status_file(status_file_path(shared ? plan.dir : pt.dir, stage_executable(stage))), queue, accounting)));
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
    const StageState* c = p.current();
    failed += c && (c->state == "failed" || c->state == "cancelled");
  }
  auto stage_line = [](const StageState& st) {
    return st.state + (st.job.empty() ? "" : " (job " + st.job + ")") + (st.detail.empty() ? "" : ": " + st.detail);
  };
  os << "\n" << done << " of " << s.points.size() << " points done, " << queued << " queued, " << failed
     << " failed or cancelled; preprocess " << stage_line(s.preprocess) << "; report " << stage_line(s.report)
     << "\nread from: " << s.sources << "\n";
  return os.str();
}

}  // namespace p2l
