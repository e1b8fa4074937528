// Our side of the PyTorch-reference comparison (bench/compare_reference.py runs both): training
// step throughput and sliding-window heatmap time of one volume, with the same threads, patch
// size and batch as the reference. Prints one JSON object.
//   bench_patch2loc train --threads T --batch B --patch P --steps N [--precision fp32|bf16] [--plain]
//   bench_patch2loc infer --threads T --stride S --out DIR [--checkpoint best.pt] [--plain]
// infer writes DIR/model.pt (the weights), DIR/volume.pt (a synthetic 96 x 96 x 80 brain) and
// DIR/heatmap_stride<S>.pt (raw score map and the median-filtered, masked heatmap) as
// torch.save-compatible files for the reference to load and compare with.
// --plain turns off the valid-tap convolutions and BatchNorm folding (to see what they give).
#include <ATen/CPUGeneratorImpl.h>
#include <sys/resource.h>
#include <torch/serialize.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "../tests/train/SyntheticBrain.hpp"
#include "dist/Communicator.hpp"
#include "eval/HeatmapBuilder.hpp"
#include "eval/MedianFilter.hpp"
#include "model/PatchExtractor.hpp"
#include "train/Checkpoint.hpp"
#include "train/Trainer.hpp"

using namespace p2l;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;
}

std::map<std::string, std::string> parse(int argc, char** argv) {
  std::map<std::string, std::string> a{{"threads", "2"}, {"batch", "1024"}, {"patch", "12"},
                                       {"steps", "5"},   {"stride", "4"},   {"precision", "fp32"},
                                       {"out", ""},      {"checkpoint", ""}, {"plain", "0"}};
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || !a.count(k.substr(2))) throw std::runtime_error("unknown argument " + k);
    if (k == "--plain") a["plain"] = "1";
    else if (i + 1 < argc) a[k.substr(2)] = argv[++i];
    else throw std::runtime_error(k + " needs a value");
  }
  return a;
}

Config bench_config(const std::map<std::string, std::string>& a, int side) {
  Config cfg = testing::small_training_config(
      (std::filesystem::temp_directory_path() / ("p2l_bench_" + std::to_string(getpid()))).string());
  cfg.train.patch_fraction = (std::stod(a.at("patch")) + 0.5) / side;
  cfg.train.patches_per_step = std::stoi(a.at("batch"));
  cfg.train.slices_per_step = 8;
  cfg.train.precision = a.at("precision");
  cfg.eval.precision = a.at("precision");
  cfg.model.valid_taps_only = a.at("plain") == "0";
  return cfg;
}

void train(const std::map<std::string, std::string>& a) {
  const int side = 96;
  Config cfg = bench_config(a, side);
  Communicator one(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, "gloo", false, std::chrono::seconds(60));
  TrainingData data{testing::synthetic_split("tr", 8, 1, 16, side), testing::synthetic_split("va", 1, 9, 16, side)};
  Trainer t(cfg, one, data);
  PatchSampler sampler(data.train, cfg.train, torch::kCPU);
  std::vector<double> times;
  const int steps = std::stoi(a.at("steps"));
  int64_t n = 0;
  for (int s = 0; s <= steps; ++s) {  // the first step warms up
    torch::Generator g = at::make_generator<at::CPUGeneratorImpl>(step_seed(1, 0, s));
    PatchBatch b = sampler.sample(g);
    n = b.patches.size(0);
    auto t0 = Clock::now();
    t.train_step(b);
    if (s > 0) times.push_back(since(t0));
  }
  std::sort(times.begin(), times.end());
  double step = times[times.size() / 2];
  std::cout << "{\"implementation\": \"patch2loc-cpp\", \"mode\": \"train\", \"threads\": "
            << torch::get_num_threads() << ", \"batch\": " << n << ", \"patch\": " << sampler.patch_size()
            << ", \"precision\": \"" << a.at("precision") << "\", \"plain\": " << (a.at("plain") == "1" ? "true" : "false")
            << ", \"patches_per_s\": " << double(n) / step << ", \"step_s\": " << step
            << ", \"peak_rss_mb\": " << peak_rss_mb() << "}" << std::endl;
}

void save_tensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors) {
  c10::Dict<std::string, torch::Tensor> d;
  for (const auto& [k, v] : tensors) d.insert(k, v.contiguous());
  std::vector<char> bytes = torch::pickle_save(c10::IValue(d));
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

torch::Tensor zhw(const std::vector<float>& v, const SubjectSlices& s) {
  return torch::from_blob(const_cast<float*>(v.data()), {s.depth, s.height, s.width}, torch::kFloat32).clone();
}

void infer(const std::map<std::string, std::string>& a) {
  const int side = 96, depth = 80;
  Config cfg = bench_config(a, side);
  const std::string out = a.at("out");
  if (out.empty()) throw std::runtime_error("infer needs --out DIR");
  std::filesystem::create_directories(out);
  Patch2LocNet net(cfg.model);
  if (!a.at("checkpoint").empty()) {
    load_model_weights(a.at("checkpoint"), *net);
  } else {  // a short training run gives realistic weights and BatchNorm statistics
    Communicator one(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, "gloo", false, std::chrono::seconds(60));
    cfg.train.patches_per_step = 256;
    cfg.train.steps = 30;
    cfg.train.val_every = cfg.train.checkpoint_every = cfg.train.density_every = 1000;
    cfg.train.log_every = 1000;
    Trainer t(cfg, one, {testing::synthetic_split("tr", 8, 1, 16, side), testing::synthetic_split("va", 1, 9, 16, side)});
    t.run();
    net = t.model();
  }
  SubjectSlices s = testing::synthetic_subject("volume", depth, side, 5);
  std::map<std::string, torch::Tensor> weights;
  for (const auto& p : net->named_parameters()) weights[p.key()] = p.value().detach();
  for (const auto& b : net->named_buffers()) weights[b.key()] = b.value().detach();
  save_tensors(out + "/model.pt", weights);
  const int64_t p = patch_side(cfg.train.patch_fraction, side);
  save_tensors(out + "/volume.pt", {{"image", zhw(s.image, s)},
                                    {"mask", torch::from_blob(s.mask.data(), {depth, side, side}, torch::kUInt8).clone()},
                                    {"patch", torch::tensor({p})}});
  HeatmapOptions opt;
  opt.stride = std::stoi(a.at("stride"));
  opt.patch_fraction = cfg.train.patch_fraction;
  opt.batch_size = 2048;
  opt.precision = a.at("precision");
  opt.fold_batchnorm = a.at("plain") == "0";
  HeatmapBuilder builder(net, opt, torch::kCPU);
  builder.score_maps(testing::synthetic_subject("warmup", 2, side, 6));
  auto t0 = Clock::now();
  ScoreMaps maps = builder.score_maps(s);
  const double score_s = since(t0);
  auto t1 = Clock::now();
  FloatVolume score = combine_scores(maps, "both");
  LabelVolume mask = slices_to_volume(s.mask, maps.error.geom);
  FloatVolume heat = median_filter(score, 7, &mask);
  apply_mask(heat, mask);
  const double median_s = since(t1);
  save_tensors(out + "/heatmap_stride" + a.at("stride") + ".pt",
               {{"score", zhw(volume_to_slices(score), s)}, {"heatmap", zhw(volume_to_slices(heat), s)}});
  std::cout << "{\"implementation\": \"patch2loc-cpp\", \"mode\": \"infer\", \"threads\": "
            << torch::get_num_threads() << ", \"stride\": " << opt.stride << ", \"patch\": " << p
            << ", \"precision\": \"" << a.at("precision") << "\", \"plain\": " << (a.at("plain") == "1" ? "true" : "false")
            << ", \"patches_scored\": " << builder.patches_scored()
            << ", \"seconds_per_volume\": " << score_s + median_s << ", \"score_seconds\": " << score_s
            << ", \"median_seconds\": " << median_s << ", \"peak_rss_mb\": " << peak_rss_mb() << "}" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw std::runtime_error("usage: bench_patch2loc train|infer [--key value ...]");
    auto a = parse(argc, argv);
    torch::set_num_threads(std::stoi(a.at("threads")));
    std::string mode = argv[1];
    if (mode == "train") train(a);
    else if (mode == "infer") infer(a);
    else throw std::runtime_error("unknown mode " + mode);
  } catch (const std::exception& e) {
    std::cerr << "bench_patch2loc: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
