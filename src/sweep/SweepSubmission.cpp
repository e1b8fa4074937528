#include "sweep/SweepSubmission.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

#include "sweep/JobLedger.hpp"
#include "sweep/SlurmClient.hpp"
#include "sweep/SweepChoices.hpp"
#include "sweep/TimeStamp.hpp"

namespace p2l {
namespace {

std::string join(const std::vector<int>& v) {
  std::string s;
  for (int i : v) s += (s.empty() ? "" : ",") + std::to_string(i);
  return s;
}

// The slurm/ script a stage runs: the autoencoder trains through train.sbatch with its own
// trainer (P2L_TRAINER), the fused evaluation is an evaluation with a config of its own.
SweepStage script_stage(SweepStage stage) {
  switch (stage) {
    case SweepStage::kTrainAe: return SweepStage::kTrain;
    case SweepStage::kFuse: return SweepStage::kEvaluate;
    default: return stage;
  }
}

class Builder {
 public:
  Builder(const SweepPlan& plan, const ClusterProfile& cluster, const SubmitContext& where)
      : plan_(plan), cluster_(cluster), where_(where) {}

  size_t add(SweepStage stage, std::vector<int> indices, std::vector<std::string> script_args) {
    SbatchCall c;
    c.stage = stage;
    c.indices = std::move(indices);
    c.env = {{"P2L_SWEEP_DIR", plan_.dir}, {"P2L_SOURCE_DIR", where_.source_dir}, {"P2L_BIN", where_.bin_dir}};
    if (stage == SweepStage::kTrainAe) c.env.emplace_back("P2L_TRAINER", stage_executable(stage));
    const bool array = !c.indices.empty();
    const std::string id = sweep_stages().id(stage);
    c.argv = {"sbatch", "--parsable", "--job-name=p2l-" + id, "--kill-on-invalid-dep=yes",
              "--output=" + plan_.logs_dir() + (array ? "/%x-%A_%a.out" : "/%x-%j.out")};
    for (const auto& o : cluster_.sbatch_options(stage)) c.argv.push_back(o);
    if (array) c.argv.push_back("--array=" + join(c.indices));
    c.argv.push_back(where_.source_dir + "/slurm/" + sweep_stages().id(script_stage(stage)) + ".sbatch");
    for (auto& a : script_args) c.argv.push_back(std::move(a));
    out.calls.push_back(std::move(c));
    return out.calls.size() - 1;
  }

  Submission out;

 private:
  const SweepPlan& plan_;
  const ClusterProfile& cluster_;
  const SubmitContext& where_;
};

}  // namespace

Submission plan_submission(const SweepPlan& plan, const ClusterProfile& cluster, const SweepStatus& status,
                           SubmitMode mode, const SubmitContext& where) {
  if (!status.queue_known)
    throw std::runtime_error("squeue failed, so what is still queued is unknown: is the controller up and "
                             "SLURM_CONF set? Nothing was submitted");
  Builder b(plan, cluster, where);
  const bool nightly = mode == SubmitMode::Nightly;

  // Preprocessing: once, unless done; a queued one is waited for.
  std::vector<std::pair<std::string, size_t>> after_pre;
  std::vector<std::pair<std::string, std::string>> after_pre_job;
  if (status.preprocess.queued()) {
    after_pre_job.emplace_back("afterok", status.preprocess.job);
  } else if (!status.preprocess.done() && !nightly) {
    after_pre.emplace_back("afterok", b.add(SweepStage::kPreprocess, {}, {"--config", plan.preprocess_config()}));
  }

  // Which stage of which point to run.
  std::map<SweepStage, std::vector<int>> train;  // stage -> points, in pipeline order
  std::map<std::pair<bool, bool>, std::vector<int>> evaluate;  // (trains, trains-ae) -> points
  for (const auto& p : status.points) {
    const std::string& name = p.point->name;
    if (p.queued()) {
      b.out.notes.push_back(name + ": still queued (" + p.state() + "), left alone");
      continue;
    }
    bool trains[2] = {false, false};
    bool trained = true;
    for (const auto& st : p.stages) {
      if (st.stage == SweepStage::kEvaluate || st.done()) continue;
      if (nightly) {
        trained = false;
      } else {
        train[st.stage].push_back(p.point->index);
        trains[st.stage == SweepStage::kTrainAe] = true;
      }
    }
    if (nightly && !trained) {
      b.out.notes.push_back(name + ": not trained (" + p.state() + "), not evaluated");
      continue;
    }
    if (!nightly && p.done()) {
      b.out.notes.push_back(name + ": done, skipped");
      continue;
    }
    evaluate[{trains[0], trains[1]}].push_back(p.point->index);
  }

  std::map<SweepStage, size_t> train_call;
  for (const auto& [stage, points] : train) {
    const bool single = stage == SweepStage::kTrainAe && plan.shared_autoencoder;
    const size_t c = single ? b.add(stage, {}, {"--config", plan.shared_dir() + "/config.yaml"}) : b.add(stage, points, {});
    b.out.calls[c].after = after_pre;
    b.out.calls[c].after_jobs = after_pre_job;
    train_call[stage] = c;
  }
  std::vector<size_t> evaluations;
  for (const auto& [trains, points] : evaluate) {
    const size_t c = b.add(SweepStage::kEvaluate, points, {});
    SbatchCall& call = b.out.calls[c];
    if (trains.first) call.after.emplace_back("aftercorr", train_call.at(SweepStage::kTrain));
    if (trains.second)
      call.after.emplace_back(plan.shared_autoencoder ? "afterok" : "aftercorr", train_call.at(SweepStage::kTrainAe));
    if (!trains.first && !trains.second) call.after = after_pre, call.after_jobs = after_pre_job;
    evaluations.push_back(c);
  }

  // The fused evaluation reads every point's checkpoint: after every training (and autoencoder)
  // succeeded, those submitted now and those still queued. Again when this submission trains
  // (its checkpoints change), and every night; never beside a queued one.
  std::optional<size_t> fuse;
  if (plan.fuse.enabled) {
    const std::string id = sweep_stages().id(SweepStage::kFuse);
    bool untrained = false;
    std::vector<std::pair<std::string, std::string>> after_queued;
    for (const auto& p : status.points)
      for (const auto& st : p.stages) {
        if (st.stage == SweepStage::kEvaluate || st.done()) continue;
        untrained = true;
        const std::pair<std::string, std::string> dep{"afterok", st.job};
        if (st.queued() && std::find(after_queued.begin(), after_queued.end(), dep) == after_queued.end())
          after_queued.push_back(dep);
      }
    if (status.fuse.queued()) {
      b.out.notes.push_back(id + ": still queued (" + status.fuse.state_text() + "), left alone");
    } else if (nightly && untrained) {
      b.out.notes.push_back(id + ": not every point is trained, not evaluated");
    } else if (nightly || !status.fuse.done() || !train_call.empty()) {
      fuse = b.add(SweepStage::kFuse, {}, {"--config", plan.fused_config()});
      SbatchCall& call = b.out.calls[*fuse];
      for (const auto& [stage, c] : train_call) call.after.emplace_back("afterok", c);
      call.after_jobs = after_queued;
      if (call.after.empty() && call.after_jobs.empty()) call.after = after_pre, call.after_jobs = after_pre_job;
    }
  }

  // The report: after every evaluation ended, however it ended.
  const bool report_wanted = nightly || !b.out.calls.empty() || (!status.report.done() && !status.report.queued());
  if (report_wanted) {
    const auto& verbs = sweep_commands();
    std::vector<std::string> args =
        nightly ? std::vector<std::string>{verbs.id(SweepCommand::kNightly), "--compare-only", plan.spec_path}
                : std::vector<std::string>{verbs.id(SweepCommand::kReport), plan.spec_path};
    args.insert(args.end(), plan.command_line_overrides.begin(), plan.command_line_overrides.end());
    const size_t c = b.add(SweepStage::kReport, {}, args);
    for (size_t e : evaluations) b.out.calls[c].after.emplace_back("afterany", e);
    if (fuse) b.out.calls[c].after.emplace_back("afterany", *fuse);
    if (plan.fuse.enabled && status.fuse.queued()) b.out.calls[c].after_jobs.emplace_back("afterany", status.fuse.job);
  }
  return std::move(b.out);
}

std::vector<std::string> sbatch_command(const Submission& s, size_t i, const std::vector<std::string>& ids) {
  const SbatchCall& c = s.calls.at(i);
  std::map<std::string, std::vector<std::string>> by_type;  // afterok -> ids
  for (const auto& [type, call] : c.after) by_type[type].push_back(ids.at(call));
  for (const auto& [type, job] : c.after_jobs) by_type[type].push_back(job);
  std::string dep;
  for (const auto& [type, list] : by_type) {
    dep += (dep.empty() ? "" : ",") + type;
    for (const auto& id : list) dep += ":" + id;
  }
  std::vector<std::string> argv = c.argv;
  if (!dep.empty()) argv.insert(argv.begin() + 2, "--dependency=" + dep);
  return argv;
}

std::vector<std::string> run_submission(const SweepPlan& plan, const Submission& s) {
  JobLedger ledger(plan.ledger_file());
  std::vector<std::string> ids;
  for (size_t i = 0; i < s.calls.size(); ++i) {
    const auto argv = sbatch_command(s, i, ids);
    const CommandResult r = run_command(argv, s.calls[i].env);
    std::string id = r.out.substr(0, r.out.find_first_of(";\n"));
    if (r.rc != 0 || id.empty())
      throw std::runtime_error("sbatch for stage " + std::string(sweep_stages().id(s.calls[i].stage)) + " failed (exit " +
                               std::to_string(r.rc) + "): " + (r.err.empty() ? r.out : r.err) +
                               "command: " + shell_line(argv));
    ledger.append({time_text("%Y-%m-%dT%H:%M:%S"), s.calls[i].stage, id, s.calls[i].indices});
    ids.push_back(id);
  }
  return ids;
}

}  // namespace p2l
