// Benchmark of p2l-preprocess: subjects/s and MB/s (input voxels as float32) with 1 and 2 MPI
// ranks on the same cohort, and the 2-vs-1 scaling ratio, as one JSON object on stdout.
// Cohort: data.data_dir when it holds splits/ (e.g. made by p2l-make-cohort), else a synthetic
// one written here (bench.subjects subjects of 96 x 96 x 64 voxels). Other key=value arguments
// are passed on to p2l-preprocess.
//   bench_preprocess [--config FILE] [key=value ...]
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>
#include <sstream>

#include "config/Config.hpp"
#include "io/Nifti.hpp"
#include "io/SplitCsv.hpp"
#include "preprocess/PreprocessJob.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kSyntheticSubjects = 24;

// Writes a synthetic healthy cohort (ellipsoid brain, noisy intensities) with one split CSV.
void write_synthetic_cohort(const std::string& dir) {
  p2l::Geometry g;
  g.size = {96, 96, 64};
  g.spacing = {2, 2, 2};
  std::vector<p2l::SubjectRecord> rows;
  std::mt19937 rng(3141);
  std::normal_distribution<float> noise(0.f, 8.f);
  for (int s = 0; s < kSyntheticSubjects; ++s) {
    p2l::FloatVolume img(g);
    p2l::LabelVolume mask(g);
    for (size_t k = 0; k < 64; ++k)
      for (size_t j = 0; j < 96; ++j)
        for (size_t i = 0; i < 96; ++i) {
          double r = std::hypot(std::hypot((i - 47.5) / 38, (j - 47.5) / 44), (k - 31.5) / 28);
          mask.at(i, j, k) = r < 1;
          img.at(i, j, k) = r < 1 ? float(100 + 50 * (1 - r)) + noise(rng) : 0.f;
        }
    p2l::SubjectRecord r;
    r.id = "SYN" + std::to_string(s);
    r.image = dir + "/Train/ixi/t2/" + r.id + "_t2.nii.gz";
    r.mask = dir + "/Train/ixi/mask/" + r.id + "_mask.nii.gz";
    p2l::write_nifti(r.image, img);
    p2l::write_nifti(r.mask, mask);
    rows.push_back(r);
  }
  p2l::write_split_file(dir, dir + "/splits/bench.csv", rows);
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct Timing {
  double wall = 0, job = 0;  // process wall time; the job's own processing time (no MPI start)
};

Timing run_ranks(int ranks, const std::string& tool, const std::string& args, const std::string& store,
                 const std::string& log) {
  fs::remove_all(store);
  // --bind-to none: Open MPI pins 2 ranks to cores 0 and 1, which only slows them down when the
  // node is shared with other work (measured: 7.6 s pinned vs 4.9 s unpinned on a busy 2-core VM).
  std::string cmd = (ranks > 1 ? "mpirun --oversubscribe --bind-to none " + std::string(::geteuid() == 0 ? "--allow-run-as-root " : "") +
                                     "-np " + std::to_string(ranks) + " "
                               : std::string()) +
                    shell_quote(tool) + args + " data.store_dir=" + shell_quote(store) + " 2> " + shell_quote(log);
  auto t0 = std::chrono::steady_clock::now();
  int rc = std::system(cmd.c_str());
  Timing t;
  t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  std::smatch m;
  std::string text = ss.str();
  if (rc != 0 || !std::regex_search(text, m, std::regex(R"(failed; ([0-9.e+-]+) s)")))
    throw std::runtime_error(log + ": p2l-preprocess with " + std::to_string(ranks) + " ranks failed (rc " +
                             std::to_string(rc) + "):\n" + text);
  t.job = std::stod(m[1].str());
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    p2l::Config cfg = p2l::parse_command_line(argc, argv, "bench_preprocess",
                                              "Benchmark p2l-preprocess with 1 and 2 MPI ranks (JSON on stdout).");
    std::string args;
    for (int i = 1; i < argc; ++i) args += " " + shell_quote(argv[i]);
    const fs::path work = fs::temp_directory_path() / ("p2l_bench_preprocess_" + std::to_string(::getpid()));
    fs::create_directories(work);
    std::string data_dir = cfg.data.data_dir;
    bool synthetic = !fs::is_directory(data_dir + "/splits");
    if (synthetic) {
      data_dir = (work / "cohort").string();
      write_synthetic_cohort(data_dir);
      args += " data.data_dir=" + shell_quote(data_dir) + " preprocess.splits=[bench]";
      cfg.data.data_dir = data_dir;
      cfg.preprocess.splits = {"bench"};
    }
    // Input size: subjects and voxels of the splits the runs will process.
    long subjects = 0;
    double mb = 0;
    for (const auto& split : p2l::splits_to_preprocess(cfg))
      for (const auto& r : p2l::read_split(data_dir, split)) {
        ++subjects;
        mb += double(p2l::read_nifti_geometry(r.image).voxels()) * 4 / 1e6;
      }
    const std::string tool = (fs::canonical("/proc/self/exe").parent_path() / "p2l-preprocess").string();
    Timing t1 = run_ranks(1, tool, args, (work / "store1").string(), (work / "log1.txt").string());
    Timing t2 = run_ranks(2, tool, args, (work / "store2").string(), (work / "log2.txt").string());
    auto block = [&](const Timing& t) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "{\"job_seconds\": %.3f, \"wall_seconds\": %.3f, \"subjects_per_s\": %.3f, \"mb_per_s\": %.2f}",
                    t.job, t.wall, subjects / t.job, mb / t.job);
      return std::string(buf);
    };
    std::printf("{\"benchmark\": \"preprocess\", \"cohort\": \"%s\", \"synthetic\": %s, \"subjects\": %ld, "
                "\"input_mb\": %.1f, \"ranks_1\": %s, \"ranks_2\": %s, \"scaling_2_vs_1\": %.3f, "
                "\"scaling_2_vs_1_wall\": %.3f}\n",
                data_dir.c_str(), synthetic ? "true" : "false", subjects, mb, block(t1).c_str(),
                block(t2).c_str(), t1.job / t2.job, t1.wall / t2.wall);
    fs::remove_all(work);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_preprocess: " << e.what() << std::endl;
    return 1;
  }
}
