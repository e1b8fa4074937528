#include "sweep/SweepCommands.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "io/AtomicFile.hpp"
#include "sweep/ClusterProfile.hpp"
#include "sweep/JobLedger.hpp"
#include "sweep/NightlyRegression.hpp"
#include "sweep/SlurmClient.hpp"
#include "sweep/SweepChoices.hpp"
#include "sweep/SweepStatus.hpp"
#include "sweep/SweepSubmission.hpp"
#include "sweep/SweepTable.hpp"
#include "sweep/TimeStamp.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

const char* kUsage = R"(usage: p2l-sweep COMMAND SPEC.yaml [options] [section.key=value ...]

Hyperparameter sweeps on Slurm over the slurm/*.sbatch jobs (docs/SLURM.md).
  plan SPEC        write a run folder per point with its resolved config; check every key
  submit SPEC      submit preprocess -> train array(s) -> evaluate array(s) [and fuse: every
                   point's checkpoint in one evaluation] -> report; points done or still
                   queued are left out, failed and cancelled ones resubmitted
      --dry-run    print the sbatch commands, submit nothing, write nothing
  status SPEC      state, job ids, last training step, best validation error of every point
  report SPEC      DIR/report/sweep_table.{md,csv} and index.html (swept keys x Dice, AUPRC;
                   and the fused evaluation's multi-scale rows)
  nightly SPEC     re-evaluate every trained point (and fuse), regenerate the table, compare it
                   with the previous night's (DIR/regression.md); exit 1 when a metric got worse
      --no-wait       submit and return (the report job does the comparison)
      --compare-only  no Slurm jobs: table from the current results, then the comparison
section.key=value overrides apply to every point after the spec's overrides (give the same
ones to every command of a sweep).
Environment: P2L_SOURCE_DIR (the checkout; default: here if it holds slurm/, else the one
built from), P2L_BIN (the executables; default: this program's folder), P2L_SWEEP_POLL
(seconds between queue checks while nightly waits, default 30).)";

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

SubmitContext where() {
  SubmitContext w;
  std::string here = fs::current_path().string();
  w.source_dir = env_or("P2L_SOURCE_DIR", fs::exists(here + "/slurm/job-steps.sh") ? here : P2L_DEFAULT_SOURCE_DIR);
  w.source_dir = fs::absolute(w.source_dir).lexically_normal().string();
  w.bin_dir = env_or("P2L_BIN", fs::read_symlink("/proc/self/exe").parent_path().string());
  return w;
}

// The checkout's commit ("abc1234", "-dirty" with uncommitted changes; "unknown" outside git).
std::string source_commit(const std::string& source_dir) {
  const CommandResult r = run_command({"git", "-C", source_dir, "rev-parse", "--short", "HEAD"});
  if (r.rc != 0 || r.out.empty()) return "unknown";
  std::string c = r.out.substr(0, r.out.find('\n'));
  const CommandResult d = run_command({"git", "-C", source_dir, "status", "--porcelain", "--untracked-files=no"});
  if (d.rc == 0 && !d.out.empty()) c += "-dirty";
  return c;
}

// Held while a command submits, so two submits of one sweep cannot send the same points twice.
class SubmitLock {
 public:
  explicit SubmitLock(const std::string& dir) {
    fs::create_directories(dir);
    const std::string path = dir + "/.submit.lock";
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR, 0644);
    if (fd_ < 0) throw std::runtime_error(path + ": cannot open the submit lock");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw std::runtime_error(dir + ": another p2l-sweep is submitting this sweep; try again when it is done");
    }
  }
  ~SubmitLock() { ::close(fd_); }
  SubmitLock(const SubmitLock&) = delete;
  SubmitLock& operator=(const SubmitLock&) = delete;

 private:
  int fd_ = -1;
};

void print_submission(const Submission& s, const std::vector<std::string>& ids) {
  for (size_t i = 0; i < s.calls.size(); ++i) {
    std::cout << (ids.size() > i ? std::string(sweep_stages().id(s.calls[i].stage)) + " " + ids[i] + ": " : "");
    for (const auto& [k, v] : s.calls[i].env) std::cout << k << "=" << shell_line({v}) << " ";
    std::cout << shell_line(sbatch_command(s, i, ids)) << "\n";
  }
  for (const auto& n : s.notes) std::cout << "  " << n << "\n";
}

int cmd_plan(const SweepPlan& plan) {
  write_sweep_plan(plan);
  std::cout << plan.points.size() << " points in " << plan.dir << " (resolved configs: <point>/config.yaml):\n";
  for (const auto& p : plan.points) std::cout << "  " << p.index << "  " << p.name << "\n";
  if (plan.fuse.enabled)
    std::cout << "fused evaluation of every point, reference scale " << plan.fuse.reference << ": "
              << plan.fused_config() << "\n";
  return 0;
}

int cmd_submit(const SweepPlan& plan, bool dry_run) {
  const ClusterProfile cluster = load_cluster_profile(plan.cluster);
  std::unique_ptr<SubmitLock> lock;
  if (!dry_run) {
    lock = std::make_unique<SubmitLock>(plan.dir);
    write_sweep_plan(plan);
  }
  const SweepStatus status = read_sweep_status(plan);
  const Submission s = plan_submission(plan, cluster, status, SubmitMode::Pipeline, where());
  if (s.calls.empty()) {
    std::cout << "nothing to submit: every point is done or queued\n";
    print_submission(s, {});
    return 0;
  }
  if (dry_run) {
    std::vector<std::string> placeholders;
    for (const auto& c : s.calls) placeholders.push_back("<" + std::string(sweep_stages().id(c.stage)) + ">");
    print_submission(s, placeholders);
    return 0;
  }
  const auto ids = run_submission(plan, s);
  print_submission(s, ids);
  std::cout << "jobs recorded in " << plan.ledger_file() << "; watch with: p2l-sweep status " << plan.spec_path << "\n";
  return 0;
}

int cmd_status(const SweepPlan& plan) {
  std::cout << format_status_table(plan, read_sweep_status(plan));
  return 0;
}

SweepTable regenerate_table(const SweepPlan& plan, const std::string& commit) {
  const SweepStatus status = read_sweep_status(plan);
  SweepTable t = build_sweep_table(plan, status);
  write_sweep_report(plan, t, status, "Generated " + time_text("%Y-%m-%d %H:%M:%S") + " at commit `" + commit + "`.");
  std::cout << "wrote " << plan.dir << "/report/sweep_table.md, sweep_table.csv and index.html\n";
  return t;
}

int compare_nightly(const SweepPlan& plan) {
  const std::string commit = source_commit(where().source_dir);
  const SweepTable table = regenerate_table(plan, commit);
  const auto previous = list_nightly_archives(plan);
  const NightlyArchive now = archive_nightly_table(plan, table, commit);
  std::string md;
  int rc = 0;
  if (previous.empty()) {
    md = "# Nightly regression check\n\nFirst night (" + now.time + ", commit `" + commit +
         "`): no previous table to compare with.\n";
  } else {
    const NightlyArchive& before = previous.back();
    const Regression r = compare_sweep_tables(read_sweep_table_csv(before.dir + "/table.csv"), table,
                                              plan.nightly.tolerance);
    md = regression_markdown(r, before, now, plan.nightly.tolerance);
    rc = r.worse() > 0 ? 1 : 0;
  }
  write_file_atomic(now.dir + "/regression.md", md);
  write_file_atomic(plan.dir + "/regression.md", md);
  std::cout << md << "(written to " << plan.dir << "/regression.md)\n";
  return rc;
}

// Waits until the report job has left the queue; returns its exit code from its status file.
int wait_for_report(const SweepPlan& plan, const std::string& report_job) {
  const int poll = std::max(1, std::atoi(env_or("P2L_SWEEP_POLL", "30").c_str()));
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto queue = queued_jobs();
    if (!queue) {
      std::cerr << "p2l-sweep: squeue failed; the report job " << report_job << " may still run\n";
      return 2;
    }
    size_t waiting = 0;
    bool report_queued = false;
    const JobLedger ledger(plan.ledger_file());
    for (const auto& [id, state] : *queue) {
      report_queued |= id == report_job;
      for (const auto& e : ledger.entries()) waiting += e.job_id == id.substr(0, id.find('_')) && id != report_job;
    }
    if (!report_queued) break;
    const long s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "nightly: waiting for " << waiting << " job(s) of the sweep and the report " << report_job << ", "
              << s << " s\n";
    std::this_thread::sleep_for(std::chrono::seconds(poll));
  }
  const StageStatusFile f = read_status_file(status_file_path(plan.dir, stage_executable(SweepStage::kReport)));
  if (f.job != report_job || (f.state != StageState::kDone && f.state != StageState::kFailed)) {
    std::cerr << "p2l-sweep: the report job " << report_job << " ended without a status (cancelled or killed)\n";
    return 2;
  }
  std::cout << read_file_if_present(plan.dir + "/regression.md").value_or("");
  return f.rc;
}

int cmd_nightly(const SweepPlan& plan, bool compare_only, bool wait) {
  if (compare_only) return compare_nightly(plan);
  const ClusterProfile cluster = load_cluster_profile(plan.cluster);
  std::vector<std::string> ids;
  Submission s;
  {
    const SubmitLock lock(plan.dir);
    write_sweep_plan(plan);
    s = plan_submission(plan, cluster, read_sweep_status(plan), SubmitMode::Nightly, where());
    ids = run_submission(plan, s);
  }
  print_submission(s, ids);
  if (!wait) return 0;
  return wait_for_report(plan, ids.back());
}

}  // namespace

int run_sweep_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage << "\n";
    return args.empty() ? 2 : 0;
  }
  const std::string name = args[0];
  SweepCommand cmd{};
  try {
    cmd = sweep_commands().parse(name, "p2l-sweep: command");
  } catch (const std::runtime_error& e) {
    std::cerr << e.what() << "\n" << kUsage << "\n";
    return 2;
  }
  std::string spec;
  std::vector<std::string> overrides;  // section.key=value for every point, after the spec's
  bool dry_run = false, compare_only = false, wait = true;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--dry-run" && cmd == SweepCommand::kSubmit) dry_run = true;
    else if (a == "--compare-only" && cmd == SweepCommand::kNightly) compare_only = true;
    else if (a == "--no-wait" && cmd == SweepCommand::kNightly) wait = false;
    else if (a.rfind("--", 0) != 0 && spec.empty()) spec = a;
    else if (a.rfind("--", 0) != 0 && a.find('=') != std::string::npos) overrides.push_back(a);
    else {
      std::cerr << "p2l-sweep " << name << ": unexpected argument '" << a << "'\n" << kUsage << "\n";
      return 2;
    }
  }
  if (spec.empty()) {
    std::cerr << "p2l-sweep " << name << ": the sweep spec is missing\n" << kUsage << "\n";
    return 2;
  }
  try {
    const SweepPlan plan = load_sweep_plan(spec, overrides);
    switch (cmd) {
      case SweepCommand::kPlan: return cmd_plan(plan);
      case SweepCommand::kSubmit: return cmd_submit(plan, dry_run);
      case SweepCommand::kStatus: return cmd_status(plan);
      case SweepCommand::kReport: return regenerate_table(plan, source_commit(where().source_dir)), 0;
      case SweepCommand::kNightly: return cmd_nightly(plan, compare_only, wait);
    }
    throw std::logic_error("run_sweep_command: unknown command");
  } catch (const std::exception& e) {
    std::cerr << "p2l-sweep " << name << ": error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace p2l
