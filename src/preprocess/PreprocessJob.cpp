#include "preprocess/PreprocessJob.hpp"

#include <itkMultiThreaderBase.h>

#include <algorithm>
#include <functional>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "config/CpuThreads.hpp"
#include "dist/World.hpp"
#include "io/Nifti.hpp"
#include "io/ReasonSummary.hpp"
#include "preprocess/IntensityScaling.hpp"
#include "preprocess/HistogramStandardizer.hpp"
#include "io/ProgressMeter.hpp"
#include "preprocess/ResumeIndex.hpp"
#include "preprocess/SubjectPartition.hpp"
#include "preprocess/SplitRows.hpp"
#include "preprocess/SubjectPipeline.hpp"
#include "store/Checksum.hpp"
#include "io/AtomicFile.hpp"
#include "preprocess/SplitCarryOver.hpp"
#include "store/Manifest.hpp"
#include "store/RankText.hpp"

namespace p2l {
namespace {

enum Status { kStored = 0, kReused = 1, kFailed = 2 };

struct Outcome {
  long task = 0;
  int status = kFailed;
  std::string shard;
  int slices = 0;
  std::string image_sum, mask_sum, seg_sum, path, reason;
};

// Outcomes travel to rank 0 as text records (store/RankText.hpp).
std::string serialize(const std::vector<Outcome>& v) {
  std::string s;
  for (const auto& o : v)
    s += join_record({std::to_string(o.task), std::to_string(o.status), o.shard, std::to_string(o.slices),
                      o.image_sum, o.mask_sum, o.seg_sum, o.path, o.reason});
  return s;
}

std::vector<Outcome> parse(const std::string& s) {
  std::vector<Outcome> out;
  for (auto f : split_records(s)) {
    f.resize(9);
    Outcome o;
    o.task = std::stol(f[0]);
    o.status = std::stoi(f[1]);
    o.shard = f[2];
    o.slices = std::stoi(f[3]);
    o.image_sum = f[4];
    o.mask_sum = f[5];
    o.seg_sum = f[6];
    o.path = f[7];
    o.reason = f[8];
    out.push_back(o);
  }
  return out;
}

// Ranks report their done counts to rank 0 without waiting for it (World::post_count); rank 0
// folds them into one job-wide progress line.
class ProgressChannel {
 public:
  ProgressChannel(World& world, long total, double interval)
      : world_(world), interval_(interval), counts_(world.size(), 0), finished_(world.size(), 0),
        meter_("p2l-preprocess", total, interval, std::cerr) {}

  void report(long done) {
    if (world_.rank() == 0) {
      counts_[0] = done;
      drain(false);
    } else if (meter_.elapsed_seconds() - last_sent_ >= interval_ / 2) {
      send(done, false);
    }
  }

  // Collective end of the processing phase: rank 0 waits for every rank's final count.
  void finish(long done) {
    if (world_.rank() == 0) {
      counts_[0] = done;
      finished_[0] = 1;
      drain(true);
    } else {
      send(done, true);
      world_.wait_posted();
    }
  }
 private:
  void send(long done, bool finished) {
    world_.post_count(done, finished);
    last_sent_ = meter_.elapsed_seconds();
  }
  void drain(bool until_all_finished) {
    for (;;) {
      const bool wait = until_all_finished && std::count(finished_.begin(), finished_.end(), 1) < world_.size();
      const std::optional<PostedCount> c = world_.take_count(wait);
      if (!c) break;
      counts_[c->rank] = c->count;
      finished_[c->rank] = c->final ? 1 : 0;
    }
    long sum = 0;
    for (long c : counts_) sum += c;
    meter_.update(sum);
  }

  World& world_;
  double interval_;
  std::vector<long> counts_;
  std::vector<int> finished_;
  ProgressMeter meter_;
  double last_sent_ = -1e9;
};

// Standard landmarks from the training split, computed in parallel (round robin) and summed
// over ranks. Training subjects that cannot be read are left out here (they fail later).
std::vector<double> learn_landmarks(Config& cfg, World& world, std::ostream& log) {
  const auto& pc = cfg.preprocess;
  const std::vector<SplitRow> train = read_split_rows(cfg, {cfg.data.train_split}).rows;
  const size_t L = pc.histogram_landmarks.size();
  std::vector<double> sums(train.size() * L, 0.0), valid(train.size(), 0.0);
  for (size_t i = world.rank(); i < train.size(); i += world.size()) {
    try {
      auto in = load_subject_inputs(train[i].image, train[i].rec, pc.geometry_tolerance);
      correct_bias(in, pc);
      auto l = percentiles_in_mask(in.image, in.mask, pc.histogram_landmarks);
      std::copy(l.begin(), l.end(), sums.begin() + i * L);
      valid[i] = 1;
    } catch (const std::exception&) {
      // Left out of the landmarks; the subject fails again below and is summarised there.
    }
  }
  world.all_reduce_sum(sums);
  world.all_reduce_sum(valid);
  std::vector<std::vector<double>> per_image;
  for (size_t i = 0; i < train.size(); ++i)
    if (valid[i] > 0) per_image.emplace_back(sums.begin() + i * L, sums.begin() + (i + 1) * L);
  auto standard = learn_standard_landmarks(per_image);
  if (world.rank() == 0) {
    std::ostringstream os;
    os << "standard landmarks learned on " << per_image.size() << " subjects of " << cfg.data.train_split;
    if (per_image.size() < train.size())
      os << " (" << train.size() - per_image.size() << " unreadable, among the failures below)";
    log << os.str() << "\n";
    if (per_image.size() < train.size()) std::cerr << "p2l-preprocess: " << os.str() << "\n";
  }
  return standard;
}

// Owner rank of every task, balanced by header voxel count (computed on rank 0, broadcast).
std::vector<int> assign_owners(const std::vector<SplitRow>& tasks, World& world) {
  std::vector<int> owner(tasks.size(), 0);
  if (world.rank() == 0) {
    std::vector<uint64_t> cost(tasks.size(), 0);
    for (size_t i = 0; i < tasks.size(); ++i) {
      try {
        cost[i] = read_nifti_geometry(tasks[i].image).voxels();
      } catch (const std::exception&) {
        cost[i] = 0;  // fails fast later, on whichever rank gets it
      }
    }
    owner = partition_by_cost(cost, world.size());
  }
  world.broadcast(owner);
  return owner;
}

// The path a failure message starts with (the helpers put the offending file first), else the image.
std::string failing_path(const std::string& message, const SplitRow& t) {
  for (const auto* p : {&t.image, &t.rec.mask, &t.rec.seg})
    if (!p->empty() && message.rfind(*p, 0) == 0) return *p;
  return t.image;
}

struct StoreWriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Processes this rank's tasks into its shards; returns their outcomes.
std::vector<Outcome> process_own(const std::vector<SplitRow>& tasks, const std::vector<int>& owner,
                                 const std::vector<std::string>& splits, Config& cfg,
                                 World& world, const ResumeIndex& index, int run,
                                 const std::vector<double>& standard, const std::string& hash,
                                 ProgressChannel& progress) {
  const auto& pc = cfg.preprocess;
  const std::string& dir = cfg.data.store_dir;
  std::vector<Outcome> out;
  std::unique_ptr<ShardWriter> writer;
  std::string writer_name;
  int part = 0;
  // A shard that cannot be written (a full disk, a lost file system) is the store's failure,
  // not the subject's: it ends the job with the shard's path and the reason, and the shards
  // committed before it stay intact for the rerun.
  auto on_store = [&](const std::function<void()>& step) {
    try {
      step();
    } catch (const std::exception& e) {
      writer.reset();  // removes its temporary
      throw StoreWriteError(e.what());
    }
  };
  auto commit = [&] {
    on_store([&] {
      if (writer && writer->subjects() > 0) writer->commit();
    });
    writer.reset();
  };
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (owner[i] != world.rank()) continue;
    const SplitRow& t = tasks[i];
    Outcome o;
    o.task = long(i);
    try {
      SubjectProvenance prov;
      prov.image_path = t.image;
      prov.mask_path = t.rec.mask;
      prov.seg_path = t.rec.seg;
      o.image_sum = prov.image_checksum = file_checksum(t.image);
      o.mask_sum = prov.mask_checksum = file_checksum(t.rec.mask);
      if (!t.rec.seg.empty()) o.seg_sum = prov.seg_checksum = file_checksum(t.rec.seg);
      prov.config_hash = hash;
      o.shard = index.find(splits[t.split], t.rec.id, prov, &o.slices);
      if (!o.shard.empty()) {
        o.status = kReused;
      } else {
        auto in = load_subject_inputs(t.image, t.rec, pc.geometry_tolerance);
        correct_bias(in, pc);
        SubjectSlices s = finish_subject(std::move(in), pc, standard, prov);
        s.id = t.rec.id;
        s.split = splits[t.split];
        s.label = t.rec.label;
        s.age = t.rec.age.value_or(NAN);
        on_store([&] {
          if (!writer) {
            writer_name = shard_file_name(world.rank(), world.size(), run, part++);
            writer = std::make_unique<ShardWriter>(dir + "/" + writer_name, pc.compression_level);
            writer->set_root_attribute("config_hash", hash);
            writer->set_root_attribute("run", std::to_string(run));
          }
          writer->write(s, prov);
        });
        o.status = kStored;
        o.shard = writer_name;
        o.slices = s.depth;
        if (writer->subjects() >= pc.shard_subjects) commit();
      }
    } catch (const StoreWriteError&) {
      throw;
    } catch (const std::exception& e) {
      o.status = kFailed;
      o.shard.clear();
      o.reason = e.what();
      o.path = failing_path(o.reason, t);
    }
    out.push_back(o);
    progress.report(long(out.size()));
  }
  commit();
  return out;
}

}  // namespace

std::vector<std::string> splits_to_preprocess(const Config& cfg) {
  if (!cfg.preprocess.splits.empty()) return cfg.preprocess.splits;
  std::vector<std::string> s = {cfg.data.train_split, cfg.data.val_split, cfg.data.healthy_test_split};
  for (const auto& set : cfg.data.test_sets) {
    s.push_back(set + "_val");
    s.push_back(set + "_test");
  }
  return s;
}

namespace {

// The splits of the store's previous manifest that this run did not preprocess stay in `m`
// (preprocess/SplitCarryOver.hpp); what is kept or dropped is logged.
void carry_over(const std::string& dir, Manifest& m, bool drop, std::ostream& log) {
  if (!std::filesystem::exists(manifest_path(dir))) return;
  Manifest previous;
  try {
    previous = read_manifest(dir);
  } catch (const std::exception& e) {
    const std::string w = std::string(e.what()) + ": its splits are not carried over";
    log << "warning: " << w << "\n";
    std::cerr << "p2l-preprocess: warning: " << w << "\n";
    return;
  }
  const CarryOver c = carry_over_splits(previous, m, drop);
  for (const auto& split : c.kept) {
    const std::string line = "kept split " + split + " of the store (" + std::to_string(m.splits[split].size()) +
                             " subjects; not listed in this run)";
    log << line << "\n";
    std::cerr << "p2l-preprocess: " << line << "\n";
  }
  for (const auto& d : c.dropped) {
    const std::string w = "dropped split " + d;
    log << "warning: " << w << "\n";
    std::cerr << "p2l-preprocess: warning: " << w << "\n";
  }
}

}  // namespace

std::string preprocess_config_hash(Config& cfg, const std::vector<double>& standard) {
  static const std::set<std::string> bookkeeping = {
      "preprocess.splits", "preprocess.compression_level", "preprocess.shard_subjects",
      "preprocess.geometry_tolerance", "preprocess.drop_other_splits"};
  // The revision of the stored subjects (docs/STORE.md): it is part of the hash, so a stored
  // subject of an older revision (without the input grid's source_spacing/origin/direction,
  // or without the fletcher32 checksums of revision 3) is preprocessed again instead of reused.
  std::string text = "subject attributes 3\n";
  const Schema schema = cfg.schema();
  for (const auto& f : schema.fields())
    if ((f.key.rfind("preprocess.", 0) == 0 && !bookkeeping.count(f.key)) || f.key == "data.modality")
      text += f.key + "=" + f.show() + "\n";
  std::ostringstream os;
  os.precision(17);
  for (double x : standard) os << x << ",";
  return string_checksum(text + os.str());
}

PreprocessSummary run_preprocess_job(Config& cfg, World& world) {
  const auto start = std::chrono::steady_clock::now();
  const auto& pc = cfg.preprocess;
  const std::string dir = cfg.data.store_dir;
  if (pc.image_dim.size() != 3) throw std::runtime_error("preprocess.image_dim: needs 3 values");
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(cpu_threads(cfg.run.threads, world.local_size()));

  std::ofstream log;
  if (world.rank() == 0) {
    std::filesystem::create_directories(dir);
    remove_stale_temporaries(dir, false);  // shards and the manifest of a killed run
    log.open(dir + "/preprocess.log", std::ios::app);
  }
  world.barrier();
  ResumeIndex index(dir);
  const int run = index.next_run();
  world.barrier();  // every rank has scanned before anyone commits a new shard
  if (world.rank() == 0) {
    log << "run " << run << " with " << world.size() << " ranks into " << dir << "\n";
    for (const auto& w : index.warnings()) {
      log << "warning: " << w << "\n";
      std::cerr << "p2l-preprocess: warning: " << w << "\n";
    }
  }

  const SplitRows selected = read_split_rows(cfg, splits_to_preprocess(cfg));
  const std::vector<std::string>& splits = selected.splits;
  const std::vector<SplitRow>& tasks = selected.rows;
  if (world.rank() == 0)
    for (const auto& w : selected.warnings) {
      log << "warning: " << w << "\n";
      std::cerr << "p2l-preprocess: warning: " << w << "\n";
    }
  std::vector<double> standard;
  if (pc.histogram_standardization) standard = learn_landmarks(cfg, world, log);
  const std::string hash = preprocess_config_hash(cfg, standard);
  const auto owner = assign_owners(tasks, world);

  ProgressChannel progress(world, long(tasks.size()), cfg.run.progress_seconds);
  auto mine = process_own(tasks, owner, splits, cfg, world, index, run, standard, hash, progress);
  progress.finish(long(mine.size()));
  auto all = world.gather_text(serialize(mine));

  std::vector<long> counts = {long(tasks.size()), 0, 0, 0};  // total, stored, reused, failed
  std::vector<ReasonedItem> failed, skipped;
  if (world.rank() == 0) {
    auto outcomes = parse(all);
    std::sort(outcomes.begin(), outcomes.end(), [](auto& a, auto& b) { return a.task < b.task; });
    Manifest m;
    m.run = run;
    m.world_size = world.size();
    m.modality = modalities().id(cfg.data.modality);
    m.config_hash = hash;
    if (!standard.empty()) {
      m.landmark_percentiles = pc.histogram_landmarks;
      m.standard_landmarks = standard;
    }
    m.split_order = splits;
    for (const auto& s : splits) m.splits[s];
    std::map<std::string, int> per_shard;
    for (const auto& o : outcomes) {
      const SplitRow& t = tasks[o.task];
      const std::string& split = splits[t.split];
      ++counts[1 + o.status];
      if (o.status == kFailed) {
        m.failures.push_back({split, t.rec.id, o.path, o.reason});
        failed.push_back({split + "/" + t.rec.id + ": " + o.path, o.reason});
        log << "FAILED " << split << "/" << t.rec.id << ": " << o.reason << "\n";
        continue;
      }
      m.splits[split].push_back({t.rec.id, t.rec.img_name, o.shard, o.slices, t.rec.label, o.image_sum,
                                 o.mask_sum, o.seg_sum, o.status == kReused});
      ++per_shard[o.shard];
    }
    m.skipped = selected.skipped;
    for (const auto& k : m.skipped) {
      skipped.push_back({k.split + "/" + k.img_name, k.reason});
      log << "skipped " << k.split << "/" << k.img_name << ": " << k.reason << "\n";
    }
    for (const auto& [file, n] : per_shard) m.shards.push_back({file, n});
    carry_over(dir, m, pc.drop_other_splits, log);
    for (const auto& sh : m.shards) per_shard[sh.file] = sh.subjects;
    write_manifest(dir, m);
    cfg.write(dir + "/config.yaml");
    // Shards the manifest does not reference are removed only once it is in place, so a crash
    // never leaves a manifest that points at a removed shard.
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (shard_run_number(name) >= 0 && !per_shard.count(name)) std::filesystem::remove(e.path());
    }
  }
  world.broadcast(counts);
  PreprocessSummary sum{counts[0], counts[1], counts[2], counts[3], long(selected.skipped.size()),
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  if (world.rank() == 0) {
    std::ostringstream os;
    os << "p2l-preprocess: " << sum.total << " subjects: " << sum.stored << " preprocessed, "
       << sum.reused << " reused from earlier runs, " << sum.failed << " failed; " << sum.skipped
       << " split rows skipped; " << sum.seconds << " s, store " << dir << "\n";
    os << summarize_reasons("p2l-preprocess: " + std::to_string(sum.skipped) + " split row(s) skipped (not failures)",
                            skipped);
    os << summarize_reasons("p2l-preprocess: " + std::to_string(sum.failed) + " subject(s) FAILED (all of them: " +
                                manifest_path(dir) + ", \"failures\"; " + dir + "/preprocess.log)",
                            failed);
    std::cerr << os.str();
    log << os.str();
  }
  return sum;
}

}  // namespace p2l
